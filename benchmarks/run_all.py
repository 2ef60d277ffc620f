"""Every benchmark of the issue "Fast" in one run; each figure next to its baseline, as a ratio.

    python benchmarks/run_all.py [--quick] [--export-timeout 60] [--results FILE]
                                 [--only app,chart,imports,engine,export,load,depth,plotext,until,
                                        landscape,views,pins,serve]

Sections (each also runs alone, with more options, as its own script):
  app      bench_app.py: first frame, key latency, held key; logsgd-tui vs minimal_app.py in tmux
  chart    bench_loss_chart.py: ← at depth with the loss chart vs the weights chart, in tmux
  imports  bench_app.py --importtime: imports up to the first frame, the app vs the minimal app
  engine   bench_engine.py: steps/s vs a bare numpy loop; history bytes per step
  export   bench_export.py: `logsgd-tui --export summary` per epoch vs a bare numpy loop
  load     bench_load.py: peak memory reading a 10^6-row CSV vs the data's float64 size
  depth    bench_depth.py: time travel and the chart after 10^6 steps vs a short history
  plotext  bench_plotext.py: the weight chart by our canvas vs by plotext (the `bench` extra)
  until    bench_until.py: run until over 10^6 seed steps vs running the same steps
  views    bench_views.py: a step with the decision boundary on screen vs the weights chart, in tmux
  landscape bench_landscape.py: → with the loss landscape vs with the weight chart, headless
  pins     bench_pins.py: a key with three pinned runs on the chart vs none (headless Pilot)
  serve    bench_serve.py: `logsgd-tui serve` in headless Chromium: page to numbers vs a minimal
           app served alike, → vs tmux (skipped, with a line, without chromium or the extra)

The full run takes about five minutes on two cores while the export is slow (it waits out a 60 s
timeout at batch 1, and 12 epochs at batch 32 take ~25 s, three times), about three once it is
fast; --quick about one and a half (fewer repeats and Lefts, 10^5 steps of history instead of
10^6: the depth figures then say so; export commands stopped after 15 s). Every baseline is
measured in the same run, alternating with what it is the baseline of; the ratio is the figure,
since absolute times drift on a shared machine. With --results FILE the machine description and
the table are written into FILE (between the markers below, so text around them is kept).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import subprocess
import sys
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # the bench_* modules import each other by plain name

from bench_engine import Figure  # noqa: E402

BEGIN = "<!-- run_all: begin -->"
END = "<!-- run_all: end -->"
SECTIONS = (
    "app", "chart", "imports", "engine", "export", "load", "depth", "plotext", "until",
    "landscape", "views", "pins", "serve",
)  # fmt: skip


def _run(*argv: str) -> str:
    try:
        result = subprocess.run(argv, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"({argv[0]}: {error})"
    return (result.stdout or result.stderr).strip()


def machine() -> list[str]:
    """What the figures were measured on, one fact a line."""
    lscpu = _run("lscpu").splitlines()[:10]
    commit = _run("git", "-C", str(HERE), "log", "-1", "--format=%h %s")
    dirty = _run("git", "-C", str(HERE), "status", "--short", "--", "../core", "../tui")
    return [
        f"date: {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"commit: {commit}" + (" (core/ or tui/ modified)" if dirty else ""),
        f"nproc: {os.cpu_count()}",
        *[f"lscpu: {' '.join(line.split())}" for line in lscpu],
        f"python {platform.python_version()}, numpy {version('numpy')}, "
        f"textual {version('textual')}, {_run('tmux', '-V')}",
    ]


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:,.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def _met(figure: Figure) -> str:
    return {True: "yes", False: "NO", None: "(info)"}[figure.met]


def _in_order(figures: list[Figure]) -> list[Figure]:
    """By the issue's numbering ("4. ..."); an unnumbered row stays after the row before it."""
    keyed = []
    number = 0
    for index, figure in enumerate(figures):
        match = re.match(r"(\d+)\.", figure.name)
        if match:
            number = int(match.group(1))
        keyed.append(((number, index), figure))
    return [figure for _, figure in sorted(keyed, key=lambda kv: kv[0])]


def table(figures: list[Figure]) -> list[str]:
    rows = [
        "| figure | value | baseline | ratio | target | met |",
        "| --- | ---: | ---: | ---: | --- | --- |",
    ]
    for f in _in_order(figures):
        value = f"{_number(f.value)} {f.unit}"
        baseline = "—" if f.baseline is None else f"{_number(f.baseline)} {f.unit}"
        name = f.name + (f" ({f.note})" if f.note else "")
        rows.append(
            f"| {name} | {value} | {baseline} | {_number(f.ratio)} | {f.target} | {_met(f)} |"
        )
    return rows


def write_results(path: Path, lines: list[str]) -> None:
    block = "\n".join([BEGIN, *lines, END])
    text = path.read_text() if path.exists() else ""
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + block + text[text.index(END) + len(END) :]
    else:
        text = (text + "\n\n" if text else "") + block + "\n"
    path.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, 10^5-step depth")
    parser.add_argument(
        "--only", default=",".join(SECTIONS), help=f"comma-separated: {', '.join(SECTIONS)}"
    )
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the large dataset")
    parser.add_argument(
        "--export-timeout",
        type=float,
        help="seconds before an export command is stopped (default 60, 15 with --quick)",
    )
    parser.add_argument("--results", type=Path, help="write the machine and the table here")
    args = parser.parse_args()
    chosen = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = [s for s in chosen if s not in SECTIONS]
    if unknown:
        parser.error(f"--only: unknown section {unknown[0]!r}; choose from {', '.join(SECTIONS)}")

    # Imported here, after sys.path is set; bench_depth imports the app (Textual) only when run.
    import bench_app
    import bench_depth
    import bench_engine
    import bench_export
    import bench_landscape
    import bench_load
    import bench_loss_chart
    import bench_pins
    import bench_plotext
    import bench_serve
    import bench_until
    import bench_views

    quick = args.quick
    sections: dict[str, Callable[[], list[Figure]]] = {
        # The app section runs first, while this process is small and idle.
        "app": lambda: bench_app.app_figures(
            runs=5 if quick else 11, presses=30, held_repeats=3 if quick else 5, rows=args.rows
        ),
        # Fewer Lefts with --quick, not fewer rows or epochs: R's 10 epochs take about a second,
        # and the loss chart's cost grows with the rows, so fewer would measure something else.
        "chart": lambda: bench_loss_chart.loss_chart_figures(
            rows=args.rows, presses=3 if quick else 5, rounds=4 if quick else 6
        ),
        "imports": lambda: bench_app.import_times(top=10),
        "engine": lambda: (
            bench_engine.throughput_figures(
                bench_engine.make_dataset(args.rows), 5_000 if quick else 20_000, 3 if quick else 9
            )
            + bench_engine.memory_figures(
                bench_engine.make_dataset(args.rows), 100_000 if quick else 1_000_000, False
            )
        ),
        # A slow export waits out its timeout; --quick waits less (its lower bound is lower).
        "export": lambda: bench_export.export_figures(
            args.rows,
            1 if quick else 3,
            (15.0 if quick else 60.0) if args.export_timeout is None else args.export_timeout,
        ),
        "load": lambda: bench_load.load_figures(300_000 if quick else 1_000_000),
        "depth": lambda: bench_depth.depth_figures(
            100_000 if quick else 1_000_000, args.rows, 10 if quick else 30
        ),
        "plotext": lambda: bench_plotext.chart_figures(10 if quick else 30, 46, 18),
        # Always the whole limit, 10^6 steps (a shorter search would time something else).
        "until": lambda: bench_until.until_figures(1 if quick else 3),
        "views": lambda: bench_views.view_figures(args.rows, rounds=2 if quick else 4),
        "landscape": lambda: bench_landscape.landscape_figures(
            10 if quick else 20, 2 if quick else 3, args.rows
        ),
        "pins": lambda: bench_pins.pin_figures(
            args.rows, 400, 10 if quick else 20, 2 if quick else 4
        ),
        "serve": lambda: bench_serve.serve_figures(3 if quick else 7, 10 if quick else 30),
    }
    description = machine()
    print("\n".join(description))
    figures: list[Figure] = []
    for name in SECTIONS:
        if name in chosen:
            print(f"\n== {name}")
            start = time.perf_counter()
            figures += sections[name]()
            print(f"({name}: {time.perf_counter() - start:.0f} s)")
    rows = table(figures)
    print()
    print("\n".join(rows))
    missed = [f for f in figures if f.met is False]
    print(f"\n{len(missed)} of {sum(f.met is not None for f in figures)} targets missed")
    if args.results is not None:
        run = "python benchmarks/run_all.py" + (" --quick" if quick else "")
        write_results(
            args.results,
            ["```", *description, "```", "", f"Figures from `{run}`:", "", *rows],
        )
        print(f"written to {args.results}")


if __name__ == "__main__":
    main()
