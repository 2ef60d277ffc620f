"""Snapshot tests of compared runs: the seed lecture raw pinned as A, then standardized, both on
the loss chart (and the weights), at 120x36 and 80x24, and without colour."""

# After an intended change of the look, regenerate these references and review the SVGs:
#   pytest tests/test_snapshots_pins.py --snapshot-update

from __future__ import annotations

from collections.abc import Callable

import pytest

from logsgd.tui.app import LogSGDApp
from logsgd.tui.cli import build_parser, make_engine, resolve_setup

SIZES = {"120x36": (120, 36), "80x24": (80, 24)}
# Eight raw steps pinned as A, then standardized and stepped as far: the loss chart compares.
PINNED_THEN_STANDARDIZED = ["right"] * 8 + ["P", "z"] + ["right"] * 8

SnapCompare = Callable[..., bool]


def seed_app() -> LogSGDApp:
    return LogSGDApp(make_engine(resolve_setup(build_parser().parse_args([]))))


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("mode", ["loss", "weights"])
def test_pinned_raw_against_standardized(snap_compare: SnapCompare, mode: str, size: str) -> None:
    # At 80x24 the chart shows in the gradients' place when selected (5).
    press = [*PINNED_THEN_STANDARDIZED, *(["c"] if mode == "loss" else []), "5"]
    assert snap_compare(seed_app(), press=press, terminal_size=SIZES[size])


def test_pinned_runs_without_colour(
    snap_compare: SnapCompare, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Three runs pinned (raw, lr x2, standardized) and told apart by letter, not by hue.
    monkeypatch.setenv("NO_COLOR", "1")
    app = seed_app()
    assert app.no_color
    press = ["right"] * 6 + ["P", "g", "u"] + ["right"] * 6 + ["P", "z"] + ["right"] * 6 + ["c"]
    assert snap_compare(app, press=press, terminal_size=SIZES["120x36"])
