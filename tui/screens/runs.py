"""The run chooser: which pinned run to switch to, or to unpin, when more than one is pinned."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static


class RunsScreen(ModalScreen[str | None]):
    """One line per pinned run ("a  A: lr 0.01 raw"); its letter chooses it, Escape none."""

    BINDINGS = [
        Binding("a", "choose('A')", "A", show=False),
        Binding("b", "choose('B')", "B", show=False),
        Binding("c", "choose('C')", "C", show=False),
        Binding("escape", "choose('')", "Cancel", show=True),
    ]

    def __init__(self, what: str, labels: dict[str, str]) -> None:
        super().__init__()
        self.what = what  # "switch" or "unpin"
        self.labels = labels

    def compose(self) -> ComposeResult:
        with Vertical(id="runs-box") as box:
            verb = "Switch to" if self.what == "switch" else "Unpin"
            box.border_title = f"{verb} which run? · Escape: none"
            # Labels name settings (our own words) but are shown as plain text all the same.
            lines = [Text(f"{letter.lower()}  {label}") for letter, label in self.labels.items()]
            if self.what == "switch":
                lines.append(Text("\nthe run you leave is pinned in its place"))
            yield Static(Text("\n").join(lines), id="runs-list")

    def action_choose(self, letter: str) -> None:
        if not letter:
            self.dismiss(None)
        elif letter in self.labels:
            self.dismiss(letter)
