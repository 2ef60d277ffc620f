"""The SGD timeline: a cursor over the recorded steps, moves, live settings, and its events.

One step runs one mini-batch (the maths is in `step`, written once):

    z_i = w . x_i,   f_i - y_i from z,   g_j = mean_i (f_i - y_i) x_ij  (+ lambda w_j, not the bias)
    v <- mu v + g   (momentum; with mu = 0 this is v = g)
    w <- w - lr v

The history is compact (`history`); a StepEvent with everything a screen shows is rebuilt from
it on demand by the same step function that computed it, in O(B d) plus the O(n d) full-data
figures of the one step shown, however long the history is.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable
from dataclasses import replace
from typing import Any, NamedTuple, TypeVar

import numpy as np
from numpy.typing import NDArray

from . import maths, runner, until
from .dataset import Dataset, TrainingData
from .events import (
    Diverged,
    EngineMessage,
    Ghost,
    HyperparamsChanged,
    IntArray,
    Moved,
    Reset,
    StepEvent,
    Stepped,
    Subscriber,
    Switched,
)
from .fulldata import Evaluator
from .history import History
from .maths import FloatArray
from .params import Hyperparams, SettingError, validate_initial_weights
from .runs import LOSSES_KEPT, Dropped, Run
from .schedule import Schedule
from .step import StepDetail, one_step

WeightsLike = FloatArray | list[float] | tuple[float, ...]


ArrayT = TypeVar("ArrayT", bound=NDArray[Any])


def _frozen(array: ArrayT) -> ArrayT:
    array.flags.writeable = False
    return array


class _Batch(NamedTuple):
    """The parts of a StepEvent that come from its batch (empty at step 0)."""

    epoch: int
    batch: int
    batches_per_epoch: int
    rows: IntArray
    inputs: FloatArray  # (B, d): the batch's rows of the features, a view for a slice of them
    detail: StepDetail
    f: FloatArray
    sample_losses: FloatArray
    l2_terms: FloatArray
    velocity_before: FloatArray
    batch_loss: float


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
        initial_weights: WeightsLike | None = None,
        standardized: bool = False,
    ) -> None:
        self._subscribers: list[Subscriber] = []
        self._setup(dataset, hyperparams, initial_weights, standardized)

    # ------------------------------------------------------------------ setup and restart

    def _setup(
        self,
        dataset: Dataset,
        hyperparams: Hyperparams | None,
        initial_weights: WeightsLike | None,
        standardized: bool,
    ) -> None:
        """Everything is checked before anything changes: a rejected setup leaves the engine
        as it was. The run never holds a non-finite loss, so neither may its start."""
        hp = (hyperparams or dataset.hyperparams).validated(dataset.n_rows)
        init = validate_initial_weights(
            dataset.default_initial_weights() if initial_weights is None else initial_weights,
            dataset.n_features,
        )
        data = TrainingData.prepare(dataset, standardized)
        with np.errstate(all="ignore"):
            if not bool(np.isfinite(data.xb @ init).all()):
                raise SettingError(
                    "initial weights make z = w.x overflow on this data (the loss would be "
                    "infinite); choose smaller initial weights",
                    setting="initial_weights",
                )
        _check_penalty(init, hp.l2)
        self.data = data
        self.initial_weights: FloatArray = init
        self.evaluator = Evaluator(data)
        # Full-data losses by recorded step, for the loss curve: a chart asks for the same few
        # hundred steps on every key. Steps dropped are forgotten (their run keeps its own).
        self._step_losses: dict[int, float] = {}
        self._schedule = Schedule(data.n_rows)
        self._history = History(init, hp, data.n_rows)
        # The StepDetail of the last step computed, by step, as the runner computed it: the
        # event of a new step is built from it instead of a second pass over its batch (the
        # same call on the same arrays, so the same numbers).
        self._fresh: tuple[int, StepDetail] | None = None
        self._hp = hp  # what new steps at the end of the history run with
        self._cursor = 0
        self._diverged_at: int | None = None
        self._divergence_reason = ""
        self._dropped: Dropped | None = None
        self.ghost: Ghost | None = None  # the dropped steps as the chart draws them

    def restart(
        self,
        dataset: Dataset | None = None,
        standardized: bool | None = None,
        initial_weights: WeightsLike | None = None,
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
    def dataset(self) -> Dataset:
        return self.data.dataset

    @property
    def standardized(self) -> bool:
        return self.data.standardized

    @property
    def inputs(self) -> FloatArray:
        """The features as the engine uses them (standardized when on), (n, d)."""
        return self.data.inputs

    @property
    def feature_mean(self) -> FloatArray:
        return self.data.feature_mean

    @property
    def feature_std(self) -> FloatArray:
        return self.data.feature_std

    @property
    def n_rows(self) -> int:
        return self.data.n_rows

    @property
    def cursor(self) -> int:
        return self._cursor

    @property
    def history_length(self) -> int:
        """The number of recorded steps (the last step one can move to without computing)."""
        return self._history.length

    @property
    def hyperparams(self) -> Hyperparams:
        """The hyperparameters the next step from the cursor runs with."""
        return self._hyperparams_after(self._cursor)

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
        return self._history.weights_after(self._cursor)

    def weight_history(self) -> FloatArray:
        """Read-only view of the weights after steps 0 .. history_length, shape (T + 1, d + 1)."""
        view = self._history.weights.data[: self._history.weights.length].view()
        view.flags.writeable = False
        return view

    def hyperparams_at(self, step: int) -> Hyperparams:
        """The hyperparameters recorded step `step` (>= 1) ran with (step 0: the first)."""
        self._check_recorded(step)
        return self._history.hyperparams_of(step)

    def epoch_boundaries(self) -> list[int]:
        """Recorded steps after which an epoch is complete (step 0 included)."""
        return self._history.epoch_boundaries()

    @property
    def epochs_started(self) -> int:
        """How many epochs have a recorded step (O(1), unlike listing their boundaries)."""
        return self._history.epochs_started

    def hyperparam_changes(self) -> list[int]:
        """Steps s >= 2 whose hyperparameters differ from those of step s - 1."""
        return self._history.hyperparam_changes()

    def history_nbytes(self) -> int:
        """Bytes held by the recorded history (spare capacity included)."""
        return self._history.nbytes

    def _check_recorded(self, step: int) -> None:
        if not 0 <= step <= self.history_length:
            raise IndexError(f"step {step} is not recorded (0 .. {self.history_length})")

    # ------------------------------------------------------------------ the schedule

    def _batch_index(self, step: int) -> slice | IntArray:
        """Recorded step `step`'s rows: a slice of the data, or a piece of a shuffled order."""
        history = self._history
        epoch, offset, size = history.epoch_of(step), history.offset_of(step), history.size_of(step)
        order_hp = history.hyperparams_of(history.epoch_first_step[epoch])
        order = self._schedule.order(epoch, order_hp.shuffle, order_hp.seed)
        return slice(offset, offset + size) if order is None else order[offset : offset + size]

    def _hyperparams_after(self, step: int) -> Hyperparams:
        """What the step after `step` runs with: recorded, or the settings for new steps."""
        if step < self.history_length:
            return self._history.hyperparams_of(step + 1)
        return self._hp

    def _rows_after(self, step: int) -> IntArray:
        """The rows the step after `step` runs on (recorded, or the next new one)."""
        if step < self.history_length:
            return _row_numbers(self._batch_index(step + 1))
        history, hp = self._history, self._hp
        epoch, offset = history.position_after(step)
        size = min(hp.batch_size, self.n_rows - offset)
        order_hp = history.order_hyperparams(epoch, offset, hp)
        return self._schedule.rows(epoch, offset, size, order_hp.shuffle, order_hp.seed)

    def next_rows(self) -> IntArray:
        """The rows the next step from the cursor runs on."""
        return self._rows_after(self._cursor)

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
        progress: runner.Progress | None = None,
        should_stop: runner.ShouldStop | None = None,
    ) -> StepEvent:
        """Move `count` steps forward, replaying recorded ones and computing the rest."""
        if count < 0:
            raise SettingError(f"number of steps must be 0 or more, got {count}")
        start = self._cursor
        target = start + count
        self._cursor = min(target, self.history_length)
        computed = self._advance(target - self._cursor, progress, should_stop)
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
            if move < 0:
                self._cursor = max(0, self._cursor + move)
                continue
            replayed = min(move, self.history_length - self._cursor)
            self._cursor += replayed
            computed += self._advance(move - replayed)
        return self._after_move(start, computed)

    def run_epochs(
        self,
        count: int,
        progress: runner.Progress | None = None,
        should_stop: runner.ShouldStop | None = None,
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

    def run_until(
        self,
        condition: until.Condition,
        progress: runner.Progress | None = None,
        should_stop: runner.ShouldStop | None = None,
    ) -> until.Outcome:
        """Move forward from the cursor to the first step where `condition` holds (see
        `until`), at most until.LIMIT steps on; publishes once, at the end.

        Recorded steps are replayed, new ones computed, a block at a time; the steps a block
        computed past the step found are forgotten, so the history is what stepping there one
        step at a time would have recorded. Stops early at a divergence, or when
        `should_stop()` says so (the cursor then at the last step checked).
        """
        start, kept = self._cursor, self.history_length
        search = until.Search(condition, self.data, start)
        every = max(1, (search.end - start) // 100)
        hit: until.Hit | None = None
        while hit is None and self._cursor < search.end:
            first = self._cursor + 1
            count = min(search.block_steps, search.end - self._cursor)
            replayed = min(count, self.history_length - self._cursor)
            if replayed:
                self._cursor += replayed
            else:
                self._advance(count, None, should_stop)
            if self._cursor < first:
                break  # diverged (or cancelled) before another step
            hit = search.first_hit(self._until_block(first, self._cursor))
            if (
                progress is not None
                and (self._cursor - start) // every != (first - 1 - start) // every
            ):
                progress(self._cursor - start, search.end - start)
            if should_stop is not None and should_stop():
                break
        outcome = self._until_outcome(search, hit, kept)
        self._after_move(start, self.history_length - kept)
        return outcome

    def _until_block(self, first: int, last: int) -> until.Block:
        history = self._history
        weights = history.weights.data
        return until.Block(
            first,
            weights[first - 1],
            weights[first : last + 1],
            history.ends_epochs(first, last),
            history.epoch.data[first : last + 1],
        )

    def _until_outcome(
        self, search: until.Search, hit: until.Hit | None, kept: int
    ) -> until.Outcome:
        """Where the search ended, with the steps computed past a hit forgotten."""
        if hit is not None:
            forget_after = max(hit.step, kept)
            if forget_after < self.history_length:
                self._history.truncate(forget_after)
                self._step_losses = {
                    s: v for s, v in self._step_losses.items() if s <= forget_after
                }
                self._diverged_at = None  # it lay beyond the steps forgotten
                self._divergence_reason = ""
            self._cursor = hit.step
            return until.Outcome(search.condition, "held", hit.step, hit.what)
        if self._diverged_at is not None and self._cursor == self.history_length:
            return search.outcome("diverged", self._cursor, self._divergence_reason)
        return search.outcome("limit" if self._cursor >= search.end else "cancelled", self._cursor)

    def next_epoch_boundary(self) -> StepEvent:
        """Forward to the end of the current epoch (the next epoch boundary)."""
        start = self._cursor
        return self._after_move(start, self._to_next_boundary(None, None))

    def steps_to_next_boundary(self) -> int:
        """How many new steps `next_epoch_boundary` would compute (0 if one is recorded ahead)."""
        if self._recorded_boundary_after(self._cursor) is not None:
            return 0
        return self._steps_left_in_last_epoch()

    def order_takes_effect(self) -> tuple[int, int]:
        """(epoch, step) from which a change of shuffle or seed applies: an epoch's row order
        is fixed when its first batch runs, so the next step if it begins an epoch, else the
        first step of the next epoch (at the batch size the next step runs with)."""
        epoch, offset = self._history.position_after(self._cursor)
        if offset == 0:
            return epoch, self._cursor + 1
        left = math.ceil((self.n_rows - offset) / self.hyperparams.batch_size)
        return epoch + 1, self._cursor + left + 1

    def previous_epoch_boundary(self) -> StepEvent:
        """Back to the last epoch boundary before the cursor (step 0 at the latest)."""
        # Epoch e ends at first[e + 1] - 1; the last one before the cursor has first <= cursor.
        first = self._history.epoch_first_step
        k = bisect.bisect_left(first, self._cursor + 1) - 1
        return self.jump(first[k] - 1 if k >= 2 else 0)

    def _recorded_boundary_after(self, step: int) -> int | None:
        """The first recorded epoch boundary after `step` (O(log epochs)), or None."""
        first = self._history.epoch_first_step
        i = bisect.bisect_right(first, step + 1)
        if 2 <= i < len(first):
            return first[i] - 1
        last = self.history_length
        if last > step and self._history.ends_epoch(last):
            return last  # the last recorded step completes its epoch
        return None

    def _steps_left_in_last_epoch(self) -> int:
        """Steps the current settings need to finish the epoch of the last recorded step."""
        _, offset = self._history.position_after(self.history_length)
        return math.ceil((self.n_rows - offset) / self._hp.batch_size)

    def _to_next_boundary(
        self, progress: runner.Progress | None, should_stop: runner.ShouldStop | None
    ) -> int:
        recorded = self._recorded_boundary_after(self._cursor)
        if recorded is not None:
            self._cursor = recorded
            return 0
        self._cursor = self.history_length
        return self._advance(self._steps_left_in_last_epoch(), progress, should_stop)

    def _advance(
        self,
        count: int,
        progress: runner.Progress | None = None,
        should_stop: runner.ShouldStop | None = None,
    ) -> int:
        """Compute up to `count` new steps at the end of the history; the cursor ends there."""
        if self._diverged_at is not None or count <= 0:
            return 0
        history = self._history
        self._cursor = history.length
        velocity = (
            self._velocity_after(history.length) if self._hp.momentum else np.zeros(history.width)
        )
        done, reason, last_detail = runner.advance(
            history, self.data, self._schedule, self._hp, velocity, count, progress, should_stop
        )
        if done:
            self._fresh = None if last_detail is None else (history.length, last_detail)
        if reason:
            self._diverged_at = history.length + 1
            self._divergence_reason = reason
        self._cursor = history.length
        return done

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
        old = self.hyperparams
        try:
            wanted = hyperparams if hyperparams is not None else replace(old, **changes)
        except TypeError as exc:
            raise SettingError(str(exc)) from None
        new = wanted.validated(self.n_rows)
        if new == old:
            return self.current()
        _check_penalty(self.weights, new.l2)
        dropped = self.history_length - self._cursor
        if dropped:
            # The whole run is kept (no step copied: the history is shared until one of the
            # two writes), to draw its dropped steps and to bring them back (`restore_dropped`).
            self._set_dropped(Dropped(self._cursor, self.keep()))
            self._step_losses = {s: v for s, v in self._step_losses.items() if s <= self._cursor}
            self._history.truncate(self._cursor)
            self._fresh = None
        self._hp = new
        self._diverged_at = None
        self._divergence_reason = ""
        event = self.current()
        self._publish(HyperparamsChanged(event, old=old, new=new, dropped_steps=dropped))
        return event

    # ------------------------------------------------------------------ runs kept aside

    def keep(self) -> Run:
        """This run as a record to take up again (`resume`): its data, initial weights, every
        step with its settings, the settings for new steps, its cursor. No step is copied."""
        return Run(
            data=self.data,
            initial_weights=self.initial_weights,
            evaluator=self.evaluator,
            history=self._history.share(),
            hyperparams=self._hp,
            cursor=self._cursor,
            diverged_at=self._diverged_at,
            divergence_reason=self._divergence_reason,
            dropped=self._dropped,
            losses=dict(self._step_losses),
        )

    def resume(self, run: Run) -> Run:
        """Take up `run` where it was left, bit for bit; returns this run as it is left (kept
        whole: nothing of it is lost). The dataset is the engine's (only its scaling and
        initial weights may differ)."""
        if run.data.dataset is not self.dataset:
            raise SettingError("a run of another dataset cannot be taken up here")
        left = self.keep()
        self._install(run)
        self._publish(Switched(self.current()))
        return left

    def _install(self, run: Run) -> None:
        self.data = run.data
        self.initial_weights = run.initial_weights
        self.evaluator = run.evaluator
        self._step_losses = dict(run.losses)
        self._schedule = Schedule(run.data.n_rows)
        # A History of its own over the run's arrays: the record itself never changes.
        self._history = run.history.share()
        self._fresh = None
        self._hp = run.hyperparams
        self._cursor = run.cursor
        self._diverged_at = run.diverged_at
        self._divergence_reason = run.divergence_reason
        self._set_dropped(run.dropped)

    def hold_dropped(self, dropped: Dropped) -> None:
        """Hold `dropped` as the timeline the last change dropped (a session opened again):
        drawn as the ghost, brought back by `restore_dropped`. Its steps 0 .. parted_at must
        be this run's, bit for bit; SettingError, and nothing held, otherwise."""
        run, at = dropped.run, dropped.parted_at
        if run.data.dataset is not self.dataset or run.standardized != self.standardized:
            raise SettingError("the dropped steps are of other data or scaling than the run's")
        if not 0 <= at <= self.history_length or at >= run.history_length:
            raise SettingError(
                f"the dropped steps must part from the run at one of its steps (0 to "
                f"{self.history_length}) and go on past it, got step {at}"
            )
        shared = self.weight_history()[: at + 1]
        if shared.tobytes() != run.weight_history()[: at + 1].tobytes():
            raise SettingError(f"the dropped steps are not this run's up to step {at}")
        self._set_dropped(dropped)

    @property
    def dropped(self) -> Dropped | None:
        """The timeline the last change dropped (None if nothing was), kept whole."""
        return self._dropped

    def dropped_fits(self) -> bool:
        """The dropped steps are what the next step would compute again: the cursor is where
        they part, at the end of the history, and the next step runs with their settings."""
        dropped = self._dropped
        return (
            dropped is not None
            and self._cursor == dropped.parted_at == self.history_length
            and self._hp == dropped.run.history.hyperparams_of(dropped.parted_at + 1)
        )

    def restore_dropped(self) -> StepEvent:
        """Bring the dropped steps back, bit for bit as recorded (not recomputed): the cursor
        stays where the two timelines part, and the steps this run took since then become the
        dropped ones in their turn (none are lost)."""
        dropped = self._dropped
        if dropped is None:
            raise SettingError("no steps were dropped: there is nothing to bring back")
        left = self.keep()
        self._install(dropped.run)
        self._cursor = dropped.parted_at
        past = left.history_length > dropped.parted_at
        self._set_dropped(Dropped(dropped.parted_at, replace(left, dropped=None)) if past else None)
        event = self.current()
        self._publish(Switched(event))
        return event

    def _set_dropped(self, dropped: Dropped | None) -> None:
        self._dropped = dropped
        if dropped is None:
            self.ghost = None
            return
        start = dropped.parted_at + 1
        self.ghost = Ghost(
            start_step=start,
            # A view of the kept run's steps: that record is never written.
            weights=_frozen(dropped.run.weight_history()[start:].view()),
            hyperparams=dropped.run.history.hyperparams_of(start),
        )

    # ------------------------------------------------------------------ rebuilding events

    def current(self) -> StepEvent:
        """The StepEvent at the cursor."""
        return self.event_at(self._cursor)

    def _detail(self, step: int) -> StepDetail:
        """Recorded step `step` computed again, by the code that computed it: bit for bit (the
        last step computed is at hand as it was computed)."""
        fresh = self._fresh
        if fresh is not None and fresh[0] == step:
            return fresh[1]
        history = self._history
        hp = history.hyperparams_of(step)
        index = self._batch_index(step)
        velocity = self._velocity_after(step - 1) if hp.momentum else np.zeros(history.width)
        with np.errstate(all="ignore"):
            return one_step(
                self.data.xb[index],
                self.data.signs[index],
                history.weights_after(step - 1),
                velocity,
                hp.learning_rate,
                hp.l2,
                hp.momentum,
            )

    def next_step(self) -> StepDetail:
        """The step after the cursor, as the engine computes it: the recorded one (bit for bit)
        or, at the end of the history, the one a step forward would compute, not recorded."""
        step = self._cursor
        if step < self.history_length:
            return self._detail(step + 1)
        hp = self._hp
        rows = self._rows_after(step)
        velocity = self._velocity_after(step) if hp.momentum else np.zeros(self._history.width)
        with np.errstate(all="ignore"):
            return one_step(
                self.data.xb[rows],
                self.data.signs[rows],
                self._history.weights_after(step),
                velocity,
                hp.learning_rate,
                hp.l2,
                hp.momentum,
            )

    def _velocity_after(self, step: int) -> FloatArray:
        """The momentum buffer after `step` (zeros at step 0)."""
        stored = self._history.velocity_after(step)
        # A step without momentum stored none: its direction was its own gradient.
        return stored if stored is not None else self._detail(step).velocity

    def event_at(self, step: int) -> StepEvent:
        """Rebuild the StepEvent of a recorded step: O(B d) plus its O(n d) full-data figures.

        Reads the history only: the cursor never changes, even for a moment (a background run
        calls this from its worker thread).
        """
        self._check_recorded(step)
        if step == 0:
            return self._start_event()
        history, data = self._history, self.data
        hp = history.hyperparams_of(step)
        index = self._batch_index(step)
        detail = self._detail(step)
        w_before = history.weights_after(step - 1)
        labels, signs = data.labels[index], data.signs[index]
        epoch = history.epoch_of(step)
        batch = step - history.epoch_first_step[epoch] + 1
        rest = self.n_rows - history.end_of(step)
        width = history.width
        with np.errstate(all="ignore"):
            batch_part = _Batch(
                epoch=epoch,
                batch=batch,
                batches_per_epoch=batch + math.ceil(rest / hp.batch_size),
                rows=_row_numbers(index),
                inputs=self.inputs[index],
                detail=detail,
                # For a label 0, f is f - y itself: the derivation shows one number for both.
                f=np.where(labels == 0.0, detail.residuals, maths.sigmoid(detail.z)),
                sample_losses=maths.sample_losses(detail.z, labels, signs),
                l2_terms=maths.l2_terms(w_before, hp.l2) if hp.l2 else np.zeros(width),
                velocity_before=(
                    self._velocity_after(step - 1) if hp.momentum else np.zeros(width)
                ),
                batch_loss=maths.mean_loss(detail.z, labels, signs),
            )
        return self._event(step, hp, w_before, history.weights_after(step), batch_part)

    def _start_event(self) -> StepEvent:
        """Step 0: the initial weights, and what step 1 ran with (or will run with)."""
        hp = self._history.hyperparams_of(1) if self.history_length else self._hp
        width = self._history.width
        none, no_weights = np.zeros(0), np.zeros(width)
        w = self._history.weights_after(0)
        batch_part = _Batch(
            epoch=0,
            batch=0,
            batches_per_epoch=math.ceil(self.n_rows / hp.batch_size),
            rows=np.zeros(0, dtype=np.int64),
            inputs=self.inputs[:0],
            detail=StepDetail(none, none, no_weights, no_weights, no_weights, w),
            f=none,
            sample_losses=none,
            l2_terms=no_weights,
            velocity_before=no_weights,
            batch_loss=math.nan,
        )
        return self._event(0, hp, w, w, batch_part)

    def _event(
        self, step: int, hp: Hyperparams, w_before: FloatArray, w_after: FloatArray, part: _Batch
    ) -> StepEvent:
        before, after = self.evaluator.of(w_before), self.evaluator.of(w_after)
        # The curve's point at this step comes free with the event.
        self._step_losses[step] = after.loss
        detail, rows = part.detail, part.rows
        return StepEvent(
            step=step,
            epoch=part.epoch,
            batch=part.batch,
            batches_per_epoch=part.batches_per_epoch,
            rows=_frozen(rows),
            inputs=_frozen(part.inputs),
            labels=_frozen(self.data.labels[rows]),
            z=_frozen(np.asarray(detail.z, dtype=np.float64)),
            f=_frozen(part.f),
            residuals=_frozen(np.asarray(detail.residuals, dtype=np.float64)),
            sample_losses=_frozen(part.sample_losses),
            data_gradient=_frozen(np.array(detail.data_gradient)),
            l2_terms=_frozen(part.l2_terms),
            gradient=_frozen(np.array(detail.gradient)),
            velocity_before=_frozen(part.velocity_before),
            velocity_after=_frozen(np.array(detail.velocity)),
            hyperparams=hp,
            weights_before=_frozen(w_before),
            weights_after=_frozen(w_after),
            batch_loss=part.batch_loss,
            loss_before=before.loss,
            accuracy_before=before.accuracy,
            loss_after=after.loss,
            accuracy_after=after.accuracy,
            objective_before=maths.objective(before.loss, w_before, hp.l2),
            objective_after=maths.objective(after.loss, w_after, hp.l2),
            z_before_all=before.z,
            z_after_all=after.z,
            next_rows=_frozen(self._rows_after(step)),
            next_hyperparams=self._hyperparams_after(step),
            standardized=self.standardized,
            history_length=self.history_length,
            diverged_at=self._diverged_at,
        )

    def loss_at(self, steps: IntArray | list[int]) -> FloatArray:
        """Full-data mean loss after each of the given recorded steps (for a drawn loss curve),
        each computed once while its step is recorded."""
        picks = np.asarray(steps, dtype=np.int64)
        if picks.size and not (int(picks.min()) >= 0 and int(picks.max()) <= self.history_length):
            raise IndexError(f"steps must be recorded (0 .. {self.history_length})")
        history = self._history
        return self._kept_losses(picks, self._step_losses, history.weights_after)

    def ghost_losses(self, indexes: IntArray | list[int]) -> FloatArray:
        """Full-data mean loss after each given step of the ghost (indexes into its weights)."""
        dropped = self._dropped
        if dropped is None:
            raise IndexError("there is no ghost: no steps were dropped")
        picks = np.asarray(indexes, dtype=np.int64)
        return dropped.run.loss_at(picks + dropped.parted_at + 1)

    def _kept_losses(
        self,
        picks: IntArray,
        kept: dict[int, float],
        weights_of: Callable[[int], FloatArray],
    ) -> FloatArray:
        out = np.empty(picks.size)
        for i, pick in enumerate(picks.tolist()):
            loss = kept.get(pick)
            if loss is None:
                loss = kept[pick] = self.evaluator.loss(weights_of(pick))
            out[i] = loss
        if len(kept) > LOSSES_KEPT:  # a curve keeps a few hundred: this is a long session's
            kept.clear()
        return out


def _check_penalty(weights: FloatArray, l2: float) -> None:
    """SettingError if lambda/2 sum w_j^2 overflows at these weights: the objective would be
    infinite from the start (a setting that only these weights can refute)."""
    if not math.isfinite(maths.l2_penalty(weights, l2)):
        raise SettingError(
            "this L2 penalty lambda makes lambda/2 * sum of w_j^2 overflow at the current "
            "weights (the objective would be infinite); choose a smaller lambda",
            setting="l2",
        )


def _row_numbers(index: slice | IntArray) -> IntArray:
    if isinstance(index, slice):
        return np.arange(index.start, index.stop, dtype=np.int64)
    return np.asarray(index, dtype=np.int64)
