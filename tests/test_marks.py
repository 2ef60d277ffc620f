"""Every mark on screen is explained where it appears, and what is below a fold is named."""

from __future__ import annotations

from test_app_keys import run_scenario
from textual.pilot import Pilot

from logsgd.tui.app import LogSGDApp
from logsgd.tui.panels.gradients import GradientsPanel
from logsgd.tui.rowtable import RowTable

FULL = (120, 36)


def test_the_gradient_panel_names_the_weights_below_its_fold() -> None:
    # With batch size 3 at 120x36 the bias's block was below the fold, a one-cell scrollbar
    # the only hint that anything was there.
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right")
        await pilot.pause()
        panel = app.query_one(GradientsPanel)
        assert panel.border_subtitle == "w2 (bias) ↓ · ◀ largest term"
        table = panel.query_one(RowTable)
        table.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        assert panel.border_subtitle == "◀ largest term"
        table.scroll_home(animate=False, immediate=True)
        await pilot.pause()
        assert panel.border_subtitle == "w2 (bias) ↓ · ◀ largest term"

    run_scenario(scenario, "--batch-size", "3", size=FULL)


def test_several_weights_below_the_fold_are_counted() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right")
        await pilot.pause()
        subtitle = str(app.query_one(GradientsPanel).border_subtitle)
        assert subtitle.endswith(" more ↓ · ◀ largest term"), subtitle
        assert subtitle.startswith("w"), subtitle

    run_scenario(scenario, "--dataset", "iris-setosa-versicolor", size=FULL)


def test_all_on_screen_needs_no_hint() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right")
        await pilot.pause()
        assert app.query_one(GradientsPanel).border_subtitle == "◀ largest term"

    run_scenario(scenario, size=FULL)
