"""Engine throughput and history memory, each against a baseline measured in the same run.

    python benchmarks/bench_engine.py [--rows 100000] [--steps 20000] [--repeats 5]
                                      [--memory-steps 1000000] [--tracemalloc-all]

Baseline: a bare numpy loop doing the same arithmetic on the same data (z = X w, f = sigma(z),
g = mean((f - y) x), w -= lr g) with no history, no events, no checks. Ratios are
baseline time / engine time per step inverted to "engine time / baseline time": <= 1.0 means the
engine (history included) is at least as fast as the bare loop. Absolute numbers drift on shared
machines; the ratio is the figure.

Memory: bytes per recorded step at d = 2, batch 1, as the growth between two history lengths
(what the engine holds once, whatever the length, cancels out). At 1,000 steps tracemalloc counts
every allocation; at 10^6 steps tracemalloc would make the run twenty times slower (it hooks every
allocation of the hot loop, about two minutes), so the growth of the resident set (RSS, from
/proc, in a fresh interpreter) is measured instead, unless --tracemalloc-all. Both sit next to
history_nbytes(), what the engine's own arrays hold.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import subprocess
import sys
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from logsgd.core.dataset import Dataset
from logsgd.core.engine import Engine
from logsgd.core.params import Hyperparams

# Targets of the issue "Fast": engine time / bare loop time.
TARGET_RATIO_BATCH_32 = 1.0
TARGET_RATIO_BATCH_1 = 1 / 3  # beat the bare loop by 3x or more
TARGET_BYTES_PER_STEP = 64.0


@dataclass(frozen=True)
class Figure:
    """One benchmark figure: a value, the baseline measured in the same run, and the target.

    ratio = value / baseline; lower is better for every figure here. A figure with no
    baseline (memory) has an absolute target instead. `met` is None for figures reported for
    information only.
    """

    name: str
    value: float
    unit: str
    baseline: float | None = None
    target_ratio: float | None = None
    target_value: float | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.baseline == 0:
            return None
        return self.value / self.baseline

    @property
    def met(self) -> bool | None:
        if self.target_ratio is not None and self.ratio is not None:
            return self.ratio <= self.target_ratio
        if self.target_value is not None:
            return self.value <= self.target_value
        return None

    @property
    def target(self) -> str:
        if self.target_ratio is not None:
            return f"ratio <= {self.target_ratio:.3g}"
        if self.target_value is not None:
            return f"<= {self.target_value:g} {self.unit}"
        return "(info)"

    def line(self, decimals: int = 1) -> str:
        """'name: value vs baseline unit  ratio r  target t  met m', as the scripts print it."""
        ratio = "" if self.ratio is None else f"  ratio {self.ratio:.2f}"
        base = "" if self.baseline is None else f" vs {self.baseline:.{decimals}f}"
        return (
            f"{self.name}: {self.value:.{decimals}f}{base} {self.unit}{ratio}"
            f"  target {self.target}  met {self.met}"
        )


def make_dataset(rows: int, seed: int = 12345) -> Dataset:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, 2))
    y = (x[:, 0] + 0.5 * x[:, 1] + rng.normal(scale=0.5, size=rows) > 0).astype(np.float64)
    return Dataset("bench", "benchmark data", ("a", "b"), "y", x, y)


def bare_numpy_loop(x: np.ndarray, y: np.ndarray, batch: int, steps: int, lr: float) -> float:
    """The same arithmetic as one engine step, sequential batches, nothing recorded."""
    xb = np.hstack([x, np.ones((x.shape[0], 1))])
    n = xb.shape[0]
    w = np.zeros(xb.shape[1])
    offset = 0
    start = time.perf_counter()
    for _ in range(steps):
        end = min(offset + batch, n)
        xs = xb[offset:end]
        f = 1.0 / (1.0 + np.exp(-(xs @ w)))
        g = ((f - y[offset:end])[:, None] * xs).mean(axis=0)
        w = w - lr * g
        offset = 0 if end >= n else end
    return time.perf_counter() - start


def engine_run(dataset: Dataset, batch: int, steps: int, lr: float) -> float:
    engine = Engine(dataset, Hyperparams(learning_rate=lr, batch_size=batch))
    start = time.perf_counter()
    engine.run_steps(steps)
    elapsed = time.perf_counter() - start
    assert engine.history_length == steps
    return elapsed


def history_bytes_per_step(dataset: Dataset, steps: int) -> tuple[float, float]:
    """(tracemalloc bytes per step, history_nbytes per step) from `steps` to 2 * `steps` steps.

    The growth between two lengths, not the total: what the engine holds once whatever the
    length (the last few full-data arrays it keeps for the event on screen, 1.6 MB each at
    100k rows) is not history and cancels out.
    """
    gc.collect()
    tracemalloc.start()
    engine = Engine(dataset, Hyperparams(learning_rate=0.01, batch_size=1))
    engine.run_steps(steps)
    gc.collect()
    first, _ = tracemalloc.get_traced_memory()
    engine.run_steps(steps)
    gc.collect()
    second, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return (second - first) / steps, engine.history_nbytes() / engine.history_length


# Run in a fresh interpreter: in this one, memory freed by earlier runs would be reused
# without the resident set growing, and the growth would read as zero.
_RSS_SCRIPT = """
import gc, sys
from pathlib import Path
sys.path.insert(0, sys.argv[3])
from bench_engine import make_dataset
from logsgd.core.engine import Engine
from logsgd.core.params import Hyperparams

def resident():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("/proc/self/status has no VmRSS line")

steps = int(sys.argv[2])
engine = Engine(make_dataset(int(sys.argv[1])), Hyperparams(learning_rate=0.01, batch_size=1))
engine.run_steps(steps // 10)
gc.collect()
base = resident()
engine.run_steps(steps - steps // 10)
gc.collect()
print(resident() - base, engine.history_nbytes() // engine.history_length)
"""


def history_rss_per_step(rows: int, steps: int) -> tuple[float, float]:
    """(RSS growth per step from steps/10 to steps, history_nbytes per step).

    Measured in a fresh interpreter. Pages the history's arrays never touched (spare capacity
    from np.zeros) do not count; the arrays dropped when the history grew count if the
    allocator keeps them, so this is an upper bound on what the history holds.
    """
    here = str(Path(__file__).resolve().parent)
    result = subprocess.run(
        [sys.executable, "-c", _RSS_SCRIPT, str(rows), str(steps), here],
        capture_output=True,
        text=True,
        check=True,
    )
    grown, held = (int(v) for v in result.stdout.split())
    return grown / (steps - steps // 10), float(held)


def throughput_figures(
    dataset: Dataset, steps: int, repeats: int, printer: bool = True
) -> list[Figure]:
    """Engine vs the bare loop at batch 1 and 32, alternating runs, medians."""
    x, y = dataset.features, dataset.labels
    if printer:
        print(f"{'batch':>5}  {'engine steps/s':>15}  {'bare numpy steps/s':>19}  {'ratio':>6}")
    figures = []
    for batch, target in ((1, TARGET_RATIO_BATCH_1), (32, TARGET_RATIO_BATCH_32)):
        engine_times, bare_times = [], []
        for _ in range(repeats):  # alternate, so drift hits both alike
            engine_times.append(engine_run(dataset, batch, steps, 0.01))
            bare_times.append(bare_numpy_loop(x, y, batch, steps, 0.01))
        engine_t = statistics.median(engine_times)
        bare_t = statistics.median(bare_times)
        if printer:
            print(
                f"{batch:>5}  {steps / engine_t:>15,.0f}  {steps / bare_t:>19,.0f}"
                f"  {engine_t / bare_t:>6.2f}"
            )
        figures.append(
            Figure(
                f"4. engine step, batch {batch}, {dataset.n_rows:,} rows (vs bare numpy loop)",
                engine_t / steps * 1e6,
                "us/step",
                baseline=bare_t / steps * 1e6,
                target_ratio=target,
            )
        )
    if printer:
        print("ratio = engine time / bare numpy time (target <= 1.0; below 1 the engine is faster)")
    return figures


def memory_figures(
    dataset: Dataset, memory_steps: int, tracemalloc_all: bool, printer: bool = True
) -> list[Figure]:
    figures = []
    for steps in (1_000, memory_steps):
        traced = steps <= 1_000 or tracemalloc_all
        if traced:
            allocated, held = history_bytes_per_step(dataset, steps)
        else:
            allocated, held = history_rss_per_step(dataset.n_rows, steps)
        how = (
            f"tracemalloc, growth from {steps:,} to {2 * steps:,} steps"
            if traced
            else f"RSS growth from {steps // 10:,} to {steps:,} steps"
        )
        if printer:
            print(
                f"history at {steps:>9,} steps: {allocated:6.1f} bytes/step allocated ({how}), "
                f"{held:6.1f} bytes/step held (target <= 64)"
            )
        figures.append(
            Figure(
                f"5. history memory at {steps:,} steps, d = 2 ({how})",
                allocated,
                "B/step",
                target_value=TARGET_BYTES_PER_STEP,
                note=f"history_nbytes() {held:.1f} B/step",
            )
        )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--steps", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--memory-steps", type=int, default=1_000_000)
    parser.add_argument(
        "--tracemalloc-all",
        action="store_true",
        help="use tracemalloc for the long memory run too (about two minutes)",
    )
    args = parser.parse_args()
    dataset = make_dataset(args.rows)
    print(f"data: {args.rows} rows, d = 2; {args.steps} steps per run, median of {args.repeats}")
    throughput_figures(dataset, args.steps, args.repeats)
    memory_figures(dataset, args.memory_steps, args.tracemalloc_all)


if __name__ == "__main__":
    main()
