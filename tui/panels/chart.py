"""Chart panel: the weights (or the full-data loss) over the steps, as braille lines."""

from __future__ import annotations

from textual.app import ComposeResult

from logsgd.tui.chartcanvas import ChartCanvas, Drawing, Figure, LegendEntry, Series, VLine
from logsgd.tui.marks import (
    BOUNDARY_CHAR,
    CHANGE_CHAR,
    CHART_LINES,
    CURSOR_CHAR,
    GHOST_MARKER,
    HIGHLIGHT_MARK,
    fitting,
    key_line,
)
from logsgd.tui.panels import boundary, landscape
from logsgd.tui.panels.base import Panel
from logsgd.tui.quiz import step_quiz
from logsgd.tui.state import ChartData, ViewState

# Distinct colours for the weights; the bias last. Legends name each line, so colour is a help,
# never the only way to tell lines apart. Rich's colour names ("orange" and "gray" are not).
LINE_COLORS = ("cyan", "magenta", "yellow", "green", "blue", "red", "dark_orange", "white")
GHOST_COLOR = "grey50"
# A pinned run's lines, all in its letter's colour (none of LINE_COLORS); its letter on them
# and at their ends says whose they are without colour.
PIN_COLORS = {"A": "orchid", "B": "light_salmon1", "C": "chartreuse3"}
BOUNDARY_COLOR = "grey39"
CHANGE_COLOR = "dark_orange"
# The cursor in the theme's text colour: the brightest line on any background.
CURSOR_COLOR = None
# The vertical lines' key, in the border: always the same, so it never moves as lines come
# and go (and a new border subtitle would repaint the whole panel).
MARKS_KEY = key_line(*CHART_LINES)
# The same in a narrower panel (100x30's 41 columns, 80x24's 38): never cut ("┃ cu…").
MARKS_KEY_NARROW = key_line(*CHART_LINES, separator="  ")
MARKS_KEY_SHORT = f"{BOUNDARY_CHAR} epoch end  {CHANGE_CHAR} changed  {CURSOR_CHAR} cursor"
# Past this many epoch boundaries in view, marking each would paint the plot solid.
MAX_BOUNDARY_LINES = 12
MAX_LEGEND_LINES = 8


class ChartPanel(Panel):
    """One line per weight (or the loss) over steps, a marker at the cursor, epoch boundaries."""

    def compose(self) -> ComposeResult:
        yield ChartCanvas(id="chart-canvas")

    def on_resize(self) -> None:
        # The titles and keys have short forms for a narrow panel; the canvas redraws itself.
        if self.state is not None:
            self.set_titles(*self._titles_for(self.state))

    def drawn_from(self, state: ViewState) -> tuple[object, ...]:
        if state.chart_mode == "boundary":  # the step's chart is new with its event
            return (
                state.chart,
                state.boundary_fit,
                state.boundary_pair,
                step_quiz(state).results_hidden,
            )
        if state.chart_mode == "landscape":
            return (state.chart_mode, state.landscape, state.landscape_grids_ready)
        return (state.chart,)

    def show(self, state: ViewState) -> None:
        canvas = self.query_one(ChartCanvas)
        self.set_titles(*self._titles_for(state))
        picture: Drawing | None = None
        if state.chart_mode == "boundary":
            picture = boundary.boundary_picture(state, state.boundary_pair)
        elif state.chart_mode == "landscape":
            picture = landscape.landscape_picture(state)  # None until the app built its data
        canvas.draw(picture if picture is not None else chart_figure(state.chart))

    def _titles_for(self, state: ViewState) -> tuple[str, str]:
        """The border's title and key for what `show` draws: the longest wordings that fit
        the panel whole."""
        width = self.size.width
        if state.chart_mode == "boundary":
            return boundary.border_title(state, width), boundary.marks_key(width)
        if state.chart_mode == "landscape" and state.landscape is not None:
            return landscape.border_title(state), landscape.marks_key(width)
        # The views' keys are in the title, not in the Footer (at 80 columns they would push
        # out Help).
        keys: tuple[str, ...] = ("c: loss", "v: boundary", "o: landscape")
        if state.chart.mode == "loss":
            names = ("Loss (full data, log scale)", "Loss, full data", "Loss")
            keys = ("c: weights", *keys[1:])
        else:
            names = ("Weights over steps", "Weights over steps", "Weights")
        title = fitting(
            width,
            " · ".join((names[0], *keys)),
            " · ".join((names[1], *keys)),
            " · ".join((names[2], *keys)),
            " · ".join((names[1], *keys[:2])),
            " · ".join((names[2], *keys[:2])),
        )
        return title, fitting(width, MARKS_KEY, MARKS_KEY_NARROW, MARKS_KEY_SHORT)


def chart_figure(chart: ChartData) -> Figure:
    """What the panel draws for `chart`: the lines, the ghost under them, the vertical marks."""
    names = chart.series_names
    colors = tuple(LINE_COLORS[k % len(LINE_COLORS)] for k in range(len(names)))
    # Each line is named at its end, right of the plot (or, with no room there, in the legend).
    named = len(names) <= MAX_LEGEND_LINES
    series, legend = _ghost_series(chart, colors), []
    for pin in chart.pinned:
        color = PIN_COLORS.get(pin.letter, GHOST_COLOR)
        pin_names = (
            (pin.letter,) if chart.mode == "loss" else tuple(f"{pin.letter} {n}" for n in names)
        )
        series.append(
            Series(
                pin.steps,
                pin.values,
                (color,) * pin.values.shape[1],
                names=pin_names if named else (),
                marker=pin.letter,
            )
        )
        legend.append(LegendEntry("", pin.label, color))
    series += _live_series(chart, colors, named)
    title = f"step {chart.cursor}"
    if chart.series_total is not None:  # the largest weights at the cursor and the bias
        title += f" · {len(names)} of {chart.series_total:,} weights"
        rest = chart.series_total - len(names)
        legend.append(LegendEntry("", f"{rest:,} smaller not drawn", GHOST_COLOR))
    if len(chart.ghost_steps):
        legend.append(LegendEntry(GHOST_MARKER, chart.ghost_label, GHOST_COLOR))
    last = max(
        float(chart.steps[-1]) if len(chart.steps) else 0.0,
        float(chart.ghost_steps[-1]) if len(chart.ghost_steps) else 0.0,
        *(float(pin.history_length) for pin in chart.pinned),
    )
    return Figure(
        title=title,
        x_label="step",
        x_max=max(1.0, last),
        x_ticks=tuple(_integer_ticks(int(max(1, last)))),
        series=tuple(series),
        vlines=tuple(_vlines(chart, last)),
        legend=tuple(legend),
        # The live lines carry their own names (_live_series), or none past MAX_LEGEND_LINES.
        end_labels=(),
        log_y=chart.mode == "loss",
    )


def _ghost_series(chart: ChartData, colors: tuple[str, ...]) -> list[Series]:
    """Each weight's dropped steps in its own colour, dim, as loose dots: they read as the
    lines they would have continued (the key says "⠄⠄ dropped: lr 0.01")."""
    if not len(chart.ghost_steps):
        return []
    width = chart.ghost_values.shape[1]
    return [Series(chart.ghost_steps, chart.ghost_values, colors[:width], joined=False, faint=True)]


def _live_series(chart: ChartData, colors: tuple[str, ...], named: bool) -> list[Series]:
    """The live run's lines, on top: all in full, or, with a weight highlighted (w), the others
    dim and the chosen one in full over them, its name marked."""
    names, highlighted = chart.series_names, chart.highlighted
    if highlighted is None:
        return [Series(chart.steps, chart.values, colors, names=names if named else ())]
    others = [k for k in range(len(names)) if k != highlighted]
    return [
        Series(
            chart.steps,
            chart.values[:, others],
            tuple(colors[k] for k in others),
            names=tuple(names[k] for k in others) if named else (),
            faint=True,
        ),
        Series(
            chart.steps,
            chart.values[:, [highlighted]],
            (colors[highlighted],),
            names=(f"{HIGHLIGHT_MARK} {names[highlighted]}",) if named else (),
        ),
    ]


def _vlines(chart: ChartData, last: float) -> list[VLine]:
    """Epoch ends (up to MAX_BOUNDARY_LINES), change points and the cursor (when it is not
    the latest step: there the plot's own frame marks it)."""
    vlines = []
    boundaries = [b for b in chart.epoch_boundaries if 0 < b <= last]
    if len(boundaries) <= MAX_BOUNDARY_LINES:
        vlines += [VLine(b, BOUNDARY_COLOR, BOUNDARY_CHAR) for b in boundaries]
    vlines += [VLine(change - 1, CHANGE_COLOR, CHANGE_CHAR) for change in chart.changes]
    if chart.cursor < last:
        vlines.append(VLine(chart.cursor, CURSOR_COLOR, CURSOR_CHAR))
    return vlines


def _integer_ticks(last: int, count: int = 5) -> list[int]:
    """Round whole-step ticks from 0 to last: multiples of 1, 2 or 5 times a power of ten
    (0 20 40 60 for 79 steps, never 0 20 40 59 79), all within the steps drawn."""
    if last <= count:
        return list(range(last + 1))
    # The finest round step that leaves at most `count` intervals.
    step = next(
        m * 10**p for p in range(len(str(last))) for m in (1, 2, 5) if last <= count * m * 10**p
    )
    return list(range(0, last + 1, step))
