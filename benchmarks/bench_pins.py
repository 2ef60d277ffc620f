"""Key latency with three pinned runs on the chart against none, in the same run.

    python benchmarks/bench_pins.py [--rows 100000] [--steps 400] [--presses 20] [--rounds 4]

Headless (Pilot, 120x36), the real keys. Two apps on the same data and the same live run of
--steps steps: one with no pins (the baseline), one with three pinned runs of --steps steps each
(A: the same settings, B: lr x2, C: standardized), pinned by the core's Pins before the app
starts. In each round each app is started, warmed up by a few presses, then --presses Rights at
the end of the history (each computes a new step and redraws the chart with its overlay) and as
many Lefts are timed, each from the press to the end of the refresh it caused
(`pilot.pause()`); the rounds alternate which app goes first. The figure is the median with
pins over the median without, for the loss chart (each pinned run's losses are computed once
and kept) and the weights chart, on the seed lecture and on --rows rows at batch 32. Target
1.5: an overlay of three runs should cost a fraction of a key, not another key.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Callable

from bench_engine import Figure, make_dataset
from rich.style import Style

from logsgd.core.builtin_datasets import load_builtin
from logsgd.core.dataset import Dataset
from logsgd.core.engine import Engine
from logsgd.core.params import Hyperparams
from logsgd.core.runs import Pins
from logsgd.tui.app import LogSGDApp
from logsgd.tui.chartcanvas import draw_figure
from logsgd.tui.chartdata import chart_data
from logsgd.tui.panels.chart import chart_figure

TARGET_RATIO = 1.5
SIZE = (120, 36)
WARM_UP = 5


def pinned(dataset: Dataset, hp: Hyperparams | None, steps: int, pins: int) -> LogSGDApp:
    """An app whose live run has `steps` steps, with `pins` runs pinned (0 to 3)."""
    engine = Engine(dataset, hp)
    app = LogSGDApp(engine)
    keep = Pins()
    for k in range(pins):
        engine.restart(standardized=k == 2, hyperparams=engine.hyperparams)
        if k == 1:
            engine.set_hyperparams(learning_rate=engine.hyperparams.learning_rate * 2)
        engine.run_steps(steps)
        keep.pin(engine)
    engine.restart(standardized=False)
    engine.set_hyperparams(hp or dataset.hyperparams)
    engine.run_steps(steps)
    app.pins = keep
    return app


async def _time_keys(app: LogSGDApp, mode: str, presses: int) -> list[float]:
    times: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        if mode == "loss":
            await pilot.press("c")
            await pilot.pause()
        for _ in range(WARM_UP):
            await pilot.press("right")
            await pilot.pause()
        for key in ["right"] * presses + ["left"] * presses:
            start = time.perf_counter()
            await pilot.press(key)
            await pilot.pause()
            times.append(time.perf_counter() - start)
    return times


def pin_figures(
    rows: int, steps: int, presses: int, rounds: int, printer: bool = True
) -> list[Figure]:
    say: Callable[[str], None] = print if printer else (lambda _s: None)
    cases = (
        ("seed lecture", load_builtin("seed"), None),
        (
            f"{rows:,} rows, batch 32",
            make_dataset(rows),
            Hyperparams(learning_rate=0.01, batch_size=32),
        ),
    )
    figures = []
    for label, dataset, hp in cases:
        for mode in ("loss", "weights"):
            timed: dict[int, list[float]] = {0: [], 3: []}
            for i in range(rounds):
                order = (0, 3) if i % 2 == 0 else (3, 0)
                for pins in order:
                    app = pinned(dataset, hp, steps, pins)
                    timed[pins] += asyncio.run(_time_keys(app, mode, presses))
            value, baseline = statistics.median(timed[3]), statistics.median(timed[0])
            say(
                f"{label}, {mode}: {value * 1000:.1f} ms with 3 pins, {baseline * 1000:.1f} without"
            )
            figures.append(
                Figure(
                    f"13. key (→ and ←, headless) with 3 pinned runs on the {mode} chart, {label}, "
                    f"{steps:,} steps each (vs no pins; median of {len(timed[3])})",
                    value * 1000,
                    "ms",
                    baseline=baseline * 1000,
                    target_ratio=TARGET_RATIO,
                )
            )
            figures.append(redraw_figure(label, dataset, hp, steps, mode))
    return figures


def redraw_figure(
    label: str, dataset: Dataset, hp: Hyperparams | None, steps: int, mode: str
) -> Figure:
    """What the overlay adds to a key's own work, without Pilot's floor: the chart built from
    the engine (chart_data) and drawn (draw_figure at the full layout's chart size), after a
    new step each time, with three pins against none."""
    timed: dict[int, list[float]] = {}
    for pins in (0, 3):
        app = pinned(dataset, hp, steps, pins)
        engine, times = app.engine, []
        for _ in range(REDRAWS):
            engine.step()
            start = time.perf_counter()
            chart = chart_data(
                engine, "loss" if mode == "loss" else "weights", engine.cursor, app.pins
            )
            draw_figure(chart_figure(chart), 46, 18, Style())
            times.append(time.perf_counter() - start)
        timed[pins] = times
    return Figure(
        f"info: chart built and drawn after a step, 3 pins vs none, {mode} chart, {label} "
        f"(median of {REDRAWS})",
        statistics.median(timed[3]) * 1000,
        "ms",
        baseline=statistics.median(timed[0]) * 1000,
    )


REDRAWS = 50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--presses", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    for f in pin_figures(args.rows, args.steps, args.presses, args.rounds):
        print(f.line(2))


if __name__ == "__main__":
    main()
