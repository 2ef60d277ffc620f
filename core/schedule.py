"""The epoch schedule: each epoch's row order, and the rows of a batch in it.

Without shuffle every epoch runs the rows in order. With shuffle, epoch e runs the permutation
drawn from a generator seeded with [seed, e]: the same seed gives the same run, and an epoch's
order does not depend on how the run got there.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.int64]

# Orders kept: the epoch being run, the one a step back lands in, and a couple more.
ORDERS_KEPT = 4


class Schedule:
    """Row orders of the epochs of a dataset of `n_rows` rows (the last few are kept)."""

    def __init__(self, n_rows: int) -> None:
        self.n_rows = n_rows
        self._orders: OrderedDict[tuple[int, int], IntArray] = OrderedDict()

    def order(self, epoch: int, shuffle: bool, seed: int) -> IntArray | None:
        """Epoch `epoch`'s row order: None for the rows in order, else a permutation."""
        if not shuffle:
            return None
        key = (seed, epoch)
        order = self._orders.get(key)
        if order is None:
            order = np.random.default_rng([seed, epoch]).permutation(self.n_rows)
            order.flags.writeable = False
            self._orders[key] = order
            if len(self._orders) > ORDERS_KEPT:
                self._orders.popitem(last=False)
        else:
            self._orders.move_to_end(key)
        return order

    def rows(self, epoch: int, offset: int, size: int, shuffle: bool, seed: int) -> IntArray:
        """The `size` rows that start at `offset` in epoch `epoch`'s order (0-based)."""
        order = self.order(epoch, shuffle, seed)
        if order is None:
            return np.arange(offset, offset + size, dtype=np.int64)
        return np.asarray(order[offset : offset + size], dtype=np.int64)
