"""What the chart draws, read from the engine: the history at steps that stay put as it grows."""

from __future__ import annotations

import numpy as np

from logsgd.core.derivation import largest_in_size
from logsgd.core.engine import Engine
from logsgd.core.events import IntArray
from logsgd.core.maths import FloatArray
from logsgd.core.runs import Pins, Run
from logsgd.tui.panels.chart import MAX_BOUNDARY_LINES, MAX_LEGEND_LINES
from logsgd.tui.panels.status import describe_changes
from logsgd.tui.state import ChartData, ChartMode, PinnedLine

# The chart never draws more points than this, however long the history: redraws stay flat.
CHART_POINTS = 240
# Up to this many weights (the legend's lines) the chart draws every one; beyond, the
# WEIGHTS_DRAWN largest in size at the cursor and the bias, and counts the rest.
MAX_WEIGHTS_DRAWN = MAX_LEGEND_LINES
WEIGHTS_DRAWN = 5


def drawn_weights(weights: FloatArray, highlighted: int | None = None) -> list[int] | None:
    """The weights the chart draws, given their values at the cursor (bias last): None for
    all, or the WEIGHTS_DRAWN largest in size (O(d)) and the bias, in weight order, with the
    highlighted weight among them whatever its size."""
    d = weights.size - 1
    if d + 1 <= MAX_WEIGHTS_DRAWN:
        return None
    largest = largest_in_size(weights[:d], WEIGHTS_DRAWN)
    if highlighted is not None and highlighted < d and highlighted not in largest:
        largest = sorted([*largest_in_size(weights[:d], WEIGHTS_DRAWN - 1), highlighted])
    return [*largest, d]


def chart_steps(length: int, points: int = CHART_POINTS) -> IntArray:
    """Indices into 0 .. length-1 to draw, at most `points` of them, always with both ends.

    Every stride-th index and the last one, the stride being the smallest power of two that
    keeps within `points` (so there are at least about half as many). The picks stay put as
    the history grows: a new step adds the last index and, once per stride, a multiple of
    it; when the stride doubles, every other pick stays. A curve whose values are costly
    (the full-data loss, O(n) a point, kept by the engine once computed) then costs only
    its new points, whatever the length.
    """
    if length <= points:
        return np.arange(length, dtype=np.int64)
    last = length - 1
    stride = 1
    while last // stride + 2 > points:  # the multiples of stride (0 too), and the last
        stride *= 2
    picks = np.arange(0, length, stride, dtype=np.int64)
    return picks if picks[-1] == last else np.append(picks, np.int64(last))


def _drawn_columns(weights: FloatArray, rows: IntArray, drawn: list[int] | None) -> FloatArray:
    """weights[rows], a copy: every column, or the drawn ones only (240 steps of 100,001
    weights would be 190 MB)."""
    if drawn is None:
        return np.array(weights[rows])
    return weights[np.ix_(rows, np.array(drawn, dtype=np.int64))]


def run_label(letter: str, run: Run, engine: Engine) -> str:
    """'A: lr 0.01 raw': a pinned run named by the settings in which it differs from the live
    run (those its next step would run with), always with its scaling, and its initial weights
    when they differ."""
    parts = [describe_changes(engine.hyperparams, run.hyperparams, show_old=False)]
    if not np.array_equal(run.initial_weights, engine.initial_weights):
        parts.append("other initial weights")
    parts.append("standardized" if run.standardized else "raw")
    return f"{letter}: " + " ".join(part for part in parts if part)


def pinned_line(
    letter: str, run: Run, engine: Engine, mode: ChartMode, cursor: int, drawn: list[int] | None
) -> PinnedLine:
    """A pinned run at the same steps and series as the live chart's (at most CHART_POINTS)."""
    picks = chart_steps(run.history_length + 1)
    if mode == "loss":
        values = run.loss_at(picks)[:, None]
    else:
        values = _drawn_columns(run.weight_history(), picks, drawn)
    at_cursor = float(run.loss_at([cursor])[0]) if cursor <= run.history_length else None
    return PinnedLine(
        letter=letter,
        label=run_label(letter, run, engine),
        steps=picks.astype(np.float64),
        values=values,
        loss_at_cursor=at_cursor,
        history_length=run.history_length,
    )


def chart_data(
    engine: Engine,
    mode: ChartMode,
    cursor: int,
    pins: Pins | None = None,
    highlighted: int | None = None,
    drawn_to: int | None = None,
) -> ChartData:
    """The engine's history as the chart draws it in `mode`, with the cursor at `cursor`, the
    pinned runs over it, and weight `highlighted` (if any) drawn in full, the others dim.
    `drawn_to`: the last step drawn (in quiz mode, the one before the cursor while the
    cursor's step has open questions: its new weights are answers)."""
    history = engine.weight_history()
    if drawn_to is not None:
        history = history[: drawn_to + 1]
    picks = chart_steps(history.shape[0])
    series_total = None
    steps = picks.astype(np.float64)
    ghost = engine.ghost
    if ghost is not None:
        ghost_picks = chart_steps(ghost.weights.shape[0])
        ghost_steps = (ghost_picks + ghost.start_step).astype(np.float64)
    column: int | None = None  # the highlighted weight's, among those drawn
    if mode == "loss":
        values = engine.loss_at(picks)[:, None]
        names: tuple[str, ...] = ("loss",)
        ghost_values = (
            engine.ghost_losses(ghost_picks)[:, None] if ghost is not None else np.zeros((0, 1))
        )
        drawn = None
    else:
        d = engine.dataset.n_features
        drawn = drawn_weights(history[min(cursor, history.shape[0] - 1)], highlighted)
        values = _drawn_columns(history, picks, drawn)
        ghost_values = (
            _drawn_columns(ghost.weights, ghost_picks, drawn)
            if ghost is not None
            else np.zeros((0, values.shape[1]))
        )
        if drawn is not None:
            series_total = d + 1
        shown = range(d) if drawn is None else drawn[:-1]
        names = tuple(f"w{j}" for j in shown) + (f"w{d} bias",)
        columns = list(range(d + 1)) if drawn is None else drawn
        column = columns.index(highlighted) if highlighted in columns else None
    # The dropped steps, named by the settings they ran with where those differ from today's.
    ghost_label = "dropped"
    if ghost is not None:
        ran_with = describe_changes(engine.hyperparams, ghost.hyperparams, show_old=False)
        ghost_label += f": {ran_with}" if ran_with else ""
    return ChartData(
        mode=mode,
        steps=steps,
        ghost_label=ghost_label,
        values=values,
        series_names=names,
        ghost_steps=ghost_steps if ghost is not None else np.zeros(0),
        ghost_values=ghost_values,
        cursor=cursor,
        # Past a dozen epochs the chart marks none; do not list 500,000 of them to find out.
        epoch_boundaries=(
            tuple(engine.epoch_boundaries())
            if engine.epochs_started <= MAX_BOUNDARY_LINES + 1
            else ()
        ),
        changes=tuple(engine.hyperparam_changes()),
        series_total=series_total,
        highlighted=column,
        pinned=tuple(
            pinned_line(letter, run, engine, mode, cursor, drawn)
            for letter, run in (pins.items() if pins is not None else ())
        ),
    )
