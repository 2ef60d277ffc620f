"""What a step redraws: only the lines that show numbers, never a layout pass or the whole screen.

Key latency is a benchmark (benchmarks/bench_app.py), not a timed test. These tests pin the
mechanisms it depends on, which are counts, not times: a step must not re-lay out the screen,
repaint the whole screen, or repaint a panel's border, and redraws only the lines that changed.
(The fast line renderer is held against Rich in test_textual_internals.py.)
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.segment import Segment
from rich.style import Style
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget

from logsgd.core import maths
from logsgd.core.dataset import Dataset
from logsgd.core.engine import Engine
from logsgd.core.formatting import fmt_prob
from logsgd.core.params import Hyperparams
from logsgd.tui.app import LogSGDApp
from logsgd.tui.cli import build_parser, make_engine, resolve_setup
from logsgd.tui.panels.base import Panel
from logsgd.tui.panels.predictions import RowsOfF
from logsgd.tui.panels.status import StatusLine
from logsgd.tui.rowtable import RowTable, window


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
            elif isinstance(self, Panel) and not isinstance(self, StatusLine):
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
    assert faster == every + Counter({"status-text": 1})  # "autoplay speed 8 steps per second"
    assert tab == every  # the selection is a layout, not a drawing
    # A step draws every panel once.
    step_panels = {"status-text": 1, "dataset": 1, "predictions": 1, "chart": 1}
    assert step == every + Counter(step_panels)


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


# ---------------------------------------------------------------------- a line's window

LINE_PIECES = st.lists(
    st.tuples(st.text(st.sampled_from("ab 0.-…日本"), max_size=7), st.sampled_from(["", "bold"])),
    max_size=6,
)


def strip_window(segments: list[Segment], scroll_x: int, width: int, base: Style) -> Strip:
    """The window as Strip operations cut it (RowTable's first version): the reference. An
    ellipsis takes the style of the cell it stands in (a highlighted row stays highlighted)."""

    def ellipsis(strip: Strip, cell: int) -> Strip:
        styles = [s.style for s in strip.crop(cell, cell + 1)]
        return Strip([Segment("…", styles[0] if styles and styles[0] else base)])

    full = Strip(segments)
    strip = full.crop(scroll_x, scroll_x + width)
    if full.cell_length > scroll_x + width and width > 1:
        strip = Strip.join([strip.crop(0, width - 1), ellipsis(strip, width - 1)])
    if scroll_x > 0 and strip.cell_length > 1:
        strip = Strip.join([ellipsis(strip, 0), strip.crop(1, width)])
    return strip.extend_cell_length(width, base)


def cells_of(segments: list[Segment]) -> list[tuple[str, Style | None]]:
    return [(ch, s.style) for s in segments for ch in s.text]


@settings(max_examples=400, deadline=None)
@given(pieces=LINE_PIECES, scroll_x=st.integers(0, 30), width=st.integers(1, 30))
def test_a_lines_window_is_what_strip_operations_cut(
    pieces: list[tuple[str, str]], scroll_x: int, width: int
) -> None:
    base = Style(color="white")
    segments = [
        Segment(text, base + Style.parse(style) if style else base) for text, style in pieces
    ]
    got = window(list(segments), scroll_x, width, base)
    want = strip_window(segments, scroll_x, width, base)
    assert Segment.get_line_length(got) == width
    assert cells_of(got) == cells_of(list(want))


# ---------------------------------------------------------------------- 100,000 rows

TABLES = ("dataset", "predictions")


def test_a_step_at_100k_rows_costs_the_tables_their_lines_on_screen(
    dataset_maker: Callable[..., Dataset], monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a step at 100,000 rows does in the dataset and predictions tables: draws the
    rows on screen once, computes f for those rows only, and leaves a scrollbar whose thumb
    did not move unpainted. The f and the verdicts shown are the engine's."""
    app = LogSGDApp(Engine(dataset_maker(n=100_000, hyperparams=Hyperparams(batch_size=32))))
    sigmoid_sizes: list[int] = []
    sigmoid = maths.sigmoid

    def recording_sigmoid(z: np.ndarray) -> np.ndarray:
        sigmoid_sizes.append(int(np.size(z)))
        return sigmoid(z)

    # Lines asked of a table, to compare with what it drew or to draw them.
    drawn: Counter[str] = Counter()
    text_at = RowTable._text_at

    def recording_text_at(self: RowTable, y: int) -> Any:
        drawn[str(self.id)] += 1
        return text_at(self, y)

    repaints: Counter[str] = Counter()

    async def run() -> None:
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.press("right", "right")
            await pilot.pause()
            tables = {name: app.query_one(f"#{name}-table", RowTable) for name in TABLES}
            for name, table in tables.items():
                refresh = table.vertical_scrollbar.refresh

                def counting(
                    *args: Any, name: str = name, refresh: Any = refresh, **kwargs: Any
                ) -> Any:
                    repaints[name] += 1
                    return refresh(*args, **kwargs)

                table.vertical_scrollbar.refresh = counting  # type: ignore[method-assign]
            monkeypatch.setattr(maths, "sigmoid", recording_sigmoid)
            RowTable._text_at = recording_text_at  # type: ignore[method-assign]
            for _ in range(5):
                sigmoid_sizes.clear()
                drawn.clear()
                await pilot.press("right")
                await pilot.pause()
                assert app.state is not None
                event, labels = app.state.event, app.state.data.labels
                # f for the batch (the engine's step) and for a block of rows drawn at a
                # time: never for all 100,000 rows.
                assert max(sigmoid_sizes) <= max(64, event.batch_size), sigmoid_sizes
                # Scrolled to the new batch: each line on screen is written once, none is
                # compared with what it showed before.
                for name, table in tables.items():
                    assert 0 < drawn[f"{name}-table"] <= table.size.height, drawn
                predictions = tables["predictions"]
                top = int(predictions.scroll_offset.y)
                above = len(predictions._header)  # the caption (wrapped) and the names
                for y in range(above, predictions.size.height):
                    line = predictions.render_line(y).text
                    i = top + y - above
                    assert line.split()[1 if line.startswith("▶") else 0] == str(i + 1), line
                    assert fmt_prob(float(event.predictions_after[i])) in line.split(), line
                    right = bool(event.z_after_all[i] >= 0) == bool(labels[i] == 1.0)
                    assert ("✓" if right else "✗") in line, (i, line)
            # 32 rows a step move a thumb over 100,000 rows by far less than a cell.
            assert repaints == Counter(), repaints

    try:
        asyncio.run(run())
    finally:
        RowTable._text_at = text_at  # type: ignore[method-assign]


@settings(max_examples=200, deadline=None)
@given(
    z=st.lists(
        st.floats(-800, 800, allow_nan=False) | st.sampled_from([0.0, -1e-17, 37.0, -745.2]),
        min_size=1,
        max_size=300,
    )
)
def test_f_of_the_rows_drawn_is_bit_for_bit_the_whole_arrays(z: list[float]) -> None:
    values = np.array(z)
    whole = maths.sigmoid(values)  # as StepEvent.predictions_after computes it
    gaps = maths.complement(values)
    rows = RowsOfF(values)
    for i in [*range(len(z))][::-1]:  # drawn in any order
        assert rows.text(i) == fmt_prob(float(whole[i]), float(gaps[i]))
