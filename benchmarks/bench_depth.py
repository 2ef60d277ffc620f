"""Costs that must not grow with the history: time travel and the chart after 10^6 steps.

    python benchmarks/bench_depth.py [--depth 1000000] [--rows 100000] [--repeats 30]

Each figure is measured on two engines over the same data, one with a deep history (--depth
steps) and one with a shallow one (10 steps for time travel, 100 for the chart), in alternating
calls; the ratio deep / shallow should stay near 1.

- Time travel: engine.back() from the end, engine.jump(1), engine.last(); each builds a
  StepEvent (O(B d) plus the step's O(n d) full-data figures, whatever the depth).
- Chart: what the app does to redraw the weight chart, headless at 120x36: chart_data (the
  history at the chart's steps, at most CHART_POINTS) and the ChartPanel's show(state), which
  rasterises the lines and builds every Strip of the ChartCanvas, plus reading those Strips back
  through render_line.
- For information: the app's whole publish of one step (engine event, ViewState, every panel's
  show) at depth, and the gc-tracked objects a Right press leaves behind in the app against the
  minimal app (objects that pile up make Python's full garbage collections slower and slower).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import time
from collections.abc import Callable
from typing import Any

from bench_engine import Figure, make_dataset
from minimal_app import MinimalApp

from logsgd.core.builtin_datasets import load_builtin
from logsgd.core.dataset import Dataset
from logsgd.core.engine import Engine
from logsgd.core.params import Hyperparams
from logsgd.tui.app import LogSGDApp
from logsgd.tui.chartcanvas import ChartCanvas
from logsgd.tui.chartdata import chart_data
from logsgd.tui.panels.chart import ChartPanel
from logsgd.tui.state import ViewState

TARGET_RATIO = 1.5
SHALLOW_TRAVEL = 10
SHALLOW_CHART = 100
SIZE = (120, 36)


def deep_engine(dataset: Dataset, hyperparams: Hyperparams | None, steps: int) -> Engine:
    engine = Engine(dataset, hyperparams)
    engine.run_steps(steps)
    return engine


def alternate(
    calls: dict[str, Callable[[], Any]], repeats: int, setup: Callable[[str], None] | None = None
) -> dict[str, float]:
    """Median seconds of each call, the calls taking turns (who goes first alternates)."""
    times: dict[str, list[float]] = {name: [] for name in calls}
    names = list(calls)
    for i in range(repeats):
        for name in names if i % 2 == 0 else names[::-1]:
            if setup is not None:
                setup(name)
            start = time.perf_counter()
            calls[name]()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def _from(engine: Engine, before: Callable[[Engine], object]) -> None:
    """Put the engine where the timed move starts, with no full-data figures kept.

    The engine keeps the last two weights' full-data figures, and on the seed lecture the
    weights stop changing once f saturates (steps 9 and 10 are equal), so the 10-step engine's
    moves would find everything kept and the 10^6-step engine's would not: both would time
    the data, not the depth. Each timed move computes its figures afresh instead.
    """
    before(engine)
    engine.evaluator.clear()


def travel_figures(label: str, shallow: Engine, deep: Engine, repeats: int) -> list[Figure]:
    """back() from the end, jump(1) and last(), deep vs shallow, each from the same place."""
    engines = {"shallow": shallow, "deep": deep}
    figures = []
    for what, before, call in (
        ("a step back from the end", lambda e: e.last(), lambda e: e.back()),
        ("a jump to step 1 from the end", lambda e: e.last(), lambda e: e.jump(1)),
        ("a jump to the end from step 1", lambda e: e.jump(1), lambda e: e.last()),
    ):
        medians = alternate(
            {name: (lambda e=e, call=call: call(e)) for name, e in engines.items()},
            repeats,
            setup=lambda name, before=before: _from(engines[name], before),
        )
        figures.append(
            Figure(
                f"6. {what}, {label}, {deep.history_length:,} vs {shallow.history_length} steps",
                medians["deep"] * 1000,
                "ms",
                baseline=medians["shallow"] * 1000,
                target_ratio=TARGET_RATIO,
            )
        )
    return figures


async def _chart_and_publish(
    label: str, shallow: Engine, deep: Engine, repeats: int
) -> list[Figure]:
    app = LogSGDApp(shallow)
    engines = {"shallow": shallow, "deep": deep}
    deep.subscribe(app.engine_message)  # the app then publishes either engine's steps
    figures = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        panel = app.query_one(ChartPanel)
        canvas = panel.query_one(ChartCanvas)
        assert app.state is not None
        data = app.state.data

        def use(name: str) -> None:
            app.engine = engines[name]

        # The chart panel reads only state.chart; the events are built once, outside the timing.
        events = {name: e.current() for name, e in engines.items()}
        states: dict[str, ViewState] = {}
        for name, e in engines.items():
            use(name)
            chart = chart_data(e, "weights", e.cursor)
            states[name] = ViewState(event=events[name], data=data, chart=chart)

        def build_chart(name: str) -> None:
            use(name)
            chart_data(app.engine, "weights", app.engine.cursor)

        def read_strips() -> None:
            # What the compositor then asks for: show() built the Strips, these only index them.
            for y in range(canvas.size.height):
                canvas.render_line(y)

        def show_and_render(name: str) -> None:
            panel.show(states[name])
            read_strips()

        def redraw(name: str) -> None:
            # What a step does to the chart: build ChartData, show it (rasterise, build Strips).
            use(name)
            chart = chart_data(app.engine, "weights", app.engine.cursor)
            panel.show(ViewState(event=events[name], data=data, chart=chart))
            read_strips()

        parts = {
            "chart redraw (ChartData + show + strips)": redraw,
            "  part: chart_data": build_chart,
            "  part: ChartPanel.show + strips": show_and_render,
        }
        for what, call in parts.items():
            medians = alternate({n: (lambda n=n, call=call: call(n)) for n in engines}, repeats)
            figures.append(
                Figure(
                    f"7. {what.strip()}, {label}, {deep.history_length:,} vs "
                    f"{shallow.history_length} steps",
                    medians["deep"] * 1000,
                    "ms",
                    baseline=medians["shallow"] * 1000,
                    target_ratio=TARGET_RATIO if not what.startswith(" ") else None,
                )
            )

        def publish_step() -> None:
            # back() then step(): both replay recorded steps, so the depth stays put; each
            # publishes through the app (ViewState, every panel's show) synchronously.
            app.engine.back()
            app.engine.step()

        medians = alternate({n: publish_step for n in engines}, repeats, setup=use)
        figures.append(
            Figure(
                f"info: app publish of a step back and forward (all panels' show), {label}, "
                f"{deep.history_length:,} vs {shallow.history_length} steps",
                medians["deep"] * 1000,
                "ms",
                baseline=medians["shallow"] * 1000,
            )
        )
        use("shallow")
    return figures


def chart_figures(label: str, shallow: Engine, deep: Engine, repeats: int) -> list[Figure]:
    return asyncio.run(_chart_and_publish(label, shallow, deep, repeats))


async def _objects_per_press(app: Any, presses: int, warm_up: int = 40) -> float:
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(warm_up):  # Textual's bounded caches fill up first
            await pilot.press("right")
            await pilot.pause()
        gc.collect()
        before = len(gc.get_objects())
        for _ in range(presses):
            await pilot.press("right")
            await pilot.pause()
        gc.collect()
        return (len(gc.get_objects()) - before) / presses


def retained_objects_figure(presses: int) -> Figure:
    """gc-tracked objects that each Right press leaves behind, the app vs the minimal app.

    Before commit 9de7ecf every step re-composed the Footer, and each discarded FooterKey stayed
    referenced by the Footer's `compact` watchers (Textual issue #6666): about 1,400 objects a
    press, and full garbage collections that grew by ~1.4 ms a press. Near 0 is right.
    """
    real = asyncio.run(_objects_per_press(LogSGDApp(Engine(load_builtin("seed"))), presses))
    minimal = asyncio.run(_objects_per_press(MinimalApp(), presses))
    return Figure(
        f"info: gc-tracked objects left behind per Right press (headless, {presses} presses)",
        real,
        "objects",
        baseline=max(minimal, 1.0),
        note=f"minimal app {minimal:.1f} (ratio against at least 1)",
    )


def depth_figures(depth: int, rows: int, repeats: int, printer: bool = True) -> list[Figure]:
    say: Callable[[str], None] = print if printer else (lambda _s: None)
    figures: list[Figure] = []
    seed = load_builtin("seed")
    data = make_dataset(rows)
    batch32 = Hyperparams(learning_rate=0.01, batch_size=32)
    cases = (("seed lecture", seed, None), (f"{rows:,} rows, batch 32", data, batch32))
    for label, dataset, hp in cases:
        start = time.perf_counter()
        deep = deep_engine(dataset, hp, depth)
        say(f"{label}: {depth:,} steps computed in {time.perf_counter() - start:.1f} s")
        figures += travel_figures(label, deep_engine(dataset, hp, SHALLOW_TRAVEL), deep, repeats)
        figures += chart_figures(label, deep_engine(dataset, hp, SHALLOW_CHART), deep, repeats)
        del deep
    figures.append(retained_objects_figure(presses=60))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depth", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    for f in depth_figures(args.depth, args.rows, args.repeats):
        print(f.line(3))


if __name__ == "__main__":
    main()
