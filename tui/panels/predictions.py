"""Predictions panel: every row's label, f before and after this step, class, right or wrong."""

from __future__ import annotations

import numpy as np
from rich.text import Text
from textual.app import ComposeResult

from logsgd.core import maths
from logsgd.core.formatting import fmt_data, fmt_prob
from logsgd.core.maths import FloatArray
from logsgd.tui.marks import BATCH, BATCH_MARK, FLIP, FLIP_MARK, RIGHT_MARK, WRONG_MARK, key_line
from logsgd.tui.panels.base import Panel
from logsgd.tui.quiz import step_quiz
from logsgd.tui.rowtable import CAPTION_STYLE, COLUMN_HEADER_STYLE, RowTable
from logsgd.tui.state import ViewState

ASKED = "?"  # a figure the quiz asks first
PROB_WIDTH = 14  # the widest form of f: "1 - 1.234e-308"
# Up to this many rows the f columns are as wide as their widest value (every f formatted
# per step); beyond, as wide as the widest form, so a step costs the rows on screen only.
EXACT_WIDTH_ROWS = 64
# f is computed for the rows drawn, this many at a time.
BLOCK_ROWS = 64


# The marks' key, in the border under the rows that carry them.
KEY = key_line(BATCH, FLIP)


def predictions_title(class_names: tuple[str, str]) -> str:
    """'Predictions · 1 = malignant': what pred and y stand for, when the labels had names (a
    label column of pass/fail once showed only 0/1 here; the dataset panel names both)."""
    if class_names == ("0", "1"):
        return "Predictions"
    return f"Predictions · 1 = {class_names[1]}"


class RowsOfF:
    """f = sigma(z) of row i, written, computed when a row is drawn (BLOCK_ROWS at a time).

    A step at 100,000 rows draws a screenful of them: the sigmoid of every row, before and
    after, was most of what the panel cost. Elementwise, so a block's values are the very
    ones of the whole array (StepEvent.predictions_after). A prediction near 1 is written with
    its gap from the logit, 1 - sigma(-z) (1 - 3.883e-77, not ≈1), as the exports write it.
    """

    def __init__(self, z: FloatArray) -> None:
        self._z = z
        self._blocks: dict[int, tuple[FloatArray, FloatArray]] = {}

    def text(self, row: int) -> str:
        block, offset = divmod(row, BLOCK_ROWS)
        values = self._blocks.get(block)
        if values is None:
            start = block * BLOCK_ROWS
            z = self._z[start : start + BLOCK_ROWS]
            values = self._blocks[block] = (maths.sigmoid(z), maths.complement(z))
        f, gap = values
        return fmt_prob(float(f[offset]), float(gap[offset]))


class PredictionsPanel(Panel):
    """f = sigma(w.x) for every row, before and after the update; flipped classes marked."""

    wraps_to_width = True  # shows or drops the "f before" column by width

    def compose(self) -> ComposeResult:
        yield RowTable(id="predictions-table")

    def drawn_from(self, state: ViewState) -> tuple[object, ...]:
        quiz = step_quiz(state)
        return (state.event, state.data, quiz.results_hidden, quiz.hidden)

    def show(self, state: ViewState) -> None:
        event = state.event
        n = state.n_rows
        labels = state.data.labels
        # Classes from the sign of z, as the engine's accuracy has them (sigma(-1e-17) rounds
        # to 0.5, but that row is class 0): O(n) comparisons, no sigmoid.
        class_after = maths.predicted_class(event.z_after_all)
        flipped_rows = maths.flipped(event.z_before_all, event.z_after_all)
        flips = int(np.count_nonzero(flipped_rows)) if event.step else 0
        before, after = RowsOfF(event.z_before_all), RowsOfF(event.z_after_all)
        batch = set(event.rows.tolist())
        # In quiz mode, while the step's questions are open, what the new weights give is "?"
        # (the class, right or wrong, flipped, f after), and so is f before of an asked row.
        quiz = step_quiz(state)
        hidden = quiz.results_hidden
        self.set_titles(predictions_title(state.data.class_names), KEY)
        # What changes every step is in the caption line, not the border: a new border title
        # repaints the whole panel.
        if hidden:
            said = f" step {event.step} · accuracy ? · flipped ?"
        else:
            said = f" step {event.step} · accuracy {event.accuracy_after:.1%}" + (
                f" · {flips} flipped {FLIP_MARK}" if flips else ""
            )
        caption = Text(said, style=CAPTION_STYLE)
        index_width = max(len(str(n)), 1)
        prob_width = PROB_WIDTH
        if n <= EXACT_WIDTH_ROWS:
            prob_width = max(len(f.text(i)) for f in (before, after) for i in range(n))
        prob_width = max(prob_width, len("f before"))
        # The verdict (predicted class, right or wrong, flipped) comes first, then f after the
        # step, then f before it: a narrow panel drops "f before" rather than cut a number.
        iw, pw = index_width, prob_width
        head = f"  {'#'.rjust(iw)}  y  pred ok {FLIP_MARK}  {'f after'.rjust(pw)}"
        show_before = len(head) + 2 + pw <= self.size.width - 3 or self.size.width == 0
        header = Text(
            head + (f"  {'f before'.rjust(pw)}" if show_before else ""),
            style=COLUMN_HEADER_STYLE,
        )

        def row_text(i: int) -> Text:
            y = float(labels[i])
            mark = BATCH_MARK if i in batch else " "
            if hidden:
                text = Text(f"{mark} {str(i + 1).rjust(iw)}  {fmt_data(y):>1}  {ASKED:>4}  ")
                text.append(f"{ASKED} {ASKED}  {ASKED.rjust(pw)}")
            else:
                predicted = int(class_after[i])
                right = predicted == int(y)
                flipped = event.step > 0 and bool(flipped_rows[i])
                text = Text(f"{mark} {str(i + 1).rjust(iw)}  {fmt_data(y):>1}  {predicted:>4}  ")
                text.append(RIGHT_MARK if right else WRONG_MARK, style="green" if right else "red")
                text.append(f" {FLIP_MARK if flipped else ' '}", style="bold yellow")
                text.append("  ")
                text.append(after.text(i).rjust(pw), style="bold")
            if show_before:
                shown = ASKED if quiz.f_hidden(i) else before.text(i)
                text.append(f"  {shown.rjust(pw)}")
            return text

        table = self.query_one(RowTable)
        # The caption wraps rather than widen the table: only the columns may scroll.
        table.set_content(
            [*table.wrapped(caption), header],
            n,
            row_text,
            header.cell_len,
            visible=(min(batch), max(batch)) if batch else None,
        )
