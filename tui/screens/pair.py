"""The loss landscape's weights form: which weight goes across and which up; bad names refused."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from logsgd.core.landscape import read_pair
from logsgd.core.params import SettingError

# Characters a weight's name takes ("w12345", "bias").
FIELD_MAX_LENGTH = 16


class PairScreen(ModalScreen[tuple[int, int] | None]):
    """Two fields, across and up; Enter or Show applies them, Escape leaves them as they were."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", show=True)]

    def __init__(self, pair: tuple[int, int], n_weights: int) -> None:
        super().__init__()
        self.pair = pair
        self.n_weights = n_weights

    def compose(self) -> ComposeResult:
        last = self.n_weights - 1
        with VerticalScroll(id="pair-box") as box:
            box.border_title = "Loss landscape: weights · Enter shows · Escape cancels"
            for field, index in (("across", self.pair[0]), ("up", self.pair[1])):
                with Horizontal(classes="edit-row"):
                    yield Label(field, classes="edit-label")
                    yield Input(
                        _name(index, last),
                        id=f"pair-{field}",
                        compact=True,
                        max_length=FIELD_MAX_LENGTH,
                    )
            yield Static("", id="pair-error", classes="edit-error")
            yield Static(
                Text(
                    f"A weight is w0 to w{last}, or bias (w{last}); the other weights stay at "
                    "their values at the cursor."
                ),
                classes="edit-note",
            )
            with Horizontal(id="pair-buttons"):
                yield Button("Show", variant="primary", id="pair-show", compact=True)
                yield Button("Cancel", id="pair-cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#pair-across", Input).focus()

    def _submit(self) -> None:
        across = self.query_one("#pair-across", Input).value
        up = self.query_one("#pair-up", Input).value
        try:
            pair = read_pair(across, up, self.n_weights)
        except SettingError as error:
            line = self.query_one("#pair-error", Static)
            # Text, not markup: the message quotes what was typed.
            line.update(Text(f"✗ {error}"))
            line.set_class(True, "-shown")
            line.display = True
            return
        self.dismiss(pair)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "pair-across":
            self.query_one("#pair-up", Input).focus()
        else:
            self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "pair-show":
            self._submit()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)


def _name(index: int, last: int) -> str:
    return "bias" if index == last else f"w{index}"
