"""What crosses the door from the engine to a screen: the StepEvent and the messages around it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from . import maths
from .maths import FloatArray
from .params import Hyperparams

IntArray = NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class StepEvent:
    """Everything the screen shows for one step; nothing is left to recompute.

    Step 0 is the start: no batch (empty arrays), weights_before == weights_after.
    Arrays are read-only. Row indices are 0-based; screens add 1 (the lecture counts from 1).
    "loss" is the mean binary cross-entropy over the full data; "objective" is what SGD
    minimises: the loss plus (lambda / 2) sum_j w_j^2 (the bias excluded), with the step's
    lambda. Without L2 the two are the same number.
    """

    step: int
    epoch: int
    batch: int
    batches_per_epoch: int
    rows: IntArray
    inputs: FloatArray  # (B, d): the features as the engine used them
    labels: FloatArray  # (B,)
    z: FloatArray  # (B,) before the update
    f: FloatArray  # (B,) before the update
    residuals: FloatArray  # (B,): f_i - y_i, computed from z (never a cancelled 0)
    sample_losses: FloatArray  # (B,)
    data_gradient: FloatArray  # (d + 1,): the mean of the terms
    l2_terms: FloatArray  # (d + 1,): lambda w_j, 0 for the bias
    gradient: FloatArray  # (d + 1,): data_gradient + l2_terms
    velocity_before: FloatArray
    velocity_after: FloatArray  # the step taken is lr * velocity_after
    hyperparams: Hyperparams
    weights_before: FloatArray
    weights_after: FloatArray
    batch_loss: float
    loss_before: float
    accuracy_before: float
    loss_after: float
    accuracy_after: float
    objective_before: float
    objective_after: float
    z_before_all: FloatArray  # (n,)
    z_after_all: FloatArray  # (n,)
    next_rows: IntArray  # the rows the next step will run
    next_hyperparams: Hyperparams
    standardized: bool
    history_length: int
    diverged_at: int | None

    @property
    def batch_size(self) -> int:
        return int(self.rows.size)

    @cached_property
    def terms(self) -> FloatArray:
        """(f_i - y_i) x_ij for every row and weight, (B, d + 1) (x = 1 for the bias): built
        when first asked for (an export), as a screen needs only the columns it shows."""
        with np.errstate(over="ignore", invalid="ignore"):
            return _read_only(
                maths.gradient_terms(maths.with_bias_column(self.inputs), self.residuals)
            )

    def terms_of(self, j: int) -> FloatArray:
        """Weight j's per-sample terms, (f_i - y_i) x_ij: the column j of `terms`, bit for bit
        (a product is exact whichever way it is taken)."""
        if "terms" in self.__dict__ or j >= self.inputs.shape[1]:
            return self.terms[:, j] if "terms" in self.__dict__ else self.residuals.copy()
        with np.errstate(over="ignore", invalid="ignore"):
            return np.asarray(self.residuals * self.inputs[:, j], dtype=np.float64)

    @cached_property
    def predictions_after(self) -> FloatArray:
        """f = sigma(z) on every row after the step (computed when first asked for: the
        screen computes f for the rows it draws only)."""
        return _read_only(maths.sigmoid(self.z_after_all))


def _read_only(array: FloatArray) -> FloatArray:
    array.flags.writeable = False
    return array


@dataclass(frozen=True, eq=False)
class EngineMessage:
    """Base of what the engine publishes; `event` is the StepEvent now at the cursor."""

    event: StepEvent


@dataclass(frozen=True, eq=False)
class Stepped(EngineMessage):
    """New steps were computed and the cursor moved onto the last of them."""

    count: int = 1


@dataclass(frozen=True, eq=False)
class Moved(EngineMessage):
    """The cursor moved within the recorded history (back, forward, jump)."""

    from_step: int = 0


@dataclass(frozen=True, eq=False)
class HyperparamsChanged(EngineMessage):
    """Hyperparameters changed at the cursor; recorded steps after it were dropped."""

    old: Hyperparams = Hyperparams()
    new: Hyperparams = Hyperparams()
    dropped_steps: int = 0


@dataclass(frozen=True, eq=False)
class Reset(EngineMessage):
    """Back to step 0: the cursor reset, or a restart with new data or initial weights."""

    restarted: bool = False


@dataclass(frozen=True, eq=False)
class Diverged(EngineMessage):
    """The next step would make a weight or the loss non-finite; the run stopped before it."""

    at_step: int = 0
    reason: str = ""


@dataclass(frozen=True, eq=False)
class Switched(EngineMessage):
    """The engine took up a kept run (a pinned one, or the steps a change dropped): data,
    initial weights, history and cursor are that run's."""


Subscriber = Callable[[EngineMessage], None]


@dataclass(frozen=True, eq=False)
class Ghost:
    """Steps dropped by a hyperparameter change: weights for steps start .. start+len-1."""

    start_step: int
    weights: FloatArray  # (k, d + 1), row i is the weights after step start_step + i
    hyperparams: Hyperparams
