"""Output files: a file is either the complete new text or unchanged, no temporary left."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from logsgd.core.files import OutputError, check_output, opened


def write(path: Path | str, text: str, encoding: str = "utf-8") -> None:
    """What `-o path` does with an export's text."""
    with opened(check_output(str(path)), io.StringIO(), encoding) as out:
        out.write(text)


def test_a_write_replaces_the_file(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_text("old", encoding="utf-8")
    write(path, "new ≈1\n")
    assert path.read_text(encoding="utf-8") == "new ≈1\n"
    assert os.listdir(tmp_path) == ["export.txt"]
    fresh = tmp_path / "fresh.txt"
    write(str(fresh), "x")
    umask = os.umask(0)
    os.umask(umask)
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~umask  # permissions as for any new file


def test_a_failed_rename_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "export.md"
    path.write_text("previous export", encoding="utf-8")

    def failing_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OutputError, match="No space left"):
        write(path, "the new export")
    assert path.read_text(encoding="utf-8") == "previous export"
    assert os.listdir(tmp_path) == ["export.md"]


def test_a_failure_while_writing_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "export.tex"
    path.write_text("previous export", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):
        write(path, "half written, then ≈", encoding="ascii")
    with pytest.raises(KeyboardInterrupt), opened(check_output(str(path)), io.StringIO()) as out:
        out.write("the first half")
        raise KeyboardInterrupt
    assert path.read_text(encoding="utf-8") == "previous export"
    assert os.listdir(tmp_path) == ["export.tex"]


def test_writing_into_a_missing_directory_fails_cleanly(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="No such file or directory"):
        write(tmp_path / "missing" / "export.txt", "text")
    assert os.listdir(tmp_path) == []
