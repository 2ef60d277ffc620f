"""Full-data figures of a set of weights (z on every row, mean loss, accuracy), kept for reuse.

Each costs O(n d), the one part of showing a step that grows with the data. A step forward or
back shares one set of weights with the event it leaves (this step's "before" is the last
step's "after"), so the last two are kept whole. (The losses a drawn curve asks for again on
every key are kept by the engine, by step: a key of a weights row would be d floats long.)
"""

from __future__ import annotations

from collections import OrderedDict
from typing import NamedTuple

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
        self._recent: OrderedDict[bytes, FullData] = OrderedDict()

    def of(self, weights: FloatArray) -> FullData:
        """z, mean loss and accuracy on all rows."""
        key = weights.tobytes()
        found = self._recent.get(key)
        if found is not None:
            self._recent.move_to_end(key)
            return found
        z = maths.logits(self.data.xb, weights)
        z.flags.writeable = False
        data = self.data
        found = FullData(
            z, maths.mean_loss(z, data.labels, data.signs), maths.accuracy(z, data.labels)
        )
        self._recent[key] = found
        if len(self._recent) > RECENT_KEPT:
            self._recent.popitem(last=False)
        return found

    def loss(self, weights: FloatArray) -> float:
        """The full-data mean loss of these weights (one O(n d) pass, unless kept whole)."""
        found = self._recent.get(weights.tobytes())
        if found is not None:
            return found.loss
        z = maths.logits(self.data.xb, weights)
        return maths.mean_loss(z, self.data.labels, self.data.signs)

    def clear(self) -> None:
        """Forget every kept figure (benchmarks time the computation itself)."""
        self._recent.clear()
