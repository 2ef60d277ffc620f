"""Current-batch panel: per batch row its data, z = w.x written out, f = sigma(z), loss, f - y."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult

from logsgd.core.derivation import ELLIPSIS, Derivation
from logsgd.core.formatting import FLOAT64_MAX_WRITTEN, fmt, fmt_data
from logsgd.tui.equations import equation_lines, short_line
from logsgd.tui.panels.base import Panel, show_lines
from logsgd.tui.quiz import NO_QUIZ, StepQuiz, step_quiz
from logsgd.tui.rowtable import CAPTION_STYLE, RowTable
from logsgd.tui.state import ViewState

# Past this many rows the panel writes z = w.x out for the first ones only; each further row
# gets its z, f and loss on three short lines, formatted only when scrolled into view: a batch
# may be all 100,000 rows of the data.
MAX_ROWS_EXPANDED = 4
# Up to this many features a row's data line lists every value (the breast cancer data's 30);
# beyond, the first VALUES_LISTED and how many more: a row may hold 100,000 features.
MAX_VALUES_LISTED = 32
VALUES_LISTED = 8


def listed(count: int) -> tuple[int, int]:
    """How many of `count` values (or weights) a list shows, and how many it leaves out."""
    if count <= MAX_VALUES_LISTED:
        return count, 0
    return VALUES_LISTED, count - VALUES_LISTED


def more_words(left_out: int) -> str:
    return f"{ELLIPSIS} ({left_out:,} more)"


def rows_label(rows: list[int]) -> str:
    """'row 2', 'rows 1, 2': 1-based row numbers, shortened when there are many."""
    shown = [str(r + 1) for r in rows[:12]]
    more = f", … ({len(rows)} rows)" if len(rows) > 12 else ""
    return ("row " if len(rows) == 1 else "rows ") + ", ".join(shown) + more


def wrap_terms(first: str, terms: list[str], joiner: str, indent: str, width: int) -> list[str]:
    """first + terms joined by joiner (", "), broken before a term with a hanging indent when a
    line would be wider than width; a term is never split."""
    lead = joiner.strip()
    lines: list[str] = []
    line = first + terms[0]
    for n, term in enumerate(terms[1:], start=2):
        # A term that is not the last carries the joiner's mark (",") if the line breaks after it.
        room = len(lead) if n < len(terms) else 0
        if len(line) + len(joiner) + len(term) + room > width and len(line) > len(indent) + 2:
            lines.append(line + lead)
            line = f"{indent}{term}"
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
    """What the forward pass of this step computed, before the update: the derivation's rows."""

    wraps_to_width = True

    def compose(self) -> ComposeResult:
        yield RowTable(id="batch-body")

    def show(self, state: ViewState) -> None:
        event = state.event
        self.set_titles("Batch")
        table = self.query_one("#batch-body", RowTable)
        if event.step == 0:
            show_lines(table, start_lines(state), "step 0 (the start)")
            return
        width = self.text_width
        derivation = Derivation(event, short_sums=True)
        quiz = step_quiz(state)
        lines = [Text(f"{rows_label([int(r) for r in event.rows])} · weights before the step")]
        for i in range(min(MAX_ROWS_EXPANDED, event.batch_size)):
            lines.append(Text(""))
            lines += row_lines(derivation, i, width, quiz)
        batch_loss, _ = quiz.shown(derivation.batch_loss())
        tail = [Text("")] + equation_lines(batch_loss, width, indent="")
        caption = (
            f"batch {event.batch}/{event.batches_per_epoch} of epoch {event.epoch}"
            f" · step {event.step}"
        )
        rest = event.batch_size - MAX_ROWS_EXPANDED
        if rest <= 0:
            show_lines(table, lines + tail, caption)
            return
        lines += [Text(""), Text(f"the other {rest} rows, z = w.x as above:", style="italic")]
        head = [part for line in lines for part in table.wrapped(line)]
        tail = [part for line in tail for part in table.wrapped(line)]

        def line_at(index: int) -> Text:
            """Line `index` of the text: the head, three lines per further row, the tail."""
            if index < len(head):
                return head[index]
            row, part = divmod(index - len(head), FURTHER_ROW_LINES)
            if row >= rest:
                return tail[index - len(head) - FURTHER_ROW_LINES * rest]
            i = MAX_ROWS_EXPANDED + row
            equation, note = quiz.shown((derivation.z, derivation.f, derivation.loss)[part](i))
            line = short_line(equation, note=note)
            if part == 0:
                line = pieces((f"row {int(event.rows[i]) + 1}", "bold"), ("", "")) + line
            return line

        # The widest a further row's lines can be: the largest row number with the longest
        # forms of z, f and loss, so that none is ever cut (each fits the panel at 120 columns).
        k_max = state.n_rows
        widest_row = max(
            len(f"row {k_max}  z{k_max} = -{FLOAT64_MAX_WRITTEN}"),
            len(f"  f{k_max} = 1 - 1.234e-308"),
            len(f"  loss{k_max} = {FLOAT64_MAX_WRITTEN}"),
        )
        widest = max(widest_row, *(line.cell_len for line in (*head, *tail)))
        header = table.wrapped(Text(caption, style=CAPTION_STYLE))
        table.set_content(header, len(head) + FURTHER_ROW_LINES * rest + len(tail), line_at, widest)


# A further row of a large batch: its z, f and loss, one short line each.
FURTHER_ROW_LINES = 3


def start_lines(state: ViewState) -> list[Text]:
    """Step 0: which rows the first step runs, and the initial weights."""
    event = state.event
    lines = [
        pieces(
            ("No step yet. The next step runs ", ""),
            (rows_label([int(r) for r in event.next_rows]), "bold"),
            (f" (batch 1 of {event.batches_per_epoch}).", ""),
        ),
        Text("Press → to run it."),
        Text(""),
        Text("Initial weights:"),
    ]
    weights = event.weights_after
    d = weights.size - 1
    shown, left_out = listed(d)
    lines += [
        Text(f"  {state.data.weight_label(j)} = {fmt(float(weights[j]))}") for j in range(shown)
    ]
    if left_out:
        lines.append(Text(f"  {more_words(left_out)}"))
    lines.append(Text(f"  {state.data.weight_label(d)} = {fmt(float(weights[d]))}"))
    return lines


def row_lines(derivation: Derivation, i: int, width: int, quiz: StepQuiz = NO_QUIZ) -> list[Text]:
    """Row i of the batch: its data, then z, f with its loss beside it, and f - y (as the
    quiz lets them be drawn: an asked f is "?" until answered)."""
    event = derivation.event
    k = int(event.rows[i]) + 1  # z_k, f_k, y_k: row k of the data, as the lecture counts
    x = event.inputs[i]
    shown, left_out = listed(x.size)
    xs = [f"x{j + 1}={fmt_data(float(x[j]))}" for j in range(shown)]
    if left_out:
        xs.append(more_words(left_out))
    xs[-1] += f"  y{k} = {fmt_data(float(event.labels[i]))}"
    data_lines = wrap_terms(f"row {k}  ", xs, ", ", "  ", width)
    lines = [pieces((f"row {k}", "bold"), (data_lines[0][len(f"row {k}") :], ""))]
    lines += [Text(line) for line in data_lines[1:]]
    (z, _), (f, f_note), (loss, _), (residual, _) = map(quiz.shown, derivation.row(i))
    lines += equation_lines(z, width)
    f_lines = equation_lines(f, width, note=f_note)
    loss_lines = equation_lines(loss, width, indent="")
    if (
        len(f_lines) == 1 == len(loss_lines)
        and f_lines[0].cell_len + 4 + loss_lines[0].cell_len <= width
    ):
        f_lines[0].append("    ")
        f_lines[0].append_text(loss_lines[0])
        lines += f_lines
    else:
        lines += f_lines + equation_lines(loss, width)
    lines += equation_lines(residual, width)
    return lines
