"""Atomic file writes: a file is either the complete new text or unchanged, no temporary left."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from logsgd.core.files import atomic_write, atomic_write_text


def test_atomic_write_text_replaces_the_file(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_text("old", encoding="utf-8")
    atomic_write_text(path, "new ≈1\n")
    assert path.read_text(encoding="utf-8") == "new ≈1\n"
    assert os.listdir(tmp_path) == ["export.txt"]
    fresh = tmp_path / "fresh.txt"
    atomic_write_text(str(fresh), "x")
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
    with pytest.raises(OSError, match="No space left"):
        atomic_write_text(path, "the new export")
    assert path.read_text(encoding="utf-8") == "previous export"
    assert os.listdir(tmp_path) == ["export.md"]


def test_a_failure_while_writing_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "export.tex"
    path.write_text("previous export", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):
        atomic_write_text(path, "half written, then ≈", encoding="ascii")

    def interrupted(out: Any) -> None:
        out.write("the first half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(path, interrupted)
    assert path.read_text(encoding="utf-8") == "previous export"
    assert os.listdir(tmp_path) == ["export.tex"]


def test_writing_into_a_missing_directory_fails_cleanly(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        atomic_write_text(tmp_path / "missing" / "export.txt", "text")
    assert os.listdir(tmp_path) == []
