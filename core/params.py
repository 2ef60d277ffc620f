"""Hyperparameters and the validation that guards every change to them."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from .maths import FloatArray


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

    def validated(self, n_rows: int) -> Hyperparams:
        """A clean copy if every value is allowed for n_rows rows, else raise SettingError."""
        lr = self.learning_rate
        if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not math.isfinite(lr):
            raise SettingError(
                f"learning rate must be a finite number, got {lr!r}", setting="learning_rate"
            )
        if lr <= 0:
            raise SettingError(
                f"learning rate must be greater than 0, got {lr!r}", setting="learning_rate"
            )
        b = self.batch_size
        if isinstance(b, bool) or not isinstance(b, (int, np.integer)):
            raise SettingError(
                f"batch size must be a whole number, got {b!r}", setting="batch_size"
            )
        if not 1 <= b <= n_rows:
            raise SettingError(
                f"batch size must be between 1 and the number of rows ({n_rows}), got {b}",
                setting="batch_size",
            )
        if isinstance(self.seed, bool) or not isinstance(self.seed, (int, np.integer)):
            raise SettingError(f"seed must be a whole number, got {self.seed!r}", setting="seed")
        if self.seed < 0:
            raise SettingError(f"seed must be 0 or more, got {self.seed}", setting="seed")
        lam = self.l2
        if not isinstance(lam, (int, float)) or not math.isfinite(lam) or lam < 0:
            raise SettingError(
                f"L2 penalty lambda must be a finite number >= 0, got {lam!r}", setting="l2"
            )
        mu = self.momentum
        if not isinstance(mu, (int, float)) or not math.isfinite(mu) or not 0 <= mu < 1:
            raise SettingError(
                f"momentum mu must be at least 0 and below 1, got {mu!r}", setting="momentum"
            )
        return replace(
            self,
            learning_rate=float(lr),
            batch_size=int(b),
            shuffle=bool(self.shuffle),
            seed=int(self.seed),
            l2=float(lam),
            momentum=float(mu),
        )


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
            f"initial weight w{bad[0]} is not a finite number ({weights[bad[0]]})",
            setting="initial_weights",
        )
    weights.flags.writeable = False
    return weights
