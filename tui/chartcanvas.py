"""A braille line chart rasterised with numpy into ready-made Strips, and the widget showing it."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import NamedTuple, Protocol

import numpy as np
from numpy.typing import NDArray
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

from logsgd.core.maths import FloatArray
from logsgd.tui.marks import LINE_MARKER
from logsgd.tui.rowtable import line_regions

IntArray = NDArray[np.int64]

# A braille cell holds 2 x 4 dots; DOT_BITS[row][column] is the bit of that dot (Unicode's
# numbering: dots 1-3 and 4-6 down the columns, dots 7 and 8 on the bottom row).
DOT_BITS = np.array([[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]], dtype=np.uint32)
BRAILLE = 0x2800
DOTS_ACROSS, DOTS_DOWN = 2, 4
# Beyond this size differences and 10 ** exponents overflow; no weight worth reading is there.
LARGEST = 1e300
SMALLEST_LOG = 1e-300
# Below these the plot loses its frame, then its labels (rows kept for the lines instead).
MIN_PLOT_ROWS = 3
MIN_PLOT_COLUMNS = 8


@dataclass(frozen=True, eq=False)
class Series:
    """Lines sharing their x values: column k of ys is drawn in colors[k].

    Joined series connect consecutive finite points; the others are loose dots (the ghost).
    A `faint` series is drawn dim, in its own colours (Textual's dim: blended towards the
    background). `names` name its lines at their ends, right of the plot (the last series'
    names may come from Figure.end_labels instead); `marker`, a character, is written on each
    of its lines at a few points along them, so that the line reads as its series without
    colour (a pinned run's letter).
    """

    xs: FloatArray  # (n,)
    ys: FloatArray  # (n, k)
    colors: tuple[str, ...]
    joined: bool = True
    names: tuple[str, ...] = ()
    marker: str = ""
    faint: bool = False  # drawn dim (the dropped future beside the live lines)


# The small records below are NamedTuples, not dataclasses: a dataclass costs about 0.3 ms
# to create at import (its methods are compiled from source), these four 1.2 ms of the first
# frame.


class VLine(NamedTuple):
    """A vertical line at x, drawn with `char`; color None is the theme's text colour."""

    x: float
    color: str | None
    char: str = "│"


class LegendEntry(NamedTuple):
    marker: str
    name: str
    color: str


@dataclass(frozen=True, eq=False)
class Figure:
    """Everything drawn, in drawing order: series (later on top), then vlines, then the legend.

    The x axis runs from 0 to x_max; the y axis spans the finite values (log10 of the positive
    ones when log_y), widened to its ticks.
    """

    title: str
    x_label: str
    x_max: float
    x_ticks: tuple[int, ...]
    series: tuple[Series, ...] = ()
    vlines: tuple[VLine, ...] = ()
    legend: tuple[LegendEntry, ...] = ()
    log_y: bool = False
    # Names of the last series' lines, each written right of the plot at its line's end, in its
    # colour: the lines are told apart by name, not by colour alone (and no legend covers them).
    # The legend's entries then go on the x label's row, beside it.
    end_labels: tuple[str, ...] = ()


class YAxis(NamedTuple):
    """The drawn y range (log10 units on a log axis) and its ticks in the same units."""

    low: float
    high: float
    ticks: tuple[float, ...]
    labels: tuple[str, ...]


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values (multiples of 1, 2 or 5 times a power of ten) covering low..high.

    The first tick is at or below low; the last is the first multiple past high - step / 2.
    """
    span = (high - low) / (max(count, 2) - 1)
    if not (math.isfinite(span) and span > 0):
        return [low] if low == high else [low, high]
    magnitude = 10.0 ** math.floor(math.log10(span))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= span)
    first = math.floor(low / step)
    last = math.ceil(high / step + 0.5) - 1
    return [0.0 if k == 0 else k * step for k in range(first, last + 1)]


def log_ticks(low: float, high: float, most: int) -> list[float]:
    """Tick values for a log axis over low..high (both > 0), at most `most` of them.

    Powers of ten when at least two lie in the range (every other one, or sparser, when there
    are more than `most`): a log axis reads by its decades. A narrower range gets 1, 2, 5 times
    a power of ten if two of those fit, and otherwise round linear steps (0.6, 0.8, 1, 1.2):
    a loss that has settled spans less than a factor 2 and still needs labels to read it.
    All ticks lie inside low..high, so the data fill the plot's height.
    """
    slack = 1e-9  # 1.0 is 10 ** 0 even when log10 rounds a hair off
    first = math.ceil(math.log10(low) - slack)
    last = math.floor(math.log10(high) + slack)
    if last - first >= 1:
        every = math.ceil((last - first + 1) / max(most, 1))
        return [10.0**p for p in range(first, last + 1, every)]
    in_range = [
        m * 10.0**p
        for p in range(first - 1, last + 1)
        for m in (1, 2, 5)
        if low * (1 - slack) <= m * 10.0**p <= high * (1 + slack)
    ]
    if len(in_range) >= 2:
        return in_range[:: math.ceil(len(in_range) / max(most, 1))]
    linear = [t for t in nice_ticks(low, high, most) if low <= t <= high]
    return linear if linear else [low, high]


def tick_label(value: float) -> str:
    """Ticks are round numbers chosen for the axis, not engine figures: shortest form."""
    return f"{value:.6g}"


def y_axis(figure: Figure, rows: int) -> YAxis:
    """Range and ticks of the y axis for `rows` rows of plot.

    Linear: nice_ticks for 5 whatever the height: fewer would
    take coarser steps, and the range, which reaches down to the first tick, would then leave
    most of a short plot empty; ticks that share a row show one label.
    Log: log_ticks, up to one every 2 rows (decades read at a glance) and at most 7; they lie
    inside the data's range, so fewer of them cost no room.
    A constant is drawn in the middle of a range around it: half its size either side (1 for
    0) on a linear axis, a factor 2 either side on a log one.
    """
    values = [s.ys.ravel() for s in figure.series if s.ys.size]
    every = np.concatenate(values) if values else np.zeros(0)
    if figure.log_y:
        shown = every[np.isfinite(every) & (every > 0)]
        low, high = (
            (max(float(shown.min()), SMALLEST_LOG), min(float(shown.max()), LARGEST))
            if shown.size
            else (0.1, 10.0)
        )
        if high <= low:
            low, high = low / 2, high * 2
        ticks = log_ticks(low, high, max(2, min(7, (rows + 1) // 2)))
        drawn = [math.log10(t) for t in ticks]
        return YAxis(
            low=min(math.log10(low), drawn[0]),
            high=max(math.log10(high), drawn[-1]),
            ticks=tuple(drawn),
            labels=tuple(tick_label(t) for t in ticks),
        )
    shown = np.clip(every[np.isfinite(every)], -LARGEST, LARGEST)
    low, high = (float(shown.min()), float(shown.max())) if shown.size else (-1.0, 1.0)
    if high == low:
        pad = abs(high) * 0.5 if high != 0 else 1.0
        low, high = low - pad, high + pad
    ticks = nice_ticks(low, high)
    return YAxis(
        low=min(low, ticks[0]),
        high=max(high, ticks[-1]),
        ticks=tuple(ticks),
        labels=tuple(tick_label(t) for t in ticks),
    )


def to_dots(values: FloatArray, low: float, high: float, dots: int) -> FloatArray:
    """Dot index (0 = low end) of each value, rounded to the nearest; NaN stays NaN.

    low maps to the centre of dot 0 and high to the centre of dot `dots - 1`.
    """
    scale = (dots - 1) / (high - low) if high > low else 0.0
    with np.errstate(invalid="ignore"):
        return np.clip(np.floor((values - low) * scale + 0.5 + 1e-9), 0, max(dots - 1, 0))


def rasterise(
    figure: Figure, axis: YAxis, rows: int, columns: int
) -> tuple[NDArray[np.bool_], IntArray, list[str]]:
    """Dots lit by the series, and per cell the index of the last series with a dot in it.

    Returns (dots (rows*4, columns*2), owner (rows, columns), colours), owner -1 where no
    series has a dot; owner k is drawn in colours[k]. Segments between consecutive points are
    sampled at every dot step of their longer axis (a DDA line), so each is 8-connected: a
    vertical jump is a continuous run of dots.
    """
    height, width = rows * DOTS_DOWN, columns * DOTS_ACROSS
    dot_rows: list[IntArray] = []
    dot_columns: list[IntArray] = []
    layers: list[IntArray] = []
    colours: list[str] = []
    for series in figure.series:
        if series.ys.size == 0:
            continue
        ys = series.ys
        if figure.log_y:
            with np.errstate(divide="ignore", invalid="ignore"):
                drawable = np.isfinite(ys) & (ys > 0)
                ys = np.where(drawable, np.log10(np.clip(ys, SMALLEST_LOG, LARGEST)), np.nan)
        else:
            ys = np.where(np.isfinite(ys), np.clip(ys, -LARGEST, LARGEST), np.nan)
        # One row per line: the slices below are then contiguous, and no (point, line) pairs
        # are gathered for the points that simply sit next to each other (most of them).
        x = to_dots(series.xs.astype(np.float64), 0.0, figure.x_max, width)
        y = to_dots(ys.T, axis.low, axis.high, height)
        valid = np.isfinite(y) & np.isfinite(x)
        line_of = np.broadcast_to(
            np.arange(len(colours), len(colours) + y.shape[0])[:, None], y.shape
        )
        colours.extend(series.colors[k] for k in range(y.shape[0]))
        dot_columns.append(np.broadcast_to(x, y.shape)[valid].astype(np.int64))
        dot_rows.append(y[valid].astype(np.int64))
        layers.append(line_of[valid])
        if not series.joined or y.shape[1] < 2:
            continue
        x_run = x[1:] - x[:-1]
        y_run = y[:, 1:] - y[:, :-1]  # NaN where either end is not drawn
        with np.errstate(invalid="ignore"):
            length = np.maximum(np.abs(x_run), np.abs(y_run))
            # Only segments longer than a dot step need dots between their end points.
            line, start = np.nonzero(length >= 2)
        length_of = length[line, start].astype(np.int64)
        inner = length_of - 1
        segment = np.repeat(np.arange(inner.size), inner)
        step = np.arange(segment.size) - np.repeat(np.cumsum(inner) - inner, inner) + 1
        t = step / length_of[segment]
        x0, x_steps = x[start][segment], x_run[start][segment]
        y0, y_steps = y[line, start][segment], y_run[line, start][segment]
        dot_columns.append((x0 + np.floor(x_steps * t + 0.5)).astype(np.int64))
        dot_rows.append((y0 + np.floor(y_steps * t + 0.5)).astype(np.int64))
        layers.append(line_of[line, start][segment])
    dots = np.zeros((height, width), dtype=np.bool_)
    owner = np.full(rows * columns, -1, dtype=np.int64)
    if dot_rows:
        row = height - 1 - np.concatenate(dot_rows)  # dot 0 is the bottom
        column = np.concatenate(dot_columns)
        dots[row, column] = True
        # The later series colours a shared cell; its dots are the union of all series' there
        # (keeping only the last series' dots would cut the lines crossing it).
        np.maximum.at(
            owner, (row // DOTS_DOWN) * columns + column // DOTS_ACROSS, np.concatenate(layers)
        )
    return dots, owner.reshape(rows, columns), colours


def braille_cells(dots: NDArray[np.bool_]) -> NDArray[np.uint32]:
    """Bits of each cell's braille character (0 where no dot is lit)."""
    height, width = dots.shape
    bits = np.zeros((height // DOTS_DOWN, width // DOTS_ACROSS), dtype=np.uint32)
    for row in range(DOTS_DOWN):
        for column in range(DOTS_ACROSS):
            # Every cell's dot at (row, column) at once: eight whole-plot operations in all.
            bits[dots[row::DOTS_DOWN, column::DOTS_ACROSS]] |= DOT_BITS[row, column]
    return bits


class _Grid:
    """The widget's cells: a character and a style index each, filled in drawing order."""

    def __init__(self, width: int, height: int, base: Style) -> None:
        self.width, self.height = width, height
        self.chars = np.full((height, width), ord(" "), dtype=np.uint32)
        self.style_ids = np.zeros((height, width), dtype=np.int32)
        self.base = base
        self.styles: list[Style] = [base]
        self._style_index: dict[tuple[str | None, str | None, bool], int] = {(None, None, False): 0}

    def style(self, color: str | None, bgcolor: str | None = None, dim: bool = False) -> int:
        """Index of the base style in `color` on `bgcolor` (None: the base's own), dim or not."""
        key = (color, bgcolor, dim)
        index = self._style_index.get(key)
        if index is None:
            index = self._style_index[key] = len(self.styles)
            self.styles.append(self.base + Style(color=color, bgcolor=bgcolor, dim=dim or None))
        return index

    def put(self, y: int, x: int, text: str, style: int = 0) -> None:
        """Write text from column x of row y, cut at the edges."""
        if not 0 <= y < self.height or not text:
            return
        if x < 0:
            text, x = text[-x:], 0
        text = text[: self.width - x]
        if text:
            self.chars[y, x : x + len(text)] = np.frombuffer(
                text.encode("utf-32-le"), dtype=np.uint32
            )
            self.style_ids[y, x : x + len(text)] = style

    def strips(self) -> list[Strip]:
        """One Strip per row, one Segment per run of cells in the same style."""
        width = self.width
        text = self.chars.tobytes().decode("utf-32-le")  # all rows, width characters each
        starts = np.ones((self.height, width), dtype=np.bool_)
        starts[:, 1:] = self.style_ids[:, 1:] != self.style_ids[:, :-1]
        run_rows, run_columns = np.nonzero(starts)
        ends = np.append(run_columns[1:], width)
        ends[np.append(run_rows[1:] != run_rows[:-1], True)] = width  # a row's last run
        offsets = run_rows * width
        styles = [self.styles[i] for i in self.style_ids[run_rows, run_columns].tolist()]
        segments = [
            Segment(text[a:b], style)
            for a, b, style in zip(
                (offsets + run_columns).tolist(), (offsets + ends).tolist(), styles, strict=True
            )
        ]
        cuts = np.cumsum(starts.sum(axis=1)).tolist()
        return [Strip(segments[a:b], width) for a, b in pairwise([0, *cuts])]


# Other drawings on a canvas (the decision boundary) fill cells the same way.
CellGrid = _Grid


class Drawing(Protocol):
    """Anything a ChartCanvas shows besides a Figure: it draws itself at a given size."""

    def strips(self, width: int, height: int, base: Style) -> list[Strip]:
        """Exactly `height` Strips of `width` cells each."""
        ...


class Layout(NamedTuple):
    """Where the parts go: the plot's cells are rows x columns from (top, left)."""

    frame: bool
    tick_labels: bool
    x_label: bool
    gutter: int  # columns of y tick labels left of the frame
    top: int
    left: int
    rows: int
    columns: int
    margin: int = 0  # columns of line-end labels right of the frame


def layout(figure: Figure, width: int, height: int) -> tuple[Layout, YAxis]:
    """Fit the parts into width x height, and the y axis to the plot's rows.

    With too little room the x label goes first, then the tick labels, then the frame (and
    the y labels when the plot would get too narrow); the title always stays, it says which
    step is drawn.
    """
    below_title = height - 1
    frame = below_title >= 2 + MIN_PLOT_ROWS and width >= 2 + MIN_PLOT_COLUMNS // 2
    tick_labels = frame and below_title >= 3 + MIN_PLOT_ROWS
    x_label = tick_labels and below_title >= 4 + MIN_PLOT_ROWS
    rows = below_title - (2 if frame else 0) - tick_labels - x_label
    axis = y_axis(figure, max(rows, 1))
    gutter = max(len(label) for label in axis.labels) if frame else 0
    if frame and width - gutter - 2 < MIN_PLOT_COLUMNS:
        gutter = 0  # the lines matter more than the numbers beside them
    columns = width - gutter - (2 if frame else 0)
    margin = 2 + max((len(label) for _, names in _named(figure) for label in names), default=-2)
    if not frame or columns - margin < max(MIN_PLOT_COLUMNS, 2 * columns // 3):
        margin = 0  # names too long for the room: the legend names the lines, over the plot
    return (
        Layout(
            frame=frame,
            tick_labels=tick_labels,
            x_label=x_label,
            gutter=gutter,
            top=2 if frame else 1,
            left=gutter + 1 if frame else 0,
            rows=rows,
            columns=columns - margin,
            margin=margin,
        ),
        axis,
    )


def draw_figure(figure: Figure, width: int, height: int, base: Style) -> list[Strip]:
    """The figure as `height` Strips of exactly `width` cells each.

    Rows: the title, the top of the frame, the plot, the bottom of the frame with the x ticks,
    their labels, the x label. Left of the frame the y tick labels.
    """
    if width <= 0 or height <= 0:
        return [Strip([], 0) for _ in range(max(height, 0))]
    grid = _Grid(width, height, base)
    place, axis = layout(figure, width, height)
    title = figure.title
    grid.put(0, place.left + (place.columns - len(title) + 1) // 2, title)
    if place.rows > 0 and place.columns > 0:
        vline_columns = _draw_plot(grid, figure, axis, place)
        _draw_markers(grid, figure, axis, place)
        if place.margin:
            _draw_end_labels(grid, figure, axis, place)
            if not place.x_label:
                _draw_legend(grid, figure.legend, place)
        else:
            _draw_legend(grid, _with_line_names(figure), place)
        if place.frame:
            _draw_frame(grid, figure, axis, place, vline_columns)
    return grid.strips()


def _x_columns(figure: Figure, xs: Sequence[float], columns: int) -> list[int]:
    """The plot column of each x, by the same rounding as the lines' dots."""
    dots = to_dots(np.array(xs, dtype=np.float64), 0.0, figure.x_max, columns * DOTS_ACROSS)
    return [int(dot) // DOTS_ACROSS for dot in dots.tolist()]


def _draw_plot(grid: _Grid, figure: Figure, axis: YAxis, place: Layout) -> dict[int, int]:
    """The lines' braille cells, then the vertical lines where no dot is.

    Returns the plot column of each vertical line and its style: the frame marks them too.
    """
    dots, owner, colours = rasterise(figure, axis, place.rows, place.columns)
    bits = braille_cells(dots)
    cells = (
        slice(place.top, place.top + place.rows),
        slice(place.left, place.left + place.columns),
    )
    chars, styles = grid.chars[cells], grid.style_ids[cells]
    lit = bits > 0
    chars[lit] = BRAILLE + bits[lit]
    # Layers are the series' columns in order, as rasterise numbers them.
    faint = [s.faint for s in figure.series if s.ys.size for _ in range(s.ys.shape[1])]
    style_of_layer = np.array(
        [grid.style(c, dim=f) for c, f in zip(colours, faint, strict=True)] + [0], dtype=np.int32
    )
    styles[...] = style_of_layer[owner]  # owner -1 picks the trailing base style
    shown = [v for v in figure.vlines if 0 <= v.x <= figure.x_max]
    vline_columns: dict[int, int] = {}
    for vline, column in zip(
        shown, _x_columns(figure, [v.x for v in shown], place.columns), strict=True
    ):
        style = grid.style(vline.color)
        free = ~lit[:, column]  # the series' dots win
        chars[free, column] = ord(vline.char)
        styles[free, column] = style
        vline_columns[column] = style
    return vline_columns


def _named(figure: Figure) -> list[tuple[Series, tuple[str, ...]]]:
    """The series whose lines are named at their ends, with the names."""
    named = [(series, series.names) for series in figure.series[:-1] if series.names]
    if figure.series:
        last = figure.series[-1]
        names = figure.end_labels or last.names
        if names:
            named.append((last, names))
    return named


# A series' marker goes on each of its lines at this many points, evenly along the x axis.
MARKERS_PER_LINE = 3


def _draw_markers(grid: _Grid, figure: Figure, axis: YAxis, place: Layout) -> None:
    """Each marked series' character on its lines at MARKERS_PER_LINE points, in its colour."""
    for series in figure.series:
        if not series.marker or series.xs.size == 0:
            continue
        ys = series.ys
        if figure.log_y:
            with np.errstate(divide="ignore", invalid="ignore"):
                ys = np.where(ys > 0, np.log10(np.clip(ys, SMALLEST_LOG, LARGEST)), np.nan)
        # The points at 1/4, 2/4, 3/4 of the series' own x range (a short run still shows them).
        picks = np.unique(
            np.searchsorted(
                series.xs,
                series.xs[-1] * np.arange(1, MARKERS_PER_LINE + 1) / (MARKERS_PER_LINE + 1),
            ).clip(0, series.xs.size - 1)
        )
        x = to_dots(series.xs[picks].astype(np.float64), 0.0, figure.x_max, place.columns * 2)
        for k in range(ys.shape[1]):
            y = to_dots(ys[picks, k], axis.low, axis.high, place.rows * DOTS_DOWN)
            style = grid.style(series.colors[k])
            for column, dot in zip(x.tolist(), y.tolist(), strict=True):
                if dot == dot:  # not NaN: a drawn point
                    row = place.top + place.rows - 1 - int(dot) // DOTS_DOWN
                    grid.put(row, place.left + int(column) // DOTS_ACROSS, series.marker, style)


def _last_values(figure: Figure, series: Series) -> list[float]:
    """Each line's last drawn value (in the axis's units) of a series: its end."""
    ys = np.atleast_2d(series.ys.T)  # (lines, points)
    if figure.log_y:
        with np.errstate(divide="ignore", invalid="ignore"):
            ys = np.where(ys > 0, np.log10(np.clip(ys, SMALLEST_LOG, LARGEST)), np.nan)
    ends = []
    for line in ys:
        finite = np.flatnonzero(np.isfinite(line))
        ends.append(float(np.clip(line[finite[-1]], -LARGEST, LARGEST)) if finite.size else np.nan)
    return ends


def _draw_end_labels(grid: _Grid, figure: Figure, axis: YAxis, place: Layout) -> None:
    """Each named line's name right of the frame, on its end's row (moved a row or more when
    two ends share one, the order of the ends kept), in the line's colour."""
    bottom = place.top + place.rows - 1
    # (row, order, name, colour) of every named line: the last series' lines first in a tie.
    wanted: list[tuple[int, int, str, str, bool]] = []
    named = _named(figure)
    for rank, (series, names) in enumerate(named):
        ends = _last_values(figure, series)
        dots = to_dots(np.array(ends), axis.low, axis.high, place.rows * DOTS_DOWN)
        order = (len(named) - 1 - rank) * 1000
        wanted += [
            (bottom - int(dot) // DOTS_DOWN, order + k, names[k], series.colors[k], series.faint)
            for k, dot in enumerate(dots.tolist())
            if dot == dot and k < len(names)
        ]
    wanted.sort(key=lambda item: (item[0], item[1]))
    rows: list[int] = []
    for row, *_ in wanted:  # top to bottom, each below the one before
        rows.append(max(row, rows[-1] + 1) if rows else row)
    for i in range(len(rows) - 1, -1, -1):  # and those pushed past the bottom back up
        rows[i] = min(rows[i], bottom if i == len(rows) - 1 else rows[i + 1] - 1)
    column = place.left + place.columns + 2  # a cell clear of the frame
    for row, (_, _, name, color, faint) in zip(rows, wanted, strict=True):
        if place.top <= row <= bottom:
            grid.put(row, column, name, grid.style(color, dim=faint))


def _with_line_names(figure: Figure) -> tuple[LegendEntry, ...]:
    """The legend with an entry per named line first, when the lines cannot be named at their
    ends (no room right of the plot)."""
    named = tuple(
        LegendEntry(series.marker * 2 if series.marker else LINE_MARKER, name, series.colors[k])
        for series, names in reversed(_named(figure))
        for k, name in enumerate(names)
    )
    return named + figure.legend


def _draw_notes(
    grid: _Grid, entries: Sequence[LegendEntry], place: Layout, after: int
) -> list[LegendEntry]:
    """The legend's entries on the x label's row, right-aligned, clear of column `after`
    (the x label's end), the first entries first; returns those that did not fit."""
    row = place.top + place.rows + 2
    texts = [f"{e.marker} {e.name}" if e.marker else e.name for e in entries]
    room = place.left + place.columns + place.margin - after - 2
    shown = len(texts)
    while shown and len("  ".join(texts[:shown])) > room:
        shown -= 1
    start = place.left + place.columns + place.margin - len("  ".join(texts[:shown]))
    for text, entry in zip(texts[:shown], entries, strict=False):
        grid.put(row, start, text, grid.style(entry.color))
        start += len(text) + 2
    return list(entries[shown:])


def _draw_legend(grid: _Grid, entries: Sequence[LegendEntry], place: Layout) -> None:
    """A box of spaces at the plot's top left over the lines, an entry a row."""
    legend = entries[: place.rows]
    if not legend:
        return
    marker_width = max(len(e.marker) for e in legend)
    box = min(place.columns, marker_width + max(len(e.name) for e in legend) + 3)
    for y, entry in enumerate(legend, start=place.top):
        grid.put(y, place.left, " " * box)
        grid.put(y, place.left + 1, entry.marker[: box - 1], grid.style(entry.color))
        grid.put(y, place.left + marker_width + 2, entry.name[: max(box - marker_width - 3, 0)])


def _draw_frame(
    grid: _Grid, figure: Figure, axis: YAxis, place: Layout, vline_columns: dict[int, int]
) -> None:
    """The frame, the ticks on it, their labels, the x label."""
    top, left, columns = place.top, place.left, place.columns
    bottom, right = top + place.rows, left + columns
    grid.put(top - 1, left - 1, "┌" + "─" * columns + "┐")
    grid.put(bottom, left - 1, "└" + "─" * columns + "┘")
    grid.chars[top:bottom, left - 1] = grid.chars[top:bottom, right] = ord("│")
    ticks = [t for t in figure.x_ticks if 0 <= t <= figure.x_max]
    tick_columns = dict(zip(_x_columns(figure, ticks, columns), ticks, strict=True))
    for column, style in vline_columns.items():
        grid.put(top - 1, left + column, "┬", style)
        grid.put(bottom, left + column, "┼" if column in tick_columns else "┴", style)
    for column in tick_columns.keys() - vline_columns.keys():
        grid.put(bottom, left + column, "┬")
    tick_dots = to_dots(np.array(axis.ticks), axis.low, axis.high, place.rows * DOTS_DOWN)
    labelled: set[int] = set()
    for dot, label in zip(tick_dots.astype(np.int64).tolist(), axis.labels, strict=True):
        y = bottom - 1 - dot // DOTS_DOWN
        if y in labelled:  # two ticks in one row: the first one keeps it
            continue
        labelled.add(y)
        grid.put(y, left - 1, "┤")
        if place.gutter:
            grid.put(y, place.gutter - len(label), label)
    if place.tick_labels:
        end = -1  # the last column written: labels that would touch a previous one are left out
        for column, tick in sorted(tick_columns.items()):
            label = f"{tick:g}"
            start = min(max(left + column - len(label) // 2, 0), grid.width - len(label))
            if start > end + 1:
                grid.put(bottom + 1, start, label)
                end = start + len(label) - 1
    if place.x_label:
        label_start = left + (columns - len(figure.x_label) + 1) // 2
        grid.put(bottom + 2, label_start, figure.x_label)
        if place.margin:
            # What does not fit beside the x label goes over the plot's top left, as a legend.
            rest = _draw_notes(grid, figure.legend, place, label_start + len(figure.x_label))
            _draw_legend(grid, rest, place)


class ChartCanvas(Widget):
    """Shows a Figure; its Strips are built when the figure or the size changes, never per line.

    render_line only indexes the cached list, so a refresh that does not change the figure
    (a scroll, a screen update elsewhere) costs nothing here.
    """

    DEFAULT_CSS = """
    ChartCanvas {
        width: 1fr;
        height: 1fr;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._figure: Figure | Drawing | None = None
        self._strips: list[Strip] = []
        self._built_for: tuple[int, int] | None = None

    def draw(self, figure: Figure | Drawing) -> None:
        """Show `figure`: its Strips are built now (the frame only has to copy them).

        Only the rows that changed are redrawn: a step moves the title, the lines' ends and
        perhaps the ticks, not the frame's blank rows or the x labels.
        """
        self._figure = figure
        old, built_for = self._strips, self._built_for
        self._build()
        if built_for != self._built_for or len(old) != len(self._strips):
            self.refresh()
            return
        pairs = enumerate(zip(old, self._strips, strict=True))
        changed = [y for y, (before, after) in pairs if before != after]
        if changed:
            self.refresh(*line_regions(changed, self.size.width))

    def _build(self) -> None:
        width, height = self.size
        self._built_for = (width, height)
        if self._figure is None:
            self._strips = []
            return
        if isinstance(self._figure, Figure):
            self._strips = draw_figure(self._figure, width, height, self.rich_style)
        else:
            self._strips = self._figure.strips(width, height, self.rich_style)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._built_for = None  # the theme changed: rebuild with its colours when next drawn

    def render_line(self, y: int) -> Strip:
        if self._built_for != (self.size.width, self.size.height):
            self._build()  # resized (or restyled) since the last build
        if 0 <= y < len(self._strips):
            return self._strips[y]
        return Strip.blank(self.size.width, self.rich_style)

    def lines(self) -> list[str]:
        """The drawn rows as plain text, as render_line hands them out."""
        return [self.render_line(y).text for y in range(self.size.height)]


def draw_plot_frame(
    grid: _Grid,
    place: tuple[int, int, int, int],
    y_label: str,
    ticks: tuple[Sequence[tuple[float, str]], Sequence[tuple[float, str]]],
    dot_of: tuple[Callable[[float], int], Callable[[float], int]],
) -> None:
    """The frame of a view's plot (the decision boundary's, the landscape's): its box at
    `place` (top, left, rows, columns of the plot's cells), the y label in its top edge, and
    the ticks, (y, x) as (value, label), on its left and bottom edges; an x label only where
    it keeps clear of the one before. `dot_of` maps a y value to its dot row from the bottom
    and an x value to its dot column, as the view draws its points."""
    top, left, rows, columns = place
    bottom, right = top + rows, left + columns
    y_ticks, x_ticks = ticks
    y_dot, x_dot = dot_of
    grid.put(top - 1, left - 1, "┌" + "─" * columns + "┐")
    grid.put(bottom, left - 1, "└" + "─" * columns + "┘")
    grid.chars[top:bottom, left - 1] = grid.chars[top:bottom, right] = ord("│")
    grid.put(top - 1, left, f" {y_label} ")
    for value, label in y_ticks:
        y = bottom - 1 - y_dot(value) // DOTS_DOWN
        grid.put(y, left - 1, "┤")
        grid.put(y, left - 1 - len(label), label)
    end = -1
    for value, label in x_ticks:
        x = left + x_dot(value) // DOTS_ACROSS
        grid.put(bottom, x, "┬")
        start = min(max(x - len(label) // 2, 0), grid.width - len(label))
        if start > end + 1:
            grid.put(bottom + 1, start, label)
            end = start + len(label) - 1
