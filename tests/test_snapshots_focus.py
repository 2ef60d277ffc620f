"""Snapshot tests of focus mode and the export form: the seed lecture at 120x36 and 80x24."""

# After an intended change of the look, regenerate these references and review the SVGs:
#   pytest tests/test_snapshots_focus.py --snapshot-update

from __future__ import annotations

from collections.abc import Callable

import pytest

from logsgd.tui.app import LogSGDApp
from logsgd.tui.cli import build_parser, make_engine, resolve_setup

SIZES = {"120x36": (120, 36), "80x24": (80, 24)}

SnapCompare = Callable[..., bool]


def seed_app(*argv: str) -> LogSGDApp:
    setup = resolve_setup(build_parser().parse_args(list(argv)))
    return LogSGDApp(make_engine(setup), quiz=setup.quiz)


@pytest.mark.parametrize("size", SIZES)
def test_focus_on_a_weight(snap_compare: SnapCompare, size: str) -> None:
    """Step 2, w0: the lecture's g0 = -204.0 and the new w0 = 1.452 in big digits."""
    press = ["right", "right", "F"]
    assert snap_compare(seed_app(), press=press, terminal_size=SIZES[size])


@pytest.mark.parametrize("size", SIZES)
def test_focus_on_the_batch(snap_compare: SnapCompare, size: str) -> None:
    """Step 1, the batch: z1 = 1.072e-06, f1 = 0.5000003, z2, f2 in big digits."""
    press = ["right", "F", "tab", "tab", "tab"]
    assert snap_compare(seed_app(), press=press, terminal_size=SIZES[size])


@pytest.mark.parametrize("size", SIZES)
def test_focus_in_quiz_mode(snap_compare: SnapCompare, size: str) -> None:
    """Step 1 in quiz mode, g0 answered (58.8): g0 in big digits, the new w0 a big "?"."""
    press = ["right", "escape", "F", *"58.8", "enter"]
    assert snap_compare(seed_app("--quiz"), press=press, terminal_size=SIZES[size])


def test_focus_without_colour(snap_compare: SnapCompare, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = seed_app()
    assert app.no_color
    assert snap_compare(app, press=["right", "right", "F"], terminal_size=SIZES["120x36"])


@pytest.mark.parametrize("size", SIZES)
def test_export_step_form(snap_compare: SnapCompare, size: str) -> None:
    assert snap_compare(seed_app(), press=["right", "right", "E"], terminal_size=SIZES[size])
