"""Snapshot tests of the decision boundary view: the seed lecture at 120x36 and 80x24, as SVG."""

# After an intended change of the look, regenerate these references and review the SVGs:
#   pytest tests/test_snapshots_boundary.py --snapshot-update

from __future__ import annotations

from collections.abc import Callable

import pytest

from logsgd.tui.app import LogSGDApp
from logsgd.tui.cli import build_parser, make_engine, resolve_setup

SIZES = {"120x36": (120, 36), "80x24": (80, 24)}

SnapCompare = Callable[..., bool]


def seed_app() -> LogSGDApp:
    return LogSGDApp(make_engine(resolve_setup(build_parser().parse_args([]))))


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("steps", [1, 2])
def test_boundary(snap_compare: SnapCompare, steps: int, size: str) -> None:
    press = ["v", *["right"] * steps]
    assert snap_compare(seed_app(), press=press, terminal_size=SIZES[size])


def test_boundary_zoomed_out_to_the_lines(snap_compare: SnapCompare) -> None:
    press = ["v", "right", "right", "f"]
    assert snap_compare(seed_app(), press=press, terminal_size=SIZES["120x36"])


def test_boundary_without_colour(
    snap_compare: SnapCompare, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The app reads NO_COLOR when it is built: the shading turns grey, the words stay.
    monkeypatch.setenv("NO_COLOR", "1")
    app = seed_app()
    assert app.no_color
    assert snap_compare(app, press=["v", "right", "right"], terminal_size=SIZES["120x36"])


@pytest.mark.parametrize("size", SIZES)
def test_boundary_over_two_chosen_features(snap_compare: SnapCompare, size: str) -> None:
    """iris, x: its form, then the boundary over petal length and width (x1, x2 at their
    mean)."""
    app = LogSGDApp(
        make_engine(
            resolve_setup(build_parser().parse_args(["--dataset", "iris-versicolor-virginica"]))
        )
    )

    async def choose(pilot: object) -> None:
        from textual.pilot import Pilot
        from textual.widgets import Input

        assert isinstance(pilot, Pilot)
        await pilot.press("right", "right", "x")
        await pilot.pause()
        pilot.app.screen.query_one("#pair-across", Input).value = "x3"
        pilot.app.screen.query_one("#pair-up", Input).value = "petal_width"
        await pilot.pause()

    assert snap_compare(app, run_before=choose, terminal_size=SIZES[size])
    assert snap_compare(
        LogSGDApp(
            make_engine(
                resolve_setup(build_parser().parse_args(["--dataset", "iris-versicolor-virginica"]))
            )
        ),
        run_before=choose,
        press=["enter", "enter"],
        terminal_size=SIZES[size],
    )
