"""Pilot tests of the layouts: which panels show at each terminal size, where, in what order,
how the panel keys reach the rest; the Footer's entries; the dataset panel's frozen columns,
class names and key; text kept clear of the scrollbars."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Footer, Static

from logsgd.tui.app import LAYOUTS, MIN_HEIGHT, MIN_WIDTH, LogSGDApp, layout_for
from logsgd.tui.cli import build_parser, make_engine, resolve_setup
from logsgd.tui.commands import COMMANDS
from logsgd.tui.marks import BATCH_MARK, NEXT_MARK
from logsgd.tui.panels.dataset import MARKS_KEY
from logsgd.tui.rowtable import RowTable
from logsgd.tui.screens.help import help_table
from logsgd.tui.state import PANELS

# The sizes a lecturer meets (a projector, a laptop or SSH window, a classic terminal, a small
# pane) and the smallest the app runs at; the layout each gets, and what it shows at first.
SIZES = {
    (120, 36): ("full", PANELS),
    (100, 30): ("grid", ("batch", "predictions", "gradients", "chart")),
    (80, 24): ("pair", ("batch", "gradients")),
    (60, 20): ("single", ("batch",)),
    (MIN_WIDTH, MIN_HEIGHT): ("single", ("batch",)),
}

Scenario = Callable[[LogSGDApp, Pilot[int]], Awaitable[None]]


def make_app(*argv: str) -> LogSGDApp:
    return LogSGDApp(make_engine(resolve_setup(build_parser().parse_args(list(argv)))))


def run(scenario: Scenario, size: tuple[int, int], *argv: str) -> None:
    app = make_app(*argv)

    async def inner() -> None:
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await scenario(app, pilot)

    asyncio.run(inner())


def on_screen(app: LogSGDApp) -> list[str]:
    """The panels displayed, in reading order of where they are (top to bottom, left to right
    within a row of panels)."""
    panels = [name for name in PANELS if app.query_one(f"#{name}").display]
    return sorted(panels, key=lambda name: reading_place(app.query_one(f"#{name}").region))


def reading_place(region: Region) -> tuple[int, int]:
    return region.y, region.x


def assert_tiled(app: LogSGDApp) -> None:
    """The panels on screen lie inside the screen, do not overlap, and are big enough to read."""
    screen = Region(0, 0, *app.size)
    regions = [app.query_one(f"#{name}").region for name in on_screen(app)]
    for region in regions:
        assert screen.contains_region(region), (region, screen)
        assert region.width >= 20 and region.height >= 6, region
    for i, a in enumerate(regions):
        for b in regions[i + 1 :]:
            assert not a.overlaps(b), (a, b)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_each_size_shows_its_layout_in_reading_order(size: tuple[int, int]) -> None:
    name, panels = SIZES[size]

    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        assert app.layout is not None and app.layout.name == name
        assert app.has_class(f"layout-{name}")
        assert on_screen(app) == list(panels)
        assert_tiled(app)
        tabs = app.query("#tabs")
        assert bool(tabs) == (name != "full")  # the full layout needs no tabs
        if tabs:
            text = str(tabs.first(Static).render())
            assert len(text) <= size[0], text  # never cut: all five whole
            numbers = [f" {i} {panel} " for i, panel in enumerate(PANELS, start=1)]
            assert all(number in text for number in numbers), text
            assert sorted(numbers, key=text.index) == numbers

    run(scenario, size)


def test_100x30_shows_the_batch_gradients_and_predictions_and_80x24_the_derivation() -> None:
    """The issue's sizes: a laptop or SSH window, and a classic terminal."""
    assert {"batch", "gradients", "predictions"} <= set(layout_for(100, 30).shown)  # type: ignore[union-attr]
    assert {"batch", "gradients"} <= set(layout_for(80, 24).shown)  # type: ignore[union-attr]
    assert layout_for(69, 24).name == layout_for(80, 21).name == "single"  # type: ignore[union-attr]
    assert layout_for(MIN_WIDTH - 1, MIN_HEIGHT) is None


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_keys_1_to_5_and_tab_reach_every_panel_in_every_layout(size: tuple[int, int]) -> None:
    """A panel the layout has no room for shows while selected, in place of the one its
    layout says (LAYOUTS), the others where they were; the tabs mark it."""

    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        layout = app.layout
        assert layout is not None
        for number, name in enumerate(PANELS, start=1):
            await pilot.press(str(number))
            assert app.state is not None and app.state.selected_panel == name
            shown = on_screen(app)
            assert name in shown
            assert shown == list(layout.panels_on_screen(name))
            assert_tiled(app)
            assert app.query_one(f"#{name}").has_class("-selected")
        for name in PANELS:  # tab from the last panel round to the first, and on
            await pilot.press("tab")
            assert app.state is not None and app.state.selected_panel == name
            assert name in on_screen(app)

    run(scenario, size)


def test_a_panel_without_room_takes_the_place_its_layout_says() -> None:
    grid, pair = layout_for(100, 30), layout_for(80, 24)
    assert grid is not None and pair is not None
    # 100x30: the dataset beside the batch, where the predictions were; the derivation stays.
    assert grid.panels_on_screen("dataset") == ("dataset", "batch", "gradients", "chart")
    # 80x24: the batch's half shows a table of rows, the gradient's half the chart.
    assert pair.panels_on_screen("dataset") == ("dataset", "gradients")
    assert pair.panels_on_screen("predictions") == ("predictions", "gradients")
    assert pair.panels_on_screen("chart") == ("batch", "chart")
    for layout in LAYOUTS:
        for name in PANELS:
            shown = layout.panels_on_screen(name)
            assert name in shown and shown == tuple(p for p in PANELS if p in shown)


def test_the_panel_keys_the_help_and_the_tabs_number_the_panels_in_one_order() -> None:
    """Reading order of the full layout: dataset, batch, predictions over gradients, chart."""
    assert PANELS == ("dataset", "batch", "predictions", "gradients", "chart")
    panel_keys = [c for c in COMMANDS if c.action.startswith("show_panel")]
    assert [(c.keys, c.action) for c in panel_keys] == [
        (str(i), f"show_panel({name!r})") for i, name in enumerate(PANELS, start=1)
    ]
    cells = [str(cell) for cell in help_table().columns[0].cells]
    helped = [row for row in cells if row in {"1", "2", "3", "4", "5"}]
    assert helped == ["1", "2", "3", "4", "5"]

    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        assert on_screen(app) == list(PANELS)  # the full layout: its reading order is PANELS

    run(scenario, (120, 36))


# ---------------------------------------------------------------------- the Footer


def footer_entries(app: LogSGDApp) -> list[Widget]:
    return list(app.query_one(Footer).query("FooterKey"))


@pytest.mark.parametrize("width", [120, 110, 100, 90, 80, 70, 60])
def test_the_footer_shows_whole_entries_the_first_first_and_help_always(width: int) -> None:
    height = 36 if width >= 110 else 24

    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        footer = app.query_one(Footer)
        entries = footer_entries(app)
        palette = [key for key in entries if key.has_class("-command-palette")]
        keys = [key for key in entries if not key.has_class("-command-palette")]
        # Each entry whole: inside the Footer, and left of the palette's entry if shown.
        right = palette[0].region.x if palette else footer.region.right
        for key in keys:
            assert key.region.width > 0 and key.region.right <= right, (key.region, right)
        # The first of the Footer's commands, in their order; help among them at any width.
        ranked = sorted((c for c in COMMANDS if c.footer), key=lambda c: c.footer)
        labels = [str(key.render()).split(maxsplit=1)[1].strip() for key in keys]
        assert labels == [c.label for c in ranked[: len(labels)]]
        assert "Help" in labels and "Quit" in labels and "Step" in labels
        if width >= 100:
            assert len(labels) == len(ranked) and palette  # all of them, and the palette
        # What is on screen ends with whole words: the last entry's label is all there.
        line = "".join(
            str(key.render()) for key in sorted(keys, key=lambda key: key.region.x)
        ).split()
        assert line[-1] == labels[-1]

    run(scenario, (width, height))


def test_a_resize_gives_the_footer_the_entries_of_its_width() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        wide = len(footer_entries(app))
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        await pilot.pause()
        narrow = len(footer_entries(app))
        assert narrow < wide
        await pilot.resize_terminal(120, 36)
        await pilot.pause()
        await pilot.pause()
        assert len(footer_entries(app)) == wide

    run(scenario, (120, 36))


# ---------------------------------------------------------------------- the dataset panel


@pytest.fixture
def pass_fail_csv(tmp_path: Path) -> Path:
    """Three features and a pass/fail label (the issue's example), rows long enough to scroll."""
    path = tmp_path / "exam.csv"
    rows = ["hours,sleep,coffee,result"] + [
        f"{1 + i % 9}.5,{4 + i % 5}.25,{i % 4},{'pass' if i % 3 else 'fail'}" for i in range(40)
    ]
    path.write_text("\n".join(rows) + "\n")
    return path


def dataset_lines(app: LogSGDApp) -> list[str]:
    table = app.query_one("#dataset-table", RowTable)
    return [table.render_line(y).text for y in range(table.size.height)]


def test_the_dataset_panel_is_as_wide_as_its_table_and_says_which_class_is_1(
    pass_fail_csv: Path,
) -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right")
        panel = app.query_one("#dataset")
        lines = dataset_lines(app)
        assert lines[0].startswith("result: pass = 1 ")
        header = lines[1].split()
        assert header == ["#", "hours", "sleep", "coffee", "result"]  # every column, whole
        assert panel.border_subtitle == MARKS_KEY
        assert BATCH_MARK in MARKS_KEY and NEXT_MARK in MARKS_KEY
        # Its width: the table's, one cell clear of the scrollbar, inside the border.
        table = app.query_one("#dataset-table", RowTable)
        assert panel.region.width == table.region.width + 2
        assert panel.region.width < app.query_one("#batch").region.width

    run(scenario, (120, 36), str(pass_fail_csv))


@pytest.mark.parametrize("size", [(120, 36), (100, 30), (80, 24), (60, 20)])
def test_the_dataset_table_fills_its_panel_whatever_sets_the_panels_width(
    size: tuple[int, int], tmp_path: Path
) -> None:
    """One narrow column and many rows: the title is wider than the table, and in the pair
    and single layouts the panel is wider still; the scrollbar stays at the panel's edge."""
    path = tmp_path / "one.csv"
    path.write_text("x,y\n" + "".join(f"{i % 7},{i % 2}\n" for i in range(500)))

    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("1")
        panel = app.query_one("#dataset")
        table = app.query_one("#dataset-table", RowTable)
        assert table.show_vertical_scrollbar
        assert table.region.right == panel.content_region.right
        assert "Dataset (500 rows)" in str(panel.border_title)

    run(scenario, size, str(path))


def test_the_seed_lecture_has_no_class_names_to_tell() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        assert dataset_lines(app)[0].split() == ["#", "x1", "x2", "y"]
        assert "Dataset (4 rows)" in str(app.query_one("#dataset").border_title)

    run(scenario, (120, 36))


def test_scrolling_the_dataset_sideways_keeps_the_row_its_mark_and_its_label() -> None:
    """Breast cancer's 30 features in a narrow panel: shift+→ moves the feature columns only."""

    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("1", "right")
        before = dataset_lines(app)
        await pilot.press("shift+right", "shift+right", "shift+right")
        after = dataset_lines(app)
        table = app.query_one("#dataset-table", RowTable)
        assert table.scroll_offset.x == 24
        assert before[0].startswith("diagnosis: malignant = 1 ")
        assert after[0] == before[0]  # the caption stays put
        header_before, header_after = before[1].split(), after[1].split()
        assert header_before[0] == header_after[0] == "#"
        assert header_before[-1] == header_after[-1] == "diagnosis"
        assert header_before[1] == "mean_radius" and "mean_radius" not in after[1]
        for row_before, row_after in zip(before[2:6], after[2:6], strict=True):
            assert row_before.startswith(f"{BATCH_MARK}   ") and row_after[:6] == row_before[:6]
            assert row_after.split()[-1] == row_before.split()[-1]  # the label, 0 or 1
            assert "…" in row_after  # the cut feature columns are marked
        assert table.scroll_offset.y == 0

    run(scenario, (80, 24), "--dataset", "breast-cancer")


# ---------------------------------------------------------------------- scrollbars


@pytest.mark.parametrize(
    ("size", "argv"),
    [((120, 36), ()), ((80, 24), ()), ((100, 30), ("--dataset", "breast-cancer"))],
)
def test_text_keeps_one_cell_clear_of_a_vertical_scrollbar(
    size: tuple[int, int], argv: tuple[str, ...]
) -> None:
    """`1.000e-08▇` no more: in every table on screen with a vertical scrollbar, the cell
    before the scrollbar is blank on every line, at every panel the keys show."""

    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right")
        checked = 0
        for number in range(1, len(PANELS) + 1):
            await pilot.press(str(number))
            for table in app.query(RowTable):
                panel = table.parent
                if (
                    not (isinstance(panel, Widget) and panel.display)
                    or not table.show_vertical_scrollbar
                ):
                    continue
                for y in range(table.size.height):
                    line = table.render_line(y).text
                    assert line[-1] == " ", (table.id, y, line)
                checked += 1
        assert checked > 0

    run(scenario, size, *argv)
