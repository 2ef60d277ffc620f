"""The help screen: every key with one line, from the same command list as the Footer."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from logsgd.tui.commands import COMMANDS
from logsgd.tui.marks import MARKS


def side_by_side(heads: tuple[str, str], pairs: list[tuple[str, str]], columns: int) -> Table:
    """Pairs (a name, what it is) one a line, split side by side into `columns` pairs of
    columns; every cell is Text, never markup (a key's help holds brackets: "[" and "]")."""
    table = Table(box=None, show_header=True, header_style="bold", pad_edge=False)
    per_column = -(-len(pairs) // columns)
    chunks = [pairs[i : i + per_column] for i in range(0, len(pairs), per_column)]
    for _ in chunks:
        table.add_column(heads[0], no_wrap=True, style="bold")
        table.add_column(heads[1])
    for row in range(per_column):
        cells: list[Text] = []
        for chunk in chunks:
            name, meaning = chunk[row] if row < len(chunk) else ("", "")
            cells += [Text(name), Text(meaning)]
        table.add_row(*cells)
    return table


def help_table(columns: int = 1) -> Table:
    """Every command, one line each."""
    pairs = [(command.keys_shown, command.help) for command in COMMANDS]
    return side_by_side(("key", "what it does"), pairs, columns)


def marks_table(columns: int = 1) -> Table:
    """Every mark the panels draw and what it means (each panel's border has a short key)."""
    pairs = [(mark.mark, mark.meaning) for mark in MARKS]
    return side_by_side(("mark", "what it means"), pairs, columns)


class HelpScreen(ModalScreen[None]):
    """Lists every key; Escape, q or ? closes it."""

    BINDINGS = [
        Binding("escape,q,question_mark,f1", "dismiss_help", "Close", show=True),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box") as box:
            box.border_title = "Keys · Escape closes"
            yield Static(
                "Step through SGD of one sigmoid neuron, one mini-batch at a time.\n"
                "Rows are counted from 1, as in the lecture; the bias is the last weight.\n",
                id="help-intro",
            )
            columns = 2 if self.app.size.width >= 110 else 1
            yield Static(help_table(columns), id="help-table")
            yield Static("")
            yield Static(marks_table(columns), id="help-marks")

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
