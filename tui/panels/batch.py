"""Current-batch panel: per batch row x, y, z = w.x + b written out, f = sigma(z), its loss."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult

from logsgd.core.formatting import FLOAT64_MAX_WRITTEN, fmt, fmt_data, fmt_prob, operand
from logsgd.tui.panels.base import Panel, show_lines
from logsgd.tui.rowtable import CAPTION_STYLE, RowTable
from logsgd.tui.state import ViewState

# Past this many rows the panel writes z = w.x out for the first ones only; each further row
# gets its z, f and loss on three short lines, formatted only when scrolled into view: a batch
# may be all 100,000 rows of the data.
MAX_ROWS_EXPANDED = 8


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


def wrap_terms(first: str, terms: list[str], joiner: str, indent: str, width: int) -> list[str]:
    """first + terms joined by joiner (" + ", ", "), broken before a term with a hanging indent
    when a line would be wider than width. A break before "+" keeps the "+" at the start of the
    new line; a term is never split."""
    lead = joiner.strip()
    lines: list[str] = []
    line = first + terms[0]
    for term in terms[1:]:
        if len(line) + len(joiner) + len(term) > width and len(line) > len(indent) + 2:
            lines.append(line + ("" if lead == "+" else lead))
            line = f"{indent}{lead} {term}" if lead == "+" else f"{indent}{term}"
        else:
            line += joiner + term
    lines.append(line)
    return lines


def pieces(*parts: tuple[str, str]) -> Text:
    """One line from (text, style) pieces."""
    line = Text()
    for text, style in parts:
        line.append(text, style=style or None)
    return line


class BatchPanel(Panel):
    """What the forward pass of this step computed, before the update."""

    wraps_to_width = True

    def compose(self) -> ComposeResult:
        yield RowTable(id="batch-body")

    def show(self, state: ViewState) -> None:
        event = state.event
        data = state.data
        self.set_titles("Batch")
        table = self.query_one("#batch-body", RowTable)
        width = self.text_width
        if event.step == 0:
            lines = [
                pieces(
                    ("No step yet. The next step runs ", ""),
                    (f"rows {rows_label([int(r) for r in event.next_rows])}", "bold"),
                    (f" (batch 1 of {event.batches_per_epoch}).", ""),
                ),
                Text("Press → to run it."),
                Text(""),
                Text("Initial weights:"),
            ]
            lines += [
                Text(f"  {label} = {fmt(float(w))}")
                for label, w in zip(data.weight_labels, event.weights_after, strict=True)
            ]
            show_lines(table, lines, "step 0 (the start)")
            return
        weights = [float(w) for w in event.weights_before]
        lines = [Text(f"rows {rows_label([int(r) for r in event.rows])} · weights before the step")]
        for i, row in enumerate(event.rows[:MAX_ROWS_EXPANDED]):
            x = [float(v) for v in event.inputs[i]]
            k = int(row) + 1  # z_k, f_k, y_k: row k of the data, as the lecture counts
            xs = [f"x{j + 1}={fmt_data(v)}" for j, v in enumerate(x)]
            xs[-1] += f"  y{k} = {fmt_data(float(event.labels[i]))}"
            data_lines = wrap_terms(f"row {k}  ", xs, ", ", "  ", width)
            lines.append(Text(""))
            lines.append(pieces((f"row {k}", "bold"), (data_lines[0][len(f"row {k}") :], "")))
            lines += [Text(line) for line in data_lines[1:]]
            symbolic, numeric = z_expansion(weights, x)
            lines += [
                Text(line) for line in wrap_terms(f"  z{k} = ", symbolic, " + ", "       ", width)
            ]
            lines += [
                Text(line) for line in wrap_terms("     = ", numeric, " + ", "       ", width)
            ]
            lines.append(pieces(("     = ", ""), (fmt(float(event.z[i])), "bold")))
            f_text = fmt_prob(float(event.f[i]))
            # "≈1" reads as "f ≈ 1", not "f = ≈1"
            relation = "≈" if f_text.startswith("≈") else "="
            f_line = pieces((f"  f{k} = σ(z{k}) {relation} ", ""), (f_text.lstrip("≈"), "bold"))
            loss = f"loss{k} = {fmt(float(event.sample_losses[i]))}"
            if f_line.cell_len + 4 + len(loss) <= width:
                f_line.append(f"    {loss}")
                lines.append(f_line)
            else:
                lines += [f_line, Text(f"  {loss}")]
        tail = [Text(""), Text(f"batch loss (mean) = {fmt(event.batch_loss)}")]
        caption = (
            f"batch {event.batch}/{event.batches_per_epoch} of epoch {event.epoch}"
            f" · step {event.step}"
        )
        rest = len(event.rows) - MAX_ROWS_EXPANDED
        if rest <= 0:
            show_lines(table, lines + tail, caption)
            return
        lines += [Text(""), Text(f"the other {rest} rows, z = w.x as above:", style="italic")]
        head = [part for line in lines for part in table.wrapped(line)]

        def line_at(index: int) -> Text:
            """Line `index` of the text: the head, three lines per further row, the tail."""
            if index < len(head):
                return head[index]
            row, part = divmod(index - len(head), 3)
            if row >= rest:
                return tail[index - len(head) - 3 * rest]
            i = MAX_ROWS_EXPANDED + row
            k = int(event.rows[i]) + 1
            if part == 0:
                return pieces((f"row {k}", "bold"), (f"  z{k} = {fmt(float(event.z[i]))}", ""))
            if part == 1:
                return Text(f"  f{k} = {fmt_prob(float(event.f[i]))}")
            return Text(f"  loss{k} = {fmt(float(event.sample_losses[i]))}")

        # The widest a further row's lines can be: the largest row number with the longest
        # forms of z, f and loss, so that none is ever cut (each fits the panel at 120 columns).
        k_max = state.n_rows
        widest_row = max(
            len(f"row {k_max}  z{k_max} = -{FLOAT64_MAX_WRITTEN}"),
            len(f"  f{k_max} = 1 - 1.234e-08"),
            len(f"  loss{k_max} = {FLOAT64_MAX_WRITTEN}"),
        )
        widest = max(widest_row, *(line.cell_len for line in (*head, *tail)))
        header = table.wrapped(Text(caption, style=CAPTION_STYLE))
        table.set_content(header, len(head) + 3 * rest + len(tail), line_at, widest)
