"""The real `logsgd-tui` in tmux against a minimal Textual app: first frame, key latency, held key.

    python benchmarks/bench_app.py [--runs 11] [--presses 30] [--held-repeats 5] [--rows 100000]
                                   [--poll 0.002] [--importtime] [--profile DIR]

Both apps run in one private tmux server (its own socket, its own config, an environment
without COLUMNS/LINES), each in its own 120x36 session, and are read the way a person reads
them: by the text on the screen. The screen is captured through one tmux control-mode client
(`tmux -C`), which costs about 0.1 ms a capture instead of 2 ms for a `tmux capture-pane`
process, so polling every 2 ms is cheap and the timings resolve to about that.

- First frame: from asking tmux to start the command to the first capture that shows the
  seed lecture's "step 0/0" and "0.6931". Runs alternate between the apps; medians.
- Key latency: from sending Right to the first capture showing "step k/k " (the new step).
  Four apps run at once and presses take turns among them: the real app on the seed lecture
  and on --rows rows at batch 32, and the two baselines. Medians and maxima; the targets are
  the large dataset against the seed lecture (a key costs the same whatever the data's size)
  and each against --fill (a step costs no more than repainting the whole screen).
- Held key: 200 Rights in one send-keys; the time until the screen shows the step 200 later.

The baselines are benchmarks/minimal_app.py (Header, one Static, Footer; → adds one) and
`minimal_app.py --fill` (the Static is a full screen of styled numbers, all changing per key).
"""

from __future__ import annotations

import argparse
import os
import pstats
import re
import select
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Collection, Sequence
from pathlib import Path

import numpy as np
from bench_engine import Figure

COMMAND = Path(sys.executable).with_name("logsgd-tui")
MINIMAL = Path(__file__).resolve().with_name("minimal_app.py")
WIDTH, HEIGHT = 120, 36
# A pane that waits for the next app; any command that sleeps and can be killed will do.
IDLE = "exec sleep 86400"
FIRST_FRAME_TEXTS = ("step 0/0", "0.6931")
# COLUMNS/LINES would override the pane's size (GNU readline exports them behind os.environ's
# back in some hosts); PYTHONDONTWRITEBYTECODE: see Tmux.__init__.
DROPPED_VARIABLES = ("COLUMNS", "LINES", "PYTHONDONTWRITEBYTECODE")
PYCACHE = Path(tempfile.gettempdir()) / "logsgd-bench-pycache"
TARGET_FIRST_FRAME = 1.4
# A key costs the same whatever the data's size: 100k rows at batch 32 / the seed lecture.
TARGET_KEY_SIZE = 1.3
# A step never costs more than repainting the whole screen: real app / minimal_app.py --fill.
TARGET_KEY_FILL = 1.0
TARGET_HELD = 2.0
HELD_PRESSES = 200

TMUX_CONF = """\
set-option -g default-terminal xterm-256color
set-option -g remain-on-exit on
set-option -g status off
"""


class TmuxError(RuntimeError):
    """tmux refused a command, or the screen never showed what was waited for."""


class Tmux:
    """A private tmux server with one control-mode client that sends commands and captures."""

    def __init__(self, workdir: Path, poll: float) -> None:
        self.socket = f"logsgd-bench-{uuid.uuid4().hex[:12]}"
        self.conf = workdir / f"{self.socket}.conf"
        self.conf.write_text(TMUX_CONF)
        self.poll_seconds = poll
        # The first tmux command starts the server, whose environment every pane inherits.
        self.env = {k: v for k, v in os.environ.items() if k not in DROPPED_VARIABLES}
        # Both apps start as installed ones do, from compiled bytecode: this machine sets
        # PYTHONDONTWRITEBYTECODE, which would make every start compile the logsgd sources
        # anew (~50 ms), something a wheel install never does. The cache lives outside the
        # repository.
        self.env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
        self._client: subprocess.Popen[bytes] | None = None
        self._buffer = b""
        self._socket_path: Path | None = None
        self.captures = 0

    def _tmux(self, *args: str) -> str:
        result = subprocess.run(
            ["tmux", "-L", self.socket, "-f", str(self.conf), *args],
            capture_output=True,
            text=True,
            timeout=10,
            env=self.env,
        )
        if result.returncode != 0:
            raise TmuxError(f"tmux {' '.join(args)}: {result.stderr.strip()}")
        return result.stdout

    def open(self, sessions: Sequence[str]) -> None:
        for name in sessions:
            self._tmux(
                "new-session", "-d", "-s", name, "-x", str(WIDTH), "-y", str(HEIGHT), IDLE
            )  # fmt: skip
        self._socket_path = Path(self._tmux("display-message", "-p", "#{socket_path}").strip())
        # no-output: the client is not sent every byte the apps write; ignore-size: it never
        # resizes a window. (window-size manual in the config makes tmux 3.3a's server exit.)
        self._client = subprocess.Popen(
            ["tmux", "-L", self.socket, "-f", str(self.conf), "-C", "attach-session",
             "-t", sessions[0], "-f", "no-output,ignore-size"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=self.env,
        )  # fmt: skip
        for name in sessions:
            size = self.command(f"display-message -p -t {name} '#{{pane_width}}x#{{pane_height}}'")
            if size != [f"{WIDTH}x{HEIGHT}"]:
                raise TmuxError(f"session {name} is {size}, not {WIDTH}x{HEIGHT}")

    def command(self, line: str, timeout: float = 10.0) -> list[str]:
        """Send one command line through the control client; return its output lines."""
        assert self._client is not None and self._client.stdin is not None
        self._client.stdin.write(line.encode() + b"\n")
        self._client.stdin.flush()
        deadline = time.perf_counter() + timeout
        while True:
            block = self._next_block()
            if block is not None:
                ok, flags, lines = block
                if flags == "1":  # 0 marks the attach's own output block
                    if not ok:
                        raise TmuxError(f"tmux {line}: {' '.join(lines)}")
                    return lines
                continue
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise TmuxError(f"tmux {line}: no answer in {timeout:g} s")
            self._read(remaining)

    def _read(self, timeout: float) -> None:
        assert self._client is not None and self._client.stdout is not None
        fd = self._client.stdout.fileno()
        ready, _, _ = select.select([fd], [], [], timeout)
        if ready:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                raise TmuxError("the tmux control client exited")
            self._buffer += chunk

    def _next_block(self) -> tuple[bool, str, list[str]] | None:
        """Take the first complete %begin .. %end/%error block off the buffer, if any."""
        start = self._buffer.find(b"%begin ")
        if start < 0:
            return None
        header_end = self._buffer.find(b"\n", start)
        if header_end < 0:
            return None
        # The block ends at whichever of %end / %error comes first (a later block may hold
        # the other one).
        ends = [
            (found, marker == b"\n%end ")
            for marker in (b"\n%end ", b"\n%error ")
            if (found := self._buffer.find(marker, header_end - 1)) >= 0
        ]
        if not ends:
            return None
        end, ok = min(ends)
        line_end = self._buffer.find(b"\n", end + 1)
        if line_end < 0:
            return None
        footer = self._buffer[end + 1 : line_end].decode().split()
        body = self._buffer[header_end + 1 : end + 1].decode(errors="replace")
        self._buffer = self._buffer[line_end + 1 :]
        return ok, footer[-1], body.splitlines()

    def capture(self, session: str) -> str:
        self.captures += 1
        return "\n".join(self.command(f"capture-pane -p -t {session}"))

    def start(self, session: str, argv: Sequence[str], env: dict[str, str] | None = None) -> float:
        """Run argv in the session's pane (killing what ran there); return the time asked.

        `env` adds variables for this run only (respawn-pane -e).
        """
        shell = "exec " + shlex.join(argv)
        extra = "".join(f" -e {k}={v}" for k, v in (env or {}).items())
        assert "'" not in shell and " " not in extra.replace(" -e ", ""), (shell, extra)
        started = time.perf_counter()
        self.command(f"respawn-pane -k{extra} -t {session} '{shell}'")
        return started

    def stop_app(self, session: str) -> None:
        self.command(f"respawn-pane -k -t {session} '{IDLE}'")

    def send(self, session: str, *keys: str) -> float:
        started = time.perf_counter()
        self.command(f"send-keys -t {session} {' '.join(keys)}")
        return started

    def wait(
        self,
        session: str,
        ready: Callable[[str], bool],
        started: float,
        timeout: float,
        what: str,
    ) -> float:
        """Seconds from `started` to the first capture for which ready(screen) holds."""
        polls = 0
        while True:
            screen = self.capture(session)
            now = time.perf_counter()
            if ready(screen):
                return now - started
            polls += 1
            # A crashed app never gets ready; say so without waiting out the timeout.
            dead = polls % 50 == 0 and self.pane_dead(session)
            if dead or now - started > timeout:
                raise TmuxError(
                    f"{'the app exited' if dead else f'waited {timeout:g} s'} waiting for "
                    f"{what} in session {session}; the screen was:\n{screen}"
                )
            time.sleep(self.poll_seconds)

    def pane_dead(self, session: str) -> bool:
        return self.command(f"display-message -p -t {session} '#{{pane_dead}}'") == ["1"]

    def close(self) -> None:
        if self._client is not None:
            assert self._client.stdin is not None
            self._client.stdin.close()
        subprocess.run(
            ["tmux", "-L", self.socket, "kill-server"],
            capture_output=True,
            timeout=10,
            env=self.env,
        )
        if self._client is not None:
            try:
                self._client.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._client.kill()
                self._client.wait()
        # kill-server leaves the socket file behind, and so does a server that died at start
        # (before open() could ask it where its socket is): tmux's default place then.
        default = Path(os.environ.get("TMUX_TMPDIR", "/tmp")) / f"tmux-{os.getuid()}" / self.socket
        (self._socket_path or default).unlink(missing_ok=True)
        self.conf.unlink(missing_ok=True)


def shows(*texts: str) -> Callable[[str], bool]:
    return lambda screen: all(t in screen for t in texts)


def at_step(step: int, chart: bool, last: int | None = None) -> Callable[[str], bool]:
    """The screen shows `step` as the current step, and with `chart` the chart's title has it too.

    The status lines read "step 7/7 · epoch .." (real) and "step 7/7 · loss .." (minimal); with
    `last`, the history's length, "step 7/`last` " (a step back from the end). The real app's
    chart title ("step 7" alone on its line, between the panel's borders) sits near the bottom
    of the screen, so a frame drawn in two parts, or a chart drawn after the numbers, is not
    taken for the new step. The title's pattern starts at a border: the batch panel's caption
    near the top ("… · step 7   │") would match "step 7 +│" alone.
    """
    status = f"step {step}/{step if last is None else last} "
    title = re.compile(rf"│ +step {step} +│")
    return lambda screen: status in screen and (not chart or title.search(screen) is not None)


def real_argv(args: Sequence[str] = ()) -> list[str]:
    return [str(COMMAND), *args]


def minimal_argv(fill: bool = False) -> list[str]:
    return [sys.executable, str(MINIMAL), *(["--fill"] if fill else [])]


def write_rows_csv(path: Path, rows: int) -> Path:
    """A 2-feature, 0/1-label CSV of `rows` rows (the same data as bench_engine's)."""
    rng = np.random.default_rng(12345)
    x = rng.normal(size=(rows, 2))
    y = (x[:, 0] + 0.5 * x[:, 1] + rng.normal(scale=0.5, size=rows) > 0).astype(int)
    with path.open("w") as out:
        out.write("a,b,y\n")
        for (a, b), label in zip(x.tolist(), y.tolist(), strict=True):
            out.write(f"{a!r},{b!r},{label}\n")
    return path


# ---------------------------------------------------------------------------- the figures

Times = dict[str, list[float]]


def _turn(names: Sequence[str], i: int) -> list[str]:
    """The sessions in the order of round i: who goes first rotates, so no app always leads."""
    k = i % len(names)
    return [*names[k:], *names[:k]]


def first_frame(tmux: Tmux, apps: dict[str, list[str]], runs: int, timeout: float) -> Times:
    """Seconds to the first frame, `runs` per app, the apps taking turns.

    One start of each app comes first, untimed: it fills the bytecode cache and the page cache,
    as any start after the first finds them.
    """
    times: Times = {name: [] for name in apps}
    for i in range(-1, runs):
        for session in _turn(list(apps), i):
            started = tmux.start(session, apps[session])
            seconds = tmux.wait(session, shows(*FIRST_FRAME_TEXTS), started, timeout, "first frame")
            if i >= 0:
                times[session].append(seconds)
            tmux.stop_app(session)
            time.sleep(0.3)  # the killed app has gone before the next one starts
    return times


def start_apps(tmux: Tmux, apps: dict[str, list[str]], timeout: float) -> None:
    for session, argv in apps.items():
        started = tmux.start(session, argv)
        tmux.wait(session, shows("step 0/0"), started, timeout, "the first frame")
    time.sleep(0.5)  # let start-up work that follows the first frame finish


def key_latency(
    tmux: Tmux,
    sessions: Sequence[str],
    presses: int,
    gap: float,
    timeout: float,
    *,
    charted: Collection[str],
) -> Times:
    """Seconds from Right to the new step on screen, for steps 1..presses; apps take turns.

    The sessions in `charted` run the real app: their chart's title must show the step too.
    """
    times: Times = {name: [] for name in sessions}
    for k in range(1, presses + 1):
        for session in _turn(sessions, k):
            started = tmux.send(session, "Right")
            ready = at_step(k, session in charted)
            times[session].append(tmux.wait(session, ready, started, timeout, f"step {k}"))
            time.sleep(gap)
    return times


def held_key(
    tmux: Tmux,
    sessions: Sequence[str],
    first_step: int,
    repeats: int,
    timeout: float,
    *,
    charted: Collection[str],
) -> Times:
    """Seconds from 200 Rights sent at once to the screen at the step 200 later."""
    times: Times = {name: [] for name in sessions}
    step = first_step
    for i in range(repeats):
        step += HELD_PRESSES
        for session in _turn(sessions, i):
            started = tmux.send(session, *["Right"] * HELD_PRESSES)
            ready = at_step(step, session in charted)
            times[session].append(tmux.wait(session, ready, started, timeout, f"step {step}"))
            time.sleep(0.2)
    return times


def _ms(values: list[float]) -> str:
    return " ".join(f"{v * 1000:.0f}" for v in values)


def app_figures(
    runs: int = 11,
    presses: int = 30,
    held_repeats: int = 5,
    rows: int = 100_000,
    poll: float = 0.002,
    gap: float = 0.05,
    printer: bool = True,
) -> list[Figure]:
    """Figures 1-3 of the issue: the real app against the minimal apps, in one tmux server.

    Key latency runs four apps at once, presses taking turns among them: the real app on the
    seed lecture ("seed") and on the large dataset ("rows"), the one-line counter ("mini") and
    the full screen of styled numbers ("fill"). So the seed lecture is the baseline of the large
    dataset, and --fill of both, each from the same presses' time.
    """
    figures: list[Figure] = []
    say: Callable[[str], None] = print if printer else (lambda _s: None)
    rows_label = f"{rows:,} rows, batch 32"
    with tempfile.TemporaryDirectory(prefix="logsgd-bench-") as tmp:
        workdir = Path(tmp)
        csv_path = write_rows_csv(workdir / f"rows{rows}.csv", rows)
        apps = {
            "seed": real_argv(),
            "rows": real_argv([str(csv_path), "--batch-size", "32"]),
            "mini": minimal_argv(),
            "fill": minimal_argv(fill=True),
        }
        real_apps = ("seed", "rows")
        tmux = Tmux(workdir, poll)
        try:
            tmux.open(list(apps))
            say(f"tmux {WIDTH}x{HEIGHT}, a capture every {poll * 1000:g} ms; times in ms")

            times = first_frame(tmux, {"seed": apps["seed"], "mini": apps["mini"]}, runs, 30.0)
            for name, values in times.items():
                say(f"first frame  {name}: {_ms(values)}")
            figures.append(
                Figure(
                    f"1. time to first frame, seed lecture (median of {runs})",
                    statistics.median(times["seed"]) * 1000,
                    "ms",
                    baseline=statistics.median(times["mini"]) * 1000,
                    target_ratio=TARGET_FIRST_FRAME,
                )
            )

            start_apps(tmux, apps, timeout=60.0)
            times = key_latency(tmux, list(apps), presses, gap, 10.0, charted=real_apps)
            for name, values in times.items():
                say(f"key latency  {name}: {_ms(values)}")
            median = {name: statistics.median(values) * 1000 for name, values in times.items()}
            for session, label in (("seed", "seed lecture"), ("rows", rows_label)):
                figures += [
                    Figure(
                        f"2. key latency, {label}, median of {presses}, vs a full screen of "
                        "styled numbers (minimal_app.py --fill)",
                        median[session],
                        "ms",
                        baseline=median["fill"],
                        target_ratio=TARGET_KEY_FILL,
                    ),
                    Figure(
                        f"2. key latency, {label}, median of {presses}, vs the one-line counter",
                        median[session],
                        "ms",
                        baseline=median["mini"],
                    ),
                    Figure(
                        f"2. key latency, {label}, max of {presses}, vs the one-line counter",
                        max(times[session]) * 1000,
                        "ms",
                        baseline=max(times["mini"]) * 1000,
                    ),
                ]
            figures.append(
                Figure(
                    f"2. key latency, {rows_label} vs the seed lecture, median of {presses}",
                    median["rows"],
                    "ms",
                    baseline=median["seed"],
                    target_ratio=TARGET_KEY_SIZE,
                )
            )

            held = ["seed", "rows", "mini"]
            times = held_key(tmux, held, presses, held_repeats, 60.0, charted=real_apps)
            for name, values in times.items():
                say(f"held key  {name}: {_ms(values)}")
            for session, label, target in (
                ("seed", "seed lecture", TARGET_HELD),
                ("rows", rows_label, None),
            ):
                figures.append(
                    Figure(
                        f"3. {HELD_PRESSES} Rights at once, {label} (median of {held_repeats})",
                        statistics.median(times[session]) * 1000,
                        "ms",
                        baseline=statistics.median(times["mini"]) * 1000,
                        target_ratio=target,
                    )
                )
            for session in apps:
                tmux.stop_app(session)
            say(f"{tmux.captures} screen captures")
        finally:
            tmux.close()
    return figures


# ---------------------------------------------------------------------------- import time

# Run as the pane's command: -X importtime writes to fd 2, and Textual draws on sys.__stderr__
# (fd 2 too). So fd 2 goes to a file and Textual gets the terminal as a fresh stream; the
# import log then holds every import up to the first frame, the ones done lazily included.
IMPORTTIME_SHIM = """\
import os, sys
log = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
tty = open("/dev/tty", "w")
os.dup2(log, 2)
sys.stderr = sys.__stderr__ = tty
script = sys.argv[2]
sys.argv = sys.argv[2:]
if script.endswith("logsgd-tui"):
    from logsgd.tui.cli import main
    sys.exit(main())
import runpy
runpy.run_path(script, run_name="__main__")
"""

IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)")


def parse_importtime(text: str) -> list[tuple[str, int, int, int]]:
    """(module, self us, cumulative us, depth) for each import in a -X importtime log."""
    out = []
    for line in text.splitlines():
        match = IMPORT_LINE.match(line)
        if match:
            self_us, cumulative, indent, name = match.groups()
            out.append((name, int(self_us), int(cumulative), len(indent) // 2))
    return out


def extra_imports(
    rows: list[tuple[str, int, int, int]], baseline: set[str]
) -> list[tuple[str, int]]:
    """(module, cumulative us) of each import tree the baseline does not have, largest first.

    A tree's root is a module outside the baseline (and outside logsgd, whose own modules are
    counted apart) imported by a module of logsgd or of the baseline: numpy imported by
    logsgd.core.dataset, say. -X importtime lists a module after its imports, one indent
    deeper, so a module's importer is the next row with a smaller indent.
    """
    roots = []
    for i, (name, _self_us, cumulative, depth) in enumerate(rows):
        if name in baseline or name.startswith("logsgd"):
            continue
        parent = next((r[0] for r in rows[i + 1 :] if r[3] < depth), None)
        if parent is None or parent in baseline or parent.startswith("logsgd"):
            roots.append((name, cumulative))
    return sorted(roots, key=lambda r: -r[1])


def import_times(timeout: float = 30.0, top: int = 15, printer: bool = True) -> list[Figure]:
    """Import time up to the first frame of both apps, and the real app's top offenders."""
    say: Callable[[str], None] = print if printer else (lambda _s: None)
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="logsgd-bench-") as tmp:
        workdir = Path(tmp)
        shim = workdir / "importtime_shim.py"
        shim.write_text(IMPORTTIME_SHIM)
        tmux = Tmux(workdir, 0.005)
        logs = {}
        try:
            tmux.open(["real", "mini"])
            # A plain start of each first, so the bytecode cache is warm (as in first_frame).
            for session, argv in (("real", real_argv()), ("mini", minimal_argv())):
                started = tmux.start(session, argv)
                tmux.wait(session, shows(*FIRST_FRAME_TEXTS), started, timeout, "first frame")
                tmux.stop_app(session)
            for session, script in (("real", str(COMMAND)), ("mini", str(MINIMAL))):
                log = workdir / f"{session}.importtime"
                argv = [sys.executable, "-X", "importtime", str(shim), str(log), script]
                started = tmux.start(session, argv)
                tmux.wait(session, shows(*FIRST_FRAME_TEXTS), started, timeout, "the first frame")
                tmux.stop_app(session)
                logs[session] = parse_importtime(log.read_text())
        finally:
            tmux.close()
    totals = {s: sum(c for _, _, c, depth in rows if depth == 0) for s, rows in logs.items()}
    say(
        f"imports up to the first frame: real {totals['real'] / 1000:.0f} ms "
        f"({len(logs['real'])} modules), minimal {totals['mini'] / 1000:.0f} ms "
        f"({len(logs['mini'])} modules); the shim's own start-up imports are not in either"
    )
    figures.append(
        Figure(
            "1. imports up to the first frame (-X importtime, sum of top level)",
            totals["real"] / 1000,
            "ms",
            baseline=totals["mini"] / 1000,
        )
    )
    mini_names = {name for name, *_ in logs["mini"]}
    rows = logs["real"]
    say(f"what logsgd-tui imports that the minimal app does not, by cumulative time (top {top}):")
    for name, cumulative in extra_imports(rows, mini_names)[:top]:
        say(f"  {cumulative / 1000:8.1f} ms  {name}")
    own = sum(s for n, s, _c, _d in rows if n.startswith("logsgd"))
    say(f"  {own / 1000:8.1f} ms  logsgd.* modules themselves (self time)")
    say(f"top {top} imports of logsgd-tui by self time:")
    for name, self_us, _c, _d in sorted(rows, key=lambda r: -r[1])[:top]:
        extra = "" if name in mini_names else "  (not in the minimal app)"
        say(f"  {self_us / 1000:8.1f} ms  {name}{extra}")
    only_real = [(n, s) for n, s, _c, _d in rows if n not in mini_names]
    say(
        f"modules the minimal app does not import: {len(only_real)}, "
        f"{sum(s for _, s in only_real) / 1000:.0f} ms of self time"
    )
    return figures


# ---------------------------------------------------------------------------- profile


def profile_app(outdir: Path, rows: int, presses: int, top: int = 30) -> None:
    """cProfile the real app in tmux: start, `presses` Rights, q. Prints the top functions."""
    outdir.mkdir(parents=True, exist_ok=True)
    csv_path = write_rows_csv(outdir / f"rows{rows}.csv", rows)
    cases = (("seed", []), (f"rows{rows}", [str(csv_path), "--batch-size", "32"]))
    tmux = Tmux(outdir, 0.002)
    try:
        tmux.open(["real"])
        for label, args in cases:
            prof = outdir / f"{label}.prof"
            argv = [sys.executable, "-m", "cProfile", "-o", str(prof), str(COMMAND), *args]
            started = tmux.start("real", argv)
            t = tmux.wait("real", shows("step 0/0"), started, 60.0, "the first frame")
            print(f"{label}: first frame under cProfile {t * 1000:.0f} ms")
            time.sleep(0.5)
            for k in range(1, presses + 1):
                sent = tmux.send("real", "Right")
                tmux.wait("real", at_step(k, True), sent, 10.0, f"step {k}")
                time.sleep(0.05)
            tmux.send("real", "q")
            deadline = time.perf_counter() + 20
            while not prof.exists() and time.perf_counter() < deadline:
                time.sleep(0.05)
            time.sleep(0.5)  # the profile is written as the interpreter exits
            stats = pstats.Stats(str(prof))
            stats.sort_stats("cumulative").print_stats(top)
            stats.sort_stats("tottime").print_stats(top)
            print(f"profile written to {prof}")
    finally:
        tmux.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11, help="first-frame runs per app")
    parser.add_argument("--presses", type=int, default=30, help="Right presses per app")
    parser.add_argument("--held-repeats", type=int, default=5)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--poll", type=float, default=0.002, help="seconds between captures")
    parser.add_argument("--importtime", action="store_true", help="also report import times")
    parser.add_argument("--profile", type=Path, help="cProfile the app into DIR instead")
    args = parser.parse_args()
    if args.profile is not None:
        profile_app(args.profile, args.rows, args.presses)
        return
    figures = app_figures(args.runs, args.presses, args.held_repeats, args.rows, args.poll)
    if args.importtime:
        figures += import_times()
    for f in figures:
        print(f.line())


if __name__ == "__main__":
    main()
