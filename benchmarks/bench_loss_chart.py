"""The loss chart at depth through the real keys: a step in loss mode against weights mode.

    python benchmarks/bench_loss_chart.py [--rows 100000] [--epochs 10] [--presses 5]
                                          [--rounds 6] [--poll 0.002]

The real `logsgd-tui rows.csv --batch-size 32` runs in tmux at 120x36 (bench_app's Tmux: one
private server, screens read through a control-mode client) on a 2-feature CSV of --rows rows.
R runs 10 epochs in the background (tui/app.py, RUN_EPOCHS); the app has finished when its notice
says "done: …" and the status line shows "step K/K" (K = epochs * ceil(rows / 32), 31,250 by
default). --epochs that are not a multiple of 10 take ] (to the next epoch boundary) for the rest.

Then, in rounds: End (untimed, so every press starts from the same depth), then --presses Lefts,
each timed from send-keys to the first capture whose status line shows "step k/K " and whose
chart title shows "step k"; End again, then --presses Rights, each a new step at the end (the
history grows by one), timed until "step k/k ". First in weights mode, then c (the chart's title
turns to "Loss (full data, …)") and the same in loss mode. The rounds alternate which mode goes
first (c toggles back), so drift on the machine hits both alike. The figures are the loss-mode
median over the weights-mode median, for ← and for →, target 1.5: both charts draw the same
downsampled steps, and the loss at a step is computed once (the engine keeps it by weights), so
a key should cost about the same. A → is where it shows: a chart whose steps all moved when the
history grew would need a full-data loss for each of them again. The same pairs on the seed
lecture (4 rows, 10 epochs of 2 steps) are information.
"""

from __future__ import annotations

import argparse
import math
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from bench_app import HEIGHT, WIDTH, Tmux, TmuxError, at_step, real_argv, shows, write_rows_csv
from bench_engine import Figure

from logsgd.core.builtin_datasets import load_builtin

TARGET_RATIO = 1.5
# Epochs that R runs (tui/app.py, RUN_EPOCHS); a change there shows as a wait that times out.
RUN_EPOCHS = 10
BATCH = 32
MODE_TITLES = {"weights": "Weights over steps", "loss": "Loss (full data"}
# What the app says while a background run is under way (tui/app.py, _start_background).
BUSY = "(Escape cancels)"


def _ms(values: list[float]) -> str:
    return " ".join(f"{v * 1000:.0f}" for v in values)


def _finished(steps: int) -> Callable[[str], bool]:
    """The run has ended: at `steps` and no longer busy, or stopped short (checked after)."""
    status = f"step {steps}/{steps} "

    def ready(screen: str) -> bool:
        if "cancelled:" in screen or "diverged at" in screen:
            return True
        return status in screen and BUSY not in screen

    return ready


def run_to_depth(tmux: Tmux, session: str, epochs: int, per_epoch: int, timeout: float) -> int:
    """Press R (10 epochs each) and ] (one epoch each) until `epochs` epochs are recorded."""
    keys = ["R"] * (epochs // RUN_EPOCHS) + ["]"] * (epochs % RUN_EPOCHS)
    steps = 0
    for key in keys:
        steps += per_epoch * (RUN_EPOCHS if key == "R" else 1)
        started = tmux.send(session, key)
        tmux.wait(session, _finished(steps), started, timeout, f"the run to step {steps}")
        screen = tmux.capture(session)
        if f"step {steps}/{steps} " not in screen or (key == "R" and "done:" not in screen):
            raise TmuxError(f"the run stopped before step {steps}; the screen was:\n{screen}")
    return steps


def step_latency(
    tmux: Tmux, session: str, depth: int, presses: int, rounds: int, gap: float, timeout: float
) -> dict[tuple[str, str], list[float]]:
    """Seconds from a key to step k on screen, per (key, chart mode); the modes alternate.

    In each round and mode: End, then `presses` Lefts (each a step back from the end), End
    again, then `presses` Rights (each a new step: the history grows by one). So the depth
    grows by `presses` per mode and round, and every Left starts from the latest end.
    """
    times: dict[tuple[str, str], list[float]] = {
        (key, mode): [] for key in ("Left", "Right") for mode in MODE_TITLES
    }
    mode = "weights"  # the app starts with the weights chart
    for r in range(rounds):
        order: Sequence[str] = ("weights", "loss") if r % 2 == 0 else ("loss", "weights")
        for wanted in order:
            if wanted != mode:
                started = tmux.send(session, "c")
                tmux.wait(session, shows(MODE_TITLES[wanted]), started, timeout, f"{wanted} chart")
                mode = wanted
                time.sleep(gap)
            started = tmux.send(session, "End")
            tmux.wait(session, at_step(depth, True), started, timeout, f"step {depth}")
            time.sleep(gap)
            for k in range(depth - 1, depth - 1 - presses, -1):
                started = tmux.send(session, "Left")
                ready = at_step(k, True, last=depth)
                times["Left", mode].append(tmux.wait(session, ready, started, timeout, f"step {k}"))
                time.sleep(gap)
            started = tmux.send(session, "End")
            tmux.wait(session, at_step(depth, True), started, timeout, f"step {depth}")
            time.sleep(gap)
            for k in range(depth + 1, depth + 1 + presses):
                started = tmux.send(session, "Right")
                ready = at_step(k, True)
                times["Right", mode].append(
                    tmux.wait(session, ready, started, timeout, f"step {k}")
                )
                time.sleep(gap)
            depth += presses
    return times


def loss_chart_figures(
    rows: int = 100_000,
    epochs: int = RUN_EPOCHS,
    presses: int = 5,
    rounds: int = 6,
    poll: float = 0.002,
    gap: float = 0.05,
    printer: bool = True,
) -> list[Figure]:
    """Figure 9: a step back at depth with the loss chart on screen against the weights chart."""
    say: Callable[[str], None] = print if printer else (lambda _s: None)
    seed = load_builtin("seed")
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="logsgd-bench-") as tmp:
        workdir = Path(tmp)
        csv_path = write_rows_csv(workdir / f"rows{rows}.csv", rows)
        cases = (
            (f"{rows:,} rows, batch {BATCH}", [str(csv_path), "--batch-size", str(BATCH)],
             math.ceil(rows / BATCH), TARGET_RATIO),
            ("seed lecture", [], math.ceil(seed.n_rows / seed.hyperparams.batch_size), None),
        )  # fmt: skip
        tmux = Tmux(workdir, poll)
        try:
            tmux.open(["real"])
            say(f"tmux {WIDTH}x{HEIGHT}, a capture every {poll * 1000:g} ms; times in ms")
            for label, args, per_epoch, target in cases:
                if epochs * per_epoch <= presses:
                    raise ValueError(f"{label}: {epochs} epochs are too few for {presses} Lefts")
                started = tmux.start("real", real_argv(args))
                tmux.wait("real", shows("step 0/0"), started, 60.0, "the first frame")
                time.sleep(0.5)  # let start-up work that follows the first frame finish
                started = time.perf_counter()
                depth = run_to_depth(tmux, "real", epochs, per_epoch, timeout=300.0)
                took = time.perf_counter() - started
                say(f"{label}: {epochs} epochs, {depth:,} steps, in {took:.1f} s")
                time.sleep(0.5)
                times = step_latency(tmux, "real", depth, presses, rounds, gap, 10.0)
                for (key, mode), values in times.items():
                    say(f"{label}, {key}, {mode} chart: {_ms(values)}")
                for key, what in (
                    ("Left", f"a step back (←) at step {depth:,}"),
                    ("Right", f"a new step (→) after step {depth:,}"),
                ):
                    figures.append(
                        Figure(
                            f"9. {what} of {epochs} epochs, {label}: loss chart vs weights "
                            f"chart (median of {rounds * presses} each)",
                            statistics.median(times[key, "loss"]) * 1000,
                            "ms",
                            baseline=statistics.median(times[key, "weights"]) * 1000,
                            target_ratio=target,
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
    parser.add_argument("--epochs", type=int, default=RUN_EPOCHS, help="epochs before timing")
    parser.add_argument("--presses", type=int, default=5, help="Lefts per mode and round")
    parser.add_argument("--rounds", type=int, default=6, help="rounds of both modes")
    parser.add_argument("--poll", type=float, default=0.002, help="seconds between captures")
    args = parser.parse_args()
    for f in loss_chart_figures(args.rows, args.epochs, args.presses, args.rounds, args.poll):
        print(
            f"{f.name}: {f.value:.1f} vs {f.baseline:.1f} {f.unit}  ratio {f.ratio:.2f}  "
            f"target {f.target}  met {f.met}"
        )


if __name__ == "__main__":
    main()
