"""Snapshot tests: the seed lecture's screens in each layout (120x36, 100x30, 80x24, 60x20),
compared as SVG; the help and edit screens at 120x36 and 80x24."""

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
# One size per layout: all five panels, the grid of four, the pair, one at a time.
LAYOUT_SIZES = {**SIZES, "100x30": (100, 30), "60x20": (60, 20)}

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


@pytest.mark.parametrize("size", LAYOUT_SIZES)
@pytest.mark.parametrize("steps", [0, 1, 2])
def test_main_screen(snap_compare: SnapCompare, steps: int, size: str) -> None:
    assert snap_compare(seed_app(), press=["right"] * steps, terminal_size=LAYOUT_SIZES[size])


def test_a_selected_panel_takes_its_place_in_the_grid(snap_compare: SnapCompare) -> None:
    """100x30, 1: the dataset beside the batch, where the predictions were."""
    assert snap_compare(seed_app(), press=["right", "1"], terminal_size=(100, 30))


def test_the_dataset_scrolled_sideways_keeps_its_row_numbers_and_labels(
    snap_compare: SnapCompare,
) -> None:
    """Breast cancer's 30 features in the pair layout's half: the columns between the row's
    number and mark and its label scroll; the caption says which class is 1."""
    app = LogSGDApp(
        make_engine(resolve_setup(build_parser().parse_args(["--dataset", "breast-cancer"])))
    )
    press = ["1", "right", "shift+right", "shift+right"]
    assert snap_compare(app, press=press, terminal_size=(80, 24))


@pytest.mark.parametrize("size", SIZES)
def test_help_screen(snap_compare: SnapCompare, size: str) -> None:
    assert snap_compare(seed_app(), press=["question_mark"], terminal_size=SIZES[size])


@pytest.mark.parametrize("size", SIZES)
def test_edit_form(snap_compare: SnapCompare, size: str) -> None:
    assert snap_compare(seed_app(), run_before=open_edit_form, terminal_size=SIZES[size])


def test_edit_form_with_errors(snap_compare: SnapCompare) -> None:
    assert snap_compare(seed_app(), run_before=submit_bad_edit, terminal_size=SIZES["120x36"])


async def highlight_w1(pilot: Pilot[int]) -> None:
    """Four steps, then w and "w1": the chart draws w1 in full, w0 and the bias dim."""
    await pilot.press("right", "right", "right", "right", "w")
    await pilot.pause()
    pilot.app.screen.query_one("#pair-weight", Input).value = "w1"
    await pilot.press("enter")
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_a_highlighted_weight(snap_compare: SnapCompare, size: str) -> None:
    assert snap_compare(seed_app(), run_before=highlight_w1, terminal_size=SIZES[size])


def test_a_highlighted_weight_without_colour(
    snap_compare: SnapCompare, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without colour the dim lines are the same grey: the mark before its name tells it.
    monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(seed_app(), run_before=highlight_w1, terminal_size=SIZES["120x36"])
