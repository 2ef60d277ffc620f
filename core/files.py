"""Writing files so that nothing is half-written: a new file, flushed, then renamed over."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable
from typing import TextIO


def atomic_write(
    path: str | os.PathLike[str], write: Callable[[TextIO], object], encoding: str = "utf-8"
) -> None:
    """Write a file through `write(out)` so that it is either complete or not changed at all.

    The text goes to a new file in the same directory, is flushed and fsynced, then replaces
    `path` in one rename. On any error the new file is removed and the error re-raised.
    """
    target = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(target))
    name = os.path.basename(target)
    while True:
        temp = os.path.join(directory, f".{name}.{secrets.token_hex(6)}.tmp")
        try:
            # Mode 0o666 lets the umask decide the permissions, as for any new file.
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        break
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _fsync_directory(directory)


def atomic_write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> None:
    """Write `text` to `path` atomically: nothing half-written, no temporary file left behind."""
    atomic_write(path, lambda out: out.write(text), encoding)


def _fsync_directory(directory: str) -> None:
    """Make the rename itself durable; some systems cannot open a directory, which is fine."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)
