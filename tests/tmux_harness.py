"""Reusable harness: the real `logsgd-tui` in a private tmux server, driven and read as a person."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

COMMAND = Path(sys.executable).with_name("logsgd-tui")
# Python start-up plus Textual's first frame; generous so a loaded CI machine does not flake.
FIRST_FRAME_SECONDS = 15.0
KEY_SECONDS = 5.0
EXIT_SECONDS = 5.0
POLL_SECONDS = 0.05
# Variables of the runner's environment that would change what the app draws: COLUMNS/LINES
# override the pane's real size (GNU readline, loaded by pytest, exports COLUMNS=80 LINES=24
# behind os.environ's back), COLORTERM and NO_COLOR change the colours. A test that wants one
# of them passes it explicitly.
DROPPED_VARIABLES = ("COLUMNS", "LINES", "COLORTERM", "NO_COLOR")


def tmux_config(term: str) -> str:
    """The server's configuration, written before it starts.

    remain-on-exit keeps the pane (and its exit status) when a quick crash ends the app; the
    status bar is off because it would take one line of the size the app is meant to get.
    """
    return (
        f"set-option -g default-terminal {term}\n"
        "set-option -g remain-on-exit on\n"
        "set-option -g status off\n"
    )


def pane_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Our environment without the variables that would change the app's size or colours."""
    env = {k: v for k, v in os.environ.items() if k not in DROPPED_VARIABLES}
    env.update(extra or {})
    return env


def resident_kib(pid: int) -> int:
    """The process's resident memory (VmRSS) in KiB, read from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"/proc/{pid}/status has no VmRSS line (is the process a zombie?)")


class TmuxApp:
    """The app running in a detached session of a tmux server that no other test or person uses."""

    def __init__(
        self,
        workdir: Path,
        width: int,
        height: int,
        args: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
        term: str = "xterm-256color",
        command: Sequence[str] | None = None,
        failure_context: Callable[[], str] | None = None,
    ) -> None:
        """`command` replaces `logsgd-tui ARGS` (e.g. ssh to it); `failure_context` adds to
        every failure message (e.g. a server's log)."""
        self.socket = f"logsgd-e2e-{uuid.uuid4().hex[:12]}"
        self.target = "logsgd"
        self.conf = workdir / f"{self.socket}.conf"
        self.conf.write_text(tmux_config(term))
        self.width = width
        self.height = height
        self.args = tuple(args)
        self.command = (str(COMMAND), *self.args) if command is None else tuple(command)
        self.failure_context = failure_context
        # The first tmux command starts the server, which hands this environment to the pane.
        self.env = pane_environment(env)
        self._socket_path: Path | None = None

    def tmux(self, *args: str) -> str:
        result = subprocess.run(
            ["tmux", "-L", self.socket, "-f", str(self.conf), *args],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
            env=self.env,
        )
        return result.stdout

    def start(self) -> None:
        # Several words are run directly (no shell between tmux and the app).
        self.tmux(
            "new-session", "-d", "-s", self.target,
            "-x", str(self.width), "-y", str(self.height),
            *self.command,
        )  # fmt: skip
        self._socket_path = Path(self.pane("#{socket_path}"))

    def screen(self, escapes: bool = False) -> str:
        """What the pane shows; with `escapes`, with the SGR sequences of its colours and styles."""
        return self.tmux("capture-pane", "-p", *(["-e"] if escapes else []), "-t", self.target)

    def press(self, *keys: str) -> None:
        """Send keys in one tmux call (tmux key names such as Right, Left, q)."""
        self.tmux("send-keys", "-t", self.target, *keys)

    def pane(self, fmt: str) -> str:
        return self.tmux("display-message", "-p", "-t", self.target, fmt).strip()

    def resize(self, width: int, height: int) -> None:
        # resize-window sets the window's size to manual, so no client can size it back.
        self.tmux("resize-window", "-t", self.target, "-x", str(width), "-y", str(height))
        self.width, self.height = width, height

    def pane_size(self) -> tuple[int, int]:
        width, height = self.pane("#{pane_width} #{pane_height}").split()
        return int(width), int(height)

    def app_pid(self) -> int:
        """The pid of the logsgd-tui process: the pane's process, or a child if a shell ran it."""
        pane_pid = int(self.pane("#{pane_pid}"))
        candidates = [pane_pid]
        children = Path(f"/proc/{pane_pid}/task/{pane_pid}/children")
        if children.exists():
            candidates += [int(p) for p in children.read_text().split()]
        for pid in candidates:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            if any(part.endswith(b"logsgd-tui") for part in cmdline):
                return pid
        raise AssertionError(f"no logsgd-tui process under pane pid {pane_pid}")

    def alive(self) -> bool:
        return self.pane("#{pane_dead}") != "1"

    def wait_for(
        self,
        shows: Iterable[str],
        hides: Iterable[str] = (),
        seconds: float = KEY_SECONDS,
    ) -> str:
        """Poll the screen until every text in `shows` is on it and none in `hides`."""
        shows, hides = tuple(shows), tuple(hides)

        def ready(screen: str) -> bool:
            return all(t in screen for t in shows) and not any(t in screen for t in hides)

        return self.poll(ready, seconds, f"screen showing {shows} and not {hides}")

    def poll(self, ready: Callable[[str], bool], seconds: float, what: str) -> str:
        """Capture the screen until `ready(screen)`; fail with the last screen after `seconds`."""
        deadline = time.monotonic() + seconds
        while True:
            screen = self.screen()
            if ready(screen):
                return screen
            if not self.alive():
                self.fail(
                    f"the app exited (status {self.pane('#{pane_dead_status}')!r}) while "
                    f"waiting for {what}; the screen was:\n{screen}"
                )
            if time.monotonic() > deadline:
                self.fail(f"waited {seconds:g} s for {what}; the screen was:\n{screen}")
            time.sleep(POLL_SECONDS)

    def wait_for_exit(self, seconds: float = EXIT_SECONDS) -> str:
        """Poll until the app's process has ended; return its exit status as tmux reports it."""
        deadline = time.monotonic() + seconds
        while True:
            status = self.pane("#{pane_dead_status}")
            if self.pane("#{pane_dead}") == "1" and status != "":
                return status
            # tmux built with libutempter can miss the SIGCHLD of a pane (tmux/tmux#311): the
            # app is a zombie that is never reaped. A SIGCHLD to our own server makes it reap;
            # a spare one is harmless (it only polls waitpid).
            os.kill(int(self.pane("#{pid}")), signal.SIGCHLD)
            if time.monotonic() > deadline:
                self.fail(f"waited {seconds:g} s for the app to exit; the screen was:\n"
                          f"{self.screen()}")  # fmt: skip
            time.sleep(POLL_SECONDS / 5)

    def fail(self, message: str) -> None:
        context = self.failure_context() if self.failure_context is not None else ""
        pytest.fail(message + (f"\n{context}" if context else ""))

    def quit(self, seconds: float = EXIT_SECONDS) -> tuple[str, float]:
        """Press q; return the exit status and the seconds from the key to the pane's death."""
        start = time.monotonic()
        self.press("q")
        status = self.wait_for_exit(seconds)
        return status, time.monotonic() - start

    def stop(self) -> None:
        subprocess.run(
            ["tmux", "-L", self.socket, "kill-server"],
            capture_output=True,
            timeout=10,
            check=False,
            env=self.env,
        )
        # kill-server leaves the socket file behind; remove it so runs do not pile up in /tmp.
        if self._socket_path is not None:
            self._socket_path.unlink(missing_ok=True)


@contextmanager
def tmux_apps(workdir: Path) -> Iterator[Callable[..., TmuxApp]]:
    """Yield a starter of apps (TmuxApp's arguments less `workdir`); their servers die after."""
    assert COMMAND.exists(), f"{COMMAND} is missing: install the package (pip install -e .)"
    started: list[TmuxApp] = []

    def start(
        width: int,
        height: int,
        args: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
        term: str = "xterm-256color",
        command: Sequence[str] | None = None,
        failure_context: Callable[[], str] | None = None,
    ) -> TmuxApp:
        app = TmuxApp(
            workdir,
            width,
            height,
            args,
            env,
            term,
            command=command,
            failure_context=failure_context,
        )
        started.append(app)
        app.start()
        return app

    try:
        yield start
    finally:
        for app in started:
            app.stop()
