"""Over real SSH: `ssh -tt` to a loopback sshd inside tmux, as in a lecture, driving the app."""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from ssh_server import SshServer, start_sshd, why_unavailable

_UNAVAILABLE = why_unavailable() or (
    "tmux is not installed (CI installs it: apt-get install tmux)"
    if shutil.which("tmux") is None
    else None
)
pytestmark = pytest.mark.skipif(_UNAVAILABLE is not None, reason=_UNAVAILABLE or "")

COMMAND = Path(sys.executable).with_name("logsgd-tui")
# The ssh handshake, then Python start-up and Textual's first frame on the far side.
FIRST_FRAME_SECONDS = 15.0
KEY_SECONDS = 5.0
EXIT_SECONDS = 5.0
POLL_SECONDS = 0.05

# Written before the server starts, so the pane is already kept when a quick failure ends it.
# The status bar is off because it would take one line of the size the app is meant to get.
TMUX_CONF = """\
set-option -g default-terminal xterm-256color
set-option -g remain-on-exit on
set-option -g status off
"""


def _local_environment() -> dict[str, str]:
    """Our environment without COLUMNS and LINES (pytest's readline exports 80x24 into it).

    ssh neither reads nor forwards them (it sends the remote pty the pane's real size), but
    the tmux server hands this environment to the pane, and nothing there should see a size
    that is not the pane's.
    """
    return {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}


def remote_command() -> str:
    """What the lecturer runs on the far side. sshd runs it with the user's shell in a clean
    environment (no venv activated, no COLUMNS/LINES), so the script is named by its path."""
    return f"cd /tmp && env TERM=xterm-256color {shlex.quote(str(COMMAND))}"


class SshSession:
    """`ssh -tt ... logsgd-tui` in a detached session of a tmux server no one else uses."""

    def __init__(self, conf: Path, server: SshServer, width: int, height: int) -> None:
        self.socket = f"logsgd-ssh-{uuid.uuid4().hex[:12]}"
        self.target = "logsgd"
        self.conf = conf
        self.server = server
        self.width = width
        self.height = height

    def tmux(self, *args: str) -> str:
        result = subprocess.run(
            ["tmux", "-L", self.socket, "-f", str(self.conf), *args],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
            env=_local_environment(),
        )
        return result.stdout

    def start(self) -> None:
        ssh = shlex.join(self.server.ssh_command(remote_command(), tty=True))
        self.tmux(
            "new-session", "-d", "-s", self.target,
            "-x", str(self.width), "-y", str(self.height),
            ssh,
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

    def wait_for_exit(self) -> tuple[str, str]:
        """Poll until ssh has ended; return its exit status (the app's, passed back) and screen."""

        def dead(_: str) -> bool:
            if self.pane("#{pane_dead}") != "1":
                return False
            if self.pane("#{pane_dead_status}") != "":
                return True
            # tmux built with libutempter can miss the SIGCHLD of a pane (tmux/tmux#311): the
            # pane is dead but its status never read. A SIGCHLD to our own server makes it reap.
            os.kill(int(self.pane("#{pid}")), signal.SIGCHLD)
            return False

        screen = self._poll(dead, EXIT_SECONDS, "ssh to exit", until_dead=True)
        return self.pane("#{pane_dead_status}"), screen

    def _poll(
        self, ready: Callable[[str], bool], seconds: float, what: str, until_dead: bool = False
    ) -> str:
        """Capture the screen until `ready(screen)`; fail with the last screen and sshd's log
        after `seconds`, or as soon as ssh ends unless ending is what is awaited."""
        deadline = time.monotonic() + seconds
        while True:
            screen = self.screen()
            if ready(screen):
                return screen
            if not until_dead and self.pane("#{pane_dead}") == "1":
                status = self.pane("#{pane_dead_status}") or "not yet reaped"
                pytest.fail(
                    f"ssh ended (status {status}) while waiting for "
                    f"{what}; the screen was:\n{screen}\nsshd's log:\n{self.server.log_text()}"
                )
            if time.monotonic() > deadline:
                pytest.fail(
                    f"waited {seconds:g} s for {what}; the screen was:\n{screen}\n"
                    f"sshd's log:\n{self.server.log_text()}"
                )
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


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshServer]:
    """One sshd for the module: keys and config in a fresh directory, stopped afterwards."""
    server = start_sshd(tmp_path_factory.mktemp("sshd"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def connect(tmp_path: Path, sshd: SshServer) -> Iterator[Callable[[int, int], SshSession]]:
    """Open `ssh -tt` to the app at a given terminal size; the tmux server dies whatever happens."""
    assert COMMAND.exists(), f"{COMMAND} is missing: install the package (pip install -e .)"
    conf = tmp_path / "tmux.conf"
    conf.write_text(TMUX_CONF)
    started: list[SshSession] = []

    def start(width: int, height: int) -> SshSession:
        session = SshSession(conf, sshd, width, height)
        started.append(session)
        session.start()
        return session

    try:
        yield start
    finally:
        for session in started:
            session.stop()


def test_seed_lecture_over_ssh_steps_forward_and_back_then_quits(
    connect: Callable[[int, int], SshSession],
) -> None:
    session = connect(120, 36)
    # Step 0 with every panel on screen: ssh gave the remote pty the full 120x36.
    session.wait_for(
        ("step 0/0", "0.6931", "No step yet", "No gradient yet"),
        hides=("5 predictions",),
        seconds=FIRST_FRAME_SECONDS,
    )

    # Step 1, rows 1 and 2: w0 = -0.5875, f1 after = 4.394e-32, term (f1 - y1) * x1 = 60.50.
    session.press("Right")
    session.wait_for(("step 1/1", "-0.5875", "4.394e-32", "60.50", "1.072e-06"), hides=("-210.0",))

    # Step 2, rows 3 and 4, the swing: w0 = 1.452, term (f3 - y3) * x1 = -210.0.
    session.press("Right")
    session.wait_for(("step 2/2", "1.452", "-210.0", "-204.0"), hides=("60.50",))

    # Back over the wire: step 1's numbers again, with step 2 still in the history.
    session.press("Left")
    session.wait_for(("step 1/2", "-0.5875", "4.394e-32", "60.50"), hides=("-210.0",))

    session.press("q")
    status, screen = session.wait_for_exit()
    assert "Traceback" not in screen, screen
    assert status == "0", f"ssh ended with status {status}; the screen was:\n{screen}"


def test_compact_layout_over_ssh_shows_the_gradient_after_a_step(
    connect: Callable[[int, int], SshSession],
) -> None:
    session = connect(80, 24)
    # 80x24 is below the full layout's size, so the app shows one panel at a time with tabs.
    session.wait_for(("0.6931", "1 dataset", "5 predictions"), seconds=FIRST_FRAME_SECONDS)

    session.press("3")
    session.wait_for(("No gradient yet",), hides=("No step yet", "f before"))

    # The gradient panel alone: both rows' w0 terms, their mean, and the new w0.
    session.press("Right")
    session.wait_for(("60.50", "57.00", "58.75", "-0.5875"), hides=("1.072e-06", "4.394e-32"))

    session.press("q")
    status, screen = session.wait_for_exit()
    assert "Traceback" not in screen, screen
    assert status == "0", f"ssh ended with status {status}; the screen was:\n{screen}"
