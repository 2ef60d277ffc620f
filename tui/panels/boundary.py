"""Decision boundary view, in the chart panel's place: the rows over two features and z = 0.

The maths (the line, the window, which side predicts 1, where a line outside lies) is
core/boundary.py's; this draws it into the chart's braille canvas. A redraw costs the rows
drawn (at most MAX_POINTS of the data, every k-th, and the batch's), never the whole data.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray
from rich.color import blend_rgb
from rich.style import Style
from textual.strip import Strip

from logsgd.core import maths
from logsgd.core.boundary import (
    Outside,
    PlaneLine,
    Window,
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
from logsgd.core.formatting import fmt
from logsgd.core.maths import FloatArray
from logsgd.tui.chartcanvas import (
    BRAILLE,
    DOTS_ACROSS,
    DOTS_DOWN,
    CellGrid,
    braille_cells,
    draw_plot_frame,
    nice_ticks,
    tick_label,
    to_dots,
)
from logsgd.tui.marks import (
    BATCH_MARK,
    BOUNDARY_LINE_MARKER,
    CLASS0_MARK,
    CLASS1_MARK,
    LINE_OUT_MARKS,
    MIXED_MARK,
    PREVIOUS_LINE_MARKER,
    WRONG0_MARK,
    WRONG1_MARK,
    fitting,
)
from logsgd.tui.quiz import step_quiz
from logsgd.tui.state import DataInfo, ViewState

IntArray = NDArray[np.int64]

# Rows of the data drawn at most (every k-th), and of the batch on top: the redraw stays flat.
MAX_POINTS = 2000
MAX_BATCH_DRAWN = 500
CLASS_COLORS = ("cyan", "yellow")
# Bright enough to stand out on the shade in greyscale too (NO_COLOR: Textual's Monochrome).
WRONG_COLOR = "#ff5f87"
BATCH_COLOR = "bright_white"
PREVIOUS_COLOR = "grey50"
NOTE_COLOR = "dark_orange"
# The side that predicts 1: this much of the way from the background to the text colour.
SHADE_AMOUNT = 0.18
SHADE_FALLBACK = "grey23"
# The border's key: the marks the view draws (the shading is said in the title's words).
MARKS_KEY = (
    f"{CLASS0_MARK} 0 {CLASS1_MARK} 1 {WRONG0_MARK}{WRONG1_MARK} wrong {BATCH_MARK} batch"
    f" {BOUNDARY_LINE_MARKER[0]} z=0 {PREVIOUS_LINE_MARKER[0]} before"
)
# The same key for a panel too narrow for it (the pair layout's half of 80 columns).
MARKS_KEY_NARROW = (
    f"{CLASS0_MARK}0 {CLASS1_MARK}1 {WRONG0_MARK}{WRONG1_MARK}wrong {BATCH_MARK}batch"
    f" {BOUNDARY_LINE_MARKER[0]}z=0 {PREVIOUS_LINE_MARKER[0]}before"
)
SIDE_WORDS = {
    "above": "above the line",
    "below": "below the line",
    "right": "right of the line",
    "left": "left of the line",
}
# A cell's flags: which rows are in it.
RIGHT0, WRONG0, RIGHT1, WRONG1, IN_BATCH = 1, 2, 4, 8, 16


class DataView(NamedTuple):
    """What the view needs of the data, computed once per data and pair (O(n) once)."""

    rows: IntArray  # the rows drawn: every stride-th
    stride: int
    x1: FloatArray  # the drawn rows' two features
    x2: FloatArray
    held: FloatArray  # every feature's mean (the others are held there)
    window: Window  # the data's window
    x1_range: tuple[float, float]  # the data's x1, min and max


@lru_cache(maxsize=2)
def data_view(data: DataInfo, pair: tuple[int, int]) -> DataView:
    inputs = data.inputs
    n = inputs.shape[0]
    stride = sample_stride(n, MAX_POINTS)
    rows = np.arange(0, n, stride, dtype=np.int64)
    column1, column2 = inputs[:, pair[0]], inputs[:, pair[1]]
    return DataView(
        rows=rows,
        stride=stride,
        x1=np.ascontiguousarray(column1[rows]),
        x2=np.ascontiguousarray(column2[rows]),
        held=inputs.mean(axis=0) if inputs.shape[1] > 2 else np.zeros(inputs.shape[1]),
        window=data_window(column1, column2),
        x1_range=(float(column1.min()), float(column1.max())),
    )


def position(value: float) -> str:
    """A line's position as the notes write it: -1,234 from a thousand to a million."""
    if 1000 <= abs(value) < 1e6:
        return f"{value:,.0f}"
    return fmt(value)


def outside_note(out: Outside, feature1: str, feature2: str) -> str:
    """'line at x2 ≈ -855.5 … -1,683 ↓': where a line beyond the window runs, and which way."""
    arrow = LINE_OUT_MARKS[out.edge]
    if out.edge in ("left", "right"):
        return f"{feature1} ≈ {position(out.at[0])} {arrow}"
    return f"{feature2} ≈ {position(out.at[0])} … {position(out.at[1])} {arrow}"


@dataclass(frozen=True, eq=False)
class BoundaryPicture:
    """The view at one step, in data units; `strips` lays it out at a size (a Drawing)."""

    heading: tuple[str, str]  # above the plot: the step and the side; what the rows do
    x_label: str
    # Below it, a row each: what is held, how many rows are drawn, where the line before the
    # step lies out of view. The rows are kept ("") while empty, so the plot never jumps.
    footnotes: tuple[str, ...]
    y_label: str
    window: Window
    x1: FloatArray  # the rows drawn
    x2: FloatArray
    flags: IntArray  # each row's RIGHT0 .. IN_BATCH
    line: PlaneLine | None  # z = 0 after the step (None: no line)
    previous: PlaneLine | None  # and before it (None at step 0, or no line)
    edge_note: tuple[str, str] = ("", "")  # (edge, text): the line beyond the window
    message: str = ""  # instead of a plot (fewer than two features)

    def strips(self, width: int, height: int, base: Style) -> list[Strip]:
        grid = CellGrid(max(width, 0), max(height, 0), base)
        if width <= 0 or height <= 0:
            return grid.strips()
        # Short of 12 rows the heading takes one row and the footnotes none.
        full = height >= 12
        for y, text in enumerate(self.heading_lines(width, full)):
            grid.put(y, 0, text)
        place = self.layout(width, height, full)
        if self.message or place is None:
            grid.put(1, 0, self.message or "(too small to draw the boundary)")
            return grid.strips()
        top, left, rows, columns = place
        shade = shade_color(base)
        shaded = self.shaded_cells(rows, columns)
        plot = (slice(top, top + rows), slice(left, left + columns))
        grid.style_ids[plot] = np.where(shaded, grid.style(None, shade), 0)
        self._draw_lines(grid, place, shaded, shade)
        self._draw_rows(grid, place, shaded, shade)
        self._draw_frame(grid, place)
        grid.put(place[0] + place[2] + 2, 0, self.x_label)
        if full:
            for y, note in enumerate(self.footnotes, start=place[0] + place[2] + 3):
                grid.put(y, 0, note, grid.style(PREVIOUS_COLOR))
        return grid.strips()

    def heading_lines(self, width: int, full: bool = True) -> list[str]:
        """The heading's rows: its two lines, each wrapped to the width (at 40 columns "step 1
        · predicts 1 below the line (shaded)" takes two), or, when not `full`, one row."""
        if not full:
            return [" · ".join(filter(None, self.heading))]
        lines: list[str] = []
        for text in self.heading:
            lines += textwrap.wrap(text, max(width, 1), subsequent_indent="  ") or [""]
        return lines

    def layout(
        self, width: int, height: int, full: bool = True
    ) -> tuple[int, int, int, int] | None:
        """(top, left, rows, columns) of the plot's cells; None when too small to draw.

        Rows: the heading (its lines, or 1 when not `full`), the frame's top, the plot, its
        bottom, the x tick labels, the x label, the footnotes (when `full`).
        """
        gutter = max((len(label) for _, label in self.y_ticks()), default=0)
        top = len(self.heading_lines(width, full)) + 1
        below = 3 + (len(self.footnotes) if full else 0)
        rows, columns = height - top - below, width - gutter - 2
        if rows < 2 or columns < 8:
            return None
        return top, gutter + 1, rows, columns

    def y_ticks(self) -> list[tuple[float, str]]:
        w = self.window
        return [
            (t, tick_label(t))
            for t in nice_ticks(w.x2_low, w.x2_high)
            if w.x2_low <= t <= w.x2_high
        ]

    def x_ticks(self) -> list[tuple[float, str]]:
        w = self.window
        return [
            (t, tick_label(t))
            for t in nice_ticks(w.x1_low, w.x1_high)
            if w.x1_low <= t <= w.x1_high
        ]

    def dot_x1(self, columns: int) -> FloatArray:
        """x1 at the centre of each dot column (dot 0 at x1_low, the last at x1_high)."""
        w = self.window
        return np.linspace(w.x1_low, w.x1_high, columns * DOTS_ACROSS)

    def dot_x2(self, rows: int) -> FloatArray:
        """x2 at the centre of each dot row, from the bottom."""
        w = self.window
        return np.linspace(w.x2_low, w.x2_high, rows * DOTS_DOWN)

    def line_dots(self, line: PlaneLine, rows: int, columns: int) -> tuple[IntArray, IntArray]:
        """(dot row from the bottom, dot column) of the line: its x2 at every dot column, and
        its x1 at every dot row (so a steep line has no gaps either); only inside the plot."""
        w = self.window
        height, width = rows * DOTS_DOWN, columns * DOTS_ACROSS
        across = np.arange(width, dtype=np.int64)
        up = _dot_index(line_x2(line, self.dot_x1(columns)), w.x2_low, w.x2_high, height)
        down = np.arange(height, dtype=np.int64)
        side = _dot_index(line_x1(line, self.dot_x2(rows)), w.x1_low, w.x1_high, width)
        keep_up, keep_side = up >= 0, side >= 0
        return (
            np.concatenate([up[keep_up], down[keep_side]]),
            np.concatenate([across[keep_up], side[keep_side]]),
        )

    def shaded_cells(self, rows: int, columns: int) -> NDArray[np.bool_]:
        """(rows, columns), top row first: the cells whose centre predicts 1."""
        if self.line is None:
            return np.zeros((rows, columns), dtype=np.bool_)
        w = self.window
        # A cell's centre, in dots: 0.5 past its first dot column, 1.5 past its first row.
        x1_dot = (w.x1_high - w.x1_low) / max(columns * DOTS_ACROSS - 1, 1)
        x2_dot = (w.x2_high - w.x2_low) / max(rows * DOTS_DOWN - 1, 1)
        x1 = w.x1_low + (np.arange(columns, dtype=np.float64) * DOTS_ACROSS + 0.5) * x1_dot
        x2 = w.x2_low + (np.arange(rows, dtype=np.float64)[::-1] * DOTS_DOWN + 1.5) * x2_dot
        return predicts_one(self.line, x1[None, :], x2[:, None]) > 0

    def _draw_lines(
        self,
        grid: CellGrid,
        place: tuple[int, int, int, int],
        shaded: NDArray[np.bool_],
        shade: str,
    ) -> None:
        top, left, rows, columns = place
        height, width = rows * DOTS_DOWN, columns * DOTS_ACROSS
        bits = np.zeros((rows, columns), dtype=np.uint32)
        current = np.zeros((rows, columns), dtype=np.bool_)
        for line, dotted in ((self.previous, True), (self.line, False)):
            if line is None:
                continue
            dot_rows, dot_columns = self.line_dots(line, rows, columns)
            if dotted:  # every other dot along the line's longer run
                keep = (
                    (dot_columns % 2 == 0)
                    if _shallow(line, self.window, rows, columns)
                    else (dot_rows % 2 == 0)
                )
                dot_rows, dot_columns = dot_rows[keep], dot_columns[keep]
            dots = np.zeros((height, width), dtype=np.bool_)
            dots[height - 1 - dot_rows, dot_columns] = True
            cells = braille_cells(dots)
            bits |= cells
            if not dotted:
                current = cells > 0
        lit = bits > 0
        plot = (slice(top, top + rows), slice(left, left + columns))
        grid.chars[plot][lit] = BRAILLE + bits[lit]
        styles = _styles(grid, shaded, shade, None)
        faint = _styles(grid, shaded, shade, PREVIOUS_COLOR)
        grid.style_ids[plot][lit] = np.where(current, styles, faint)[lit]

    def _draw_rows(
        self,
        grid: CellGrid,
        place: tuple[int, int, int, int],
        shaded: NDArray[np.bool_],
        shade: str,
    ) -> None:
        top, left, rows, columns = place
        w = self.window
        column = (
            to_dots(self.x1, w.x1_low, w.x1_high, columns * DOTS_ACROSS).astype(np.int64)
            // DOTS_ACROSS
        )
        row = (
            rows
            - 1
            - to_dots(self.x2, w.x2_low, w.x2_high, rows * DOTS_DOWN).astype(np.int64) // DOTS_DOWN
        )
        flat = np.zeros(rows * columns, dtype=np.int64)
        np.bitwise_or.at(flat, row * columns + column, self.flags)
        cell_flags = flat.reshape(rows, columns)
        has0 = (cell_flags & (RIGHT0 | WRONG0)) > 0
        has1 = (cell_flags & (RIGHT1 | WRONG1)) > 0
        wrong0, wrong1 = (cell_flags & WRONG0) > 0, (cell_flags & WRONG1) > 0
        glyphs = np.select(
            [has0 & has1, has0 & wrong0, has0, wrong1, has1],
            [
                ord(MIXED_MARK),
                ord(WRONG0_MARK),
                ord(CLASS0_MARK),
                ord(WRONG1_MARK),
                ord(CLASS1_MARK),
            ],
            0,
        )
        colour = np.select(
            [has0 & has1, (has0 & wrong0) | (has1 & ~has0 & wrong1), has0, has1],
            [3, 2, 0, 1],
            -1,
        )
        palette = [CLASS_COLORS[0], CLASS_COLORS[1], WRONG_COLOR, None]
        plot = (slice(top, top + rows), slice(left, left + columns))
        chars, style_ids = grid.chars[plot], grid.style_ids[plot]
        for k, name in enumerate(palette):
            where = colour == k
            chars[where] = glyphs[where]
            style_ids[where] = _styles(grid, shaded, shade, name)[where]
        # The batch's rows: a mark in the cell to their left, where no other row is.
        batch = (cell_flags & IN_BATCH) > 0
        marks = np.zeros_like(batch)
        marks[:, :-1] = batch[:, 1:]
        marks &= glyphs == 0
        chars[marks] = ord(BATCH_MARK)
        style_ids[marks] = _styles(grid, shaded, shade, BATCH_COLOR)[marks]

    def _draw_frame(self, grid: CellGrid, place: tuple[int, int, int, int]) -> None:
        top, left, rows, columns = place
        bottom, right = top + rows, left + columns
        w = self.window
        draw_plot_frame(
            grid,
            place,
            self.y_label,
            (self.y_ticks(), self.x_ticks()),
            (
                lambda v: int(to_dots(np.array([v]), w.x2_low, w.x2_high, rows * DOTS_DOWN)[0]),
                lambda v: int(
                    to_dots(np.array([v]), w.x1_low, w.x1_high, columns * DOTS_ACROSS)[0]
                ),
            ),
        )
        edge, note = self.edge_note
        if note:
            text = f" {note} "
            style = grid.style(NOTE_COLOR)
            if edge == "below":
                grid.put(bottom, left + max(0, (columns - len(text)) // 2), text, style)
            elif edge == "above":
                grid.put(top - 1, left + max(0, (columns - len(text)) // 2), text, style)
            elif edge == "left":
                grid.put(top + rows // 2, left, text.strip(), style)
            else:
                grid.put(top + rows // 2, max(left, right - len(text) + 1), text.strip(), style)


def _dot_index(values: FloatArray, low: float, high: float, dots: int) -> IntArray:
    """Dot index of each value by to_dots's rounding, -1 where it falls outside the plot."""
    scale = (dots - 1) / (high - low) if high > low else 0.0
    with np.errstate(invalid="ignore", over="ignore"):
        raw = np.floor((values - low) * scale + 0.5 + 1e-9)
        inside = np.isfinite(raw) & (raw >= 0) & (raw <= dots - 1)
    return np.where(inside, raw, -1).astype(np.int64)


def _shallow(line: PlaneLine, window: Window, rows: int, columns: int) -> bool:
    """The line rises less than a dot per dot across (in the plot's own dot units)."""
    if line.b == 0:
        return False
    x_span = (window.x1_high - window.x1_low) / max(columns * DOTS_ACROSS - 1, 1)
    y_span = (window.x2_high - window.x2_low) / max(rows * DOTS_DOWN - 1, 1)
    return bool(abs(line.a / line.b) * x_span <= y_span)


def _styles(grid: CellGrid, shaded: NDArray[np.bool_], shade: str, color: str | None) -> IntArray:
    """Per cell: the style of `color`, on the shade where the cell predicts 1."""
    return np.where(shaded, grid.style(color, shade), grid.style(color)).astype(np.int32)


def shade_color(base: Style) -> str:
    """The shade of the side that predicts 1: the background moved towards the text colour
    (on any theme); grey23 when the base has no colours."""
    if base.bgcolor is None or base.color is None:
        return SHADE_FALLBACK
    blended = blend_rgb(base.bgcolor.get_truecolor(), base.color.get_truecolor(), SHADE_AMOUNT)
    return blended.hex


def feature_name(data: DataInfo, j: int) -> str:
    name = data.feature_names[j]
    return name if name == f"x{j + 1}" else f"x{j + 1}: {name}"


def boundary_picture(state: ViewState, pair: tuple[int, int] = (0, 1)) -> BoundaryPicture:
    """The decision boundary at the state's step: the rows drawn, the lines, the words."""
    data, event = state.data, state.event
    step = event.step
    if data.n_features < 2:
        return _no_plot(step, "the decision boundary needs two features: this data has one")
    view = data_view(data, pair)
    # In quiz mode, while the step's questions are open, the line is the one before the step
    # (its input): the new line would tell the new weights and which rows flip.
    hidden = step_quiz(state).results_hidden
    weights = event.weights_before if hidden else event.weights_after
    line = plane_line(np.asarray(weights), pair, view.held)
    before = plane_line(np.asarray(event.weights_before), pair, view.held)
    previous = before if step > 0 and before.exists and before != line else None
    lines = [x for x in (line, previous) if x is not None and x.exists]
    window = fit_window(view.window, lines, *view.x1_range) if state.boundary_fit else view.window
    name1, name2 = feature_name(data, pair[0]), feature_name(data, pair[1])
    units = "standardized" if event.standardized else "as given"
    short1, short2 = f"x{pair[0] + 1}", f"x{pair[1] + 1}"
    edge_note = ("", "")
    wrong = round((1 - event.accuracy_after) * state.n_rows)
    rows_said = f"{wrong:,} of {state.n_rows:,} rows wrong"
    if hidden:
        rows_said = "the line before the step: the quiz asks first"
    if line.exists:
        first = f"step {step} · predicts 1 {SIDE_WORDS[side_of_one(line)]} (shaded)"
        out = outside(line, window)
        if out is not None and not hidden:
            everywhere = predicts_one(line, np.array(window.x1_low), np.array(window.x2_low))
            rows_said = f"all in view predict {int(everywhere)} · {wrong:,}/{state.n_rows:,}"
            rows_said += " wrong"
            edge_note = (out.edge, "line at " + outside_note(out, short1, short2))
    else:
        first = f"step {step} · no line: w{pair[0]} = w{pair[1]} = 0"
        rows_said = f"all rows predict {int(line.c >= 0)} · {rows_said}"
    footnotes = []
    if data.n_features > 2:
        footnotes.append(f"{data.n_features - 2:,} other features at their mean")
    if view.stride > 1:
        footnotes.append(
            f"{view.rows.size:,} of {state.n_rows:,} rows drawn: every {view.stride:,}th"
        )
    out = outside(previous, window) if previous is not None else None
    footnotes.append("before the step: " + outside_note(out, short1, short2) if out else "")
    x1, x2, flags = _rows_drawn(state, view, pair, hidden)
    return BoundaryPicture(
        heading=(first, rows_said),
        x_label=f"{name1} ({units})",
        footnotes=tuple(footnotes),
        y_label=f"{name2} ({units})",
        window=window,
        x1=x1,
        x2=x2,
        flags=flags,
        line=line if line.exists else None,
        previous=previous,
        edge_note=edge_note,
    )


def _rows_drawn(
    state: ViewState, view: DataView, pair: tuple[int, int], before: bool = False
) -> tuple[FloatArray, FloatArray, IntArray]:
    """The sample's rows and the batch's (at most MAX_BATCH_DRAWN), with their flags: class,
    right or wrong after the step (before it, with `before`; z >= 0 is class 1), in the
    batch."""
    event, data = state.event, state.data
    batch = np.asarray(event.rows[:MAX_BATCH_DRAWN], dtype=np.int64)
    rows = np.concatenate([view.rows, batch])
    x1 = np.concatenate([view.x1, data.inputs[batch, pair[0]]])
    x2 = np.concatenate([view.x2, data.inputs[batch, pair[1]]])
    positive = data.labels[rows] == 1
    says_one = maths.predicted_class((event.z_before_all if before else event.z_after_all)[rows])
    wrong = positive != says_one
    flags = np.where(
        positive, np.where(wrong, WRONG1, RIGHT1), np.where(wrong, WRONG0, RIGHT0)
    ).astype(np.int64)
    flags[view.rows.size :] |= IN_BATCH
    return x1, x2, flags


def _no_plot(step: int, message: str) -> BoundaryPicture:
    empty = np.zeros(0)
    return BoundaryPicture(
        heading=(f"step {step}", ""),
        x_label="",
        footnotes=(),
        y_label="",
        window=Window(0.0, 1.0, 0.0, 1.0),
        x1=empty,
        x2=empty,
        flags=np.zeros(0, dtype=np.int64),
        line=None,
        previous=None,
        message=message,
    )


def border_title(state: ViewState, width: int) -> str:
    """The border's title, with its keys: the longest that fits the panel's width."""
    fit = "f: zoom in" if state.boundary_fit else "f: zoom out"
    return fitting(
        width,
        f"Decision boundary · {fit} · x: features",
        f"Decision boundary · {fit} · x: pair",  # the full layout's 46 columns
        f"Boundary · {fit} · x: pair",  # the pair layout's 40
    )


def marks_key(width: int) -> str:
    """The border's key of the marks, the short one when the panel is narrower than the
    long one and the border's corners."""
    return fitting(width, MARKS_KEY, MARKS_KEY_NARROW)
