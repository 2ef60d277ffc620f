"""Snapshot tests: the seed lecture's screens at 120x36 and 80x24, compared as SVG."""

# After an intended change of the look, regenerate the references and review the SVGs:
#   pytest tests/test_snapshots.py --snapshot-update

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from logsgd.tui.app import LogSGDApp
from logsgd.tui.cli import build_parser, make_engine, resolve_setup

SIZES = {"120x36": (120, 36), "80x24": (80, 24)}

SnapCompare = Callable[..., bool]


def seed_app() -> LogSGDApp:
    return LogSGDApp(make_engine(resolve_setup(build_parser().parse_args([]))))


async def open_edit_form(pilot: Pilot[int]) -> None:
    await pilot.press("e")
    # A blinking cursor would make the picture depend on the moment it is taken.
    for field_input in pilot.app.screen.query(Input):
        field_input.cursor_blink = False
    await pilot.pause()


async def submit_bad_edit(pilot: Pilot[int]) -> None:
    await open_edit_form(pilot)
    screen = pilot.app.screen
    screen.query_one("#edit-learning_rate", Input).value = "0"
    screen.query_one("#edit-initial_weights", Input).value = "1, 2"
    await pilot.press("enter")


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("steps", [0, 1, 2])
def test_main_screen(snap_compare: SnapCompare, steps: int, size: str) -> None:
    assert snap_compare(seed_app(), press=["right"] * steps, terminal_size=SIZES[size])


@pytest.mark.parametrize("size", SIZES)
def test_help_screen(snap_compare: SnapCompare, size: str) -> None:
    assert snap_compare(seed_app(), press=["question_mark"], terminal_size=SIZES[size])


@pytest.mark.parametrize("size", SIZES)
def test_edit_form(snap_compare: SnapCompare, size: str) -> None:
    assert snap_compare(seed_app(), run_before=open_edit_form, terminal_size=SIZES[size])


def test_edit_form_with_errors(snap_compare: SnapCompare) -> None:
    assert snap_compare(seed_app(), run_before=submit_bad_edit, terminal_size=SIZES["120x36"])
