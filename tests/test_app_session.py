"""Pilot and snapshot tests of sessions in the app: ctrl+s asks for a path the first time, then
saves there without asking; a session opened shows its cursor, view, pins and quiz."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from test_app_keys import WIDE, run_scenario
from textual.pilot import Pilot
from textual.widgets import Input

from logsgd.core import session as S
from logsgd.tui.app import LogSGDApp
from logsgd.tui.cli import build_parser, make_engine, resolve_setup
from logsgd.tui.screens.names import NamesScreen

SnapCompare = Callable[..., bool]


def seed_app(session_path: str | None = None) -> LogSGDApp:
    setup = resolve_setup(build_parser().parse_args([]))
    return LogSGDApp(make_engine(setup), session_path=session_path, source=setup.source)


def test_ctrl_s_asks_for_a_path_then_saves_there_without_asking(tmp_path: Path) -> None:
    target = tmp_path / "lecture.json"

    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right", "right", "right", "u", "right", "left", "v", "P")
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, NamesScreen)
        field = app.screen.query_one(Input)
        assert field.value == S.DEFAULT_NAME
        field.value = str(target)
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, NamesScreen)
        assert app.session_path == str(target)
        assert app.state is not None and "session saved" in app.state.notice
        first = json.loads(target.read_text())
        assert first["run"]["cursor"] == 3 and first["view"]["chart_mode"] == "boundary"
        assert sorted(first["pinned"]) == ["A"]
        await pilot.press("right", "ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, NamesScreen)  # saved without asking
        assert json.loads(target.read_text())["run"]["cursor"] == 4
        # What it saved opens as it was: the same steps, cursor and view.
        opened = S.open_session(str(target))
        assert opened.engine.weight_history().tobytes() == app.engine.weight_history().tobytes()
        assert opened.engine.cursor == app.engine.cursor == 4

    run_scenario(scenario, size=WIDE, app=seed_app())


def test_a_session_opens_with_its_cursor_view_pins_and_quiz(tmp_path: Path) -> None:
    path = tmp_path / "s.json"

    async def make(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right", "right", "P", "z", "right", "4", "o", "Q")
        app._save_session(str(path))

    made = run_scenario(make, size=WIDE, app=seed_app())
    assert made.state is not None
    opened = S.open_session(str(path))
    app = LogSGDApp(opened.engine, session_path=str(path), opened=opened)

    async def check(app: LogSGDApp, pilot: Pilot[int]) -> None:
        state = app.state
        assert state is not None
        assert state.event.step == 1 and state.event.standardized
        assert state.chart_mode == "landscape" and state.selected_panel == made.state.selected_panel
        assert state.quiz_on and app.pins.letters == ("A",)
        assert state.chart.pinned and "session opened" in state.notice
        assert app.engine.weight_history().tobytes() == made.engine.weight_history().tobytes()

    run_scenario(check, size=WIDE, app=app)


def test_a_save_that_fails_says_why_and_keeps_asking(tmp_path: Path) -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        app._save_session(str(tmp_path / "missing" / "s.json"))
        assert app.state is not None
        assert app.state.notice.startswith("session not saved: ")
        assert "No such file or directory" in app.state.notice
        assert app.session_path is None

    run_scenario(scenario, size=WIDE, app=seed_app())


@pytest.mark.parametrize("size", [(120, 36), (80, 24)])
def test_save_session_form(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    assert snap_compare(seed_app(), press=["right", "ctrl+s"], terminal_size=size)
