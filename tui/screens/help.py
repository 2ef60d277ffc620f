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


def help_table(columns: int = 1) -> Table:
    """Every command, one line each; split side by side into `columns` pairs of columns."""
    table = Table(box=None, show_header=True, header_style="bold", pad_edge=False)
    per_column = -(-len(COMMANDS) // columns)
    chunks = [COMMANDS[i : i + per_column] for i in range(0, len(COMMANDS), per_column)]
    for _ in chunks:
        table.add_column("key", no_wrap=True, style="bold")
        table.add_column("what it does")
    for row in range(per_column):
        cells: list[str] = []
        for chunk in chunks:
            if row < len(chunk):
                cells += [chunk[row].keys_shown, chunk[row].help]
            else:
                cells += ["", ""]
        table.add_row(*cells)
    return table


def marks_table(columns: int = 1) -> Table:
    """Every mark the panels draw and what it means (each panel's border has a short key),
    split side by side into `columns` pairs of columns."""
    table = Table(box=None, show_header=True, header_style="bold", pad_edge=False)
    per_column = -(-len(MARKS) // columns)
    chunks = [MARKS[i : i + per_column] for i in range(0, len(MARKS), per_column)]
    for _ in chunks:
        table.add_column("mark", no_wrap=True, style="bold")
        table.add_column("what it means")
    for row in range(per_column):
        cells: list[Text] = []
        for chunk in chunks:
            mark = chunk[row] if row < len(chunk) else None
            cells += [Text(mark.mark), Text(mark.meaning)] if mark else [Text(""), Text("")]
        table.add_row(*cells)
    return table


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
