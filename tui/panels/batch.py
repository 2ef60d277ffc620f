"""Current-batch panel: per batch row x, y, z = w.x + b written out, f = sigma(z), its loss."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult

from logsgd.core.formatting import fmt, fmt_data, fmt_prob, operand
from logsgd.tui.panels.base import Panel, show_lines
from logsgd.tui.rowtable import RowTable
from logsgd.tui.state import ViewState


def rows_label(rows: list[int]) -> str:
    """1-based row numbers, shortened when there are many."""
    shown = [str(r + 1) for r in rows[:12]]
    more = f", … ({len(rows)} rows)" if len(rows) > 12 else ""
    return ", ".join(shown) + more


def z_expansion(weights: list[float], x: list[float]) -> tuple[list[str], list[str]]:
    """The terms of z = w.x + b: symbolic (w0 * x1, ...) and with numbers (1.452 * 121, ...)."""
    d = len(x)
    symbolic = [f"w{j} * x{j + 1}" for j in range(d)] + [f"w{d}"]
    numeric = [f"{operand(fmt(weights[j]))} * {operand(fmt_data(x[j]))}" for j in range(d)]
    return symbolic, [*numeric, operand(fmt(weights[d]))]


def wrap_sum(first: str, terms: list[str], indent: str, width: int) -> str:
    """first + 'a + b + c', broken before a '+' with a hanging indent when wider than width."""
    lines: list[str] = []
    line = first + terms[0]
    for term in terms[1:]:
        if len(line) + 3 + len(term) > width and len(line) > len(indent) + 2:
            lines.append(line)
            line = f"{indent}+ {term}"
        else:
            line += f" + {term}"
    lines.append(line)
    return "\n".join(lines)


class BatchPanel(Panel):
    """What the forward pass of this step computed, before the update."""

    wraps_to_width = True

    def compose(self) -> ComposeResult:
        yield RowTable(id="batch-body")

    def show(self, state: ViewState) -> None:
        event = state.event
        data = state.data
        body = Text()
        self.set_titles("Batch")
        table = self.query_one("#batch-body", RowTable)
        if event.step == 0:
            body.append("No step yet. The next step runs ", style="")
            body.append(f"rows {rows_label([int(r) for r in event.next_rows])}", style="bold")
            body.append(f" (batch 1 of {event.batches_per_epoch}).\nPress → to run it.\n\n")
            body.append("Initial weights:\n")
            for label, w in zip(data.weight_labels, event.weights_after, strict=True):
                body.append(f"  {label} = {fmt(float(w))}\n")
            show_lines(table, body, "step 0 (the start)")
            return
        weights = [float(w) for w in event.weights_before]
        body.append(f"rows {rows_label([int(r) for r in event.rows])} · weights before the step\n")
        for i, row in enumerate(event.rows):
            x = [float(v) for v in event.inputs[i]]
            y = float(event.labels[i])
            k = int(row) + 1  # z_k, f_k, y_k: row k of the data, as the lecture counts
            xs = ", ".join(f"x{j + 1}={fmt_data(v)}" for j, v in enumerate(x))
            body.append(f"\nrow {k}", style="bold")
            body.append(f"  {xs}  y{k} = {fmt_data(y)}\n")
            symbolic, numeric = z_expansion(weights, x)
            width = self.text_width
            body.append(wrap_sum(f"  z{k} = ", symbolic, "       ", width) + "\n")
            body.append(wrap_sum("     = ", numeric, "       ", width) + "\n     = ")
            body.append(fmt(float(event.z[i])), style="bold")
            f_text = fmt_prob(float(event.f[i]))
            # "≈1" reads as "f ≈ 1", not "f = ≈1"
            relation = "≈" if f_text.startswith("≈") else "="
            body.append(f"\n  f{k} = σ(z{k}) {relation} ")
            body.append(f_text.lstrip("≈"), style="bold")
            body.append(f"    loss{k} = {fmt(float(event.sample_losses[i]))}\n")
        body.append(f"\nbatch loss (mean) = {fmt(event.batch_loss)}\n")
        caption = (
            f"batch {event.batch}/{event.batches_per_epoch} of epoch {event.epoch}"
            f" · step {event.step}"
        )
        show_lines(table, body, caption)
