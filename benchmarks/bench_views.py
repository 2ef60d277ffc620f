"""The chart panel's views through the real keys: a step with a view on screen against the weights.

    python benchmarks/bench_views.py [--rows 100000] [--presses 5] [--rounds 4] [--poll 0.002]
                                     [--views boundary,landscape]

The real `logsgd-tui` runs in tmux at 120x36 (bench_app's Tmux: one private server, screens read
through a control-mode client) on the seed lecture, iris (versicolor against virginica, four
features) and a 2-feature CSV of --rows rows at batch 32. In rounds, --presses Rights with the
weights chart, then the view's key and --presses Rights with the view in the chart's place;
the next round starts with the view, so drift on the machine hits both alike. A press is timed
from send-keys to the first capture whose status line shows the new step ("step k/k ") and
whose panel shows it too: the weights chart's title "step k", the view's heading "step k · ".

The figure is the view's median against the weights chart's, a redraw against the key-latency
baseline the app is held to (bench_app.py). Target 1.3, as bench_app's "a key costs the same
whatever the data": a view costs what is on screen (the boundary draws at most 2,000 rows and
the batch's), not the data. The landscape's grid on 100,000 rows is computed off the UI thread
(the key shows "computing…" at once); the time here is until the grid is on screen.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from bench_app import HEIGHT, WIDTH, Tmux, at_step, real_argv, shows, write_rows_csv
from bench_engine import Figure

TARGET_RATIO = 1.3
BATCH = 32


class View(NamedTuple):
    """A view of the chart panel: its key (on and off), what its border says when it is on,
    and how its heading names step k."""

    key: str
    title: str
    heading: Callable[[int], re.Pattern[str]]
    pending: str = ""  # on screen while the view is not drawn yet (a grid in the background)


VIEWS = {
    "boundary": View("v", "Decision boundary", lambda k: re.compile(rf"│step {k} · ")),
    # Its heading, "step k · mean BCE 85.43 at ●", once the grid is drawn (100,000 rows: the
    # grid comes from a worker; the key's own redraw says "computing…" first).
    "landscape": View(
        "o", "Loss landscape", lambda k: re.compile(rf"│step {k} · mean "), "computing…"
    ),
}
WEIGHTS_TITLE = "Weights over steps"


def _ready(view: View | None, step: int, drawn: bool = False) -> Callable[[str], bool]:
    """The new step is on screen: the status line and the chart's title (the weights) or the
    view's heading; with `drawn`, the view's pending marker ("computing…") gone too."""
    if view is None:
        return at_step(step, True)
    status, heading, pending = f"step {step}/{step} ", view.heading(step), view.pending
    return lambda screen: (
        status in screen
        and heading.search(screen) is not None
        and not (drawn and pending and pending in screen)
    )


def _ms(values: list[float]) -> str:
    return " ".join(f"{v * 1000:.0f}" for v in values)


def view_latency(
    tmux: Tmux, view: View, presses: int, rounds: int, gap: float, timeout: float
) -> dict[str, list[float]]:
    """Seconds from Right to the new step on screen, with the weights chart and with the view,
    the two taking turns by round (each round: both, the order alternating)."""
    times: dict[str, list[float]] = {"weights": [], "view": [], "drawn": []}
    shown = "weights"
    step = 0
    for r in range(rounds):
        for wanted in ("weights", "view") if r % 2 == 0 else ("view", "weights"):
            if wanted != shown:
                title = view.title if wanted == "view" else WEIGHTS_TITLE
                started = tmux.send("real", view.key)
                tmux.wait("real", shows(title), started, timeout, title)
                shown = wanted
                time.sleep(gap)
            for _ in range(presses):
                step += 1
                started = tmux.send("real", "Right")
                ready = _ready(view if wanted == "view" else None, step)
                times[wanted].append(tmux.wait("real", ready, started, timeout, f"step {step}"))
                if wanted == "view" and view.pending:  # and until what it waits for is drawn
                    drawn = _ready(view, step, drawn=True)
                    times["drawn"].append(tmux.wait("real", drawn, started, timeout, "drawn"))
                time.sleep(gap)
    return times


def view_figures(
    rows: int = 100_000,
    presses: int = 5,
    rounds: int = 4,
    poll: float = 0.002,
    gap: float = 0.05,
    views: tuple[str, ...] = tuple(VIEWS),
    printer: bool = True,
) -> list[Figure]:
    """Figure 11: a step with each view on screen against the same with the weights chart."""
    say: Callable[[str], None] = print if printer else (lambda _s: None)
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="logsgd-bench-") as tmp:
        workdir = Path(tmp)
        csv_path = write_rows_csv(workdir / f"rows{rows}.csv", rows)
        cases = (
            ("seed lecture", []),
            ("iris (4 features)", ["--dataset", "iris-versicolor-virginica"]),
            (f"{rows:,} rows, batch {BATCH}", [str(csv_path), "--batch-size", str(BATCH)]),
        )
        tmux = Tmux(workdir, poll)
        try:
            tmux.open(["real"])
            say(f"tmux {WIDTH}x{HEIGHT}, a capture every {poll * 1000:g} ms; times in ms")
            for name in views:
                view = VIEWS[name]
                for label, args in cases:
                    started = tmux.start("real", real_argv(args))
                    tmux.wait("real", shows("step 0/0"), started, 60.0, "the first frame")
                    time.sleep(0.5)  # let start-up work that follows the first frame finish
                    times = view_latency(tmux, view, presses, rounds, gap, 10.0)
                    what = {"weights": "weights chart", "view": name, "drawn": f"{name} drawn"}
                    for mode, values in times.items():
                        if values:
                            say(f"{label}, {what[mode]}: {_ms(values)}")
                    figures.append(
                        Figure(
                            f"11. a step (→) with the {name} view, {label}: vs the weights "
                            f"chart (median of {rounds * presses} each)",
                            statistics.median(times["view"]) * 1000,
                            "ms",
                            baseline=statistics.median(times["weights"]) * 1000,
                            target_ratio=TARGET_RATIO,
                        )
                    )
                    if times["drawn"]:  # a view drawn from a worker: until it is (info)
                        figures.append(
                            Figure(
                                f"11. the {name} view drawn in full after →, {label}: vs the "
                                "weights chart's step (information: keys never wait on it)",
                                statistics.median(times["drawn"]) * 1000,
                                "ms",
                                baseline=statistics.median(times["weights"]) * 1000,
                            )
                        )
                    tmux.stop_app("real")
                    time.sleep(0.3)
            say(f"{tmux.captures} screen captures")
        finally:
            tmux.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--presses", type=int, default=5, help="Rights per mode and round")
    parser.add_argument("--rounds", type=int, default=4, help="rounds of both modes")
    parser.add_argument("--poll", type=float, default=0.002, help="seconds between captures")
    parser.add_argument(
        "--views", default=",".join(VIEWS), help="comma-separated: " + ", ".join(VIEWS)
    )
    args = parser.parse_args()
    chosen = tuple(v.strip() for v in args.views.split(",") if v.strip())
    unknown = [v for v in chosen if v not in VIEWS]
    if unknown:
        parser.error(f"--views: unknown view {unknown[0]!r}; choose from {', '.join(VIEWS)}")
    for f in view_figures(args.rows, args.presses, args.rounds, args.poll, views=chosen):
        print(f.line())


if __name__ == "__main__":
    main()
