"""The decision boundary's numbers (core/boundary.py) and where the view draws the line."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import build_seed_dataset
from rich.style import Style

from logsgd.core.boundary import (
    PlaneLine,
    Window,
    crossings,
    data_window,
    fit_window,
    line_x1,
    line_x2,
    outside,
    plane_line,
    predicts_one,
    sample_stride,
    side_of_one,
)
from logsgd.core.engine import Engine
from logsgd.tui.chartcanvas import BRAILLE, DOT_BITS, DOTS_ACROSS, DOTS_DOWN
from logsgd.tui.panels.boundary import BoundaryPicture

SEED_X1 = np.array([121.0, 114.0, 210.0, 198.0])
SEED_X2 = np.array([14.8, 15.2, 9.4, 8.1])


def seed_lines() -> tuple[PlaneLine, PlaneLine, Engine]:
    """The boundary after step 1 and after step 2, from the weights the engine recorded."""
    engine = Engine(build_seed_dataset())
    engine.run_steps(2)
    engine.first()
    engine.walk([1])
    step1 = engine.current()
    engine.walk([1])
    step2 = engine.current()
    np.testing.assert_array_equal(step2.weights_before, step1.weights_after)
    held = np.zeros(2)
    return (
        plane_line(np.asarray(step1.weights_after), (0, 1), held),
        plane_line(np.asarray(step2.weights_after), (0, 1), held),
        engine,
    )


def test_the_seed_line_stays_far_below_the_data_while_its_side_of_1_flips() -> None:
    after1, after2, _ = seed_lines()
    # Across the data's x1 (114 .. 210) the line runs from about -900 to -1,600 after step 1
    # and from -13,000 to -24,000 after step 2, against x2 between 8.1 and 15.2.
    span = np.array([114.0, 210.0])
    np.testing.assert_allclose(line_x2(after1, span), [-893.0665, -1645.0664], rtol=1e-6)
    np.testing.assert_allclose(line_x2(after2, span), [-13247.249, -24402.490], rtol=1e-6)
    # After step 1 the side of 1 is below the line (w1 < 0), after step 2 above (w1 > 0):
    # with the line far below the data, every row flips from 0 to 1.
    assert (side_of_one(after1), side_of_one(after2)) == ("below", "above")
    window = data_window(SEED_X1, SEED_X2)
    for line in (after1, after2):
        assert crossings(line, window) == []
        out = outside(line, window)
        assert out is not None and out.edge == "below"
    assert predicts_one(after1, SEED_X1, SEED_X2).tolist() == [0, 0, 0, 0]
    assert predicts_one(after2, SEED_X1, SEED_X2).tolist() == [1, 1, 1, 1]


def test_the_line_is_the_engines_own_z_equals_0() -> None:
    # z at a point of the line is 0 to rounding, and each row's side is the engine's class.
    _, _, engine = seed_lines()
    for step in (1, 2):
        engine.first()
        engine.walk([1] * step)
        event = engine.current()
        line = plane_line(np.asarray(event.weights_after), (0, 1), np.zeros(2))
        x1 = np.linspace(100, 220, 7)
        z = line.a * x1 + line.b * line_x2(line, x1) + line.c
        np.testing.assert_allclose(z, 0, atol=1e-9 * np.abs(line.a * x1).max())
        expected = np.asarray(event.z_after_all) >= 0
        np.testing.assert_array_equal(predicts_one(line, SEED_X1, SEED_X2) > 0, expected)


def test_held_features_go_into_the_constant() -> None:
    weights = np.array([2.0, 3.0, 5.0, 7.0, 0.5])  # w0..w3, bias
    held = np.array([10.0, 20.0, 30.0, 40.0])
    line = plane_line(weights, (1, 3), held)
    assert line == PlaneLine(3.0, 7.0, 0.5 + 2.0 * 10.0 + 5.0 * 30.0)


def test_a_vertical_line_and_no_line() -> None:
    window = Window(0.0, 10.0, 0.0, 10.0)
    vertical = PlaneLine(2.0, 0.0, -8.0)  # x1 = 4
    assert side_of_one(vertical) == "right"
    assert side_of_one(PlaneLine(-2.0, 0.0, 8.0)) == "left"
    assert np.isnan(line_x2(vertical, np.array([1.0]))).all()
    assert line_x1(vertical, np.array([0.0, 7.0])).tolist() == [4.0, 4.0]
    assert crossings(vertical, window) == [(4.0, 0.0), (4.0, 10.0)]
    assert outside(vertical, window) is None
    far = PlaneLine(2.0, 0.0, 30.0)  # x1 = -15
    out = outside(far, window)
    assert out is not None and out.edge == "left" and out.at == (-15.0,)
    wide = fit_window(window, [far], 0.0, 10.0)
    assert wide.x1_low < -15.0 and (wide.x1_high, wide.x2_low, wide.x2_high) == (10, 0, 10)
    for c, side in ((0.5, "everywhere"), (0.0, "everywhere"), (-0.5, "nowhere")):
        none = PlaneLine(0.0, 0.0, c)
        assert not none.exists and side_of_one(none) == side
        assert crossings(none, window) == [] and outside(none, window) is None
        assert predicts_one(none, np.zeros(3), np.zeros(3)).tolist() == [c >= 0] * 3


def test_crossings_of_a_diagonal_and_a_line_above() -> None:
    window = Window(0.0, 10.0, 0.0, 10.0)
    assert crossings(PlaneLine(1.0, -1.0, 0.0), window) == [(0.0, 0.0), (10.0, 10.0)]
    assert crossings(PlaneLine(1.0, -2.0, 0.0), window) == [(0.0, 0.0), (10.0, 5.0)]
    above = PlaneLine(1.0, -1.0, 50.0)  # x2 = x1 + 50
    out = outside(above, window)
    assert out is not None and out.edge == "above" and out.at == (50.0, 60.0)
    assert side_of_one(above) == "below"


def test_the_window_pads_the_data_and_fits_the_lines_on_request() -> None:
    window = data_window(SEED_X1, SEED_X2)
    assert window.x1_low < 114 and window.x1_high > 210
    assert window.x2_low < 8.1 and window.x2_high > 15.2
    assert data_window(np.array([3.0, 3.0]), np.array([0.0, 0.0])) == Window(1.5, 4.5, -1, 1)
    after1, after2, _ = seed_lines()
    fit = fit_window(window, [after1, after2], 114.0, 210.0)
    assert fit.x2_low < -24402 and fit.x2_high == window.x2_high
    assert (fit.x1_low, fit.x1_high) == (window.x1_low, window.x1_high)
    for line in (after1, after2):
        assert len(crossings(line, fit)) == 2
    # A line beyond float64 is left out, not drawn as an infinite window.
    assert fit_window(window, [PlaneLine(1e308, 1e-308, 0.0)], 114.0, 210.0) == window


def test_the_sample_stride_keeps_within_the_limit() -> None:
    assert sample_stride(4, 2000) == 1
    assert sample_stride(2000, 2000) == 1
    assert sample_stride(2001, 2000) == 2
    assert sample_stride(100_000, 2000) == 50
    assert len(range(0, 100_001, sample_stride(100_001, 2000))) <= 2000


def drawn_line_cells(picture: BoundaryPicture, width: int, height: int) -> list[str]:
    return [strip.text for strip in picture.strips(width, height, Style())]


def picture_of(line: PlaneLine, window: Window) -> BoundaryPicture:
    empty = np.zeros(0)
    return BoundaryPicture(
        heading=("", ""),
        x_label="",
        footnotes=(),
        y_label="x2",
        window=window,
        x1=empty,
        x2=empty,
        flags=np.zeros(0, dtype=np.int64),
        line=line,
        previous=None,
    )


@pytest.mark.parametrize(
    ("line", "window"),
    [
        # The seed's line after step 1, in the window that takes it in.
        (PlaneLine(-0.587500294355, -0.075000048794, -0.0049999925875), None),
        (PlaneLine(1.0, -1.0, 0.5), Window(-3.0, 3.0, -2.0, 2.0)),
        (PlaneLine(40.0, 1.0, 3.0), Window(-3.0, 3.0, -2.0, 2.0)),  # steep
        (PlaneLine(0.01, 1.0, -0.3), Window(-3.0, 3.0, -2.0, 2.0)),  # nearly flat
    ],
)
@pytest.mark.parametrize("size", [(46, 18), (78, 17), (30, 12)])
def test_the_line_is_drawn_where_x2_is_minus_w0_x1_plus_b_over_w1(
    line: PlaneLine, window: Window | None, size: tuple[int, int]
) -> None:
    if window is None:
        window = fit_window(data_window(SEED_X1, SEED_X2), [line], 114.0, 210.0)
    picture = picture_of(line, window)
    width, height = size
    layout = picture.layout(width, height)
    assert layout is not None
    top, left, rows, columns = layout
    lines = drawn_line_cells(picture, width, height)
    dot_width, dot_height = columns * DOTS_ACROSS, rows * DOTS_DOWN
    checked = 0
    for column in range(dot_width):
        # The dot column's x1, and the line's x2 there, written out from the spec.
        x1 = window.x1_low + column * (window.x1_high - window.x1_low) / (dot_width - 1)
        x2 = -(line.a * x1 + line.c) / line.b
        dot = np.floor(
            (x2 - window.x2_low) * (dot_height - 1) / (window.x2_high - window.x2_low) + 0.5 + 1e-9
        )
        if not 0 <= dot <= dot_height - 1:
            continue
        from_top = dot_height - 1 - int(dot)
        char = lines[top + from_top // DOTS_DOWN][left + column // DOTS_ACROSS]
        bits = ord(char) - BRAILLE
        assert 0 < bits < 256, (column, char)
        assert bits & int(DOT_BITS[from_top % DOTS_DOWN, column % DOTS_ACROSS]), (column, char)
        checked += 1
    assert checked > 0
    # A steep line is drawn at every dot row too, at x1 = -(w1*x2 + b)/w0: no gaps.
    for from_bottom in range(dot_height):
        x2 = window.x2_low + from_bottom * (window.x2_high - window.x2_low) / (dot_height - 1)
        x1 = -(line.b * x2 + line.c) / line.a
        dot = np.floor(
            (x1 - window.x1_low) * (dot_width - 1) / (window.x1_high - window.x1_low) + 0.5 + 1e-9
        )
        if not 0 <= dot <= dot_width - 1:
            continue
        from_top = dot_height - 1 - from_bottom
        char = lines[top + from_top // DOTS_DOWN][left + int(dot) // DOTS_ACROSS]
        assert ord(char) - BRAILLE & int(DOT_BITS[from_top % DOTS_DOWN, int(dot) % DOTS_ACROSS])
    # Nothing is drawn where the line is not: each lit cell is within a cell of the line.
    for y in range(rows):
        for x in range(columns):
            if lines[top + y][left + x] == " ":
                continue
            x1 = window.x1_low + (x * DOTS_ACROSS + 0.5) * (window.x1_high - window.x1_low) / (
                dot_width - 1
            )
            x2_cell = window.x2_high - (y * DOTS_DOWN + 1.5) * (window.x2_high - window.x2_low) / (
                dot_height - 1
            )
            cell_height = DOTS_DOWN * (window.x2_high - window.x2_low) / (dot_height - 1)
            cell_width = DOTS_ACROSS * (window.x1_high - window.x1_low) / (dot_width - 1)
            # Distance from the cell centre to the line, in cells.
            gap_x2 = abs(x2_cell + (line.a * x1 + line.c) / line.b) / cell_height
            gap_x1 = abs(x1 + (line.b * x2_cell + line.c) / line.a) / cell_width
            assert min(gap_x2, gap_x1) <= 1.0, (y, x)
