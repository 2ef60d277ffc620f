"""Run until over 10^6 steps against running the same steps, each measured in the same run.

    python benchmarks/bench_until.py [--repeats 3]

The seed lecture from step 100 (past its swing: from there no prediction flips, the loss never
goes below 1e-300 and w1 keeps its sign), so that every search goes the whole limit,
until.LIMIT = 10^6 steps. Baseline: `engine.run_steps(10^6)` with a progress callback and a
cancel check, as R's background run calls the engine. Value: `engine.run_until(condition)`
over the same steps, with the same callbacks, for a condition of each kind of check: on every
row's z (a flip of any row, the loss below a value: the screen of W X^T and the mean loss) and
on the recorded weights alone (a sign). The two take turns; the median of the repeats is the
figure, and the ratio should stay near 1.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from bench_engine import Figure

from logsgd.core import until
from logsgd.core.builtin_datasets import load_builtin
from logsgd.core.engine import Engine
from logsgd.core.until import Condition, Flip, LossBelow, SignChange

# "About as long as running those steps."
TARGET_RATIO = 1.25
START = 100
CONDITIONS: tuple[tuple[str, Condition], ...] = (
    ("a flip of any row", Flip(None)),
    ("the loss below 1e-300", LossBelow(1e-300)),
    ("w1 changes sign", SignChange(1)),
)


def _engine() -> Engine:
    engine = Engine(load_builtin("seed"))
    engine.run_steps(START)
    return engine


def _progress(_done: int, _total: int) -> None:
    pass


def _never() -> bool:
    return False


def plain_run() -> float:
    engine = _engine()
    start = time.perf_counter()
    engine.run_steps(until.LIMIT, progress=_progress, should_stop=_never)
    elapsed = time.perf_counter() - start
    assert engine.history_length == START + until.LIMIT
    return elapsed


def until_run(condition: Condition) -> float:
    engine = _engine()
    start = time.perf_counter()
    outcome = engine.run_until(condition, progress=_progress, should_stop=_never)
    elapsed = time.perf_counter() - start
    assert outcome.kind == "limit" and outcome.step == START + until.LIMIT, outcome
    return elapsed


def until_figures(repeats: int, printer: bool = True) -> list[Figure]:
    say: Callable[[str], None] = print if printer else (lambda _s: None)
    figures = []
    for label, condition in CONDITIONS:
        plain: list[float] = []
        searched: list[float] = []
        for i in range(repeats):
            calls = [(plain, plain_run), (searched, lambda c=condition: until_run(c))]
            for times, call in calls if i % 2 == 0 else calls[::-1]:
                times.append(call())
        value, baseline = statistics.median(searched), statistics.median(plain)
        say(f"run until {label}: {value:.2f} s, the plain run {baseline:.2f} s")
        figures.append(
            Figure(
                f"12. run until {label}, seed lecture, {until.LIMIT:,} steps "
                f"(vs running them, R's way; median of {repeats})",
                value,
                "s",
                baseline=baseline,
                target_ratio=TARGET_RATIO,
            )
        )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    for f in until_figures(args.repeats):
        print(f.line(3))


if __name__ == "__main__":
    main()
