"""Chart panel: the weights (or the full-data loss) over the steps, drawn with plotext."""

from __future__ import annotations

import math

from textual.app import ComposeResult
from textual_plotext import PlotextPlot

from logsgd.tui.panels.base import Panel
from logsgd.tui.state import ViewState

# Distinct colours for the weights; the bias last. Legends name each line, so colour is a help,
# never the only way to tell lines apart.
LINE_COLORS = ("cyan", "magenta", "yellow", "green", "blue", "red", "orange", "white")
GHOST_COLOR = "gray"
# Past this many epoch boundaries in view, marking each would paint the plot solid.
MAX_BOUNDARY_LINES = 12
MAX_LEGEND_LINES = 8


class ChartPanel(Panel):
    """One line per weight (or the loss) over steps, a marker at the cursor, epoch boundaries."""

    def compose(self) -> ComposeResult:
        yield PlotextPlot(id="chart-plot")

    def show(self, state: ViewState) -> None:
        chart = state.chart
        plot = self.query_one(PlotextPlot)
        plt = plot.plt
        plt.clear_figure()
        plt.xlabel("step")
        steps = chart.steps.tolist()
        if chart.mode == "loss":
            self.border_title = "Loss (full data, log scale) · c: weights"
            plt.yscale("log")
        else:
            self.border_title = "Weights over steps · c: loss"
            plt.yscale("linear")
        if len(chart.ghost_steps):
            ghost_steps = chart.ghost_steps.tolist()
            for k in range(chart.ghost_values.shape[1]):
                plt.plot(
                    ghost_steps,
                    chart.ghost_values[:, k].tolist(),
                    color=GHOST_COLOR,
                    marker="dot",
                    label="dropped" if k == 0 else None,
                )
        for k, name in enumerate(chart.series_names):
            plt.plot(
                steps,
                chart.values[:, k].tolist(),
                color=LINE_COLORS[k % len(LINE_COLORS)],
                marker="braille",
                label=name if len(chart.series_names) <= MAX_LEGEND_LINES else None,
            )
        last = max(
            steps[-1] if steps else 0, chart.ghost_steps[-1] if len(chart.ghost_steps) else 0
        )
        boundaries = [b for b in chart.epoch_boundaries if 0 < b <= last]
        if 0 < len(boundaries) <= MAX_BOUNDARY_LINES:
            for b in boundaries:
                plt.vline(b, "gray")
        for change in chart.changes:
            plt.vline(change - 1, "orange")
        if chart.cursor < last:  # at the latest step the plot's own frame marks it
            plt.vline(chart.cursor, "white")
        plt.xlim(0, max(1, last))
        x_ticks = _integer_ticks(int(max(1, last)))
        plt.xticks(x_ticks, [str(t) for t in x_ticks])
        if chart.mode == "weights":
            self._y_ticks(plt, chart)
        plt.title(f"step {chart.cursor}")
        plot.refresh()

    @staticmethod
    def _y_ticks(plt: object, chart: object) -> None:
        """Label the y axis with the app's own number format (plotext's prints 0.0000000100)."""
        values = [chart.values]  # type: ignore[attr-defined]
        if len(chart.ghost_values):  # type: ignore[attr-defined]
            values.append(chart.ghost_values)  # type: ignore[attr-defined]
        low = min(float(v.min()) for v in values if v.size)
        high = max(float(v.max()) for v in values if v.size)
        if high == low:
            high, low = high + abs(high) * 0.5 + 1e-12, low - abs(low) * 0.5 - 1e-12
        ticks = _nice_ticks(low, high)
        plt.ylim(min(low, ticks[0]), max(high, ticks[-1]))  # type: ignore[attr-defined]
        # Ticks are round numbers chosen for the axis, not engine figures: shortest form.
        plt.yticks(ticks, [f"{t:.6g}" for t in ticks])  # type: ignore[attr-defined]


def _integer_ticks(last: int, count: int = 5) -> list[int]:
    """Whole-step tick positions from 0 to last (steps are whole numbers)."""
    if last <= count:
        return list(range(last + 1))
    return sorted({round(last * k / (count - 1)) for k in range(count)})


def _nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values (multiples of 1, 2 or 5 times a power of ten) covering low..high."""
    span = (high - low) / (count - 1)
    magnitude = 10 ** math.floor(math.log10(span))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= span)
    first = math.floor(low / step) * step
    ticks = []
    value = first
    while value < high + step * 0.5:
        ticks.append(0.0 if abs(value) < step * 1e-9 else value)
        value += step
    return ticks
