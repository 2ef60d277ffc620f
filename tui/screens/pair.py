"""The pair form: which two features (the decision boundary) or weights (the loss landscape) a
view is drawn over, typed by name; what cannot be read is refused in one line."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Label, Static

from logsgd.core.params import SettingError
from logsgd.tui.screens.form import FormScreen

# Characters a name takes: a weight's ("w12345", "bias") or a column's.
FIELD_MAX_LENGTH = 200

PairReader = Callable[[str, str], tuple[int, int]]


class PairScreen(FormScreen[tuple[int, int]]):
    """Two fields, across and up: Enter in the first goes on to the second, Enter there or
    Show reads them both (`read`, SettingError for what it refuses); Escape leaves the pair as
    it was. Typed, not chosen from a list: a CSV may have 100,000 columns."""

    SUBMIT_ID = "pair-show"

    def __init__(self, title: str, texts: tuple[str, str], read: PairReader, note: str) -> None:
        super().__init__()
        self.title_text = title
        self.texts = texts
        self.read = read
        self.note = note

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="pair-box") as box:
            box.border_title = f"{self.title_text} · Enter shows · Escape cancels"
            for field, text in zip(("across", "up"), self.texts, strict=True):
                with Horizontal(classes="edit-row"):
                    yield Label(field, classes="edit-label")
                    yield Input(text, id=f"pair-{field}", compact=True, max_length=FIELD_MAX_LENGTH)
            yield Static("", id="pair-error", classes="edit-error")
            # Text, not markup: the note may name columns from the file.
            yield Static(Text(self.note), classes="edit-note")
            with Horizontal(id="pair-buttons"):
                yield Button("Show", variant="primary", id=self.SUBMIT_ID, compact=True)
                yield Button("Cancel", id="pair-cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#pair-across", Input).focus()

    def _submit(self) -> None:
        across = self.query_one("#pair-across", Input).value
        up = self.query_one("#pair-up", Input).value
        try:
            pair = self.read(across, up)
        except SettingError as error:
            line = self.query_one("#pair-error", Static)
            # Text, not markup: the message quotes what was typed.
            line.update(Text(f"✗ {error}"))
            line.display = True
            return
        self.dismiss(pair)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        # In place of FormScreen's handler, which would submit from either field.
        event.prevent_default()
        event.stop()
        if event.input.id == "pair-across":
            self.query_one("#pair-up", Input).focus()
        else:
            self._submit()
