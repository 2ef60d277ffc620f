"""The braille chart: dots where the values are, ticks on their rows, marks, sizes, in the app."""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.style import Style
from textual.strip import Strip

from logsgd.core import maths
from logsgd.tui.app import LogSGDApp
from logsgd.tui.chartcanvas import (
    BRAILLE,
    ChartCanvas,
    Figure,
    LegendEntry,
    Series,
    VLine,
    YAxis,
    draw_figure,
    log_ticks,
    nice_ticks,
    rasterise,
)
from logsgd.tui.chartdata import chart_steps
from logsgd.tui.cli import build_parser, make_engine, resolve_setup
from logsgd.tui.marks import CHANGE_CHAR, CURSOR_CHAR
from logsgd.tui.panels.chart import (
    BOUNDARY_COLOR,
    CHANGE_COLOR,
    GHOST_COLOR,
    LINE_COLORS,
    MAX_BOUNDARY_LINES,
    ChartPanel,
    chart_figure,
)
from logsgd.tui.state import ChartData

BASE = Style(color="white", bgcolor="black")
# At 120x36 the chart's content area is 46x18: a gutter, the frame and 42x13 cells of plot.
WIDTH, HEIGHT = 46, 18


def figure(*series: Series, x_max: float = 4.0, **more: object) -> Figure:
    return Figure("step 4", "step", x_max, (0, 1, 2, 3, 4), tuple(series), **more)  # type: ignore[arg-type]


def line(xs: list[float], *columns: list[float], colors: tuple[str, ...] = ()) -> Series:
    ys = np.array(columns, dtype=np.float64).T
    return Series(np.array(xs, dtype=np.float64), ys, colors or ("cyan",) * ys.shape[1])


def texts(fig: Figure, width: int = WIDTH, height: int = HEIGHT) -> list[str]:
    return [strip.text for strip in draw_figure(fig, width, height, BASE)]


def plot_area(rows: list[str]) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) of the cells inside the frame, found from its corners."""
    top = next(y for y, row in enumerate(rows) if "┌" in row) + 1
    bottom = next(y for y, row in enumerate(rows) if "└" in row)
    return top, bottom, rows[top - 1].index("┌") + 1, rows[top - 1].index("┐")


def cell_bits(char: str) -> int:
    return ord(char) - BRAILLE if BRAILLE <= ord(char) < BRAILLE + 256 else 0


def style_at(strip: Strip, column: int) -> Style:
    x = 0
    for segment in strip:
        if x <= column < x + len(segment.text):
            assert segment.style is not None
            return segment.style
        x += len(segment.text)
    raise AssertionError(f"column {column} is past the strip")


def column_of(x: float, x_max: float, left: int, right: int) -> int:
    """The screen column of x: dot floor(x / x_max * (dots - 1) + 0.5), two dots a cell."""
    dots = 2 * (right - left)
    return left + int(np.floor(x / x_max * (dots - 1) + 0.5)) // 2


def tick_rows(rows: list[str]) -> dict[str, int]:
    """Each y tick label and the row of its ┤."""
    return {row.split("┤")[0].strip(): y for y, row in enumerate(rows) if "┤" in row}


def chart_data(**fields: object) -> ChartData:
    values = {
        "mode": "weights",
        "steps": np.arange(13, dtype=np.float64),
        "values": np.column_stack([np.sin(np.arange(13.0)), np.cos(np.arange(13.0))]),
        "series_names": ("w0", "w1 bias"),
        "ghost_steps": np.zeros(0),
        "ghost_values": np.zeros((0, 2)),
        "cursor": 12,
        "epoch_boundaries": (),
        "changes": (),
    }
    values.update(fields)
    return ChartData(**values)  # type: ignore[arg-type]


# ------------------------------------------------------------------- rasterising


def test_a_line_from_low_to_high_lights_the_corner_dots() -> None:
    fig = figure(line([0, 4], [-1, 1]))
    axis = YAxis(-1.0, 1.0, (), ())
    dots, owner, colours = rasterise(fig, axis, rows=13, columns=42)
    assert dots.shape == (52, 84)
    assert dots[-1, 0] and dots[0, -1]  # bottom-left and top-right
    assert colours == ["cyan"] and owner[-1, 0] == 0 and owner[0, -1] == 0
    # The corner cells on screen: dot 7 (bottom left of a cell), dot 8 (top right... of row 0).
    rows = texts(fig)
    top, bottom, left, right = plot_area(rows)
    assert cell_bits(rows[bottom - 1][left]) & 0x40
    assert cell_bits(rows[top][right - 1]) & 0x08
    # One dot per column all the way (the line is longer across than up).
    assert (dots.sum(axis=0) == 1).all()
    assert int(dots.sum()) == 84


def test_a_vertical_jump_is_a_continuous_run_of_dots() -> None:
    fig = figure(line([0, 2, 2, 4], [-1, -1, 1, 1]))
    dots, _owner, _colours = rasterise(fig, YAxis(-1.0, 1.0, (), ()), rows=13, columns=42)
    column = int(np.floor(2 / 4 * 83 + 0.5))
    assert dots[:, column].all()
    assert dots[:, column + 1 :].sum() == 83 - column  # then the top row only


def connected(dots: np.ndarray) -> bool:
    """Whether the lit dots form one 8-connected run (a line drawn without gaps)."""
    lit = {(int(r), int(c)) for r, c in zip(*np.nonzero(dots), strict=True)}
    todo = [next(iter(lit))]
    seen = set(todo)
    while todo:
        r, c = todo.pop()
        for near in ((r + dr, c + dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1)):
            if near in lit and near not in seen:
                seen.add(near)
                todo.append(near)
    return seen == lit


@pytest.mark.parametrize("points", [3, 40, 240])
def test_a_wandering_line_has_no_gaps(points: int) -> None:
    values = np.random.default_rng(points).normal(size=points).cumsum()
    fig = figure(line(list(np.linspace(0, 4, points)), list(values)))
    dots, _owner, _colours = rasterise(fig, YAxis(values.min(), values.max(), (), ()), 13, 42)
    assert connected(dots)
    assert dots[:, 0].any() and dots[:, -1].any()


def test_a_horizontal_line_at_a_tick_lies_on_that_ticks_row() -> None:
    fig = figure(line([0, 4], [-1, 1], [0.5, 0.5]))
    rows = texts(fig)
    top, bottom, left, right = plot_area(rows)
    ticks = tick_rows(rows)
    assert list(ticks) == ["1", "0.5", "0", "-0.5", "-1"]
    assert ticks["1"] == top and ticks["-1"] == bottom - 1
    plot_row = rows[ticks["0.5"]][left:right]
    assert all(cell_bits(c) for c in plot_row), plot_row
    for y in range(top, bottom):
        if y != ticks["0.5"]:
            assert sum(1 for c in rows[y][left:right] if cell_bits(c)) < 10


def test_series_sharing_a_cell_union_their_dots_and_the_later_colour_wins() -> None:
    # At 13 rows the y axis -1..1 has 52 dots: -1 + 4/51 is the third dot from the bottom.
    third_dot = -1 + 4 / 51
    fig = figure(
        Series(np.array([4.0]), np.array([[1.0]]), ("grey50",), joined=False),  # the range
        line([0, 4], [-1, -1], [third_dot, third_dot], colors=("cyan", "red")),
    )
    strips = draw_figure(fig, WIDTH, HEIGHT, BASE)
    rows = [s.text for s in strips]
    top, bottom, left, right = plot_area(rows)
    # Bottom dot row (dots 7, 8) from cyan, the row two above (dots 2, 5) from red.
    assert rows[bottom - 1][left:right] == chr(BRAILLE + 0x40 + 0x80 + 0x02 + 0x10) * (right - left)
    for column in (left, (left + right) // 2, right - 1):
        assert style_at(strips[bottom - 1], column) == BASE + Style(color="red")


def test_the_ghost_is_loose_dots_under_the_live_lines() -> None:
    ghost = Series(np.array([0.0, 4.0]), np.array([[-1.0], [1.0]]), ("grey50",), joined=False)
    fig = figure(ghost, line([0, 4], [1, 1]))
    dots, owner, colours = rasterise(fig, YAxis(-1.0, 1.0, (), ()), rows=13, columns=42)
    assert colours == ["grey50", "cyan"]
    assert dots[-1, 0] and dots[0, -1]
    assert dots[1:-1].sum() == 0  # nothing between the two ghost points
    assert dots[0].sum() == 84 and dots[-1].sum() == 1
    assert owner[0, -1] == 1  # the live line covers the ghost's top-right point
    assert owner[-1, 0] == 0


# ----------------------------------------------------------------- axes and marks


def test_title_frame_ticks_and_labels() -> None:
    rows = texts(figure(line([0, 1, 4], [-1, 2, 0]), x_max=12.0))
    assert len(rows) == HEIGHT and all(len(row) == WIDTH for row in rows)
    top, bottom, left, right = plot_area(rows)
    assert (top, bottom, left, right) == (2, 15, 3, 45)
    title = rows[0].strip()
    assert title == "step 4"
    assert rows[0].index(title) == left + (right - left - len(title) + 1) // 2
    assert rows[1] == "  ┌" + "─" * 42 + "┐"
    for y in range(top, bottom):
        assert rows[y][left - 1] in "│┤" and rows[y][right] == "│"
    assert rows[bottom][left - 1] == "└" and rows[bottom][right] == "┘"
    assert tick_rows(rows) == {"2": 2, "1": 6, "0": 10, "-1": 14}
    for tick, column in zip((0, 1, 2, 3, 4), (3, 6, 10, 13, 17), strict=True):
        assert column_of(tick, 12, left, right) == column
        assert rows[bottom][column] == "┬", (tick, rows[bottom])
        assert rows[bottom + 1][column] == str(tick)
    assert rows[bottom + 2].strip() == "step"


def test_y_labels_are_right_aligned_in_the_gutter() -> None:
    rows = texts(figure(line([0, 4], [-0.004, 0.012])))
    labels = {label: rows[y].index("┤") for label, y in tick_rows(rows).items()}
    assert list(labels) == ["0.01", "0.005", "0", "-0.005"]  # 0.012 is past the last tick
    assert set(labels.values()) == {6}


def test_vertical_lines_leave_the_dots_alone_and_meet_the_frame() -> None:
    fig = figure(line([0, 4], [-1, 1]), vlines=(VLine(2.0, "dark_orange"),))
    strips = draw_figure(fig, WIDTH, HEIGHT, BASE)
    rows = [s.text for s in strips]
    top, bottom, left, right = plot_area(rows)
    column = column_of(2, 4, left, right)
    marks = [rows[y][column] for y in range(top, bottom)]
    assert marks.count("│") == 12 and sum(1 for m in marks if cell_bits(m)) == 1
    assert rows[top - 1][column] == "┬" and rows[bottom][column] == "┼"  # x tick 2 is there too
    assert style_at(strips[top + 1], column) == BASE + Style(color="dark_orange")


def test_boundaries_are_marked_only_up_to_the_limit() -> None:
    def boundary_lines(boundaries: tuple[int, ...]) -> list[VLine]:
        fig = chart_figure(chart_data(epoch_boundaries=boundaries))
        return [v for v in fig.vlines if v.color == BOUNDARY_COLOR]

    assert MAX_BOUNDARY_LINES == 12
    assert [v.x for v in boundary_lines(tuple(range(1, 13)))] == list(range(1, 13))
    # 13 is past the last step: 12 in view.
    assert [v.x for v in boundary_lines(tuple(range(1, 14)))] == list(range(1, 13))
    fig = chart_figure(
        chart_data(
            steps=np.arange(21.0),
            values=np.zeros((21, 2)),
            cursor=20,
            epoch_boundaries=tuple(range(1, 14)),
        )
    )
    assert fig.vlines == ()  # 13 in view would paint the plot solid
    assert [v.x for v in boundary_lines((0, 6, 20))] == [6]  # only 0 < b <= last
    rows = texts(chart_figure(chart_data(epoch_boundaries=(6, 10))))
    top, bottom, left, right = plot_area(rows)
    column = column_of(6, 12, left, right)
    assert rows[top - 1][column] == "┬" and rows[bottom][column] == "┴"
    column = column_of(10, 12, left, right)  # at a tick (0 5 10) too
    assert rows[top - 1][column] == "┬" and rows[bottom][column] == "┼"
    assert sum(rows[top - 1].count(c) for c in "┬┼┴") == 2  # one mark a line on the top frame


def test_the_cursor_line_shows_only_before_the_last_step() -> None:
    at_end = chart_figure(chart_data(cursor=12))
    assert at_end.vlines == ()
    back = chart_figure(chart_data(cursor=5, changes=(3,)))
    assert [(v.x, v.color) for v in back.vlines] == [(2, CHANGE_COLOR), (5, None)]
    assert [v.char for v in back.vlines] == [CHANGE_CHAR, CURSOR_CHAR]
    strips = draw_figure(back, WIDTH, HEIGHT, BASE)
    rows = [s.text for s in strips]
    top, bottom, left, right = plot_area(rows)
    column = column_of(5, 12, left, right)
    assert rows[top - 1][column] == "┬"
    # The cursor's own character (a heavy line), not the frame's: it reads without colour.
    plain = [y for y in range(top, bottom) if rows[y][column] == CURSOR_CHAR]
    assert len(plain) >= 5
    assert all(style_at(strips[y], column) == BASE for y in plain)  # the theme's text colour


def test_each_line_is_named_at_its_end_and_the_ghost_under_the_plot() -> None:
    # The legend sat over the first columns of the lines, every sample the same glyph: without
    # colour the lines could not be told apart. Now each is named at its end, right of the
    # plot, in its colour; the dropped steps are named on the x label's row.
    data = chart_data(ghost_steps=np.array([3.0, 6.0]), ghost_values=np.array([[0.0, 1.0]] * 2))
    strips = draw_figure(chart_figure(data), WIDTH, HEIGHT, BASE)
    rows = [s.text for s in strips]
    top, bottom, left, right = plot_area(rows)
    # The last values: sin(12) = -0.54 (w0, lower) and cos(12) = 0.84 (w1 bias, higher).
    named = {
        rows[y][right + 2 :].strip(): y for y in range(top, bottom) if rows[y][right + 2 :].strip()
    }
    assert set(named) == {"w0", "w1 bias"} and named["w1 bias"] < named["w0"]
    y0 = named["w0"]
    assert style_at(strips[y0], right + 2) == BASE + Style(color=LINE_COLORS[0])
    assert style_at(strips[named["w1 bias"]], right + 2) == BASE + Style(color=LINE_COLORS[1])
    assert not any("⢕⢕" in row for row in rows)  # no legend over the lines
    assert rows[-1].rstrip().endswith("⠐⠂ dropped") and "step" in rows[-1]
    assert style_at(strips[-1], rows[-1].index("⠐⠂")) == BASE + Style(color=GHOST_COLOR)
    # With no room right of the plot the legend names the lines, as before.
    narrow = [s.text for s in draw_figure(chart_figure(data), 14, HEIGHT, BASE)]
    assert any("w0" in row for row in narrow[:6])
    fig = chart_figure(data)
    # The dropped steps per weight, in the weight's colour, dim, loose dots.
    assert [(s.joined, s.colors, s.faint) for s in fig.series] == [
        (False, LINE_COLORS[:2], True),
        (True, LINE_COLORS[:2], False),
    ]
    drawn = draw_figure(fig, WIDTH, HEIGHT, BASE)
    ghost_styles = {
        style_at(strip, x)
        for strip in drawn
        for x, char in enumerate(strip.text)
        if style_at(strip, x).dim and "\u2800" < char <= "\u28ff"
    }
    assert ghost_styles and ghost_styles <= {
        BASE + Style(color=c, dim=True) for c in LINE_COLORS[:2]
    }
    many = chart_data(values=np.zeros((13, 9)), series_names=tuple(f"w{j}" for j in range(9)))
    assert chart_figure(many).legend == ()


def test_a_constant_and_a_single_point_still_show() -> None:
    constant = chart_data(
        steps=np.arange(5.0), values=np.full((5, 1), 0.25), series_names=("w0",), cursor=4
    )
    rows = texts(chart_figure(constant))
    top, bottom, left, right = plot_area(rows)
    ticks = tick_rows(rows)
    assert list(ticks) == ["0.4", "0.3", "0.2", "0.1"]  # the range is widened around 0.25
    lit = {y for y in range(top + 1, bottom) for c in rows[y][left:right] if cell_bits(c)}
    assert len(lit) == 1 and ticks["0.3"] < lit.pop() < ticks["0.2"]
    zeros = chart_data(steps=np.arange(5.0), values=np.zeros((5, 2)), cursor=4)
    rows = texts(chart_figure(zeros))
    top, bottom, left, right = plot_area(rows)
    ticks = tick_rows(rows)
    assert list(ticks) == ["1", "0.5", "0", "-0.5", "-1"]
    lit = {y for y in range(top + 2, bottom) for c in rows[y][left:right] if cell_bits(c)}
    assert lit == {ticks["0"]}
    single = chart_data(steps=np.zeros(1), values=np.ones((1, 1)), series_names=("w0",), cursor=0)
    rows = texts(chart_figure(single))
    top, bottom, left, right = plot_area(rows)
    lit_cells = [
        (y, x) for y in range(top + 1, bottom) for x in range(left, right) if cell_bits(rows[y][x])
    ]
    assert lit_cells == [(tick_rows(rows)["1"], left)]
    assert bin(cell_bits(rows[lit_cells[0][0]][left])).count("1") == 1  # one dot


# ---------------------------------------------------------------------- log scale


def test_log_ticks() -> None:
    assert log_ticks(1e-5, 1.0, 7) == pytest.approx([1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1.0])
    assert log_ticks(1e-5, 1.0, 3) == pytest.approx([1e-5, 1e-3, 0.1])
    assert log_ticks(0.69, 116.0, 7) == pytest.approx([1.0, 10.0, 100.0])
    assert log_ticks(0.5, 9.0, 7) == pytest.approx([0.5, 1.0, 2.0, 5.0])
    assert log_ticks(0.55, 1.3, 5) == pytest.approx([0.6, 0.8, 1.0, 1.2])
    assert nice_ticks(-0.9, 1.97) == pytest.approx([-1.0, 0.0, 1.0, 2.0])


def test_loss_from_1e5_to_1_is_labelled_by_powers_of_ten() -> None:
    steps = np.arange(6.0)
    data = chart_data(
        mode="loss", steps=steps, values=(10.0**-steps)[::-1, None], series_names=("loss",)
    )
    rows = texts(chart_figure(data))
    ticks = tick_rows(rows)
    assert list(ticks) == ["1", "0.1", "0.01", "0.001", "0.0001", "1e-05"]
    top, bottom, left, right = plot_area(rows)
    assert ticks["1"] == top and ticks["1e-05"] == bottom - 1
    # Equal ratios are equal distances: the decades are evenly spaced.
    gaps = np.diff(list(ticks.values()))
    assert gaps.max() - gaps.min() <= 1
    # A straight line on a log axis: one dot of the first point in the bottom-left cell.
    assert cell_bits(rows[bottom - 1][left]) & 0x40


def test_log_scale_skips_points_it_cannot_draw() -> None:
    values = np.array([[1.0], [0.0], [-2.0], [np.nan], [np.inf], [0.01], [0.1]])
    data = chart_data(
        mode="loss", steps=np.arange(7.0), values=values, series_names=("loss",), cursor=6
    )
    fig = chart_figure(data)
    dots, _owner, _colours = rasterise(fig, YAxis(-2.0, 0.0, (), ()), rows=13, columns=42)
    columns = np.flatnonzero(dots.any(axis=0))
    # Only the points at steps 0, 5 and 6 are drawn: 0 alone, 5 joined to 6.
    first_of_5 = int(np.floor(5 / 6 * 83 + 0.5))  # dot columns, 84 across
    assert columns.tolist() == [0, *range(first_of_5, 84)]
    rows = texts(fig)
    assert list(tick_rows(rows)) == ["1", "0.1", "0.01"]
    nothing = chart_data(mode="loss", values=np.array([[0.0], [np.nan]]), steps=np.arange(2.0))
    assert len(texts(chart_figure(nothing))) == HEIGHT


# -------------------------------------------------------------------------- sizes


@pytest.mark.parametrize(
    "size",
    [
        (0, 0),
        (1, 1),
        (0, 5),
        (5, 0),
        (1, 18),
        (46, 1),
        (10, 4),
        (20, 6),
        (9, 7),
        (30, 8),
        (46, 18),
        (200, 60),
    ],
)
def test_every_size_draws_full_width_strips(size: tuple[int, int]) -> None:
    width, height = size
    ghost = (np.arange(3.0, 9.0), np.linspace(-3, 3, 12).reshape(6, 2))
    for data in (
        chart_data(
            ghost_steps=ghost[0],
            ghost_values=ghost[1],
            cursor=4,
            epoch_boundaries=(3, 6),
            changes=(4,),
        ),
        chart_data(mode="loss", values=np.exp(-np.arange(13.0))[:, None], series_names=("loss",)),
        chart_data(values=np.full((13, 2), np.nan)),
    ):
        strips = draw_figure(chart_figure(data), width, height, BASE)
        assert len(strips) == height
        assert all(strip.cell_length == width for strip in strips)
        assert all(len(strip.text) == width for strip in strips)
        if height >= 1 and width >= 8:
            assert strips[0].text.strip() == f"step {data.cursor}"


def test_two_ticks_in_one_row_show_one_label() -> None:
    # Three rows of plot for 1.2 .. 888: the ticks 10 and 100 fall in the same row.
    data = chart_data(
        mode="loss", steps=np.arange(2.0), values=np.array([[1.19], [888.0]]), series_names=("l",)
    )
    rows = texts(chart_figure(data), 20, 6)
    assert tick_rows(rows) == {"10": 3}


def test_small_sizes_keep_the_title_and_drop_the_frame_last() -> None:
    rows = texts(chart_figure(chart_data()), 20, 6)
    assert rows[0].strip() == "step 12"
    assert rows[1].lstrip().startswith("┌") and rows[5].lstrip().startswith("└")
    assert sum(1 for c in "".join(rows[2:5]) if cell_bits(c)) > 0
    rows = texts(chart_figure(chart_data()), 20, 4)
    assert "┌" not in "".join(rows) and sum(1 for c in "".join(rows[1:]) if cell_bits(c)) > 0


# ------------------------------------------------------------------ through the app


def test_the_apps_chart_after_twelve_steps() -> None:
    app = LogSGDApp(make_engine(resolve_setup(build_parser().parse_args([]))))

    async def inner() -> None:
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            for _ in range(12):
                await pilot.press("right")
            await pilot.pause()
            panel = app.query_one("#chart", ChartPanel)
            canvas = app.query_one("#chart-canvas", ChartCanvas)
            assert tuple(canvas.size) == (WIDTH, HEIGHT)
            strips = [canvas.render_line(y) for y in range(canvas.size.height)]
            rows = [strip.text for strip in strips]
            assert rows[0].strip() == "step 12"
            assert sum(1 for c in "".join(rows) if cell_bits(c)) > 100
            top, bottom, _left, right = plot_area(rows)
            names = [rows[y][right + 2 :].strip() for y in range(top, bottom)]
            assert sorted(name for name in names if name) == ["w0", "w1", "w2 bias"]
            # The seed lecture's weights run from about -0.9 to 1.9 in the first 12 steps.
            assert list(tick_rows(rows)) == ["2", "1", "0", "-1"]
            assert str(panel.border_title) == "Weights over steps · c: loss · v: boundary"
            # The cells around the lines are in the theme's colours.
            assert style_at(strips[0], 0) == canvas.rich_style
            await pilot.press("c")
            await pilot.pause()
            rows = canvas.lines()
            # Whole at the panel's 46 columns ("Loss (full data, log scale) · c: weights ·
            # v: …" was cut there); the y axis' ticks say the scale is log.
            title = "Loss, full data · c: weights · v: boundary"
            assert str(panel.border_title) == title and len(title) + 4 <= panel.size.width
            assert list(tick_rows(rows)) == ["100", "10", "1"]
            assert rows[0].strip() == "step 12"
            # A new theme redraws the chart in its colours.
            dark = canvas.rich_style
            app.theme = "textual-light"
            await pilot.pause()
            assert canvas.rich_style != dark
            assert style_at(canvas.render_line(0), 0) == canvas.rich_style

    asyncio.run(inner())


def test_the_chart_follows_a_resize() -> None:
    app = LogSGDApp(make_engine(resolve_setup(build_parser().parse_args([]))))

    async def inner() -> None:
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.press("right", "right")
            await pilot.pause()
            canvas = app.query_one("#chart-canvas", ChartCanvas)
            await pilot.resize_terminal(160, 44)
            await pilot.pause()
            width = canvas.size.width
            assert width > WIDTH
            rows = canvas.lines()
            assert all(len(row) == width for row in rows)
            # The plot's frame, then the lines' names in the margin right of it.
            margin = len("w2 bias") + 2
            assert rows[1].rstrip().endswith("┐") and len(rows[1].rstrip()) == width - margin
            assert rows[0].strip() == "step 2"

    asyncio.run(inner())


def test_legend_entry_is_drawn_even_when_names_are_long() -> None:
    fig = figure(
        line([0, 4], [-1, 1]),
        legend=(LegendEntry("⢕⢕", "a very long series name indeed", "cyan"),),
    )
    rows = texts(fig, 24, 10)
    assert all(len(row) == 24 for row in rows)
    top, _bottom, left, right = plot_area(rows)
    assert rows[top][left:right].startswith(" ⢕⢕ a very")


# ------------------------------------------------------------------ the steps drawn


@settings(max_examples=300, deadline=None)
@given(length=st.integers(1, 2_000_000), points=st.integers(3, 500))
def test_the_chart_steps_hold_both_ends_and_stay_put_as_the_history_grows(
    length: int, points: int
) -> None:
    picks = chart_steps(length, points)
    assert picks[0] == 0 and picks[-1] == length - 1
    assert len(picks) <= points and bool(np.all(np.diff(picks) > 0))
    # Never much fewer than asked for: a power-of-two stride at most halves them.
    assert len(picks) >= min(length, points // 2)
    # One more step adds the new last step and nothing else.
    assert set(chart_steps(length + 1, points).tolist()) - set(picks.tolist()) <= {length}


def test_a_new_step_in_loss_mode_computes_one_full_data_loss_however_long_the_history(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine = make_engine(resolve_setup(build_parser().parse_args([])))
    engine.run_steps(5_000)  # far more steps than the chart draws
    n = engine.n_rows
    full_data_passes = 0
    logits = maths.logits

    def counting(xb: np.ndarray, weights: np.ndarray) -> np.ndarray:
        nonlocal full_data_passes
        if xb.shape[0] == n and xb.shape[0] != engine.hyperparams.batch_size:
            full_data_passes += 1
        return logits(xb, weights)

    app = LogSGDApp(engine)

    async def inner() -> None:
        nonlocal full_data_passes
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.press("c")
            await pilot.pause()
            monkeypatch.setattr(maths, "logits", counting)
            for k in range(1, 6):
                full_data_passes = 0
                await pilot.press("right")
                await pilot.pause()
                assert app.state is not None and app.state.event.step == 5_000 + k
                # The step's own "after" (its "before" is the last step's, kept); the chart
                # finds its new last point among the kept losses.
                assert full_data_passes == 1, f"step {5_000 + k}: {full_data_passes} passes"
                chart = app.state.chart
                assert chart.steps[-1] == 5_000 + k
                np.testing.assert_array_equal(
                    chart.values[:, 0], engine.loss_at(chart.steps.astype(np.int64))
                )

    asyncio.run(inner())


@pytest.mark.parametrize(
    ("last", "ticks"),
    [
        (4, [0, 1, 2, 3, 4]),
        (6, [0, 2, 4, 6]),
        (79, [0, 20, 40, 60]),
        (98, [0, 20, 40, 60, 80]),
        (1000, [0, 200, 400, 600, 800, 1000]),
    ],
)
def test_step_ticks_are_round_numbers(last: int, ticks: list[int]) -> None:
    # They were uneven: 0 2 3 4 6, 0 20 40 59 79.
    steps = np.arange(last + 1, dtype=np.float64)
    data = chart_data(steps=steps, values=np.zeros((last + 1, 2)), cursor=last)
    assert chart_figure(data).x_ticks == tuple(ticks)


@pytest.mark.parametrize(
    ("size", "title"),
    [
        ((120, 36), "Weights over steps · c: loss · v: boundary"),
        ((100, 30), "Weights · c: loss · v: boundary"),
        ((80, 24), "Weights · c: loss · v: boundary"),
        ((160, 40), "Weights over steps · c: loss · v: boundary · o: landscape"),
    ],
)
def test_the_chart_title_names_its_keys_whole_at_every_size(
    size: tuple[int, int], title: str
) -> None:
    """It was cut ("· v: boun…") at 100x30 and 80x24; the longest wording that fits."""
    from test_app_keys import run_scenario

    from logsgd.tui.panels.chart import ChartPanel

    async def scenario(app: Any, pilot: Any) -> None:
        await pilot.press("5")  # the chart panel, in the layouts that show one at a time
        panel = app.query_one(ChartPanel)
        assert str(panel.border_title) == title
        assert len(title) + 4 <= panel.size.width

    run_scenario(scenario, size=size)


def test_w_highlights_a_weight_the_largest_would_leave_out_and_empty_clears_it() -> None:
    """breast cancer: 31 weights, 6 drawn (the 5 largest at the cursor and the bias); w3 is
    not among them at step 3, and highlighting it draws it, in full, the others dim."""
    from test_app_keys import WIDE, run_scenario
    from textual.widgets import Input, Static

    from logsgd.tui.chartdata import drawn_weights
    from logsgd.tui.marks import HIGHLIGHT_MARK
    from logsgd.tui.panels.chart import ChartPanel

    async def choose(pilot: Any, text: str) -> None:
        await pilot.press("w")
        await pilot.pause()
        pilot.app.screen.query_one("#pair-weight", Input).value = text
        await pilot.press("enter")
        await pilot.pause()

    async def scenario(app: Any, pilot: Any) -> None:
        await pilot.press("right", "right", "right", "c")
        weights = np.asarray(app.state.event.weights_after)
        assert 3 not in (drawn_weights(weights) or [])
        await choose(pilot, "w3")
        state = app.state
        assert state.highlighted_weight == 3 and state.chart_mode == "weights"
        assert state.notice.startswith("chart: w3 (x4: mean_area) highlighted")
        chart = state.chart
        assert chart.series_names[chart.highlighted] == "w3"
        assert len(chart.series_names) == 6 and chart.series_names[-1] == "w30 bias"
        np.testing.assert_array_equal(
            chart.values[-1, chart.highlighted], app.engine.weight_history()[3, 3]
        )
        fig = chart_figure(chart)
        live = fig.series[-2:]
        assert [s.faint for s in live] == [True, False]
        assert live[1].names == (f"{HIGHLIGHT_MARK} w3",)
        lines = app.query_one(ChartPanel).query_one("ChartCanvas").lines()
        assert any(f"{HIGHLIGHT_MARK} w3" in line for line in lines)
        # Typed wrong: one line, the form stays; Escape keeps the highlight.
        await choose(pilot, "w31")
        error = str(app.screen.query_one("#pair-error", Static).render())
        assert error == "✗ weight must be one of w0 to w30 (w30 is the bias), got 'w31'"
        await pilot.press("escape")
        await pilot.pause()
        assert app.state.highlighted_weight == 3
        await choose(pilot, "")
        assert app.state.highlighted_weight is None and app.state.chart.highlighted is None
        assert app.state.notice == "chart: no weight highlighted"
        assert all(not s.faint for s in chart_figure(app.state.chart).series)

    run_scenario(
        scenario,
        "--dataset",
        "breast-cancer",
        "--standardize",
        "--lr",
        "0.1",
        "--batch-size",
        "16",
        size=WIDE,
    )


@pytest.mark.parametrize(
    ("size", "key"),
    [((120, 36), "MARKS_KEY"), ((100, 30), "MARKS_KEY_SHORT"), ((80, 24), "MARKS_KEY_SHORT")],
)
def test_the_chart_key_is_whole_at_every_size(size: tuple[int, int], key: str) -> None:
    """It was cut ("┃ cu…") at 100x30."""
    from test_app_keys import run_scenario

    from logsgd.tui.panels import chart
    from logsgd.tui.panels.chart import ChartPanel

    async def scenario(app: Any, pilot: Any) -> None:
        await pilot.press("5")
        panel = app.query_one(ChartPanel)
        assert str(panel.border_subtitle) == getattr(chart, key)
        assert len(str(panel.border_subtitle)) + 4 <= panel.size.width

    run_scenario(scenario, size=size)
