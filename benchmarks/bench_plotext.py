"""The weight chart drawn by plotext and by our braille canvas, in the same run, as a ratio.

    python benchmarks/bench_plotext.py [--repeats 30] [--width 46] [--height 18]

Why the chart is not drawn by plotext (README, "Layout"): the design card named plotext, and it
measured 4-87x slower for the same chart. This keeps that choice checked as plotext improves.
plotext is installed by the `bench` extra (pip install -e '.[bench]'); without it the figures
are skipped with a line that says so.

The same chart, for the seed lecture (3 weights) and the breast cancer data (31 weights), 200
steps of history each, at the chart panel's size at 120x36 (46x18 cells):
- the canvas: chart_figure(chart_data(...)) then draw_figure, what the chart panel does on a key
  (tui/panels/chart.py), to Strips;
- plotext: clear, the plot size, one braille line per weight with its label, the cursor's
  vertical line, the x label, then build() to the text it would print: the least plotext does
  for the same picture (plotext 6's figure API, or plotext 5's plt.plot if that is installed).
The figure is the canvas against plotext (target: at most 1, the canvas no slower); the note
gives plotext's time as a multiple of the canvas's, the "4-87x" of the README.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from bench_engine import Figure
from rich.style import Style

from logsgd.core.builtin_datasets import load_builtin
from logsgd.core.engine import Engine
from logsgd.tui.chartcanvas import draw_figure
from logsgd.tui.chartdata import chart_data
from logsgd.tui.panels.chart import chart_figure

STEPS = 200


def engine_of(name: str) -> Engine:
    engine = Engine(load_builtin(name))
    engine.subscribe(lambda _message: None)
    engine.walk([STEPS])
    return engine


def median_ms(draw: Callable[[], object], repeats: int) -> float:
    draw()  # the first call warms caches (plotext builds its canvas classes lazily)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        draw()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def chart_figures(repeats: int, width: int, height: int) -> list[Figure]:
    try:
        import plotext  # noqa: F401
    except ImportError:
        print("plotext is not installed (pip install -e '.[bench]'): plotext figures skipped")
        return []
    return [one_chart(name, repeats, width, height) for name in ("seed", "breast-cancer")]


def one_chart(name: str, repeats: int, width: int, height: int) -> Figure:
    """The canvas against plotext for one dataset's weight chart, taking turns."""
    from importlib.metadata import version

    import plotext as plt

    legacy = hasattr(plt, "clf")
    engine = engine_of(name)
    cursor = STEPS // 2
    engine.jump(cursor)
    data = chart_data(engine, "weights", cursor)
    steps = data.steps.tolist()
    columns = [data.values[:, k].tolist() for k in range(data.values.shape[1])]

    def canvas() -> object:
        return draw_figure(chart_figure(data), width, height, Style())

    def plotext() -> object:
        if legacy:  # plotext 5: the matplotlib-like functions
            plt.clf()
            plt.plotsize(width, height)
            for values, label in zip(columns, data.series_names, strict=True):
                plt.plot(steps, values, marker="braille", label=label)
            plt.vline(cursor)
            plt.xlabel("step")
            return plt.build()
        figure = plt.figure  # plotext 6: one figure, signals drawn on it
        figure.clear()
        figure.plot_size(width, height)
        for values, label in zip(columns, data.series_names, strict=True):
            figure.draw(figure.signal(steps, values, marker="braille").lines().label(label))
        figure.line(cursor, orientation="vertical")
        figure.label("step", "x")
        return figure.build()

    ours, theirs = [], []
    for _ in range(3):  # taking turns, so both see the same machine
        ours.append(median_ms(canvas, repeats))
        theirs.append(median_ms(plotext, repeats))
    canvas_ms, plotext_ms = statistics.median(ours), statistics.median(theirs)
    return Figure(
        f"weight chart, {name} ({len(columns)} lines, {STEPS} steps, {width}x{height}):"
        f" the canvas vs plotext {version('plotext')}",
        canvas_ms,
        "ms",
        baseline=plotext_ms,
        target_ratio=1.0,
        note=f"plotext takes {plotext_ms / canvas_ms:.1f}x the canvas's time",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--width", type=int, default=46)
    parser.add_argument("--height", type=int, default=18)
    args = parser.parse_args()
    for f in chart_figures(args.repeats, args.width, args.height):
        print(f"{f.line(2)}  ({f.note})")


if __name__ == "__main__":
    main()
