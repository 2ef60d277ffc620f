"""The pair form: which two of the features (or weights) a view is drawn over."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Label, Select, Static

from logsgd.tui.screens.form import FormScreen


class PairScreen(FormScreen[tuple[int, int]]):
    """Two choices from one list (across, up); the same one twice is refused."""

    SUBMIT_ID = "pair-show"

    def __init__(
        self, title: str, names: Sequence[str], pair: tuple[int, int], note: str = ""
    ) -> None:
        super().__init__()
        self.title_text = title
        self.names = list(names)
        self.pair = pair
        self.note = note

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="pair-box") as box:
            box.border_title = f"{self.title_text} · Enter shows · Escape cancels"
            # Text, not markup: the names come from the file's header.
            options = [(Text(name), k) for k, name in enumerate(self.names)]
            for axis, value in (("across", self.pair[0]), ("up", self.pair[1])):
                with Horizontal(classes="edit-row"):
                    yield Label(axis, classes="pair-label")
                    yield Select(
                        options, value=value, allow_blank=False, id=f"pair-{axis}", compact=True
                    )
            yield Static("", id="pair-error", classes="edit-error")
            if self.note:
                yield Static(Text(self.note), classes="edit-note")
            with Horizontal(id="pair-buttons"):
                yield Button("Show", variant="primary", id=self.SUBMIT_ID, compact=True)
                yield Button("Cancel", id="pair-cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#pair-across", Select).focus()

    def chosen(self) -> tuple[int, int]:
        across = self.query_one("#pair-across", Select).value
        up = self.query_one("#pair-up", Select).value
        assert isinstance(across, int) and isinstance(up, int)  # allow_blank=False
        return across, up

    def _submit(self) -> None:
        across, up = self.chosen()
        error = self.query_one("#pair-error", Static)
        if across == up:
            error.update(Text(f"✗ choose two different ones: both are {self.names[across]}"))
            error.display = True
            return
        self.dismiss((across, up))
