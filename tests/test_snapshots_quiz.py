"""Snapshot tests of quiz mode: the seed lecture's step 1 with g0 answered right and the new w0
wrong, at 120x36 and 80x24, and without colour (right and wrong told by ✓ ✗ and words)."""

# After an intended change of the look, regenerate these references and review the SVGs:
#   pytest tests/test_snapshots_quiz.py --snapshot-update

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot

from logsgd.tui.app import LogSGDApp
from logsgd.tui.cli import build_parser, make_engine, resolve_setup

SIZES = {"120x36": (120, 36), "80x24": (80, 24)}

SnapCompare = Callable[..., bool]


def quiz_app(*argv: str) -> LogSGDApp:
    setup = resolve_setup(build_parser().parse_args(["--quiz", *argv]))
    return LogSGDApp(make_engine(setup), quiz=setup.quiz)


async def answer_two(pilot: Pilot[int]) -> None:
    """→, then g0 = 58.8 (right) and the new w0 = -0.6 (wrong), typed key by key."""
    await pilot.press("right")
    await pilot.pause()
    await pilot.press("5", "8", "full_stop", "8", "enter")
    await pilot.press("minus", "0", "full_stop", "6", "enter")
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_quiz_step_1(snap_compare: SnapCompare, size: str) -> None:
    assert snap_compare(quiz_app(), run_before=answer_two, terminal_size=SIZES[size])


def test_quiz_without_colour(snap_compare: SnapCompare, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = quiz_app()
    assert app.no_color
    assert snap_compare(app, run_before=answer_two, terminal_size=SIZES["120x36"])


async def flips_asked(pilot: Pilot[int]) -> None:
    """→ with --quiz-ask weights,flips: the three new weights revealed (ctrl+r), then "which
    rows flip" asked: the predictions' classes, marks and f after still "?"."""
    await pilot.press("right")
    await pilot.pause()
    await pilot.press("ctrl+r", "ctrl+r", "ctrl+r")
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_quiz_asks_which_rows_flip(snap_compare: SnapCompare, size: str) -> None:
    app = quiz_app("--quiz-ask", "weights,flips")
    assert snap_compare(app, run_before=flips_asked, terminal_size=SIZES[size])
