"""The runner of long runs: the same steps on either path, and bit for bit the step's maths.

`runner.advance` runs batches on the scalar path (B (d + 1) <= SCALAR_PATH_MAX_TERMS) in plain
Python floats, a block of steps at a time. With SCALAR_PATH_MAX_TERMS set to 0 every step goes
through numpy instead: the two runs must agree to 1e-12 relative. Every recorded step must be
exactly what `step.one_step` computes from the step before (what `event_at` rebuilds it with),
and agree with a reference written here from the lecture's formulas.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import logsgd.core.runner as runner_module
import logsgd.core.step as step_module
from logsgd.core import Dataset, Engine, Hyperparams, maths
from logsgd.core.builtin_datasets import load_builtin

DatasetMaker = Callable[..., Dataset]
Action = tuple[str, Any]
BLOCK = runner_module.BLOCK_STEPS


# ---------------------------------------------------------------- running a schedule both ways


def apply(engine: Engine, actions: list[Action]) -> None:
    for name, value in actions:
        if name == "steps":
            engine.run_steps(value)
        elif name == "epochs":
            engine.run_epochs(value)
        elif name == "boundary":
            engine.next_epoch_boundary()
        elif name == "previous":
            engine.previous_epoch_boundary()
        elif name == "walk":
            engine.walk(value)
        elif name == "jump":
            engine.jump(value)
        elif name == "step":
            engine.step()
        elif name == "back":
            engine.back()
        elif name == "set":
            engine.set_hyperparams(**value)
        else:
            raise ValueError(f"unknown action {name!r}")


@dataclass(frozen=True)
class Run:
    """What a run recorded; the schedule is (epoch, batch, rows, hyperparams) per step."""

    weights: np.ndarray
    ghost: np.ndarray | None
    position: tuple[int, int, int | None]  # cursor, history length, diverged_at
    epoch_boundaries: list[int]
    hyperparam_changes: list[int]
    schedule: list[tuple[int, int, list[int], Hyperparams]]


def recorded(engine: Engine) -> Run:
    events = [engine.event_at(k) for k in range(1, engine.history_length + 1)]
    return Run(
        weights=np.array(engine.weight_history()),
        ghost=None if engine.ghost is None else np.array(engine.ghost.weights),
        position=(engine.cursor, engine.history_length, engine.diverged_at),
        epoch_boundaries=engine.epoch_boundaries(),
        hyperparam_changes=engine.hyperparam_changes(),
        schedule=[(e.epoch, e.batch, e.rows.tolist(), e.hyperparams) for e in events],
    )


@contextmanager
def small_batch_calls() -> Iterator[list[int]]:
    """The number of steps of each block the scalar path runs, while the block is open."""
    calls: list[int] = []
    original = runner_module._scalar_block

    def spy(*args: Any) -> runner_module.Block:
        block = original(*args)
        calls.append(len(block.weights))
        return block

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(runner_module, "_scalar_block", spy)
        yield calls


@contextmanager
def general_path() -> Iterator[None]:
    """Every batch through numpy (and `event_at` through numpy too)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(step_module, "SCALAR_PATH_MAX_TERMS", 0)
        yield


def run_both(
    dataset: Dataset,
    hp: Hyperparams,
    actions: list[Action],
    initial_weights: list[float] | None = None,
) -> tuple[Engine, Run, Run]:
    """The same schedule through the small-batch loop and through the general loop."""
    with small_batch_calls() as calls:
        fast = Engine(dataset, hp, initial_weights)
        apply(fast, actions)
        assert calls, "the small-batch loop never ran"
        fast_run = recorded(fast)
        calls.clear()
        with general_path():
            general = Engine(dataset, hp, initial_weights)
            apply(general, actions)
            general_run = recorded(general)
        assert not calls, "the general run went through the small-batch loop"
    return fast, fast_run, general_run


def assert_close(fast: np.ndarray, general: np.ndarray) -> None:
    """Equal to 1e-12 relative, plus 1e-12 of the largest weight in absolute terms.

    Why the absolute part: the general loop sums z = w . x in numpy's order, the small-batch
    loop from 0.0 over j, so a step's numbers differ in the last bit. A weight is a running
    sum of lr * gradient terms; where it passes through zero it is the difference of numbers
    the size of the largest weights, and their last-bit differences are 1e-16 of those, not
    of the (small) difference.
    """
    scale = float(np.abs(general).max()) if general.size else 0.0
    np.testing.assert_allclose(fast, general, rtol=1e-12, atol=1e-12 * scale)


def assert_same_run(fast: Run, general: Run) -> None:
    assert fast.position == general.position
    assert fast.epoch_boundaries == general.epoch_boundaries
    assert fast.hyperparam_changes == general.hyperparam_changes
    assert fast.schedule == general.schedule
    assert_close(fast.weights, general.weights)
    assert (fast.ghost is None) == (general.ghost is None)
    if fast.ghost is not None and general.ghost is not None:
        assert_close(fast.ghost, general.ghost)


# ---------------------------------------------------------------- the per-step reference


def reference_gradient(xs: np.ndarray, ys: np.ndarray, weights: list[float]) -> list[float]:
    """The batch's mean data gradient as the lecture writes it, in the order each path sums.

    Small batches (the scalar path): z summed from 0.0 over j, f - y from z (sigma(z) for
    y = 0, -sigma(-z) for y = 1), the terms summed from 0.0 over the rows in order, divided by
    B. Larger ones (numpy): the same residual, and the sum as one mat-vec.
    """
    if xs.shape[0] * len(weights) > step_module.SCALAR_PATH_MAX_TERMS:
        z = xs @ np.array(weights)
        return ((maths.residuals(z, ys) @ xs) / xs.shape[0]).tolist()
    sums = [0.0] * len(weights)
    for x, y in zip(xs.tolist(), ys.tolist(), strict=True):
        z = 0.0
        for w_j, x_j in zip(weights, x, strict=True):
            z += w_j * x_j
        e = math.exp(-abs(z))
        residual = (
            (1.0 if z >= 0 else e) / (1.0 + e) if y == 0 else -(e if z >= 0 else 1.0) / (1.0 + e)
        )
        for j, x_j in enumerate(x):
            sums[j] += residual * x_j
    return [total / xs.shape[0] for total in sums]


def reference_history(engine: Engine) -> np.ndarray:
    """Each recorded step recomputed from the one before with `reference_gradient`, rows and
    hyperparameters as `event_at` reports them; then l2, momentum and the update as the lecture
    writes them."""
    xb = maths.with_bias_column(engine.inputs)
    y = engine.dataset.labels
    history = engine.weight_history()
    width = history.shape[1]
    weights = history[0].tolist()
    velocity = [0.0] * width
    rows_out = [list(weights)]
    for k in range(1, engine.history_length + 1):
        event = engine.event_at(k)
        hp = event.hyperparams
        g = reference_gradient(xb[event.rows], y[event.rows], weights)
        if hp.l2:
            g = [g[j] + hp.l2 * weights[j] for j in range(width - 1)] + [g[-1]]
        mu = hp.momentum
        velocity = [mu * velocity[j] + g[j] for j in range(width)] if mu else g
        weights = [weights[j] - hp.learning_rate * velocity[j] for j in range(width)]
        rows_out.append(weights)
    return np.array(rows_out)


def assert_bit_identical_to_reference(engine: Engine) -> None:
    history = np.array(engine.weight_history())
    reference = reference_history(engine)
    differ = [k for k in range(history.shape[0]) if history[k].tobytes() != reference[k].tobytes()]
    assert not differ, f"steps {differ[:5]} differ: {history[differ[0]]} != {reference[differ[0]]}"
    # The events rebuilt from the history agree with it, every number bit for bit.
    for k in range(1, engine.history_length + 1):
        event = engine.event_at(k)
        hp = event.hyperparams
        assert event.weights_after.tobytes() == history[k].tobytes()
        assert event.weights_before.tobytes() == history[k - 1].tobytes()
        expected_velocity = (
            hp.momentum * event.velocity_before + event.gradient if hp.momentum else event.gradient
        )
        assert event.velocity_after.tobytes() == expected_velocity.tobytes()
        stepped = event.weights_before - hp.learning_rate * event.velocity_after
        assert stepped.tobytes() == history[k].tobytes()


def single_setting_rows(n: int, hp: Hyperparams, steps: int) -> list[list[int]]:
    """The rows of steps 1 .. steps of a run that never changes its settings, from scratch:
    epochs in order (or permuted by the generator seeded with [seed, epoch]), cut in batches."""
    schedule: list[list[int]] = []
    epoch = 0
    while len(schedule) < steps:
        epoch += 1
        if hp.shuffle:
            order = np.random.default_rng([hp.seed, epoch]).permutation(n).tolist()
        else:
            order = list(range(n))
        for start in range(0, n, hp.batch_size):
            schedule.append(order[start : start + hp.batch_size])
    return schedule[:steps]


# ---------------------------------------------------------------- 1. the same run both ways


RANDOM_SCHEDULES: list[tuple[Hyperparams, list[Action]]] = [
    # Sequential, batch 1, several blocks and epoch wrap-arounds.
    (Hyperparams(learning_rate=0.1, batch_size=1), [("steps", 3 * BLOCK + 17)]),
    # Shuffled, different seeds; epochs of 300 steps span two blocks.
    (Hyperparams(learning_rate=0.1, batch_size=1, shuffle=True, seed=7), [("epochs", 3)]),
    (Hyperparams(learning_rate=0.05, batch_size=3, shuffle=True, seed=123), [("steps", 401)]),
    # L2 and momentum, alone and together, at batch sizes that do not divide n = 300.
    (Hyperparams(learning_rate=0.2, batch_size=7, l2=0.3), [("epochs", 5), ("steps", 5)]),
    (Hyperparams(learning_rate=0.05, batch_size=1, momentum=0.9), [("steps", 2 * BLOCK + 3)]),
    (
        Hyperparams(learning_rate=0.05, batch_size=2, shuffle=True, seed=2, l2=0.01, momentum=0.5),
        [("epochs", 2)],
    ),
    # Settings changed mid-run, mid-epoch and mid-block; back, walk and jump in between.
    (
        Hyperparams(learning_rate=0.1, batch_size=1),
        [
            ("steps", 100),
            ("set", {"batch_size": 4}),
            ("steps", 90),
            ("set", {"learning_rate": 0.5, "momentum": 0.8}),
            ("boundary", 0),
            ("set", {"batch_size": 5, "shuffle": True, "seed": 9}),
            ("steps", 70),
            ("back", 0),
            ("back", 0),
            ("walk", [1, 1, 1, -1, 1, 1]),
            ("set", {"momentum": 0.0, "l2": 0.2}),
            ("epochs", 1),
            ("jump", 40),
            ("set", {"batch_size": 2}),
            ("boundary", 0),
            ("steps", 300),
            ("previous", 0),
            ("walk", [1] * 30),
        ],
    ),
    # Between the scalar path and numpy (8 x 3 = 24 terms, then 9 x 3 = 27) and back.
    (
        Hyperparams(learning_rate=0.1, batch_size=8),
        [("steps", 50), ("set", {"batch_size": 9}), ("steps", 50), ("set", {"batch_size": 1})]
        + [("steps", 120)],
    ),
]


@pytest.mark.parametrize(("hp", "actions"), RANDOM_SCHEDULES)
def test_small_batch_loop_agrees_with_the_general_loop_on_random_data(
    dataset_maker: DatasetMaker, hp: Hyperparams, actions: list[Action]
) -> None:
    dataset = dataset_maker(n=300, d=2, seed=11, scale=2.0)
    fast, fast_run, general_run = run_both(dataset, hp, actions)
    assert fast.history_length > 200
    assert_same_run(fast_run, general_run)
    assert_bit_identical_to_reference(fast)


@pytest.mark.parametrize(
    ("hp", "actions"),
    [
        (Hyperparams(learning_rate=0.01, batch_size=2), [("steps", 2)]),
        (Hyperparams(learning_rate=0.01, batch_size=2), [("epochs", 50), ("boundary", 0)]),
        (Hyperparams(learning_rate=0.001, batch_size=1, shuffle=True, seed=4), [("steps", 999)]),
        (
            Hyperparams(learning_rate=1e-4, batch_size=3, momentum=0.9, l2=0.5),
            [("epochs", 40), ("set", {"batch_size": 1}), ("steps", 3), ("boundary", 0)],
        ),
    ],
)
def test_small_batch_loop_agrees_with_the_general_loop_on_the_seed_lecture(
    hp: Hyperparams, actions: list[Action]
) -> None:
    dataset = load_builtin("seed")
    fast, fast_run, general_run = run_both(dataset, hp, actions)
    assert_same_run(fast_run, general_run)
    assert_bit_identical_to_reference(fast)


def test_the_seed_lecture_steps_are_the_lectures() -> None:
    # seed-lecture.md: after step 2 the weights are 1.4524997, 0.012499951, 0.0050000074.
    engine = Engine(load_builtin("seed"))
    with small_batch_calls() as calls:
        engine.run_steps(2)
    assert calls == [2]
    np.testing.assert_allclose(
        engine.weight_history()[1], [-0.58750029, -0.075000049, -0.0049999926], rtol=1e-7
    )
    np.testing.assert_allclose(
        engine.weight_history()[2], [1.4524997, 0.012499951, 0.0050000074], rtol=1e-7
    )


# ---------------------------------------------------------------- 2. bit for bit


@pytest.mark.parametrize(
    "hp",
    [
        Hyperparams(learning_rate=0.3, batch_size=1),
        Hyperparams(learning_rate=0.3, batch_size=1, shuffle=True, seed=5),
        Hyperparams(learning_rate=0.1, batch_size=4, shuffle=True, seed=6, l2=0.05),
        Hyperparams(learning_rate=0.1, batch_size=6, momentum=0.7),
        Hyperparams(learning_rate=0.1, batch_size=8, shuffle=True, seed=1, l2=0.1, momentum=0.9),
    ],
)
def test_each_step_is_the_lectures_maths_and_its_schedule_bit_for_bit(
    dataset_maker: DatasetMaker, hp: Hyperparams
) -> None:
    n, steps = 203, 3 * BLOCK + 5  # epochs end mid-block, and blocks mid-epoch
    dataset = dataset_maker(n=n, d=2, seed=3, scale=3.0)
    engine = Engine(dataset, hp)
    engine.run_steps(steps)
    assert engine.history_length == steps
    assert_bit_identical_to_reference(engine)
    expected = single_setting_rows(n, hp, steps)
    assert [engine.event_at(k).rows.tolist() for k in range(1, steps + 1)] == expected
    rows_so_far = np.cumsum([len(rows) for rows in expected])
    assert engine.epoch_boundaries() == [0] + [
        k + 1 for k in range(steps) if rows_so_far[k] % n == 0
    ]


def test_where_sgd_amplifies_rounding_each_step_is_still_the_reference_bit_for_bit() -> None:
    # The lecture's data at lr 1e-3 with momentum oscillates: the last-bit differences
    # between numpy's z and the scalar z grow to about 1e-8 relative within 80 steps (the
    # engine before the small-batch loop drifted from numpy exactly as much), so no tolerance
    # would say anything. Step by step, the record is still exactly the reference.
    engine = Engine(
        load_builtin("seed"), Hyperparams(learning_rate=1e-3, batch_size=3, momentum=0.9, l2=0.5)
    )
    engine.run_epochs(40)
    assert engine.history_length == 80
    assert_bit_identical_to_reference(engine)


def test_a_batch_of_one_keeps_the_sign_of_zero_as_the_reference_does(
    dataset_maker: DatasetMaker,
) -> None:
    # x = 0 and residual f - y = -0.5: the term is -0.5 * 0.0 = -0.0, and the reference's
    # sum 0.0 + -0.0 is +0.0, so w = -0.0 - lr * 0.0 stays -0.0. A loop that took the term
    # as the sum (0.0 + a == a, but not for a = -0.0) would record -0.0 - lr * -0.0 = +0.0.
    dataset = dataset_maker(features=[[0.0], [0.0]], labels=[1.0, 1.0])
    engine = Engine(dataset, Hyperparams(learning_rate=0.5, batch_size=1), [-0.0, 0.0])
    engine.run_steps(3)
    first_weight = engine.weight_history()[:, 0]
    assert [math.copysign(1.0, w) for w in first_weight] == [-1.0, -1.0, -1.0, -1.0]
    assert_bit_identical_to_reference(engine)


# ---------------------------------------------------------------- 3. blocks and callbacks


def run_with_progress(dataset: Dataset, general: bool) -> tuple[list[tuple[int, int, int]], Engine]:
    """777 steps after 10, reporting (done, count, history length) at every progress call."""
    engine = Engine(dataset, Hyperparams(learning_rate=0.2, batch_size=3, shuffle=True))
    engine.run_steps(10)
    calls: list[tuple[int, int, int]] = []
    last_rows: list[np.ndarray] = []

    def progress(done: int, count: int) -> None:
        calls.append((done, count, engine.history_length))
        last_rows.append(np.array(engine.weight_history()[-1]))

    if general:
        with general_path():
            engine.run_steps(777, progress=progress)
    else:
        with small_batch_calls() as spied:
            engine.run_steps(777, progress=progress)
        # Blocks end at every progress report (every 7 steps) and at the end of an epoch.
        assert sum(spied) == 777 and max(spied) == 7
    # What each report saw as the last recorded step is what the run holds for that step.
    history = engine.weight_history()
    for (_, _, length), row in zip(calls, last_rows, strict=True):
        assert row.tobytes() == history[length].tobytes()
    return calls, engine


def test_progress_sees_every_step_it_reports_recorded(dataset_maker: DatasetMaker) -> None:
    dataset = dataset_maker(n=500, d=2, seed=8)
    fast_calls, fast = run_with_progress(dataset, general=False)
    general_calls, general = run_with_progress(dataset, general=True)
    # Every 7 steps (777 // 100), with the history exactly that long.
    assert fast_calls == [(done, 777, 10 + done) for done in range(7, 778, 7)]
    assert fast_calls == general_calls
    assert_close(np.array(fast.weight_history()), np.array(general.weight_history()))


def run_until_stopped(dataset: Dataset, general: bool) -> tuple[list[int], Engine]:
    """run_epochs(2) cancelled at the 30th should_stop call; the history length at each."""
    engine = Engine(dataset, Hyperparams(learning_rate=0.1, batch_size=1))
    asked: list[int] = []

    def should_stop() -> bool:
        asked.append(engine.history_length)
        return len(asked) >= 30

    if general:
        with general_path():
            engine.run_epochs(2, progress=lambda done, count: None, should_stop=should_stop)
    else:
        with small_batch_calls() as spied:
            engine.run_epochs(2, progress=lambda done, count: None, should_stop=should_stop)
        # Progress every 10 steps of the epoch's 1000: blocks of 10 steps.
        assert spied == [10] * 30
    return asked, engine


def test_stopping_mid_block_ends_where_the_general_loop_ends(dataset_maker: DatasetMaker) -> None:
    dataset = dataset_maker(n=1000, d=2, seed=9)
    fast_asked, fast = run_until_stopped(dataset, general=False)
    general_asked, general = run_until_stopped(dataset, general=True)
    assert fast.cursor == fast.history_length == 300
    # Asked after every block, with every step so far recorded; run_epochs asks once more.
    assert fast_asked == [*range(10, 301, 10), 300]
    assert general_asked == fast_asked
    assert_close(np.array(fast.weight_history()), np.array(general.weight_history()))


@pytest.mark.parametrize(
    ("batch_size", "boundaries"),
    [(3, [0, 4, 8, 12]), (4, [0, 3, 6, 9]), (7, [0, 2, 4, 6]), (1, [0, 10, 20, 30])],
)
def test_next_epoch_boundary_stops_at_the_epochs_end_when_batches_do_not_divide_it(
    dataset_maker: DatasetMaker, batch_size: int, boundaries: list[int]
) -> None:
    dataset = dataset_maker(n=10, d=2, seed=4)
    engine = Engine(dataset, Hyperparams(learning_rate=0.1, batch_size=batch_size))
    for expected in boundaries[1:]:
        assert engine.next_epoch_boundary().step == expected
        assert engine.history_length == expected
    assert engine.epoch_boundaries() == boundaries
    assert_bit_identical_to_reference(engine)


def test_epoch_moves_across_blocks_and_settings_agree_with_the_general_loop(
    dataset_maker: DatasetMaker,
) -> None:
    # 700 rows at batch 1: one epoch is three blocks; then batch sizes change mid-epoch.
    dataset = dataset_maker(n=700, d=2, seed=5)
    actions: list[Action] = [
        ("boundary", 0),
        ("steps", 3),
        ("set", {"batch_size": 3}),
        ("boundary", 0),
        ("set", {"batch_size": 8, "shuffle": True}),
        ("epochs", 2),
        ("set", {"batch_size": 1}),
        ("steps", BLOCK - 1),
        ("boundary", 0),
    ]
    hp = Hyperparams(learning_rate=0.1, batch_size=1)
    fast, fast_run, general_run = run_both(dataset, hp, actions)
    assert fast_run.epoch_boundaries[:3] == [0, 700, 700 + 3 + math.ceil(697 / 3)]
    assert len(fast_run.epoch_boundaries) == 6
    assert_same_run(fast_run, general_run)
    assert_bit_identical_to_reference(fast)


def test_divergence_mid_block_ends_at_the_last_finite_step(dataset_maker: DatasetMaker) -> None:
    # lr * lambda = 4.3: each step multiplies the weights by about -3.3, from O(1) after the
    # first step, so the penalty lambda/2 sum w^2 overflows a little before step 300, inside
    # the second block of 256 steps.
    dataset = dataset_maker(n=1000, d=2, seed=6, scale=3.0)
    hp = Hyperparams(learning_rate=1.0, batch_size=1, l2=4.3)
    fast, fast_run, general_run = run_both(dataset, hp, [("steps", 2000)])
    assert fast.diverged_at is not None
    assert BLOCK + 1 < fast.diverged_at < 2 * BLOCK
    assert fast.diverged_at == fast.history_length + 1 == fast.cursor + 1
    assert fast.divergence_reason
    assert np.all(np.isfinite(fast.weight_history()))
    assert_same_run(fast_run, general_run)
    assert_bit_identical_to_reference(fast)
    # The next step, computed the same way, is the one that cannot be recorded.
    xb = maths.with_bias_column(fast.inputs)
    rows = fast.next_rows()
    weights = np.array(fast.weight_history()[-1])
    g = np.array(reference_gradient(xb[rows], fast.dataset.labels[rows], weights.tolist()))
    g = g + np.append(4.3 * weights[:-1], 0.0)
    with np.errstate(all="ignore"):
        after = weights - 1.0 * g
        finite = bool(np.all(np.isfinite(after)) and np.all(np.isfinite(xb @ after)))
        penalty = 0.5 * 4.3 * float(np.sum(after[:-1] ** 2))
        assert not (finite and math.isfinite(penalty))
    # Further steps stay where they are.
    assert fast.step().step == fast.history_length == fast.diverged_at - 1


def test_divergence_at_an_epochs_first_step_leaves_that_epoch_unstarted(
    dataset_maker: DatasetMaker,
) -> None:
    dataset = dataset_maker(features=[[1e300], [-1e300], [2e300], [1e300]], labels=[0, 1, 1, 0])
    actions: list[Action] = [("epochs", 1), ("set", {"learning_rate": 1e6}), ("steps", 10)]
    fast, fast_run, general_run = run_both(
        dataset, Hyperparams(learning_rate=1e-300, batch_size=1), actions
    )
    assert fast_run.position == (4, 4, 5)
    assert fast.epochs_started == 1
    assert fast.epoch_boundaries() == [0, 4]
    assert_same_run(fast_run, general_run)
    # A sane learning rate carries on with epoch 2 from its first row.
    fast.set_hyperparams(learning_rate=1e-300)
    assert fast.step().rows.tolist() == [0]
    assert fast.epoch_boundaries() == [0, 4]
    assert fast.epochs_started == 2


# ---------------------------------------------------------------- 4. property


ACTIONS = st.one_of(
    st.tuples(st.just("steps"), st.integers(0, 80)),
    st.tuples(st.just("epochs"), st.integers(0, 2)),
    st.tuples(st.just("boundary"), st.just(0)),
    st.tuples(st.just("previous"), st.just(0)),
    st.tuples(st.just("back"), st.just(0)),
    st.tuples(st.just("step"), st.just(0)),
    st.tuples(st.just("jump"), st.integers(0, 150)),
    st.tuples(st.just("walk"), st.lists(st.sampled_from([1, -1]), max_size=12)),
    st.tuples(
        st.just("set"),
        st.one_of(
            st.fixed_dictionaries({"batch_size": st.integers(1, 12)}),
            st.fixed_dictionaries({"learning_rate": st.sampled_from([0.01, 0.1, 0.3])}),
            st.fixed_dictionaries({"momentum": st.sampled_from([0.0, 0.6])}),
            st.fixed_dictionaries({"l2": st.sampled_from([0.0, 0.1])}),
            st.fixed_dictionaries({"shuffle": st.booleans(), "seed": st.integers(0, 9)}),
        ),
    ),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    n=st.integers(1, 40),
    d=st.integers(1, 3),
    data_seed=st.integers(0, 1000),
    scale=st.sampled_from([0.1, 1.0, 2.0]),
    learning_rate=st.sampled_from([0.01, 0.1, 0.3]),
    batch_size=st.integers(1, 6),
    shuffle=st.booleans(),
    l2=st.sampled_from([0.0, 0.1]),
    momentum=st.sampled_from([0.0, 0.6]),
    first_steps=st.integers(1, 120),
    actions=st.lists(ACTIONS, max_size=8),
)
# Learning rates the data's scale keeps stable (lr |x|^2 of order 1 at most): where SGD
# amplifies rounding, no tolerance separates a wrong step from drift; the test above covers it.
def test_any_small_batch_run_agrees_with_the_general_loop_and_the_reference(
    dataset_maker: DatasetMaker,
    n: int,
    d: int,
    data_seed: int,
    scale: float,
    learning_rate: float,
    batch_size: int,
    shuffle: bool,
    l2: float,
    momentum: float,
    first_steps: int,
    actions: list[Action],
) -> None:
    dataset = dataset_maker(n=n, d=d, seed=data_seed, scale=scale)
    batch_size = min(batch_size, n)
    hp = Hyperparams(learning_rate, batch_size, shuffle, data_seed, l2, momentum)
    actions = [
        (name, {**value, "batch_size": min(value["batch_size"], n)})
        if name == "set" and "batch_size" in value
        else (name, value)
        for name, value in actions
    ]
    fast, fast_run, general_run = run_both(dataset, hp, [("steps", first_steps), *actions])
    assert_same_run(fast_run, general_run)
    assert_bit_identical_to_reference(fast)


def test_residuals_past_the_overflow_of_e_to_the_minus_z_keep_their_subnormal_digits() -> None:
    # z near -710 on rows labelled 0 (f - y = sigma(z) is a subnormal, e^-z overflows) and on
    # rows labelled 1 (f - y = -1 + ...), on the numpy path (32 rows x 2 weights): the runner
    # and the rebuild take the same branch of the residual, and every number is finite.
    xs = np.linspace(-1.0, -0.98, 32)[:, None] * 712.0
    labels = np.array([0.0, 1.0] * 16)
    dataset = Dataset("edge", "", ("x",), "y", xs, labels)
    engine = Engine(dataset, Hyperparams(learning_rate=1e-9, batch_size=32), [1.0, 0.0])
    engine.run_steps(3)
    event = engine.event_at(1)
    zero = event.labels == 0.0
    tiny = event.residuals[zero]
    assert np.all(tiny > 0) and tiny.min() < 2.3e-308  # the smallest are subnormal, not 0
    np.testing.assert_allclose(tiny, np.exp(event.z[zero]), rtol=1e-12)
    assert_bit_identical_to_reference(engine)
