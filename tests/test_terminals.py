"""Real terminals in tmux: resizing down to too small and back, NO_COLOR, 16 colours, key
floods, and signals that end the app."""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import random
import re
import select
import shutil
import signal
import struct
import subprocess
import termios
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tmux_harness import (
    COMMAND,
    FIRST_FRAME_SECONDS,
    TmuxApp,
    pane_environment,
    resident_kib,
    tmux_apps,
)

from logsgd.tui.app import MIN_HEIGHT, MIN_WIDTH

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None,
    reason="tmux is not installed (CI installs it: apt-get install tmux)",
)

TOO_SMALL = f"terminal too small: need at least {MIN_WIDTH}x{MIN_HEIGHT}"
# The seed lecture's steps 1 and 2 as the panels print them (gradients, batch, predictions).
STEP_0 = ("step 0/", "0.6931")
STEP_1 = ("step 1/", "1.072e-06", "4.394e-32", "60.50", "-0.5875")
STEP_2 = ("step 2/", "-210.0", "-204.0", "1.452")
# A flood that drives the seed lecture far from step 0, with enough Lefts to clamp and replay.
FLOOD_KEYS = 2000
FLOOD_SEED = 20240917
FLOOD_RIGHT_SHARE = 0.6
KEYS_PER_CALL = 200
# A flood computes at most FLOOD_KEYS steps; their records are a few hundred bytes each.
FLOOD_MEMORY_KIB = 50 * 1024
FLOOD_SECONDS = 60.0
QUIT_SECONDS = 1.0


@pytest.fixture
def launch(tmp_path: Path) -> Iterator[Callable[..., TmuxApp]]:
    """Start `logsgd-tui` (size, then args/env/term); the tmux servers are killed afterwards."""
    with tmux_apps(tmp_path) as start:
        yield start


def _text(screen: str) -> str:
    """The screen's words joined by single spaces: the same whatever the line breaks."""
    return " ".join(screen.split())


def _too_small_only(width: int, height: int) -> Callable[[str], bool]:
    """The screen holds the too-small message and nothing else (its own size at most)."""

    def ready(screen: str) -> bool:
        text = _text(screen)
        return text.startswith(TOO_SMALL) and text.removeprefix(TOO_SMALL).strip() in (
            "",
            f"(now {width}x{height})",
        )

    return ready


# ---------------------------------------------------------------------- resize


def _compact_at(width: int) -> Callable[[str], bool]:
    """Step 2 in the compact layout, its batch panel's top border exactly `width` wide."""

    def ready(screen: str) -> bool:
        lines = screen.splitlines()
        framed = any(
            line.startswith("╭─ Batch ─") and len(line) == width and line[-1] == "╮"
            for line in lines
        )
        text = _text(screen)
        return (
            framed
            and "step 2/2" in text
            and "batch 2/2 of epoch 1 · step 2" in text
            and TOO_SMALL not in text
        )

    return ready


def test_resize_down_to_too_small_and_back_recovers(launch: Callable[..., TmuxApp]) -> None:
    app = launch(120, 36)
    app.wait_for(("step 0/0", "0.6931"), seconds=FIRST_FRAME_SECONDS)
    app.press("Right")
    app.wait_for(STEP_1)
    app.press("Right")
    app.wait_for(("step 2/2", *STEP_2[1:]))

    # The sizes, with the edges of the minimum put in; a size is visited once.
    sizes = dict.fromkeys(
        [
            (100, 30),
            (80, 24),
            (MIN_WIDTH, MIN_HEIGHT),
            (MIN_WIDTH - 1, MIN_HEIGHT),
            (MIN_WIDTH, MIN_HEIGHT - 1),
            (60, 16),
            (50, 14),
            (40, 12),
        ]
    )
    for width, height in sizes:
        app.resize(width, height)
        assert app.pane_size() == (width, height)
        if width < MIN_WIDTH or height < MIN_HEIGHT:
            screen = app.poll(
                _too_small_only(width, height),
                5.0,
                f"only {TOO_SMALL!r} at {width}x{height}",
            )
            # One line says it all: the message itself is never broken across lines.
            assert any(TOO_SMALL in line for line in screen.splitlines()), screen
        else:
            # Compact layout: the status line keeps the step, and the batch panel is redrawn
            # edge to edge at the new width (a stale frame, cut by tmux, ends mid-border).
            app.poll(
                _compact_at(width),
                5.0,
                f"step 2 in the compact layout at {width}x{height}",
            )

    # Back to full size: step 2's numbers again, and the arrows still step back and on.
    app.resize(120, 36)
    app.wait_for(("step 2/2", *STEP_2[1:]), hides=(TOO_SMALL, "60.50"))
    app.press("Left")
    app.wait_for(("step 1/2", *STEP_1[1:]), hides=(TOO_SMALL, "-210.0"))
    app.press("Right", "Right")
    app.wait_for(("step 3/3", "epoch 2 batch 1/2"), hides=(TOO_SMALL,))

    assert app.alive()
    status, _ = app.quit()
    assert status == "0"


# ---------------------------------------------------------------------- colours

# What carries meaning without colour at step 1 of the seed lecture: the batch rows (▶), right
# and wrong predictions (✓ ✗), flipped predictions (⇄), the largest term (◀), and signs.
MARKS = ("▶ 1", "▶ 2", "✓", "✗", "⇄", "◀", "-0.5875", "(-1.000e-08)")
SGR = re.compile(r"\x1b\[([0-9;:]*)m")


def _colours(screen: str) -> set[tuple[str, ...]]:
    """Every foreground/background colour in the SGR sequences of a `capture-pane -e` screen.

    Each colour is ("16", code) for the 16 ANSI colours, ("256", index) or ("rgb", r, g, b).
    Defaults (39, 49) and attributes (bold, reverse, ...) are not colours.
    """
    found: set[tuple[str, ...]] = set()
    for params in SGR.findall(screen):
        codes = re.split("[;:]", params) if params else []
        i = 0
        while i < len(codes):
            code = int(codes[i] or 0)
            if code in (38, 48, 58) and i + 2 < len(codes) and codes[i + 1] == "5":
                found.add(("256", codes[i + 2]))
                i += 3
                continue
            if code in (38, 48, 58) and i + 4 < len(codes) and codes[i + 1] == "2":
                found.add(("rgb", *codes[i + 2 : i + 5]))
                i += 5
                continue
            if 30 <= code <= 37 or 40 <= code <= 47 or 90 <= code <= 97 or 100 <= code <= 107:
                found.add(("16", str(code)))
            i += 1
    return found


def _is_grey(colour: tuple[str, ...]) -> bool:
    """True for black, white and the greys between; False for anything with a hue."""
    kind, *values = colour
    if kind == "rgb":
        return len(set(values)) == 1
    if kind == "16":
        return int(values[0]) % 10 in (0, 7)  # black and white, normal and bright
    index = int(values[0])
    if index < 16:
        return index in (0, 7, 8, 15)
    if index < 232:  # the 6x6x6 cube: grey where red, green and blue levels agree
        cube = index - 16
        return cube // 36 == cube // 6 % 6 == cube % 6
    return True  # 232-255: the grey ramp


def _step_once_and_capture(app: TmuxApp) -> str:
    app.wait_for(("step 0/0", "0.6931"), seconds=FIRST_FRAME_SECONDS)
    app.press("Right")
    app.wait_for((*STEP_1, *MARKS))
    # The same frame again with its colours: no redraw is pending once the marks are on screen.
    return app.screen(escapes=True)


def test_no_color_keeps_the_numbers_and_marks_and_drops_every_hue(
    launch: Callable[..., TmuxApp],
) -> None:
    # Control: the normal app does colour its text, so the grey check below can fail.
    coloured = launch(120, 36)
    hues = {c for c in _colours(_step_once_and_capture(coloured)) if not _is_grey(c)}
    assert hues, "the normal app shows no colour at all, so NO_COLOR cannot be told apart"

    app = launch(120, 36, env={"NO_COLOR": "1"})
    screen = _step_once_and_capture(app)
    colours = _colours(screen)
    hued = sorted(c for c in colours if not _is_grey(c))
    assert hued == [], f"NO_COLOR=1 still shows hues {hued}"
    # Still emphasis where it helps (bold, reverse): shades of grey and attributes remain.
    assert SGR.search(screen)
    for started in (coloured, app):
        status, _ = started.quit()
        assert status == "0"


def test_sixteen_colour_terminal_gets_no_256_or_truecolor_sequences(
    launch: Callable[..., TmuxApp],
) -> None:
    app = launch(120, 36, term="xterm")
    screen = _step_once_and_capture(app)
    assert "38;5;" not in screen and "48;5;" not in screen, "256-colour sequences for TERM=xterm"
    assert "38;2;" not in screen and "48;2;" not in screen, "truecolor sequences for TERM=xterm"
    colours = _colours(screen)
    assert colours, "TERM=xterm shows no colour at all"
    assert {kind for kind, *_ in colours} == {"16"}, sorted(colours)
    # Colour still separates things: more than black and white.
    assert any(not _is_grey(c) for c in colours), sorted(colours)
    status, _ = app.quit()
    assert status == "0"


# ---------------------------------------------------------------------- key floods


def _flood(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["Right" if rng.random() < FLOOD_RIGHT_SHARE else "Left" for _ in range(count)]


def _implied_steps(keys: list[str]) -> tuple[int, int]:
    """The step the keys end on and the steps recorded: Left stops at 0, Right goes one on.

    The seed lecture never diverges, so every Right moves one step.
    """
    step = recorded = 0
    for key in keys:
        step = step + 1 if key == "Right" else max(0, step - 1)
        recorded = max(recorded, step)
    return step, recorded


def _send_in_chunks(app: TmuxApp, keys: list[str]) -> None:
    for start in range(0, len(keys), KEYS_PER_CALL):
        app.press(*keys[start : start + KEYS_PER_CALL])


def test_a_flood_of_2000_arrow_keys_ends_on_the_implied_step(
    launch: Callable[..., TmuxApp],
    record_property: Callable[[str, object], None],
) -> None:
    keys = _flood(FLOOD_KEYS, FLOOD_SEED)
    step, recorded = _implied_steps(keys)
    assert keys.count("Left") > 500 and step > 100, "the flood should go both ways and far"

    app = launch(120, 36)
    app.wait_for(("step 0/0",), seconds=FIRST_FRAME_SECONDS)
    pid = app.app_pid()
    rss_before = resident_kib(pid)

    sent = time.monotonic()
    _send_in_chunks(app, keys)
    app.wait_for((f"step {step}/{recorded} ",), seconds=FLOOD_SECONDS)
    flood_seconds = time.monotonic() - sent
    rss_after = resident_kib(pid)

    # Still the same process, and it answers a key right away.
    assert app.app_pid() == pid
    status, quit_seconds = app.quit()
    for name, value in (
        ("flood_seconds", round(flood_seconds, 3)),
        ("quit_seconds", round(quit_seconds, 3)),
        ("rss_before_kib", rss_before),
        ("rss_after_kib", rss_after),
        ("implied_step", step),
        ("recorded_steps", recorded),
    ):
        record_property(name, value)
    print(
        f"flood of {FLOOD_KEYS}: step {step}/{recorded} after {flood_seconds:.2f} s; "
        f"quit in {quit_seconds:.2f} s; RSS {rss_before} -> {rss_after} KiB"
    )
    assert status == "0"
    assert quit_seconds < QUIT_SECONDS, f"q took {quit_seconds:.2f} s after the flood"
    assert rss_after - rss_before < FLOOD_MEMORY_KIB, (
        f"RSS grew {rss_before} -> {rss_after} KiB over the flood"
    )


def test_a_held_right_key_ends_on_step_200(launch: Callable[..., TmuxApp]) -> None:
    app = launch(120, 36)
    app.wait_for(("step 0/0",), seconds=FIRST_FRAME_SECONDS)
    app.press(*["Right"] * 200)
    # Step 200 is the second batch of epoch 100: rows 3 and 4.
    app.wait_for(("step 200/200 ", "epoch 100 batch 2/2"), seconds=FLOOD_SECONDS)
    status, quit_seconds = app.quit()
    assert status == "0"
    assert quit_seconds < QUIT_SECONDS, f"q took {quit_seconds:.2f} s after 200 Rights"


# ---------------------------------------------------------------------- signals


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_to_the_app_restores_the_terminal(
    launch: Callable[..., TmuxApp], signum: signal.Signals
) -> None:
    # kill, or an SSH session that hangs up: once the app died in the alternate screen with
    # mouse reporting on, and the lecturer's shell was unusable until `reset`.
    app = launch(120, 36)
    app.wait_for(STEP_0, seconds=FIRST_FRAME_SECONDS)
    assert app.pane("#{alternate_on} #{mouse_any_flag}") == "1 1"
    app.press("Right")
    app.wait_for(STEP_1)
    os.kill(app.app_pid(), signum)
    deadline = time.monotonic() + 10
    while app.pane("#{pane_dead}") != "1":  # ended by the signal: a dead pane with no status
        assert time.monotonic() < deadline, app.screen()
        time.sleep(0.05)
    assert app.pane("#{alternate_on} #{mouse_any_flag}") == "0 0"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_signalled_app_ends_by_the_signal_after_restoring_the_screen(
    signum: signal.Signals,
) -> None:
    # On a pseudo-terminal of its own: what it writes last is the way back from the alternate
    # screen, and it ends as the signal ends a process (a shell sees 128 + the signal).
    main, secondary = pty.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 36, 120, 0, 0))
    env = pane_environment({"TERM": "xterm-256color"})
    process = subprocess.Popen(
        [str(COMMAND)], stdin=secondary, stdout=secondary, stderr=secondary, env=env
    )
    os.close(secondary)
    written = b""
    try:
        deadline = time.monotonic() + FIRST_FRAME_SECONDS
        while b"0.6931" not in written:  # the first frame is drawn
            assert time.monotonic() < deadline, written[-500:]
            if select.select([main], [], [], 0.1)[0]:
                written += os.read(main, 65536)
        process.send_signal(signum)
        deadline = time.monotonic() + 10
        while process.poll() is None:
            assert time.monotonic() < deadline, "the app did not end"
            if select.select([main], [], [], 0.1)[0]:
                with contextlib.suppress(OSError):
                    written += os.read(main, 65536)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(main)
    assert process.returncode == -signum
    tail = written[written.rfind(b"0.6931") :]
    assert b"\x1b[?1049l" in tail  # the alternate screen left
    assert b"\x1b[?1000l" in tail or b"\x1b[?1003l" in tail  # mouse reporting off


def _app_on_its_own_terminal() -> tuple[subprocess.Popen[bytes], int]:
    """The app on a pseudo-terminal that is its controlling terminal (as over SSH): closing
    the main side hangs it up, SIGHUP and all. Returns the process and the main side, once
    the first frame is drawn and a step taken."""
    main, secondary = pty.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 36, 120, 0, 0))
    env = pane_environment({"TERM": "xterm-256color"})

    def take_terminal() -> None:  # in the child, after setsid: the pty becomes its terminal
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    process = subprocess.Popen(
        [str(COMMAND)],
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        env=env,
        start_new_session=True,
        preexec_fn=take_terminal,
    )
    os.close(secondary)
    written = b""
    deadline = time.monotonic() + FIRST_FRAME_SECONDS
    while b"0.6931" not in written:
        assert time.monotonic() < deadline, written[-500:]
        if select.select([main], [], [], 0.1)[0]:
            written += os.read(main, 65536)
    os.write(main, b"\x1b[C")  # → : a frame being drawn when the line drops is the usual case
    time.sleep(0.05)
    return process, main


@pytest.mark.parametrize("repeat", range(4))
def test_a_hung_up_terminal_ends_the_app(repeat: int) -> None:
    # An SSH session that drops (or a tmux server killed) takes the terminal away: the app
    # gets SIGHUP and its last writes fail. Once its shutdown waited forever on Textual's
    # output thread, and each dropped session left a process running (2 of 2 apps in a killed
    # tmux server, every time). It must end, by the signal.
    process, main = _app_on_its_own_terminal()
    try:
        os.close(main)
        deadline = time.monotonic() + 10
        while process.poll() is None:
            assert time.monotonic() < deadline, "the app outlived its terminal by 10 s"
            time.sleep(0.05)
        assert process.returncode in (-signal.SIGHUP, 128 + signal.SIGHUP)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
