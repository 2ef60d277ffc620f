"""Loss landscape view, in the chart panel's place: the objective over two weights and the path.

The maths (the window, the grid of the engine's objective, the path's picks) is
core/landscape.py's; the numbers of the path, the cursor and the next step come from the
engine by way of the state (LandscapeData). This draws them into cells: a heatmap whose bands
between log-spaced contour levels each have their own glyph (and shade), the path in braille,
the marks, the words. The grid is looked up (or asked for) at the plot's size; while a large
one is computed in the background the plot says so, and keys never wait for it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from rich.color import Color, blend_rgb
from rich.style import Style
from textual.strip import Strip

from logsgd.core.formatting import fmt
from logsgd.core.landscape import GridRequest, Window, levels_finite
from logsgd.core.maths import FloatArray
from logsgd.tui.chartcanvas import (
    BRAILLE,
    DOTS_ACROSS,
    DOTS_DOWN,
    CellGrid,
    braille_cells,
    draw_plot_frame,
    log_ticks,
    nice_ticks,
    tick_label,
)
from logsgd.tui.marks import (
    ARROW_HEADS,
    BAND_GLYPHS,
    CURSOR_POINT_MARK,
    LANDSCAPE_MARKS,
    START_MARK,
    fitting,
    key_line,
)
from logsgd.tui.state import LandscapeData, ViewState

IntArray = NDArray[np.int64]

# The bands' shades: from the background this much of the way towards BAND_HUE, lowest to
# highest (their brightness rises too, so they also read in greyscale).
BAND_HUE = "#e8a33d"
BAND_MOST = 0.55
BAND_FALLBACK = ("#000000", "#1c1c1c", "#303030", "#444444", "#585858", "#6c6c6c")
PATH_COLOR = "bright_white"
NEXT_COLOR = "#5fd7ff"
CURSOR_COLOR = "#ff5f87"
LABEL_COLOR = "bright_white"
NOTE_COLOR = "grey50"
# Step numbers written beside the path, at most.
STEP_LABELS = 6
MARKS_KEY = key_line(*LANDSCAPE_MARKS[:4])
MARKS_KEY_NARROW = key_line(*LANDSCAPE_MARKS[:4], separator="  ")  # the pair layout's 40


def band_colors(base: Style, count: int) -> list[str]:
    """The bands' background colours, lowest first."""
    if base.bgcolor is None:
        return list(BAND_FALLBACK[:count])
    start = base.bgcolor.get_truecolor()
    end = Color.parse(BAND_HUE).get_truecolor()
    steps = max(count - 1, 1)
    return [blend_rgb(start, end, BAND_MOST * k / steps).hex for k in range(count)]


def contour_levels(grid: FloatArray, most: int = len(BAND_GLYPHS) - 1) -> list[float]:
    """Log-spaced levels (powers of ten, or 1-2-5 steps in a narrow range) inside the grid's
    range, at most `most`: the bands' edges."""
    span = levels_finite(grid)
    if span is None:
        return []
    low, high = span
    if high <= low:
        return []
    return [t for t in log_ticks(low, high, most) if low < t <= high][:most]


def bands(grid: FloatArray, levels: list[float]) -> IntArray:
    """Each cell's band: k where levels[k-1] <= value < levels[k]; not finite: the top."""
    index = np.searchsorted(np.asarray(levels, dtype=np.float64), grid, side="right")
    return np.where(np.isfinite(grid), index, len(levels)).astype(np.int64)


def levels_key(levels: list[float], width: int = 1000) -> str:
    """'objective: blank < 0.1 ≤ · < 1 ≤ ∶': each band's glyph between its levels; shorter
    ('· ≥0.1 ∶ ≥1') where that does not fit in `width` (a level is never cut)."""
    if not levels:
        return "objective: one band"
    labels = [tick_label(level) for level in levels]
    full = "objective: blank " + " ".join(
        f"< {label} ≤ {BAND_GLYPHS[k]}" for k, label in enumerate(labels, start=1)
    )
    if len(full) <= width:
        return full
    pieces = [f"{BAND_GLYPHS[k]} ≥{label}" for k, label in enumerate(labels, start=1)]
    for prefix in ("objective: ", ""):
        if len(prefix + " ".join(pieces)) <= width:
            return prefix + " ".join(pieces)
    return " ".join(pieces)


def _to_dots(values: FloatArray, low: float, high: float, dots: int) -> IntArray:
    """Dot index of each value: cell k's dots cover low + k*(high-low)/cells and on, so the
    grid point at a cell's centre and the path's points share one mapping."""
    scale = dots / (high - low) if high > low else 0.0
    with np.errstate(invalid="ignore", over="ignore"):
        raw = np.floor((values - low) * scale)
    return np.clip(np.nan_to_num(raw, nan=0.0), 0, dots - 1).astype(np.int64)


def _segment_dots(xs: IntArray, ys: IntArray) -> tuple[IntArray, IntArray]:
    """Every dot of the segments joining consecutive points (a DDA line each), the points'
    own dots included."""
    if xs.size < 2:
        return xs, ys
    x_run, y_run = np.diff(xs), np.diff(ys)
    length = np.maximum(np.abs(x_run), np.abs(y_run))
    steps = np.maximum(length, 1)
    segment = np.repeat(np.arange(steps.size), steps)
    offset = np.arange(segment.size) - np.repeat(np.cumsum(steps) - steps, steps)
    t = offset / steps[segment]
    dot_x = xs[:-1][segment] + np.floor(x_run[segment] * t + 0.5).astype(np.int64)
    dot_y = ys[:-1][segment] + np.floor(y_run[segment] * t + 0.5).astype(np.int64)
    return np.append(dot_x, xs[-1]), np.append(dot_y, ys[-1])


def arrow_head(dx: float, dy: float) -> str:
    """The arrow glyph nearest the move's direction on screen (dy up)."""
    angle = math.atan2(dy, dx)
    return ARROW_HEADS[round(angle / (math.pi / 4)) % 8]


class _Shades:
    """The bands drawn in the plot's cells: a mark drawn over a cell keeps its shade."""

    def __init__(self, band: IntArray | None = None, colors: list[str] | None = None) -> None:
        self.band, self.colors = band, colors or []

    def style(self, grid: CellGrid, row: int, column: int, color: str) -> int:
        """`color` on the shade of plot cell (row, column) (the base's without bands)."""
        if self.band is None:
            return grid.style(color)
        return grid.style(color, self.colors[int(self.band[row, column])])

    def put(
        self, grid: CellGrid, origin: tuple[int, int], row: int, column: int, text: str, color: str
    ) -> None:
        """`text` at plot cell (row, column), each character on its own cell's shade; the
        plot's top left cell is at `origin` (row, column) of the grid."""
        top, left = origin
        for offset, char in enumerate(text):
            style = self.style(grid, row, column + offset, color)
            grid.put(top + row, left + column + offset, char, style)


@dataclass(frozen=True, eq=False)
class LandscapePicture:
    """The view at one step; `strips` lays it out at a size (a Drawing), asking for the grid
    of exactly its plot's cells."""

    data: LandscapeData
    heading: tuple[tuple[str, ...], tuple[str, ...]]  # each line's wordings, longest first
    x_label: str
    y_label: str
    held: tuple[str, ...]  # "w2 (bias) = -0.005000": the weights held at the cursor's values
    step: int

    def layout(self, width: int, height: int) -> tuple[int, int, int, int] | None:
        """(top, left, rows, columns) of the plot's cells; None when too small to draw.

        Rows: the heading (2), the frame's top, the plot, its bottom, the tick labels, the x
        label, the levels' key, the footnote (what is held).
        """
        gutter = max((len(label) for _, label in self.y_ticks()), default=0)
        top, below = 3, 4 + self.footnote_rows(width, height)
        rows, columns = height - top - below, width - gutter - 2
        if rows < 3 or columns < 10:
            return None
        return top, gutter + 1, rows, columns

    def footnote_rows(self, width: int, height: int) -> int:
        """What is held takes two rows where it needs them and the plot keeps 8."""
        needs = len(f"held at step {self.step}: " + ", ".join(self.held)) > width
        return 2 if needs and height >= 3 + 4 + 2 + 8 else 1

    def footnote_lines(self, width: int, height: int) -> list[str]:
        """The held weights, whole ones only (a number is never cut), and how many more."""
        if not self.held:
            return [""]
        lines = [f"held at step {self.step}: "]
        count = self.footnote_rows(width, height)
        shown = 0
        for item in self.held:
            text = item if lines[-1].endswith(": ") or lines[-1] == "  " else ", " + item
            if len(lines[-1] + text) > width:
                if len(lines) == count:
                    break
                lines.append("  ")
                text = item
            lines[-1] += text
            shown += 1
        while shown < len(self.held):
            more = f" (+{len(self.held) - shown:,} more)"
            if len(lines[-1] + more) <= width or "=" not in lines[-1]:
                lines[-1] += more
                break
            lines[-1] = lines[-1][: lines[-1].rfind(", ")] if ", " in lines[-1] else lines[-1]
            shown -= 1
        return lines

    def request(self, rows: int, columns: int) -> GridRequest:
        data = self.data
        return GridRequest(data.pair, data.held, data.window, data.l2, rows, columns)

    def y_ticks(self) -> list[tuple[float, str]]:
        w = self.data.window
        return [
            (t, tick_label(t)) for t in nice_ticks(w.b_low, w.b_high) if w.b_low <= t <= w.b_high
        ]

    def x_ticks(self) -> list[tuple[float, str]]:
        w = self.data.window
        return [
            (t, tick_label(t)) for t in nice_ticks(w.a_low, w.a_high) if w.a_low <= t <= w.a_high
        ]

    def strips(self, width: int, height: int, base: Style) -> list[Strip]:
        grid = CellGrid(max(width, 0), max(height, 0), base)
        if width <= 0 or height <= 0:
            return grid.strips()
        for y, wordings in enumerate(self.heading):
            grid.put(y, 0, next((t for t in wordings if len(t) <= width), wordings[-1]))
        place = self.layout(width, height)
        if place is None:
            grid.put(2, 0, "(too small to draw the landscape)")
            return grid.strips()
        top, left, rows, columns = place
        values = self.data.grids(self.request(rows, columns))
        note = ""
        if values is None:
            note = f"computing… ({self.data.n_rows:,} rows × {rows * columns:,} cells)"
            key = "computing the landscape in the background"
            shades = _Shades()
        else:
            levels = contour_levels(values)
            shades = self._draw_bands(grid, place, bands(values, levels), len(levels) + 1)
            key = levels_key(levels, width)
        self._draw_path(grid, place, shades)
        if values is not None:  # where neither the path nor a mark is
            self._draw_level_labels(grid, place, values, levels, shades)
        if note:  # over the path: what the plot lacks is said first
            grid.put(top + rows // 2, left + max(0, (columns - len(note)) // 2), note)
        self._draw_frame(grid, place)
        grid.put(top + rows + 2, 0, self.x_label)
        grid.put(top + rows + 3, 0, key)
        for y, line in enumerate(self.footnote_lines(width, height), start=top + rows + 4):
            grid.put(y, 0, line, grid.style(NOTE_COLOR))
        return grid.strips()

    # ------------------------------------------------------------------ drawing

    def _draw_bands(
        self, grid: CellGrid, place: tuple[int, int, int, int], band: IntArray, count: int
    ) -> _Shades:
        top, left, rows, columns = place
        colors = band_colors(grid.base, count)
        glyphs = np.array([ord(BAND_GLYPHS[k]) for k in range(count)], dtype=np.uint32)
        styles = np.array([grid.style(NOTE_COLOR, c) for c in colors], dtype=np.int32)
        plot = (slice(top, top + rows), slice(left, left + columns))
        grid.chars[plot] = glyphs[band]
        grid.style_ids[plot] = styles[band]
        return _Shades(band, colors)

    def _draw_level_labels(
        self,
        grid: CellGrid,
        place: tuple[int, int, int, int],
        values: FloatArray,
        levels: list[float],
        shades: _Shades,
    ) -> None:
        """Each level's value written on its contour: at a cell whose value is at or above it
        beside one below it, the highest such cell (nearest two thirds across)."""
        top, left, rows, columns = place
        band_chars = np.array([ord(g) for g in BAND_GLYPHS], dtype=np.uint32)
        plot = grid.chars[top : top + rows, left : left + columns]
        taken = ~np.isin(plot, band_chars)  # the path, its marks and numbers
        with np.errstate(invalid="ignore"):
            for level in levels:
                above = values >= level
                edge = np.zeros_like(above)
                edge[:, 1:] |= above[:, 1:] & ~above[:, :-1]
                edge[1:, :] |= above[1:, :] & ~above[:-1, :]
                label = f"({tick_label(level)})"  # bare numbers are steps
                r, c = np.nonzero(edge)
                fits = (c + len(label) <= columns) & (c >= columns // 4)
                r, c = r[fits], c[fits]
                if not r.size:
                    continue
                # Along the top row first (out of the path's way, mostly), then below it.
                order = np.argsort(r * columns * 2 + np.abs(c - columns * 2 // 3))
                for i in order.tolist():
                    row, column = int(r[i]), int(c[i])
                    if taken[row, column : column + len(label)].any():
                        continue
                    taken[
                        max(row - 1, 0) : row + 2, max(column - 1, 0) : column + len(label) + 1
                    ] = True
                    shades.put(grid, (top, left), row, column, label, LABEL_COLOR)
                    break

    def _dots(
        self, a: FloatArray, b: FloatArray, rows: int, columns: int
    ) -> tuple[IntArray, IntArray]:
        """(dot column, dot row from the top) of points in weight units."""
        w = self.data.window
        x = _to_dots(a, w.a_low, w.a_high, columns * DOTS_ACROSS)
        y = _to_dots(b, w.b_low, w.b_high, rows * DOTS_DOWN)
        return x, rows * DOTS_DOWN - 1 - y

    def _draw_path(self, grid: CellGrid, place: tuple[int, int, int, int], shades: _Shades) -> None:
        top, left, rows, columns = place
        data = self.data
        height, width = rows * DOTS_DOWN, columns * DOTS_ACROSS
        xs, ys = self._dots(data.path_a, data.path_b, rows, columns)
        path_x, path_y = _segment_dots(xs, ys)
        dots = np.zeros((height, width), dtype=np.bool_)
        dots[path_y, path_x] = True
        next_cell: tuple[int, int] | None = None
        arrow = ""
        next_dots = np.zeros_like(dots)
        if data.next_point is not None:
            nx, ny = self._dots(
                np.array([data.cursor_point[0], data.next_point[0]]),
                np.array([data.cursor_point[1], data.next_point[1]]),
                rows,
                columns,
            )
            line_x, line_y = _segment_dots(nx, ny)
            keep = np.arange(line_x.size) % 2 == 0
            next_dots[line_y[keep], line_x[keep]] = True
            next_cell = (int(ny[1]) // DOTS_DOWN, int(nx[1]) // DOTS_ACROSS)
            arrow = arrow_head(float(nx[1] - nx[0]), float(ny[0] - ny[1]))
        path_bits, next_bits = braille_cells(dots), braille_cells(next_dots)
        plot = (slice(top, top + rows), slice(left, left + columns))
        chars = grid.chars[plot]
        for bits, color in ((next_bits, NEXT_COLOR), (path_bits, PATH_COLOR)):
            lit = np.nonzero(bits)
            for row, column in zip(lit[0].tolist(), lit[1].tolist(), strict=True):
                others = path_bits[row, column] | next_bits[row, column]
                chars[row, column] = BRAILLE + int(others)
                grid.style_ids[top + row, left + column] = shades.style(grid, row, column, color)
        self._draw_step_labels(grid, place, xs, ys, path_bits | next_bits, shades)
        cells = [(int(ys[0]) // DOTS_DOWN, int(xs[0]) // DOTS_ACROSS, START_MARK, PATH_COLOR)]
        if next_cell is not None and next_cell != cells[-1][:2]:
            cells.append((*next_cell, arrow, NEXT_COLOR))
        cells.append(
            (int(ys[-1]) // DOTS_DOWN, int(xs[-1]) // DOTS_ACROSS, CURSOR_POINT_MARK, CURSOR_COLOR)
        )
        for row, column, mark, color in cells:
            grid.put(top + row, left + column, mark, shades.style(grid, row, column, color))

    def _draw_step_labels(
        self,
        grid: CellGrid,
        place: tuple[int, int, int, int],
        xs: IntArray,
        ys: IntArray,
        lit: NDArray[np.uint32],
        shades: _Shades,
    ) -> None:
        """A few steps' numbers beside their points (right of them, else left), where no
        dot of the path is: the cursor's, the start's and some evenly between."""
        top, left, rows, columns = place
        steps = self.data.path_steps
        count = steps.size
        if count < 2:
            return
        picks = sorted(
            {count - 1, *np.linspace(0, count - 1, STEP_LABELS).round().astype(int).tolist()}
        )
        free = lit == 0
        for i in reversed(picks):  # the cursor's first: it wins a contested cell
            row, column = int(ys[i]) // DOTS_DOWN, int(xs[i]) // DOTS_ACROSS
            label = str(int(steps[i]))
            for start in (column + 1, column - len(label)):
                end = start + len(label)
                if start >= 0 and end <= columns and free[row, start:end].all():
                    shades.put(grid, (top, left), row, start, label, PATH_COLOR)
                    free[max(row - 0, 0), max(start - 1, 0) : end + 1] = False
                    break

    def _draw_frame(self, grid: CellGrid, place: tuple[int, int, int, int]) -> None:
        _, _, rows, columns = place
        w = self.data.window
        draw_plot_frame(
            grid,
            place,
            self.y_label,
            (self.y_ticks(), self.x_ticks()),
            (
                lambda v: int(_to_dots(np.array([v]), w.b_low, w.b_high, rows * DOTS_DOWN)[0]),
                lambda v: int(_to_dots(np.array([v]), w.a_low, w.a_high, columns * DOTS_ACROSS)[0]),
            ),
        )


def landscape_picture(state: ViewState) -> LandscapePicture | None:
    """The landscape at the state's step, or None before the app has built its data."""
    data = state.landscape
    if data is None:
        return None
    j, k = data.pair
    names = state.data
    event = state.event
    # The objective: the mean BCE, with its penalty when λ > 0 (as the status line says).
    what = "BCE + λ/2·Σw²" if data.l2 else "mean BCE"
    first = f"step {event.step} · {what} {fmt(event.objective_after)} at {CURSOR_POINT_MARK}"
    if data.before_step:
        first = f"step {event.step} · {CURSOR_POINT_MARK} the weights before it"
        second: tuple[str, ...] = (
            "its move and new weights: the quiz asks first",
            "its move: the quiz asks first",
            "quiz: asked first",
        )
    elif data.move is None:
        second = ("next step: not finite (the run diverges there)",)
    else:
        symbol = "−lr·v" if data.momentum else "−lr·g"
        move_a, move_b = _signed(data.move[j]), _signed(data.move[k])
        second = (
            f"next step {symbol}: w{j} {move_a}, w{k} {move_b}",
            f"next {symbol}: w{j} {move_a}, w{k} {move_b}",
            f"{symbol}: {move_a}, {move_b}",
        )
    others = [i for i in range(len(data.held)) if i not in data.pair]
    bias = len(data.held) - 1
    held = tuple(f"w{i}{' (bias)' if i == bias else ''} = {fmt(data.held[i])}" for i in others)
    return LandscapePicture(
        data=data,
        heading=((first,), second),
        x_label=f"across: {names.weight_label(j)}",
        y_label=f"up: {names.weight_label(k)}",
        held=held,
        step=event.step - 1 if data.before_step else event.step,  # whose weights are held
    )


def _signed(value: float) -> str:
    text = fmt(value)
    return text if text.startswith("-") else "+" + text


def border_title(state: ViewState) -> str:
    return "Loss landscape · O: weights"


def marks_key(width: int) -> str:
    """The border's key of the marks, the short one in a narrow panel."""
    return fitting(width, MARKS_KEY, MARKS_KEY_NARROW)


__all__ = ["LandscapePicture", "Window", "border_title", "landscape_picture"]
