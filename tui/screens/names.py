"""The names form: which two features (the decision boundary) or weights (the loss landscape)
a view is drawn over, which weight the chart highlights, or where a step is exported, typed by
name; what cannot be read is refused in one line."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Label, Static

from logsgd.core.params import SettingError
from logsgd.tui.screens.form import FormScreen

# Characters a name takes: a weight's ("w12345", "bias") or a column's.
FIELD_MAX_LENGTH = 200

ResultT = TypeVar("ResultT")


class NamesScreen(FormScreen[ResultT], Generic[ResultT]):
    """A field per label ("across", "up"; or "weight"): Enter in one goes on to the next,
    Enter in the last or Show reads them all (`read(*texts)`, SettingError for what it
    refuses); Escape leaves things as they were (None). Typed, not chosen from a list: a CSV
    may have 100,000 columns."""

    SUBMIT_ID = "pair-show"

    def __init__(
        self,
        title: str,
        texts: tuple[str, ...],
        read: Callable[..., ResultT],
        note: str,
        labels: tuple[str, ...] = ("across", "up"),
        max_length: int = FIELD_MAX_LENGTH,
        button: str = "Show",
    ) -> None:
        super().__init__()
        self.title_text = title
        self.texts = texts
        self.read = read
        self.note = note
        self.labels = labels
        self.max_length = max_length
        self.button = button

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="pair-box") as box:
            verb = "shows" if self.button == "Show" else self.button.lower() + "s"
            box.border_title = f"{self.title_text} · Enter {verb} · Escape cancels"
            for field, text in zip(self.labels, self.texts, strict=True):
                with Horizontal(classes="edit-row"):
                    yield Label(field, classes="edit-label")
                    yield Input(text, id=f"pair-{field}", compact=True, max_length=self.max_length)
            yield Static("", id="pair-error", classes="edit-error")
            # Text, not markup: the note may name columns from the file.
            yield Static(Text(self.note), classes="edit-note")
            with Horizontal(id="pair-buttons"):
                yield Button(self.button, variant="primary", id=self.SUBMIT_ID, compact=True)
                yield Button("Cancel", id="pair-cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one(f"#pair-{self.labels[0]}", Input).focus()

    def _submit(self) -> None:
        texts = [self.query_one(f"#pair-{label}", Input).value for label in self.labels]
        try:
            result = self.read(*texts)
        except SettingError as error:
            line = self.query_one("#pair-error", Static)
            # Text, not markup: the message quotes what was typed.
            line.update(Text(f"✗ {error}"))
            line.display = True
            return
        self.dismiss(result)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        # In place of FormScreen's handler, which would submit from either field.
        event.prevent_default()
        event.stop()
        ids = [f"pair-{label}" for label in self.labels]
        at = ids.index(event.input.id) if event.input.id in ids else len(ids) - 1
        if at < len(ids) - 1:
            self.query_one(f"#{ids[at + 1]}", Input).focus()
        else:
            self._submit()
