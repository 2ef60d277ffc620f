"""Run until: the conditions a forward run stops at, checked a block of recorded steps at a time.

A condition is checked on the steps after the cursor, in order, and the run stops at the first
step where it holds. "Holds" is decided on exactly what the engine shows for that step (the
StepEvent's loss_after, accuracy_after and z_after_all, which `fulldata.Evaluator` computes):

- a prediction flips: the predicted class (z >= 0) of a row after the step differs from the
  class after the step before (one chosen row, or any row);
- the full-data loss goes below a value: loss_after < value;
- accuracy reaches a value, in percent as the status line writes it: accuracy_after >= value/100;
- a weight changes sign: sign(w_j) after the step differs from sign(w_j) before it (0 has a sign
  of its own);
- the run diverges, the end of an epoch, N steps.

A step-by-step check would rebuild a StepEvent (or at least the O(n d) figures) in Python per
step. Here a block of steps is screened in numpy, z = W X^T for all its weights at once, and
only the steps that the screen cannot rule out are computed again exactly, by the Evaluator:
a matrix product sums in another order than the engine's w . x, so each screened z is trusted
only beyond a bound on the difference (2 gamma_(d+1) sum_j |w_j| max_i |x_ij|, doubled).
The weight and epoch conditions read the recorded weights and epochs, and need no screen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, NamedTuple

import numpy as np
from numpy.typing import NDArray

from . import maths
from .dataset import TrainingData
from .formatting import fmt, fmt_data
from .fulldata import Evaluator
from .maths import FloatArray
from .params import SettingError, weight_index
from .text import quoted, read_number, read_whole

# A search goes at most this many steps on from the cursor.
LIMIT = 1_000_000
# Steps computed and checked at a time: a numpy call's overhead is shared by this many steps,
# and a cancel is seen within a block (a few milliseconds on the seed lecture).
BLOCK_STEPS = 4096
# A block's z on every row holds at most about this many numbers (8 MB), whatever the rows.
BLOCK_VALUES = 1 << 20
# Accuracy below 1% is almost surely a fraction typed for a percentage (0.9 for 90%).
ACCURACY_MIN_PERCENT = 1.0

BoolArray = NDArray[np.bool_]


# ---------------------------------------------------------------------- the conditions


@dataclass(frozen=True)
class Flip:
    """The predicted class of row `row` (0-based; None: of any row) changes."""

    row: int | None = None

    def clause(self) -> str:
        return "a prediction flips" if self.row is None else f"row {self.row + 1}'s class flips"

    def never(self) -> str:
        return "no prediction flipped" if self.row is None else f"row {self.row + 1} never flipped"


@dataclass(frozen=True)
class LossBelow:
    """The full-data loss after the step is below `value`."""

    value: float

    def clause(self) -> str:
        return f"the full-data loss goes below {fmt_data(self.value)}"

    def never(self) -> str:
        return f"the full-data loss never went below {fmt_data(self.value)}"


@dataclass(frozen=True)
class AccuracyReaches:
    """The accuracy after the step is at least `percent` % (as the status line writes it)."""

    percent: float

    def clause(self) -> str:
        return f"accuracy reaches {fmt_data(self.percent)}%"

    def never(self) -> str:
        return f"accuracy never reached {fmt_data(self.percent)}%"


@dataclass(frozen=True)
class SignChange:
    """Weight `weight` (0-based; the last is the bias) has another sign than before the step."""

    weight: int

    def clause(self) -> str:
        return f"w{self.weight} changes sign"

    def never(self) -> str:
        return f"w{self.weight} never changed sign"


@dataclass(frozen=True)
class Diverges:
    """The run cannot go on: the next step would make a weight or the loss non-finite."""

    def clause(self) -> str:
        return "the run diverges"

    def never(self) -> str:
        return "the run did not diverge"


@dataclass(frozen=True)
class EpochEnd:
    """The step completes its epoch."""

    def clause(self) -> str:
        return "the end of the epoch"

    def never(self) -> str:
        return "no epoch ended"


@dataclass(frozen=True)
class Steps:
    """`count` steps on from where the run started."""

    count: int

    def clause(self) -> str:
        return f"{self.count} steps on"

    def never(self) -> str:
        return f"{self.count} steps were not run"


Condition = Flip | LossBelow | AccuracyReaches | SignChange | Diverges | EpochEnd | Steps


# ---------------------------------------------------------------------- reading typed values


def read_condition(kind: str, text: str, n_rows: int, n_weights: int) -> Condition:
    """The condition of `kind` ("flip", "loss", "accuracy", "sign", "diverge", "epoch",
    "steps") with its value as typed; SettingError (setting=kind) saying why not."""
    reader = _READERS.get(kind)
    if reader is None:
        raise SettingError(f"no such condition: {quoted(kind)}", kind)
    return reader(text.strip(), n_rows, n_weights)


def _read_flip(text: str, n_rows: int, _n_weights: int) -> Condition:
    if not text or text.lower() == "any":
        return Flip(None)
    row = read_whole(text)
    if row is None or not 1 <= row <= n_rows:
        raise SettingError(
            f"row must be a row number from 1 to {n_rows}, or empty for any row, "
            f"got {quoted(text)}",
            "flip",
        )
    return Flip(row - 1)


def _read_loss(text: str, _n_rows: int, _n_weights: int) -> Condition:
    number = read_number(text)
    if number is None:
        raise SettingError(f"loss must be a number, got {quoted(text)}", "loss")
    if not np.isfinite(number):
        raise SettingError(f"loss must be a finite number, got {quoted(text)}", "loss")
    if number <= 0:  # a mean cross-entropy is never below 0
        raise SettingError(f"loss must be greater than 0, got {fmt_data(number)}", "loss")
    return LossBelow(number)


def _read_accuracy(text: str, _n_rows: int, _n_weights: int) -> Condition:
    number = read_number(text.removesuffix("%"))
    if number is None or not np.isfinite(number):
        raise SettingError(f"accuracy must be a number of percent, got {quoted(text)}", "accuracy")
    if not ACCURACY_MIN_PERCENT <= number <= 100:
        raise SettingError(
            "accuracy must be a percentage from 1 to 100 (type 90 for 90%), "
            f"got {fmt_data(number)}",
            "accuracy",
        )
    return AccuracyReaches(number)


def _read_sign(text: str, _n_rows: int, n_weights: int) -> Condition:
    return SignChange(weight_index(text, n_weights, "sign"))


def _read_steps(text: str, _n_rows: int, _n_weights: int) -> Condition:
    count = read_whole(text)
    if count is None:
        raise SettingError(f"number of steps must be a whole number, got {quoted(text)}", "steps")
    if not 1 <= count <= LIMIT:
        raise SettingError(f"number of steps must be between 1 and {LIMIT}, got {count}", "steps")
    return Steps(count)


_READERS: dict[str, Callable[[str, int, int], Condition]] = {
    "flip": _read_flip,
    "loss": _read_loss,
    "accuracy": _read_accuracy,
    "sign": _read_sign,
    "diverge": lambda _text, _n, _d: Diverges(),
    "epoch": lambda _text, _n, _d: EpochEnd(),
    "steps": _read_steps,
}
KINDS = tuple(_READERS)


# ---------------------------------------------------------------------- checking a block


class Block(NamedTuple):
    """Recorded steps first .. first + k - 1, as the search checks them."""

    first: int
    before: FloatArray  # (d + 1,): the weights after step first - 1
    weights: FloatArray  # (k, d + 1): the weights after each step
    ends_epoch: BoolArray  # (k,): the step completes its epoch
    epochs: NDArray[np.int32]  # (k,): the step's epoch (1-based)


class Hit(NamedTuple):
    """The step where the condition held, and what held there (for the notice)."""

    step: int
    what: str


Kind = Literal["held", "limit", "diverged", "cancelled"]


@dataclass(frozen=True)
class Outcome:
    """How a search ended: where the cursor is, and why there."""

    condition: Condition
    kind: Kind
    step: int
    what: str = ""  # what held (kind "held"), or why the run diverged (kind "diverged")

    @property
    def notice(self) -> str:
        """One line for the lecturer: which condition stopped the run, at which step."""
        if self.kind == "held":
            return f"stopped at step {self.step}: {self.what}"
        if self.kind == "limit":
            return (
                f"stopped at step {self.step}, the limit of {LIMIT:,} steps on: "
                f"{self.condition.never()}"
            )
        if self.kind == "diverged":
            return (
                f"stopped at step {self.step}: diverged at step {self.step + 1} ({self.what}); "
                f"{self.condition.never()}"
            )
        return f"cancelled at step {self.step}: {self.condition.never()} up to there"


class Search:
    """One run-until search from step `start`: the condition, the data, and the exact figures
    of an Evaluator of its own (the engine's code, not the engine's cache)."""

    def __init__(self, condition: Condition, data: TrainingData, start: int) -> None:
        self.condition = condition
        self.data = data
        self.start = start
        self.exact = Evaluator(data)
        steps = condition.count if isinstance(condition, Steps) else LIMIT
        self.end = start + min(steps, LIMIT)
        width = data.width
        gamma = width * _UNIT_ROUNDOFF / (1 - width * _UNIT_ROUNDOFF)
        self._slack = 4 * gamma  # two computations' error bounds, doubled for margin
        self._labels_one = data.labels == 1.0
        needs_z = isinstance(condition, Flip | LossBelow | AccuracyReaches)
        self.block_steps = (
            max(1, min(BLOCK_STEPS, BLOCK_VALUES // data.n_rows)) if needs_z else BLOCK_STEPS
        )

    def outcome(self, kind: Kind, step: int, what: str = "") -> Outcome:
        if kind == "diverged" and isinstance(self.condition, Diverges):
            return Outcome(
                self.condition, "held", step, f"the run diverged at step {step + 1} ({what})"
            )
        return Outcome(self.condition, kind, step, what)

    def first_hit(self, block: Block) -> Hit | None:
        """The first step of the block where the condition holds, or None."""
        condition = self.condition
        if isinstance(condition, Flip):
            return self._flip_hit(condition, block)
        if isinstance(condition, LossBelow):
            return self._loss_hit(condition, block)
        if isinstance(condition, AccuracyReaches):
            return self._accuracy_hit(condition, block)
        if isinstance(condition, SignChange):
            return _sign_hit(condition, block)
        if isinstance(condition, EpochEnd):
            return _epoch_hit(block)
        if isinstance(condition, Steps):
            last = block.first + len(block.weights) - 1
            return Hit(self.end, f"{condition.count} steps run") if last >= self.end else None
        return None  # Diverges: the engine's run stops there by itself

    # ------------------------------------------------------------------ the screen

    def _screen(self, weights: FloatArray) -> tuple[FloatArray, FloatArray]:
        """z of every row after each step, (k, n), and how far each step's z may be from the
        engine's own: z is exactly on the side it shows where |z| exceeds it."""
        with np.errstate(all="ignore"):
            z = weights @ self.data.xb.T
            slack = self._slack * (np.abs(weights) @ self.data.abs_max)
        return z, slack

    def _figures(self, block: Block, index: int) -> tuple[FloatArray, float, float]:
        """The exact z on every row, loss and accuracy after step block.first + index (index
        -1: the step before the block), as the StepEvent of that step has them."""
        weights = block.before if index < 0 else block.weights[index]
        figures = self.exact.of(np.array(weights))  # a fresh copy, as the engine's events use
        return figures.z, figures.loss, figures.accuracy

    def _flip_hit(self, condition: Flip, block: Block) -> Hit | None:
        z, slack = self._screen(block.weights)
        columns = slice(None) if condition.row is None else slice(condition.row, condition.row + 1)
        z = z[:, columns]
        classes = z >= 0.0
        unsure = np.abs(z) <= slack[:, None]
        before = maths.predicted_class(self._figures(block, -1)[0])[columns]
        previous = np.vstack([before[None, :], classes[:-1]])
        previous_unsure = np.vstack([np.zeros_like(before)[None, :], unsure[:-1]])
        maybe = ((classes != previous) | unsure | previous_unsure).any(axis=1)
        for index in np.flatnonzero(maybe).tolist():
            z_was = self._figures(block, index - 1)[0][columns]
            was = maths.predicted_class(z_was)
            flipped = np.flatnonzero(maths.flipped(z_was, self._figures(block, index)[0][columns]))
            if flipped.size:
                return Hit(block.first + index, _flipped(flipped, columns, was))
        return None

    def _loss_hit(self, condition: LossBelow, block: Block) -> Hit | None:
        z, slack = self._screen(block.weights)
        with np.errstate(all="ignore"):
            losses = maths.sample_losses(z, self.data.labels, self.data.signs).mean(axis=1)
            # softplus is 1-Lipschitz: a loss moves at most by the slack of its z; the rest is
            # the rounding of the exponentials and of the mean.
            maybe = losses - slack - _RELATIVE_SLACK * losses < condition.value
        for index in np.flatnonzero(maybe).tolist():
            loss = self._figures(block, index)[1]
            if loss < condition.value:
                return Hit(
                    block.first + index,
                    f"the full-data loss {fmt(loss)} went below {fmt_data(condition.value)}",
                )
        return None

    def _accuracy_hit(self, condition: AccuracyReaches, block: Block) -> Hit | None:
        z, slack = self._screen(block.weights)
        unsure = np.abs(z) <= slack[:, None]
        right = ((z >= 0.0) == self._labels_one) | unsure
        target = condition.percent / 100
        # At most this share of rows is right: the rows whose class is unsure counted right.
        maybe = right.sum(axis=1) / self.data.n_rows >= target * (1 - _RELATIVE_SLACK)
        for index in np.flatnonzero(maybe).tolist():
            accuracy = self._figures(block, index)[2]
            if accuracy >= target:
                return Hit(
                    block.first + index,
                    f"accuracy reached {fmt(100 * accuracy)}% "
                    f"(at least {fmt_data(condition.percent)}%)",
                )
        return None


# The unit roundoff of float64, 2^-53.
_UNIT_ROUNDOFF = float(np.finfo(np.float64).eps) / 2
# Room for the rounding of a loss or a share beyond that of z (far above what it can be).
_RELATIVE_SLACK = 1e-9


def _flipped(rows: NDArray[np.intp], columns: slice, was: BoolArray) -> str:
    """ "row 3's class flipped (0 → 1)", and how many more rows flipped at the same step."""
    first = int(rows[0])
    row = first + (columns.start or 0)
    old = int(was[first])
    more = rows.size - 1
    also = "" if not more else f", and {more} more row" + ("s" if more > 1 else "")
    return f"row {row + 1}'s class flipped ({old} → {1 - old}){also}"


def _sign_hit(condition: SignChange, block: Block) -> Hit | None:
    j = condition.weight
    signs = np.sign(block.weights[:, j])
    previous = np.concatenate([[np.sign(block.before[j])], signs[:-1]])
    changed = np.flatnonzero(signs != previous)
    if not changed.size:
        return None
    index = int(changed[0])
    old = block.before[j] if index == 0 else block.weights[index - 1, j]
    new = block.weights[index, j]
    return Hit(block.first + index, f"w{j} changed sign ({fmt(old)} → {fmt(new)})")


def _epoch_hit(block: Block) -> Hit | None:
    ends = np.flatnonzero(block.ends_epoch)
    if not ends.size:
        return None
    index = int(ends[0])
    return Hit(block.first + index, f"the end of epoch {int(block.epochs[index])}")
