"""`-o` never destroys what it names: inputs, links, FIFOs, devices, read-only files, signals.

Every special file here is made in a temporary directory (FIFOs with mkfifo, device nodes with
mknod, which needs root: those tests skip without it); no test writes to a real device node.
"""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import threading
import time
from pathlib import Path

import pytest
from test_cli import COMMAND, ENV, ERROR_PREFIX, ok_stdout, run_cli, usage_error_line

SEED_CSV = "x1,x2,y\n121,14.8,0\n114,15.2,0\n210,9.4,1\n198,8.1,1\n"


def entries(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def make_device(path: Path, major: int, minor: int) -> None:
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(major, minor))
    except PermissionError:
        pytest.skip("mknod needs root (CI runs as root)")


# ---------------------------------------------------------------------------- the input


@pytest.mark.parametrize("spelling", ["same", "symlink", "hardlink", "dotted"])
def test_the_input_file_is_never_the_output(spelling: str, tmp_path: Path) -> None:
    data = tmp_path / "data.csv"
    data.write_text(SEED_CSV)
    output = {
        "same": data,
        "symlink": tmp_path / "link.csv",
        "hardlink": tmp_path / "hard.csv",
        "dotted": tmp_path / "." / "data.csv",
    }[spelling]
    if spelling == "symlink":
        output.symlink_to(data)
    elif spelling == "hardlink":
        os.link(data, output)
    line = usage_error_line(run_cli(data, "--export", "jsonl", "-o", output))
    assert line == f"{ERROR_PREFIX}{output}: is the input file {data}; choose another output name"
    assert data.read_text() == SEED_CSV


# ---------------------------------------------------------------------------- links, FIFOs, devices


def test_a_symlink_is_written_through_to_its_target(tmp_path: Path) -> None:
    target = tmp_path / "real" / "run.jsonl"
    target.parent.mkdir()
    target.write_text("old\n")
    link = tmp_path / "run.jsonl"
    link.symlink_to(target)
    assert ok_stdout(run_cli("--export", "jsonl", "--steps", "2", "-o", link)) == ""
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text().count("\n") == 2
    assert entries(target.parent) == ["run.jsonl"]  # no temporary left beside the target


def test_a_fifo_is_written_into_and_stays_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = run_cli("--export", "summary", "-o", fifo)
    reader.join(timeout=30)
    assert ok_stdout(result) == ""
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert b'"steps": 2' in received[0]
    assert entries(tmp_path) == ["pipe"]


def test_a_null_device_is_written_into_and_stays_a_device(tmp_path: Path) -> None:
    null = tmp_path / "null"
    make_device(null, 1, 3)  # what /dev/null is
    assert ok_stdout(run_cli("--export", "jsonl", "--steps", "3", "-o", null)) == ""
    assert stat.S_ISCHR(os.stat(null).st_mode)
    assert entries(tmp_path) == ["null"]


def test_a_full_device_is_an_error_and_stays_a_device(tmp_path: Path) -> None:
    full = tmp_path / "full"
    make_device(full, 1, 7)  # what /dev/full is: every write fails with ENOSPC
    line = usage_error_line(run_cli("--export", "jsonl", "--steps", "3", "-o", full))
    assert line == f"{ERROR_PREFIX}{full}: cannot write the export: No space left on device"
    assert stat.S_ISCHR(os.stat(full).st_mode)
    assert entries(tmp_path) == ["full"]


def test_a_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sock"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        line = usage_error_line(run_cli("--export", "summary", "-o", path))
        assert "not a regular file, FIFO or device" in line
        assert stat.S_ISSOCK(os.stat(path).st_mode)
    finally:
        server.close()


# ---------------------------------------------------------------------------- permissions


def test_a_read_only_file_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    target = tmp_path / "kept.jsonl"
    target.write_text("keep me\n")
    target.chmod(0o444)
    line = usage_error_line(run_cli("--export", "jsonl", "-o", target))
    assert line == f"{ERROR_PREFIX}{target}: cannot write the export: the file is read-only"
    assert target.read_text() == "keep me\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o444


def test_a_replaced_file_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "private.jsonl"
    target.write_text("old\n")
    target.chmod(0o600)
    assert ok_stdout(run_cli("--export", "jsonl", "--steps", "1", "-o", target)) == ""
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_text().count("\n") == 1


def test_dash_is_stdout_and_an_empty_name_is_an_error(tmp_path: Path) -> None:
    assert '"steps": 2' in ok_stdout(run_cli("--export", "summary", "-o", "-", cwd=tmp_path))
    line = usage_error_line(run_cli("--export", "summary", "-o", "", cwd=tmp_path))
    assert line.startswith(f"{ERROR_PREFIX}the output file name is empty")
    assert entries(tmp_path) == []


# ---------------------------------------------------------------------------- signals


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_signal_during_a_write_removes_the_temporary_file(
    signum: signal.Signals, tmp_path: Path
) -> None:
    target = tmp_path / "run.jsonl"
    target.write_text("the previous export\n")
    process = subprocess.Popen(
        [*COMMAND, "--export", "jsonl", "--steps", "300000", "-o", str(target)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=ENV,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # until the export is being written
            temporaries = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
            if temporaries and temporaries[0].stat().st_size > 0:
                break
            time.sleep(0.02)
        else:
            pytest.fail("the export never started writing its temporary file")
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    # Ended as the signal ends a process (Ctrl-C: the shell's 130), nothing else said.
    expected = 130 if signum == signal.SIGINT else -signum
    assert process.returncode == expected
    assert b"Traceback" not in stderr and b"internal error" not in stderr
    assert entries(tmp_path) == ["run.jsonl"]
    assert target.read_text() == "the previous export\n"
