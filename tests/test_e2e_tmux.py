"""End to end: the real `logsgd-tui` in a private tmux server, driven by keys, read off screen."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None,
    reason="tmux is not installed (CI installs it: apt-get install tmux)",
)

COMMAND = Path(sys.executable).with_name("logsgd-tui")
# Python start-up plus Textual's first frame; generous so a loaded CI machine does not flake.
FIRST_FRAME_SECONDS = 15.0
KEY_SECONDS = 5.0
EXIT_SECONDS = 5.0
POLL_SECONDS = 0.05

# Written before the server starts, so the pane is already kept when a quick crash ends it.
# The status bar is off because it would take one line of the size the app is meant to get.
TMUX_CONF = """\
set-option -g default-terminal xterm-256color
set-option -g remain-on-exit on
set-option -g status off
"""


def _pane_environment() -> dict[str, str]:
    """Our environment without COLUMNS and LINES, which would override the pane's real size.

    The tmux server hands its starting environment to the pane, and Textual (through
    shutil.get_terminal_size) believes COLUMNS/LINES over the terminal. GNU readline, once
    loaded in this process, exports COLUMNS=80 LINES=24 behind os.environ's back, so an
    explicit copy of os.environ is passed rather than the process environment.
    """
    return {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}


class TmuxApp:
    """The app running in a detached session of a tmux server that no other test or person uses."""

    def __init__(self, conf: Path, width: int, height: int) -> None:
        self.socket = f"logsgd-e2e-{uuid.uuid4().hex[:12]}"
        self.target = "logsgd"
        self.conf = conf
        self.width = width
        self.height = height

    def tmux(self, *args: str) -> str:
        result = subprocess.run(
            ["tmux", "-L", self.socket, "-f", str(self.conf), *args],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
            env=_pane_environment(),
        )
        return result.stdout

    def start(self) -> None:
        self.tmux(
            "new-session", "-d", "-s", self.target,
            "-x", str(self.width), "-y", str(self.height),
            str(COMMAND),
        )  # fmt: skip

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.target)

    def press(self, key: str) -> None:
        self.tmux("send-keys", "-t", self.target, key)

    def pane(self, fmt: str) -> str:
        return self.tmux("display-message", "-p", "-t", self.target, fmt).strip()

    def wait_for(
        self,
        shows: tuple[str, ...],
        hides: tuple[str, ...] = (),
        seconds: float = KEY_SECONDS,
    ) -> str:
        """Poll the screen until every text in `shows` is on it and none in `hides`."""

        def ready(screen: str) -> bool:
            return all(t in screen for t in shows) and not any(t in screen for t in hides)

        return self._poll(ready, seconds, f"screen showing {shows} and not {hides}")

    def wait_for_exit(self) -> str:
        """Poll until the app's process has ended; return its exit status as tmux reports it."""

        def dead(_: str) -> bool:
            if self.pane("#{pane_dead}") != "1":
                return False
            if self.pane("#{pane_dead_status}") != "":
                return True
            # tmux built with libutempter can miss the SIGCHLD of a pane (tmux/tmux#311): the
            # pane is dead but its status never read. A SIGCHLD to our own server makes it reap.
            os.kill(int(self.pane("#{pid}")), signal.SIGCHLD)
            return False

        self._poll(dead, EXIT_SECONDS, "the app to exit")
        return self.pane("#{pane_dead_status}")

    def _poll(self, ready: Callable[[str], bool], seconds: float, what: str) -> str:
        deadline = time.monotonic() + seconds
        while True:
            screen = self.screen()
            if ready(screen):
                return screen
            if time.monotonic() > deadline:
                pytest.fail(f"waited {seconds:g} s for {what}; the screen was:\n{screen}")
            time.sleep(POLL_SECONDS)

    def stop(self) -> None:
        # kill-server leaves the socket file behind; remove it so runs do not pile up in /tmp.
        try:
            socket_path = Path(self.pane("#{socket_path}"))
        except subprocess.CalledProcessError:
            socket_path = None
        subprocess.run(
            ["tmux", "-L", self.socket, "kill-server"],
            capture_output=True,
            timeout=10,
            check=False,
        )
        if socket_path is not None:
            socket_path.unlink(missing_ok=True)


@pytest.fixture
def launch(tmp_path: Path) -> Iterator[Callable[[int, int], TmuxApp]]:
    """Start `logsgd-tui` at a given terminal size; the tmux server is killed whatever happens."""
    assert COMMAND.exists(), f"{COMMAND} is missing: install the package (pip install -e .)"
    conf = tmp_path / "tmux.conf"
    conf.write_text(TMUX_CONF)
    started: list[TmuxApp] = []

    def start(width: int, height: int) -> TmuxApp:
        app = TmuxApp(conf, width, height)
        started.append(app)
        app.start()
        return app

    try:
        yield start
    finally:
        for app in started:
            app.stop()


def test_seed_lecture_steps_forward_and_back_then_quits(
    launch: Callable[[int, int], TmuxApp],
) -> None:
    app = launch(120, 36)
    # Step 0: the seed lecture's start, full-data loss ln 2, all panels at once (no compact tabs).
    app.wait_for(
        ("step 0/0", "0.6931", "No step yet", "No gradient yet"),
        hides=("5 predictions",),
        seconds=FIRST_FRAME_SECONDS,
    )

    # Step 1, rows 1 and 2: z1 = 1.072e-06 (batch), f1 after = 4.394e-32 (predictions),
    # term (f1 - y1) * x1 = 60.50 and w0 = -0.5875 (gradients).
    app.press("Right")
    app.wait_for(("step 1/1", "1.072e-06", "4.394e-32", "60.50", "-0.5875"), hides=("-210.0",))

    # Step 2, rows 3 and 4, the swing: term (f3 - y3) * x1 = -210.0, mean -204.0, w0 = 1.452.
    app.press("Right")
    app.wait_for(("step 2/2", "-210.0", "-204.0", "1.452"), hides=("60.50",))

    # Back: step 1's numbers again, and step 2 is still recorded (2 steps in the history).
    app.press("Left")
    app.wait_for(("step 1/2", "1.072e-06", "4.394e-32", "60.50", "-0.5875"), hides=("-210.0",))

    app.press("q")
    assert app.wait_for_exit() == "0"


def test_compact_layout_shows_one_panel_and_the_gradient_after_a_step(
    launch: Callable[[int, int], TmuxApp],
) -> None:
    app = launch(80, 24)
    app.wait_for(("0.6931", "1 dataset", "5 predictions"), seconds=FIRST_FRAME_SECONDS)

    # Only the gradient panel: neither the batch panel's text nor the predictions table.
    app.press("3")
    app.wait_for(("No gradient yet",), hides=("No step yet", "f before"))

    app.press("Right")
    app.wait_for(
        ("60.50", "57.00", "58.75", "-0.5875"),
        hides=("1.072e-06", "4.394e-32"),
    )

    app.press("q")
    assert app.wait_for_exit() == "0"
