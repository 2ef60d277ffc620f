"""Pilot tests of compared runs: P pins, a switches, A unpins, y brings dropped steps back; the
chart overlays the pins, the status line compares, every figure the engine's."""

from __future__ import annotations

import numpy as np
from test_app_keys import WIDE, choose_in_palette, run_scenario
from textual.pilot import Pilot

from logsgd.core.formatting import fmt
from logsgd.tui.app import LogSGDApp
from logsgd.tui.chartcanvas import ChartCanvas
from logsgd.tui.panels.chart import ChartPanel
from logsgd.tui.panels.status import StatusLine
from logsgd.tui.screens.runs import RunsScreen


def chart_text(app: LogSGDApp) -> str:
    return "\n".join(app.query_one(ChartPanel).query_one(ChartCanvas).lines())


def status_text(app: LogSGDApp) -> str:
    return str(app.query_one(StatusLine).render())


def test_pin_raw_then_standardize_overlays_and_compares_at_the_cursor() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right", "right", "right", "right", "P")
        assert app.pins.letters == ("A",)
        assert "pinned as A" in app.state.notice
        raw = app.pins["A"]
        await pilot.press("z", "right", "right", "c")
        assert app.engine.standardized and app.state.chart_mode == "loss"
        (pin,) = app.state.chart.pinned
        assert pin.label == "A: raw"
        # The status line's figure for A is the raw run's own loss after step 2.
        assert pin.loss_at_cursor == raw.loss_at([2])[0]
        text = status_text(app)
        loss = fmt(app.state.event.loss_after)
        assert f"loss {loss}, A {fmt(pin.loss_at_cursor)}" in text
        chart = chart_text(app)
        assert "A: raw" in chart  # the key under the plot
        assert chart.count("A") >= 3  # its letter along the line and at its end
        await pilot.press("c")  # weights: A's lines named by letter and weight
        assert "A w0" in chart_text(app)

    run_scenario(scenario, size=WIDE)


def test_a_switches_back_bit_for_bit_and_pins_the_run_left() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press(*["right"] * 5, "left", "P")
        raw_weights = np.array(app.engine.weight_history())
        await pilot.press("z", "right", "right", "right")
        std_weights = np.array(app.engine.weight_history())
        await pilot.press("a")
        assert not app.engine.standardized and app.engine.cursor == 4
        assert app.engine.weight_history().tobytes() == raw_weights.tobytes()
        assert app.state.event.step == 4 and not app.state.event.standardized
        assert "switched to run A" in app.state.notice and "pinned as A" in app.state.notice
        assert app.state.chart.pinned[0].label == "A: standardized"
        assert "standardized" not in status_text(app).splitlines()[1]
        await pilot.press("a")
        assert app.engine.standardized
        assert app.engine.weight_history().tobytes() == std_weights.tobytes()

    run_scenario(scenario)


def test_u_then_d_offers_the_dropped_steps_and_y_brings_them_back() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press(*["right"] * 8)
        recorded = np.array(app.engine.weight_history())
        await pilot.press("left", "left", "left", "u")
        assert "shown faint; y: redo)" in app.state.notice
        assert "dropped: lr 0.01" in chart_text(app) or app.state.chart.ghost_label.endswith(
            "lr 0.01"
        )
        await pilot.press("d")
        assert "the 3 dropped steps ran with these settings: y brings them back" in (
            app.state.notice
        )
        await pilot.press("y")
        assert app.engine.weight_history().tobytes() == recorded.tobytes()
        assert app.engine.cursor == 5 and app.engine.history_length == 8
        assert app.state.notice.startswith("brought back the 3 dropped steps as recorded")
        await pilot.press("y")  # nothing left dropped
        assert app.state.notice == "no steps were dropped: there is nothing to bring back"

    run_scenario(scenario, size=WIDE)


def test_a_fourth_pin_says_so_and_a_chooser_picks_among_three() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("P", "right", "P", "right", "P", "right", "P")
        assert app.pins.letters == ("A", "B", "C")
        assert app.state.notice.startswith("not pinned: 3 runs are pinned already")
        assert "\n" not in app.state.notice
        await pilot.press("a")
        assert isinstance(app.screen, RunsScreen)
        await pilot.press("b")  # B: pinned at step 1
        assert not isinstance(app.screen, RunsScreen)
        assert app.engine.cursor == 1 and app.engine.history_length == 1
        assert app.pins["B"].history_length == 3  # the run left, in B's place
        await pilot.press("A")
        assert isinstance(app.screen, RunsScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, RunsScreen)
        assert app.pins.letters == ("A", "B", "C")
        await pilot.press("A", "c")
        assert app.pins.letters == ("A", "B")
        assert app.state.notice == "unpinned run C"

    run_scenario(scenario)


def test_without_pins_a_and_A_say_what_to_do() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("a")
        assert app.state.notice == "no run is pinned to switch: P pins this one"
        await pilot.press("A")
        assert app.state.notice == "no run is pinned to unpin: P pins this one"

    run_scenario(scenario)


def test_the_palette_has_pin_run() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await choose_in_palette(app, pilot, "Pin run", "Pin run")
        await pilot.pause()
        assert app.pins.letters == ("A",)
        await choose_in_palette(app, pilot, "Switch to pinned", "Switch to pinned run")
        await pilot.pause()
        assert "switched to run A" in app.state.notice

    run_scenario(scenario)
