"""The SGD timeline: steps, time travel, live hyperparameters, and the events it publishes.

One step runs one mini-batch:

    z_i = w . x_i,   f_i = sigma(z_i),   g_j = mean_i (f_i - y_i) x_ij  (+ lambda w_j, not the bias)
    v <- mu v + g   (momentum; with mu = 0 this is v = g)
    w <- w - lr v

The history is compact: the weights after every step and, per step, the index of the
hyperparameters it ran with, its epoch and where its batch starts in the epoch's row order.
A StepEvent with everything a screen shows is rebuilt from that on demand, in O(B d) plus the
O(n d) full-data figures of the one step shown, however long the history is.
"""

from __future__ import annotations

import bisect
import math
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from . import maths
from .dataset import Dataset, standardize
from .maths import FloatArray
from .params import Hyperparams, SettingError, validate_initial_weights

IntArray = NDArray[np.int64]

# Below this many multiply-adds per batch, plain Python floats beat numpy's per-call overhead.
# The choice is made from the batch's shape only, so a step and its rebuilt event always take
# the same path and agree bit for bit.
SCALAR_PATH_MAX_TERMS = 24


def _frozen(array: NDArray[Any]) -> NDArray[Any]:
    array.flags.writeable = False
    return array


@dataclass(frozen=True, eq=False)
class StepEvent:
    """Everything the screen shows for one step; nothing is left to recompute.

    Step 0 is the start: no batch (empty arrays), weights_before == weights_after.
    Arrays are read-only. Row indices are 0-based; screens add 1 (the lecture counts from 1).
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
    sample_losses: FloatArray  # (B,)
    terms: FloatArray  # (B, d + 1): (f_i - y_i) x_ij
    data_gradient: FloatArray  # (d + 1,): mean of terms
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
    z_before_all: FloatArray  # (n,)
    predictions_before: FloatArray  # (n,)
    z_after_all: FloatArray  # (n,)
    predictions_after: FloatArray  # (n,)
    next_rows: IntArray  # the rows the next step will run
    next_hyperparams: Hyperparams
    standardized: bool
    history_length: int
    diverged_at: int | None

    @property
    def batch_size(self) -> int:
        return int(self.rows.size)


# ---------------------------------------------------------------------------- engine events


class _FullData(NamedTuple):
    """What one set of weights gives on every row of the data."""

    z: FloatArray
    f: FloatArray
    loss: float
    accuracy: float


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


Subscriber = Callable[[EngineMessage], None]


@dataclass(frozen=True, eq=False)
class Ghost:
    """Steps dropped by a hyperparameter change: weights for steps start .. start+len-1."""

    start_step: int
    weights: FloatArray  # (k, d + 1), row i is the weights after step start_step + i
    hyperparams: Hyperparams


class _Growable:
    """A numpy array that grows by doubling along axis 0 and can be truncated."""

    def __init__(self, width: int | None, dtype: type, capacity: int = 64) -> None:
        shape = (capacity,) if width is None else (capacity, width)
        self.data: NDArray[Any] = np.zeros(shape, dtype=dtype)
        self.length = 0

    def ensure(self, capacity: int) -> None:
        if capacity > self.data.shape[0]:
            # Grow by half: spare capacity stays under a third of the history's bytes.
            new_capacity = max(capacity, self.data.shape[0] * 3 // 2)
            grown = np.zeros((new_capacity, *self.data.shape[1:]), dtype=self.data.dtype)
            grown[: self.length] = self.data[: self.length]
            self.data = grown

    @property
    def nbytes(self) -> int:
        return int(self.data.nbytes)


class Engine:
    """Mini-batch SGD of one sigmoid neuron on a dataset, as a timeline with a cursor.

    Subscribers receive an EngineMessage after every change; the engine never raises into
    them for numerical trouble (it stops at the last finite state and publishes Diverged).
    Setting changes are validated first and raise SettingError, leaving the state untouched.
    """

    def __init__(
        self,
        dataset: Dataset,
        hyperparams: Hyperparams | None = None,
        initial_weights: FloatArray | list[float] | tuple[float, ...] | None = None,
        standardized: bool = False,
    ) -> None:
        self._subscribers: list[Subscriber] = []
        self._orders: OrderedDict[tuple[int, int], IntArray] = OrderedDict()
        # Full-data figures of the last two weights: a step's "before" is the last one's "after".
        self._full_data: OrderedDict[bytes, _FullData] = OrderedDict()
        self._setup(dataset, hyperparams, initial_weights, standardized)

    # ------------------------------------------------------------------ setup and restart

    def _setup(
        self,
        dataset: Dataset,
        hyperparams: Hyperparams | None,
        initial_weights: FloatArray | list[float] | tuple[float, ...] | None,
        standardized: bool,
    ) -> None:
        hp = (hyperparams or dataset.hyperparams).validated(dataset.n_rows)
        init = validate_initial_weights(
            dataset.default_initial_weights() if initial_weights is None else initial_weights,
            dataset.n_features,
        )
        if standardized:
            x, mean, std = standardize(dataset.features)
        else:
            x, mean, std = (
                dataset.features,
                np.zeros(dataset.n_features),
                np.ones(dataset.n_features),
            )
        inputs = _frozen(np.ascontiguousarray(x, dtype=np.float64))
        xb = _frozen(maths.with_bias_column(inputs))
        # Everything is checked before anything is changed: a rejected setup leaves the engine
        # as it was. The run never holds a non-finite loss, so neither may its start.
        with np.errstate(all="ignore"):
            if not bool(np.isfinite(inputs).all()):
                raise SettingError(
                    "standardizing made a feature non-finite; use the raw features",
                    setting="standardized",
                )
            if not bool(np.isfinite(xb @ init).all()):
                raise SettingError(
                    "initial weights make z = w.x overflow on this data (the loss would be "
                    "infinite); choose smaller initial weights",
                    setting="initial_weights",
                )
        self.feature_mean, self.feature_std = mean, std
        self.dataset = dataset
        self.standardized = bool(standardized)
        self.inputs: FloatArray = inputs
        self._xb: FloatArray = xb
        self._y: FloatArray = dataset.labels
        self._n = dataset.n_rows
        self._width = dataset.n_features + 1
        with np.errstate(over="ignore", invalid="ignore"):
            self._abs_max: FloatArray = np.abs(self._xb).max(axis=0)
        self._labels_as_list: list[float] = [float(v) for v in self._y]
        self._label_signs = maths.label_signs(self._y)
        self._full_data.clear()
        self.initial_weights: FloatArray = init
        self._orders.clear()
        self._clear_history(hp)

    def _clear_history(self, hp: Hyperparams) -> None:
        self._weights = _Growable(self._width, np.float64)
        self._weights.data[0] = self.initial_weights
        self._weights.length = 1
        self._hp_index = _Growable(None, np.int32)
        self._epoch = _Growable(None, np.int32)
        self._offset = _Growable(None, np.int32)
        for arr in (self._hp_index, self._epoch, self._offset):
            arr.length = 1  # index 0 is step 0, which has none
        self._velocity: _Growable | None = None  # allocated when momentum is first used
        self._epoch_first_step: list[int] = [0]  # epoch e (1-based) starts at this step
        self._hp_table: list[Hyperparams] = [hp]
        self._hp = hp
        self._cursor = 0
        self._diverged_at: int | None = None
        self._divergence_reason = ""
        self.ghost: Ghost | None = None

    def restart(
        self,
        dataset: Dataset | None = None,
        standardized: bool | None = None,
        initial_weights: FloatArray | list[float] | tuple[float, ...] | None = None,
        hyperparams: Hyperparams | None = None,
    ) -> None:
        """New data, standardization or initial weights: the run starts over at step 0."""
        new_dataset = dataset or self.dataset
        new_std = self.standardized if standardized is None else standardized
        if initial_weights is None and dataset is None:
            initial_weights = self.initial_weights
        hp = hyperparams or (self._hp if dataset is None else None)
        self._setup(new_dataset, hp, initial_weights, new_std)  # validates before any change
        self._publish(Reset(self.current(), restarted=True))

    # ------------------------------------------------------------------ subscribers

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        """Call subscriber with every EngineMessage; returns a function that unsubscribes."""
        self._subscribers.append(subscriber)
        return lambda: self._subscribers.remove(subscriber)

    def _publish(self, message: EngineMessage) -> None:
        for subscriber in list(self._subscribers):
            subscriber(message)

    # ------------------------------------------------------------------ read-only state

    @property
    def n_rows(self) -> int:
        return self._n

    @property
    def cursor(self) -> int:
        return self._cursor

    @property
    def history_length(self) -> int:
        """The number of recorded steps (the last step one can move to without computing)."""
        return self._weights.length - 1

    @property
    def hyperparams(self) -> Hyperparams:
        """The hyperparameters the next step from the cursor runs with."""
        if self._cursor < self.history_length:
            return self._hp_table[int(self._hp_index.data[self._cursor + 1])]
        return self._hp

    @property
    def diverged_at(self) -> int | None:
        """The step that would have made the run non-finite, while that is still ahead."""
        return self._diverged_at

    @property
    def divergence_reason(self) -> str:
        return self._divergence_reason

    @property
    def weights(self) -> FloatArray:
        """The weights at the cursor (a copy)."""
        return np.array(self._weights.data[self._cursor])

    def weights_at(self, step: int) -> FloatArray:
        self._check_recorded(step)
        return np.array(self._weights.data[step])

    def weight_history(self) -> FloatArray:
        """Read-only view of the weights after steps 0 .. history_length, shape (T + 1, d + 1)."""
        view = self._weights.data[: self._weights.length]
        view = view.view()
        view.flags.writeable = False
        return view

    def hyperparams_at(self, step: int) -> Hyperparams:
        """The hyperparameters recorded step `step` (>= 1) ran with."""
        self._check_recorded(step)
        if step == 0:
            return self._hp_table[0]
        return self._hp_table[int(self._hp_index.data[step])]

    def epoch_of(self, step: int) -> int:
        self._check_recorded(step)
        return int(self._epoch.data[step]) if step else 0

    def epoch_boundaries(self) -> list[int]:
        """Recorded steps after which an epoch is complete (step 0 included)."""
        ends = [0]
        for e in range(1, len(self._epoch_first_step)):
            if e + 1 < len(self._epoch_first_step):
                ends.append(self._epoch_first_step[e + 1] - 1)
            else:
                last = self.history_length
                if last >= 1 and self._step_end(last) >= self._n:
                    ends.append(last)
        return ends

    @property
    def epochs_started(self) -> int:
        """How many epochs have a recorded step (O(1), unlike listing their boundaries)."""
        return len(self._epoch_first_step) - 1

    def hyperparam_changes(self) -> list[int]:
        """Steps s >= 2 whose hyperparameters differ from those of step s - 1.

        O(k log T) for k settings, not a scan of the T steps: the settings' ids never decrease
        along the history (a new setting gets the next id; after a change drops the future,
        the run goes on with the newest id), so each id's first step is a binary search.
        """
        idx = self._hp_index.data[1 : self._weights.length]
        if not idx.size:
            return []
        ids = np.arange(int(idx[0]) + 1, int(idx[-1]) + 1, dtype=idx.dtype)
        firsts = np.searchsorted(idx, ids)
        return [int(p) + 1 for p, i in zip(firsts, ids, strict=True) if idx[p] == i]

    def history_nbytes(self) -> int:
        """Bytes held by the recorded history (all growable arrays, spare capacity included)."""
        total = sum(a.nbytes for a in (self._weights, self._hp_index, self._epoch, self._offset))
        if self._velocity is not None:
            total += self._velocity.nbytes
        return total

    def _check_recorded(self, step: int) -> None:
        if not 0 <= step <= self.history_length:
            raise IndexError(f"step {step} is not recorded (0 .. {self.history_length})")

    # ------------------------------------------------------------------ the schedule

    def _order(self, epoch: int, hp: Hyperparams) -> IntArray | None:
        """The row order of an epoch: None for sequential, else a permutation from (seed, epoch)."""
        if not hp.shuffle:
            return None
        key = (hp.seed, epoch)
        order = self._orders.get(key)
        if order is None:
            order = _frozen(np.random.default_rng([hp.seed, epoch]).permutation(self._n))
            self._orders[key] = order
            if len(self._orders) > 4:
                self._orders.popitem(last=False)
        else:
            self._orders.move_to_end(key)
        return order

    def _step_size(self, step: int) -> int:
        hp = self._hp_table[int(self._hp_index.data[step])]
        return min(hp.batch_size, self._n - int(self._offset.data[step]))

    def _step_end(self, step: int) -> int:
        return int(self._offset.data[step]) + self._step_size(step)

    def _position_after(self, step: int) -> tuple[int, int]:
        """(epoch, offset) of the batch that follows `step`."""
        if step == 0:
            return 1, 0
        end = self._step_end(step)
        epoch = int(self._epoch.data[step])
        return (epoch + 1, 0) if end >= self._n else (epoch, end)

    def _order_hyperparams(self, epoch: int, offset: int, hp_next: Hyperparams) -> Hyperparams:
        """Whose shuffle/seed order an epoch uses: those in force when its first batch ran."""
        if offset == 0 or epoch >= len(self._epoch_first_step):
            return hp_next
        first = self._epoch_first_step[epoch]
        return self._hp_table[int(self._hp_index.data[first])]

    def _rows_for(self, epoch: int, offset: int, size: int, order_hp: Hyperparams) -> IntArray:
        order = self._order(epoch, order_hp)
        if order is None:
            return np.arange(offset, offset + size, dtype=np.int64)
        return np.asarray(order[offset : offset + size], dtype=np.int64)

    def _rows_of_step(self, step: int) -> IntArray:
        epoch = int(self._epoch.data[step])
        offset = int(self._offset.data[step])
        order_hp = self._hp_table[int(self._hp_index.data[self._epoch_first_step[epoch]])]
        return self._rows_for(epoch, offset, self._step_size(step), order_hp)

    def next_rows(self) -> IntArray:
        """The rows the next step from the cursor runs on."""
        if self._cursor < self.history_length:
            return self._rows_of_step(self._cursor + 1)
        epoch, offset = self._position_after(self._cursor)
        hp = self._hp
        size = min(hp.batch_size, self._n - offset)
        return self._rows_for(epoch, offset, size, self._order_hyperparams(epoch, offset, hp))

    # ------------------------------------------------------------------ batch arithmetic

    def _use_scalar_path(self, size: int) -> bool:
        return size * self._width <= SCALAR_PATH_MAX_TERMS

    def _batch_gradient(
        self, rows: IntArray, weights: FloatArray
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """z, f and the mean data gradient of one batch, on the path its shape selects.

        The same operations, in the same order, as the hot loop in `_advance`, so a rebuilt
        event agrees with the recorded step bit for bit.
        """
        with np.errstate(all="ignore"):
            if self._use_scalar_path(rows.size):
                z, f, g = _scalar_batch(
                    self._xb[rows].tolist(), self._y[rows].tolist(), weights.tolist()
                )
                return np.array(z), np.array(f), np.array(g)
            xs = self._xb[rows]
            z_arr = xs @ np.array(weights.tolist())
            f_arr = maths.sigmoid(z_arr)
            return z_arr, f_arr, np.array(_numpy_gradient(xs, self._y[rows], z_arr))

    def _velocity_at(self, step: int) -> FloatArray:
        """The momentum buffer after `step` (zeros at step 0; the gradient if mu was 0)."""
        if step == 0:
            return np.zeros(self._width)
        if self._velocity is not None and not math.isnan(self._velocity.data[step, 0]):
            return np.array(self._velocity.data[step])
        # With mu = 0 the buffer is the step's own gradient: recompute it, bit for bit.
        hp = self._hp_table[int(self._hp_index.data[step])]
        rows = self._rows_of_step(step)
        weights = self._weights.data[step - 1]
        _, _, g = self._batch_gradient(rows, weights)
        if hp.l2:
            g = g + maths.l2_terms(weights, hp.l2)
        return g

    # ------------------------------------------------------------------ computing new steps

    def _truncate(self, step: int) -> None:
        """Forget recorded steps after `step`."""
        length = step + 1
        for arr in (self._weights, self._hp_index, self._epoch, self._offset):
            arr.length = min(arr.length, length)
        if self._velocity is not None:
            self._velocity.length = min(self._velocity.length, length)
        while len(self._epoch_first_step) > 1 and self._epoch_first_step[-1] > step:
            self._epoch_first_step.pop()

    def _hp_id(self, hp: Hyperparams) -> int:
        """The id new steps at the end of the history record for their settings `hp`.

        The last recorded step's id if its settings are these (settings changed and changed
        back before a step ran are no change), else the newest id or a new one. So ids never
        decrease along the history, which `hyperparam_changes` relies on.
        """
        last = self.history_length
        if last and self._hp_table[int(self._hp_index.data[last])] == hp:
            return int(self._hp_index.data[last])
        if self._hp_table[-1] != hp:
            self._hp_table.append(hp)
        return len(self._hp_table) - 1

    def _advance(
        self,
        count: int,
        stop: Callable[[int], bool] | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> int:
        """Compute up to `count` new steps at the end of the history, the cursor at the end.

        Stops early when `stop(step)` is true after a step, or at divergence. Returns the number
        of steps computed. O(B d) per step; nothing full-data is computed here. This is the hot
        loop of long runs, so the arithmetic is inlined; `_batch_gradient` is the same maths
        (same operations in the same order) for rebuilding one step's event. Batches small
        enough for the scalar path run in `_advance_small_batches`.
        """
        if self._diverged_at is not None or count <= 0:
            return 0
        if self._use_scalar_path(self._hp.batch_size):
            return self._advance_small_batches(count, stop, progress)
        hp = self._hp
        hp_id = self._hp_id(hp)
        start_step = step = self.history_length
        epoch, offset = self._position_after(step)
        weights = self._weights.data[step].tolist()
        mu = hp.momentum
        velocity = self._velocity_at(step).tolist() if mu else None
        lr, l2, n, batch_size, width = hp.learning_rate, hp.l2, self._n, hp.batch_size, self._width
        abs_max = self._abs_max.tolist()
        needed = step + count + 1
        for arr in (self._weights, self._hp_index, self._epoch, self._offset):
            arr.ensure(needed)
        if mu or self._velocity is not None:
            self._ensure_velocity(needed)
        w_data, ep_data, off_data = self._weights.data, self._epoch.data, self._offset.data
        hp_data = self._hp_index.data
        velocity_data = self._velocity.data if self._velocity is not None else None
        order = self._order(epoch, self._order_hyperparams(epoch, offset, hp))
        xb, y = self._xb, self._y
        labels = self._labels_as_list
        every = max(1, count // 100)
        done = 0
        # The loop keeps "every z on the data is finite" for the weights it starts a step with.
        reason = self._divergence(weights)
        with np.errstate(all="ignore"):
            while done < count and not reason:
                if offset == 0:
                    # A new epoch: its row order is fixed now, by the settings in force.
                    self._epoch_first_step.append(step + 1)
                    order = self._order(epoch, hp)
                size = min(batch_size, n - offset)
                if size * width <= SCALAR_PATH_MAX_TERMS:  # only an epoch's short last batch
                    if order is None:
                        batch_rows = xb[offset : offset + size].tolist()
                        batch_labels = labels[offset : offset + size]
                    else:
                        ids = order[offset : offset + size]
                        batch_rows = xb[ids].tolist()
                        batch_labels = [labels[i] for i in ids.tolist()]
                    g = _scalar_batch(batch_rows, batch_labels, weights)[2]
                else:
                    if order is None:
                        xs, ys = xb[offset : offset + size], y[offset : offset + size]
                    else:
                        rows = order[offset : offset + size]
                        xs, ys = xb[rows], y[rows]
                    g = _numpy_gradient(xs, ys, xs @ np.array(weights))
                if l2:
                    g = [g[j] + l2 * weights[j] for j in range(width - 1)] + [g[-1]]
                if mu:
                    assert velocity is not None
                    velocity = [mu * velocity[j] + g[j] for j in range(width)]
                    new_weights = [weights[j] - lr * velocity[j] for j in range(width)]
                else:
                    new_weights = [weights[j] - lr * g[j] for j in range(width)]
                # sum_j |w_j| max_i |x_ij| bounds every |z_i| on the data; while it is finite,
                # every weight and every z (so the loss) is finite. Only when it is not is the
                # exact O(n d) check needed.
                bound = 0.0
                for j in range(width):
                    bound += abs(new_weights[j]) * abs_max[j]
                if not math.isfinite(bound):
                    reason = self._divergence(new_weights)
                if reason:
                    if offset == 0:
                        self._epoch_first_step.pop()
                    break
                step += 1
                w_data[step] = new_weights
                hp_data[step] = hp_id  # `stop` reads this step's batch size before _set_length
                ep_data[step] = epoch
                off_data[step] = offset
                if velocity_data is not None:
                    velocity_data[step] = velocity if mu else math.nan
                weights = new_weights
                done += 1
                offset += size
                if offset >= n:
                    epoch, offset = epoch + 1, 0
                if progress is not None and done % every == 0:
                    self._set_length(step, start_step, hp_id)
                    progress(done, count)
                if stop is not None and stop(step):
                    break
        self._set_length(step, start_step, hp_id)
        if reason:
            self._diverged_at = step + 1
            self._divergence_reason = reason
        self._cursor = step
        return done

    # Steps computed before they are written into the history arrays, one slice per array:
    # one numpy write per step would cost more than a batch-1 step's arithmetic. 256 was the
    # fastest of 64, 256, 1024 and 4096 at batch 1.
    _BLOCK_STEPS = 256

    def _advance_small_batches(
        self,
        count: int,
        stop: Callable[[int], bool] | None,
        progress: Callable[[int, int], None] | None,
    ) -> int:
        """`_advance` for batches on the scalar path: the same steps, no numpy call per step.

        Why it exists: a batch-1 step at d = 2 is a dozen multiply-adds, and every numpy call
        (fetching a row, writing one history entry) costs more than all of them. So rows are
        fetched a block of steps at a time, the arithmetic runs on Python floats, and new steps
        are written into the history arrays a block at a time (`_record_steps`).

        What it must match, bit for bit: `_scalar_batch` (z summed from 0.0 over j, e = exp(-|z|),
        f = (1 if z >= 0 else e) / (1 + e), gradient sums from 0.0 over the batch's rows, each
        divided by the batch size), then the general loop's l2, momentum and update, in the same
        order: `event_at` rebuilds a step through `_scalar_batch` and must agree with the record.
        The same divergence checks too: the history ends at the last finite step.

        Before `progress` or `stop` is called, every step computed so far is recorded.
        """
        hp = self._hp
        hp_id = self._hp_id(hp)
        step = self.history_length
        epoch, offset = self._position_after(step)
        lr, n, batch_size, width = hp.learning_rate, self._n, hp.batch_size, self._width
        mu = hp.momentum
        weights = self._weights.data[step].tolist()
        # Without momentum the velocity is never read; zeros keep one loop for both cases.
        velocity = self._velocity_at(step).tolist() if mu else [0.0] * width
        decays = [hp.l2] * (width - 1) + [0.0]  # lambda w_j pulls every weight but the bias
        no_sums = [0.0] * width  # never written: the sums of a batch's other rows, if none
        columns = range(width)  # j over the columns of x (the bias column last)
        abs_max = self._abs_max.tolist()
        needed = step + count + 1
        for arr in (self._weights, self._hp_index, self._epoch, self._offset):
            arr.ensure(needed)
        if mu or self._velocity is not None:
            self._ensure_velocity(needed)
        order = self._order(epoch, self._order_hyperparams(epoch, offset, hp))
        xb, y = self._xb, self._y
        exp, isfinite = math.exp, math.isfinite
        every = max(1, count // 100)
        done = 0
        # As in `_advance`: every z on the data is finite for the weights a step starts with.
        reason = self._divergence(weights)
        with np.errstate(all="ignore"):
            while done < count and not reason:
                if offset == 0:
                    # A new epoch: its row order is fixed now, by the settings in force.
                    self._epoch_first_step.append(step + 1)
                    order = self._order(epoch, hp)
                # A block: the rows of up to _BLOCK_STEPS steps, all in this epoch.
                block = min(self._BLOCK_STEPS, count - done, math.ceil((n - offset) / batch_size))
                end = min(n, offset + block * batch_size)
                rows = slice(offset, end) if order is None else order[offset:end]
                block_rows: list[list[float]] = xb[rows].tolist()
                block_labels: list[float] = y[rows].tolist()
                rows_in_block = end - offset
                new_weights_rows: list[list[float]] = []  # computed, not yet recorded
                new_velocity_rows: list[list[float]] = []
                first_offset = offset  # where the first of them starts in the epoch's order
                batch_first = 0  # the current batch's first row in the block
                sums = no_sums
                stopped = False
                # One pass over the block's rows; a step is taken at each batch's last row.
                # Indexing by j, as `_scalar_batch` does, is the fastest loop here: with
                # zip(..., strict=True) a batch-1 step took 2.0 us, against 1.0 us.
                for i in range(rows_in_block):
                    x = block_rows[i]
                    z = 0.0
                    for j in columns:
                        z += weights[j] * x[j]
                    e = exp(-abs(z))
                    residual = (1.0 if z >= 0 else e) / (1.0 + e) - block_labels[i]
                    size = i + 1 - batch_first  # rows of the batch so far
                    if size < batch_size and i + 1 < rows_in_block:
                        if size == 1:
                            sums = [0.0] * width
                        for j in columns:
                            sums[j] += residual * x[j]
                        continue
                    # The batch's last row: its term is added here, after the others, as in
                    # `_scalar_batch` (so a batch of one needs no sums of its own). Then l2,
                    # momentum and the update in the same pass (a list comprehension costs a
                    # frame per step in Python 3.11). The bound is `_advance`'s: while
                    # sum_j |w_j| max_i |x_ij| is finite, so is every z on the data.
                    new_weights: list[float] = []
                    new_velocity: list[float] = []
                    bound = 0.0
                    for j in columns:
                        g_j = (sums[j] + residual * x[j]) / size
                        if decays[j]:
                            g_j = g_j + decays[j] * weights[j]
                        if mu:
                            g_j = mu * velocity[j] + g_j
                            new_velocity.append(g_j)
                        w_j = weights[j] - lr * g_j
                        new_weights.append(w_j)
                        bound += abs(w_j) * abs_max[j]
                    if not isfinite(bound):
                        reason = self._divergence(new_weights)
                        if reason:
                            if offset + batch_first == 0:
                                self._epoch_first_step.pop()  # the epoch has no step
                            break
                    step += 1
                    done += 1
                    weights = new_weights
                    new_weights_rows.append(new_weights)
                    if mu:
                        velocity = new_velocity
                        new_velocity_rows.append(new_velocity)
                    batch_first = i + 1
                    sums = no_sums
                    report = progress if progress is not None and done % every == 0 else None
                    if report is not None or stop is not None:
                        # The callbacks may read the history: record every step first.
                        self._record_steps(
                            step, new_weights_rows, new_velocity_rows, hp_id, epoch, first_offset
                        )
                        new_weights_rows, new_velocity_rows = [], []
                        first_offset = offset + batch_first
                        if report is not None:
                            report(done, count)
                        if stop is not None and stop(step):
                            stopped = True
                            break
                self._record_steps(
                    step, new_weights_rows, new_velocity_rows, hp_id, epoch, first_offset
                )
                if reason or stopped:
                    break
                offset = end
                if offset >= n:
                    epoch, offset = epoch + 1, 0
        if reason:
            self._diverged_at = step + 1
            self._divergence_reason = reason
        self._cursor = step
        return done

    def _record_steps(
        self,
        last_step: int,
        weights: list[list[float]],
        velocities: list[list[float]],
        hp_id: int,
        epoch: int,
        first_offset: int,
    ) -> None:
        """Record the steps ending at `last_step`: one epoch's consecutive batches, the first at
        `first_offset` in its row order, all with the hyperparameters `hp_id`.

        `velocities` is empty when momentum is off (the history then holds NaN, and
        `_velocity_at` recomputes that step's gradient).
        """
        count = len(weights)
        if not count:
            return
        # One step's entries, or a block's.
        steps: int | slice
        new_weights: list[float] | list[list[float]]
        offsets: int | NDArray[Any]
        new_velocity: float | list[float] | list[list[float]]
        if count == 1:
            # With `stop` every step is recorded on its own, and item writes cost half as
            # much as slices: run_epochs at batch 1 took 3.1 us/step, against 5.3 with slices.
            steps, new_weights, offsets = last_step, weights[0], first_offset
            new_velocity = velocities[0] if velocities else math.nan
        else:
            steps, new_weights = slice(last_step - count + 1, last_step + 1), weights
            batch_size = self._hp_table[hp_id].batch_size
            offsets = np.arange(first_offset, first_offset + count * batch_size, batch_size)
            new_velocity = velocities if velocities else math.nan
        self._weights.data[steps] = new_weights
        self._hp_index.data[steps] = hp_id
        self._epoch.data[steps] = epoch
        self._offset.data[steps] = offsets
        if self._velocity is not None:
            self._velocity.data[steps] = new_velocity
        for arr in (self._weights, self._hp_index, self._epoch, self._offset):
            arr.length = last_step + 1
        if self._velocity is not None:
            self._velocity.length = last_step + 1

    def _divergence(self, weights: list[float]) -> str:
        """Why these weights cannot be recorded ("" if they can): non-finite, or z overflows."""
        if not all(math.isfinite(w) for w in weights):
            return "a weight would become infinite or NaN"
        bound = sum(abs(w) * m for w, m in zip(weights, self._abs_max.tolist(), strict=True))
        with np.errstate(all="ignore"):
            if not math.isfinite(bound) and not bool(
                np.isfinite(self._xb @ np.array(weights)).all()
            ):
                return "z = w.x would overflow on the data, making the loss infinite"
        return ""

    def _set_length(self, step: int, start_step: int, hp_id: int) -> None:
        """Make steps start_step+1 .. step part of the history (all ran with hp_id)."""
        self._hp_index.data[start_step + 1 : step + 1] = hp_id
        for arr in (self._weights, self._hp_index, self._epoch, self._offset):
            arr.length = step + 1
        if self._velocity is not None:
            self._velocity.length = step + 1

    def _ensure_velocity(self, capacity: int) -> None:
        if self._velocity is None:
            self._velocity = _Growable(self._width, np.float64, self._weights.data.shape[0])
            self._velocity.data[:] = np.nan
            self._velocity.data[0] = 0.0
            self._velocity.length = self._weights.length
        old = self._velocity.data.shape[0]
        self._velocity.ensure(capacity)
        if self._velocity.data.shape[0] > old:
            self._velocity.data[old:] = np.nan

    # ------------------------------------------------------------------ moving the cursor

    def step(self) -> StepEvent:
        """One step forward: replay the recorded next step, or compute a new one."""
        if self._cursor < self.history_length:
            return self.jump(self._cursor + 1)
        return self.run_steps(1)

    def back(self) -> StepEvent:
        """One step back (stays at step 0 at the start)."""
        return self.jump(max(0, self._cursor - 1))

    def jump(self, step: int) -> StepEvent:
        """Move the cursor to `step`, computing new steps if it is beyond the history."""
        if step < 0:
            raise SettingError(f"step must be 0 or more, got {step}")
        if step > self.history_length:
            return self.run_steps(step - self._cursor)
        from_step = self._cursor
        self._cursor = step
        event = self.current()
        self._publish(Moved(event, from_step=from_step))
        return event

    def first(self) -> StepEvent:
        return self.jump(0)

    def last(self) -> StepEvent:
        return self.jump(self.history_length)

    def reset(self) -> StepEvent:
        """Back to step 0; the recorded history stays, to step forward through again."""
        self._cursor = 0
        event = self.current()
        self._publish(Reset(event, restarted=False))
        return event

    def run_steps(
        self,
        count: int,
        progress: Callable[[int, int], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> StepEvent:
        """Move `count` steps forward, replaying recorded ones and computing the rest."""
        if count < 0:
            raise SettingError(f"number of steps must be 0 or more, got {count}")
        start = self._cursor
        target = start + count
        replay_to = min(target, self.history_length)
        self._cursor = replay_to
        remaining = target - replay_to
        computed = 0
        if remaining:
            self._cursor = self.history_length
            if self._diverged_at is None:
                stop = (lambda _s: should_stop()) if should_stop is not None else None
                computed = self._advance(remaining, stop=stop, progress=progress)
        return self._after_move(start, computed)

    def walk(self, moves: list[int]) -> StepEvent:
        """Apply +1 (forward) and -1 (back) moves in order, then publish once.

        Exactly as the same sequence of step() and back() calls (back clamps at step 0, forward
        replays or computes, and stops at divergence), but one event is built, not one per move:
        a flood of arrow keys costs O(B d) per move plus one O(n d) event.
        """
        start = self._cursor
        computed = 0
        for move in moves:
            if move >= 0:
                for _ in range(move):
                    if self._cursor < self.history_length:
                        self._cursor += 1
                    else:
                        computed += self._advance(1)
            else:
                self._cursor = max(0, self._cursor + move)
        return self._after_move(start, computed)

    def run_epochs(
        self,
        count: int,
        progress: Callable[[int, int], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> StepEvent:
        """Move forward until `count` more epochs are complete."""
        if count < 0:
            raise SettingError(f"number of epochs must be 0 or more, got {count}")
        start = self._cursor
        computed = 0
        for _ in range(count):
            computed += self._to_next_boundary(progress, should_stop)
            if self._diverged_at is not None and self._cursor == self.history_length:
                break
            if should_stop is not None and should_stop():
                break
        return self._after_move(start, computed)

    def next_epoch_boundary(self) -> StepEvent:
        """Forward to the end of the current epoch (the next epoch boundary)."""
        start = self._cursor
        computed = self._to_next_boundary(None, None)
        return self._after_move(start, computed)

    def steps_to_next_boundary(self) -> int:
        """How many new steps `next_epoch_boundary` would compute (0 if one is recorded ahead)."""
        if self._recorded_boundary_after(self._cursor) is not None:
            return 0
        return self._steps_left_in_last_epoch()

    def previous_epoch_boundary(self) -> StepEvent:
        """Back to the last epoch boundary before the cursor (step 0 at the latest)."""
        # Epoch e ends at first[e + 1] - 1; the last one before the cursor has first <= cursor.
        first = self._epoch_first_step
        k = bisect.bisect_left(first, self._cursor + 1) - 1
        return self.jump(first[k] - 1 if k >= 2 else 0)

    def _recorded_boundary_after(self, step: int) -> int | None:
        """The first recorded epoch boundary after `step` (O(log epochs)), or None."""
        first = self._epoch_first_step
        i = bisect.bisect_right(first, step + 1)
        if 2 <= i < len(first):
            return first[i] - 1
        last = self.history_length
        if last > step and self._step_end(last) >= self._n:
            return last  # the last recorded step completes its epoch
        return None

    def _steps_left_in_last_epoch(self) -> int:
        """Steps the current settings need to finish the epoch of the last recorded step."""
        _, offset = self._position_after(self.history_length)
        return math.ceil((self._n - offset) / self._hp.batch_size)

    def _to_next_boundary(
        self,
        progress: Callable[[int, int], None] | None,
        should_stop: Callable[[], bool] | None,
    ) -> int:
        recorded = self._recorded_boundary_after(self._cursor)
        if recorded is not None:
            self._cursor = recorded
            return 0
        self._cursor = self.history_length
        estimate = self._steps_left_in_last_epoch()

        def stop(step: int) -> bool:
            return self._step_end(step) >= self._n or (should_stop is not None and should_stop())

        return self._advance(estimate, stop=stop, progress=progress)

    def _after_move(self, start: int, computed: int) -> StepEvent:
        event = self.current()
        if computed:
            self._publish(Stepped(event, count=computed))
        elif self._cursor != start or self._diverged_at is None:
            self._publish(Moved(event, from_step=start))
        if self._diverged_at is not None and self._cursor == self.history_length:
            self._publish(
                Diverged(event, at_step=self._diverged_at, reason=self._divergence_reason)
            )
        return event

    # ------------------------------------------------------------------ live hyperparameters

    def set_hyperparams(self, hyperparams: Hyperparams | None = None, **changes: Any) -> StepEvent:
        """Change hyperparameters at the cursor, from the next step on.

        Validated first (SettingError, state untouched). Recorded steps after the cursor are
        dropped, as typing after an undo drops the redo, and kept as the ghost timeline.
        """
        base = self.hyperparams
        try:
            wanted = hyperparams if hyperparams is not None else replace(base, **changes)
        except TypeError as exc:
            raise SettingError(str(exc)) from None
        new = wanted.validated(self._n)
        old = base
        if new == old:
            return self.current()
        dropped = self.history_length - self._cursor
        if dropped:
            ghost_hp = self.hyperparams
            self.ghost = Ghost(
                start_step=self._cursor + 1,
                weights=_frozen(
                    np.array(self._weights.data[self._cursor + 1 : self.history_length + 1])
                ),
                hyperparams=ghost_hp,
            )
            self._truncate(self._cursor)
        self._hp = new
        self._diverged_at = None
        self._divergence_reason = ""
        event = self.current()
        self._publish(HyperparamsChanged(event, old=old, new=new, dropped_steps=dropped))
        return event

    # ------------------------------------------------------------------ rebuilding events

    def current(self) -> StepEvent:
        """The StepEvent at the cursor."""
        return self.event_at(self._cursor)

    def event_at(self, step: int) -> StepEvent:
        """Rebuild the StepEvent of a recorded step: O(B d) plus its O(n d) full-data figures."""
        self._check_recorded(step)
        n, width = self._n, self._width
        w_after = np.array(self._weights.data[step])
        with np.errstate(all="ignore"):
            if step == 0:
                # What step 1 ran with (or will run with): independent of the cursor.
                hp = (
                    self._hp_table[int(self._hp_index.data[1])] if self.history_length else self._hp
                )
                w_before = w_after
                rows = np.zeros(0, dtype=np.int64)
                z = f = np.zeros(0)
                terms = np.zeros((0, width))
                data_gradient = l2 = gradient = np.zeros(width)
                v_before = v_after = np.zeros(width)
                epoch, batch, batches = 0, 0, math.ceil(n / hp.batch_size)
                batch_loss = math.nan
            else:
                hp = self._hp_table[int(self._hp_index.data[step])]
                w_before = np.array(self._weights.data[step - 1])
                rows = self._rows_of_step(step)
                z, f, data_gradient = self._batch_gradient(rows, w_before)
                terms = maths.gradient_terms(self._xb[rows], self._y[rows], f)
                l2 = maths.l2_terms(w_before, hp.l2) if hp.l2 else np.zeros(width)
                gradient = data_gradient + l2 if hp.l2 else data_gradient
                v_before = self._velocity_at(step - 1) if hp.momentum else np.zeros(width)
                v_after = hp.momentum * v_before + gradient if hp.momentum else gradient
                epoch = int(self._epoch.data[step])
                offset = int(self._offset.data[step])
                batch = step - self._epoch_first_step[epoch] + 1
                rest = n - offset - rows.size
                batches = batch + math.ceil(rest / hp.batch_size)
                batch_loss = maths.mean_loss(z, self._y[rows])
            z_before_all, f_before_all, loss_before, accuracy_before = self._full_data_of(w_before)
            z_after_all, f_after_all, loss_after, accuracy_after = self._full_data_of(w_after)
            sample_losses = maths.sample_losses(z, self._y[rows])
        saved_cursor = self._cursor
        self._cursor = step
        try:
            next_rows = self.next_rows()
            next_hp = self.hyperparams
        finally:
            self._cursor = saved_cursor
        return StepEvent(
            step=step,
            epoch=epoch,
            batch=batch,
            batches_per_epoch=batches,
            rows=_frozen(rows),
            inputs=_frozen(np.array(self.inputs[rows])),
            labels=_frozen(np.array(self._y[rows])),
            z=_frozen(np.asarray(z, dtype=np.float64)),
            f=_frozen(np.asarray(f, dtype=np.float64)),
            sample_losses=_frozen(np.asarray(sample_losses, dtype=np.float64)),
            terms=_frozen(np.asarray(terms, dtype=np.float64)),
            data_gradient=_frozen(np.array(data_gradient)),
            l2_terms=_frozen(np.array(l2)),
            gradient=_frozen(np.array(gradient)),
            velocity_before=_frozen(np.array(v_before)),
            velocity_after=_frozen(np.array(v_after)),
            hyperparams=hp,
            weights_before=_frozen(w_before),
            weights_after=_frozen(w_after),
            batch_loss=batch_loss,
            loss_before=loss_before,
            accuracy_before=accuracy_before,
            loss_after=loss_after,
            accuracy_after=accuracy_after,
            z_before_all=_frozen(z_before_all),
            predictions_before=_frozen(f_before_all),
            z_after_all=_frozen(z_after_all),
            predictions_after=_frozen(f_after_all),
            next_rows=_frozen(next_rows),
            next_hyperparams=next_hp,
            standardized=self.standardized,
            history_length=self.history_length,
            diverged_at=self._diverged_at,
        )

    def _full_data_of(self, weights: FloatArray) -> _FullData:
        """z, f, mean loss and accuracy on all rows for these weights: O(n d), so the last two
        are kept. A step forward or back shares one set of weights with the event it leaves
        (this step's "before" is the last step's "after"), so two are enough."""
        key = weights.tobytes()
        found = self._full_data.get(key)
        if found is not None:
            self._full_data.move_to_end(key)
            return found
        with np.errstate(all="ignore"):
            z = _frozen(maths.logits(self._xb, weights))
            f = _frozen(maths.sigmoid(z))
            loss = maths.mean_loss(z, self._y, self._label_signs)
        found = _FullData(z, f, loss, maths.accuracy(f, self._y))
        self._full_data[key] = found
        if len(self._full_data) > 2:
            self._full_data.popitem(last=False)
        return found

    def loss_at(self, steps: IntArray | list[int]) -> FloatArray:
        """Full-data mean loss after each of the given recorded steps (for a drawn loss curve)."""
        for s in steps:
            self._check_recorded(int(s))
        return self.loss_of_weights(self._weights.data[np.asarray(steps, dtype=np.int64)])

    def loss_of_weights(self, weights: FloatArray) -> FloatArray:
        """Full-data mean loss for each row of a (k, d + 1) weights array (the ghost's curve)."""
        signs = self._label_signs
        return np.array(
            [maths.mean_loss(maths.logits(self._xb, w), self._y, signs) for w in weights]
        )


def _numpy_gradient(xs: FloatArray, ys: FloatArray, z: FloatArray) -> list[float]:
    """mean_i (f_i - y_i) x_i for a batch, f = sigma(z) exactly as maths.sigmoid, as a mat-vec.

    Equal to the mean of the per-sample terms up to rounding in the last place.
    """
    f = np.exp(np.minimum(z, 0.0)) / (1.0 + np.exp(-np.abs(z)))
    count = z.shape[0]
    return [total / count for total in ((f - ys) @ xs).tolist()]


def _scalar_batch(
    rows: list[list[float]], labels: list[float], weights: list[float]
) -> tuple[list[float], list[float], list[float]]:
    """z, f and mean gradient of a small batch in plain Python floats (the same formulas).

    For a handful of multiply-adds this beats numpy, whose cost is per call, not per number.
    """
    width = len(weights)
    z_list: list[float] = []
    f_list: list[float] = []
    sums = [0.0] * width
    for x, label in zip(rows, labels, strict=True):
        z = 0.0
        for j in range(width):
            z += weights[j] * x[j]
        e = math.exp(-abs(z))
        f = (1.0 if z >= 0 else e) / (1.0 + e)
        residual = f - label
        for j in range(width):
            sums[j] += residual * x[j]
        z_list.append(z)
        f_list.append(f)
    count = len(rows)
    return z_list, f_list, [total / count for total in sums]
