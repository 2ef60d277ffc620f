"""The loop of long runs: new steps computed at the end of the history, a block at a time.

A block is up to BLOCK_STEPS consecutive steps of one epoch with one setting. Its rows are
fetched once, its steps computed by `step.scalar_steps` or `step.array_step` (the same code
that rebuilds one step's event), and it is written into the history in one go: one numpy call
per step would cost more than a batch-1 step's arithmetic. Callbacks (progress, cancel) are
called between blocks, when every step computed so far is recorded.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from . import maths
from .dataset import TrainingData
from .history import History
from .maths import FloatArray
from .params import Hyperparams
from .schedule import Schedule
from .step import (
    StepDetail,
    array_step,
    one_step,
    scalar_settings,
    scalar_steps,
    uses_scalar_path,
)

# 256 was the fastest of 64, 256, 1024 and 4096 at batch 1.
BLOCK_STEPS = 256
# A block on the numpy path holds at most about this many rows, so that a cancel is seen
# within a fraction of a second even when one batch is the whole of a large dataset.
BLOCK_ROWS = 65_536

BOUNDED_Z = maths.EXP_MAX - 10.0
# Steps of history reserved at a time (36 MB at d = 2); a shorter run reserves exactly its own.
RESERVE_STEPS = 1 << 20

Progress = Callable[[int, int], None]
ShouldStop = Callable[[], bool]


class Block(NamedTuple):
    """What one block computed: its steps' weights and velocities, and why it stopped early."""

    weights: list[list[float]] | list[FloatArray]
    velocities: list[list[float]] | list[FloatArray]
    weights_after: FloatArray
    velocity_after: FloatArray
    reason: str  # "" unless the next step would have made the run non-finite
    # The last step's StepDetail on the numpy path (None on the scalar path): the event of a
    # step just computed is built from it, not from a second pass over its batch.
    last_detail: StepDetail | None = None


class Advanced(NamedTuple):
    """What `advance` did: the steps computed, why the run cannot go on ("" if it can), and
    the last step's StepDetail when it is at hand (the numpy path: see Block)."""

    done: int
    reason: str
    last_detail: StepDetail | None = None


def advance(
    history: History,
    data: TrainingData,
    schedule: Schedule,
    hp: Hyperparams,
    velocity: FloatArray,
    count: int,
    progress: Progress | None = None,
    should_stop: ShouldStop | None = None,
) -> Advanced:
    """Compute up to `count` new steps with settings `hp` at the end of the history.

    `velocity` is the momentum buffer after the last recorded step (ignored without momentum).
    Stops early when `should_stop()` says so (asked after every block) or before a step that
    would make a weight or a z on the data non-finite. Returns the number of steps computed
    and, if the run cannot go on, why ("" if it can); see Advanced.
    """
    step = history.length
    weights = history.weights_after(step)
    reason = data.overflow(weights, hp.l2)  # the loop keeps "every z is finite" from here on
    if count <= 0 or reason:
        return Advanced(0, reason)
    hp_id = history.hp_id(hp)
    epoch, offset = history.position_after(step)
    n, batch_size = data.n_rows, hp.batch_size
    scalar = uses_scalar_path(batch_size, data.width)
    every = max(1, count // 100) if progress is not None else count
    done = 0
    last_detail: StepDetail | None = None
    while done < count:
        if offset == 0:
            history.epoch_first_step.append(step + 1)  # a new epoch: its order is fixed now
        order_hp = history.order_hyperparams(epoch, offset, hp)
        order = schedule.order(epoch, order_hp.shuffle, order_hp.seed)
        steps = min(count - done, every - done % every, math.ceil((n - offset) / batch_size))
        steps = min(steps, BLOCK_STEPS if scalar else max(1, BLOCK_ROWS // batch_size))
        end = min(n, offset + steps * batch_size)
        # Room for the rest of the run, up to RESERVE_STEPS at a time: a run of 10^9 steps asks
        # for memory as it goes (the history grows by half when it must), not all up front.
        history.reserve(min(count - done, max(steps, RESERVE_STEPS)), momentum=bool(hp.momentum))
        index = slice(offset, end) if order is None else order[offset:end]
        run = _scalar_block if scalar else _array_block
        block = run(data, index, hp, weights, velocity)
        taken = len(block.weights)
        if not taken and offset == 0:
            history.epoch_first_step.pop()  # the epoch has no step after all
        history.record(step + taken, block.weights, block.velocities, hp_id, epoch, offset)
        step, done = step + taken, done + taken
        weights, velocity = block.weights_after, block.velocity_after
        last_detail = block.last_detail if taken else last_detail
        if block.reason:
            return Advanced(done, block.reason, last_detail)
        offset = end
        if offset >= n:
            epoch, offset = epoch + 1, 0
        if progress is not None and done % every == 0:
            progress(done, count)
        if should_stop is not None and should_stop():
            break
    return Advanced(done, "", last_detail)


def _scalar_block(
    data: TrainingData,
    index: slice | np.ndarray,
    hp: Hyperparams,
    weights: FloatArray,
    velocity: FloatArray,
) -> Block:
    """The block's steps on the scalar path, resumed past any step whose cheap bound
    overflowed but whose exact check passed."""
    rows: list[list[float]] = data.xb[index].tolist()
    signs: list[float] = data.signs[index].tolist()
    settings = scalar_settings(hp.learning_rate, hp.l2, hp.momentum, data.width)
    abs_max = data.abs_max.tolist()
    batch_size = hp.batch_size
    w, v = weights.tolist(), velocity.tolist()
    all_weights: list[list[float]] = []
    all_velocities: list[list[float]] = []
    reason = ""
    start = 0
    while start < len(rows):
        run = scalar_steps(rows[start:], signs[start:], batch_size, w, v, settings, abs_max)
        all_weights += run.weights
        all_velocities += run.velocities
        if run.weights:
            w = run.weights[-1]
            v = run.velocities[-1] if hp.momentum else v
        if run.unbounded is None:
            break
        reason = data.overflow(run.unbounded[0], hp.l2)
        if reason:
            break
        w, v = run.unbounded
        v = v if hp.momentum else velocity.tolist()
        all_weights.append(w)
        if hp.momentum:
            all_velocities.append(v)
        start += (len(run.weights) + 1) * batch_size
    return Block(all_weights, all_velocities, np.array(w), np.array(v), reason)


def _array_block(
    data: TrainingData,
    index: slice | np.ndarray,
    hp: Hyperparams,
    weights: FloatArray,
    velocity: FloatArray,
) -> Block:
    """The block's steps on the numpy path, one `array_step` each (`one_step` for an epoch's
    short last batch, which may be small enough for the scalar path: it chooses by shape, as
    for the rebuild)."""
    lr, l2, mu, batch_size = hp.learning_rate, hp.l2, hp.momentum, hp.batch_size
    xb, signs = data.xb, data.signs
    if isinstance(index, slice):
        start, stop = index.start, index.stop
        # The same batch arrays as the rebuild of each step reads: a slice of the data, or
        # rows gathered through a piece of the epoch's order.
        batches: list[slice] | list[np.ndarray] = [
            slice(first, min(stop, first + batch_size)) for first in range(start, stop, batch_size)
        ]
    else:
        batches = [index[first : first + batch_size] for first in range(0, len(index), batch_size)]
    all_weights: list[FloatArray] = []
    all_velocities: list[FloatArray] = []
    last_detail: StepDetail | None = None
    reason = ""
    bound = _bound_function(data)
    # While sum_j |w_j| max_i |x_ij| is at most BOUNDED_Z, no |z| can be near EXP_MAX (the
    # margin covers the bound's own rounding): the residual's check for the subnormal case is
    # skipped, for the same numbers with one numpy call fewer.
    bounded = bound(weights) <= BOUNDED_Z
    with np.errstate(all="ignore"):
        for batch in batches:
            xs = xb[batch]
            if xs.shape[0] < batch_size:  # an epoch's short last batch: as the rebuild chooses
                detail = one_step(xs, signs[batch], weights, velocity, lr, l2, mu)
            else:
                detail = array_step(xs, signs[batch], weights, velocity, lr, l2, mu, bounded)
            size = bound(detail.weights)
            if not math.isfinite(size) or (
                l2 and not math.isfinite(maths.l2_penalty(detail.weights, l2))
            ):
                reason = data.overflow(detail.weights, l2)
                if reason:
                    break
            bounded = size <= BOUNDED_Z
            weights, last_detail = detail.weights, detail
            all_weights.append(weights)
            if mu:
                velocity = detail.velocity
                all_velocities.append(velocity)
    return Block(all_weights, all_velocities, weights, velocity, reason, last_detail)


# Up to this many weights the bound is cheaper in Python floats than in two numpy calls.
PYTHON_BOUND_MAX_WIDTH = 16


def _bound_function(data: TrainingData) -> Callable[[FloatArray], float]:
    """sum_j |w_j| max_i |x_ij|: while it is finite, so is every z on the data (and the loss)."""
    abs_max = data.abs_max
    if data.width > PYTHON_BOUND_MAX_WIDTH:
        return lambda weights: float(np.abs(weights) @ abs_max)
    columns = list(zip(range(data.width), abs_max.tolist(), strict=True))

    def bound(weights: FloatArray) -> float:
        w = weights.tolist()
        total = 0.0
        for j, m in columns:
            total += abs(w[j]) * m
        return total

    return bound
