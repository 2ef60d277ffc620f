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
        body = Text()
        table = self.query_one("#gradients-body", RowTable)
        self.set_titles("Gradient per weight", f"{LARGEST_MARK} largest term")
        if event.step == 0:
            body.append("No gradient yet: press → to run the first batch.\n\n")
            body.append(
                "dL/dw_j = mean over the batch of (f_i - y_i) * x_ij  (x = 1 for the bias)\n"
            )
            body.append("w_j <- w_j - lr * g_j")
            show_lines(table, body, "step 0")
            return
        hp = event.hyperparams
        caption = f"step {event.step} · lr {fmt_data(hp.learning_rate)}"
        d = len(data.feature_names)
        batch_size = event.batch_size
        for j, label in enumerate(data.weight_labels):
            x_name = f"x{j + 1}" if j < d else "1"
            body.append(f"{label}\n", style="bold underline")
            column = event.terms[:, j]
            largest = int(np.argmax(np.abs(column))) if batch_size > 1 else -1
            if largest >= 0 and column[largest] == 0:
                largest = -1  # all terms are 0: none is largest
            order = range(batch_size)
            if batch_size > MAX_TERMS_LISTED:
                order = sorted(np.argsort(-np.abs(column))[:MAX_TERMS_LISTED].tolist())
                body.append(
                    f"  (the {MAX_TERMS_LISTED} largest of {batch_size} terms; the mean uses all)"
                    "\n",
                    style="italic",
                )
            for i in order:
                k = int(event.rows[i]) + 1  # f_k, y_k: row k of the data, as the lecture counts
                f_i = float(event.f[i])
                y_i = float(event.labels[i])
                x_i = 1.0 if j == d else float(event.inputs[i][j])
                term = float(column[i])
                body.append(
                    f"  (f{k} - y{k}) * {x_name} = ({fmt_prob(f_i)} - {fmt_data(y_i)}) * "
                    f"{operand(fmt_data(x_i))} = "
                )
                body.append(fmt(term), style=sign_style(term))
                if i == largest:
                    body.append(f"  {LARGEST_MARK}", style="bold")
                body.append("\n")
            g_data = float(event.data_gradient[j])
            body.append(f"  g{j} = mean of {batch_size} = ")
            body.append(fmt(g_data), style=sign_style(g_data) + " bold")
            body.append("\n")
            g_name = f"g{j}"
            if hp.l2 and j < d:
                l2_term = float(event.l2_terms[j])
                total = float(event.gradient[j])
                w_before = float(event.weights_before[j])
                body.append(
                    f"  + L2: λ * w{j} = {fmt_data(hp.l2)} * {operand(fmt(w_before))} = "
                    f"{fmt(l2_term)}"
                    f"  → g{j} = {fmt(total)}\n"
                )
            if hp.momentum:
                v_before = float(event.velocity_before[j])
                v_after = float(event.velocity_after[j])
                body.append(
                    f"  momentum: v{j} <- μ * v{j} + g{j} = {fmt_data(hp.momentum)} * "
                    f"{operand(fmt(v_before))} + "
                    f"{operand(fmt(float(event.gradient[j])))} = {fmt(v_after)}\n"
                )
                g_name = f"v{j}"
            step_value = float(event.velocity_after[j])
            w_b = float(event.weights_before[j])
            w_a = float(event.weights_after[j])
            body.append(
                f"  w{j} <- w{j} - lr * {g_name} = {fmt(w_b)} - {fmt_data(hp.learning_rate)} * "
                f"{operand(fmt(step_value))} = "
            )
            body.append(fmt(w_a), style="bold")
            body.append("\n\n")
        body.rstrip()
        show_lines(table, body, caption)
