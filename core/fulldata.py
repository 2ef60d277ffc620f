"""Full-data figures of a set of weights (z on every row, mean loss, accuracy), kept for reuse.

Each costs O(n d), the one part of showing a step that grows with the data. A step forward or
back shares one set of weights with the event it leaves (this step's "before" is the last
step's "after"), so the last two are kept whole; a drawn loss curve asks for the same few
hundred steps again on every key, so their losses are kept too.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import NamedTuple

import numpy as np

from . import maths
from .dataset import TrainingData
from .maths import FloatArray

RECENT_KEPT = 2
# Losses kept for curves: a chart draws a few hundred points, a ghost as many again.
LOSSES_KEPT = 4096


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
        self._losses: OrderedDict[bytes, float] = OrderedDict()

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
        self._keep_loss(key, found.loss)
        return found

    def losses(self, weights: FloatArray) -> FloatArray:
        """The full-data mean loss for each row of a (k, d + 1) weights array."""
        out = np.empty(weights.shape[0])
        for i, row in enumerate(weights):
            key = row.tobytes()
            loss = self._losses.get(key)
            if loss is None:
                z = maths.logits(self.data.xb, row)
                loss = maths.mean_loss(z, self.data.labels, self.data.signs)
                self._keep_loss(key, loss)
            else:
                self._losses.move_to_end(key)
            out[i] = loss
        return out

    def clear(self) -> None:
        """Forget every kept figure (benchmarks time the computation itself)."""
        self._recent.clear()
        self._losses.clear()

    def _keep_loss(self, key: bytes, loss: float) -> None:
        self._losses[key] = loss
        if len(self._losses) > LOSSES_KEPT:
            self._losses.popitem(last=False)
