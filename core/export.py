"""Headless exports of a run: the worked derivation (text, markdown, LaTeX), JSON lines, a summary.

The derivation's equations come from `derivation` (the same ones the panels show); this module
lays them out three ways. Rows are counted from 1 in the human formats and from 0 in `jsonl` (as
the engine counts them). Every format is written step by step as it is produced.
"""

from __future__ import annotations

import io
import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from . import maths
from .derivation import TEX, TEXT, Derivation, Equation, Notation, prediction, symbolic_z
from .derivation import visible_length as _visible_length
from .engine import Engine
from .events import StepEvent
from .formats import FORMATS
from .formatting import fmt, fmt_data, to_tex
from .params import Hyperparams, SettingError
from .text import plural

JSONL_KEYS = (
    "step",
    "epoch",
    "batch",
    "indices",
    "lr",
    "weights_before",
    "predictions",
    "terms",
    "gradient",
    "weights_after",
    "loss_before",
    "loss_after",
    "accuracy_after",
    "predictions_after",
)

SUMMARY_KEYS = (
    "steps",
    "epochs",
    "weights",
    "loss",
    "objective",
    "accuracy",
    "diverged",
    "diverged_at_step",
    "standardized",
    "dataset",
    "rows",
    "features",
    "initial_weights",
    "hyperparams",
    "changes",
)

TEXT_WIDTH = 100
# Visible characters per line of a typeset equation: a 10pt article's text width holds about 60.
TEX_WIDTH = 56
# Past this many rows a step lists the predictions of its batch's rows and of the rows whose
# class flipped, and counts the rest (all_rows lists every one).
PREDICTIONS_LISTED_MAX = 40


@dataclass(frozen=True)
class Options:
    """How much an export writes."""

    all_rows: bool = False  # every row's prediction after every step, however many rows


# ---------------------------------------------------------------------------- public API


def recorded_events(engine: Engine, first: int = 1, last: int | None = None) -> Iterator[StepEvent]:
    """The StepEvents of steps first .. last (default: up to the cursor), rebuilt one at a time."""
    stop = engine.cursor if last is None else last
    for step in range(first, stop + 1):
        yield engine.event_at(step)


class Writer(Protocol):
    """Where an export goes: anything with write(str) (a file, stdout, a StringIO)."""

    def write(self, text: str, /) -> object: ...


def write_export(
    out: Writer,
    engine: Engine,
    format_name: str,
    events: Iterable[StepEvent] | None = None,
    options: Options | None = None,
) -> None:
    """Write an export of `events` (default: steps 1 .. the cursor) to `out`, step by step.

    `summary` describes the last event given (by default only the cursor's is built: a summary
    computes only what it writes).
    """
    if format_name not in FORMATS:
        raise SettingError(
            f"export format must be one of {', '.join(FORMATS)}, got {format_name!r}"
        )
    if events is None:
        events = [engine.current()] if format_name == "summary" else recorded_events(engine)
    write = out.write
    for chunk in _WRITERS[format_name](engine, events, options or Options()):
        write(chunk)


def render(
    engine: Engine,
    format_name: str,
    events: Iterable[StepEvent] | None = None,
    options: Options | None = None,
) -> str:
    """An export as one string; see write_export."""
    out = io.StringIO()
    write_export(out, engine, format_name, events, options)
    return out.getvalue()


# ---------------------------------------------------------------------------- shared words


def _feature_names_are_symbols(engine: Engine) -> bool:
    """True when the features are already called x1, x2, ... (as in the seed lecture)."""
    names = engine.dataset.feature_names
    return all(name == f"x{j + 1}" for j, name in enumerate(names))


def _correct_rows(event: StepEvent, n_rows: int) -> int:
    return round(event.accuracy_after * n_rows)


def _settings_words(hp: Hyperparams, lr: str, lam: str, mu: str) -> list[str]:
    """learning rate, batch size, and L2 / momentum when they are on."""
    words = [f"learning rate {lr}", f"batch size {hp.batch_size}"]
    if hp.l2:
        words.append(f"L2 {lam}")
    if hp.momentum:
        words.append(f"momentum {mu}")
    return words


def _stop_notice(engine: Engine, last: StepEvent | None) -> str | None:
    """Why the run ends here, when it stopped right after the last step exported."""
    at = engine.diverged_at
    last_step = 0 if last is None else last.step
    if at is None or at != last_step + 1:
        return None
    return f"The run stopped before step {at}: {engine.divergence_reason}."


def _step_title(event: StepEvent) -> str:
    if event.step == 0:
        return "Start (step 0)"
    return (
        f"Step {event.step} (epoch {event.epoch}, batch {event.batch} of {event.batches_per_epoch})"
    )


def _rows_words(event: StepEvent) -> str:
    rows = [str(int(r) + 1) for r in event.rows]
    return f"{'Row' if len(rows) == 1 else 'Rows'} {', '.join(rows)}"


def _listed_rows(event: StepEvent, n_rows: int, options: Options) -> tuple[list[int], int]:
    """The rows whose prediction a step lists (0-based), and how many it leaves out.

    Every row for small data; past PREDICTIONS_LISTED_MAX rows, those of the batch (of the
    next batch at step 0) and those whose class flipped.
    """
    if options.all_rows or n_rows <= PREDICTIONS_LISTED_MAX:
        return list(range(n_rows)), 0
    flipped = np.flatnonzero(maths.flipped(event.z_before_all, event.z_after_all))
    batch = event.rows if event.step else event.next_rows
    rows = sorted({int(r) for r in batch} | {int(r) for r in flipped})
    return rows, n_rows - len(rows)


def _rest_words(left_out: int) -> str:
    row = "row" if left_out == 1 else "rows"
    return f"and {left_out} more {row} (--all-rows lists every row)"


def _weight_title(engine: Engine, hp: Hyperparams, j: int, sym: Callable[[str, int], str]) -> str:
    d = engine.dataset.n_features
    w = sym("w", j)
    if j == d:
        return f"{w} (bias{', no L2 term' if hp.l2 else ''})"
    if _feature_names_are_symbols(engine):
        return f"{w} ({sym('x', j + 1)})"
    return f"{w} ({sym('x', j + 1)}: {engine.dataset.feature_names[j]})"


# ---------------------------------------------------------------------------- text


def _wrap(head: str, pieces: Iterable[str], indent: str, width: int = TEXT_WIDTH) -> str:
    """head and pieces joined by spaces, broken between pieces to stay within width."""
    lines: list[str] = []
    line = head
    fresh = True  # nothing but the head (or the indent) on this line yet
    for piece in pieces:
        joined = f"{line} {piece}" if line.strip() else f"{line}{piece}"
        if not fresh and len(joined) > width:
            lines.append(line)
            line = f"{indent}{piece}"
        else:
            line = joined
        fresh = False
    lines.append(line)
    return "\n".join(lines) + "\n"


def _punctuated(items: list[str], mark: str = ",") -> list[str]:
    """Items for a wrapped list: every one but the last followed by mark."""
    return [f"{item}{mark}" for item in items[:-1]] + items[-1:]


def _text_equation(equation: Equation, indent: str) -> str:
    return _wrap(f"{indent}{TEXT.lhs(equation)}", TEXT.pieces(equation), indent + "    ")


def _text_hyperparams(hp: Hyperparams) -> list[str]:
    shuffle = f"on (seed {hp.seed})" if hp.shuffle else "off"
    return [
        f"learning rate {fmt_data(hp.learning_rate)},",
        f"batch size {hp.batch_size},",
        f"shuffle {shuffle},",
        f"L2 lambda {fmt_data(hp.l2)},",
        f"momentum mu {fmt_data(hp.momentum)}",
    ]


def _text_header(engine: Engine, hp: Hyperparams) -> str:
    dataset = engine.dataset
    d = dataset.n_features
    out = [
        "logsgd-tui: the worked derivation of mini-batch SGD, step by step\n",
        _wrap(
            f"dataset: {dataset.name} ({plural(dataset.n_rows, 'row')}, {plural(d, 'feature')})"
            + (":" if dataset.description else ""),
            dataset.description.split(),
            "  ",
        ),
    ]
    if _feature_names_are_symbols(engine):
        names = list(dataset.feature_names)
    else:
        names = [f"x{j + 1} = {name}" for j, name in enumerate(dataset.feature_names)]
    out.append(_wrap("features:", _punctuated(names), "  "))
    label = f"label: {dataset.label_name}"
    if dataset.class_names != ("0", "1"):
        label += f" (0 = {dataset.class_names[0]}, 1 = {dataset.class_names[1]})"
    out.append(label + "\n")
    if engine.standardized:
        scales = [
            f"x{j + 1}: mean {fmt(engine.feature_mean[j])}, std {fmt(engine.feature_std[j])}"
            for j in range(d)
        ]
        out.append(
            _wrap(
                "features standardized: yes, xj = (xj - mean) / std, with",
                _punctuated(scales, ";"),
                "  ",
            )
        )
    else:
        out.append("features standardized: no\n")
    out.append(_wrap("hyperparameters:", _text_hyperparams(hp), "  "))
    symbolic = [TEXT.tokens(piece) for piece in symbolic_z(d)]
    out.append(
        _wrap(
            "model: z =",
            [*symbolic, f"(w{d} is the bias), f = sigma(z) = 1 / (1 + e^-z)"],
            "  ",
        )
    )
    out.append(
        "loss: L = -y log f - (1 - y) log(1 - f); dL/dwj = (f - y) * xj, mean over the batch\n"
    )
    out.append(
        _wrap(
            "f - y is computed from z",
            [
                "(sigma(z)",
                "for",
                "y",
                "=",
                "0,",
                "-sigma(-z)",
                "for",
                "y",
                "=",
                "1),",
                "never",
                "as",
                "a",
                "difference",
                "of",
                "rounded",
                "numbers",
            ],
            "  ",
        )
    )
    if hp.l2:
        out.append(
            _wrap(
                "objective: loss + lambda/2 * (sum of wj^2, the bias excluded);",
                ["the", "loss", "is", "the", "mean", "binary", "cross-entropy", "alone"],
                "  ",
            )
        )
    weights = [f"w{j} = {fmt(w)}" for j, w in enumerate(engine.initial_weights)]
    out.append(_wrap("initial weights:", _punctuated(weights), "  "))
    out.append("rows are counted from 1\n")
    return "".join(out)


def _figure_words(event: StepEvent, number: Callable[[float], str]) -> list[str]:
    """The full-data loss and, with L2, the objective it is part of: before and after."""
    if event.step == 0:
        words = [f"full-data loss: {number(event.loss_after)}"]
        if event.hyperparams.l2:
            words.append(f"objective (loss + L2 penalty): {number(event.objective_after)}")
        return words
    words = [
        f"full-data loss: before {number(event.loss_before)}, after {number(event.loss_after)}"
    ]
    if event.hyperparams.l2:
        words.append(
            f"objective (loss + L2 penalty): before {number(event.objective_before)}, "
            f"after {number(event.objective_after)}"
        )
    return words


def _text_after(engine: Engine, event: StepEvent, indent: str, options: Options) -> str:
    n = engine.n_rows
    weights = [f"w{j} = {fmt(w)}" for j, w in enumerate(event.weights_after)]
    title = "weights:" if event.step == 0 else "after the update:"
    out = [_wrap(f"{indent}{title}", _punctuated(weights), indent + "  ")]
    rows, left_out = _listed_rows(event, n, options)
    out.append(f"{indent}predictions{' for every row' if not left_out else ''}:\n")
    labels = engine.dataset.labels
    for r in rows:
        z = float(event.z_after_all[r])
        f = TEXT.number(prediction(z, float(event.predictions_after[r])))
        out.append(f"{indent}  row {r + 1}: z = {fmt(z)}, f = {f}, y = {fmt_data(labels[r])}\n")
    if left_out:
        out.append(f"{indent}  {_rest_words(left_out)}\n")
    for words in _figure_words(event, fmt):
        out.append(f"{indent}{words}\n")
    when = "" if event.step == 0 else " after the update"
    right = _correct_rows(event, n)
    out.append(f"{indent}accuracy{when}: {fmt(event.accuracy_after)} ({right} of {n} rows right)\n")
    return "".join(out)


def _text_step(engine: Engine, event: StepEvent, options: Options) -> str:
    if event.step == 0:
        return "\nStart (step 0), before any step\n" + _text_after(engine, event, "  ", options)
    hp = event.hyperparams
    derivation = Derivation(event)
    d = derivation.d
    rows = _punctuated([str(int(r) + 1) for r in event.rows])
    rows[-1] += ";"
    settings = _settings_words(
        hp, fmt_data(hp.learning_rate), f"lambda {fmt_data(hp.l2)}", f"mu {fmt_data(hp.momentum)}"
    )
    out = [
        _wrap(
            f"\n{_step_title(event)}: {'row' if len(rows) == 1 else 'rows'}",
            [*rows, *_punctuated(settings)],
            "  ",
        ),
        "  the batch:\n",
    ]
    for i in range(event.batch_size):
        values = [f"x{j + 1} = {fmt_data(event.inputs[i, j])}" for j in range(d)]
        values.append(f"y = {fmt_data(event.labels[i])}")
        out.append(_wrap(f"    row {int(event.rows[i]) + 1}:", _punctuated(values), "      "))
        for equation in derivation.row(i):
            out.append(_text_equation(equation, "      "))
    out.append(_text_equation(derivation.batch_loss(), "    "))
    out.append("  the gradient and the update, weight by weight:\n")
    for j in range(d + 1):
        out.append(f"    {_weight_title(engine, hp, j, lambda s, k: f'{s}{k}')}:\n")
        for equation in derivation.weight(j):
            out.append(_text_equation(equation, "      "))
    out.append(_text_after(engine, event, "  ", options))
    return "".join(out)


def _derivation(
    engine: Engine,
    events: Iterable[StepEvent],
    options: Options,
    header: Callable[[Engine, Hyperparams], str],
    step: Callable[[Engine, StepEvent, Options], str],
    stopped: Callable[[str], str],
    footer: str = "",
) -> Iterator[str]:
    """A derivation document: its header, every step, why the run stopped (if it did)."""
    iterator = iter(events)
    first = next(iterator, None)
    # The header shows the settings the document starts with; every step shows its own.
    yield header(engine, engine.hyperparams_at(0) if first is None else first.hyperparams)
    last = None
    for event in iterator if first is None else itertools.chain((first,), iterator):
        yield step(engine, event, options)
        last = event
    notice = _stop_notice(engine, last)
    if notice:
        yield stopped(notice)
    yield footer


def _text_chunks(engine: Engine, events: Iterable[StepEvent], options: Options) -> Iterator[str]:
    return _derivation(
        engine, events, options, _text_header, _text_step, lambda notice: f"\n{notice}\n"
    )


# ---------------------------------------------------------------------------- TeX (shared)


def _tex_equation_lines(equation: Equation, note: Notation = TEX) -> list[str]:
    """Lines of an align body: `lhs &= ...`, continued as `&\\quad {}+ ...` when long."""
    lhs = note.lhs(equation)
    lines: list[list[str]] = [[]]
    used = _visible_length(lhs)
    for piece in note.pieces(equation):
        width = _visible_length(piece)
        if lines[-1] and used + width > TEX_WIDTH:
            lines.append([])
            used = 4
        lines[-1].append(piece)
        used += width + 1
    out = [f"{lhs} &{' '.join(lines[0])}"]
    out.extend(r"&\quad {}" + " ".join(line) for line in lines[1:])
    return out


def _tex_align_body(equations: Iterable[Equation]) -> str:
    lines = [line for eq in equations for line in _tex_equation_lines(eq)]
    return " \\\\\n".join(lines) + "\n"


def _math(text: str) -> str:
    """A written number as inline math."""
    return f"${to_tex(text)}$"


def _tex_sym(letter: str, index: int) -> str:
    return f"${letter}_{{{index}}}$"


def _tex_symbols(hp: Hyperparams) -> tuple[str, str, str]:
    """eta = ..., lambda = ..., mu = ... as inline math."""
    return (
        _math(rf"\eta = {fmt_data(hp.learning_rate)}"),
        _math(rf"\lambda = {fmt_data(hp.l2)}"),
        _math(rf"\mu = {fmt_data(hp.momentum)}"),
    )


def _tex_settings(hp: Hyperparams) -> str:
    return ", ".join(_settings_words(hp, *_tex_symbols(hp)))


def _tex_hyperparams(hp: Hyperparams) -> str:
    lr, lam, mu = _tex_symbols(hp)
    shuffle = f"on (seed {hp.seed})" if hp.shuffle else "off"
    return (
        f"learning rate {lr}, batch size {hp.batch_size}, shuffle {shuffle}, "
        f"L2 {lam}, momentum {mu}"
    )


def _tex_header_items(engine: Engine, hp: Hyperparams, escape: Callable[[str], str]) -> list[str]:
    """The setup, as list items shared by markdown and LaTeX."""
    dataset = engine.dataset
    d = dataset.n_features
    items = [
        f"dataset: {escape(dataset.name)}, {plural(dataset.n_rows, 'row')}, {plural(d, 'feature')}"
    ]
    if dataset.description:
        items[0] += f" ({escape(dataset.description)})"
    if not _feature_names_are_symbols(engine):
        items.append(
            "features: "
            + ", ".join(
                f"$x_{{{j + 1}}}$ = {escape(n)}" for j, n in enumerate(dataset.feature_names)
            )
        )
    # "label $y$: y" says nothing: the name only when it is not already the symbol.
    label = "label $y$" if dataset.label_name == "y" else f"label $y$: {escape(dataset.label_name)}"
    if dataset.class_names != ("0", "1"):
        label += f" (0 = {escape(dataset.class_names[0])}, 1 = {escape(dataset.class_names[1])})"
    items.append(label)
    if engine.standardized:
        scales = ", ".join(
            f"$x_{{{j + 1}}}$: mean {_math(fmt(engine.feature_mean[j]))}, "
            f"std {_math(fmt(engine.feature_std[j]))}"
            for j in range(d)
        )
        items.append(
            r"features standardized: yes, $x_j \leftarrow (x_j - \text{mean}_j) / \text{std}_j$; "
            + scales
        )
    else:
        items.append("features standardized: no")
    items.append(f"hyperparameters: {_tex_hyperparams(hp)}")
    symbolic = " ".join(TEX.tokens(piece) for piece in symbolic_z(d))
    items.append(
        rf"model: $z = {symbolic}$ (bias $w_{{{d}}}$), "
        r"$f = \sigma(z) = \frac{1}{1 + e^{-z}}$"
    )
    items.append(
        r"loss: $L = -y \log f - (1 - y) \log(1 - f)$, "
        r"$\frac{\partial L}{\partial w_j} = (f - y)\, x_j$, averaged over the batch; "
        r"$f - y$ is computed from $z$ ($\sigma(z)$ for $y = 0$, $-\sigma(-z)$ for $y = 1$)"
    )
    if hp.l2:
        items.append(
            r"objective: $L + \frac{\lambda}{2} \sum_j w_j^2$ (the bias excluded); "
            "the loss is the mean binary cross-entropy alone"
        )
    items.append(
        "initial weights: "
        + ", ".join(f"$w_{{{j}}} = {to_tex(fmt(w))}$" for j, w in enumerate(engine.initial_weights))
    )
    items.append("rows are counted from 1")
    return items


def _tex_after_sentence(engine: Engine, event: StepEvent) -> str:
    n = engine.n_rows
    figures = "; ".join(_figure_words(event, lambda value: _math(fmt(value))))
    return (
        f"{figures[0].upper()}{figures[1:]}; accuracy {_math(fmt(event.accuracy_after))} "
        f"({_correct_rows(event, n)} of {n} rows right)."
    )


def _tex_weights(weights: Iterable[float]) -> str:
    return ", ".join(f"$w_{{{j}}} = {to_tex(fmt(w))}$" for j, w in enumerate(weights))


def _prediction_cells(engine: Engine, event: StepEvent, r: int) -> list[str]:
    """row, y, z, f of row r after the step, as TeX table cells."""
    z = float(event.z_after_all[r])
    f = TEX.number(prediction(z, float(event.predictions_after[r])))
    return [str(r + 1), fmt_data(engine.dataset.labels[r]), f"${to_tex(fmt(z))}$", f"${f}$"]


# ---------------------------------------------------------------------------- markdown

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#$])")


def _md_escape(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _md_cell(text: str) -> str:
    """A written number in a table cell: as math only when it needs TeX (4.394e-32, ≈1)."""
    tex = to_tex(text)
    return text if tex == text else f"${tex}$"


def _md_display(equations: Iterable[Equation]) -> str:
    return "$$\n\\begin{aligned}\n" + _tex_align_body(equations) + "\\end{aligned}\n$$\n"


def _md_table(header: list[str], rows: Iterable[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---:|" * len(header)]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return "\n".join(lines) + "\n"


def _md_predictions(engine: Engine, event: StepEvent, options: Options) -> str:
    rows, left_out = _listed_rows(event, engine.n_rows, options)
    table = _md_table(
        ["row", "$y$", "$z$", "$f$"], (_prediction_cells(engine, event, r) for r in rows)
    )
    return table + (f"\n{_rest_words(left_out).capitalize()}.\n" if left_out else "")


def _md_step(engine: Engine, event: StepEvent, options: Options) -> str:
    out = [f"\n## {_step_title(event)}\n\n"]
    if event.step == 0:
        out.append(f"Weights: {_tex_weights(event.weights_after)}.\n\n")
        out.append(_md_predictions(engine, event, options))
        out.append(f"\n{_tex_after_sentence(engine, event)}\n")
        return "".join(out)
    hp = event.hyperparams
    derivation = Derivation(event)
    d = derivation.d
    out.append(f"{_rows_words(event)}; {_tex_settings(hp)}.\n\n")
    header = ["row", *(f"$x_{{{j + 1}}}$" for j in range(d)), "$y$", "$z$", "$f$"]
    table_rows = [
        [
            str(int(event.rows[i]) + 1),
            *(_md_cell(fmt_data(event.inputs[i, j])) for j in range(d)),
            fmt_data(event.labels[i]),
            _md_cell(fmt(event.z[i])),
            f"${TEX.number(derivation.prob(i))}$",
        ]
        for i in range(event.batch_size)
    ]
    out.append(_md_table(header, table_rows))
    out.append("\n")
    out.append(_md_display(eq for i in range(event.batch_size) for eq in derivation.row(i)))
    out.append("\n")
    out.append(_md_display([derivation.batch_loss()]))
    for j in range(d + 1):
        out.append(f"\n### {_weight_title(engine, hp, j, _md_sym)}\n\n")
        out.append(_md_display(derivation.weight(j)))
    out.append("\n### After the update\n\n")
    out.append(f"Weights: {_tex_weights(event.weights_after)}.\n\n")
    out.append("Predictions:\n\n")
    out.append(_md_predictions(engine, event, options))
    out.append(f"\n{_tex_after_sentence(engine, event)}\n")
    return "".join(out)


def _md_sym(letter: str, index: int) -> str:
    return _tex_sym(letter, index)


def _md_header(engine: Engine, hp: Hyperparams) -> str:
    items = _tex_header_items(engine, hp, _md_escape)
    return f"# Worked derivation: {_md_escape(engine.dataset.name)}\n\n" + "".join(
        f"- {item}\n" for item in items
    )


def _markdown_chunks(
    engine: Engine, events: Iterable[StepEvent], options: Options
) -> Iterator[str]:
    return _derivation(
        engine,
        events,
        options,
        _md_header,
        _md_step,
        lambda notice: f"\n**{_md_escape(notice)}**\n",
    )


# ---------------------------------------------------------------------------- LaTeX

_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
}
_LATEX_SPECIAL_RE = re.compile("|".join(re.escape(c) for c in _LATEX_SPECIAL))
_LATEX_LIGATURE = re.compile(r"-(?=-)")  # "--" would print as a dash: --standardize


def latex_escape(text: str) -> str:
    """Text (a dataset or feature name such as mean_radius) safe in LaTeX's text mode."""
    escaped = _LATEX_SPECIAL_RE.sub(lambda m: _LATEX_SPECIAL[m.group(0)], " ".join(text.split()))
    return _LATEX_LIGATURE.sub("-{}", escaped)


def _latex_align(equations: Iterable[Equation]) -> str:
    return "\\begin{align*}\n" + _tex_align_body(equations) + "\\end{align*}\n"


# Rows per tabular block of predictions: a page holds about this many, and blocks break
# between pages where one long tabular cannot.
LATEX_TABLE_ROWS = 40


def _latex_predictions(engine: Engine, event: StepEvent, options: Options) -> str:
    """The predictions as tables (row, y, z, f) of at most LATEX_TABLE_ROWS rows each."""
    rows, left_out = _listed_rows(event, engine.n_rows, options)
    out = ["Predictions:\n"]
    for start in range(0, len(rows), LATEX_TABLE_ROWS):
        block = rows[start : start + LATEX_TABLE_ROWS]
        lines = [" & ".join(_prediction_cells(engine, event, r)) + r" \\" for r in block]
        out.append(
            "\n\\begin{tabular}{rrrr}\nrow & $y$ & $z$ & $f$ \\\\ \\hline\n"
            + "\n".join(lines)
            + "\n\\end{tabular}\n"
        )
    if left_out:
        out.append(f"\n{latex_escape(_rest_words(left_out)).capitalize()}.\n")
    return "".join(out)


def _latex_step(engine: Engine, event: StepEvent, options: Options) -> str:
    out = [f"\n\\subsection*{{{_step_title(event)}}}\n"]
    if event.step == 0:
        out.append(f"Weights: {_tex_weights(event.weights_after)}.\n\n")
        out.append(_latex_predictions(engine, event, options))
        out.append(f"\n{_tex_after_sentence(engine, event)}\n")
        return "".join(out)
    hp = event.hyperparams
    derivation = Derivation(event)
    d = derivation.d
    out.append(f"{_rows_words(event)}; {_tex_settings(hp)}.\n")
    for i in range(event.batch_size):
        values = ", ".join(
            f"$x_{{{j + 1}}} = {to_tex(fmt_data(event.inputs[i, j]))}$" for j in range(d)
        )
        row = int(event.rows[i]) + 1
        out.append(f"\n\\paragraph{{Row {row}}} {values}, $y = {fmt_data(event.labels[i])}$.\n")
        out.append(_latex_align(derivation.row(i)))
    out.append(_latex_align([derivation.batch_loss()]))
    for j in range(d + 1):
        title = _weight_title(engine, hp, j, _tex_sym)
        # \boldmath: the heading's symbols as bold as its words (and as "Row 1")
        out.append(f"\n\\paragraph{{\\boldmath {latex_title(title)}}}\n")
        out.append(_latex_align(derivation.weight(j)))
    out.append("\n\\paragraph{After the update}\n")
    out.append(f"Weights: {_tex_weights(event.weights_after)}.\n\n")
    out.append(_latex_predictions(engine, event, options))
    out.append(f"\n{_tex_after_sentence(engine, event)}\n")
    return "".join(out)


def latex_title(title: str) -> str:
    """A weight's title: its math kept, the feature name after the colon escaped."""
    head, sep, name = title.partition(": ")
    if not sep:
        return title
    return f"{head}: {latex_escape(name[:-1])})"


def _latex_header(engine: Engine, hp: Hyperparams) -> str:
    items = _tex_header_items(engine, hp, latex_escape)
    return (
        f"% Worked derivation of mini-batch SGD on {latex_escape(engine.dataset.name)}, "
        "exported by logsgd-tui.\n"
        "% A fragment: \\input it into a document that loads amsmath.\n"
        # Long derivations may break across pages, and long names (worst_fractal_dimension)
        # cannot be hyphenated: \sloppy spaces a line out rather than let it run over the
        # margin. The group keeps both settings to this fragment.
        "\\begingroup\n\\allowdisplaybreaks\n\\sloppy\n"
        "\\begin{itemize}\n" + "".join(f"\\item {item}\n" for item in items) + "\\end{itemize}\n"
    )


def _latex_chunks(engine: Engine, events: Iterable[StepEvent], options: Options) -> Iterator[str]:
    return _derivation(
        engine,
        events,
        options,
        _latex_header,
        _latex_step,
        lambda notice: f"\n\\paragraph{{Stopped.}} {latex_escape(notice)}\n",
        footer="\\endgroup\n",
    )


# ---------------------------------------------------------------------------- JSON


def _json(value: object, step: int, indent: int | None = None) -> str:
    try:
        return json.dumps(value, allow_nan=False, indent=indent)
    except ValueError:
        raise ValueError(f"step {step}: a non-finite number cannot be written as JSON") from None


def jsonl_record(event: StepEvent) -> dict[str, object]:
    """One step as JSON values: rows 0-based, weight lists end with the bias, floats exact."""
    record: dict[str, object] = {
        "step": event.step,
        "epoch": event.epoch,
        "batch": event.batch,
        "indices": [int(r) for r in event.rows],
        "lr": float(event.hyperparams.learning_rate),
        "weights_before": event.weights_before.tolist(),
        "predictions": event.f.tolist(),
        "terms": event.terms.tolist(),
        "gradient": event.gradient.tolist(),
        "weights_after": event.weights_after.tolist(),
        "loss_before": float(event.loss_before),
        "loss_after": float(event.loss_after),
        "accuracy_after": float(event.accuracy_after),
        "predictions_after": event.predictions_after.tolist(),
    }
    return record


def _jsonl_chunks(engine: Engine, events: Iterable[StepEvent], options: Options) -> Iterator[str]:
    for event in events:
        yield _json(jsonl_record(event), event.step) + "\n"


def summary_record(engine: Engine, last: StepEvent) -> dict[str, object]:
    """Where the run stands after `last`, and what run it is: the data, the settings it
    started with and every change of them (from which step), the initial weights."""
    epochs = sum(1 for boundary in engine.epoch_boundaries() if 0 < boundary <= last.step)
    stopped = _stop_notice(engine, last) is not None
    first = engine.hyperparams_at(1) if engine.history_length else engine.hyperparams
    changes = [
        {"from_step": step, "hyperparams": engine.hyperparams_at(step).record()}
        for step in engine.hyperparam_changes()
        if step <= last.step
    ]
    return {
        "steps": last.step,
        "epochs": epochs,
        "weights": last.weights_after.tolist(),
        "loss": float(last.loss_after),
        "objective": float(last.objective_after),
        "accuracy": float(last.accuracy_after),
        "diverged": stopped,
        "diverged_at_step": engine.diverged_at if stopped else None,
        "standardized": engine.standardized,
        "dataset": engine.dataset.name,
        "rows": engine.n_rows,
        "features": list(engine.dataset.feature_names),
        "initial_weights": engine.initial_weights.tolist(),
        "hyperparams": first.record(),
        "changes": changes,
    }


def _summary_chunks(engine: Engine, events: Iterable[StepEvent], options: Options) -> Iterator[str]:
    last = None
    for last in events:  # noqa: B007 - only the last event is summarized
        pass
    if last is None:
        last = engine.event_at(0)
    yield _json(summary_record(engine, last), last.step, indent=2) + "\n"


_WRITERS: dict[str, Callable[[Engine, Iterable[StepEvent], Options], Iterator[str]]] = {
    "text": _text_chunks,
    "markdown": _markdown_chunks,
    "latex": _latex_chunks,
    "jsonl": _jsonl_chunks,
    "summary": _summary_chunks,
}
