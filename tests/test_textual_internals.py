"""tui/textual_internals.py against the libraries it copies: the rules must be theirs exactly.

When one of these fails after an upgrade of Textual or Rich, the library changed a rule the
app copied: the message names the version it was written against. Copy the new rule, or let
the app use the slow public path.
"""

from __future__ import annotations

import asyncio
from importlib.metadata import version
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Size
from textual.screen import Screen
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar

from logsgd.tui.rowtable import RowTable
from logsgd.tui.textual_internals import (
    WRITTEN_AGAINST,
    line_segments,
    scrollbars_for,
    scrolled_vertically,
    set_scroll_size,
    thumb_drawing,
)

# The table's box; the scroll sizes tried lie around it, where the rule has its cases.
BOX = Size(20, 8)
AROUND = range(-2, 3)


def changed_rule(library: str, what: str) -> str:
    return (
        f"{library} {version(library)} {what}; tui/textual_internals.py copies the rule of "
        f"{library} {WRITTEN_AGAINST[library]}"
    )


class BoxApp(App[None]):
    """One RowTable of a fixed size, with the app's scrollbar sizes or Textual's defaults."""

    def __init__(self, scrollbar_sizes: tuple[int, int] | None) -> None:
        super().__init__()
        self.scrollbar_sizes = scrollbar_sizes

    def compose(self) -> ComposeResult:
        table = RowTable(id="table")
        table.styles.width, table.styles.height = BOX.width, BOX.height
        if self.scrollbar_sizes is not None:
            vertical, horizontal = self.scrollbar_sizes
            table.styles.scrollbar_size_vertical = vertical
            table.styles.scrollbar_size_horizontal = horizontal
        yield table


def sizes() -> list[Size]:
    return [Size(BOX.width + dx, BOX.height + dy) for dx in AROUND for dy in AROUND]


# One start per combination of scrollbars: none, horizontal only, vertical only, both.
STARTS = (Size(1, 1), Size(BOX.width + 5, 1), Size(1, BOX.height + 5), Size(99, 99))


async def _check_scrollbars(scrollbar_sizes: tuple[int, int] | None) -> list[str]:
    wrong = []
    app = BoxApp(scrollbar_sizes)
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(RowTable)
        for start in STARTS:
            for size in sizes():
                table.virtual_size = start
                await pilot.pause(0)
                predicted = scrollbars_for(table, size)
                table.virtual_size = size  # the public way: a layout, Textual decides
                await pilot.pause(0)
                shown = (table.show_horizontal_scrollbar, table.show_vertical_scrollbar)
                if shown != predicted:
                    wrong.append(f"from {start} to {size}: {shown}, the rule says {predicted}")
    return wrong


def test_the_scrollbar_rule_is_textuals_with_the_apps_scrollbars() -> None:
    wrong = asyncio.run(_check_scrollbars((1, 1)))
    assert not wrong, changed_rule("textual", "shows other scrollbars: " + "; ".join(wrong))


def test_the_scrollbar_rule_is_textuals_with_its_default_scrollbars() -> None:
    wrong = asyncio.run(_check_scrollbars(None))
    assert not wrong, changed_rule("textual", "shows other scrollbars: " + "; ".join(wrong))


def _view_of(table: RowTable) -> tuple[Any, ...]:
    """What a new scroll size changes: the bars, their thumbs, the offset, the limits.

    The offset as far as the limits let it go: when the content is exactly the box less its
    bars, Textual's layout keeps the bars and leaves the offset past the end (set_scroll_size
    brings it back, as Textual's next scroll would).
    """
    bars = []
    if table.show_vertical_scrollbar:
        bars.append(("v", table.vertical_scrollbar.window_virtual_size))
    if table.show_horizontal_scrollbar:
        bars.append(("h", table.horizontal_scrollbar.window_virtual_size))
    return (
        table.virtual_size,
        table.show_horizontal_scrollbar,
        table.show_vertical_scrollbar,
        tuple(bars),
        min(table.scroll_offset.x, table.max_scroll_x),
        min(table.scroll_offset.y, table.max_scroll_y),
        table.max_scroll_x,
        table.max_scroll_y,
    )


def set_virtual_size(table: RowTable, size: Size) -> None:
    table.virtual_size = size  # the public way: a reactive with layout=True


async def _compare_with_layout() -> tuple[list[str], int]:
    """set_scroll_size against setting virtual_size, from the same place; layouts it asked."""
    wrong = []
    layouts = 0
    refresh_layout = Screen._refresh_layout
    counting = False

    def counting_layout(self: Screen[Any], *args: Any, **kwargs: Any) -> None:
        nonlocal layouts
        if counting:
            layouts += 1
        refresh_layout(self, *args, **kwargs)

    Screen._refresh_layout = counting_layout  # type: ignore[method-assign]
    try:
        app = BoxApp((1, 1))
        async with app.run_test(size=(60, 20)) as pilot:
            table = app.query_one(RowTable)
            for start in STARTS:
                for size in sizes():
                    results = []
                    for set_size in (set_scroll_size, set_virtual_size):
                        table.virtual_size = start
                        await pilot.pause(0)
                        table.scroll_to(99, 99, animate=False, immediate=True)  # as far as it goes
                        await pilot.pause(0)
                        same_bars = scrollbars_for(table, size) == (
                            table.show_horizontal_scrollbar,
                            table.show_vertical_scrollbar,
                        )
                        counting = set_size is set_scroll_size and same_bars
                        set_size(table, size)
                        await pilot.pause(0)
                        counting = False
                        results.append(_view_of(table))
                    if results[0] != results[1]:
                        wrong.append(f"from {start} to {size}: {results[0]} != {results[1]}")
    finally:
        Screen._refresh_layout = refresh_layout  # type: ignore[method-assign]
    return wrong, layouts


def test_a_scroll_size_set_without_a_layout_leaves_the_table_as_a_layout_would() -> None:
    wrong, layouts = asyncio.run(_compare_with_layout())
    assert not wrong, changed_rule(
        "textual", "updates a scroll view otherwise: " + "; ".join(wrong)
    )
    assert layouts == 0, "a new scroll size with the same scrollbars re-laid out the screen"


# ---------------------------------------------------------------------- the line renderer

STYLES = st.sampled_from(["", "bold", "red", "bold underline", "italic", "reverse green"])
PIECES = st.lists(st.tuples(st.text(st.sampled_from("ab ·≈◀0.-"), max_size=6), STYLES), max_size=6)
CONSOLE = Console()


def reference(text: Text, base: Style) -> list[tuple[str, Style]]:
    """What Rich draws, one (character, style) per cell, on base plus the text's own style."""
    style = base + Style.parse(text.style) if isinstance(text.style, str) else base + text.style
    cells = []
    for segment in text.render(CONSOLE):
        if segment.text != "\n":
            cells += [
                (ch, style + segment.style if segment.style else style) for ch in segment.text
            ]
    return cells


def cells(segments: list[Segment]) -> list[tuple[str, Style]]:
    return [(ch, segment.style) for segment in segments for ch in segment.text]


@settings(max_examples=300, deadline=None)
@given(
    pieces=PIECES,
    line_style=STYLES,
    overlaps=st.lists(st.tuples(st.integers(0, 20), st.integers(0, 20), STYLES), max_size=3),
)
def test_line_segments_draw_what_rich_draws(
    pieces: list[tuple[str, str]], line_style: str, overlaps: list[tuple[int, int, str]]
) -> None:
    text = Text(style=line_style)
    for piece, style in pieces:
        text.append(piece, style=style or None)
    for start, end, style in overlaps:  # stylize() can overlap the pieces: the slow path
        if style:
            text.stylize(style, start, end)
    base = Style(color="white", bgcolor="black")
    assert cells(line_segments(text, base, CONSOLE)) == reference(text, base), changed_rule(
        "rich", f"draws {text!r} otherwise"
    )


def test_the_app_lines_take_the_fast_path() -> None:
    # Pieces appended one after another never overlap: no Text.render, one segment a piece.
    text = Text("  ")
    text.append("(f1 - y1)", style="bold")
    text.append(" = ")
    text.append("-210.0", style="red")
    segments = line_segments(text, Style(), CONSOLE)
    assert [s.text for s in segments] == ["  ", "(f1 - y1)", " = ", "-210.0"]


# ---------------------------------------------------------------------- scrollbar thumbs

# (scrollable height, window) pairs: a short table, a long one, 100,000 rows.
THUMB_CASES = ((9, 8), (20, 8), (100, 8), (100_002, 8), (100_002, 3))


def drawn_bar(app: App[None], bar: ScrollBar) -> list[tuple[str, Any]]:
    """What the scrollbar draws now: its renderable rendered at its size, cell for cell."""
    console = app.console
    options = console.options.update_dimensions(bar.size.width, bar.size.height)
    return [
        (ch, segment.style)
        for segment in console.render(bar.render(), options)
        for ch in segment.text
    ]


async def _check_thumbs() -> tuple[list[str], set[bool]]:
    """For thumbs moved (a new position) and resized (a new scrollable size, as a batch
    panel's text of another length gives): drawn alike exactly when the copy says so."""
    wrong = []
    outcomes = set()
    app = BoxApp((1, 1))
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(RowTable)
        for virtual_height, window in THUMB_CASES:
            table.styles.height = window
            table.virtual_size = Size(5, virtual_height)
            await pilot.pause(0)
            bar = table.vertical_scrollbar
            last = max(1, virtual_height - window)
            positions = sorted({0, 1, 2, 3, last // 3, last // 2, last - 1, last, 37.5, 32 * 7})
            sizes = sorted({virtual_height, virtual_height + 1, virtual_height + 5})
            starts = [(p, virtual_height) for p in positions]
            ends = [(p, v) for p in positions for v in sizes]
            for start in starts:
                for end in ends:
                    bar.position, bar.window_virtual_size = start
                    before = drawn_bar(app, bar)
                    same = thumb_drawing(bar, bar.validate_position(end[0]), end[1]) == (
                        thumb_drawing(bar, bar.position, bar.window_virtual_size)
                    )
                    bar.position, bar.window_virtual_size = end
                    drawn_same = drawn_bar(app, bar) == before
                    outcomes.add(drawn_same)
                    if same != drawn_same:
                        wrong.append(
                            f"{virtual_height} rows in {window}, thumb from {start} to {end}: "
                            f"drawn {'alike' if drawn_same else 'differently'}, the copy says "
                            f"{'alike' if same else 'differently'}"
                        )
    return wrong, outcomes


def test_a_thumb_is_drawn_alike_exactly_when_the_copy_says_so() -> None:
    wrong, outcomes = asyncio.run(_check_thumbs())
    assert outcomes == {True, False}, "the cases should move some thumbs and keep others"
    what = "draws scrollbar thumbs otherwise: " + "; ".join(wrong)
    assert not wrong, changed_rule("textual", what)


async def _scroll_both_ways() -> list[str]:
    """scrolled_vertically against ScrollView.watch_scroll_y: the same bar and view after it,
    and the bar repainted when (for Textual's: whenever) its thumb moved."""
    wrong = []
    app = BoxApp((1, 1))
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(RowTable)
        table.virtual_size = Size(5, 100_002)
        await pilot.pause(0)
        bar = table.vertical_scrollbar
        repaints = 0
        refresh = bar.refresh

        def counting_refresh(*args: Any, **kwargs: Any) -> Any:
            nonlocal repaints
            repaints += 1
            return refresh(*args, **kwargs)

        bar.refresh = counting_refresh  # type: ignore[method-assign]
        for start, end in ((0, 32), (32, 64), (0, 99_000), (99_000, 5), (7, 7.5)):
            results = []
            for watcher in (scrolled_vertically, ScrollView.watch_scroll_y):
                table.set_reactive(RowTable.scroll_y, start)
                bar.position = start
                before = drawn_bar(app, bar)
                await pilot.pause(0)
                repaints = 0
                table.set_reactive(RowTable.scroll_y, end)
                watcher(table, start, end)
                await pilot.pause(0)
                moved = drawn_bar(app, bar) != before
                results.append((bar.position, drawn_bar(app, bar), table.scroll_offset))
                expected = moved if watcher is scrolled_vertically else start != end
                if bool(repaints) != expected:
                    wrong.append(f"{watcher.__name__} from {start} to {end}: {repaints} repaints")
            if results[0] != results[1]:
                wrong.append(f"from {start} to {end}: {results[0][::2]} != {results[1][::2]}")
    return wrong


def test_scrolling_moves_the_thumb_as_textual_does() -> None:
    wrong = asyncio.run(_scroll_both_ways())
    assert not wrong, changed_rule("textual", "scrolls a view otherwise: " + "; ".join(wrong))


async def _resize_scrollable() -> list[str]:
    """set_scroll_size repaints a bar whose thumb it redraws, and only that."""
    wrong = []
    app = BoxApp((1, 1))
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(RowTable)
        for start, end in ((144, 149), (149, 144), (20, 100), (100_002, 100_010), (30, 9)):
            table.virtual_size = Size(5, start)
            await pilot.pause(0)
            bar = table.vertical_scrollbar
            before = drawn_bar(app, bar)
            repaints = 0
            refresh = bar.refresh

            def counting(*args: Any, refresh: Any = refresh, **kwargs: Any) -> Any:
                nonlocal repaints
                repaints += 1
                return refresh(*args, **kwargs)

            bar.refresh = counting  # type: ignore[method-assign]
            set_scroll_size(table, Size(5, end))
            await pilot.pause(0)
            bar.refresh = refresh  # type: ignore[method-assign]
            if table.show_vertical_scrollbar and bar is table.vertical_scrollbar:
                moved = drawn_bar(app, bar) != before
                if bool(repaints) != moved:
                    wrong.append(f"{start} to {end}: thumb moved {moved}, {repaints} repaints")
    return wrong


def test_a_new_scroll_size_repaints_a_bar_only_when_its_thumb_moves() -> None:
    wrong = asyncio.run(_resize_scrollable())
    what = "sizes scrollbar thumbs otherwise: " + "; ".join(wrong)
    assert not wrong, changed_rule("textual", what)
