"""The headless export: run the steps, then write the export, with progress on a terminal.

A run that cannot fit in memory is refused before it starts ("needs about N GB"); one that takes
more than a second shows Rich's progress bar on stderr when stderr is a terminal (never in a
pipe or a file); the export is streamed to its output as each step is written.
"""

from __future__ import annotations

import math
import os
import resource
import sys
import time
from collections.abc import Iterator
from typing import Any, TextIO

from logsgd.core.engine import Engine
from logsgd.core.events import StepEvent

# A progress bar appears only for work that has taken longer than this.
PROGRESS_AFTER_SECONDS = 1.0
# Bytes a recorded step holds beyond its weights (and velocities): settings id, epoch, offset.
STEP_BOOKKEEPING_BYTES = 12
# While the history grows by half, the old arrays and the new ones are both held: a run's peak
# is up to 5/3 of what it keeps, so a run is refused if twice what it keeps is not available.
PEAK_FACTOR = 2


class RunTooLarge(Exception):
    """A run whose history would not fit in the memory there is; the message says how much."""


def history_bytes(engine: Engine, steps: int) -> int:
    """What `steps` recorded steps hold: the weights (and, with momentum, velocities) of each."""
    width = engine.dataset.n_features + 1
    per_step = 8 * width * (2 if engine.hyperparams.momentum else 1) + STEP_BOOKKEEPING_BYTES
    return steps * per_step


def available_bytes() -> int | None:
    """Memory a run may still take: the smaller of what the system has free and this
    process's address-space limit; None if neither is known."""
    limits: list[int] = []
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    limits.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY:
        limits.append(max(0, soft - _resident_bytes()))
    return min(limits) if limits else None


def _resident_bytes() -> int:
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def check_fits(engine: Engine, steps: int, flag: str) -> None:
    """RunTooLarge if `steps` steps of history would not fit in the memory there is."""
    needed = history_bytes(engine, steps)
    free = available_bytes()
    if free is not None and PEAK_FACTOR * needed > free:
        raise RunTooLarge(
            f"{flag}: the run's history needs about {_gigabytes(PEAK_FACTOR * needed)} of memory "
            f"while it grows, more than the {_gigabytes(free)} available; export fewer steps"
        )


def _gigabytes(count: int) -> str:
    value = count / 1e9
    return f"{value:.1f} GB" if value >= 0.1 else f"{count / 1e6:.0f} MB"


class Progress:
    """Rich's progress bar on stderr, for work that has gone on for more than a second.

    Nothing is shown when stderr is not a terminal, and nothing for work that ends sooner.
    """

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._started = time.monotonic()
        self._bar: Any = None
        self._task: Any = None
        self._description = ""

    def phase(self, description: str) -> None:
        """The work now under way; its count starts at 0."""
        self._description = description
        if self._bar is not None:
            self._bar.reset(self._task, description=description)

    def update(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self._bar is None:
            if time.monotonic() - self._started < PROGRESS_AFTER_SECONDS:
                return
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TextColumn,
                TimeRemainingColumn,
            )
            from rich.progress import Progress as RichProgress

            self._bar = RichProgress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=Console(file=sys.stderr),
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task(self._description, total=total)
        self._bar.update(self._task, completed=done, total=total)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def run(engine: Engine, steps: int | None, epochs: int, progress: Progress) -> None:
    """Run `steps` steps, or `epochs` epochs, reporting how far the run is."""
    start = engine.history_length
    total = steps if steps is not None else planned_steps(engine, epochs)

    def report(_done: int = 0, _count: int = 0) -> None:
        progress.update(engine.history_length - start, max(total, 1))

    if steps is not None:
        progress.phase("running")
        engine.run_steps(steps, progress=report)
    else:
        progress.phase(f"running {epochs} epoch{'s' if epochs != 1 else ''}")
        engine.run_epochs(epochs, progress=report)
    report()


def planned_steps(engine: Engine, epochs: int) -> int:
    """The steps `epochs` epochs take from the start at the current batch size."""
    return epochs * math.ceil(engine.n_rows / engine.hyperparams.batch_size)


def reported(events: Iterator[StepEvent], total: int, progress: Progress) -> Iterator[StepEvent]:
    """The events, with the writing of each reported."""
    progress.phase("writing")
    for done, event in enumerate(events, start=1):
        yield event
        progress.update(done, max(total, 1))


def is_terminal(stream: TextIO | None) -> bool:
    """True for a stream that is a terminal; False for a file, a pipe, or a closed stream."""
    try:
        return bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False
