"""Export step (E) and Copy step (C): the step on screen, as `--export FORMAT --steps K` writes it.

Every file these tests write is in pytest's temporary directory (the app runs there: chdir).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from test_app_keys import WIDE, choose_in_palette, make_app, run_scenario
from textual.pilot import Pilot
from textual.widgets import Input, Static

from logsgd.core.export import _step_title
from logsgd.core.files import OutputError
from logsgd.core.stepexport import checked_output, default_name, format_of, step_document
from logsgd.tui.app import LogSGDApp
from logsgd.tui.cli import run
from logsgd.tui.screens.names import NamesScreen
from logsgd.tui.stepexport import COPY_FORMAT, COPY_MAX_CHARACTERS, OSC52_CAVEAT

EXTENSIONS = {"text": "txt", "markdown": "md", "latex": "tex"}


def cli_export(tmp_path: Path, format_name: str, steps: int) -> str:
    out = tmp_path / f"cli-{format_name}-{steps}.{EXTENSIONS[format_name]}"
    assert run(["--export", format_name, "--steps", str(steps), "-o", str(out)]) == 0
    return out.read_text(encoding="utf-8")


def assert_is_the_clis_step(document: str, cli: str, title: str) -> None:
    """The document is the CLI export's header, its step `title` and its end, byte for byte."""
    at = document.index(title)
    head, tail = document[:at], document[at:]
    assert document.count(title) == 1
    assert cli.startswith(head)
    assert cli.endswith(tail)


@pytest.mark.parametrize("format_name", ["text", "markdown", "latex"])
@pytest.mark.parametrize("steps", [1, 2, 3])
def test_a_step_document_is_what_the_cli_writes_for_that_step(
    tmp_path: Path, format_name: str, steps: int
) -> None:
    engine = make_app().engine
    engine.walk([1] * steps)
    event = engine.current()
    document = step_document(engine, format_name, event)
    cli = cli_export(tmp_path, format_name, steps)
    assert_is_the_clis_step(document, cli, _step_title(event))
    if steps == 1:
        assert document == cli
    if format_name == "text" and steps == 2:
        assert "g0 = (-210.0 - 198.0) / 2 = -204.0" in document
        assert "w0 <- w0 - lr * g0 = -0.5875 - 0.01 * (-204.0) = 1.452" in document


def test_step_0_has_no_document() -> None:
    engine = make_app().engine
    with pytest.raises(ValueError, match="step 0"):
        step_document(engine, "text", engine.current())


def test_default_names_and_formats() -> None:
    assert default_name("seed", 2) == "seed-step-2.md"
    assert default_name("seed", 2, "latex") == "seed-step-2.tex"
    assert default_name("my data (v2).csv", 7, "text") == "my-data-v2-csv-step-7.txt"
    assert default_name("[@click=app.quit]", 1) == "click-app-quit-step-1.md"
    assert default_name("", 1) == "data-step-1.md"
    assert format_of("a/b.TEX") == "latex"
    with pytest.raises(OutputError, match=r"\.txt \(text\), \.md \(markdown\) or \.tex"):
        format_of("step.pdf")


def test_checked_output_refuses_the_input_a_directory_and_control_characters(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data.md"
    data.write_text("x1,label\n1,0\n")
    with pytest.raises(OutputError, match="is the input file"):
        checked_output(str(data), [str(data)])
    (tmp_path / "folder.md").mkdir()
    with pytest.raises(OutputError, match="Is a directory"):
        checked_output(str(tmp_path / "folder.md"))
    with pytest.raises(OutputError, match="control characters"):
        checked_output(str(tmp_path / "x\x1b[2J.md"))
    with pytest.raises(OutputError, match="control characters"):
        checked_output(str(tmp_path / "x\x00.md"))
    read_only = tmp_path / "kept.md"
    read_only.write_text("kept")
    read_only.chmod(0o444)
    with pytest.raises(OutputError, match="read-only"):
        checked_output(str(read_only))
    assert read_only.read_text() == "kept"


# ---------------------------------------------------------------------- in the app


async def settle(app: LogSGDApp, pilot: Pilot[int]) -> None:
    """Wait for the export's or the copy's worker, and for the notice it leaves."""
    await app.workers.wait_for_complete()
    await pilot.pause()


def form_error(app: LogSGDApp) -> str:
    return str(app.screen.query_one("#pair-error", Static).render())


@pytest.mark.parametrize("format_name", ["markdown", "text", "latex"])
def test_e_writes_the_step_on_screen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, format_name: str
) -> None:
    monkeypatch.chdir(tmp_path)

    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right", "right", "E")
        await pilot.pause()
        assert isinstance(app.screen, NamesScreen)
        field = app.screen.query_one("#pair-file", Input)
        assert field.value == "seed-step-2.md"  # the sensible default
        if format_name != "markdown":
            field.value = f"seed-step-2.{EXTENSIONS[format_name]}"
        await pilot.press("enter")
        await settle(app, pilot)
        assert not isinstance(app.screen, NamesScreen)
        written = tmp_path / f"seed-step-2.{EXTENSIONS[format_name]}"
        assert app.state is not None
        assert app.state.notice == (
            f"step 2 exported as {format_name} ({len(written.read_text()):,} characters) to "
            f"{written}"
        )
        document = written.read_text(encoding="utf-8")
        assert document == step_document(app.engine, format_name, app.state.event)
        cli = cli_export(tmp_path, format_name, 2)
        assert_is_the_clis_step(document, cli, _step_title(app.state.event))
        assert app.engine.cursor == 2

    run_scenario(scenario, size=(80, 24))
    left = sorted(p.name for p in tmp_path.iterdir())
    extension = EXTENSIONS[format_name]
    assert left == sorted([f"seed-step-2.{extension}", f"cli-{format_name}-2.{extension}"])


def test_e_replaces_an_earlier_export_atomically(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    earlier = tmp_path / "seed-step-1.md"
    earlier.write_text("an earlier export")
    earlier.chmod(0o640)

    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right", "E")
        await pilot.pause()
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.state is not None
        assert earlier.read_text() == step_document(app.engine, "markdown", app.state.event)

    run_scenario(scenario)
    assert os.stat(earlier).st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["seed-step-1.md"]  # no temporary left


HOSTILE = [
    ("", "the file name is empty"),
    ("   ", "the file name is empty"),
    ("-", "the terminal the app draws on"),
    ("step.pdf", "must end in .txt (text), .md (markdown) or .tex (LaTeX)"),
    ("[/foo]", "must end in"),
    ("[@click=app.quit]x", "must end in"),
    ("[/foo]/x.md", "No such file or directory"),
    ("no/such/dir/x.md", "No such file or directory"),
    ("x\x1b[2J\x07.md", "cannot hold control characters"),
    ("folder.md", "Is a directory"),
    ("a" * 10**5 + ".md", "the file name is too long: 100,003 characters"),
]


@pytest.mark.parametrize(("typed", "said"), HOSTILE)
def test_a_bad_file_name_gets_one_line_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, typed: str, said: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "folder.md").mkdir()

    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right", "E")
        await pilot.pause()
        app.screen.query_one("#pair-file", Input).value = typed
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, NamesScreen)  # the form stays, saying why
        error = form_error(app)
        assert said in error
        assert "\n" not in error and "\x1b" not in error and "\x07" not in error
        assert len(error) < 200
        await pilot.press("escape")
        assert app.is_running and not isinstance(app.screen, NamesScreen)
        assert app.engine.cursor == 1 and app.state is not None and app.state.notice == ""

    run_scenario(scenario)
    assert [p.name for p in tmp_path.iterdir()] == ["folder.md"]


def test_export_at_step_0_says_there_is_nothing_and_opens_no_form(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("E")
        await pilot.pause()
        assert not isinstance(app.screen, NamesScreen)
        assert app.state is not None and app.state.notice.startswith("nothing exported: step 0")
        await pilot.press("C")
        assert app.state.notice.startswith("nothing copied: step 0")
        assert app.clipboard == ""

    run_scenario(scenario)
    assert list(tmp_path.iterdir()) == []


def test_c_copies_the_step_with_osc_52_and_says_the_terminal_must_allow_it() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right", "right", "C")
        await settle(app, pilot)
        assert app.state is not None
        document = step_document(app.engine, COPY_FORMAT, app.state.event)
        assert app.clipboard == document
        assert "g0 = (-210.0 - 198.0) / 2 = -204.0" in app.clipboard
        assert app.state.notice.endswith(OSC52_CAVEAT)
        assert app.state.notice.startswith(f"step 2 ({document.count(chr(10))} lines of text)")

    run_scenario(scenario)


def test_the_palette_names_export_step_and_copy_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right")
        await choose_in_palette(app, pilot, "copy step", "Copy step")
        await settle(app, pilot)
        assert app.state is not None
        assert app.clipboard == step_document(app.engine, COPY_FORMAT, app.state.event)
        await choose_in_palette(app, pilot, "export step", "Export step")
        await pilot.pause()
        assert isinstance(app.screen, NamesScreen)
        await pilot.press("enter")
        await settle(app, pilot)
        assert (tmp_path / "seed-step-1.md").read_text() == step_document(
            app.engine, "markdown", app.state.event
        )

    run_scenario(scenario, size=WIDE)


def test_a_step_too_large_for_osc_52_is_not_copied_and_e_is_offered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """breast-cancer in one batch of 569 rows: 1.6 MB of derivation; exported, not copied."""
    monkeypatch.chdir(tmp_path)

    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right", "C")
        await settle(app, pilot)
        assert app.state is not None
        size = len(step_document(app.engine, COPY_FORMAT, app.state.event))
        assert size > COPY_MAX_CHARACTERS
        assert app.state.notice == (
            f"step 1 not copied: {size:,} characters are more than terminals take over OSC 52;"
            " E exports it to a file"
        )
        assert app.clipboard == ""
        await pilot.press("E")
        await pilot.pause()
        assert app.screen.query_one("#pair-file", Input).value == "breast-cancer-step-1.md"
        await pilot.press("enter")
        await settle(app, pilot)
        written = (tmp_path / "breast-cancer-step-1.md").read_text(encoding="utf-8")
        assert written == step_document(app.engine, "markdown", app.state.event)
        assert app.state.notice.startswith("step 1 exported as markdown")

    run_scenario(scenario, "--dataset", "breast-cancer", "--batch-size", "569")


def test_e_never_writes_over_the_data_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    data = tmp_path / "lecture.txt"
    content = "x1,x2,label\n121,14.8,0\n114,15.2,0\n210,9.4,1\n198,8.1,1\n"
    data.write_text(content)

    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right", "E")
        await pilot.pause()
        assert app.screen.query_one("#pair-file", Input).value == "lecture-step-1.md"
        for typed in ("lecture.txt", str(data), "./lecture.txt"):
            app.screen.query_one("#pair-file", Input).value = typed
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, NamesScreen)
            assert "is the input file" in form_error(app)
        await pilot.press("escape")

    run_scenario(scenario, "lecture.txt")
    assert data.read_text() == content
    assert [p.name for p in tmp_path.iterdir()] == ["lecture.txt"]
