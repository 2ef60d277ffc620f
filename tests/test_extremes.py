"""Numerical extremes through the whole app: no NaN or inf is ever recorded or shown, no warning."""

from __future__ import annotations

import asyncio
import math
import re
import warnings
from collections.abc import Awaitable, Callable

import numpy as np
import pytest

from logsgd.core import Dataset, Engine, Hyperparams
from logsgd.tui.app import LogSGDApp
from logsgd.tui.rowtable import RowTable

# (name, features, labels, learning rate): each pushes one number to the edge of float64.
EXTREMES = [
    ("features-1e300", [[1e300, 1.0], [-1e300, 2.0], [3e299, 1.0]], [0, 1, 1], 1e6),
    ("features-1e-300", [[1e-300, 1.0], [-1e-300, 2.0], [3e-300, -1.0]], [0, 1, 1], 1.0),
    ("z-plus-minus-1e4", [[1e4, 0.0], [-1e4, 1.0], [5e3, -1.0]], [0, 1, 1], 1.0),
    ("lr-1e6", [[121, 14.8], [114, 15.2], [210, 9.4], [198, 8.1]], [0, 0, 1, 1], 1e6),
    ("lr-1e300", [[121, 14.8], [114, 15.2], [210, 9.4], [198, 8.1]], [0, 0, 1, 1], 1e300),
]

NON_FINITE_ON_SCREEN = re.compile(r"\b(nan|inf|-inf)\b")


def make_engine(features: list[list[float]], labels: list[int], lr: float) -> Engine:
    dataset = Dataset("extreme", "", ("x1", "x2"), "y", features, labels)
    return Engine(dataset, Hyperparams(learning_rate=lr, batch_size=2))


def screen_text(app: LogSGDApp) -> str:
    """Everything the panels show as text (Statics and the visible table lines)."""
    parts = [str(app.query_one(f"#{name}").render()) for name in ("status-text",)]
    for name in ("batch-body", "gradients-body"):
        parts += app.query_one(f"#{name}", RowTable).lines()
    for table in ("#dataset-table", "#predictions-table"):
        widget = app.query_one(table)
        parts += [widget.render_line(y).text for y in range(widget.size.height)]
    return "\n".join(parts)


def run_app(engine: Engine, scenario: Callable[[LogSGDApp, object], Awaitable[None]]) -> None:
    async def main() -> None:
        app = LogSGDApp(engine)
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            await scenario(app, pilot)

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a RuntimeWarning from numpy fails the test
        with np.errstate(all="raise"):
            asyncio.run(main())


@pytest.mark.parametrize(
    ("name", "features", "labels", "lr"), EXTREMES, ids=[e[0] for e in EXTREMES]
)
def test_extreme_runs_never_record_or_show_a_non_finite_number(
    name: str, features: list[list[float]], labels: list[int], lr: float
) -> None:
    engine = make_engine(features, labels, lr)

    async def scenario(app: LogSGDApp, pilot: object) -> None:
        for _ in range(12):
            await pilot.press("right")  # type: ignore[attr-defined]
        await pilot.pause()  # type: ignore[attr-defined]
        history = engine.weight_history()
        assert np.isfinite(history).all(), name
        event = app.state.event
        for value in (event.loss_before, event.loss_after, event.accuracy_after):
            assert math.isfinite(value)
        assert np.isfinite(event.predictions_after).all()
        shown = screen_text(app)
        assert not NON_FINITE_ON_SCREEN.search(shown), shown
        if engine.diverged_at is not None:
            # Stopped at the last finite step, said so, and stepping back still works.
            assert engine.cursor == engine.history_length == engine.diverged_at - 1
            assert f"diverged at step {engine.diverged_at}" in shown
            if engine.cursor:
                await pilot.press("left")  # type: ignore[attr-defined]
                await pilot.pause()  # type: ignore[attr-defined]
                assert app.state.event.step == engine.diverged_at - 2
                assert not NON_FINITE_ON_SCREEN.search(screen_text(app))

    run_app(engine, scenario)


def test_features_of_1e300_with_lr_1e6_diverge_at_the_first_step_and_say_so() -> None:
    engine = make_engine(*EXTREMES[0][1:3], lr=1e6)  # type: ignore[misc]

    async def scenario(app: LogSGDApp, pilot: object) -> None:
        await pilot.press("right", "right")  # type: ignore[attr-defined]
        await pilot.pause()  # type: ignore[attr-defined]
        assert engine.diverged_at == 1 and engine.history_length == 0
        assert "diverged at step 1" in screen_text(app)
        await pilot.press("d")  # type: ignore[attr-defined]  # a change clears the stop
        await pilot.pause()  # type: ignore[attr-defined]
        assert engine.diverged_at is None

    run_app(engine, scenario)


def test_tiny_values_stay_visible_in_every_panel() -> None:
    # The seed lecture after step 1: predictions of 1e-32 to 1e-54, never shown as 0.
    engine = make_engine([[121, 14.8], [114, 15.2], [210, 9.4], [198, 8.1]], [0, 0, 1, 1], 0.01)
    engine.restart(initial_weights=[1e-8, -1e-8, 1e-8])

    async def scenario(app: LogSGDApp, pilot: object) -> None:
        await pilot.press("right")  # type: ignore[attr-defined]
        await pilot.pause()  # type: ignore[attr-defined]
        shown = screen_text(app)
        for tiny in ("4.394e-32", "2.605e-30", "1.290e-54", "1.639e-51"):
            assert tiny in shown
        assert "0.0000" not in shown

    run_app(engine, scenario)
