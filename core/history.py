"""The compact history of a run: what each step needs to be rebuilt, in a few bytes a step.

Per recorded step s >= 1: the weights after it, the id of the settings it ran with, its epoch
and where its batch starts in the epoch's row order (with momentum, the velocity after it too).
Step 0 is the start: the initial weights. Everything else a screen shows is rebuilt from this.
"""

from __future__ import annotations

import math
import weakref
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .maths import FloatArray
from .params import Hyperparams


class Growable:
    """A numpy array that grows along axis 0 and can be truncated; `length` rows are used."""

    def __init__(self, width: int | None, dtype: type, capacity: int = 64) -> None:
        shape = (capacity,) if width is None else (capacity, width)
        self.data: NDArray[Any] = np.zeros(shape, dtype=dtype)
        self.length = 0

    def same_rows(self) -> Growable:
        """A second Growable over the same array (no copy; see History.share)."""
        twin = Growable.__new__(Growable)
        twin.data, twin.length = self.data, self.length
        return twin

    def own(self, capacity: int, fill: float = 0.0) -> None:
        """Take a copy of the used rows, with room for `capacity`: the old array is left to
        the histories that share it, unchanged."""
        own = _room((max(capacity, self.data.shape[0]), *self.data.shape[1:]), fill, self.data)
        own[: self.length] = self.data[: self.length]
        self.data = own

    def ensure(self, capacity: int, fill: float = 0.0) -> None:
        if capacity > self.data.shape[0]:
            # Grow by half: spare capacity stays under a third of the history's bytes.
            new_capacity = max(capacity, self.data.shape[0] * 3 // 2)
            grown = _room((new_capacity, *self.data.shape[1:]), fill, self.data)
            grown[: self.length] = self.data[: self.length]
            self.data = grown

    @property
    def nbytes(self) -> int:
        return int(self.data.nbytes)


def _room(shape: tuple[int, ...], fill: float, like: NDArray[Any]) -> NDArray[Any]:
    """A new array of `shape` holding `fill`. Zeros come from the system's zeroed pages, which
    are touched only when a step writes its row: np.full wrote the spare rows at once (at step
    216 of 100,001 weights, 86 MB; the step's stall 455 -> 286 ms, the rest being the copy of
    the rows so far into new pages)."""
    if fill == 0.0:
        return np.zeros(shape, dtype=like.dtype)
    return np.full(shape, fill, dtype=like.dtype)


class History:
    """Steps 0 .. length of one run, and the settings and epochs they ran in.

    Settings get ids in order of first use (`hp_id`), and ids never decrease along the
    history, which `hyperparam_changes` relies on.

    `share` gives a second History over the same arrays (a pinned run, a dropped future): no
    step is copied then. Whichever of them writes first copies its used rows before writing
    (copy on write), so a shared row never changes under the other; a history that no longer
    shares (the others were let go) writes in place again.
    """

    def __init__(self, initial_weights: FloatArray, hyperparams: Hyperparams, n_rows: int) -> None:
        width = initial_weights.shape[0]
        self.width = width
        self.n_rows = n_rows
        self.weights = Growable(width, np.float64)
        self.weights.data[0] = initial_weights
        self.hp_index = Growable(None, np.int32)
        self.epoch = Growable(None, np.int32)
        self.offset = Growable(None, np.int32)
        self._columns = (self.weights, self.hp_index, self.epoch, self.offset)
        for column in self._columns:
            column.length = 1  # index 0 is step 0: no settings, epoch or batch of its own
        # With momentum: the velocity after each step, NaN where the step ran without it.
        self.velocity: Growable | None = None
        self.epoch_first_step: list[int] = [0]  # epoch e (1-based) starts at this step
        self.hp_table: list[Hyperparams] = [hyperparams]
        # The histories that read these column arrays, this one included (weak: a history let
        # go no longer counts, and its sharer writes in place again).
        self._sharers: weakref.WeakSet[History] = weakref.WeakSet([self])

    def share(self) -> History:
        """A History of the same steps over the same arrays, none copied (see the class)."""
        twin = History.__new__(History)
        twin.width, twin.n_rows = self.width, self.n_rows
        twin.weights, twin.hp_index, twin.epoch, twin.offset = (
            column.same_rows() for column in self._columns
        )
        twin._columns = (twin.weights, twin.hp_index, twin.epoch, twin.offset)
        twin.velocity = None if self.velocity is None else self.velocity.same_rows()
        # O(epochs + settings) small lists, not the steps: each history appends its own.
        twin.epoch_first_step = list(self.epoch_first_step)
        twin.hp_table = list(self.hp_table)
        twin._sharers = self._sharers
        self._sharers.add(twin)
        return twin

    @property
    def shared(self) -> bool:
        """Another history reads these arrays: a write copies them first."""
        return len(self._sharers) > 1

    def _own(self, capacity: int) -> None:
        """Before a write: copy the arrays if another history reads them."""
        if not self.shared:
            return
        for column in self._columns:
            column.own(capacity)
        if self.velocity is not None:
            self.velocity.own(capacity, fill=math.nan)
        self._sharers.discard(self)
        self._sharers = weakref.WeakSet([self])

    # ------------------------------------------------------------------ reading

    @property
    def length(self) -> int:
        """The number of recorded steps."""
        return self.weights.length - 1

    def weights_after(self, step: int) -> FloatArray:
        """A copy of the weights after `step` (the initial weights for step 0)."""
        return np.array(self.weights.data[step])

    def hyperparams_of(self, step: int) -> Hyperparams:
        """The settings recorded step `step` ran with (step 0: the first ones)."""
        return self.hp_table[int(self.hp_index.data[step]) if step else 0]

    def epoch_of(self, step: int) -> int:
        return int(self.epoch.data[step])

    def offset_of(self, step: int) -> int:
        return int(self.offset.data[step])

    def size_of(self, step: int) -> int:
        """The number of rows step `step` ran on (an epoch's last batch may be short)."""
        return min(self.hyperparams_of(step).batch_size, self.n_rows - self.offset_of(step))

    def end_of(self, step: int) -> int:
        """Where step `step`'s batch ends in its epoch's order."""
        return self.offset_of(step) + self.size_of(step)

    def ends_epoch(self, step: int) -> bool:
        return step > 0 and self.end_of(step) >= self.n_rows

    def ends_epochs(self, first: int, last: int) -> NDArray[np.bool_]:
        """`ends_epoch` of steps first .. last (>= 1), in one pass: a batch ends its epoch
        when it starts fewer than a batch size of rows before the end of the order."""
        sizes = np.array([hp.batch_size for hp in self.hp_table])
        picks = slice(first, last + 1)
        return np.asarray(self.offset.data[picks] + sizes[self.hp_index.data[picks]] >= self.n_rows)

    def position_after(self, step: int) -> tuple[int, int]:
        """(epoch, offset) of the batch that follows `step`."""
        if step == 0:
            return 1, 0
        epoch = self.epoch_of(step)
        return (epoch + 1, 0) if self.ends_epoch(step) else (epoch, self.end_of(step))

    def order_hyperparams(self, epoch: int, offset: int, next_hp: Hyperparams) -> Hyperparams:
        """Whose shuffle and seed fix an epoch's order: those in force when its first batch ran
        (`next_hp` if the batch at `offset` starts the epoch)."""
        if offset == 0 or epoch >= len(self.epoch_first_step):
            return next_hp
        return self.hyperparams_of(self.epoch_first_step[epoch])

    def velocity_after(self, step: int) -> FloatArray | None:
        """The momentum buffer after `step`; None where the step ran without momentum."""
        if step == 0:
            return np.zeros(self.width)
        if self.velocity is None or math.isnan(self.velocity.data[step, 0]):
            return None
        return np.array(self.velocity.data[step])

    def epoch_boundaries(self) -> list[int]:
        """Recorded steps after which an epoch is complete (step 0 included)."""
        first = self.epoch_first_step
        ends = [0] + [first[e + 1] - 1 for e in range(1, len(first) - 1)]
        if len(first) > 1 and self.ends_epoch(self.length):
            ends.append(self.length)
        return ends

    @property
    def epochs_started(self) -> int:
        """How many epochs have a recorded step (O(1), unlike listing their boundaries)."""
        return len(self.epoch_first_step) - 1

    def hyperparam_changes(self) -> list[int]:
        """Steps s >= 2 whose settings differ from those of step s - 1.

        O(k log T) for k settings, not a scan of the T steps: ids never decrease along the
        history (a new setting gets the next id; after a change drops the future, the run
        goes on with the newest id), so each id's first step is a binary search.
        """
        idx = self.hp_index.data[1 : self.weights.length]
        if not idx.size:
            return []
        ids = np.arange(int(idx[0]) + 1, int(idx[-1]) + 1, dtype=idx.dtype)
        firsts = np.searchsorted(idx, ids)
        return [int(p) + 1 for p, i in zip(firsts, ids, strict=True) if idx[p] == i]

    @property
    def nbytes(self) -> int:
        """Bytes held (every column, spare capacity included)."""
        total = sum(column.nbytes for column in self._columns)
        return total + (self.velocity.nbytes if self.velocity is not None else 0)

    # ------------------------------------------------------------------ writing

    def hp_id(self, hp: Hyperparams) -> int:
        """The id new steps at the end of the history record for their settings `hp`.

        The last recorded step's id if its settings are these (settings changed and changed
        back before a step ran are no change), else the newest id or a new one.
        """
        last = self.length
        if last and self.hyperparams_of(last) == hp:
            return int(self.hp_index.data[last])
        if self.hp_table[-1] != hp:
            self.hp_table.append(hp)
        return len(self.hp_table) - 1

    def reserve(self, steps: int, momentum: bool) -> None:
        """Room for `steps` more steps (and their velocities, with momentum or once used)."""
        needed = self.weights.length + steps
        self._own(needed)
        for column in self._columns:
            column.ensure(needed)
        if momentum and self.velocity is None:
            self.velocity = Growable(self.width, np.float64, self.weights.data.shape[0])
            self.velocity.data[:] = np.nan
            self.velocity.data[0] = 0.0
            self.velocity.length = self.weights.length
        if self.velocity is not None:
            self.velocity.ensure(needed, fill=math.nan)

    def record(
        self,
        last_step: int,
        weights: list[list[float]] | list[FloatArray],
        velocities: list[list[float]] | list[FloatArray],
        hp_id: int,
        epoch: int,
        first_offset: int,
    ) -> None:
        """Record the steps ending at `last_step`: consecutive batches of one epoch, the first
        at `first_offset` in its order, all with the settings `hp_id` (room reserved).

        `velocities` is empty when momentum is off (the history then holds NaN there).
        """
        count = len(weights)
        if not count:
            return
        self._own(last_step + 1)
        steps: int | slice
        rows: Any  # one step's weights, or a block's
        offsets: int | NDArray[Any]
        if count == 1:
            # Item writes cost half as much as slices, and runs that stop at every step (the
            # end of an epoch, a cancel) record one step at a time.
            steps, rows, offsets = last_step, weights[0], first_offset
            new_velocity: Any = velocities[0] if velocities else math.nan
        else:
            steps, rows = slice(last_step - count + 1, last_step + 1), weights
            batch_size = self.hp_table[hp_id].batch_size
            offsets = np.arange(first_offset, first_offset + count * batch_size, batch_size)
            new_velocity = velocities if velocities else math.nan
        self.weights.data[steps] = rows
        self.hp_index.data[steps] = hp_id
        self.epoch.data[steps] = epoch
        self.offset.data[steps] = offsets
        if self.velocity is not None:
            self.velocity.data[steps] = new_velocity
        self._set_length(last_step + 1)

    def truncate(self, step: int) -> None:
        """Forget the steps after `step`."""
        self._set_length(min(self.weights.length, step + 1))
        while len(self.epoch_first_step) > 1 and self.epoch_first_step[-1] > step:
            self.epoch_first_step.pop()

    def _set_length(self, length: int) -> None:
        for column in self._columns:
            column.length = length
        if self.velocity is not None:
            self.velocity.length = length
