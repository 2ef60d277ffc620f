"""Hyperparameters and the validation that guards every change to them."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from decimal import Decimal

import numpy as np

from .formatting import fmt_data
from .maths import FloatArray
from .text import quoted, read_number, read_whole, whole_wanted

# One name per setting, the same in every message, form label, status line and export (the
# text export, plain ASCII throughout, spells the symbols: lambda, mu).
SETTING_NAMES: dict[str, str] = {
    "learning_rate": "learning rate",
    "batch_size": "batch size",
    "shuffle": "shuffle",
    "seed": "seed",
    "l2": "L2 penalty λ",
    "momentum": "momentum μ",
    "initial_weights": "initial weights",
}
# The settings that are whole numbers; the others are floats (shuffle is on or off).
WHOLE_SETTINGS = frozenset({"batch_size", "seed"})


class SettingError(ValueError):
    """A hyperparameter or setting a lecturer typed was rejected; the message says why.

    `setting` names the field it is about (a Hyperparams field, "initial_weights" or
    "standardized"), so a front end can point at what was typed: a flag, a form field.
    """

    def __init__(self, message: str, setting: str | None = None) -> None:
        super().__init__(message)
        self.setting = setting


@dataclass(frozen=True)
class Hyperparams:
    """What a step runs with. Every field may change live, between steps.

    shuffle and seed fix the order of an epoch's rows when the epoch's first batch runs; a
    change in mid-epoch takes effect at the next epoch. A batch-size change takes effect at
    the next step: that batch starts at the first row of the epoch not yet seen, so every
    epoch still covers every row exactly once (its last batch may be short).
    """

    learning_rate: float = 0.01
    batch_size: int = 2
    shuffle: bool = False
    seed: int = 0
    l2: float = 0.0
    momentum: float = 0.0

    def record(self) -> dict[str, object]:
        """The settings by their names, in field order: as the exports and session files
        write them."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def validated(self, n_rows: int) -> Hyperparams:
        """A clean copy if every value is allowed for n_rows rows, else raise SettingError."""
        lr = _checked_float("learning_rate", self.learning_rate)
        if lr <= 0:
            raise _refused("learning_rate", "must be greater than 0", lr)
        b = _checked_whole("batch_size", self.batch_size)
        if not 1 <= b <= n_rows:
            raise _refused("batch_size", f"must be between 1 and the number of rows ({n_rows})", b)
        seed = _checked_whole("seed", self.seed)
        if seed < 0:
            raise _refused("seed", "must be 0 or more", seed)
        lam = _checked_float("l2", self.l2)
        if lam < 0:
            raise _refused("l2", "must be 0 or more", lam)
        mu = _checked_float("momentum", self.momentum)
        if not 0 <= mu < 1:
            raise _refused("momentum", "must be at least 0 and below 1", mu)
        lr, b, lam, mu, seed = float(lr), int(b), float(lam), float(mu), int(seed)
        return replace(
            self,
            learning_rate=lr,
            batch_size=b,
            shuffle=bool(self.shuffle),
            seed=seed,
            l2=lam,
            momentum=mu,
        )


def scaled(value: float, factor: float) -> float:
    """value times factor (2, 10, 1/2, 1/10) as a lecturer would work it out: the decimal the
    screen shows, shifted. 1e110 * 10 is 1.0000000000000001e+111 in float64, shown 1.000e+111
    beside the 1e+110 before it; scaled gives 1e+111. Exact binary steps (×2, ÷2) stay exact.
    """
    if factor in (10, 0.1):
        return float(Decimal(repr(value)).scaleb(1 if factor == 10 else -1))
    return value * factor if factor >= 1 else value / (1 / factor)


def fmt_setting(field: str, value: object) -> str:
    """A setting's value as every screen and export writes it: 0.01, 2, on, 100000000000000000."""
    if isinstance(value, bool):
        return "on" if value else "off"
    if field in WHOLE_SETTINGS:
        return str(int(value))  # type: ignore[call-overload]
    return fmt_data(float(value))  # type: ignore[arg-type]


def _refused(field: str, rule: str, value: object) -> SettingError:
    """'learning rate must be greater than 0, got 0': the setting's one name, what it must
    be, and the value as the screen writes it."""
    return SettingError(f"{SETTING_NAMES[field]} {rule}, got {fmt_setting(field, value)}", field)


def _checked_float(field: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise SettingError(f"{SETTING_NAMES[field]} must be a number, got {value!r}", field)
    if not math.isfinite(value):
        raise SettingError(f"{SETTING_NAMES[field]} must be a finite number, got {value}", field)
    return float(value)


def _checked_whole(field: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise SettingError(f"{SETTING_NAMES[field]} must be a whole number, got {value!r}", field)
    return int(value)


def read_setting(field: str, text: str) -> float | int:
    """A setting as typed (command line or edit form), in plain ASCII like a CSV's numbers:
    a whole number for batch size and seed, a finite number for the others. SettingError
    otherwise, quoting at most the first few dozen characters typed."""
    name = SETTING_NAMES[field]
    if field in WHOLE_SETTINGS:
        whole = read_whole(text)
        if whole is None:
            raise SettingError(
                f"{name} must be {whole_wanted(text)}, got {quoted(text.strip())}", field
            )
        return whole
    number = read_number(text)
    if number is None:
        raise SettingError(f"{name} must be a number, got {quoted(text.strip())}", field)
    if not math.isfinite(number):
        raise SettingError(f"{name} must be a finite number, got {quoted(text.strip())}", field)
    return number


def read_initial_weights(text: str, n_features: int) -> FloatArray:
    """Initial weights as typed: d + 1 numbers separated by commas or spaces."""
    parts = [part for part in text.replace(",", " ").split() if part]
    numbers = []
    for i, part in enumerate(parts):
        number = read_number(part)
        if number is None or not math.isfinite(number):
            rule = "a number" if number is None else "a finite number"
            raise SettingError(
                f"initial weight w{i} must be {rule}, got {quoted(part)}", "initial_weights"
            )
        numbers.append(number)
    return validate_initial_weights(numbers, n_features)


def validate_initial_weights(values: Sequence[float] | FloatArray, n_features: int) -> FloatArray:
    """Initial weights are d + 1 finite numbers: one per feature, then the bias."""
    try:
        weights = np.array(values, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError) as exc:
        raise SettingError(
            f"initial weights must be numbers: {exc}", setting="initial_weights"
        ) from None
    if weights.size != n_features + 1:
        raise SettingError(
            f"initial weights need {n_features + 1} numbers ({n_features} features, then the "
            f"bias), got {weights.size}",
            setting="initial_weights",
        )
    bad = [i for i, value in enumerate(weights) if not math.isfinite(value)]
    if bad:
        raise SettingError(
            f"initial weight w{bad[0]} must be a finite number, got {weights[bad[0]]}",
            setting="initial_weights",
        )
    weights.flags.writeable = False
    return weights


def weight_index(text: str, n_weights: int, setting: str) -> int:
    """A weight typed as `w0` .. `wd` or `bias` (the last), as its index; SettingError in the
    lecturer's words otherwise."""
    last = n_weights - 1
    lowered = text.lower()
    index = last if lowered == "bias" else read_whole(lowered.removeprefix("w"))
    if index is None or not 0 <= index <= last or lowered.startswith(("+", "-", "w+", "w-")):
        raise SettingError(
            f"weight must be one of w0 to w{last} (w{last} is the bias), got {quoted(text)}",
            setting,
        )
    return index


def feature_index(text: str, names: Sequence[str], setting: str) -> int:
    """A feature typed as the panels name it: "x3: petal_length" (as the forms show it), its
    column's name, or x1 .. xd; its index (0-based), or SettingError in the lecturer's words.
    A column named like another's number ("x2" first) is read as the column's name."""
    typed = text.strip()
    number, _, name = typed.partition(": ")
    k = read_whole(number.removeprefix("x")) if number.startswith("x") else None
    if name and k is not None and 1 <= k <= len(names) and names[k - 1] == name:
        return k - 1
    if typed in names:
        return list(names).index(typed)
    if not name and k is not None and 1 <= k <= len(names) and not typed.startswith("x+"):
        return k - 1
    raise SettingError(
        f"feature must be one of x1 to x{len(names)} or a column's name, got {quoted(text)}",
        setting,
    )
