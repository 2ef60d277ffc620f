"""The baseline for the app benchmarks: the smallest Textual app that shows a step and steps on →.

    python benchmarks/minimal_app.py [--fill]

Header, one Static and a Footer, nothing else: what any Textual app pays to start, to take a
key and to draw one line. The Static says what the real app's status line says at the start of
the seed lecture ("step 0/0", "loss 0.6931"), so both are timed by waiting for the same text.
→ adds one to the step, as the real app's → does; q quits.

With --fill the Static fills the screen with lines that all change on every key: what Textual
pays to repaint a whole screen of text, a second reference for apps (like the real one) that
change most of the screen per step.
"""

from __future__ import annotations

import sys

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, Static


class MinimalApp(App[int]):
    """A counter on →: the least work a Textual app can do for one key and one redraw."""

    TITLE = "minimal"
    BINDINGS = [
        Binding("right", "step_forward", "Step"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, fill: bool = False) -> None:
        super().__init__()
        self.step = 0
        self.fill = fill

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(self._text(), id="counter")
        yield Footer()

    def _text(self) -> str:
        # The same words the real app's status line starts with, so one matcher fits both.
        line = f"seed · step {self.step}/{self.step} · loss 0.6931"
        if not self.fill:
            return line
        # 33 more lines of 118 columns, each with the step in it, so every line changes.
        rows = [f"{i:>3} {self.step * 7919 + i * 104729:>12} " * 7 for i in range(33)]
        return "\n".join([line, *(r[:118] for r in rows)])

    def action_step_forward(self) -> None:
        self.step += 1
        self.query_one("#counter", Static).update(self._text())


if __name__ == "__main__":
    MinimalApp(fill="--fill" in sys.argv[1:]).run()
