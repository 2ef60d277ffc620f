"""100,000 feature columns in tmux against the seed lecture: first frame, key latency, memory.

    python benchmarks/bench_wide.py [--csv FILE] [--features 100000] [--rows 50] [--runs 3]
                                    [--presses 20] [--poll 0.002]

The issue "Nothing lost, nothing injected": 100,000 feature columns took 9 s to start, then
16-33 s a key and 930 MB. A panel costs what is on screen, not the number of columns, so a key
on the wide data stays within the key-latency budget of bench_app.py (at most 1.3 times the
seed lecture's median). The data are /tmp/wide.csv's: `--rows` rows of `--features` normal
values rounded to 3 decimals, y = (x0 > 0), written to a temp dir (or `--csv FILE`).

- First frame: from asking tmux to start `logsgd-tui FILE` to "step 0/0" and "0.6931" on
  screen, the seed lecture and the wide data in turn. Information: reading the CSV is O(nd)
  and most of it (about 0.6 us a cell in csvload, 5 million cells).
- Key latency: Right presses taking turns among the two apps and minimal_app.py --fill (a
  full screen of styled numbers), until the status line shows the new step and so does the
  chart's title ("step k" for the seed lecture, "step k · 6 of 100,001 weights" for the wide
  data), as bench_app.py reads it. Targets as bench_app.py's: at most --fill's median, and
  1.3 times the seed lecture's. The engine's own step (z of all 50 rows before and after,
  5 million products each; timed headless) grows with n*d by design; the key less it is the
  panels' part, held to the 1.3 as well.
- Peak memory: VmHWM of the wide app's process after the presses, against the data's float64
  size (information).
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from bench_app import (
    FIRST_FRAME_TEXTS,
    HEIGHT,
    TARGET_KEY_FILL,
    TARGET_KEY_SIZE,
    WIDTH,
    Tmux,
    _ms,
    _turn,
    minimal_argv,
    real_argv,
    shows,
)
from bench_engine import Figure

from logsgd.tui.cli import build_parser, make_engine, resolve_setup


def write_wide_csv(path: Path, rows: int, features: int, seed: int = 0) -> Path:
    """rows x features normal values rounded to 3 decimals, and y = (x0 > 0)."""
    x = np.round(np.random.default_rng(seed).normal(size=(rows, features)), 3)
    with path.open("w") as out:
        out.write(",".join([*(f"f{j}" for j in range(features)), "y"]) + "\n")
        for row in x:
            out.write(",".join([*(repr(v) for v in row.tolist()), str(int(row[0] > 0))]) + "\n")
    return path


def write_narrow_twin(wide: Path, path: Path, features: int = 2) -> Path:
    """The wide file's rows with its first `features` columns and its label only: the same
    screen (rows, batch size, batch rows, classes), a few columns."""
    with wide.open() as source, path.open("w") as out:
        for line in source:
            cells = line.rstrip("\n").split(",")
            out.write(",".join([*cells[:features], cells[-1]]) + "\n")
    return path


def at_step(step: int, chart: bool) -> Callable[[str], bool]:
    """The status line shows `step`, and with `chart` the chart's title (alone between the
    panel's borders) too."""
    status = f"step {step}/{step} "
    title = re.compile(rf"│ +step {step}( · \d+ of [\d,]+ weights)? +│")
    return lambda screen: status in screen and (not chart or title.search(screen) is not None)


def engine_step_ms(csv: Path, steps: int = 20) -> float:
    """The engine's own →, headless (numpy's O(nd) products: z of every row before and after
    the step, the batch's terms): the part of a key that grows with the data."""
    engine = make_engine(resolve_setup(build_parser().parse_args([str(csv)])))
    engine.subscribe(lambda _message: None)
    engine.walk([1, 1])
    times = []
    for _ in range(steps):
        started = time.perf_counter()
        engine.walk([1])
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def peak_memory_mb(tmux: Tmux, session: str) -> float:
    pid = tmux.command(f"display-message -p -t {session} '#{{pane_pid}}'")[0]
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


def wide_figures(
    csv: Path | None, rows: int, features: int, runs: int, presses: int, poll: float
) -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="logsgd-bench-") as tmp:
        workdir = Path(tmp)
        if csv is None:
            csv = write_wide_csv(workdir / "wide.csv", rows, features)
        with csv.open() as data:
            columns = data.readline().count(",")  # features (the label is the last column)
            count = sum(1 for _ in data)
        twin = write_narrow_twin(csv, workdir / "narrow.csv")
        apps = {
            "seed": real_argv(),
            "wide": real_argv([str(csv)]),
            "narrow": real_argv([str(twin)]),
            "fill": minimal_argv(True),
        }
        tmux = Tmux(workdir, poll)
        figures: list[Figure] = []
        try:
            tmux.open(list(apps))
            print(f"tmux {WIDTH}x{HEIGHT}; {count} rows x {columns:,} features; times in ms")
            first: dict[str, list[float]] = {"seed": [], "wide": []}
            for i in range(-1, runs):  # one untimed start each: bytecode and page caches
                for session in _turn(["seed", "wide"], i):
                    started = tmux.start(session, apps[session])
                    ready = shows(*FIRST_FRAME_TEXTS)
                    seconds = tmux.wait(session, ready, started, 120.0, "the first frame")
                    if i >= 0:
                        first[session].append(seconds)
                    if i < runs - 1:
                        tmux.stop_app(session)
                        time.sleep(0.3)
            for name, values in first.items():
                print(f"first frame  {name}: {_ms(values)}")
            started = tmux.start("fill", apps["fill"])
            tmux.wait("fill", shows("step 0/0"), started, 30.0, "the first frame")
            started = tmux.start("narrow", apps["narrow"])
            tmux.wait("narrow", shows(*FIRST_FRAME_TEXTS), started, 30.0, "the first frame")
            time.sleep(1.0)  # what follows the first frame is done before the first press
            keys: dict[str, list[float]] = {name: [] for name in apps}
            for k in range(1, presses + 1):
                for session in _turn(list(apps), k):
                    started = tmux.send(session, "Right")
                    ready = at_step(k, session != "fill")
                    keys[session].append(tmux.wait(session, ready, started, 60.0, f"step {k}"))
                    time.sleep(0.05)
            for name, values in keys.items():
                print(f"key latency  {name}: {_ms(values)}")
            memory = peak_memory_mb(tmux, "wide")
            for session in apps:
                tmux.stop_app(session)
        finally:
            tmux.close()
        engine_ms = engine_step_ms(csv)
    label = f"{count} rows x {columns:,} features"
    median = {name: statistics.median(values) * 1000 for name, values in keys.items()}
    figures += [
        Figure(
            f"key latency, {label} vs its narrow twin (the same rows and batches, 2 features),"
            f" median of {presses}",
            median["wide"],
            "ms",
            baseline=median["narrow"],
            target_ratio=TARGET_KEY_SIZE,
            note="what the columns cost: the same screen of rows, batches and classes",
        ),
        Figure(
            f"key latency, the narrow twin ({count} rows x 2 features) vs the seed lecture",
            median["narrow"],
            "ms",
            baseline=median["seed"],
            note="what the rows and the batch size cost, with few columns (information)",
        ),
        Figure(
            f"first frame, {label} vs the seed lecture (median of {runs})",
            statistics.median(first["wide"]) * 1000,
            "ms",
            baseline=statistics.median(first["seed"]) * 1000,
        ),
        Figure(
            f"key latency, {label} vs the seed lecture, median of {presses}",
            median["wide"],
            "ms",
            baseline=median["seed"],
            target_ratio=TARGET_KEY_SIZE,
        ),
        Figure(
            f"key latency, {label}, median of {presses}, vs a full screen of styled numbers"
            " (minimal_app.py --fill)",
            median["wide"],
            "ms",
            baseline=median["fill"],
            target_ratio=TARGET_KEY_FILL,
        ),
        Figure(
            f"key latency less the engine's step (headless, median of 20: {engine_ms:.1f} ms),"
            f" {label} vs the seed lecture",
            median["wide"] - engine_ms,
            "ms",
            baseline=median["seed"],
            target_ratio=TARGET_KEY_SIZE,
            note="the panels' part: what a key costs beyond numpy's O(nd) products",
        ),
        Figure(
            f"key latency, {label} vs the seed lecture, max of {presses}",
            max(keys["wide"]) * 1000,
            "ms",
            baseline=max(keys["seed"]) * 1000,
        ),
        Figure(
            f"peak memory (VmHWM), {label} vs the data's float64 size",
            memory,
            "MB",
            baseline=count * columns * 8 / 2**20,
        ),
    ]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, help="the wide CSV (else one is written)")
    parser.add_argument("--rows", type=int, default=50)
    parser.add_argument("--features", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3, help="first-frame runs per app")
    parser.add_argument("--presses", type=int, default=20, help="Right presses per app")
    parser.add_argument("--poll", type=float, default=0.002, help="seconds between captures")
    args = parser.parse_args()
    figures = wide_figures(args.csv, args.rows, args.features, args.runs, args.presses, args.poll)
    for f in figures:
        print(f.line())


if __name__ == "__main__":
    main()
