"""`logsgd-tui serve` as a subprocess on a free loopback port, and the processes it started.

The server is asked for port 0 and says which port it got on its first line (`open URL`), so
no port is guessed and none is taken between a look-up and the bind. Its app processes are
found in the process table: the processes whose parent is the server.

Also used by screenshots/make_screenshots.py and benchmarks/bench_serve.py.
"""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

COMMAND = Path(sys.executable).with_name("logsgd-tui")
START_SECONDS = 30.0


class ServerError(RuntimeError):
    """The server did not start, or did not stop as asked."""


def children(pid: int) -> list[int]:
    """The processes whose parent is pid, from /proc (zombies included: not yet reaped)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after it.
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == pid:
            found.append(int(entry))
    return found


def alive(pid: int) -> bool:
    """pid is in the process table and not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def command_line(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")[:-1]


class Server:
    """One `logsgd-tui serve --port 0 ARGS...`; a context manager that always ends it."""

    def __init__(
        self,
        args: Sequence[str] = (),
        cwd: Path | None = None,
        command: Sequence[str] | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        argv = [str(COMMAND), "serve"] if command is None else list(command)
        self.process = subprocess.Popen(
            [*argv, "--port", "0", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
            env=env,
        )
        self.stderr = ""
        self.first_line = self._read_line(START_SECONDS)
        match = re.search(r"open (http://\S+)", self.first_line)
        if match is None:
            self.stop()
            raise ServerError(f"the server said {self.first_line!r}; stderr: {self.stderr!r}")
        self.url = match.group(1)

    def _read_line(self, seconds: float) -> str:
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], seconds)
        return self.process.stdout.readline().decode() if ready else ""

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def pid(self) -> int:
        return self.process.pid

    def apps(self) -> list[int]:
        return [pid for pid in children(self.pid) if alive(pid)]

    def wait_for_apps(self, count: int, seconds: float = 20.0) -> list[int]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            apps = self.apps()
            if len(apps) == count:
                return apps
            time.sleep(0.05)
        raise ServerError(f"expected {count} app processes, found {self.apps()}")

    def stop(self, signum: int = signal.SIGTERM, seconds: float = 20.0) -> int:
        """Send signum, wait for the server to exit; its exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signum)
            try:
                self.process.wait(seconds)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise ServerError(f"the server did not stop in {seconds:g} s") from None
        _, err = self.process.communicate()
        self.stderr = err.decode(errors="replace")
        return self.process.returncode
