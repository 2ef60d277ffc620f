"""Snapshot tests of the seed scenario's note box: at its first stops, 120x36 and 80x24, and
one in NO_COLOR (the box's border and words stay)."""

# Regenerate after an intended change of the look, and review the SVGs:
#   pytest tests/test_snapshots_scenario.py --snapshot-update

from __future__ import annotations

import pytest
from test_app_scenario import scenario_app
from test_snapshots import SIZES, SnapCompare


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("stops", [1, 2])
def test_the_seed_scenario_at_a_stop(snap_compare: SnapCompare, stops: int, size: str) -> None:
    app = scenario_app("--scenario", "seed")
    assert snap_compare(app, press=["n"] * stops, terminal_size=SIZES[size])


def test_the_seed_scenario_without_colour(
    snap_compare: SnapCompare, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = scenario_app("--scenario", "seed")
    assert snap_compare(app, press=["n", "n", "n"], terminal_size=(80, 24))
