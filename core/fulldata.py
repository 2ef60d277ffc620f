"""Full-data figures of a set of weights (z on every row, mean loss, accuracy), kept for reuse.

Each costs O(n d), the one part of showing a step that grows with the data. A step forward or
back shares one set of weights with the event it leaves (this step's "before" is the last
step's "after"), so the last two are kept whole. (The losses a drawn curve asks for again on
every key are kept by the engine, by step: a key of a weights row would be d floats long.)

A kept figure is found by comparing its weights with the ones asked for, bit for bit, in one
numpy call: at 100,000 weights a bytes key cost a copy and a hash of 800 KB on every lookup.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import maths
from .dataset import TrainingData
from .maths import FloatArray

RECENT_KEPT = 2


class FullData(NamedTuple):
    """What one set of weights gives on every row of the data."""

    z: FloatArray
    loss: float
    accuracy: float


class Evaluator:
    """Full-data figures for the weights of one training dataset."""

    def __init__(self, data: TrainingData) -> None:
        self.data = data
        # Oldest first: the weights (a copy: a history row is written again after a
        # truncation) and their figures.
        self._recent: list[tuple[FloatArray, FullData]] = []

    def _kept(self, weights: FloatArray) -> int | None:
        """The index in `_recent` of these weights' figures, if kept."""
        for i, (kept, _) in enumerate(self._recent):
            if same_bits(kept, weights):
                return i
        return None

    def of(self, weights: FloatArray) -> FullData:
        """z, mean loss and accuracy on all rows."""
        i = self._kept(weights)
        if i is not None:
            self._recent.append(self._recent.pop(i))
            return self._recent[-1][1]
        z = maths.logits(self.data.xb, weights)
        z.flags.writeable = False
        data = self.data
        found = FullData(
            z, maths.mean_loss(z, data.labels, data.signs), maths.accuracy(z, data.labels)
        )
        self._recent.append((np.array(weights, dtype=np.float64), found))
        if len(self._recent) > RECENT_KEPT:
            del self._recent[0]
        return found

    def loss(self, weights: FloatArray) -> float:
        """The full-data mean loss of these weights (one O(n d) pass, unless kept whole)."""
        i = self._kept(weights)
        if i is not None:
            return self._recent[i][1].loss
        z = maths.logits(self.data.xb, weights)
        return maths.mean_loss(z, self.data.labels, self.data.signs)

    def clear(self) -> None:
        """Forget every kept figure (benchmarks time the computation itself)."""
        self._recent.clear()


def same_bits(a: FloatArray, b: FloatArray) -> bool:
    """The same float64 values bit for bit (0.0 and -0.0 differ, a NaN equals itself): what
    comparing the arrays' bytes says, without copying them."""
    if a.shape != b.shape:
        return False
    # The first weights differ in almost every miss: one element decides before d do.
    if a.size and a[0].tobytes() != b[0].tobytes():
        return False
    return bool(np.array_equal(a.view(np.int64), b.view(np.int64)))
