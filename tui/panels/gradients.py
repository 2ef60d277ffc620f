"""Gradient panel: per weight, each per-sample term with numbers substituted, mean and update."""

from __future__ import annotations

from typing import NamedTuple

from rich.text import Text
from textual.app import ComposeResult

from logsgd.core.derivation import Derivation, Equation, largest_in_size
from logsgd.core.formatting import fmt_data
from logsgd.core.maths import FloatArray
from logsgd.tui.equations import equation_layout
from logsgd.tui.marks import BELOW_MARK, LARGEST_MARK
from logsgd.tui.panels.base import Panel, show_lines
from logsgd.tui.quiz import step_quiz
from logsgd.tui.rowtable import CAPTION_STYLE, LazyLines, RowTable
from logsgd.tui.state import ViewState

# Past this many samples a weight's block lists the largest terms only; the mean is exact.
MAX_TERMS_LISTED = 8
# Up to this many weights every one has its block (the breast cancer data's 31); beyond, the
# WEIGHTS_LISTED with the largest gradients in size, and the bias.
MAX_WEIGHTS_LISTED = 32
WEIGHTS_LISTED = 4


def listed_weights(gradient: FloatArray) -> list[int]:
    """The weights whose blocks are shown, in weight order: all, or the WEIGHTS_LISTED largest
    |g_j| of the features' weights (in O(d)) and the bias."""
    d = gradient.size - 1
    if d + 1 <= MAX_WEIGHTS_LISTED:
        return list(range(d + 1))
    return [*largest_in_size(gradient[:d], WEIGHTS_LISTED), d]


class Block(NamedTuple):
    """A weight's block of lines in the panel."""

    j: int
    label: str
    first: int
    last: int


class GradientsPanel(Panel):
    """dL/dw_j = mean_i (f_i - y_i) x_ij, then w_j <- w_j - lr g_j, for every weight (of many,
    for the largest gradients and the bias)."""

    wraps_to_width = True
    # Where each weight's block starts and ends (lines in the table): what is below the fold
    # is named in the border ("w2 (bias) ↓", "w1 to w4 ↓"), not left to a one-cell scrollbar.
    _blocks: list[Block] = []

    def compose(self) -> ComposeResult:
        yield RowTable(id="gradients-body")

    def on_mount(self) -> None:
        self.watch(self.query_one("#gradients-body", RowTable), "scroll_y", self._fold_hint)
        super().on_mount()

    def _fold_hint(self) -> None:
        """The border's subtitle: the mark's key, after the blocks below the fold, if any."""
        table = self.query_one("#gradients-body", RowTable)
        bottom = int(table.scroll_offset.y) + table.scrollable_content_region.height - 1
        key = f"{LARGEST_MARK} largest term"
        # The weights whose blocks start below the fold, or else the one that goes on there.
        below = [block for block in self._blocks if block.first >= bottom]
        below = below or [block for block in self._blocks if block.last >= bottom][:1]
        if len(below) == 1:
            key = f"{below[0].label} {BELOW_MARK} · {key}"
        elif below:
            key = f"w{below[0].j} to w{below[-1].j} {BELOW_MARK} · {key}"
        self.set_titles("Gradient per weight", key)

    def show(self, state: ViewState) -> None:
        self._blocks = []
        self._show(state)
        self._fold_hint()

    def _show(self, state: ViewState) -> None:
        event = state.event
        table = self.query_one("#gradients-body", RowTable)
        if event.step == 0:
            start = [
                Text("No gradient yet: press → to run the first batch."),
                Text(""),
                Text("dL/dw_j = mean over the batch of (f_i - y_i) * x_ij  (x = 1 for the bias)"),
                Text("w_j <- w_j - lr * g_j"),
            ]
            show_lines(table, start, "step 0")
            return
        width = self.text_width
        derivation = Derivation(event)
        quiz = step_quiz(state)  # in quiz mode: the asked numbers "?" until answered
        weights = listed_weights(event.gradient)
        lines: list[Text | LazyLines] = []
        if len(weights) < event.gradient.size:
            lines += [
                Text(
                    f"the {len(weights) - 1} largest (in size) of {event.gradient.size:,}"
                    " gradients, and the bias",
                    style="italic",
                ),
                Text(""),
            ]
        first = len(lines)
        for n, j in enumerate(weights):
            if n:
                lines.append(Text(""))
                first += 1
            label = state.data.weight_label(j)
            equations = [quiz.shown(e) for e in derivation.weight(j, MAX_TERMS_LISTED)]
            block = self._block(table, label, event.batch_size, width, equations)
            lines += block
            count = sum(line.height if isinstance(line, LazyLines) else 1 for line in block)
            self._blocks.append(Block(j, label, first, first + count - 1))
            first += count
        caption = f"step {event.step} · lr {fmt_data(event.hyperparams.learning_rate)}"
        table.set_chunks(lines, [Text(caption, style=CAPTION_STYLE)])

    @staticmethod
    def _block(
        table: RowTable,
        label: str,
        batch_size: int,
        width: int,
        equations: list[tuple[Equation, Text | None]],
    ) -> list[Text | LazyLines]:
        """A weight's lines: its label, how many of its terms are listed, and its equations.

        Counted from the equations' layouts, built only when drawn: of the five blocks of wide
        data, one or two are on screen. A block with a line that the table would wrap (a long
        feature name, a narrow panel) is built now, and its lines wrapped as any other.
        """
        head = [Text(label, style="bold underline")]
        if batch_size > MAX_TERMS_LISTED:
            head.append(
                Text(
                    f"  (the {MAX_TERMS_LISTED} largest of {batch_size} terms; the mean uses all)",
                    style="italic",
                )
            )
        layouts = [
            equation_layout(drawn, width, mark_largest=True, note=note) for drawn, note in equations
        ]
        widths = [line.cell_len for line in head]
        widths += [cells for layout in layouts for cells in layout.widths()]

        def build() -> list[Text]:
            return [*head, *(line for layout in layouts for line in layout.lines())]

        if not table.fits(max(widths)):
            return [*build()]
        return [LazyLines(len(widths), max(widths), build)]
