"""Gradient panel: per weight, each per-sample term with numbers substituted, mean and update."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult

from logsgd.core.derivation import Derivation
from logsgd.core.formatting import fmt_data
from logsgd.tui.equations import LARGEST_MARK, equation_lines
from logsgd.tui.panels.base import Panel, show_lines
from logsgd.tui.rowtable import RowTable
from logsgd.tui.state import ViewState

# Past this many samples a weight's block lists the largest terms only; the mean is exact.
MAX_TERMS_LISTED = 8


class GradientsPanel(Panel):
    """dL/dw_j = mean_i (f_i - y_i) x_ij, then w_j <- w_j - lr g_j, for every weight."""

    wraps_to_width = True

    def compose(self) -> ComposeResult:
        yield RowTable(id="gradients-body")

    def show(self, state: ViewState) -> None:
        event = state.event
        table = self.query_one("#gradients-body", RowTable)
        self.set_titles("Gradient per weight", f"{LARGEST_MARK} largest term")
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
        lines: list[Text] = []
        for j, label in enumerate(state.data.weight_labels):
            if j:
                lines.append(Text(""))
            lines.append(Text(label, style="bold underline"))
            if event.batch_size > MAX_TERMS_LISTED:
                lines.append(
                    Text(
                        f"  (the {MAX_TERMS_LISTED} largest of {event.batch_size} terms; the mean"
                        " uses all)",
                        style="italic",
                    )
                )
            for equation in derivation.weight(j, MAX_TERMS_LISTED):
                lines += equation_lines(equation, width, mark_largest=True)
        show_lines(
            table, lines, f"step {event.step} · lr {fmt_data(event.hyperparams.learning_rate)}"
        )
