"""Gradient panel: per weight, each per-sample term with numbers substituted, mean and update."""

from __future__ import annotations

import numpy as np
from rich.text import Text
from textual.app import ComposeResult

from logsgd.core.formatting import fmt, fmt_data, fmt_prob, operand
from logsgd.tui.panels.base import Panel, show_lines, sign_style
from logsgd.tui.rowtable import RowTable
from logsgd.tui.state import ViewState

LARGEST_MARK = "◀"
# Past this many samples a weight's block lists the largest terms only; the mean is exact.
MAX_TERMS_LISTED = 16


class GradientsPanel(Panel):
    """dL/dw_j = mean_i (f_i - y_i) x_ij, then w_j <- w_j - lr g_j, for every weight."""

    wraps_to_width = True

    def compose(self) -> ComposeResult:
        yield RowTable(id="gradients-body")

    def show(self, state: ViewState) -> None:
        event = state.event
        data = state.data
        table = self.query_one("#gradients-body", RowTable)
        self.set_titles("Gradient per weight", f"{LARGEST_MARK} largest term")
        if event.step == 0:
            lines = [
                Text("No gradient yet: press → to run the first batch."),
                Text(""),
                Text("dL/dw_j = mean over the batch of (f_i - y_i) * x_ij  (x = 1 for the bias)"),
                Text("w_j <- w_j - lr * g_j"),
            ]
            show_lines(table, lines, "step 0")
            return
        hp = event.hyperparams
        lr = fmt_data(hp.learning_rate)
        d = len(data.feature_names)
        batch_size = event.batch_size
        lines: list[Text] = []
        for j, label in enumerate(data.weight_labels):
            x_name = f"x{j + 1}" if j < d else "1"
            if j:
                lines.append(Text(""))
            lines.append(Text(label, style="bold underline"))
            column = event.terms[:, j]
            largest = int(np.argmax(np.abs(column))) if batch_size > 1 else -1
            if largest >= 0 and column[largest] == 0:
                largest = -1  # all terms are 0: none is largest
            order = range(batch_size)
            if batch_size > MAX_TERMS_LISTED:
                # The largest in O(B), not a sort of a batch that may be all the data.
                order = sorted(
                    np.argpartition(-np.abs(column), MAX_TERMS_LISTED)[:MAX_TERMS_LISTED].tolist()
                )
                lines.append(
                    Text(
                        f"  (the {MAX_TERMS_LISTED} largest of {batch_size} terms; the mean uses"
                        " all)",
                        style="italic",
                    )
                )
            for i in order:
                k = int(event.rows[i]) + 1  # f_k, y_k: row k of the data, as the lecture counts
                x_i = 1.0 if j == d else float(event.inputs[i][j])
                term = float(column[i])
                line = Text(
                    f"  (f{k} - y{k}) * {x_name} = ({fmt_prob(float(event.f[i]))} - "
                    f"{fmt_data(float(event.labels[i]))}) * {operand(fmt_data(x_i))} = "
                )
                line.append(fmt(term), style=sign_style(term))
                if i == largest:
                    line.append(f"  {LARGEST_MARK}", style="bold")
                lines.append(line)
            g_data = float(event.data_gradient[j])
            line = Text(f"  g{j} = mean of {batch_size} = ")
            line.append(fmt(g_data), style=sign_style(g_data) + " bold")
            lines.append(line)
            g_name = f"g{j}"
            if hp.l2 and j < d:
                lines.append(
                    Text(
                        f"  + L2: λ * w{j} = {fmt_data(hp.l2)} * "
                        f"{operand(fmt(float(event.weights_before[j])))} = "
                        f"{fmt(float(event.l2_terms[j]))}  → g{j} = {fmt(float(event.gradient[j]))}"
                    )
                )
            if hp.momentum:
                lines.append(
                    Text(
                        f"  momentum: v{j} <- μ * v{j} + g{j} = {fmt_data(hp.momentum)} * "
                        f"{operand(fmt(float(event.velocity_before[j])))} + "
                        f"{operand(fmt(float(event.gradient[j])))} = "
                        f"{fmt(float(event.velocity_after[j]))}"
                    )
                )
                g_name = f"v{j}"
            line = Text(
                f"  w{j} <- w{j} - lr * {g_name} = {fmt(float(event.weights_before[j]))} - {lr} * "
                f"{operand(fmt(float(event.velocity_after[j])))} = "
            )
            line.append(fmt(float(event.weights_after[j])), style="bold")
            lines.append(line)
        show_lines(table, lines, f"step {event.step} · lr {lr}")
