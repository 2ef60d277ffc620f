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
