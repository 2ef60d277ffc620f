"""The engine as a timeline: determinism, time travel, live settings, epochs, divergence."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import fields
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import event as count_example
from hypothesis import strategies as st

import logsgd.core.step as step_module
from logsgd.core import (
    Dataset,
    Diverged,
    Engine,
    EngineMessage,
    Hyperparams,
    HyperparamsChanged,
    Moved,
    Reset,
    SettingError,
    StepEvent,
    Stepped,
    maths,
)

EVENT_FIELDS = [f.name for f in fields(StepEvent)]
DatasetMaker = Callable[..., Dataset]


def assert_events_equal(a: StepEvent, b: StepEvent, ignore: tuple[str, ...] = ()) -> None:
    """Every field equal: arrays by value, shape and dtype; NaN equals NaN (step 0's batch loss)."""
    for name in EVENT_FIELDS:
        if name in ignore:
            continue
        x, y = getattr(a, name), getattr(b, name)
        if isinstance(x, np.ndarray):
            assert isinstance(y, np.ndarray), name
            assert x.dtype == y.dtype and x.shape == y.shape, name
            assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), f"{name}: {x} != {y}"
        elif isinstance(x, float) and math.isnan(x):
            assert isinstance(y, float) and math.isnan(y), name
        else:
            assert x == y, f"{name}: {x!r} != {y!r}"


# The number of recorded steps is a property of the timeline, not of the step: an event seen
# when its step was the newest differs from the same step viewed later in this field only.
TIMELINE_FIELDS = ("history_length",)


class Recorder:
    """A subscriber that keeps every message."""

    def __init__(self) -> None:
        self.messages: list[EngineMessage] = []

    def __call__(self, message: EngineMessage) -> None:
        self.messages.append(message)

    def kinds(self) -> list[str]:
        return [type(m).__name__ for m in self.messages]

    def take(self) -> list[EngineMessage]:
        taken, self.messages = self.messages, []
        return taken


@contextmanager
def no_float_warnings() -> Iterator[None]:
    """What would print a RuntimeWarning raises instead (numpy's default 'warn' categories)."""
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        yield


def rows_per_epoch(engine: Engine) -> dict[int, list[int]]:
    """The rows of every recorded step, gathered by epoch, in the order they ran."""
    epochs: dict[int, list[int]] = {}
    for step in range(1, engine.history_length + 1):
        event = engine.event_at(step)
        epochs.setdefault(event.epoch, []).extend(event.rows.tolist())
    return epochs


def assert_every_epoch_covers_every_row_once(engine: Engine) -> None:
    n = engine.n_rows
    epochs = rows_per_epoch(engine)
    complete = {engine.event_at(b).epoch for b in engine.epoch_boundaries() if b > 0}
    for epoch, rows in epochs.items():
        assert len(rows) == len(set(rows)), f"epoch {epoch} repeats a row: {rows}"
        assert all(0 <= r < n for r in rows), rows
        if epoch in complete:
            assert sorted(rows) == list(range(n)), f"epoch {epoch}: {rows}"
        else:
            assert epoch == max(epochs), f"epoch {epoch} is incomplete but not the last"
            assert len(rows) < n


def assert_update_rule(event: StepEvent) -> None:
    """w_after = w_before - lr * v_after, v_after = mu v_before + g, g = data + L2: exact."""
    hp = event.hyperparams
    if hp.momentum:
        assert np.array_equal(
            event.velocity_after, hp.momentum * event.velocity_before + event.gradient
        )
    else:
        assert np.array_equal(event.velocity_after, event.gradient)
    if hp.l2:
        assert np.array_equal(event.gradient, event.data_gradient + event.l2_terms)
    else:
        assert np.array_equal(event.gradient, event.data_gradient)
    assert np.array_equal(
        event.weights_after, event.weights_before - hp.learning_rate * event.velocity_after
    )


@pytest.fixture
def dataset(dataset_maker: DatasetMaker) -> Dataset:
    return dataset_maker(n=11, d=3, seed=3, scale=2.0)


# ---------------------------------------------------------------- determinism


def test_same_setup_and_seed_give_identical_runs(dataset: Dataset) -> None:
    hp = Hyperparams(learning_rate=0.5, batch_size=3, shuffle=True, seed=7, l2=0.01, momentum=0.5)
    first, second = Engine(dataset, hp), Engine(dataset, hp)
    first.run_steps(40)
    for _ in range(40):
        second.step()
    assert np.array_equal(first.weight_history(), second.weight_history())
    assert first.weight_history().shape == (41, 4)
    for step in range(41):
        assert_events_equal(first.event_at(step), second.event_at(step))


def test_another_seed_gives_another_order(dataset: Dataset) -> None:
    runs = []
    for seed in (7, 8):
        engine = Engine(
            dataset, Hyperparams(learning_rate=0.5, batch_size=11, shuffle=True, seed=seed)
        )
        runs.append(engine.step().rows.tolist())
    assert sorted(runs[0]) == sorted(runs[1]) == list(range(11))
    assert runs[0] != runs[1]


# ---------------------------------------------------------------- moving through time


def test_back_then_forward_gives_identical_events(dataset: Dataset) -> None:
    engine = Engine(dataset, Hyperparams(learning_rate=0.3, batch_size=4, shuffle=True, seed=1))
    seen = [engine.current()]
    for _ in range(15):
        seen.append(engine.step())
    assert [e.step for e in seen] == list(range(16))
    for step in range(14, -1, -1):
        event = engine.back()
        assert event.step == engine.cursor == step
        assert_events_equal(event, seen[step], ignore=TIMELINE_FIELDS)
    assert engine.back().step == 0  # stays at the start
    for step in range(1, 16):
        event = engine.step()
        assert engine.history_length == 15  # replayed, not recomputed
        assert_events_equal(event, seen[step], ignore=TIMELINE_FIELDS)


def test_event_at_a_step_equals_the_event_seen_when_it_was_computed(dataset: Dataset) -> None:
    engine = Engine(dataset, Hyperparams(learning_rate=0.3, batch_size=3, momentum=0.7, l2=0.1))
    seen = [engine.current()] + [engine.step() for _ in range(12)]
    engine.jump(5)
    for step, event in enumerate(seen):
        assert_events_equal(engine.event_at(step), event, ignore=TIMELINE_FIELDS)
        assert engine.event_at(step).history_length == 12
    assert engine.cursor == 5


def test_event_at_0_does_not_depend_on_the_cursor(dataset: Dataset) -> None:
    engine = Engine(dataset, Hyperparams(learning_rate=0.1, batch_size=2))
    engine.run_steps(3)
    engine.set_hyperparams(learning_rate=0.5, batch_size=3)
    engine.run_steps(2)
    seen_from_5 = engine.event_at(0)
    assert_events_equal(seen_from_5, engine.jump(0))


def test_jump_from_0_equals_single_steps(dataset: Dataset) -> None:
    hp = Hyperparams(learning_rate=0.4, batch_size=3, shuffle=True, seed=4, momentum=0.3)
    jumped, stepped = Engine(dataset, hp), Engine(dataset, hp)
    event = jumped.jump(23)
    for _ in range(23):
        stepped.step()
    assert event.step == jumped.cursor == jumped.history_length == 23
    assert np.array_equal(jumped.weight_history(), stepped.weight_history())
    assert_events_equal(event, stepped.current())
    # Jumping back and forward inside the history moves only the cursor.
    jumped.jump(7)
    assert jumped.history_length == 23
    assert np.array_equal(jumped.weights, stepped.weight_history()[7])
    with pytest.raises(SettingError, match="step must be 0 or more"):
        jumped.jump(-1)
    with pytest.raises(IndexError):
        jumped.event_at(24)


def test_run_epochs_ends_on_an_epoch_boundary(dataset_maker: DatasetMaker) -> None:
    engine = Engine(dataset_maker(n=10, d=2), Hyperparams(learning_rate=0.2, batch_size=3))
    # 10 rows in batches of 3: 3, 3, 3, 1.
    event = engine.run_epochs(2)
    assert event.step == engine.cursor == 8
    assert engine.epoch_boundaries() == [0, 4, 8]
    assert event.rows.tolist() == [9] and event.next_rows.tolist() == [0, 1, 2]
    engine.step()  # mid-epoch 3
    engine.set_hyperparams(batch_size=4)  # rows 3..9 left: 4, then 3
    event = engine.run_epochs(1)
    assert event.step == 11 and event.rows.tolist() == [7, 8, 9]
    assert engine.epoch_boundaries() == [0, 4, 8, 11]
    engine.jump(2)
    assert engine.run_epochs(1).step == 4  # from inside the history: replay to the boundary
    assert engine.run_epochs(0).step == 4


# ---------------------------------------------------------------- live hyperparameters


def test_changing_a_setting_mid_history_drops_the_future_and_keeps_a_ghost(
    dataset: Dataset,
) -> None:
    old = Hyperparams(learning_rate=0.1, batch_size=2)
    engine = Engine(dataset, old)
    recorder = Recorder()
    engine.subscribe(recorder)
    engine.run_steps(10)
    dropped = np.array(engine.weight_history()[5:])
    engine.jump(4)
    recorder.take()
    event = engine.set_hyperparams(learning_rate=0.7)
    assert engine.history_length == engine.cursor == event.step == 4
    assert engine.ghost is not None
    assert engine.ghost.start_step == engine.cursor + 1 == 5
    assert np.array_equal(engine.ghost.weights, dropped)
    assert engine.ghost.hyperparams == old
    (message,) = recorder.take()
    assert isinstance(message, HyperparamsChanged)
    assert (message.old.learning_rate, message.new.learning_rate) == (0.1, 0.7)
    assert message.dropped_steps == 6 and message.event.step == 4
    assert event.next_hyperparams.learning_rate == 0.7
    new = engine.step()
    assert new.hyperparams.learning_rate == 0.7
    assert np.array_equal(new.weights_after, new.weights_before - 0.7 * new.gradient)
    assert not np.array_equal(new.weights_after, dropped[0])
    # Each step keeps the settings it ran with.
    assert [engine.event_at(k).hyperparams.learning_rate for k in range(1, 6)] == [0.1] * 4 + [0.7]
    assert [engine.hyperparams_at(k).learning_rate for k in range(1, 6)] == [0.1] * 4 + [0.7]
    assert engine.hyperparam_changes() == [5]


def test_changing_a_setting_and_back_recomputes_the_same_future(dataset: Dataset) -> None:
    old = Hyperparams(learning_rate=0.2, batch_size=3, shuffle=True, seed=2, momentum=0.8)
    engine = Engine(dataset, old)
    engine.run_steps(12)
    engine.jump(6)
    engine.set_hyperparams(learning_rate=1.5)
    assert engine.ghost is not None
    ghost = engine.ghost.weights
    engine.set_hyperparams(learning_rate=0.2)
    assert engine.ghost.weights is ghost  # nothing more was dropped
    engine.run_steps(6)
    # The velocity at step 6 survived the truncation: the same 6 steps come out again.
    assert np.array_equal(engine.weight_history()[7:], ghost)


def test_an_unchanged_setting_keeps_the_future(dataset: Dataset) -> None:
    engine = Engine(dataset, Hyperparams(learning_rate=0.2, batch_size=3))
    recorder = Recorder()
    engine.subscribe(recorder)
    engine.run_steps(6)
    engine.jump(2)
    recorder.take()
    engine.set_hyperparams(learning_rate=0.2)
    assert engine.history_length == 6 and engine.ghost is None
    assert recorder.messages == []


def test_a_batch_size_change_mid_epoch_starts_at_the_first_unseen_row(
    dataset_maker: DatasetMaker,
) -> None:
    engine = Engine(dataset_maker(n=7, d=2), Hyperparams(learning_rate=0.1, batch_size=2))
    assert engine.step().rows.tolist() == [0, 1]
    event = engine.set_hyperparams(batch_size=3)
    assert event.next_rows.tolist() == [2, 3, 4]
    steps = [engine.step() for _ in range(4)]
    assert [s.rows.tolist() for s in steps] == [[2, 3, 4], [5, 6], [0, 1, 2], [3, 4, 5]]
    assert [(s.epoch, s.batch, s.batches_per_epoch) for s in steps] == [
        (1, 2, 3),
        (1, 3, 3),
        (2, 1, 3),
        (2, 2, 3),
    ]
    assert engine.epoch_boundaries() == [0, 3]


def test_a_batch_size_change_mid_epoch_keeps_the_shuffled_order(
    dataset_maker: DatasetMaker,
) -> None:
    engine = Engine(
        dataset_maker(n=9, d=2), Hyperparams(learning_rate=0.1, batch_size=2, shuffle=True, seed=5)
    )
    first = engine.step().rows.tolist()
    engine.set_hyperparams(batch_size=4)
    rest = engine.step().rows.tolist() + engine.step().rows.tolist()
    assert len(first) == 2 and len(rest) == 7
    order = first + rest
    assert sorted(order) == list(range(9))
    assert order == np.random.default_rng([5, 1]).permutation(9).tolist()


@pytest.mark.parametrize("shuffle", [False, True], ids=["in-order", "shuffled"])
def test_every_epoch_covers_every_row_once_for_every_batch_size(
    dataset_maker: DatasetMaker, shuffle: bool
) -> None:
    dataset = dataset_maker(n=7, d=2)
    for batch_size in range(1, 8):
        engine = Engine(
            dataset, Hyperparams(learning_rate=0.1, batch_size=batch_size, shuffle=shuffle, seed=9)
        )
        engine.run_epochs(3)
        epochs = rows_per_epoch(engine)
        assert sorted(epochs) == [1, 2, 3]
        for rows in epochs.values():
            assert sorted(rows) == list(range(7)), (batch_size, rows)
            if not shuffle:
                assert rows == list(range(7))
        assert engine.history_length == 3 * math.ceil(7 / batch_size)
        assert_every_epoch_covers_every_row_once(engine)


@pytest.mark.parametrize("shuffle", [False, True], ids=["in-order", "shuffled"])
def test_every_epoch_covers_every_row_once_when_the_batch_size_changes_mid_run(
    dataset_maker: DatasetMaker, shuffle: bool
) -> None:
    n = 13
    engine = Engine(
        dataset_maker(n=n, d=2), Hyperparams(learning_rate=0.1, batch_size=5, shuffle=shuffle)
    )
    rng = np.random.default_rng(0)
    for _ in range(40):
        engine.set_hyperparams(batch_size=int(rng.integers(1, n + 1)))
        engine.run_steps(int(rng.integers(1, 4)))
    engine.next_epoch_boundary()
    assert len(engine.epoch_boundaries()) >= 5
    assert_every_epoch_covers_every_row_once(engine)
    assert engine.cursor in engine.epoch_boundaries()


# ---------------------------------------------------------------- shuffling


def test_shuffle_draws_a_fresh_permutation_per_epoch_from_seed_and_epoch(
    dataset_maker: DatasetMaker,
) -> None:
    dataset = dataset_maker(n=12, d=2)
    engine = Engine(dataset, Hyperparams(learning_rate=0.1, batch_size=4, shuffle=True, seed=5))
    engine.run_epochs(4)
    orders = rows_per_epoch(engine)
    for epoch, rows in orders.items():
        assert rows == np.random.default_rng([5, epoch]).permutation(12).tolist()
    assert len({tuple(rows) for rows in orders.values()}) == 4
    # The order is a function of (seed, epoch) only: not of batch size, rate or history.
    other = Engine(dataset, Hyperparams(learning_rate=2.0, batch_size=5, shuffle=True, seed=5))
    other.run_epochs(4)
    assert rows_per_epoch(other) == orders


def test_the_batch_of_a_step_is_the_same_computed_or_replayed(dataset: Dataset) -> None:
    engine = Engine(dataset, Hyperparams(learning_rate=0.1, batch_size=4, shuffle=True, seed=11))
    announced, computed = [], []
    for _ in range(9):
        announced.append(engine.current().next_rows.tolist())
        computed.append(engine.step().rows.tolist())
    assert announced == computed
    engine.jump(0)
    for step in range(1, 10):
        assert engine.current().next_rows.tolist() == computed[step - 1]
        assert engine.step().rows.tolist() == computed[step - 1]
        assert engine.event_at(step).rows.tolist() == computed[step - 1]


def test_shuffle_switched_on_mid_epoch_applies_from_the_next_epoch(
    dataset_maker: DatasetMaker,
) -> None:
    engine = Engine(dataset_maker(n=6, d=2), Hyperparams(learning_rate=0.1, batch_size=2))
    engine.step()
    event = engine.set_hyperparams(shuffle=True, seed=3)
    assert event.next_rows.tolist() == [2, 3]
    assert [engine.step().rows.tolist() for _ in range(2)] == [[2, 3], [4, 5]]
    epoch_2 = [engine.step().rows.tolist() for _ in range(3)]
    assert sum(epoch_2, []) == np.random.default_rng([3, 2]).permutation(6).tolist()
    assert sum(epoch_2, []) != list(range(6))


def test_shuffle_switched_off_or_reseeded_mid_epoch_applies_from_the_next_epoch(
    dataset_maker: DatasetMaker,
) -> None:
    engine = Engine(
        dataset_maker(n=6, d=2), Hyperparams(learning_rate=0.1, batch_size=2, shuffle=True, seed=3)
    )
    order_1 = np.random.default_rng([3, 1]).permutation(6).tolist()
    assert engine.step().rows.tolist() == order_1[:2]
    engine.set_hyperparams(seed=4)
    assert engine.step().rows.tolist() == order_1[2:4]  # epoch 1 keeps seed 3's order
    engine.set_hyperparams(shuffle=False)
    assert engine.step().rows.tolist() == order_1[4:]
    assert [engine.step().rows.tolist() for _ in range(3)] == [[0, 1], [2, 3], [4, 5]]
    engine.set_hyperparams(shuffle=True)  # at an epoch boundary: applies at once, seed 4
    order_3 = [engine.step().rows.tolist() for _ in range(3)]
    assert sum(order_3, []) == np.random.default_rng([4, 3]).permutation(6).tolist()


# ---------------------------------------------------------------- validation


N_ROWS = 11


@pytest.mark.parametrize(
    ("changes", "mentions"),
    [
        ({"learning_rate": 0}, "learning rate"),
        ({"learning_rate": -1}, "learning rate"),
        ({"learning_rate": math.nan}, "learning rate"),
        ({"learning_rate": math.inf}, "learning rate"),
        ({"learning_rate": "abc"}, "learning rate"),
        ({"learning_rate": True}, "learning rate"),
        ({"batch_size": 0}, "batch size"),
        ({"batch_size": N_ROWS + 1}, "batch size"),
        ({"batch_size": 2.5}, "batch size"),
        ({"l2": -1}, "L2"),
        ({"l2": math.nan}, "L2"),
        ({"momentum": 1}, "momentum"),
        ({"momentum": -0.1}, "momentum"),
        ({"seed": -1}, "seed"),
        ({"learnin_rate": 0.1}, "learnin_rate"),
    ],
)
def test_a_rejected_setting_raises_and_leaves_the_state_untouched(
    dataset: Dataset, changes: dict[str, Any], mentions: str
) -> None:
    assert dataset.n_rows == N_ROWS
    engine = Engine(dataset, Hyperparams(learning_rate=0.1, batch_size=3, momentum=0.5))
    engine.run_steps(8)
    engine.jump(5)
    recorder = Recorder()
    engine.subscribe(recorder)
    before = (engine.history_length, engine.cursor, engine.hyperparams, engine.ghost)
    history = np.array(engine.weight_history())
    shown = engine.current()
    with pytest.raises(SettingError) as caught:
        engine.set_hyperparams(**changes)
    message = str(caught.value)
    assert mentions in message and "\n" not in message
    assert (engine.history_length, engine.cursor, engine.hyperparams, engine.ghost) == before
    assert np.array_equal(engine.weight_history(), history)
    assert_events_equal(engine.current(), shown)
    assert recorder.messages == []


@pytest.mark.parametrize(
    ("initial_weights", "mentions"),
    [
        ([0.0, 0.0], "need 4 numbers"),
        ([0.0, 0.0, 0.0, 0.0, 0.0], "need 4 numbers"),
        ([0.0, math.nan, 0.0, 0.0], "initial weight w1"),
        ([0.0, 0.0, 0.0, math.inf], "initial weight w3"),
        (["a", 0.0, 0.0, 0.0], "must be numbers"),
    ],
)
def test_rejected_initial_weights_raise_and_leave_the_state_untouched(
    dataset: Dataset, initial_weights: list[Any], mentions: str
) -> None:
    with pytest.raises(SettingError, match=mentions):
        Engine(dataset, initial_weights=initial_weights)
    engine = Engine(dataset, Hyperparams(learning_rate=0.1, batch_size=3))
    engine.run_steps(5)
    engine.back()
    history = np.array(engine.weight_history())
    with pytest.raises(SettingError, match=mentions):
        engine.restart(initial_weights=initial_weights, standardized=True)
    assert (engine.history_length, engine.cursor, engine.standardized) == (5, 4, False)
    assert np.array_equal(engine.weight_history(), history)
    assert np.array_equal(engine.initial_weights, np.zeros(4))


# ---------------------------------------------------------------- momentum and L2 by hand


def hand_sgd(
    x: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    batches: list[list[int]],
    lr: float,
    l2: float = 0.0,
    mu: float = 0.0,
) -> list[np.ndarray]:
    """Plain Python-float SGD (the engine's path for small batches), term by term, in order.

    g_j = (1/B) sum_i (f_i - y_i) x_ij  (+ l2 w_j, not the bias);  v = mu v + g;  w = w - lr v

    f - y is taken from z, as the lecture's chain rule gives it without cancellation: sigma(z)
    for y = 0 and -sigma(-z) = -(1 - f) for y = 1.
    """
    weights = [float(v) for v in w]
    velocity = [0.0] * len(weights)
    history = [np.array(weights)]
    for rows in batches:
        sums = [0.0] * len(weights)
        for k, i in enumerate(rows):
            inputs = [*x[i].tolist(), 1.0]
            z = 0.0
            for wj, xj in zip(weights, inputs, strict=True):
                z += wj * xj
            e = math.exp(-abs(z))
            if y[i] == 0:
                residual = (1.0 if z >= 0 else e) / (1.0 + e)  # sigma(z)
            else:
                residual = -((e if z >= 0 else 1.0) / (1.0 + e))  # -sigma(-z)
            for j, xj in enumerate(inputs):
                sums[j] = residual * xj if k == 0 else sums[j] + residual * xj
        gradient = [s / len(rows) for s in sums]
        if l2:
            gradient = [g + l2 * wj for g, wj in zip(gradient, weights, strict=True)]
            gradient[-1] -= l2 * weights[-1]  # the bias is not penalised
        if mu:
            velocity = [mu * v + g for v, g in zip(velocity, gradient, strict=True)]
            weights = [wj - lr * v for wj, v in zip(weights, velocity, strict=True)]
        else:
            weights = [wj - lr * g for wj, g in zip(weights, gradient, strict=True)]
        history.append(np.array(weights))
    return history


def test_with_momentum_and_l2_off_it_is_plain_sgd_bit_for_bit(
    dataset_maker: DatasetMaker,
) -> None:
    dataset = dataset_maker(n=6, d=2, seed=8, scale=3.0)
    initial = np.array([0.5, -0.25, 0.125])
    engine = Engine(dataset, Hyperparams(learning_rate=0.3, batch_size=2), initial_weights=initial)
    engine.run_steps(12)
    batches = [[0, 1], [2, 3], [4, 5]] * 4
    by_hand = hand_sgd(dataset.features, dataset.labels, initial, batches, lr=0.3)
    assert np.array_equal(engine.weight_history(), np.array(by_hand))


def test_plain_sgd_on_the_numpy_path_matches_the_textbook_formula(
    dataset_maker: DatasetMaker,
) -> None:
    dataset = dataset_maker(n=20, d=3, seed=2)
    engine = Engine(dataset, Hyperparams(learning_rate=0.5, batch_size=10))
    assert step_module.SCALAR_PATH_MAX_TERMS < 10 * 4  # numpy path
    engine.run_steps(8)
    xb = np.hstack([dataset.features, np.ones((20, 1))])
    w = np.zeros(4)
    for step in range(1, 9):
        rows = slice(0, 10) if step % 2 else slice(10, 20)
        f = 1.0 / (1.0 + np.exp(-(xb[rows] @ w)))
        w = w - 0.5 * np.mean((f - dataset.labels[rows])[:, None] * xb[rows], axis=0)
        np.testing.assert_allclose(engine.weight_history()[step], w, rtol=1e-13, atol=1e-15)


def test_momentum_by_hand_for_three_steps(dataset_maker: DatasetMaker) -> None:
    dataset = dataset_maker(n=6, d=2, seed=8, scale=3.0)
    initial = np.array([0.5, -0.25, 0.125])
    hp = Hyperparams(learning_rate=0.3, batch_size=2, momentum=0.9)
    engine = Engine(dataset, hp, initial_weights=initial)
    events = [engine.step() for _ in range(3)]
    by_hand = hand_sgd(
        dataset.features, dataset.labels, initial, [[0, 1], [2, 3], [4, 5]], lr=0.3, mu=0.9
    )
    assert np.array_equal(engine.weight_history(), np.array(by_hand))
    velocity = np.zeros(3)
    for event in events:
        assert np.array_equal(event.velocity_before, velocity)
        velocity = 0.9 * velocity + event.gradient
        assert np.array_equal(event.velocity_after, velocity)
        assert np.array_equal(event.weights_after, event.weights_before - 0.3 * velocity)


def test_l2_by_hand_leaves_the_bias_alone(dataset_maker: DatasetMaker) -> None:
    dataset = dataset_maker(n=6, d=2, seed=8, scale=3.0)
    initial = np.array([0.5, -0.25, 0.125])
    engine = Engine(
        dataset,
        Hyperparams(learning_rate=0.3, batch_size=2, l2=0.2, momentum=0.5),
        initial_weights=initial,
    )
    engine.run_steps(9)
    by_hand = hand_sgd(
        dataset.features,
        dataset.labels,
        initial,
        [[0, 1], [2, 3], [4, 5]] * 3,
        lr=0.3,
        l2=0.2,
        mu=0.5,
    )
    np.testing.assert_allclose(engine.weight_history(), np.array(by_hand), rtol=1e-15, atol=1e-17)
    event = engine.event_at(4)
    assert np.array_equal(event.l2_terms[:2], 0.2 * event.weights_before[:2])
    assert event.l2_terms[2] == 0.0
    assert_update_rule(event)


def test_back_and_forward_across_a_momentum_run_reproduces_it(dataset: Dataset) -> None:
    hp = Hyperparams(learning_rate=0.2, batch_size=3, shuffle=True, seed=1, momentum=0.9, l2=0.05)
    engine = Engine(dataset, hp)
    seen = [engine.current()] + [engine.step() for _ in range(12)]
    engine.jump(3)
    for step in range(4, 13):
        assert_events_equal(engine.step(), seen[step], ignore=TIMELINE_FIELDS)
    # A fresh engine, and a run recomputed from step 0, give the same numbers.
    engine.jump(0)
    engine.set_hyperparams(learning_rate=0.21)
    engine.set_hyperparams(learning_rate=0.2)
    engine.run_steps(12)
    for step in range(13):
        assert_events_equal(engine.event_at(step), seen[step], ignore=TIMELINE_FIELDS)


def test_turning_momentum_on_mid_run_starts_from_the_last_gradient(dataset: Dataset) -> None:
    engine = Engine(dataset, Hyperparams(learning_rate=0.2, batch_size=3, l2=0.1))
    engine.run_steps(3)
    last = engine.current()
    engine.set_hyperparams(momentum=0.5)
    event = engine.step()
    assert np.array_equal(event.velocity_before, last.gradient)
    assert np.array_equal(event.velocity_after, 0.5 * last.gradient + event.gradient)
    assert_update_rule(event)
    # Off and on again: the buffer is the gradient again while momentum is off.
    engine.set_hyperparams(momentum=0.0)
    off = engine.step()
    assert np.array_equal(off.velocity_after, off.gradient)
    engine.set_hyperparams(momentum=0.9)
    on = engine.step()
    assert np.array_equal(on.velocity_before, off.gradient)
    assert_update_rule(on)


def test_a_long_run_after_switching_momentum_off(dataset: Dataset) -> None:
    # The momentum buffer must keep growing with the history after momentum is switched off
    # (it once stayed at its first 64 rows and the 64th step raised IndexError).
    engine = Engine(dataset, Hyperparams(learning_rate=0.1, batch_size=2, momentum=0.5))
    engine.step()
    engine.set_hyperparams(momentum=0.0)
    engine.run_steps(200)
    assert engine.cursor == engine.history_length == 201
    assert_update_rule(engine.current())


# ---------------------------------------------------------------- divergence


def test_a_huge_learning_rate_stops_at_the_last_finite_state(dataset_maker: DatasetMaker) -> None:
    dataset = dataset_maker(features=[[1e300], [-1e300], [2e300]], labels=[0.0, 1.0, 1.0])
    with no_float_warnings():
        engine = Engine(dataset, Hyperparams(learning_rate=1e-300, batch_size=1))
        recorder = Recorder()
        engine.subscribe(recorder)
        engine.run_steps(3)
        engine.set_hyperparams(learning_rate=1e6)
        recorder.take()
        event = engine.run_steps(10)
        assert engine.diverged_at == 4
        assert engine.cursor == engine.history_length == event.step == 3
        assert event.diverged_at == 4
        assert math.isfinite(event.loss_after)
        assert np.all(np.isfinite(engine.weight_history()))
        assert engine.divergence_reason
        (message,) = recorder.take()
        assert isinstance(message, Diverged)
        assert message.at_step == 4 and message.event.step == 3 and message.reason
        # Stepping back from there works, and forward again stops at the same place.
        assert engine.back().step == 2
        assert engine.step().step == 3
        assert engine.step().step == 3
        assert [type(m) for m in recorder.take()] == [Moved, Moved, Diverged]
        # A new learning rate clears the mark and the run goes on.
        engine.set_hyperparams(learning_rate=1e-300)
        assert engine.diverged_at is None
        assert engine.step().step == 4
        assert np.all(np.isfinite(engine.weight_history()))


def test_a_run_that_blows_up_by_itself_stops_before_the_overflow(
    dataset_maker: DatasetMaker,
) -> None:
    # lr * lambda = 11: every step multiplies the weights by -10, so the penalty lambda/2
    # sum w^2 (from 5.5 * 2e300) overflows at step 4, before z would (at step 8).
    dataset = dataset_maker(features=[[1.0, 2.0], [-1.0, 0.5], [0.3, -2.0]], labels=[0, 1, 1])
    with no_float_warnings():
        engine = Engine(
            dataset,
            Hyperparams(learning_rate=1.0, batch_size=1, l2=11.0),
            initial_weights=[1e150, -1e150, 0.0],
        )
        recorder = Recorder()
        engine.subscribe(recorder)
        engine.run_epochs(100)
        assert (engine.cursor, engine.history_length, engine.diverged_at) == (3, 3, 4)
        assert "L2 penalty" in engine.divergence_reason
        assert np.all(np.isfinite(engine.weight_history()))
        assert all(math.isfinite(v) for v in engine.loss_at(list(range(4))))
        assert all(math.isfinite(engine.event_at(s).objective_after) for s in range(4))
        assert recorder.kinds() == ["Stepped", "Diverged"]
        assert engine.previous_epoch_boundary().step == 0
        engine.set_hyperparams(l2=0.0)
        assert engine.diverged_at is None
        assert engine.history_length == 0


# ---------------------------------------------------------------- subscribers


def test_subscribers_receive_every_change_with_the_step_now_shown(
    dataset: Dataset,
) -> None:
    engine = Engine(dataset, Hyperparams(learning_rate=0.1, batch_size=3))
    recorder = Recorder()
    unsubscribe = engine.subscribe(recorder)

    engine.step()
    engine.run_steps(3)
    engine.back()
    engine.jump(1)
    engine.step()  # replayed
    engine.run_steps(5)  # 2 replayed, 3 computed
    engine.jump(3)
    engine.set_hyperparams(learning_rate=0.5)
    engine.reset()
    engine.restart(standardized=True)
    got = recorder.take()
    assert [(type(m), m.event.step) for m in got] == [
        (Stepped, 1),
        (Stepped, 4),
        (Moved, 3),
        (Moved, 1),
        (Moved, 2),
        (Stepped, 7),
        (Moved, 3),
        (HyperparamsChanged, 3),
        (Reset, 0),
        (Reset, 0),
    ]
    stepped = [m for m in got if isinstance(m, Stepped)]
    assert [m.count for m in stepped] == [1, 3, 3]
    moved = [m for m in got if isinstance(m, Moved)]
    assert [m.from_step for m in moved] == [4, 3, 1, 7]
    changed = got[7]
    assert isinstance(changed, HyperparamsChanged) and changed.dropped_steps == 4
    assert changed.event.history_length == 3
    reset, restarted = got[8], got[9]
    assert isinstance(reset, Reset) and not reset.restarted and reset.event.history_length == 3
    assert isinstance(restarted, Reset) and restarted.restarted
    assert restarted.event.standardized and restarted.event.history_length == 0

    unsubscribe()
    engine.run_steps(2)
    assert recorder.messages == []


# ---------------------------------------------------------------- standardized features


def test_restart_standardized_gives_mean_0_std_1_and_centres_a_constant_column(
    dataset_maker: DatasetMaker,
) -> None:
    rng = np.random.default_rng(4)
    features = np.column_stack([rng.normal(100, 30, 15), np.full(15, 7.5), rng.normal(0, 1e-3, 15)])
    dataset = dataset_maker(features=features)
    engine = Engine(dataset, Hyperparams(learning_rate=0.1, batch_size=4))
    engine.run_steps(5)
    engine.restart(standardized=True)
    assert (engine.history_length, engine.cursor, engine.standardized) == (0, 0, True)
    x = engine.inputs
    np.testing.assert_allclose(x.mean(axis=0), 0.0, atol=1e-14)
    np.testing.assert_allclose(x[:, [0, 2]].std(axis=0), 1.0, rtol=1e-13)
    assert np.array_equal(x[:, 1], np.zeros(15))  # centred, not divided by zero
    np.testing.assert_allclose(engine.feature_mean, features.mean(axis=0), rtol=1e-15)
    assert engine.feature_std[1] == 1.0
    event = engine.step()
    assert event.standardized
    assert np.array_equal(event.inputs, x[event.rows])
    assert np.all(np.isfinite(engine.weight_history()))
    engine.restart(standardized=False)
    assert np.array_equal(engine.inputs, dataset.features)
    assert engine.hyperparams.batch_size == 4


# ---------------------------------------------------------------- epoch boundaries


def test_epoch_boundaries_and_moving_between_them(seed_dataset: Dataset) -> None:
    engine = Engine(seed_dataset)
    assert engine.epoch_boundaries() == [0]
    engine.run_steps(3)
    assert engine.epoch_boundaries() == [0, 2]
    assert engine.next_epoch_boundary().step == 4
    engine.run_steps(2)
    assert engine.epoch_boundaries() == [0, 2, 4, 6]
    engine.jump(5)
    assert engine.next_epoch_boundary().step == 6  # replayed
    assert engine.history_length == 6
    assert engine.next_epoch_boundary().step == 8  # computed
    assert engine.epoch_boundaries() == [0, 2, 4, 6, 8]
    assert engine.previous_epoch_boundary().step == 6
    engine.jump(3)
    assert engine.previous_epoch_boundary().step == 2
    assert engine.previous_epoch_boundary().step == 0
    assert engine.previous_epoch_boundary().step == 0
    assert [engine.event_at(s).epoch for s in range(9)] == [0, 1, 1, 2, 2, 3, 3, 4, 4]


# ---------------------------------------------------------------- scalar and numpy paths


@pytest.mark.parametrize(
    ("n", "d", "hp"),
    [
        (12, 2, Hyperparams(learning_rate=0.5, batch_size=2)),
        (12, 3, Hyperparams(learning_rate=0.5, batch_size=5, shuffle=True, seed=3)),
        (9, 1, Hyperparams(learning_rate=0.3, batch_size=4, l2=0.1, momentum=0.9)),
    ],
)
def test_the_scalar_and_numpy_batch_paths_agree(
    dataset_maker: DatasetMaker, monkeypatch: pytest.MonkeyPatch, n: int, d: int, hp: Hyperparams
) -> None:
    dataset = dataset_maker(n=n, d=d, seed=n + d, scale=2.0)
    assert hp.batch_size * (d + 1) <= step_module.SCALAR_PATH_MAX_TERMS  # scalar by default
    scalar = Engine(dataset, hp)
    scalar.run_steps(30)
    # Rebuilt before the switch: an event is rebuilt on the path its step was computed on.
    scalar_events = [scalar.event_at(step) for step in range(31)]
    monkeypatch.setattr(step_module, "SCALAR_PATH_MAX_TERMS", 0)
    vectorised = Engine(dataset, hp)
    vectorised.run_steps(30)
    a, b = scalar.weight_history(), vectorised.weight_history()
    assert not np.array_equal(a[1], a[0])
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12 * float(np.abs(b).max()))
    for step in range(1, 31):
        one, other = scalar_events[step], vectorised.event_at(step)
        for name in ("z", "f", "gradient", "velocity_after"):
            x, y = getattr(one, name), getattr(other, name)
            np.testing.assert_allclose(x, y, rtol=1e-12, atol=1e-12 * float(np.abs(y).max()))
        # Each engine's rebuilt events agree with its own computed steps bit for bit.
        assert_update_rule(one)
        assert_update_rule(other)


# ---------------------------------------------------------------- properties


ACTIONS = st.one_of(
    st.tuples(st.just("step"), st.just(0)),
    st.tuples(st.just("back"), st.just(0)),
    st.tuples(st.just("jump"), st.integers(0, 40)),
    st.tuples(st.just("run_steps"), st.integers(0, 30)),
    st.tuples(st.just("run_epochs"), st.integers(0, 2)),
    st.tuples(st.just("next_boundary"), st.just(0)),
    st.tuples(st.just("previous_boundary"), st.just(0)),
    st.tuples(st.just("learning_rate"), st.sampled_from([1e-3, 0.1, 1.0, 10.0, 1e6])),
    st.tuples(st.just("batch_size"), st.integers(1, 30)),
    st.tuples(st.just("shuffle"), st.booleans()),
    st.tuples(st.just("seed"), st.integers(0, 3)),
    st.tuples(st.just("momentum"), st.sampled_from([0.0, 0.5, 0.9])),
    st.tuples(st.just("l2"), st.sampled_from([0.0, 0.1])),
    st.tuples(st.just("reset"), st.just(0)),
    st.tuples(st.just("walk"), st.lists(st.sampled_from([1, 1, -1]), max_size=12)),
)


def check_invariants(engine: Engine) -> None:
    assert 0 <= engine.cursor <= engine.history_length
    history = engine.weight_history()
    assert history.shape[0] == engine.history_length + 1
    assert np.all(np.isfinite(history))
    event = engine.current()
    assert event.step == engine.cursor and event.history_length == engine.history_length
    assert math.isfinite(event.loss_after) or engine.diverged_at is not None
    assert math.isfinite(event.loss_before)
    # The changes found by binary search are those of a scan of every step's settings.
    settings = [engine.hyperparams_at(s) for s in range(1, engine.history_length + 1)]
    scanned = [s for s in range(2, engine.history_length + 1) if settings[s - 1] != settings[s - 2]]
    assert engine.hyperparam_changes() == scanned
    if event.step:
        assert_update_rule(event)
        assert 1 <= event.rows.size <= event.hyperparams.batch_size
        assert len(set(event.rows.tolist())) == event.rows.size
        # Back then forward is the identity.
        engine.back()
        assert_events_equal(engine.step(), event)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    n=st.integers(2, 30),
    d=st.integers(1, 4),
    data_seed=st.integers(0, 1000),
    scale=st.sampled_from([1.0, 100.0, 1e150, 1e154]),
    learning_rate=st.sampled_from([0.01, 0.5, 5.0, 1e6]),
    batch_fraction=st.floats(0.0, 1.0),
    shuffle=st.booleans(),
    momentum=st.sampled_from([0.0, 0.0, 0.7]),
    warm_up=st.integers(0, 60),
    actions=st.lists(ACTIONS, min_size=3, max_size=25),
)
def test_timeline_invariants_hold_under_any_sequence_of_actions(
    dataset_maker: DatasetMaker,
    n: int,
    d: int,
    data_seed: int,
    scale: float,
    learning_rate: float,
    batch_fraction: float,
    shuffle: bool,
    momentum: float,
    warm_up: int,
    actions: list[tuple[str, Any]],
) -> None:
    dataset = dataset_maker(n=n, d=d, seed=data_seed, scale=scale)
    batch_size = max(1, min(n, round(batch_fraction * n)))
    hp = Hyperparams(learning_rate, batch_size, shuffle=shuffle, seed=data_seed, momentum=momentum)
    with no_float_warnings():
        engine = Engine(dataset, hp)
        check_invariants(engine)
        engine.run_steps(warm_up)
        check_invariants(engine)
        # The history is exactly as long as the furthest the cursor has been since the last
        # change that dropped the future (the computed steps, no more, no fewer).
        furthest = engine.cursor
        for name, value in actions:
            if name == "step":
                engine.step()
            elif name == "back":
                engine.back()
            elif name == "jump":
                engine.jump(value)
            elif name == "run_steps":
                engine.run_steps(value)
            elif name == "run_epochs":
                engine.run_epochs(value)
            elif name == "next_boundary":
                recorded_ahead = [b for b in engine.epoch_boundaries() if b > engine.cursor]
                engine.next_epoch_boundary()
                if recorded_ahead:
                    assert engine.cursor == recorded_ahead[0]
                if engine.diverged_at is None:
                    assert engine.cursor in engine.epoch_boundaries()
            elif name == "previous_boundary":
                behind = [b for b in engine.epoch_boundaries() if b < engine.cursor]
                engine.previous_epoch_boundary()
                assert engine.cursor == (behind[-1] if behind else 0)
            elif name == "reset":
                engine.reset()
            elif name == "walk":
                position = engine.cursor
                engine.walk(value)
                # The walk's furthest point, not just where it ends (a diverged run stops).
                limit = math.inf if engine.diverged_at is None else engine.diverged_at - 1
                for move in value:
                    position = min(position + 1, limit) if move > 0 else max(0, position - 1)
                    furthest = max(furthest, int(position))
            else:
                if name == "batch_size":
                    value = min(value, n)
                cursor, length = engine.cursor, engine.history_length
                try:
                    engine.set_hyperparams(**{name: value})
                except SettingError as refused:
                    # A lambda whose penalty overflows at weights this large: refused, and
                    # nothing changed.
                    assert name == "l2" and "L2 penalty" in str(refused)
                    assert (engine.cursor, engine.history_length) == (cursor, length)
                    continue
                assert engine.cursor == cursor
                assert engine.history_length in (cursor, length)
                if engine.history_length == cursor:
                    furthest = cursor
            furthest = max(furthest, engine.cursor)
            assert engine.history_length == furthest
            check_invariants(engine)
        assert_every_epoch_covers_every_row_once(engine)
        if engine.diverged_at is not None:
            assert engine.diverged_at == engine.history_length + 1
        # Whatever was undone and redone, the history is what a fresh engine computes when
        # given the same settings at the same steps: nothing dropped leaves a trace.
        fresh = Engine(dataset, engine.hyperparams_at(1) if engine.history_length else hp)
        for step in range(1, engine.history_length + 1):
            fresh.set_hyperparams(engine.hyperparams_at(step))
            fresh.step()
        assert np.array_equal(fresh.weight_history(), engine.weight_history())
    # What the examples covered (pytest --hypothesis-show-statistics).
    count_example(f"diverged: {engine.diverged_at is not None}")
    count_example(f"history over 20 steps: {engine.history_length > 20}")
    count_example(f"settings changed mid-run: {bool(engine.hyperparam_changes())}")


# ---------------------------------------------------------------- walk (coalesced arrow keys)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(moves=st.lists(st.sampled_from([1, 1, -1]), max_size=60), replay_first=st.booleans())
def test_walk_equals_the_same_steps_and_backs_one_by_one(
    dataset: Dataset, moves: list[int], replay_first: bool
) -> None:
    one_by_one = Engine(dataset, Hyperparams(learning_rate=0.3, batch_size=3, shuffle=True))
    walked = Engine(dataset, Hyperparams(learning_rate=0.3, batch_size=3, shuffle=True))
    if replay_first:  # part of the walk replays recorded steps, part computes new ones
        for engine in (one_by_one, walked):
            engine.run_steps(7)
            engine.jump(2)
    for move in moves:
        if move > 0:
            one_by_one.step()
        else:
            one_by_one.back()
    seen: list[EngineMessage] = []
    walked.subscribe(seen.append)
    event = walked.walk(moves)
    assert walked.cursor == one_by_one.cursor == event.step
    assert walked.history_length == one_by_one.history_length
    assert np.array_equal(walked.weight_history(), one_by_one.weight_history())
    assert len([m for m in seen if not isinstance(m, Diverged)]) == 1  # one event for the walk


def test_next_epoch_boundary_after_a_batch_size_change_stops_at_the_epochs_end(
    seed_dataset: Dataset,
) -> None:
    # Regression: the stop test read the new steps' batch size before it was recorded, so
    # with batch size 1 on the seed lecture ] stopped at step 3 of the 4-step epoch.
    engine = Engine(seed_dataset)
    engine.set_hyperparams(batch_size=1)
    event = engine.next_epoch_boundary()
    assert (event.step, event.epoch, event.batch, event.batches_per_epoch) == (4, 1, 4, 4)
    assert engine.epoch_boundaries() == [0, 4]
    engine.set_hyperparams(batch_size=3)
    event = engine.next_epoch_boundary()
    assert (event.step, event.epoch, event.batch, event.batches_per_epoch) == (6, 2, 2, 2)
    assert engine.epoch_boundaries() == [0, 4, 6]


def test_full_data_figures_are_the_formulas_whatever_the_order_of_moves(dataset: Dataset) -> None:
    # The engine keeps the last few weights' full-data figures (a step's "before" is the
    # previous step's "after"); wherever the cursor came from, they are the formulas' values.
    engine = Engine(dataset, Hyperparams(learning_rate=0.3, batch_size=3, shuffle=True))
    engine.run_steps(12)
    xb = maths.with_bias_column(engine.inputs)
    y = dataset.labels
    for step in (12, 11, 12, 3, 0, 7, 6, 7, 8):
        event = engine.jump(step)
        for w, z_all, f_all, loss, acc in (
            (
                event.weights_before,
                event.z_before_all,
                maths.sigmoid(event.z_before_all),
                event.loss_before,
                event.accuracy_before,
            ),
            (
                event.weights_after,
                event.z_after_all,
                event.predictions_after,
                event.loss_after,
                event.accuracy_after,
            ),
        ):
            z = maths.logits(xb, np.array(w))
            assert z_all.tobytes() == z.tobytes()
            assert f_all.tobytes() == maths.sigmoid(z).tobytes()
            assert loss == maths.mean_loss(z, y)
            assert acc == maths.accuracy(z, y)
        if step:
            previous = engine.event_at(step - 1)
            assert event.loss_before == previous.loss_after


def test_a_setting_changed_and_changed_back_before_a_step_is_no_change(dataset: Dataset) -> None:
    engine = Engine(dataset, Hyperparams(learning_rate=0.1, batch_size=2))
    engine.run_steps(5)
    engine.jump(3)
    engine.set_hyperparams(learning_rate=0.2)  # drops steps 4 and 5
    engine.step()  # step 4 with lr 0.2
    engine.back()
    engine.set_hyperparams(learning_rate=0.1)  # drops step 4 again
    engine.run_steps(2)  # steps 4 and 5 with lr 0.1, as before any change
    assert engine.hyperparam_changes() == []
    engine.set_hyperparams(learning_rate=0.3)
    engine.step()
    assert engine.hyperparam_changes() == [6]


def test_the_objective_never_overflows_a_run_stops_first(dataset_maker: DatasetMaker) -> None:
    # With lambda = 1e308 the penalty lambda/2 sum w^2 overflows at |w| ~ 1.4 while lambda w
    # (the gradient) is still finite: found by the CLI fuzz test as an "internal error" when
    # the summary's objective could not be written as JSON.
    features = [[0.0], [0.0], [0.0], [0.0], [378.0]]
    dataset = dataset_maker(features=features, labels=[0, 0, 0, 0, 1])
    for batch_size in (1, 5):  # the scalar path, and numpy (5 x 2 = 10 terms, scalar too)
        engine = Engine(dataset, Hyperparams(learning_rate=0.01, batch_size=batch_size, l2=1e308))
        engine.run_steps(20)
        assert engine.diverged_at is not None
        assert "L2 penalty" in engine.divergence_reason or "infinite" in engine.divergence_reason
        for step in range(engine.history_length + 1):
            event = engine.event_at(step)
            assert math.isfinite(event.objective_before) and math.isfinite(event.objective_after)
    # A lambda that makes the penalty overflow at the weights already reached is refused.
    engine = Engine(dataset, Hyperparams(learning_rate=0.01, batch_size=1), initial_weights=[2, 0])
    with pytest.raises(SettingError, match="L2 penalty lambda makes lambda/2"):
        engine.set_hyperparams(l2=1e308)
    with pytest.raises(SettingError, match="L2 penalty"):
        Engine(dataset, Hyperparams(l2=1e308, batch_size=1), initial_weights=[2, 0])
