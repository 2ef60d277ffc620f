"""Run until (core/until.py, Engine.run_until): each condition against a step-by-step check of
the StepEvents, the limit, divergence, cancel, and the readers of typed values."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logsgd.core import until
from logsgd.core.builtin_datasets import load_builtin
from logsgd.core.dataset import Dataset
from logsgd.core.engine import Engine
from logsgd.core.events import StepEvent
from logsgd.core.params import Hyperparams, SettingError
from logsgd.core.until import (
    AccuracyReaches,
    Condition,
    Diverges,
    EpochEnd,
    Flip,
    LossBelow,
    SignChange,
    Steps,
    read_condition,
)

# Steps the brute force walks at most; the searches are given the same limit.
BRUTE_LIMIT = 1500


def holds(condition: Condition, before: StepEvent, event: StepEvent, start: int) -> bool:
    """The condition, read off two consecutive StepEvents as the screen shows them."""
    if isinstance(condition, Flip):
        was, now = before.z_after_all >= 0, event.z_after_all >= 0
        if condition.row is not None:
            return bool(was[condition.row] != now[condition.row])
        return bool((was != now).any())
    if isinstance(condition, LossBelow):
        return event.loss_after < condition.value
    if isinstance(condition, AccuracyReaches):
        return event.accuracy_after >= condition.percent / 100
    if isinstance(condition, SignChange):
        j = condition.weight
        return bool(np.sign(event.weights_after[j]) != np.sign(event.weights_before[j]))
    if isinstance(condition, EpochEnd):
        return event.batch == event.batches_per_epoch
    if isinstance(condition, Steps):
        return event.step == start + condition.count
    return False


def brute_force(engine: Engine, condition: Condition, limit: int) -> int | None:
    """The first step after the cursor where the condition holds, one engine.step() at a time."""
    before = engine.current()
    start = before.step
    for _ in range(limit):
        event = engine.step()
        if event.step == before.step:
            return None  # diverged: no step was taken
        if holds(condition, before, event, start):
            return event.step
        before = event
    return None


def engine_at(
    dataset: Dataset, cursor: int, recorded: int | None = None, **options: object
) -> Engine:
    engine = Engine(dataset, **options)  # type: ignore[arg-type]
    engine.run_steps(max(cursor, recorded or 0))
    engine.jump(cursor)
    return engine


def check_against_brute_force(make: object, condition: Condition) -> None:
    """run_until on one engine and the brute force on a twin stop at the same step, with the
    same weights, history and outcome."""
    assert callable(make)
    searched, walked = make(), make()
    start, recorded = searched.cursor, searched.history_length
    with mock.patch.object(until, "LIMIT", BRUTE_LIMIT):
        outcome = searched.run_until(condition)
    expected = brute_force(walked, condition, min(BRUTE_LIMIT, getattr(condition, "count", 10**9)))
    if expected is None:
        assert outcome.kind in ("limit", "diverged"), outcome
        assert searched.cursor == walked.cursor
    else:
        assert (outcome.kind, outcome.step) == ("held", expected), (condition, outcome)
        assert searched.cursor == expected
        # Steps computed past the hit are forgotten; the steps recorded before it stay.
        assert searched.history_length == max(expected, recorded)
    assert np.array_equal(searched.weights, walked.weights)
    assert searched.current().loss_after == walked.current().loss_after
    assert outcome.step >= start


SEED_CONDITIONS: list[Condition] = [
    Flip(None),
    *[Flip(row) for row in range(4)],
    LossBelow(0.5),
    LossBelow(1e-2),
    LossBelow(2e-4),
    AccuracyReaches(50),
    AccuracyReaches(75),
    AccuracyReaches(100),
    SignChange(0),
    SignChange(1),
    SignChange(2),
    EpochEnd(),
    Steps(1),
    Steps(7),
]


@pytest.mark.parametrize("cursor", [0, 3, 10, 33])
@pytest.mark.parametrize("condition", SEED_CONDITIONS, ids=repr)
def test_each_condition_on_the_seed_lecture_stops_where_stepping_finds_it(
    seed_dataset: Dataset, condition: Condition, cursor: int
) -> None:
    check_against_brute_force(lambda: engine_at(seed_dataset, cursor), condition)


IRIS_CONDITIONS: list[Condition] = [
    Flip(None),
    Flip(0),
    Flip(57),
    LossBelow(0.6),
    LossBelow(0.3),
    AccuracyReaches(90),
    AccuracyReaches(96),
    *[SignChange(j) for j in range(5)],
    EpochEnd(),
]


@pytest.mark.parametrize("standardized", [False, True])
@pytest.mark.parametrize("condition", IRIS_CONDITIONS, ids=repr)
def test_each_condition_on_shuffled_iris_stops_where_stepping_finds_it(
    condition: Condition, standardized: bool
) -> None:
    dataset = load_builtin("iris-versicolor-virginica")
    assert dataset.hyperparams.shuffle  # each epoch in its own order
    check_against_brute_force(lambda: engine_at(dataset, 7, standardized=standardized), condition)


@pytest.mark.parametrize("condition", [Flip(None), LossBelow(1e-2), SignChange(0), EpochEnd()])
def test_small_blocks_over_recorded_and_new_steps_find_the_same_step(
    seed_dataset: Dataset, condition: Condition
) -> None:
    # Blocks of 5 steps: hits on every position of a block, in the recorded steps (replayed)
    # and past them (computed); the 40 recorded steps stay, the computed ones past a hit go.
    with mock.patch.object(until, "BLOCK_STEPS", 5):
        check_against_brute_force(lambda: engine_at(seed_dataset, 2, recorded=40), condition)
        check_against_brute_force(lambda: engine_at(seed_dataset, 38, recorded=40), condition)


def test_classes_at_exactly_z_0_are_decided_as_the_events_decide_them() -> None:
    # Zero initial weights: every z is exactly 0 (class 1) before the first step, and the
    # symmetric rows keep some z at 0 after it; the screen must leave those to the exact check.
    features = [[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0], [0.0, 0.0]]
    dataset = Dataset("zeros", "", ("a", "b"), "y", np.array(features), np.array([1, 0, 1, 0, 1.0]))
    for condition in [Flip(None), Flip(4), AccuracyReaches(100), AccuracyReaches(80)]:
        check_against_brute_force(
            lambda: Engine(dataset, Hyperparams(learning_rate=1.0, batch_size=1), (0, 0, 0)),
            condition,
        )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(2, 6),
    d=st.integers(1, 3),
    seed=st.integers(0, 2**16),
    batch=st.integers(1, 6),
    lr=st.sampled_from([0.25, 1.0, 4.0]),
    kind=st.sampled_from(["flip", "accuracy", "loss", "sign"]),
)
def test_small_integer_data_with_many_ties_at_z_0(
    n: int, d: int, seed: int, batch: int, lr: float, kind: str
) -> None:
    rng = np.random.default_rng(seed)
    x = rng.integers(-2, 3, size=(n, d)).astype(np.float64)
    y = rng.integers(0, 2, size=n).astype(np.float64)
    dataset = Dataset("ties", "", tuple(f"x{j + 1}" for j in range(d)), "y", x, y)
    hp = Hyperparams(learning_rate=lr, batch_size=min(batch, n))
    condition: Condition = {
        "flip": Flip(None),
        "accuracy": AccuracyReaches(100),
        "loss": LossBelow(0.2),
        "sign": SignChange(0),
    }[kind]
    with mock.patch.object(until, "BLOCK_STEPS", 16):
        check_against_brute_force(lambda: Engine(dataset, hp, np.zeros(d + 1)), condition)


def test_a_condition_that_never_holds_stops_at_the_limit_of_a_million_steps(
    seed_dataset: Dataset,
) -> None:
    engine = Engine(seed_dataset)
    engine.run_steps(3)
    reports: list[tuple[int, int]] = []
    outcome = engine.run_until(
        SignChange(1), progress=lambda done, total: reports.append((done, total))
    )
    assert until.LIMIT == 1_000_000
    assert (outcome.kind, outcome.step) == ("limit", 3 + until.LIMIT)
    assert engine.cursor == engine.history_length == 3 + until.LIMIT
    assert outcome.notice == (
        "stopped at step 1000003, the limit of 1,000,000 steps on: w1 never changed sign"
    )
    # Progress as R reports it: about a hundred times, rising to the whole.
    assert 50 <= len(reports) <= 101
    assert reports[-1] == (until.LIMIT, until.LIMIT)
    assert [done for done, _ in reports] == sorted(done for done, _ in reports)


def test_notices_say_which_condition_stopped_the_run_and_where(seed_dataset: Dataset) -> None:
    engine = engine_at(seed_dataset, 3)
    assert engine.run_until(Flip(2)).notice == "stopped at step 5: row 3's class flipped (1 → 0)"
    engine = engine_at(seed_dataset, 3)
    assert engine.run_until(Flip(None)).notice == (
        "stopped at step 5: row 1's class flipped (1 → 0), and 3 more rows"
    )
    engine = engine_at(seed_dataset, 3)
    assert engine.run_until(EpochEnd()).notice == "stopped at step 4: the end of epoch 2"
    notice = engine.run_until(SignChange(0)).notice
    assert notice == "stopped at step 5: w0 changed sign (0.2775 → -0.8975)"
    notice = engine.run_until(Steps(37)).notice
    assert notice == "stopped at step 42: 37 steps run"
    event = engine.current()
    assert event.step == 42 and engine.history_length == 42
    # The seed lecture goes from 50% to 100% at once: "reaches 70%" stops there.
    notice = engine_at(seed_dataset, 0).run_until(AccuracyReaches(70)).notice
    assert notice == "stopped at step 31: accuracy reached 100.0% (at least 70%)"
    notice = engine_at(seed_dataset, 0).run_until(LossBelow(0.001)).notice
    assert notice == "stopped at step 35: the full-data loss 0.0008116 went below 0.001"


def test_a_condition_that_holds_at_once_takes_one_step(seed_dataset: Dataset) -> None:
    # From the start all four rows are class 1 (z ~ 1e-6 >= 0); step 1 sends them all to 0.
    engine = Engine(seed_dataset)
    outcome = engine.run_until(Flip(0))
    assert (outcome.kind, engine.cursor, engine.history_length) == ("held", 1, 1)
    assert outcome.notice == "stopped at step 1: row 1's class flipped (1 → 0)"


def test_divergence_stops_the_search_and_is_the_diverges_condition(seed_dataset: Dataset) -> None:
    # lr 1e304: the second step would make z overflow (as R's test of divergence).
    hp = Hyperparams(learning_rate=1e304, batch_size=2)
    engine = Engine(seed_dataset, hp)
    outcome = engine.run_until(SignChange(1))
    assert (outcome.kind, outcome.step, engine.cursor, engine.diverged_at) == ("diverged", 1, 1, 2)
    assert outcome.notice.startswith("stopped at step 1: diverged at step 2 (")
    assert outcome.notice.endswith("); w1 never changed sign")
    engine = Engine(seed_dataset, hp)
    outcome = engine.run_until(Diverges())
    assert (outcome.kind, outcome.step) == ("held", 1)
    assert outcome.notice.startswith("stopped at step 1: the run diverged at step 2 (")
    # Again from there: nothing more can run, and it says so at once.
    assert engine.run_until(Diverges()).step == 1


def test_divergence_past_a_hit_is_forgotten_with_the_steps_past_it(seed_dataset: Dataset) -> None:
    # lr 1e304 at batch size 1: step 3 would make z overflow. The flip is at step 1; the block
    # computed step 2 too, and found the divergence after it: both are forgotten.
    engine = Engine(seed_dataset, Hyperparams(learning_rate=1e304, batch_size=1))
    outcome = engine.run_until(Flip(None))
    assert (outcome.kind, engine.cursor, engine.history_length) == ("held", 1, 1)
    assert engine.diverged_at is None
    engine.step()
    assert engine.diverged_at is None and engine.cursor == 2
    engine.step()  # computed again, found again
    assert engine.diverged_at == 3 and engine.cursor == 2


def test_a_cancelled_search_stays_at_the_last_step_checked(seed_dataset: Dataset) -> None:
    engine = Engine(seed_dataset)
    engine.run_steps(5)
    outcome = engine.run_until(SignChange(1), should_stop=lambda: True)
    assert outcome.kind == "cancelled"
    # The run stopped within its first block, and every step up to the cursor was checked.
    assert 5 < engine.cursor == engine.history_length <= 5 + until.BLOCK_STEPS
    assert outcome.notice == f"cancelled at step {engine.cursor}: w1 never changed sign up to there"
    walked = engine_at(seed_dataset, 5)
    assert brute_force(walked, SignChange(1), engine.cursor - 5) is None


def test_one_message_is_published_for_a_whole_search(seed_dataset: Dataset) -> None:
    engine = Engine(seed_dataset)
    messages: list[object] = []
    engine.subscribe(messages.append)
    engine.run_until(LossBelow(1e-3))
    assert len(messages) == 1
    assert messages[0].event.step == engine.cursor  # type: ignore[attr-defined]


# ---------------------------------------------------------------------- reading typed values


GOOD_VALUES: list[tuple[str, str, Condition]] = [
    ("flip", "", Flip(None)),
    ("flip", " any ", Flip(None)),
    ("flip", "3", Flip(2)),
    ("loss", "0.1", LossBelow(0.1)),
    ("loss", "1e-3", LossBelow(1e-3)),
    ("accuracy", "75", AccuracyReaches(75)),
    ("accuracy", "90%", AccuracyReaches(90)),
    ("accuracy", "100", AccuracyReaches(100)),
    ("sign", "w0", SignChange(0)),
    ("sign", "W2", SignChange(2)),
    ("sign", "1", SignChange(1)),
    ("sign", "bias", SignChange(2)),
    ("diverge", "", Diverges()),
    ("epoch", "", EpochEnd()),
    ("steps", "37", Steps(37)),
    ("steps", "1000000", Steps(1_000_000)),
]


@pytest.mark.parametrize(("kind", "text", "condition"), GOOD_VALUES)
def test_typed_values_are_read(kind: str, text: str, condition: Condition) -> None:
    assert read_condition(kind, text, n_rows=4, n_weights=3) == condition


BAD_VALUES: list[tuple[str, str, str]] = [
    ("flip", "0", "row must be a row number from 1 to 4, or empty for any row, got '0'"),
    ("flip", "5", "row must be a row number from 1 to 4, or empty for any row, got '5'"),
    ("flip", "1.5", "row must be a row number from 1 to 4, or empty for any row, got '1.5'"),
    ("loss", "abc", "loss must be a number, got 'abc'"),
    ("loss", "", "loss must be a number, got ''"),
    ("loss", "inf", "loss must be a finite number, got 'inf'"),
    ("loss", "0", "loss must be greater than 0, got 0"),
    ("loss", "-1", "loss must be greater than 0, got -1"),
    ("loss", "1_0", "loss must be a number, got '1_0'"),
    ("accuracy", "0.9", "accuracy must be a percentage from 1 to 100 (type 90 for 90%), got 0.9"),
    ("accuracy", "101", "accuracy must be a percentage from 1 to 100 (type 90 for 90%), got 101"),
    ("accuracy", "lots", "accuracy must be a number of percent, got 'lots'"),
    ("accuracy", "nan", "accuracy must be a number of percent, got 'nan'"),
    ("sign", "w3", "weight must be one of w0 to w2 (w2 is the bias), got 'w3'"),
    ("sign", "w-1", "weight must be one of w0 to w2 (w2 is the bias), got 'w-1'"),
    ("sign", "x1", "weight must be one of w0 to w2 (w2 is the bias), got 'x1'"),
    ("steps", "0", "number of steps must be between 1 and 1000000, got 0"),
    ("steps", "1000001", "number of steps must be between 1 and 1000000, got 1000001"),
    ("steps", "ten", "number of steps must be a whole number, got 'ten'"),
    ("steps", "[red]9", "number of steps must be a whole number, got '[red]9'"),
]


@pytest.mark.parametrize(("kind", "text", "message"), BAD_VALUES)
def test_bad_values_are_refused_in_one_line(kind: str, text: str, message: str) -> None:
    with pytest.raises(SettingError) as refused:
        read_condition(kind, text, n_rows=4, n_weights=3)
    assert str(refused.value) == message
    assert refused.value.setting == kind
