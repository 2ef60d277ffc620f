"""Pilot tests of the loss landscape view: its keys, its words, its marks, its grid in the
background on 100,000 rows."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import numpy as np
import pytest
from test_app_keys import COMPACT, WIDE, choose_in_palette, run_scenario
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input
from textual.worker import WorkerCancelled

from logsgd.core import maths
from logsgd.core.builtin_datasets import builtin_names
from logsgd.core.landscape import grid_axes
from logsgd.tui.app import LogSGDApp
from logsgd.tui.chartcanvas import BRAILLE, ChartCanvas
from logsgd.tui.marks import CURSOR_POINT_MARK, START_MARK
from logsgd.tui.panels import landscape
from logsgd.tui.panels.chart import ChartPanel
from logsgd.tui.screens.help import help_table
from logsgd.tui.screens.names import NamesScreen

SIZES = pytest.mark.parametrize("size", [WIDE, COMPACT], ids=["120x36", "80x24"])


def view_text(app: LogSGDApp) -> str:
    return "\n".join(app.query_one(ChartPanel).query_one(ChartCanvas).lines())


def plot_place(app: LogSGDApp) -> tuple[landscape.LandscapePicture, tuple[int, int, int, int]]:
    canvas = app.query_one(ChartPanel).query_one(ChartCanvas)
    picture = landscape.landscape_picture(app.state)
    assert picture is not None
    place = picture.layout(*canvas.size)
    assert place is not None
    return picture, place


def plot_chars(app: LogSGDApp) -> str:
    _, (top, left, rows, columns) = plot_place(app)
    lines = app.query_one(ChartPanel).query_one(ChartCanvas).lines()[top : top + rows]
    return "".join(line[left : left + columns] for line in lines)


def the_grid(app: LogSGDApp) -> np.ndarray:
    picture, (_, _, rows, columns) = plot_place(app)
    grid = app.state.landscape.grids(picture.request(rows, columns))  # type: ignore[union-attr]
    assert grid is not None
    return grid


@SIZES
def test_o_shows_the_seed_lecture_swing(size: tuple[int, int]) -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("o")
        panel = app.query_one(ChartPanel)
        assert app.state.chart_mode == "landscape"
        assert app.state.selected_panel == "chart"  # compact: the chart panel comes up
        assert panel.display and panel.region.width > 0
        assert str(panel.border_title).startswith("Loss landscape")
        assert str(panel.border_subtitle) == landscape.MARKS_KEY
        text = view_text(app)
        assert "step 0 · mean BCE 0.6931 at ●" in text
        # The next update's move, -lr·g, is the lecture's step 1: w0 -0.5875, w1 -0.07500.
        assert "next step −lr·g: w0 -0.5875, w1 -0.07500" in text
        assert "held at step 0: w2 (bias) = 1.000e-08" in text
        assert "across: w0 (x1)" in text and "up: w1 (x2)" in text
        assert "objective: blank < " in text
        await pilot.press("right", "right")
        text = view_text(app)
        assert "step 2 · mean BCE 85.43 at ●" in text
        plot = plot_chars(app)
        assert CURSOR_POINT_MARK in plot and START_MARK in plot
        assert any(BRAILLE < ord(c) < BRAILLE + 256 for c in plot)
        # The path is the recorded weights; the window covers them and the next step's end.
        data = app.state.landscape
        assert data is not None
        history = app.engine.weight_history()
        np.testing.assert_array_equal(data.path_a, history[:3, 0])
        w = data.window
        assert w.a_low < history[:3, 0].min() and w.a_high > history[:3, 0].max()
        # Every cell of the drawn grid is the engine's objective at its weights.
        grid = the_grid(app)
        picture, (_, _, rows, columns) = plot_place(app)
        a, b = grid_axes(picture.request(rows, columns))
        for row, column in [(0, 0), (rows - 1, columns - 1), (rows // 2, columns // 3)]:
            weights = app.engine.weights.copy()
            weights[0], weights[1] = a[column], b[row]
            app.engine.evaluator.clear()
            assert grid[row, column] == maths.objective(app.engine.evaluator.loss(weights), weights)

    run_scenario(scenario, size=size)


def test_o_c_and_v_leave_the_landscape() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("o")
        assert app.state.chart_mode == "landscape" and app.state.landscape is not None
        await pilot.press("o")
        assert app.state.chart_mode == "weights" and app.state.landscape is None
        await pilot.press("o", "c")
        assert app.state.chart_mode == "weights"
        await pilot.press("o", "v")
        assert app.state.chart_mode == "boundary"
        await pilot.press("o", "right")
        assert "step 1 · " in view_text(app)

    run_scenario(scenario, size=WIDE)


def test_the_landscape_is_in_the_palette_and_help() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Loss landscape · key o" in titles
        assert "Landscape weights · key O" in titles
        await choose_in_palette(app, pilot, "Loss landsc", "Loss landscape")
        await pilot.pause()
        assert app.state.chart_mode == "landscape"
        await pilot.press("question_mark")
        await pilot.pause()
        shown = [str(cell) for column in help_table(2).columns for cell in column.cells]
        assert "o" in shown and "O" in shown
        assert any("Loss landscape over two weights" in c for c in shown)

    run_scenario(scenario, size=WIDE)


def test_O_chooses_any_pair_on_iris_and_refuses_a_bad_one() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right", "O")
        await pilot.pause()
        assert isinstance(app.screen, NamesScreen)
        across = app.screen.query_one("#pair-across", Input)
        up = app.screen.query_one("#pair-up", Input)
        assert (across.value, up.value) == ("w0", "w1")
        across.value, up.value = "w2", "w2"
        await pilot.press("enter")  # from across: on to up
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, NamesScreen)  # refused: the same weight twice
        assert "must differ" in str(app.screen.query_one("#pair-error").render())
        up.value = "bias"
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, NamesScreen)
        assert app.state.landscape_pair == (2, 4) and app.state.chart_mode == "landscape"
        assert "loss landscape: w2 (x3" in app.state.notice
        text = view_text(app)
        assert "across: w2 (x3" in text and "up: w4 (bias)" in text
        assert "held at step 1: w0 = " in text and "w3 = " in text
        data = app.state.landscape
        assert data is not None
        np.testing.assert_array_equal(data.path_b, app.engine.weight_history()[:2, 4])
        grid = the_grid(app)
        picture, (_, _, rows, columns) = plot_place(app)
        a, b = grid_axes(picture.request(rows, columns))
        weights = app.engine.weights.copy()
        weights[2], weights[4] = a[3], b[2]
        app.engine.evaluator.clear()
        assert grid[2, 3] == app.engine.evaluator.loss(weights)
        # Escape leaves the pair as it was.
        await pilot.press("O")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.state.landscape_pair == (2, 4)

    run_scenario(scenario, "--dataset", "iris-versicolor-virginica", "--standardize", size=WIDE)


def test_standardize_restarts_and_the_path_goes_down() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("o", "z", *["right"] * 6)
        assert app.engine.standardized
        text = view_text(app)
        assert "step 6 · " in text
        losses = app.engine.loss_at(list(range(7)))
        assert losses[-1] < losses[0]

    run_scenario(scenario, size=WIDE)


def test_with_l2_the_objective_is_said_with_its_penalty() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("o", "right")
        text = view_text(app)
        event = app.state.event
        assert event.objective_after > event.loss_after
        assert f"step 1 · BCE + λ/2·Σw² {landscape.fmt(event.objective_after)} at ●" in text

    run_scenario(scenario, "--l2", "0.1", size=WIDE)


@pytest.mark.parametrize("name", builtin_names())
def test_every_builtin_dataset_draws_its_landscape(name: str) -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("o", "right", "right", "right")
        text = view_text(app)
        assert "step 3 · mean BCE" in text and "computing" not in text
        assert CURSOR_POINT_MARK in plot_chars(app)
        await pilot.press("left")
        assert "step 2 · " in view_text(app)

    run_scenario(scenario, "--dataset", name, "--standardize", size=WIDE)


def test_a_grid_is_computed_once_per_slice_and_window() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("o", "right", "right")
        grid = the_grid(app)
        await pilot.press("plus", "minus")  # not the landscape's: the same grid, kept
        assert the_grid(app) is grid
        await pilot.press("left", "right")  # back to step 2: its grid is kept
        assert the_grid(app) is grid

    run_scenario(scenario, size=WIDE)


def test_100000_rows_compute_the_grid_in_the_background(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    n = 100_000
    features = rng.normal(size=(n, 2)) * [30.0, 4.0] + [150.0, 12.0]
    labels = (features[:, 0] - 150 + rng.normal(size=n) * 10 > 0).astype(int)
    path = tmp_path / "big.csv"
    np.savetxt(
        path,
        np.column_stack([features, labels]),
        delimiter=",",
        header="a,b,y",
        comments="",
        fmt=["%.3f", "%.3f", "%d"],
    )

    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        # Pilot's press waits until the process is idle (the worker included): post the keys
        # as the terminal's driver does, and look as soon as the step is on screen.
        for key, character in (("o", "o"), ("right", None)):
            app.post_message(events.Key(key, character))
        for _ in range(200):
            await asyncio.sleep(0.005)
            if "step 1 · " in view_text(app):
                break
        # The step is on screen before its grid: the plot says it is being computed.
        assert "computing… (100,000 rows" in view_text(app)
        assert "computing the landscape in the background" in view_text(app)
        app.post_message(events.Key("right", None))  # a newer step: the older grid is cancelled
        await pilot.pause()
        assert app.state.event.step == 2
        # The older grid's worker may be cancelled still (exclusive): its wait() raises
        # WorkerCancelled, which wait_for_complete() passes on. Wait for each, that one too.
        for worker in list(app.workers):
            with contextlib.suppress(WorkerCancelled):
                await worker.wait()
        await pilot.pause()
        text = view_text(app)
        assert "computing" not in text and "objective: " in text
        grid = the_grid(app)
        picture, (_, _, rows, columns) = plot_place(app)
        a, b = grid_axes(picture.request(rows, columns))
        weights = app.engine.weights.copy()
        weights[0], weights[1] = a[1], b[1]
        app.engine.evaluator.clear()
        assert grid[1, 1] == app.engine.evaluator.loss(weights)

    run_scenario(scenario, str(path), "--batch-size", "64", size=WIDE)


def test_at_80x24_the_landscape_key_fits_whole() -> None:
    """The pair layout gives the view half of 80 columns: the key's short form, not cut."""
    from logsgd.tui.panels import landscape
    from logsgd.tui.panels.chart import ChartPanel

    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("o", "right")
        panel = app.query_one(ChartPanel)
        key = str(panel.border_subtitle)
        assert key == landscape.MARKS_KEY_NARROW != landscape.MARKS_KEY
        assert len(key) + 4 <= panel.size.width
        assert str(panel.border_title) == "Loss landscape · O: weights"

    run_scenario(scenario, size=(80, 24))
