"""Writing files so that nothing is lost or half-written, and nothing but the named file changes.

`-o FILE` must never destroy what it names: a regular file is replaced atomically (a new file in
the same directory, flushed, renamed over it, with the old file's mode); a symlink is written
through, to its target; a FIFO or a character device (/dev/null, a terminal) is written straight
into, since there is nothing to replace; anything else is refused. An output that is one of the
inputs, or that the user may not write, is refused before anything is computed. SIGTERM and
SIGHUP during a write remove the temporary file, as Ctrl-C does.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
from collections.abc import Callable, Iterator, Sequence
from types import FrameType
from typing import NamedTuple, TextIO

# Signals that end a write by removing its temporary file, then end the process as they would.
ENDING_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


class OutputError(Exception):
    """An output that cannot be written, or must not be: the message says why, in one line."""


class Ended(BaseException):
    """A signal ended the write (raised from its handler, so every `finally` runs)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class Output(NamedTuple):
    """Where an export goes, checked: `path` as given, `target` what it names in the end."""

    path: str
    target: str
    kind: str  # "stdout", "new" (no such file yet), "file" (a regular file), "stream" (FIFO, tty)
    mode: int | None = None  # a regular file's permission bits, kept when it is replaced


def check_output(path: str, inputs: Sequence[str] = ()) -> Output:
    """The output `path` as it will be written, or OutputError saying why it cannot be.

    "-" is stdout. A symlink counts as its target. Refused: an empty name, one of `inputs`
    (same file, or same real path), a directory or anything that is not a regular file, a FIFO
    or a character device, and a file without write permission (for root too: no write bit).
    """
    if path == "":
        raise OutputError("the output file name is empty (-o -, or no -o, writes to stdout)")
    if path == "-":
        return Output(path, path, "stdout")
    target = os.path.realpath(path)
    for given in inputs:
        if _same_file(target, given):
            raise OutputError(f"{path}: is the input file {given}; choose another output name")
    if not os.path.isdir(os.path.dirname(target)):
        raise OutputError(f"{path}: cannot write the export: No such file or directory")
    try:
        info = os.stat(target)
    except FileNotFoundError:
        return Output(path, target, "new")
    except OSError as error:
        raise OutputError(f"{path}: cannot write the export: {_reason(error)}") from None
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        raise OutputError(f"{path}: cannot write the export: Is a directory")
    if stat.S_ISFIFO(mode) or stat.S_ISCHR(mode):
        return Output(path, target, "stream")
    if not stat.S_ISREG(mode):
        raise OutputError(f"{path}: cannot write the export: not a regular file, FIFO or device")
    if not mode & 0o222 or not os.access(target, os.W_OK):
        raise OutputError(f"{path}: cannot write the export: the file is read-only")
    return Output(path, target, "file", stat.S_IMODE(mode))


def _same_file(target: str, given: str) -> bool:
    try:
        return os.path.samefile(target, given) or target == os.path.realpath(given)
    except OSError:
        return target == os.path.realpath(given)


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


@contextlib.contextmanager
def opened(output: Output, stdout: TextIO, encoding: str = "utf-8") -> Iterator[TextIO]:
    """The output as a text stream: the export is written into it as it is produced.

    A regular file (or a new one) is written to a temporary file beside it and renamed over it
    when the block ends without error; on an error, Ctrl-C or an ending signal the temporary
    file is removed and the old file is untouched. OSError becomes OutputError.
    """
    if output.kind == "stdout":
        try:
            yield stdout
            stdout.flush()
        except BrokenPipeError:
            raise  # the reader went away (`| head`): the caller ends quietly
        except OSError as error:
            raise OutputError(f"stdout: cannot write the export: {_reason(error)}") from None
        except UnicodeEncodeError:
            raise OutputError(
                f"stdout: its encoding ({stdout.encoding}) cannot write the export's "
                "characters; set PYTHONIOENCODING=utf-8, or write a file with -o"
            ) from None
        return
    try:
        if output.kind == "stream":
            with _ending_signals(), open(output.target, "w", encoding=encoding) as out:
                yield out
        else:
            with _ending_signals(), _replacing(output, encoding) as out:
                yield out
    except OSError as error:
        raise OutputError(f"{output.path}: cannot write the export: {_reason(error)}") from None


@contextlib.contextmanager
def _replacing(output: Output, encoding: str) -> Iterator[TextIO]:
    directory = os.path.dirname(output.target)
    temp, fd = _new_temporary(directory, os.path.basename(output.target))
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        if output.mode is not None:
            os.chmod(temp, output.mode)
        os.replace(temp, output.target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _fsync_directory(directory)


def _new_temporary(directory: str, name: str) -> tuple[str, int]:
    import secrets  # only when a file is written: it costs the app's first frame ~3 ms

    while True:
        temp = os.path.join(directory, f".{name}.{secrets.token_hex(6)}.tmp")
        try:
            # Mode 0o666 lets the umask decide the permissions, as for any new file.
            return temp, os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue


@contextlib.contextmanager
def _ending_signals() -> Iterator[None]:
    """While the block runs, SIGTERM and SIGHUP raise Ended (so cleanup runs), not kill."""

    def end(signum: int, _frame: FrameType | None) -> None:
        raise Ended(signum)

    previous: list[tuple[int, Callable[[int, FrameType | None], object] | int | None]] = []
    try:
        for signum in ENDING_SIGNALS:
            previous.append((signum, signal.signal(signum, end)))
    except ValueError:  # not the main thread: signals stay as they are
        pass
    try:
        yield
    finally:
        for ended, handler in previous:
            signal.signal(ended, handler if handler is not None else signal.SIG_DFL)


def end_as_signalled(signum: int) -> None:
    """End the process as the signal would have, now that the cleanup is done."""
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


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
