"""The baseline for the app benchmarks: the smallest Textual app that shows a step and steps on →.

    python benchmarks/minimal_app.py [--fill]

Header, one Static and a Footer, nothing else: what any Textual app pays to start, to take a
key and to draw one line. The Static says what the real app's status line says at the start of
the seed lecture ("step 0/0", "loss 0.6931"), so both are timed by waiting for the same text.
→ adds one to the step, as the real app's → does; q quits.

With --fill the Static fills the screen below the Header (34 lines at 120x36) with lines of
numbers in coloured and bold spans, like the real app's step lines, and every line changes on
every key: what Textual pays to repaint a whole screen of styled text, the floor for an app
(like the real one) that changes most of the screen per step.
"""

from __future__ import annotations

import sys

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, Static

# Lines below the matcher line: the Static fills the 34 rows between Header and Footer at 36.
FILL_LINES = 33
FILL_WIDTH = 118


def _sign_style(value: float) -> str:
    # As the real app colours a result: by its sign.
    return "bold green" if value >= 0 else "bold red"


def fill_line(i: int, step: int) -> Text:
    """Line i at `step`: a gradient term and a weight update, as the real app writes them.

    Every number depends on the step, so every line changes on every key; about ten spans a
    line, some coloured, some bold, as in the real app's batch and gradient panels.
    """
    k = i + 1
    f = ((step * 7919 + i * 104729) % 10_000) / 10_000
    y = i % 2
    x = 100 + (i * 37) % 150
    term = (f - y) * x
    w = ((step * 31 + i * 17) % 2000 - 1000) / 1000
    w_new = w - 0.01 * term
    line = Text()  # Text(..., style=) would style the whole line, not this span
    line.append(f"{k:>3} ", style="dim")
    line.append(f"(f{k} - y{k}) * x1 = (")
    line.append(f"{f:.4f}", style="cyan")
    line.append(f" - {y}) * ")
    line.append(f"{x}", style="magenta")
    line.append(" = ")
    line.append(f"{term:.4f}", style=_sign_style(term))
    line.append(f"   w{k} <- w{k} - lr * g{k} = ")
    line.append(f"{w:.4f}", style="cyan")
    line.append(" - 0.01 * ")
    line.append(f"({term:.4f})", style="green" if term >= 0 else "red")
    line.append(" = ")
    line.append(f"{w_new:.4f}", style="bold")
    if k % 4 == step % 4:
        line.append("  ◀", style="bold")
    line.truncate(FILL_WIDTH)
    return line


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

    def _text(self) -> str | Text:
        # The same words the real app's status line starts with, so one matcher fits both.
        line = f"seed · step {self.step}/{self.step} · loss 0.6931"
        if not self.fill:
            return line
        return Text("\n").join([Text(line), *(fill_line(i, self.step) for i in range(FILL_LINES))])

    def action_step_forward(self) -> None:
        self.step += 1
        self.query_one("#counter", Static).update(self._text())


if __name__ == "__main__":
    MinimalApp(fill="--fill" in sys.argv[1:]).run()
