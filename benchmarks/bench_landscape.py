"""The loss landscape's redraw per key against the same key with the weight chart, in one run.

    python benchmarks/bench_landscape.py [--presses 20] [--rounds 3] [--rows 100000]

The real app headless (`run_test`, 120x36) on the seed lecture, iris (versicolor vs virginica,
standardized) and a --rows-row 2-feature CSV. In rounds, the same app takes → presses with the
chart panel showing the weights, then (o) the loss landscape, then (o) the weights again, the
order alternating by round. A press is posted as the terminal's driver posts a key (Pilot's
press waits until the whole process is idle, a background grid included) and timed until the
chart panel has drawn the new step (its text says "step k"). Figures: the landscape's median
over the weights chart's, target 1.5: on the seed and iris the grid (the engine's objective at
every cell) is computed on the key; on the large CSV it is computed in a worker, so the key
must cost no more than there. Before each press any background grid is let finish (untimed),
so each key starts from quiet; for information, the time until that grid is on screen.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from bench_engine import Figure
from textual import events

from logsgd.tui.app import LogSGDApp
from logsgd.tui.chartcanvas import ChartCanvas
from logsgd.tui.cli import build_parser, make_engine, resolve_setup
from logsgd.tui.panels.chart import ChartPanel

TARGET_RATIO = 1.5
SIZE = (120, 36)
TIMEOUT = 30.0


def write_csv(path: Path, rows: int) -> None:
    rng = np.random.default_rng(7)
    features = rng.normal(size=(rows, 2)) * [30.0, 4.0] + [150.0, 12.0]
    labels = (features[:, 0] - 150 + rng.normal(size=rows) * 10 > 0).astype(int)
    np.savetxt(
        path,
        np.column_stack([features, labels]),
        delimiter=",",
        header="a,b,y",
        comments="",
        fmt=["%.3f", "%.3f", "%d"],
    )


def chart_text(app: LogSGDApp) -> str:
    return "\n".join(app.query_one(ChartPanel).query_one(ChartCanvas).lines())


async def until(condition: object, app: LogSGDApp) -> None:
    start = time.perf_counter()
    while not condition(app):  # type: ignore[operator]
        if time.perf_counter() - start > TIMEOUT:
            raise TimeoutError("the chart never showed the step")
        await asyncio.sleep(0.0005)


async def press_right(app: LogSGDApp) -> float:
    """Seconds from a → key to the chart panel's drawing of the new step."""
    step = app.state.event.step + 1
    # The landscape's heading, or the weight chart's title (alone between spaces).
    wanted = f"step {step} · " if app.state.chart_mode == "landscape" else f"step {step}  "
    start = time.perf_counter()
    app.post_message(events.Key("right", None))
    await until(lambda a: wanted in chart_text(a), app)
    return time.perf_counter() - start


async def quiet(app: LogSGDApp) -> float:
    """Let a background grid finish; seconds until the landscape shows it (0: none ran)."""
    start = time.perf_counter()
    if app.state.chart_mode != "landscape" or "computing" not in chart_text(app):
        return 0.0
    await until(lambda a: "computing" not in chart_text(a), app)
    return time.perf_counter() - start


async def measure(argv: list[str], presses: int, rounds: int) -> dict[str, list[float]]:
    app = LogSGDApp(make_engine(resolve_setup(build_parser().parse_args(argv))))
    times: dict[str, list[float]] = {"weights": [], "landscape": [], "grid": []}
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for _ in range(3):  # warm: the first presses pay one-off imports and caches
            await press_right(app)
        for round_ in range(rounds):
            modes = ("weights", "landscape") if round_ % 2 == 0 else ("landscape", "weights")
            for mode in modes:
                if app.state.chart_mode != mode:
                    await pilot.press("o")
                    await quiet(app)
                for _ in range(presses):
                    times[mode].append(await press_right(app))
                    waited = await quiet(app)
                    if waited:
                        times["grid"].append(waited)
    return times


def landscape_figures(presses: int, rounds: int, rows: int) -> list[Figure]:
    figures = []
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "rows.csv"
        write_csv(csv, rows)
        cases = [
            ("seed lecture", []),
            ("iris, standardized", ["--dataset", "iris-versicolor-virginica", "--standardize"]),
            (f"{rows:,}-row CSV", [str(csv), "--batch-size", "32"]),
        ]
        for label, argv in cases:
            times = asyncio.run(measure(argv, presses, rounds))
            value = statistics.median(times["landscape"]) * 1000
            baseline = statistics.median(times["weights"]) * 1000
            count = len(times["landscape"])
            print(f"landscape, {label}: {value:.2f} ms vs the weights chart {baseline:.2f} ms")
            figures.append(
                Figure(
                    f"13. → with the loss landscape, {label}, median of {count}, vs the same key "
                    "with the weight chart (headless, 120x36)",
                    value,
                    "ms",
                    baseline=baseline,
                    target_ratio=TARGET_RATIO,
                )
            )
            if times["grid"]:
                grid = statistics.median(times["grid"]) * 1000
                print(f"landscape, {label}: the grid in the background {grid:.0f} ms")
                figures.append(
                    Figure(
                        f"13. the landscape's grid computed in the background, {label}, after "
                        "the key (until it is on screen), vs the key with the weight chart",
                        grid,
                        "ms",
                        baseline=baseline,
                    )
                )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    for figure in landscape_figures(args.presses, args.rounds, args.rows):
        print(figure.line(2))


if __name__ == "__main__":
    main()
