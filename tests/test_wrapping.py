"""Wrapped lines keep their indent and their width: nothing lands back at the margin."""

from __future__ import annotations

from test_app_keys import run_scenario
from textual.pilot import Pilot

from logsgd.tui.app import LogSGDApp
from logsgd.tui.panels.batch import wrap_terms
from logsgd.tui.rowtable import RowTable


def test_a_data_line_with_its_comma_fits_the_width() -> None:
    # A line broken after a term carries a comma: it was one cell too wide, and the table then
    # folded "x8=-0.4047," onto a line of its own at the margin.
    terms = [f"x{j}=-0.{j:04d}" for j in range(1, 30)]
    for width in range(24, 80):
        lines = wrap_terms("row 1  ", terms, ", ", "  ", width)
        assert all(len(line) <= width for line in lines), (width, lines)
        written = " ".join(line.strip() for line in lines).removeprefix("row 1  ")
        assert written == ", ".join(terms)


def test_every_line_on_screen_past_the_first_of_a_row_is_indented() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right")
        await pilot.pause()
        for table_id in ("batch-body", "gradients-body"):
            table = app.query_one(f"#{table_id}", RowTable)
            for line in table.lines()[1:]:  # after the caption
                # Rows and weights' headings start at the margin; everything else is indented.
                at_margin = line and not line.startswith(" ")
                heading = ("row ", "w", "rows ", "batch loss", "the other ", "the ")
                assert not at_margin or line.startswith(heading), line

    for size in ((120, 36), (100, 30), (80, 24)):
        run_scenario(scenario, "--dataset", "breast-cancer", "--standardize", size=size)


def test_a_folded_line_hangs_under_its_own_indent() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        from rich.text import Text

        table = app.query_one("#batch-body", RowTable)
        width = table.container_size.width - table.styles.scrollbar_size_vertical - 1
        line = Text("    " + " ".join(f"term{k}" for k in range(40)))
        pieces = table.wrapped(line)
        assert len(pieces) > 2
        assert all(piece.cell_len <= width for piece in pieces)
        assert all(piece.plain.startswith("      ") for piece in pieces[1:])
        words = " ".join(piece.plain.strip() for piece in pieces).split()
        assert words == [f"term{k}" for k in range(40)]

    run_scenario(scenario, size=(80, 24))
