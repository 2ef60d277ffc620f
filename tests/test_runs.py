"""Runs kept aside (core/runs.py): pinning, switching back and bringing dropped steps back are
bit for bit, cost no copy of the history, and keep to three pins."""

from __future__ import annotations

import gc

import numpy as np
import pytest
from conftest import make_dataset

from logsgd.core import Dataset, Engine, Hyperparams, SettingError
from logsgd.core.events import StepEvent, Switched
from logsgd.core.history import History
from logsgd.core.runs import PinError, Pins, Run


def columns(history: History) -> dict[str, np.ndarray]:
    """Every recorded column of a history, copied: what 'bit for bit' compares."""
    used = history.weights.length
    out = {
        "weights": np.array(history.weights.data[:used]),
        "hp_index": np.array(history.hp_index.data[:used]),
        "epoch": np.array(history.epoch.data[:used]),
        "offset": np.array(history.offset.data[:used]),
    }
    if history.velocity is not None:
        out["velocity"] = np.array(history.velocity.data[:used])
    return out


def assert_same_bits(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> None:
    assert a.keys() == b.keys()
    for name in a:
        assert a[name].dtype == b[name].dtype and a[name].shape == b[name].shape, name
        assert a[name].tobytes() == b[name].tobytes(), name


def same_event(a: StepEvent, b: StepEvent) -> None:
    for name in ("weights_before", "weights_after", "gradient", "z", "residuals", "f"):
        assert getattr(a, name).tobytes() == getattr(b, name).tobytes(), name
    assert (a.step, a.loss_after, a.hyperparams, a.standardized) == (
        b.step,
        b.loss_after,
        b.hyperparams,
        b.standardized,
    )


def snapshot(engine: Engine) -> tuple[dict[str, np.ndarray], list[object], int]:
    history = engine._history
    return columns(history), [*history.hp_table, *history.epoch_first_step], engine.cursor


@pytest.fixture
def momentum_data() -> Dataset:
    return make_dataset(n=11, d=3, seed=4, scale=3.0)


HP = Hyperparams(learning_rate=0.3, batch_size=3, shuffle=True, seed=5, momentum=0.7)


def test_pinning_copies_no_step_and_the_pin_survives_the_live_run_writing(
    momentum_data: Dataset,
) -> None:
    engine = Engine(momentum_data, HP)
    engine.run_steps(20)
    engine.jump(12)
    before = snapshot(engine)
    pins = Pins()
    assert pins.pin(engine) == "A"
    run = pins["A"]
    # No copy: the pin reads the engine's own arrays.
    assert np.shares_memory(run.weight_history(), engine.weight_history())
    # The live run goes back, changes lr (dropping steps) and computes over the pinned rows.
    engine.jump(5)
    engine.set_hyperparams(learning_rate=0.05)
    engine.run_steps(30)
    assert not np.shares_memory(run.weight_history(), engine.weight_history())
    assert_same_bits(columns(run.history), before[0])
    assert run.cursor == 12 and run.history_length == 20


def test_switching_to_a_pin_is_bit_for_bit_and_goes_on_as_if_never_left(
    momentum_data: Dataset,
) -> None:
    engine = Engine(momentum_data, HP)
    engine.run_steps(9)
    engine.set_hyperparams(batch_size=2)  # a change point inside the pinned run
    engine.run_steps(8)
    engine.jump(13)
    before = snapshot(engine)
    events = [engine.event_at(s) for s in range(engine.history_length + 1)]
    pins = Pins()
    pins.pin(engine)
    engine.restart(standardized=True)
    engine.run_steps(7)
    standardized = snapshot(engine)
    messages: list[object] = []
    engine.subscribe(messages.append)
    pins.switch(engine, "A")
    assert isinstance(messages[-1], Switched)
    assert not engine.standardized and engine.cursor == 13
    after = snapshot(engine)
    assert_same_bits(after[0], before[0])
    assert after[1:] == before[1:]
    for step, event in enumerate(events):
        same_event(engine.event_at(step), event)
    assert engine.hyperparam_changes() == [10]
    # The run left is pinned in A's place, whole.
    left = pins["A"]
    assert left.standardized and left.history_length == 7
    assert_same_bits(columns(left.history), standardized[0])
    # Going on from the resumed run gives what a run that was never left gives.
    engine.last()
    engine.run_steps(6)
    never_left = Engine(momentum_data, HP)
    never_left.run_steps(9)
    never_left.set_hyperparams(batch_size=2)
    never_left.run_steps(14)
    assert engine.weight_history().tobytes() == never_left.weight_history().tobytes()


def test_switching_back_and_forth_keeps_both_runs(seed_dataset: Dataset) -> None:
    engine = Engine(seed_dataset)
    engine.run_steps(6)
    raw = snapshot(engine)
    pins = Pins()
    pins.pin(engine)
    engine.restart(standardized=True)
    engine.run_steps(4)
    std = snapshot(engine)
    for _ in range(3):
        pins.switch(engine, "A")
        assert_same_bits(snapshot(engine)[0], raw[0])
        pins.switch(engine, "A")
        assert_same_bits(snapshot(engine)[0], std[0])


def test_a_resumed_run_no_longer_shared_writes_in_place(seed_dataset: Dataset) -> None:
    engine = Engine(seed_dataset)
    engine.run_steps(4)
    pins = Pins()
    pins.pin(engine)
    engine.restart(standardized=True)
    pins.switch(engine, "A")
    pins.unpin("A")  # the standardized run, let go
    gc.collect()
    assert not engine._history.shared  # the pin's record is gone: nothing to copy for
    engine.step()
    engine.set_hyperparams(learning_rate=0.02)
    engine.step()
    assert not engine._history.shared


def test_three_pins_at_most_and_unpin(seed_dataset: Dataset) -> None:
    engine = Engine(seed_dataset)
    pins = Pins()
    assert [pins.pin(engine) for _ in range(3)] == ["A", "B", "C"]
    with pytest.raises(PinError, match="3 runs are pinned already"):
        pins.pin(engine)
    pins.unpin("B")
    assert pins.letters == ("A", "C")
    assert pins.pin(engine) == "B"  # the first free letter
    with pytest.raises(PinError, match="no run is pinned as D"):
        pins.switch(engine, "D")
    pins.unpin("A")
    with pytest.raises(PinError):
        pins.unpin("A")


def test_a_run_of_another_dataset_is_refused(seed_dataset: Dataset) -> None:
    other = Engine(make_dataset())
    run = Engine(seed_dataset).keep()
    with pytest.raises(SettingError, match="another dataset"):
        other.resume(run)


def test_a_pinned_runs_loss_curve_is_the_engines(seed_dataset: Dataset) -> None:
    engine = Engine(seed_dataset)
    engine.run_steps(8)
    run: Run = engine.keep()
    steps = list(range(9))
    assert run.loss_at(steps).tobytes() == engine.loss_at(steps).tobytes()
    with pytest.raises(IndexError):
        run.loss_at([9])


# ---------------------------------------------------------------- the dropped future


def test_u_then_d_offers_the_dropped_steps_and_restores_them_bit_for_bit(
    momentum_data: Dataset,
) -> None:
    engine = Engine(momentum_data, HP)
    engine.run_steps(25)
    original = snapshot(engine)
    events = [engine.event_at(s) for s in (0, 6, 7, 25)]
    engine.jump(6)
    engine.set_hyperparams(learning_rate=0.6)  # u: lr x2, 19 steps dropped
    assert engine.dropped is not None and engine.dropped.steps == 19
    assert not engine.dropped_fits()
    engine.set_hyperparams(learning_rate=0.3)  # d: back to what the dropped steps ran with
    assert engine.dropped_fits()
    engine.restore_dropped()
    restored = snapshot(engine)
    assert_same_bits(restored[0], original[0])
    assert restored[1] == original[1]
    assert engine.cursor == 6 and engine.history_length == 25
    for event in events:
        same_event(engine.event_at(event.step), event)
    assert engine.dropped is None and engine.ghost is None  # the live run had nothing past 6


def test_bringing_dropped_steps_back_drops_the_steps_taken_since(seed_dataset: Dataset) -> None:
    engine = Engine(seed_dataset)
    engine.run_steps(10)
    original = snapshot(engine)
    engine.jump(4)
    engine.set_hyperparams(learning_rate=0.02)
    engine.run_steps(3)  # steps 5-7 at lr 0.02
    faster = snapshot(engine)
    engine.restore_dropped()
    assert_same_bits(snapshot(engine)[0], original[0])
    assert engine.ghost is not None and engine.ghost.start_step == 5
    assert engine.ghost.weights.tobytes() == faster[0]["weights"][5:].tobytes()
    assert engine.ghost.hyperparams.learning_rate == 0.02
    assert not engine.dropped_fits()  # the cursor is there, the settings are not
    engine.restore_dropped()  # and back: a redo of the redo
    assert_same_bits(snapshot(engine)[0], faster[0])
    assert engine.cursor == 4


def test_no_dropped_steps_nothing_to_bring_back(seed_dataset: Dataset) -> None:
    engine = Engine(seed_dataset)
    engine.run_steps(3)
    engine.set_hyperparams(learning_rate=0.5)  # at the end: nothing dropped
    assert engine.dropped is None and not engine.dropped_fits()
    with pytest.raises(SettingError, match="nothing to bring back"):
        engine.restore_dropped()


def test_a_pin_carries_its_dropped_steps(seed_dataset: Dataset) -> None:
    engine = Engine(seed_dataset)
    engine.run_steps(6)
    engine.jump(2)
    engine.set_hyperparams(learning_rate=0.05)
    ghost = np.array(engine.ghost.weights) if engine.ghost is not None else None
    pins = Pins()
    pins.pin(engine)
    engine.restart(standardized=True)
    assert engine.ghost is None
    pins.switch(engine, "A")
    assert engine.ghost is not None and ghost is not None
    assert engine.ghost.weights.tobytes() == ghost.tobytes()
