"""Over real SSH: `ssh -tt` to a loopback sshd inside tmux, as in a lecture, driving the app."""

from __future__ import annotations

import shlex
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from ssh_server import SshServer, start_sshd, why_unavailable
from tmux_harness import COMMAND, FIRST_FRAME_SECONDS, TmuxApp, tmux_apps

_UNAVAILABLE = why_unavailable() or (
    "tmux is not installed (CI installs it: apt-get install tmux)"
    if shutil.which("tmux") is None
    else None
)
pytestmark = pytest.mark.skipif(_UNAVAILABLE is not None, reason=_UNAVAILABLE or "")


def remote_command() -> str:
    """What the lecturer runs on the far side. sshd runs it with the user's shell in a clean
    environment (no venv activated, no COLUMNS/LINES), so the script is named by its path."""
    return f"cd /tmp && env TERM=xterm-256color {shlex.quote(str(COMMAND))}"


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshServer]:
    """One sshd for the module: keys and config in a fresh directory, stopped afterwards."""
    server = start_sshd(tmp_path_factory.mktemp("sshd"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def connect(tmp_path: Path, sshd: SshServer) -> Iterator[Callable[[int, int], TmuxApp]]:
    """Open `ssh -tt` to the app at a given terminal size; the tmux server dies whatever happens."""
    with tmux_apps(tmp_path) as start:

        def open_session(width: int, height: int) -> TmuxApp:
            return start(
                width,
                height,
                command=sshd.ssh_command(remote_command(), tty=True),
                failure_context=lambda: f"sshd's log:\n{sshd.log_text()}",
            )

        yield open_session


def test_seed_lecture_over_ssh_steps_forward_and_back_then_quits(
    connect: Callable[[int, int], TmuxApp],
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
    status = session.wait_for_exit()
    screen = session.screen()
    assert "Traceback" not in screen, screen
    assert status == "0", f"ssh ended with status {status}; the screen was:\n{screen}"


def test_compact_layout_over_ssh_shows_the_gradient_after_a_step(
    connect: Callable[[int, int], TmuxApp],
) -> None:
    session = connect(60, 20)
    # 60x20 is below the two-panel layouts' size, so the app shows one panel at a time with tabs.
    session.wait_for(("0.6931", "1 dataset", "5 chart"), seconds=FIRST_FRAME_SECONDS)

    session.press("4")
    session.wait_for(("No gradient yet",), hides=("No step yet", "f before"))

    # The gradient panel alone: both rows' w0 terms, their mean, and the new w0.
    session.press("Right")
    session.wait_for(("60.50", "57.00", "58.75", "-0.5875"), hides=("1.072e-06", "4.394e-32"))

    session.press("q")
    status = session.wait_for_exit()
    screen = session.screen()
    assert "Traceback" not in screen, screen
    assert status == "0", f"ssh ended with status {status}; the screen was:\n{screen}"
