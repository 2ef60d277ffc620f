"""Predictions panel: every row's label, f before and after this step, class, right or wrong."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult

from logsgd.core.formatting import fmt_data, fmt_prob
from logsgd.tui.panels.base import Panel
from logsgd.tui.rowtable import CAPTION_STYLE, COLUMN_HEADER_STYLE, RowTable
from logsgd.tui.state import ViewState

FLIP_MARK = "⇄"
RIGHT_MARK = "✓"
WRONG_MARK = "✗"
PROB_WIDTH = 13  # "1 - 1.234e-08"


class PredictionsPanel(Panel):
    """f = sigma(w.x) for every row, before and after the update; flipped classes marked."""

    wraps_to_width = True  # shows or drops the "f before" column by width

    def compose(self) -> ComposeResult:
        yield RowTable(id="predictions-table")

    def drawn_from(self, state: ViewState) -> tuple[object, ...]:
        return (state.event, state.data)

    def show(self, state: ViewState) -> None:
        event = state.event
        n = state.n_rows
        labels = state.data.labels
        before, after = event.predictions_before, event.predictions_after
        batch = {int(r) for r in event.rows}
        flips = int(((before >= 0.5) != (after >= 0.5)).sum()) if event.step else 0
        self.set_titles("Predictions")
        # What changes every step is in the caption line, not the border: a new border title
        # repaints the whole panel.
        caption = Text(
            f" step {event.step} · accuracy {event.accuracy_after:.1%}"
            + (f" · {flips} flipped {FLIP_MARK}" if flips else ""),
            style=CAPTION_STYLE,
        )
        index_width = max(len(str(n)), 1)
        prob_width = PROB_WIDTH
        if n <= 2000:  # exact column width for small data; the widest form otherwise
            prob_width = max(len(fmt_prob(float(f))) for f in (*before, *after))
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
            f_before, f_after = float(before[i]), float(after[i])
            predicted = 1 if f_after >= 0.5 else 0
            right = predicted == int(y)
            flipped = event.step > 0 and (f_before >= 0.5) != (f_after >= 0.5)
            mark = "▶" if i in batch else " "
            text = Text(f"{mark} {str(i + 1).rjust(iw)}  {fmt_data(y):>1}  {predicted:>4}  ")
            text.append(RIGHT_MARK if right else WRONG_MARK, style="green" if right else "red")
            text.append(f" {FLIP_MARK if flipped else ' '}", style="bold yellow")
            text.append("  ")
            text.append(fmt_prob(f_after).rjust(pw), style="bold")
            if show_before:
                text.append(f"  {fmt_prob(f_before).rjust(pw)}")
            return text

        table = self.query_one(RowTable)
        # The caption wraps rather than widen the table: only the columns may scroll.
        table.set_content([*table.wrapped(caption), header], n, row_text, header.cell_len)
        if batch:
            table.show_rows(min(batch), max(batch))
