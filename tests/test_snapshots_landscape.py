"""Snapshot tests of the loss landscape view: the seed lecture at 120x36 and 80x24, as SVG."""

# After an intended change of the look, regenerate these references and review the SVGs:
#   pytest tests/test_snapshots_landscape.py --snapshot-update

from __future__ import annotations

from collections.abc import Callable

import pytest
from test_snapshots_boundary import SIZES, seed_app

SnapCompare = Callable[..., bool]


@pytest.mark.parametrize("size", SIZES)
def test_landscape_swing(snap_compare: SnapCompare, size: str) -> None:
    # Raw features: the path jumps back and forth across the low region.
    press = ["o", *["right"] * 6]
    assert snap_compare(seed_app(), press=press, terminal_size=SIZES[size])


@pytest.mark.parametrize("size", SIZES)
def test_landscape_standardized(snap_compare: SnapCompare, size: str) -> None:
    # After z: the path goes down.
    press = ["o", "z", *["right"] * 6]
    assert snap_compare(seed_app(), press=press, terminal_size=SIZES[size])


def test_landscape_without_colour(
    snap_compare: SnapCompare, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The bands read by their glyphs and the key line's levels, not by their shade.
    monkeypatch.setenv("NO_COLOR", "1")
    app = seed_app()
    assert app.no_color
    assert snap_compare(app, press=["o", *["right"] * 6], terminal_size=SIZES["120x36"])
