"""Engine throughput and history memory, each against a baseline measured in the same run.

    python benchmarks/bench_engine.py [--rows 100000] [--steps 20000] [--repeats 5]

Baseline: a bare numpy loop doing the same arithmetic on the same data (z = X w, f = sigma(z),
g = mean((f - y) x), w -= lr g) with no history, no events, no checks. Ratios are
baseline time / engine time per step inverted to "engine time / baseline time": <= 1.0 means the
engine (history included) is at least as fast as the bare loop. Absolute numbers drift on shared
machines; the ratio is the figure.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
import tracemalloc

import numpy as np

from logsgd.core.dataset import Dataset
from logsgd.core.engine import Engine
from logsgd.core.params import Hyperparams


def make_dataset(rows: int) -> Dataset:
    rng = np.random.default_rng(12345)
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
    """(tracemalloc bytes per step, history_nbytes per step) after `steps` steps at batch 1."""
    gc.collect()
    tracemalloc.start()
    engine = Engine(dataset, Hyperparams(learning_rate=0.01, batch_size=1))
    base, _ = tracemalloc.get_traced_memory()
    engine.run_steps(steps)
    gc.collect()
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return (current - base) / steps, engine.history_nbytes() / steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--steps", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    dataset = make_dataset(args.rows)
    x, y = dataset.features, dataset.labels
    print(f"data: {args.rows} rows, d = 2; {args.steps} steps per run, median of {args.repeats}")
    print(f"{'batch':>5}  {'engine steps/s':>15}  {'bare numpy steps/s':>19}  {'ratio':>6}")
    for batch in (1, 32):
        engine_times, bare_times = [], []
        for _ in range(args.repeats):  # alternate, so drift hits both alike
            engine_times.append(engine_run(dataset, batch, args.steps, 0.01))
            bare_times.append(bare_numpy_loop(x, y, batch, args.steps, 0.01))
        engine_t = statistics.median(engine_times)
        bare_t = statistics.median(bare_times)
        print(
            f"{batch:>5}  {args.steps / engine_t:>15,.0f}  {args.steps / bare_t:>19,.0f}"
            f"  {engine_t / bare_t:>6.2f}"
        )
    print("ratio = engine time / bare numpy time (target <= 1.0; below 1 the engine is faster)")
    for steps in (1_000, 1_000_000):
        traced, held = history_bytes_per_step(dataset, steps)
        print(
            f"history after {steps:>9,} steps: {traced:6.1f} bytes/step allocated (tracemalloc), "
            f"{held:6.1f} bytes/step held (target <= 64)"
        )


if __name__ == "__main__":
    main()
