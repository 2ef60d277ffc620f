"""The run-until form: which condition stops a forward run, and its value; bad values refused."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Label, RadioSet, Static

from logsgd.core.params import SettingError
from logsgd.core.until import KINDS, LIMIT, Condition, read_condition
from logsgd.tui.screens.form import FormScreen
from logsgd.tui.screens.toggles import ChoiceButton

# Characters a value field takes (a number, a row, a weight's name).
FIELD_MAX_LENGTH = 64

# Each condition's choice in the form, in the order of until.KINDS.
CHOICES: dict[str, str] = {
    "flip": "a prediction flips (a row's class, z >= 0, changes)",
    "loss": "the full-data loss goes below a value",
    "accuracy": "accuracy reaches a percentage",
    "sign": "a weight changes sign",
    "diverge": "the run diverges",
    "epoch": "the end of the epoch",
    "steps": "N steps",
}
# The conditions with a value: its field's label and the value it starts with.
FIELDS: dict[str, tuple[str, str]] = {
    "flip": ("row (empty: any row)", ""),
    "loss": ("loss below", "0.1"),
    "accuracy": ("accuracy at least (%)", "100"),
    "sign": ("weight (w0, ...)", "w0"),
    "steps": ("steps", "100"),
}


class UntilScreen(FormScreen[Condition]):
    """A form; the value of the chosen condition is checked, and Enter or Run applies it."""

    SUBMIT_ID = "until-run"

    def __init__(self, step: int, n_rows: int, n_weights: int) -> None:
        super().__init__()
        self.step = step
        self.n_rows = n_rows
        self.n_weights = n_weights

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="until-box") as box:
            box.border_title = "Run until · Enter chooses, then runs · Escape cancels"
            yield Static(
                Text(f"Run forward from step {self.step} and stop at the first step where:"),
                classes="edit-note",
            )
            # Nothing is chosen at first: Enter (or space) on a choice chooses it and moves on,
            # which it could not do on a choice already made.
            with RadioSet(id="until-kind", compact=True):
                for kind in KINDS:
                    yield ChoiceButton(CHOICES[kind], value=False, id=f"until-{kind}")
            yield Static("", id="until-error-kind", classes="edit-error")
            for kind, (label, value) in FIELDS.items():
                with Horizontal(classes="edit-row", id=f"until-row-{kind}"):
                    yield Label(label, classes="edit-label")
                    yield Input(
                        value, id=f"until-value-{kind}", compact=True, max_length=FIELD_MAX_LENGTH
                    )
                yield Static("", id=f"until-error-{kind}", classes="edit-error")
            yield Static(
                Text(
                    f"Rows are counted from 1; w{self.n_weights - 1} is the bias. At most "
                    f"{LIMIT:,} steps on; Escape stops a run, at the last step checked."
                ),
                classes="edit-note",
            )
            with Horizontal(id="until-buttons"):
                yield Button("Run", variant="primary", id="until-run", compact=True)
                yield Button("Cancel", id="until-cancel", compact=True)

    def on_mount(self) -> None:
        self._show_field(self.kind)
        self.query_one(RadioSet).focus()

    @property
    def kind(self) -> str:
        """The condition chosen ("" before one is)."""
        index = self.query_one(RadioSet).pressed_index
        return KINDS[index] if index >= 0 else ""

    def _show_field(self, kind: str) -> None:
        """Only the chosen condition's value field shows (with its error, if any)."""
        for name in FIELDS:
            self.query_one(f"#until-row-{name}").display = name == kind
            error = self.query_one(f"#until-error-{name}", Static)
            error.display = name == kind and error.has_class("-shown")

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        kind = self.kind
        self._say("kind", "")
        self._show_field(kind)
        # Chosen with Enter or space: on to what comes next, the value or the Run button.
        target = f"#until-value-{kind}" if kind in FIELDS else "#until-run"
        self.query_one(target).focus()

    def _submit(self) -> None:
        kind = self.kind
        if not kind:
            self._say("kind", "choose a condition first: ↑ ↓ and Enter")
            return
        text = self.query_one(f"#until-value-{kind}", Input).value if kind in FIELDS else ""
        try:
            condition = read_condition(kind, text, self.n_rows, self.n_weights)
        except SettingError as error:
            self._say(kind, str(error))
            return
        self._say(kind, "")
        self.dismiss(condition)

    def _say(self, field: str, message: str) -> None:
        """The one line under a field (a condition's value, or "kind": the choice itself):
        what is wrong with it ("" clears it)."""
        if field not in FIELDS and field != "kind":
            return  # a condition without a value: nothing typed can be wrong
        error_line = self.query_one(f"#until-error-{field}", Static)
        # Text, not markup: the message quotes what was typed ("[/foo]" is shown as is).
        error_line.update(Text(f"✗ {message}") if message else "")
        error_line.set_class(bool(message), "-shown")
        error_line.display = bool(message)
        if field in FIELDS:
            self.query_one(f"#until-value-{field}", Input).set_class(
                bool(message), "-invalid-field"
            )
