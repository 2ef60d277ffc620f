"""Runs kept aside: a pinned run (A, B, C) and the future a change dropped, to compare and resume.

A Run is a frozen record of a whole timeline: the data as the engine used it (raw or
standardized), the initial weights, every recorded step with the settings each ran with (so
every change point), the settings new steps would run with, and where its cursor was. Its
history shares the engine's arrays (`History.share`): pinning copies no step, and the first
write of either side copies only what it writes over. Taking a run up again (`Engine.resume`)
goes on from exactly those numbers: bit for bit the same steps, and new ones as if it had
never been left.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from .dataset import TrainingData
from .fulldata import Evaluator
from .history import History
from .maths import FloatArray
from .params import Hyperparams

if TYPE_CHECKING:
    from .engine import Engine

# Pinned runs are named by these letters, in order: three runs on one chart still read apart.
PIN_LETTERS = ("A", "B", "C")
# Losses kept by step: a chart's few hundred points and its ghost's, with room for many moves.
LOSSES_KEPT = 8192


@dataclass(frozen=True, eq=False)
class Run:
    """One timeline, as the engine left it (see the module). Read-only for everyone: the
    engine takes it up through a History of its own (`History.share`)."""

    data: TrainingData
    initial_weights: FloatArray
    evaluator: Evaluator
    history: History
    hyperparams: Hyperparams  # what new steps at the end of its history run with
    cursor: int
    diverged_at: int | None
    divergence_reason: str
    dropped: Dropped | None  # the future its last change dropped, kept with it
    # Full-data losses by step, filled as a chart asks (a cache: the same numbers either way).
    losses: dict[int, float] = field(default_factory=dict)

    @property
    def standardized(self) -> bool:
        return self.data.standardized

    @property
    def history_length(self) -> int:
        return self.history.length

    def weight_history(self) -> FloatArray:
        """Read-only view of the weights after steps 0 .. history_length (no copy)."""
        view = self.history.weights.data[: self.history.weights.length].view()
        view.flags.writeable = False
        return view

    def hyperparams_at(self, step: int) -> Hyperparams:
        """The settings recorded step `step` ran with (step 0: those of step 1, or the next)."""
        if step == 0 and self.history_length == 0:
            return self.hyperparams
        return self.history.hyperparams_of(max(step, 1))

    def loss_at(self, steps: list[int] | np.ndarray) -> FloatArray:
        """Full-data mean loss after each of the given recorded steps, each computed once (the
        same evaluator, on the same weights, as the engine's own curve)."""
        picks = np.asarray(steps, dtype=np.int64)
        if picks.size and not (int(picks.min()) >= 0 and int(picks.max()) <= self.history_length):
            raise IndexError(f"steps must be recorded (0 .. {self.history_length})")
        weights = self.history.weights.data
        out = np.empty(picks.size)
        for i, pick in enumerate(picks.tolist()):
            loss = self.losses.get(pick)
            if loss is None:
                loss = self.losses[pick] = self.evaluator.loss(weights[pick])
            out[i] = loss
        if len(self.losses) > LOSSES_KEPT:  # as the engine's own (a long session's)
            self.losses.clear()
        return out


class Dropped(NamedTuple):
    """The timeline a change dropped: `run` parts from the live one after step `parted_at`
    (steps 0 .. parted_at are the same in both, bit for bit)."""

    parted_at: int
    run: Run

    @property
    def steps(self) -> int:
        """How many recorded steps it has past the parting."""
        return self.run.history_length - self.parted_at


class PinError(ValueError):
    """A pin command that cannot be done, in words a lecturer understands."""


class Pins:
    """Up to three pinned runs under the letters A, B, C (the first free letter is used)."""

    def __init__(self) -> None:
        self._runs: dict[str, Run] = {}

    def __len__(self) -> int:
        return len(self._runs)

    def __contains__(self, letter: object) -> bool:
        return letter in self._runs

    def __getitem__(self, letter: str) -> Run:
        return self._runs[letter]

    @property
    def letters(self) -> tuple[str, ...]:
        """The letters in use, in order."""
        return tuple(letter for letter in PIN_LETTERS if letter in self._runs)

    def items(self) -> list[tuple[str, Run]]:
        return [(letter, self._runs[letter]) for letter in self.letters]

    def pin(self, engine: Engine) -> str:
        """Keep the engine's run under the first free letter; returns the letter."""
        free = [letter for letter in PIN_LETTERS if letter not in self._runs]
        if not free:
            raise PinError(
                f"not pinned: {len(PIN_LETTERS)} runs are pinned already "
                f"({', '.join(PIN_LETTERS)}); unpin one first"
            )
        self._runs[free[0]] = engine.keep()
        return free[0]

    def restore(self, letter: str, run: Run) -> None:
        """Pin `run` under `letter` (a session opened: its pinned runs, replayed)."""
        if letter not in PIN_LETTERS:
            raise PinError(f"runs are pinned as {', '.join(PIN_LETTERS)}, not {letter}")
        self._runs[letter] = run

    def unpin(self, letter: str) -> None:
        if letter not in self._runs:
            raise PinError(f"no run is pinned as {letter}")
        del self._runs[letter]

    def switch(self, engine: Engine, letter: str) -> None:
        """Make run `letter` the live one; the run left is pinned in its place, as it was."""
        if letter not in self._runs:
            raise PinError(f"no run is pinned as {letter}")
        # Out of the pins first: the engine then holds its arrays alone and writes in place.
        run = self._runs.pop(letter)
        self._runs[letter] = engine.resume(run)
