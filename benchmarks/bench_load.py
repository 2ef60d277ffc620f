"""Reading a large CSV: peak memory against the data's float64 size, and the time it takes.

    python benchmarks/bench_load.py [--rows 1000000]

A 2-feature CSV of --rows rows (numbers of 4 decimals, as a lecturer's exported sheet has) is
read by `load_csv` in a fresh interpreter, which reports its peak resident set (VmHWM). The
same is done for a 2-row file: what Python, numpy and the package take whatever the data (the
baseline). The figure is (peak - baseline) / (rows x 3 columns x 8 bytes), target at most 3:
the reader holds the numbers, not a list of every row's strings nor the file's whole text.
The time is for information (about 1 us a cell, the csv module's pace).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from bench_engine import Figure

TARGET_RATIO = 3.0
# VmHWM, not ru_maxrss: a child's ru_maxrss starts at its parent's resident set at fork time.
MEASURE = """
import sys, time
from logsgd.core.csvload import load_csv
start = time.perf_counter()
dataset = load_csv(sys.argv[1])
seconds = time.perf_counter() - start
hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(int(hwm.split()[1]) * 1024, seconds, dataset.n_rows)
"""


def write_csv(path: Path, rows: int, seed: int = 7) -> Path:
    rng = np.random.default_rng(seed)
    x = np.round(rng.normal(size=(rows, 2)) * 10, 4)
    y = (x[:, 0] + rng.normal(size=rows) > 0).astype(int)
    np.savetxt(
        path,
        np.column_stack([x, y]),
        delimiter=",",
        fmt=["%.4f", "%.4f", "%d"],
        header="a,b,y",
        comments="",
    )
    return path


def peak(path: Path) -> tuple[int, float, int]:
    """(peak RSS in bytes, seconds, rows) of load_csv(path) in a fresh interpreter."""
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)], capture_output=True, text=True, check=True
    ).stdout.split()
    return int(out[0]), float(out[1]), int(out[2])


def load_figures(rows: int, printer: bool = True) -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="logsgd-bench-load-") as tmp:
        big = write_csv(Path(tmp) / "big.csv", rows)
        tiny = Path(tmp) / "tiny.csv"
        tiny.write_text("a,b,y\n1.5,2.5,0\n-1.5,0.5,1\n")
        baseline, _, _ = peak(tiny)
        used, seconds, n = peak(big)
        size = big.stat().st_size
    data = n * 3 * 8
    growth = used - baseline
    if printer:
        print(
            f"{n:,} rows ({size / 1e6:.0f} MB of text, {data / 1e6:.0f} MB as float64): "
            f"peak {used / 1e6:.0f} MB, baseline {baseline / 1e6:.0f} MB, {seconds:.2f} s"
        )
    return [
        Figure(
            f"10. peak memory reading a {n:,}-row CSV, above the interpreter's "
            "(vs its float64 size)",
            growth / 1e6,
            "MB",
            baseline=data / 1e6,
            target_ratio=TARGET_RATIO,
        ),
        Figure(f"10. time to read a {n:,}-row CSV", seconds, "s", note="information"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    for figure in load_figures(args.rows):
        ratio = "" if figure.ratio is None else f"  ratio {figure.ratio:.2f}  met {figure.met}"
        print(f"{figure.name}: {figure.value:.3g} {figure.unit}{ratio}")


if __name__ == "__main__":
    main()
