"""What a step redraws: only the lines that show numbers, never a layout pass or the whole screen.

Key latency is a benchmark (benchmarks/bench_app.py), not a timed test. These tests pin the
mechanisms it depends on, which are counts, not times: a step must not re-lay out the screen,
repaint the whole screen, or repaint a panel's border, and redraws only the lines that changed.
(The fast line renderer is held against Rich in test_textual_internals.py.)
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from textual.screen import Screen
from textual.widget import Widget

from logsgd.tui.app import LogSGDApp
from logsgd.tui.cli import build_parser, make_engine, resolve_setup
from logsgd.tui.panels.base import Panel
from logsgd.tui.rowtable import RowTable


def count_redraws(args: list[str], presses: int, warmup: int = 3) -> Counter[str]:
    """Layout passes, whole-screen repaints and panel repaints during `presses` Rights."""
    app = LogSGDApp(make_engine(resolve_setup(build_parser().parse_args(args))))
    counts: Counter[str] = Counter()
    recording = False
    refresh_layout = Screen._refresh_layout
    refresh = Widget.refresh

    def counting_layout(self: Screen[Any], *args: Any, **kwargs: Any) -> None:
        if recording:
            counts["layout"] += 1
        refresh_layout(self, *args, **kwargs)

    def counting_refresh(self: Widget, *regions: Any, **kwargs: Any) -> Widget:
        if recording and kwargs.get("repaint", True) and not regions:
            if isinstance(self, Screen):
                counts["whole screen"] += 1
            elif isinstance(self, Panel) and self.id != "status":
                counts[f"panel {self.id}"] += 1
        return refresh(self, *regions, **kwargs)

    async def run() -> None:
        nonlocal recording
        async with app.run_test(size=(120, 36)) as pilot:
            for _ in range(warmup):
                await pilot.press("right")
            await pilot.pause()
            recording = True
            for _ in range(presses):
                await pilot.press("right")
                await pilot.pause()
            recording = False
        assert app.engine.cursor == warmup + presses

    Screen._refresh_layout = counting_layout  # type: ignore[method-assign]
    Widget.refresh = counting_refresh  # type: ignore[method-assign]
    try:
        asyncio.run(run())
    finally:
        Screen._refresh_layout = refresh_layout  # type: ignore[method-assign]
        Widget.refresh = refresh  # type: ignore[method-assign]
    return counts


def test_a_step_redraws_no_layout_no_whole_screen_no_panel_border() -> None:
    # The seed lecture: every number on screen changes at every step.
    assert count_redraws([], presses=10) == Counter()


def test_a_step_on_wide_data_redraws_no_layout() -> None:
    # Iris: the widths of the numbers change from step to step, the scrollbars do not.
    assert count_redraws(["--dataset", "iris-versicolor-virginica"], presses=10) == Counter()


def panels_shown(keys: list[str], size: tuple[int, int] = (120, 36)) -> list[Counter[str]]:
    """For each key in turn, which panels drew themselves (Panel.show) after it."""
    app = LogSGDApp(make_engine(resolve_setup(build_parser().parse_args([]))))
    shown: Counter[str] = Counter()
    per_key: list[Counter[str]] = []

    async def run() -> None:
        async with app.run_test(size=size) as pilot:
            # A notice first: its line (the status line's third) makes the panels shorter.
            await pilot.press("right", "plus")
            await pilot.pause()
            for panel in app.query(Panel):
                show = panel.show

                def counting(state: Any, show: Any = show, name: str = str(panel.id)) -> None:
                    shown[name] += 1
                    show(state)

                panel.show = counting  # type: ignore[method-assign]
            for key in keys:
                shown.clear()
                await pilot.press(key)
                await pilot.pause()
                per_key.append(Counter(shown))

    asyncio.run(run())
    return per_key


def test_a_view_setting_redraws_only_the_panels_that_show_it() -> None:
    chart, faster, tab, step = panels_shown(["c", "plus", "tab", "right"])
    # The panels whose drawing reads the whole state (batch, gradients: Panel.drawn_from's
    # default) redraw on every change; the others only when what they show changed.
    every = Counter({"batch": 1, "gradients": 1})
    assert chart == every + Counter({"chart": 1})  # the loss chart instead of the weights
    assert faster == every + Counter({"status": 1})  # "autoplay speed 8 steps per second"
    assert tab == every  # the selection is a layout, not a drawing
    # A step draws every panel once.
    assert step == every + Counter({"status": 1, "dataset": 1, "predictions": 1, "chart": 1})


def test_a_step_redraws_only_the_table_lines_that_changed() -> None:
    app = LogSGDApp(make_engine(resolve_setup(build_parser().parse_args([]))))
    drawn: list[tuple[str, int]] = []
    render_line = RowTable.render_line

    def recording(self: RowTable, y: int) -> Any:
        drawn.append((str(self.id), y))
        return render_line(self, y)

    async def run() -> None:
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.press("right", "right")
            await pilot.pause()
            for _ in range(4):
                drawn.clear()
                await pilot.press("right")
                await pilot.pause()
                dataset = sorted(y for table, y in drawn if table == "dataset-table")
                # The 4 rows' batch marks moved; the column names and the blank lines did not.
                assert dataset == [1, 2, 3, 4]
                predictions = sorted(y for table, y in drawn if table == "predictions-table")
                # The caption and the rows (the column names too when a column's width
                # changed), nothing below the 4 rows.
                assert 0 in predictions and predictions[-1] <= 5

    RowTable.render_line = recording  # type: ignore[method-assign]
    try:
        asyncio.run(run())
    finally:
        RowTable.render_line = render_line  # type: ignore[method-assign]
