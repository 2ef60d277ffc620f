"""Pilot tests of the decision boundary view: its keys, its words, its marks, on every dataset."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from test_app_keys import COMPACT, WIDE, make_app, run_scenario
from textual.pilot import Pilot
from textual.widgets._footer import FooterKey  # not exported; the Footer draws one per key

from logsgd.core.builtin_datasets import builtin_names
from logsgd.tui.app import LogSGDApp
from logsgd.tui.chartcanvas import BRAILLE, ChartCanvas
from logsgd.tui.marks import BATCH_MARK, CLASS0_MARK, CLASS1_MARK, WRONG0_MARK, WRONG1_MARK
from logsgd.tui.panels import boundary
from logsgd.tui.panels.chart import ChartPanel
from logsgd.tui.screens.help import help_table

SIZES = pytest.mark.parametrize("size", [WIDE, COMPACT], ids=["120x36", "80x24"])


def view_text(app: LogSGDApp) -> str:
    return "\n".join(app.query_one(ChartPanel).query_one(ChartCanvas).lines())


def plot_chars(app: LogSGDApp) -> str:
    """The characters inside the plot's frame (the braille of the lines and the rows)."""
    canvas = app.query_one(ChartPanel).query_one(ChartCanvas)
    place = boundary.boundary_picture(app.state).layout(*canvas.size)
    assert place is not None
    top, left, rows, columns = place
    lines = canvas.lines()[top : top + rows]
    return "".join(line[left : left + columns] for line in lines)


def braille_in_plot(app: LogSGDApp) -> bool:
    return any(BRAILLE < ord(c) < BRAILLE + 256 for c in plot_chars(app))


@SIZES
def test_v_shows_the_seed_lecture_flip_with_the_line_far_below(size: tuple[int, int]) -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("v")
        panel = app.query_one(ChartPanel)
        assert app.state.chart_mode == "boundary"
        assert app.state.selected_panel == "chart"  # compact: the chart panel comes up
        assert panel.display and panel.region.width > 0
        assert str(panel.border_title).startswith("Decision boundary")
        assert str(panel.border_subtitle) == boundary.MARKS_KEY
        await pilot.press("right")
        text = view_text(app)
        assert "step 1 · predicts 1 below the line (shaded)" in text
        assert "all in view predict 0 · 2/4 wrong" in text
        # Across the window the line runs hundreds below the data: said at the bottom edge.
        assert "line at x2 ≈ -855.5 … -1,683 ↓" in text
        assert "x2 (as given)" in text and "x1 (as given)" in text
        # Rows 1, 2 (class 0) right and in the batch; rows 3, 4 (class 1) predicted 0.
        plot = plot_chars(app)
        assert plot.count(CLASS0_MARK) == 2 and plot.count(WRONG1_MARK) == 2
        assert plot.count(BATCH_MARK) == 2
        assert not braille_in_plot(app)  # both lines are outside the window

        await pilot.press("right")
        text = view_text(app)
        assert "step 2 · predicts 1 above the line (shaded)" in text
        assert "all in view predict 1 · 2/4 wrong" in text
        assert "line at x2 ≈ -12,689 … -24,960 ↓" in text
        assert "before the step: x2 ≈ -855.5 … -1,683 ↓" in text
        plot = plot_chars(app)
        assert plot.count(WRONG0_MARK) == 2 and plot.count(CLASS1_MARK) == 2

        # f takes the lines in: both are drawn, and no edge says a line is out of view.
        await pilot.press("f")
        assert app.state.boundary_fit
        assert "decision boundary window" in app.state.notice
        text = view_text(app)
        assert "line at" not in text and "before the step" not in text
        assert braille_in_plot(app)
        assert str(panel.border_title).startswith("Decision boundary · f: zoom in")
        await pilot.press("f")
        assert "line at x2" in view_text(app)

    run_scenario(scenario, size=size)


def test_c_and_v_leave_the_boundary_for_the_weights() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("v")
        assert app.state.chart_mode == "boundary"
        await pilot.press("v")
        assert app.state.chart_mode == "weights"
        await pilot.press("v", "c")
        assert app.state.chart_mode == "weights"
        assert str(app.query_one(ChartPanel).border_title).startswith("Weights")
        await pilot.press("c", "v", "right")
        assert app.state.chart_mode == "boundary" and app.state.chart.mode == "boundary"
        assert "step 1" in view_text(app)

    run_scenario(scenario, size=WIDE)


def test_the_boundary_is_named_by_the_chart_help_and_palette() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        # Not in the Footer (at 80 columns it would push Help and Quit out): the chart's
        # border names it, as help and the palette do.
        assert "toggle_boundary" not in {key.action for key in app.query(FooterKey)}
        assert str(app.query_one(ChartPanel).border_title).endswith("· v: boundary")
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Decision boundary · key v" in titles
        assert "Boundary window · key f" in titles
        # Run from the palette's entry: it is the same action as the key.
        entry = next(
            c for c in app.get_system_commands(app.screen) if c.title.startswith("Decision")
        )
        await entry.callback()
        await pilot.pause()
        assert app.state.chart_mode == "boundary"
        await pilot.press("question_mark")
        await pilot.pause()
        shown = [str(cell) for column in help_table(2).columns for cell in column.cells]
        assert "v" in shown and any("Decision boundary in the chart's place" in c for c in shown)

    run_scenario(scenario, size=WIDE)


def test_a_vertical_line_and_no_line_are_said() -> None:
    async def vertical(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("v")
        text = view_text(app)
        assert "step 0 · predicts 1 right of the line (shaded)" in text
        assert braille_in_plot(app)  # x1 = 150 lies inside the data's window

    run_scenario(vertical, "--init", "1,0,-150", size=WIDE)

    async def far(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("v")
        assert "line at x1 ≈ 1,000 →" in view_text(app)
        await pilot.press("f")
        assert braille_in_plot(app) and "line at" not in view_text(app)

    run_scenario(far, "--init", "1,0,-1000", size=WIDE)

    async def none(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("v")
        text = view_text(app)
        assert "no line: w0 = w1 = 0" in text and "all rows predict 1" in text
        assert not braille_in_plot(app)

    run_scenario(none, "--init", "0,0,0.5", size=WIDE)


def test_standardized_data_is_drawn_in_the_engines_units() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("v", "right")
        text = view_text(app)
        assert "x1 (standardized)" in text and "x2 (standardized)" in text
        picture = boundary.boundary_picture(app.state)
        inputs = app.state.data.inputs
        np.testing.assert_array_equal(picture.x1[:4], inputs[:, 0])
        assert picture.window.x1_low < inputs[:, 0].min() < 0 < inputs[:, 0].max()

    run_scenario(scenario, "--standardize", size=WIDE)


@pytest.mark.parametrize("name", builtin_names())
def test_every_builtin_dataset_draws_its_boundary(name: str) -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("v", "right", "right", "right")
        text = view_text(app)
        assert "step 3 · " in text
        n = app.state.n_rows
        picture = boundary.boundary_picture(app.state)
        assert picture.x1.size == n + app.state.event.rows.size  # every row, and the batch
        if app.state.data.n_features > 2:
            others = app.state.data.n_features - 2
            assert f"{others} other features at their mean" in text
        await pilot.press("f", "left")
        assert "step 2 · " in view_text(app)

    run_scenario(scenario, "--dataset", name, "--standardize", size=WIDE)


def write_big_csv(path: Path, n: int = 100_000) -> Path:
    """n rows of two features around the seed lecture's (x1 near 150, x2 near 12), labelled
    by x1 with noise: the 100,000-row CSV the views are tried on."""
    rng = np.random.default_rng(7)
    features = rng.normal(size=(n, 2)) * [30.0, 4.0] + [150.0, 12.0]
    labels = (features[:, 0] - 150 + rng.normal(size=n) * 10 > 0).astype(int)
    np.savetxt(
        path,
        np.column_stack([features, labels]),
        delimiter=",",
        header="a,b,y",
        comments="",
        fmt=["%.3f", "%.3f", "%d"],
    )
    return path


def test_100000_rows_draw_a_deterministic_sample_and_stay_fast(tmp_path: Path) -> None:
    n = 100_000
    path = write_big_csv(tmp_path / "big.csv", n)

    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("v", "right")
        text = view_text(app)
        assert "2,000 of 100,000 rows drawn: every 50th" in text
        picture = boundary.boundary_picture(app.state)
        assert picture.x1.size == 2000 + 64
        np.testing.assert_array_equal(picture.x1[:2000], app.state.data.inputs[::50, 0])
        # A redraw costs the rows drawn, not the data: well under the 100,000 rows' O(n).
        canvas = app.query_one(ChartPanel).query_one(ChartCanvas)
        width, height = canvas.size
        start = time.perf_counter()
        for _ in range(20):
            boundary.boundary_picture(app.state).strips(width, height, canvas.rich_style)
        assert (time.perf_counter() - start) / 20 < 0.05
        await pilot.press("right", "right", "f", "left")
        assert "step 2 · " in view_text(app)

    run_scenario(scenario, str(path), "--batch-size", "64", size=WIDE)


def test_a_step_in_the_boundary_view_redraws_the_chart_panel_only_when_it_changes() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        panel = app.query_one(ChartPanel)
        shown: list[int] = []
        original = panel.show

        def counting(state: object) -> None:
            shown.append(1)
            original(state)  # type: ignore[arg-type]

        panel.show = counting  # type: ignore[method-assign]
        await pilot.press("v")
        await pilot.press("plus")  # autoplay speed: not drawn here
        await pilot.press("right")
        await pilot.press("f")
        assert len(shown) == 3

    run_scenario(scenario, size=WIDE, app=make_app())


def test_at_80x24_the_heading_wraps_and_the_title_and_key_fit_whole() -> None:
    """The pair layout gives the view half of 80 columns: nothing of its words is cut."""

    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("v", "right")
        panel = app.query_one(ChartPanel)
        width = panel.size.width
        assert width < len(boundary.MARKS_KEY) + 4  # narrow: the short key
        title, key = str(panel.border_title), str(panel.border_subtitle)
        assert key == boundary.MARKS_KEY_NARROW and len(key) + 4 <= width
        assert title == "Boundary · f: zoom out · x: pair" and len(title) + 4 <= width
        lines = app.query_one(ChartPanel).query_one(ChartCanvas).lines()
        # "step 1 · predicts 1 below the line (shaded)" on two rows, then the rows' line.
        assert lines[0].rstrip() == "step 1 · predicts 1 below the line"
        assert lines[1].strip() == "(shaded)"
        assert lines[2].rstrip() == "all in view predict 0 · 2/4 wrong"
        assert "line at x2 ≈ -855.5 … -1,683 ↓" in "\n".join(lines)

    run_scenario(scenario, size=(80, 24))


async def choose_pair(pilot: Pilot[int], across: str, up: str) -> None:
    """Press x, type the form's two features and press Enter in the second."""
    from textual.widgets import Input

    from logsgd.tui.screens.names import NamesScreen

    await pilot.press("x")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, NamesScreen)
    screen.query_one("#pair-across", Input).value = across
    screen.query_one("#pair-up", Input).value = up
    screen.query_one("#pair-up", Input).focus()
    await pilot.press("enter")
    await pilot.pause()


def test_x_chooses_the_two_features_and_the_line_is_drawn_over_them() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right")
        await choose_pair(pilot, "x3", "petal_width")
        assert app.state.chart_mode == "boundary" and app.state.boundary_pair == (2, 3)
        assert app.state.notice == (
            "decision boundary over petal_length (across) and petal_width (up)"
        )
        text = view_text(app)
        assert "x3: petal_length (as given)" in text and "x4: petal_width (as given)" in text
        assert "2 other features at their mean" in text
        # The line over (x3, x4), x1 and x2 held at their mean: z = w2 x3 + w3 x4 + c.
        picture = boundary.boundary_picture(app.state, app.state.boundary_pair)
        w, inputs = np.asarray(app.state.event.weights_after), app.state.data.inputs
        c = w[4] + w[0] * inputs[:, 0].mean() + w[1] * inputs[:, 1].mean()
        assert picture.line is not None
        assert (picture.line.a, picture.line.b) == (w[2], w[3])
        assert picture.line.c == pytest.approx(c, rel=1e-15)
        np.testing.assert_array_equal(picture.x1[:100], inputs[:, 2])
        np.testing.assert_array_equal(picture.x2[:100], inputs[:, 3])
        # The pair stays with the view as it steps and comes back to it.
        await pilot.press("right", "v", "v")
        assert app.state.boundary_pair == (2, 3)
        assert "x4: petal_width" in view_text(app)

    run_scenario(scenario, "--dataset", "iris-versicolor-virginica", size=WIDE)


def test_the_same_feature_twice_is_refused_and_escape_keeps_the_pair() -> None:
    from textual.widgets import Static

    from logsgd.tui.screens.names import NamesScreen

    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("x", "enter")  # Enter in the first field goes on to the second
        assert isinstance(app.screen, NamesScreen) and app.screen.focused is not None
        assert app.screen.focused.id == "pair-up"
        await pilot.press("escape")
        await choose_pair(pilot, "sepal_width", "x2")
        screen = app.screen
        assert isinstance(screen, NamesScreen)  # still open
        error = str(screen.query_one("#pair-error", Static).render())
        assert error == "✗ the two features must differ, got x2 twice"
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, NamesScreen)
        assert app.state.boundary_pair == (0, 1) and app.state.chart_mode == "weights"

    run_scenario(scenario, "--dataset", "iris-setosa-versicolor", size=WIDE)


def test_two_features_swap_axes_and_one_feature_is_told(tmp_path: Path) -> None:
    async def swap(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await choose_pair(pilot, "x2", "x1")
        text = view_text(app)
        picture = boundary.boundary_picture(app.state, app.state.boundary_pair)
        assert (picture.x_label, picture.y_label) == ("x2 (as given)", "x1 (as given)")
        assert "\nx2 (as given)  " in text and "other features" not in text

    run_scenario(swap, size=WIDE)
    one = tmp_path / "one.csv"
    one.write_text("hours,passed\n1,0\n2,1\n3,1\n")

    async def single(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("x")
        await pilot.pause()
        assert app.state.notice == "the decision boundary needs two features: this data has one"

    run_scenario(single, str(one), size=WIDE)


def test_a_feature_name_in_the_form_is_text_not_markup(tmp_path: Path) -> None:
    from textual.widgets import Input, Static

    data = tmp_path / "marked.csv"
    data.write_text("[bold]a[/bold],[@click=app.quit]b,[/c],y\n1,2,3,0\n2,3,1,1\n3,1,2,1\n")

    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("x")
        await pilot.pause()
        assert app.screen.query_one("#pair-up", Input).value == "x2: [@click=app.quit]b"
        # Typed back as shown, or by the column's name: read, never parsed as markup.
        await choose_pair(pilot, "[/c]", "x2: [@click=app.quit]b")
        assert app.is_running and app.state.boundary_pair == (2, 1)
        await choose_pair(pilot, "[/foo]", "x1")
        error = str(app.screen.query_one("#pair-error", Static).render())
        assert error == "✗ feature must be one of x1 to x3 or a column's name, got '[/foo]'"

    run_scenario(scenario, str(data), size=WIDE)


@pytest.mark.parametrize(
    ("typed", "index"),
    [("x1", 0), (" x3 ", 2), ("x3: petal_length", 2), ("petal_width", 3), ("x4", 3)],
)
def test_a_feature_is_read_by_number_name_or_both(typed: str, index: int) -> None:
    from logsgd.core.params import feature_index

    names = ("sepal_length", "sepal_width", "petal_length", "petal_width")
    assert feature_index(typed, names, "across") == index


@pytest.mark.parametrize("typed", ["", "x0", "x5", "x+1", "x-1", "x3: sepal_width", "3", "X1"])
def test_what_is_not_a_feature_is_refused_in_one_line(typed: str) -> None:
    from logsgd.core.params import SettingError, feature_index

    names = ("sepal_length", "sepal_width", "petal_length", "petal_width")
    with pytest.raises(SettingError) as refused:
        feature_index(typed, names, "across")
    assert str(refused.value).startswith("feature must be one of x1 to x4 or a column's name")
    assert refused.value.setting == "across"


def test_a_column_named_like_another_columns_number_is_read_by_its_name() -> None:
    from logsgd.core.params import feature_index

    names = ("x2", "x1")  # shown as "x1: x2" and "x2: x1"
    assert feature_index("x2", names, "up") == 0
    assert feature_index("x1: x2", names, "up") == 0
    assert feature_index("x2: x1", names, "up") == 1
