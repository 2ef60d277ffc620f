"""What one new step costs the engine, counted: one pass over its batch, one full-data z.

At 100,000 features each pass is millions of products (bench_wide.py times them); these tests
count the passes, so that a second computation of the step or of a kept figure shows up as a
number, not as a slower benchmark. The figures are checked against ones computed afresh.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from test_wide import wide_dataset

from logsgd.core import engine as engine_module
from logsgd.core import maths, runner
from logsgd.core.engine import Engine
from logsgd.core.events import StepEvent
from logsgd.core.fulldata import Evaluator, same_bits


def wide_engine(d: int = 300, n: int = 50, batch_size: int = 10) -> Engine:
    return Engine(wide_dataset(d, n, seed=1, batch_size=batch_size))


class Calls:
    """Counts the calls of a function, passing them on."""

    def __init__(self, function: Any) -> None:
        self.function, self.count = function, 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.count += 1
        return self.function(*args, **kwargs)


ARRAYS = ("z", "f", "residuals", "data_gradient", "gradient", "velocity_after", "weights_after")


def assert_same_event(got: StepEvent, want: StepEvent) -> None:
    for name in (*ARRAYS, "z_before_all", "z_after_all", "inputs"):
        assert same_bits(getattr(got, name), getattr(want, name)), name
    for name in ("loss_before", "loss_after", "accuracy_after", "batch_loss"):
        assert getattr(got, name) == getattr(want, name), name


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_a_new_step_passes_over_its_batch_once(
    momentum: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = wide_engine()
    engine.set_hyperparams(momentum=momentum)
    engine.walk([1, 1])
    computed, rebuilt = Calls(runner.array_step), Calls(engine_module.one_step)
    monkeypatch.setattr(runner, "array_step", computed)
    monkeypatch.setattr(engine_module, "one_step", rebuilt)
    for k in range(1, 8):  # across an epoch's end (5 batches of 10)
        event = engine.walk([1])
        # The runner's step, and its StepDetail for the event: no second pass.
        assert (computed.count, rebuilt.count) == (k, 0)
        # What the event shows is what a rebuild from the history computes, bit for bit.
        engine._fresh = None
        assert_same_event(event, engine.event_at(event.step))
        assert rebuilt.count == 1
        rebuilt.count = 0


def test_a_new_step_computes_one_full_data_z(monkeypatch: pytest.MonkeyPatch) -> None:
    """The step's "before" is the last step's "after", kept: one O(n d) product a step."""
    engine = wide_engine()
    engine.walk([1, 1])
    logits = Calls(maths.logits)
    monkeypatch.setattr(maths, "logits", logits)
    for k in range(1, 6):
        engine.walk([1])
        assert logits.count == k
    engine.walk([-1, 1])  # back and forward again: both sets of weights are kept
    assert logits.count == 5


def test_kept_figures_follow_the_history_rewritten_after_a_change() -> None:
    """Steps dropped by a change are computed again with other numbers in the same rows of
    the history: a kept figure belongs to the weights it was computed for, not to a row."""
    engine = wide_engine()
    engine.walk([1] * 5 + [-1, -1])
    engine.set_hyperparams(learning_rate=0.5)  # drops steps 4 and 5
    for _ in range(3):
        event = engine.walk([1])
        fresh = Evaluator(engine.data)
        for weights, z, loss in (
            (event.weights_before, event.z_before_all, event.loss_before),
            (event.weights_after, event.z_after_all, event.loss_after),
        ):
            want = fresh.of(weights)
            assert same_bits(z, want.z) and loss == want.loss


def test_same_bits_is_the_bytes_comparison() -> None:
    a = np.array([0.0, 1.5, np.nan, -2.0])
    for b, same in [
        (a.copy(), True),
        (np.array([-0.0, 1.5, np.nan, -2.0]), False),  # -0.0 == 0.0, but not its bits
        (np.array([0.0, 1.5, np.nan, -2.0000000000000004]), False),
        (a[:3], False),
    ]:
        assert same_bits(a, b) is same is (a.tobytes() == b.tobytes())
