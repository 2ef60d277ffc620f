"""Headless summary export: the real command's cost per epoch against a bare numpy loop.

    python benchmarks/bench_export.py [--rows 100000] [--repeats 3] [--timeout 60]

What a user runs: `logsgd-tui rows.csv --export summary --batch-size B --epochs E`, a subprocess
with stdout to /dev/null, on a 2-feature CSV of --rows rows. Each batch size runs for two
lengths, E1 and E2 epochs, and the figure is the median over repeats of (time(E2) - time(E1)) /
(E2 - E1): start-up, CSV loading and writing the summary are in both runs and cancel out. The
baseline is bench_engine.bare_numpy_loop for one epoch's steps (n/B) on the same data, in this
process, its runs alternating with the command's.

The lengths (the short run has at least one epoch, so the first epoch's one-off costs cancel
too): at batch 1 the target is a third of the bare loop's 0.6-1.7 s an epoch at 100k rows (it
drifts with the machine's load), so 1 vs 3 epochs differ by 0.4-1.1 s when the target is met,
tens of times the jitter of the ~0.35 s start-up (10 ms quiet, a few tens under load). At batch
32 the target is the bare loop itself, 20-60 ms an epoch: one epoch's difference would be lost
in that jitter, so 2 vs 12 epochs, ten epochs' difference, 0.2-0.6 s.

A command that runs past --timeout is killed and the figure is reported as not met, its value a
lower bound (the note says so): a summary export that builds every step's full event takes
about a minute per epoch at batch 1 and 100k rows.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench_app import COMMAND, DROPPED_VARIABLES, PYCACHE, write_rows_csv
from bench_engine import Figure, bare_numpy_loop

from logsgd.core.csvload import load_csv

# batch size: (short run's epochs, long run's epochs, target ratio to the bare loop)
CASES = {1: (1, 3, 1 / 3), 32: (2, 12, 1.0)}


class LowerBound(Figure):
    """A figure whose command was stopped at the timeout: the value is at least this much."""

    @property
    def met(self) -> bool | None:
        # However the bound compares with the target, a command that timed out is not fast.
        return False


def _env() -> dict[str, str]:
    # As in bench_app's panes: compiled bytecode in a cache outside the repository, as an
    # installed wheel starts, not a compile of every logsgd source on each run.
    env = {k: v for k, v in os.environ.items() if k not in DROPPED_VARIABLES}
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    return env


def export_seconds(csv_path: Path, batch: int, epochs: int, timeout: float) -> float | None:
    """Seconds for the summary export of `epochs` epochs at `batch`; None past `timeout`."""
    argv = [str(COMMAND), str(csv_path), "--export", "summary"]
    argv += ["--batch-size", str(batch), "--epochs", str(epochs)]
    started = time.perf_counter()
    try:
        result = subprocess.run(
            argv,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            timeout=timeout,
            env=_env(),
        )
    except subprocess.TimeoutExpired:  # subprocess.run has killed it
        return None
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {result.returncode}: {result.stderr.strip()}")
    return elapsed


def export_figures(
    rows: int = 100_000, repeats: int = 3, timeout: float = 60.0, printer: bool = True
) -> list[Figure]:
    """Figure 8: the summary export's cost per epoch at batch 1 and 32 against the bare loop."""
    say: Callable[[str], None] = print if printer else (lambda _s: None)
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="logsgd-bench-") as tmp:
        csv_path = write_rows_csv(Path(tmp) / f"rows{rows}.csv", rows)
        dataset = load_csv(str(csv_path))
        x, y = dataset.features, dataset.labels
        lr = dataset.hyperparams.learning_rate
        # Untimed first: fills the bytecode and page caches, as every later run finds them.
        export_seconds(csv_path, 1, 0, timeout)
        startup = export_seconds(csv_path, 1, 0, timeout)
        if startup is None:
            raise RuntimeError(f"an export of 0 epochs took over {timeout:g} s")
        say(f"start-up, loading {rows:,} rows and a summary of step 0: {startup * 1000:.0f} ms")
        for batch, (short, long, target) in CASES.items():
            steps = math.ceil(rows / batch)
            bare: list[float] = []
            runs: dict[int, list[float]] = {short: [], long: []}
            stopped: int | None = None  # the epochs of the run that timed out
            for i in range(repeats):
                order = ["bare", short, long]
                for what in order if i % 2 == 0 else order[::-1]:  # drift hits both alike
                    if what == "bare":
                        bare.append(bare_numpy_loop(x, y, batch, steps, lr))
                        continue
                    assert isinstance(what, int)
                    seconds = export_seconds(csv_path, batch, what, timeout)
                    if seconds is None:
                        stopped = what
                        break
                    runs[what].append(seconds)
                if stopped is not None:
                    break  # every further run would wait out the timeout too
            if not bare:
                bare.append(bare_numpy_loop(x, y, batch, steps, lr))
            times = {e: " ".join(f"{t:.2f}" for t in runs[e]) or "-" for e in runs}
            say(
                f"batch {batch}: bare loop {' '.join(f'{t * 1000:.0f}' for t in bare)} ms an "
                f"epoch; {short}-epoch export {times[short]} s, {long}-epoch export {times[long]} s"
                + (
                    f"; the {stopped}-epoch run passed the {timeout:g} s timeout"
                    if stopped is not None
                    else ""
                )
            )
            name = (
                f"8. summary export per epoch, batch {batch}, {rows:,} rows "
                f"(logsgd-tui --export summary, {long} minus {short} epochs; vs bare numpy loop)"
            )
            baseline = statistics.median(bare) * 1000
            if stopped is None:
                pairs = zip(runs[long], runs[short], strict=True)
                per_epoch = statistics.median((t2 - t1) / (long - short) for t2, t1 in pairs)
                figures.append(
                    Figure(
                        name, per_epoch * 1000, "ms/epoch", baseline=baseline, target_ratio=target
                    )
                )
                continue
            # Each run costs start-up plus its epochs: one that passed the timeout spent at
            # least (timeout - what the shorter run took) on the epochs it has more.
            if stopped == short or not runs[short]:
                bound, over = (timeout - startup) / stopped, f"the {stopped}-epoch run"
            else:
                shorter = statistics.median(runs[short])
                bound, over = (timeout - shorter) / (long - short), f"the {long}-epoch run"
            figures.append(
                LowerBound(
                    name,
                    bound * 1000,
                    "ms/epoch",
                    baseline=baseline,
                    target_ratio=target,
                    note=f"a lower bound: {over} was stopped at the {timeout:g} s timeout",
                )
            )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3, help="runs of each length and batch")
    parser.add_argument(
        "--timeout", type=float, default=60.0, help="seconds before a command is stopped"
    )
    args = parser.parse_args()
    for f in export_figures(args.rows, args.repeats, args.timeout):
        note = f" ({f.note})" if f.note else ""
        print(
            f"{f.name}: {f.value:.1f} vs {f.baseline:.1f} {f.unit}  ratio {f.ratio:.3g}  "
            f"target {f.target}  met {f.met}{note}"
        )


if __name__ == "__main__":
    main()
