"""Text from a file or the command line stays text: control characters are made visible
everywhere it is shown (screen, exports, error messages), never sent raw to the terminal."""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_cli import run_cli

from logsgd.core import Engine
from logsgd.core.csvload import load_csv
from logsgd.core.text import visible
from logsgd.tui.app import LogSGDApp
from logsgd.tui.rowtable import RowTable

ESC = "\x1b"
HOSTILE_HEADER = f"x{ESC}[31mRED{ESC}[0m,{ESC}]0;PWNED{ESC}\\,lab\u202eel\n"
# Raw control characters or bidi controls: what must never be written.
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture
def hostile_csv(tmp_path: Path) -> Path:
    path = tmp_path / f"data{ESC}[2J.csv"
    path.write_text(HOSTILE_HEADER + "1,2,a\x07b\n3,4,c\u202ed\n5,6,a\x07b\n", encoding="utf-8")
    return path


def test_visible_escapes_controls_and_bidi_marks_and_nothing_else() -> None:
    assert visible(f"{ESC}[31m") == "\\x1b[31m"
    assert visible("a\u202eb\x7fc\x85d\tx\n") == "a\\u202eb\\x7fc\\x85d\\tx\\n"
    assert visible("mean_radius ≈ σ(z) ü") == "mean_radius ≈ σ(z) ü"


@given(st.text())
def test_visible_text_holds_no_control_character(text: str) -> None:
    assert not RAW.search(visible(text).replace("\n", "").replace("\t", ""))
    assert "\n" not in visible(text) and "\t" not in visible(text)


@pytest.mark.parametrize("format_name", ["text", "markdown", "latex", "jsonl", "summary"])
def test_exports_write_the_names_escaped(format_name: str, hostile_csv: Path) -> None:
    result = run_cli(hostile_csv, "--export", format_name, "--steps", "1")
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode("utf-8")
    assert not RAW.search(out.replace("\n", "")), out
    if format_name == "text":
        assert "x\\x1b[31mRED\\x1b[0m" in out and "lab\\u202eel" in out


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_the_latex_export_of_hostile_names_compiles(hostile_csv: Path, tmp_path: Path) -> None:
    fragment = run_cli(hostile_csv, "--export", "latex", "--steps", "1").stdout.decode()
    (tmp_path / "fragment.tex").write_text(fragment, encoding="utf-8")
    (tmp_path / "doc.tex").write_text(
        "\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n"
        "\\input{fragment.tex}\n\\end{document}\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-2000:]


def test_an_error_message_shows_a_hostile_path_escaped(tmp_path: Path) -> None:
    missing = tmp_path / f"no{ESC}]0;PWNED{ESC}\\such.csv"
    result = run_cli(missing)
    assert result.returncode == 2
    err = result.stderr.decode("utf-8")
    assert err.count("\n") == 1 and not RAW.search(err.rstrip("\n"))
    assert "no\\x1b]0;PWNED\\x1b\\such.csv" in err
    bad_flag = run_cli(f"--lr{ESC}[31m", "1")
    assert bad_flag.returncode == 2 and not RAW.search(bad_flag.stderr.decode().rstrip("\n"))


def test_the_screen_shows_the_names_escaped(hostile_csv: Path) -> None:
    engine = Engine(load_csv(hostile_csv))

    async def scenario() -> None:
        app = LogSGDApp(engine)
        async with app.run_test(size=(160, 50)) as pilot:
            await pilot.press("right")
            await pilot.pause()
            shown: list[str] = [str(app.query_one("#status-text").render())]
            for table in app.query(RowTable):
                shown += table.lines()
                shown += [table.render_line(y).text for y in range(table.size.height)]
            for panel in app.query(".panel"):
                shown += [str(panel.border_title or ""), str(panel.border_subtitle or "")]
            text = "\n".join(shown)
            assert not RAW.search(text.replace("\n", "")), text
            assert "x\\x1b[31mRED\\x1b[0m" in text

    asyncio.run(scenario())
