"""100,000 features: every panel costs what it shows, not the number of columns, and what it
shows is the engine's numbers (the issue "Nothing lost, nothing injected").

Per-step cost is counted, not timed: the Python lines run by each of our modules during one
step are the same at 50 features and at 50,000 (an O(d) loop would add tens of thousands).
"""

from __future__ import annotations

import asyncio
import re
import sys
from collections import Counter
from pathlib import Path
from types import FrameType
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.segment import Segment
from rich.text import Text
from test_screen_equals_export import NUMBER, equations

from logsgd.core.builtin_datasets import load_builtin
from logsgd.core.dataset import Dataset
from logsgd.core.derivation import TEXT, Derivation, largest_in_size
from logsgd.core.engine import Engine
from logsgd.core.formatting import fmt, fmt_data, operand
from logsgd.core.params import Hyperparams
from logsgd.tui.app import LogSGDApp
from logsgd.tui.chartcanvas import ChartCanvas
from logsgd.tui.chartdata import chart_data
from logsgd.tui.equations import EquationLayout
from logsgd.tui.panels import dataset as dataset_panel
from logsgd.tui.panels import gradients as gradients_panel
from logsgd.tui.panels.gradients import MAX_TERMS_LISTED, WEIGHTS_LISTED, GradientsPanel
from logsgd.tui.rowtable import RowTable, whole, window
from logsgd.tui.textual_internals import line_segments

WIDE = (120, 36)
ROOT = Path(__file__).resolve().parents[1]


def wide_dataset(d: int, n: int = 50, seed: int = 0, batch_size: int = 10) -> Dataset:
    """n rows of d features as /tmp/wide.csv has them: normal, 3 decimals, y = x1 > 0."""
    rng = np.random.default_rng(seed)
    features = np.round(rng.normal(size=(n, d)), 3)
    return Dataset(
        name="wide",
        description="",
        feature_names=tuple(f"x{j + 1}" for j in range(d)),
        label_name="y",
        features=features,
        labels=(features[:, 0] > 0).astype(np.float64),
        hyperparams=Hyperparams(0.01, batch_size),
    )


def lines_of(app: LogSGDApp, table_id: str) -> list[str]:
    table = app.query_one(f"#{table_id}", RowTable)
    return table.lines()


def drawn(app: LogSGDApp, table_id: str) -> list[str]:
    table = app.query_one(f"#{table_id}", RowTable)
    return [table.render_line(y).text for y in range(table.size.height)]


# ---------------------------------------------------------------------- what is shown


def test_a_step_at_100k_features_shows_a_screenful_of_the_engines_numbers() -> None:
    d = 100_000
    app = LogSGDApp(Engine(wide_dataset(d)))

    async def run() -> None:
        async with app.run_test(size=WIDE) as pilot:
            await pilot.pause()
            batch = lines_of(app, "batch-body")
            # Step 0: the first initial weights, how many more, and the bias.
            assert "  w7 (x8) = 0" in batch and "  w8 (x9) = 0" not in batch
            assert "  … (99,992 more)" in batch and batch[-1] == "  w100000 (bias) = 0"
            await pilot.press("right", "right")
            await pilot.pause()
            assert app.state is not None
            event = app.state.event
            check_batch(app, event, d)
            check_gradients(app, event, d)
            check_dataset(app, event)
            check_chart(app, d)

    asyncio.run(run())


def check_batch(app: LogSGDApp, event: Any, d: int) -> None:
    lines = lines_of(app, "batch-body")
    # Four rows written out, six more on three short lines each: about 150 numbers, not d.
    assert len(lines) < 120 and sum(len(NUMBER.findall(line)) for line in lines) < 200
    i = 0
    k = int(event.rows[i]) + 1
    x, w = event.inputs[i], event.weights_before
    start = next(n for n, line in enumerate(lines) if line.startswith(f"row {k}  "))
    data = " ".join(lines[start : start + 6]).split()  # the data line, wrapped to the panel
    listed = [f"x{j + 1}={fmt_data(x[j])}," for j in range(8)]
    more = ["…", "(99,992", "more)", f"y{k}", "=", fmt_data(event.labels[i])]
    assert data[: 2 + 8 + len(more)] == ["row", str(k), *listed, *more], data
    products = [f"{operand(fmt(w[j]))} * {operand(fmt_data(x[j]))}" for j in (0, 1, d - 1)]
    z = (
        f"z{k} = w0*x1 + w1*x2 + ... + w99999*x100000 + w100000 = {products[0]} + {products[1]}"
        f" + ... (99,997 more) + {products[2]} + {operand(fmt(w[d]))} = {fmt(event.z[i])}"
    )
    assert z in equations(lines)


def check_gradients(app: LogSGDApp, event: Any, d: int) -> None:
    lines = lines_of(app, "gradients-body")
    assert len(lines) < 160 and sum(len(NUMBER.findall(line)) for line in lines) < 400
    assert f"the {WEIGHTS_LISTED} largest (in size) of 100,001 gradients, and the bias" in lines
    largest = np.argsort(-np.abs(event.gradient[:d]), kind="stable")[:WEIGHTS_LISTED]
    listed = [*sorted(largest.tolist()), d]
    titles = [line for line in lines if re.fullmatch(r"w\d+ \((x\d+|bias)\)", line)]
    assert titles == [f"w{j} (x{j + 1})" for j in listed[:-1]] + [f"w{d} (bias)"]
    shown = equations(lines)
    for j in listed:
        assert f"g{j} = the mean of the 10 terms = {fmt(event.data_gradient[j])}" in shown
        update = f"w{j} <- w{j} - lr * g{j} = {fmt(event.weights_before[j])} - 0.01 * "
        assert any(
            e.startswith(update) and e.endswith(f" = {fmt(event.weights_after[j])}") for e in shown
        ), j


def check_dataset(app: LogSGDApp, event: Any) -> None:
    table = app.query_one("#dataset-table", RowTable)
    inputs = app.engine.inputs
    header, *rows = drawn(app, "dataset-table")
    names = header.replace("…", " ").split()
    assert names[:3] == ["#", "x1", "x2"]
    top = int(table.scroll_offset.y)
    for y, line in enumerate(rows, start=1):
        cells = line.replace("▶", " ").replace("›", " ").split()
        i = top + y - 1
        assert cells[0] == str(i + 1)
        # The label stays at the right edge; the column before it may be cut ("…").
        assert cells[-1] == fmt_data(app.engine.dataset.labels[i])
        for j, cell in enumerate(cells[1:-2]):
            assert cell == fmt_data(inputs[i, j]), (i, j, line)
        # What the table was handed to draw is the columns in view, not 100,000 of them: the
        # row's number, the columns in view and the label.
        parts = table._text_at(y)
        assert parts is not None and parts[0][1] == 0
        assert all(text.cell_len < 2 * table.size.width for text, _ in parts)


def check_chart(app: LogSGDApp, d: int) -> None:
    assert app.state is not None
    chart = app.state.chart
    at_cursor = app.engine.weight_history()[chart.cursor]
    largest = np.argsort(-np.abs(at_cursor[:d]), kind="stable")[:5]
    assert chart.series_names == (*(f"w{j}" for j in sorted(largest.tolist())), f"w{d} bias")
    assert chart.values.shape[1] == 6 and chart.series_total == d + 1
    np.testing.assert_array_equal(chart.values[-1], at_cursor[[*sorted(largest.tolist()), d]])
    rows = app.query_one("#chart-canvas", ChartCanvas).lines()
    assert rows[0].strip() == "step 2 · 6 of 100,001 weights"
    assert any("99,995 smaller not drawn" in row for row in rows)


# ---------------------------------------------------------------------- what a step costs


def our_module(filename: str) -> str | None:
    path = Path(filename)
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else None


def lines_run_in_a_step(d: int) -> Counter[str]:
    """The Python lines run, per module of ours, during one → at d features (after three)."""
    app = LogSGDApp(Engine(wide_dataset(d)))
    counts: Counter[str] = Counter()

    def tracer(frame: FrameType, event: str, arg: object) -> Any:
        module = our_module(frame.f_code.co_filename)
        if module is None:
            return None  # Textual's, Rich's, numpy's: not traced line by line
        counts[module] += 1
        return tracer

    async def run() -> None:
        async with app.run_test(size=WIDE) as pilot:
            await pilot.press("right", "right", "right")
            await pilot.pause()
            sys.settrace(tracer)
            try:
                await pilot.press("right")
                await pilot.pause()
            finally:
                sys.settrace(None)
        assert app.engine.cursor == 4

    asyncio.run(run())
    return counts


def test_a_steps_work_in_each_module_does_not_grow_with_the_number_of_features() -> None:
    few, many = lines_run_in_a_step(50), lines_run_in_a_step(50_000)
    assert few["tui/panels/gradients.py"] and few["tui/panels/dataset.py"], few
    for module in few.keys() | many.keys():
        # The same screenful either way: a few lines more for longer names, never 50,000.
        assert many[module] <= 1.2 * few[module] + 200, (module, few[module], many[module])


def blocks_in_view(app: LogSGDApp) -> list[gradients_panel.Block]:
    """The gradient panel's blocks with a line on screen (below its caption)."""
    table = app.query_one("#gradients-body", RowTable)
    top = int(table.scroll_offset.y)
    bottom = top + table.scrollable_content_region.height - len(table._header) - 1
    return [b for b in app.query_one(GradientsPanel)._blocks if b.first <= bottom and b.last >= top]


def test_the_gradient_panel_builds_the_blocks_on_screen_and_counts_the_others(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Five blocks (four weights and the bias) of ten equations each, about two on screen: the
    others are counted from their layouts, and their lines built when scrolled to."""
    built: list[int] = []  # one entry per equation whose lines the gradient panel built

    class Counted(EquationLayout):
        def lines(self) -> list[Text]:
            built.append(1)
            return super().lines()

    layout = gradients_panel.equation_layout
    monkeypatch.setattr(
        gradients_panel, "equation_layout", lambda *args, **kw: Counted(*layout(*args, **kw))
    )
    d = 100_000
    app = LogSGDApp(Engine(wide_dataset(d)))

    async def run() -> None:
        async with app.run_test(size=WIDE) as pilot:
            await pilot.press("right", "right", "right")
            await pilot.pause()
            built.clear()
            await pilot.press("right")
            await pilot.pause()
            panel = app.query_one(GradientsPanel)
            assert len(panel._blocks) == WEIGHTS_LISTED + 1
            terms = MAX_TERMS_LISTED + 2  # the largest terms, the mean and the update
            in_view = blocks_in_view(app)
            assert 1 <= len(in_view) < len(panel._blocks), in_view
            assert len(built) == terms * len(in_view)
            # Scrolled to the end, the bias's block is drawn: its own equations, as the
            # derivation writes them.
            table = app.query_one("#gradients-body", RowTable)
            await pilot.press("4")
            while table.scroll_offset.y < table.max_scroll_y:
                await pilot.press("pagedown")
                await pilot.pause()
            assert app.state is not None
            event = app.state.event
            assert panel._blocks[-1] in blocks_in_view(app)
            screen = [table.render_line(y).text for y in range(table.size.height)]
            assert "w100000 (bias)" in [line.strip() for line in screen]
            shown = equations(screen)
            for equation in Derivation(event).weight(d, MAX_TERMS_LISTED):
                assert TEXT.line(equation) in shown, TEXT.line(equation)

    asyncio.run(run())


# ---------------------------------------------------------------------- the dataset's columns


def test_a_wide_tables_lines_in_view_are_the_whole_lines_cut_to_the_view() -> None:
    app = LogSGDApp(Engine(load_builtin("breast-cancer"), Hyperparams(0.1, 16)))

    async def run() -> None:
        async with app.run_test(size=WIDE) as pilot:
            await pilot.press("right")
            await pilot.pause()
            table = app.query_one("#dataset-table", RowTable)
            base = table.rich_style
            width = table.scrollable_content_region.width
            length = table.virtual_size.width
            for scroll_x in [*range(0, length - width + 1, 13), length - width]:
                table.scroll_to(x=scroll_x, animate=False, immediate=True)
                await pilot.pause()
                assert int(table.scroll_offset.x) == scroll_x
                above = len(table._header)  # the caption (class names), the names
                lines = [table._header[-1]] + [
                    table._row_text(int(table.scroll_offset.y) + y) for y in range(8)
                ]
                # The row's mark and number (and a space) and its label (after its gap) stay;
                # the columns between them are the whole line's, cut to the rest of the view.
                left, right = table._frozen
                assert right == 2 + len("diagnosis") and left == len("▶ 569 ")
                length = table.virtual_size.width - 1  # one cell kept clear of the scrollbar
                for y, line in enumerate(lines, start=above - 1):
                    plain = whole(line).plain
                    segments = line_segments(whole(line), base, app.console)
                    middle = next(Segment.divide(segments, [length - right]))
                    cut = window(
                        middle, left + scroll_x, width - left - right - 1, base, 0, scroll_x > 0
                    )
                    expected = plain[:left] + "".join(s.text for s in cut) + plain[-right:] + " "
                    assert table.render_line(y).text[:width] == expected, (scroll_x, y)

    asyncio.run(run())


def test_a_column_wider_than_its_sample_is_widened_when_drawn(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(dataset_panel, "WIDTH_SAMPLE_CELLS", 3)  # one row of three columns
    features = np.full((40, 3), 0.5)
    features[4, 1] = -123.456  # not in the sample (row 1), drawn on the first screen
    features[17, 2] = 98765.432  # drawn once scrolled down
    data = Dataset("narrow", "", ("a", "b", "c"), "y", features, np.arange(40) % 2)
    app = LogSGDApp(Engine(data, Hyperparams(0.1, 2)))

    async def run() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("1")  # the dataset panel alone, the whole width
            await pilot.pause()
            await pilot.pause()
            lines = [line.rstrip() for line in drawn(app, "dataset-table")[:8]]
            assert lines[5].split()[2] == "-123.456"
            # Right-aligned in one width: every row ends where the header does.
            assert {len(line) for line in lines} == {len(lines[0])}, lines
            assert lines[0].split() == ["#", "a", "b", "c", "y"]
            await pilot.press("pagedown")  # rows 11 on: the panel is scrolled away from the batch
            await pilot.pause()
            await pilot.pause()
            table = app.query_one("#dataset-table", RowTable)
            assert int(table.scroll_offset.y) == 10  # widening did not scroll back to the batch
            lines = [line.rstrip() for line in drawn(app, "dataset-table")[:10]]
            assert lines[8].split()[:4] == ["18", "0.5", "0.5", "98765.432"]
            assert {len(line) for line in lines} == {len(lines[0])}, lines

    asyncio.run(run())


# ---------------------------------------------------------------------- the largest in size


@settings(max_examples=300, deadline=None)
@given(
    values=st.lists(st.sampled_from([0.0, 1.0, -1.0, 2.5, -2.5, 1e-300, 7.0]), max_size=40),
    count=st.integers(0, 45),
)
def test_the_largest_in_size_are_a_stable_sorts_first(values: list[float], count: int) -> None:
    array = np.array(values)
    expected = sorted(np.argsort(-np.abs(array), kind="stable")[:count].tolist())
    assert largest_in_size(array, count) == expected


@settings(max_examples=150, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(8_192, 60_000),
    count=st.integers(1, 9),
    palette=st.sampled_from(["few", "normal", "spikes", "special"]),
)
def test_the_largest_of_many_found_by_chunks_are_the_stable_sorts_first(
    seed: int, n: int, count: int, palette: str
) -> None:
    """Past 8,192 values the search goes by chunks of 1,024: the same positions as a stable
    sort, ties at the threshold included (few distinct sizes), an infinity as well (no weight
    or gradient shown is NaN: a step that makes one is a divergence, never recorded)."""
    rng = np.random.default_rng(seed)
    if palette == "few":
        array = rng.choice([0.0, 1.0, -1.0, 2.0, -2.0], size=n)
    elif palette == "normal":
        array = rng.normal(size=n)
    else:
        array = rng.normal(size=n) * 1e-3
        array[rng.integers(0, n, size=count + 2)] = rng.choice([5.0, -5.0, 7.0], size=count + 2)
        if palette == "special":
            array[rng.integers(0, n)] = rng.choice([np.inf, -np.inf])
    expected = sorted(np.argsort(-np.abs(array), kind="stable")[:count].tolist())
    assert largest_in_size(array, count) == expected


def test_the_chart_of_the_breast_cancer_data_draws_the_largest_weights_and_the_bias() -> None:
    engine = Engine(load_builtin("breast-cancer"), Hyperparams(0.1, 16))
    engine.run_steps(20)
    chart = chart_data(engine, "weights", 12)
    at_cursor = engine.weight_history()[12]
    largest = sorted(np.argsort(-np.abs(at_cursor[:30]), kind="stable")[:5].tolist())
    assert chart.series_names == (*(f"w{j}" for j in largest), "w30 bias")
    np.testing.assert_array_equal(chart.values, engine.weight_history()[:21][:, [*largest, 30]])
    assert chart.series_total == 31
    # The timeline a change drops (the ghost) is drawn for the same weights.
    engine.walk([-1] * 8)
    engine.set_hyperparams(learning_rate=0.2)
    ghost = engine.ghost
    assert ghost is not None
    chart = chart_data(engine, "weights", 12)
    assert chart.series_names == (*(f"w{j}" for j in largest), "w30 bias")
    np.testing.assert_array_equal(chart.ghost_values, ghost.weights[:, [*largest, 30]])
    small = chart_data(Engine(load_builtin("iris-versicolor-virginica")), "weights", 0)
    assert small.series_total is None and len(small.series_names) == 5
