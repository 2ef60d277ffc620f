"""The loss landscape's numbers (core/landscape.py): every grid cell is the engine's objective at
its weights, the path is the recorded weights, the next step is the one the engine takes."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import build_seed_dataset

from logsgd.core import maths
from logsgd.core.builtin_datasets import load_builtin
from logsgd.core.dataset import Dataset
from logsgd.core.engine import Engine
from logsgd.core.landscape import (
    GridRequest,
    Window,
    cell_centres,
    grid_axes,
    objective_grid,
    path_picks,
    path_window,
    read_pair,
    step_move,
)
from logsgd.core.params import Hyperparams, SettingError
from logsgd.tui.landscapedata import LandscapeGrids, landscape_data
from logsgd.tui.panels.landscape import bands, contour_levels, levels_key


def engine_objective(engine: Engine, weights: np.ndarray, l2: float) -> float:
    """What the engine says the objective is at these weights (its evaluator and formula)."""
    engine.evaluator.clear()
    return maths.objective(engine.evaluator.loss(weights), weights, l2)


def check_cells(engine: Engine, request: GridRequest, grid: np.ndarray, cells: int = 40) -> None:
    a, b = grid_axes(request)
    rng = np.random.default_rng(3)
    j, k = request.pair
    for _ in range(cells):
        row, column = int(rng.integers(request.rows)), int(rng.integers(request.columns))
        weights = np.array(request.held)
        weights[j], weights[k] = a[column], b[row]
        assert grid[row, column] == engine_objective(engine, weights, request.l2)


def seed_request(engine: Engine, rows: int = 12, columns: int = 30, l2: float = 0.0) -> GridRequest:
    held = tuple(engine.weights.tolist())
    window = path_window(engine.weight_history()[:, 0], engine.weight_history()[:, 1])
    return GridRequest((0, 1), held, window, l2, rows, columns)


def test_every_cell_is_the_engines_objective_bit_for_bit_on_the_seed() -> None:
    engine = Engine(build_seed_dataset())
    engine.run_steps(5)
    request = seed_request(engine)
    grid = objective_grid(engine.data.xb, engine.data.labels, engine.data.signs, request)
    assert grid is not None and grid.shape == (12, 30)
    check_cells(engine, request, grid, cells=12 * 30)
    # The seed lecture's numbers, where the grid passes through them: the start's loss.
    start = GridRequest(
        (0, 1), tuple(engine.initial_weights.tolist()), Window(0, 2e-8, -2e-8, 0), 0.0, 1, 1
    )
    one = objective_grid(engine.data.xb, engine.data.labels, engine.data.signs, start)
    assert one is not None and one[0, 0] == pytest.approx(0.69314695, abs=1e-8)


def test_with_l2_the_cells_are_the_objective_with_its_penalty() -> None:
    engine = Engine(build_seed_dataset(), Hyperparams(learning_rate=0.01, batch_size=2, l2=0.5))
    engine.run_steps(3)
    request = seed_request(engine, l2=0.5)
    grid = objective_grid(engine.data.xb, engine.data.labels, engine.data.signs, request)
    assert grid is not None
    check_cells(engine, request, grid)
    plain = objective_grid(
        engine.data.xb, engine.data.labels, engine.data.signs, request._replace(l2=0.0)
    )
    assert plain is not None and bool(np.all(grid > plain))


@pytest.mark.parametrize("pair", [(0, 1), (2, 4), (4, 1)])
def test_iris_any_pair_the_others_held(pair: tuple[int, int]) -> None:
    engine = Engine(load_builtin("iris-versicolor-virginica"), standardized=True)
    engine.run_steps(4)
    history = engine.weight_history()
    held = tuple(engine.weights.tolist())
    window = path_window(history[:, pair[0]], history[:, pair[1]])
    request = GridRequest(pair, held, window, 0.0, 9, 21)
    grid = objective_grid(engine.data.xb, engine.data.labels, engine.data.signs, request)
    assert grid is not None
    check_cells(engine, request, grid)


def test_large_data_is_chunked_and_still_exact() -> None:
    rng = np.random.default_rng(1)
    n = 100_000
    features = rng.normal(size=(n, 2)) * [30.0, 4.0] + [150.0, 12.0]
    labels = (features[:, 0] > 150).astype(float)
    dataset = Dataset(
        name="big",
        description="100,000 rows",
        feature_names=("a", "b"),
        label_name="y",
        features=features,
        labels=labels,
    )
    engine = Engine(dataset, Hyperparams(learning_rate=0.01, batch_size=32))
    engine.run_steps(3)
    request = seed_request(engine, rows=4, columns=6)
    grid = objective_grid(engine.data.xb, engine.data.labels, engine.data.signs, request)
    assert grid is not None
    check_cells(engine, request, grid, cells=6)
    # A computation no longer wanted stops at its next chunk.
    stopped = objective_grid(
        engine.data.xb, engine.data.labels, engine.data.signs, request, lambda: True
    )
    assert stopped is None


def test_mean_losses_equal_mean_loss_row_by_row_overflow_included() -> None:
    rng = np.random.default_rng(5)
    y = (rng.random(50) > 0.5).astype(float)
    z = rng.normal(size=(7, 50)) * 300
    z[3] = 1.7e308 * np.where(y == 1, -1, 1)  # each loss near float64's max: the mean overflows
    rows = maths.mean_losses(z, y)
    for i in range(7):
        assert rows[i] == maths.mean_loss(z[i], y)
    assert np.isfinite(rows[3])


def test_the_window_covers_the_path_with_a_margin() -> None:
    a, b = np.array([0.0, -0.5875, 1.4525]), np.array([0.0, -0.075, 0.0125])
    w = path_window(a, b)
    assert w.a_low < -0.5875 and w.a_high > 1.4525 and w.b_low < -0.075 and w.b_high > 0.0125
    assert w.a_high - 1.4525 == pytest.approx(0.15 * (1.4525 + 0.5875))
    assert path_window(np.array([2.0]), np.array([0.0])) == Window(1.0, 3.0, -1.0, 1.0)
    np.testing.assert_allclose(cell_centres(0.0, 1.0, 4), [0.125, 0.375, 0.625, 0.875])


def test_path_picks_keep_both_ends() -> None:
    assert path_picks(5).tolist() == [0, 1, 2, 3, 4]
    picks = path_picks(10**6 + 1)
    assert picks[0] == 0 and picks[-1] == 10**6 and picks.size <= 402


def test_read_pair_names_and_refusals() -> None:
    assert read_pair("w2", "bias", 5) == (2, 4)
    assert read_pair(" w0 ", "W1", 3) == (0, 1)
    with pytest.raises(SettingError, match="weight must be one of w0 to w4"):
        read_pair("w5", "w1", 5)
    with pytest.raises(SettingError, match="must differ"):
        read_pair("bias", "w2", 3)


def test_the_path_is_the_recorded_weights_and_the_next_step_the_engines() -> None:
    engine = Engine(build_seed_dataset())
    engine.run_steps(6)
    engine.jump(3)
    grids = LandscapeGrids(lambda _data, _request: None)
    data = landscape_data(engine, (0, 1), grids)
    history = engine.weight_history()
    np.testing.assert_array_equal(data.path_a, history[:4, 0])
    np.testing.assert_array_equal(data.path_b, history[:4, 1])
    assert data.path_steps.tolist() == [0, 1, 2, 3]
    assert data.cursor_point == (history[3, 0], history[3, 1])
    # A recorded next step: its end is the recorded weights of step 4, bit for bit.
    assert data.next_point == (history[4, 0], history[4, 1])
    assert data.move is not None
    np.testing.assert_array_equal(data.move, step_move(0.01, engine.event_at(4).velocity_after))
    # At the end of the history: the step a → would compute.
    engine.last()
    at_end = landscape_data(engine, (0, 2), grids)
    ahead = at_end.next_point
    engine.step()
    assert ahead == (engine.weights[0], engine.weights[2])


def test_the_seed_swings_across_the_valley_and_standardized_goes_down() -> None:
    # The lecture's picture in numbers: raw features, w0 changes sign from step to step
    # (back and forth across the low region); standardized, the objective falls at each step.
    raw = Engine(build_seed_dataset())
    raw.run_steps(8)
    signs = np.sign(raw.weight_history()[1:9, 0])
    assert (signs[1:] != signs[:-1]).sum() >= 5
    scaled = Engine(build_seed_dataset(), standardized=True)
    scaled.run_steps(8)
    losses = scaled.loss_at(list(range(9)))
    assert bool(np.all(np.diff(losses[::2]) < 0))


def test_levels_are_log_spaced_inside_the_range_and_said_by_glyph() -> None:
    grid = np.array([[0.05, 0.5], [5.0, 50.0]])
    levels = contour_levels(grid)
    assert levels == [0.1, 1.0, 10.0]
    assert bands(grid, levels).tolist() == [[0, 1], [2, 3]]
    assert levels_key(levels) == "objective: blank < 0.1 ≤ · < 1 ≤ ∶ < 10 ≤ ░"
    assert bands(np.array([np.inf, np.nan]), levels).tolist() == [3, 3]
    assert contour_levels(np.full((2, 2), 0.3)) == []


def test_grids_are_kept_per_request_and_large_ones_go_to_the_background() -> None:
    engine = Engine(build_seed_dataset())
    started: list[GridRequest] = []
    grids = LandscapeGrids(lambda _data, request: started.append(request))
    request = seed_request(engine)
    first = grids.lookup(engine.data, request)
    assert first is not None and grids.lookup(engine.data, request) is first  # kept
    big = request._replace(rows=2000, columns=2000)
    assert grids.lookup(engine.data, big) is None and started == [big]
    assert grids.lookup(engine.data, big) is None and started == [big]  # asked once
    grid = np.zeros((2000, 2000))
    grids.put(engine.data, big, grid)
    assert grids.lookup(engine.data, big) is grid
