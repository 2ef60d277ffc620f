"""A throwaway OpenSSH server on 127.0.0.1 for the tests: its own keys, config, port and log."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

# sshd lives in sbin, which is often not on PATH for a developer's shell.
_SBIN = "/usr/sbin:/usr/local/sbin:/sbin"
# Debian's sshd refuses to start without its privilege separation directory, which the
# package creates only when its service starts (and no service starts in a container).
_PRIVSEP_DIR = Path("/run/sshd")
START_SECONDS = 10.0
POLL_SECONDS = 0.05
# A port found free can be taken before sshd binds it; try a fresh one a few times.
BIND_ATTEMPTS = 3

SSHD_CONFIG = """\
ListenAddress 127.0.0.1
Port {port}
HostKey {host_key}
PidFile {pid_file}
AuthorizedKeysFile {authorized_keys}
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
# The keys live in pytest's tmp_path, whose owner and modes sshd would otherwise check.
StrictModes no
PermitRootLogin prohibit-password
PermitTTY yes
PrintMotd no
PrintLastLog no
X11Forwarding no
AllowTcpForwarding no
LogLevel INFO
"""


def why_unavailable() -> str | None:
    """The reason these tests cannot run here, or None when they can."""
    missing = [
        name for name, where in (("sshd", _SBIN), ("ssh", None), ("ssh-keygen", None))
        if shutil.which(name, path=where) is None
    ]  # fmt: skip
    if missing:
        return (
            f"not installed: {', '.join(missing)} "
            "(CI installs them: apt-get install openssh-server openssh-client)"
        )
    if os.geteuid() != 0:
        return "sshd must run as root to open a login session (CI runs the tests as root)"
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _keygen(path: Path) -> None:
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "logsgd-test", "-f", str(path)],
        check=True,
        capture_output=True,
        timeout=30,
    )


@dataclass
class SshServer:
    """sshd -D on 127.0.0.1:port that lets `user` in with the private key `client_key`."""

    directory: Path
    port: int
    client_key: Path
    user: str
    process: subprocess.Popen[bytes]

    @property
    def log(self) -> Path:
        return self.directory / "sshd.log"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def ssh_command(self, remote_command: str, *, tty: bool) -> list[str]:
        """The ssh invocation a person would type, minus everything a user's own config adds."""
        return [
            "ssh",
            *(["-tt"] if tty else ["-T"]),
            "-F", "/dev/null",
            "-i", str(self.client_key),
            "-p", str(self.port),
            "-o", "IdentitiesOnly=yes",
            "-o", "BatchMode=yes",
            "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null",
            "-o", "LogLevel=ERROR",
            "-o", "ConnectTimeout=10",
            f"{self.user}@127.0.0.1",
            remote_command,
        ]  # fmt: skip

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def start_sshd(directory: Path, user: str = "root") -> SshServer:
    """Generate keys and a config under `directory`, start sshd, and return once it is usable.

    Usable means a real `ssh ... true` got in; a failure says why, with sshd's own log.
    """
    directory.mkdir(parents=True, exist_ok=True)
    host_key = directory / "host_ed25519"
    client_key = directory / "client_ed25519"
    _keygen(host_key)
    _keygen(client_key)
    authorized_keys = directory / "authorized_keys"
    shutil.copyfile(client_key.with_suffix(".pub"), authorized_keys)
    _PRIVSEP_DIR.mkdir(mode=0o755, exist_ok=True)
    sshd = shutil.which("sshd", path=_SBIN)
    assert sshd is not None, "sshd is not installed"

    for _ in range(BIND_ATTEMPTS):
        port = free_port()
        config = directory / "sshd_config"
        config.write_text(
            SSHD_CONFIG.format(
                port=port,
                host_key=host_key,
                pid_file=directory / "sshd.pid",
                authorized_keys=authorized_keys,
            )
        )
        log = directory / "sshd.log"
        with log.open("wb") as log_file:
            # sshd re-executes itself and so insists on an absolute path.
            process = subprocess.Popen(
                [sshd, "-D", "-e", "-f", str(config)],
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        server = SshServer(directory, port, client_key, user, process)
        if _wait_listening(server):
            _check_login(server)
            return server
        server.stop()
        if "Address already in use" not in server.log_text():
            break
    raise RuntimeError(f"sshd did not start; its log:\n{server.log_text()}")


def _wait_listening(server: SshServer) -> bool:
    """True once sshd accepts connections on its port; False if it exits first."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", server.port), timeout=1):
                return True
        except OSError:
            time.sleep(POLL_SECONDS)
    server.stop()
    return False


def _check_login(server: SshServer) -> None:
    """Log in once without a terminal, so a key or config problem fails here and says so."""
    result = subprocess.run(
        server.ssh_command("echo logged-in", tty=False),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    if result.returncode != 0 or result.stdout.strip() != "logged-in":
        server.stop()
        raise RuntimeError(
            f"ssh to 127.0.0.1:{server.port} failed (exit {result.returncode}): "
            f"{result.stderr.strip()}\nsshd's log:\n{server.log_text()}"
        )
