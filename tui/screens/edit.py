"""The edit form: lr, batch size, seed, lambda, mu and initial weights; bad input is refused."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Checkbox, Input, Label, Static

from logsgd.core.maths import FloatArray
from logsgd.core.params import (
    SETTING_NAMES,
    Hyperparams,
    SettingError,
    fmt_setting,
    read_initial_weights,
    read_setting,
    validate_initial_weights,
)
from logsgd.tui.screens.form import FormScreen
from logsgd.tui.screens.toggles import StateCheckbox

# Characters a number may take in a field: any float64 written in full, and a margin.
FIELD_MAX_LENGTH = 64

# Each field's label: the setting's one name (core.params.SETTING_NAMES), and a hint.
FIELDS = tuple(
    (name, SETTING_NAMES[name] + hint)
    for name, hint in (
        ("learning_rate", " (lr)"),
        ("batch_size", ""),
        ("seed", " (for shuffling)"),
        ("l2", ""),
        ("momentum", ""),
        ("initial_weights", " (w0, ..., bias)"),
    )
)
# Values every setting may take, to check one field at a time against the others.
KNOWN_GOOD: dict[str, float | int] = {
    "learning_rate": 0.01,
    "batch_size": 1,
    "seed": 0,
    "l2": 0.0,
    "momentum": 0.0,
}


@dataclass(frozen=True)
class EditValues:
    """The form's starting values, as text."""

    texts: dict[str, str]
    shuffle: bool
    n_features: int

    @classmethod
    def from_engine_state(
        cls, hp: Hyperparams, initial_weights: FloatArray, n_features: int
    ) -> EditValues:
        return cls(
            texts={
                **{name: fmt_setting(name, getattr(hp, name)) for name in KNOWN_GOOD},
                "initial_weights": ", ".join(repr(float(w)) for w in initial_weights),
            },
            shuffle=hp.shuffle,
            n_features=n_features,
        )


def parse_form(
    texts: dict[str, str], shuffle: bool, n_rows: int, n_features: int
) -> tuple[Hyperparams, FloatArray, dict[str, str]]:
    """Check every field; return the values and a field -> error map (empty if all is well)."""
    errors: dict[str, str] = {}
    values: dict[str, float | int] = {}
    for name in KNOWN_GOOD:
        try:
            values[name] = read_setting(name, texts[name])
        except SettingError as error:
            errors[name] = str(error)
    # Check each field on its own, against known-good values for the others, so each
    # message lands under the field it is about.
    for name, value in values.items():
        try:
            Hyperparams(**{**KNOWN_GOOD, name: value}).validated(n_rows)  # type: ignore[arg-type]
        except SettingError as error:
            errors[name] = str(error)
    hp = Hyperparams()
    if not errors:
        hp = Hyperparams(
            learning_rate=float(values["learning_rate"]),
            batch_size=int(values["batch_size"]),
            shuffle=shuffle,
            seed=int(values["seed"]),
            l2=float(values["l2"]),
            momentum=float(values["momentum"]),
        ).validated(n_rows)
    weights = None
    try:
        weights = read_initial_weights(texts["initial_weights"], n_features)
    except SettingError as error:
        errors["initial_weights"] = str(error)
    if weights is None:
        weights = validate_initial_weights([0.0] * (n_features + 1), n_features)
    return hp, weights, errors


class EditScreen(FormScreen[tuple[Hyperparams, FloatArray]]):
    """A form; Enter or Apply checks every field and applies only if all are valid."""

    SUBMIT_ID = "edit-apply"

    def __init__(self, values: EditValues, n_rows: int) -> None:
        super().__init__()
        self.values = values
        self.n_rows = n_rows

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="edit-box") as box:
            box.border_title = "Edit hyperparameters · Enter applies · Escape cancels"
            for name, label in FIELDS:
                with Horizontal(classes="edit-row"):
                    yield Label(label, classes="edit-label")
                    yield Input(
                        self.values.texts[name],
                        id=f"edit-{name}",
                        compact=True,
                        # A paste of 100 KB is not a setting: bound what a field takes.
                        max_length=self._max_length(name),
                    )
                yield Static("", id=f"error-{name}", classes="edit-error")
            yield StateCheckbox(
                "shuffle rows each epoch", self.values.shuffle, id="edit-shuffle", compact=True
            )
            yield Static(
                "Changing lr, batch size, seed, λ or μ applies from the next step; "
                "new initial weights restart at step 0.",
                classes="edit-note",
            )
            with Horizontal(id="edit-buttons"):
                yield Button("Apply", variant="primary", id="edit-apply", compact=True)
                yield Button("Cancel", id="edit-cancel", compact=True)

    def _max_length(self, name: str) -> int:
        """Characters a field takes: a number's, or one number per weight."""
        if name == "initial_weights":
            return FIELD_MAX_LENGTH * (self.values.n_features + 1)
        return FIELD_MAX_LENGTH

    def on_mount(self) -> None:
        self.query_one("#edit-learning_rate", Input).focus()

    def _submit(self) -> None:
        texts = {name: self.query_one(f"#edit-{name}", Input).value for name, _ in FIELDS}
        shuffle = self.query_one("#edit-shuffle", Checkbox).value
        hp, weights, errors = parse_form(texts, shuffle, self.n_rows, self.values.n_features)
        for name, _ in FIELDS:
            message = errors.get(name, "")
            error = self.query_one(f"#error-{name}", Static)
            # Text, not markup: the message quotes what was typed ("[/foo]" is shown as is).
            error.update(Text(f"✗ {message}") if message else "")
            error.display = bool(message)
            self.query_one(f"#edit-{name}", Input).set_class(bool(message), "-invalid-field")
        if errors:
            return
        self.dismiss((hp, weights))
