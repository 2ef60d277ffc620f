"""Headless exports of a run: the worked derivation (text, markdown, LaTeX), JSON lines, a summary.

The derivation is written as the lecture writes it, for every step and every weight:

    z1 = w0*x1 + w1*x2 + w2 = 1.000e-08 * 121 + (-1.000e-08) * 14.8 + 1.000e-08 = 1.072e-06
    (f1 - y1) * x1 = (0.5000 - 0) * 121 = 60.50
    g0 = (60.50 + 57.00) / 2 = 58.75
    w0 <- w0 - lr * g0 = 1.000e-08 - 0.01 * 58.75 = -0.5875

The equations are built once (`_Equation`, in a `_Notation`) and typeset three ways. Rows are
counted from 1 in the human formats and from 0 in `jsonl` (as the engine counts them).
"""

from __future__ import annotations

import io
import itertools
import json
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TextIO

from .engine import Engine, StepEvent
from .formatting import fmt, fmt_data, fmt_prob, to_tex
from .params import Hyperparams, SettingError

FORMATS = ("text", "markdown", "latex", "jsonl", "summary")

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
    "accuracy",
    "diverged",
    "diverged_at_step",
    "standardized",
    "dataset",
)

TEXT_WIDTH = 100
# Visible characters per line of a typeset equation: a 10pt article's text width holds about 60.
TEX_WIDTH = 56
# Beyond this many features, z = w0*x1 + ... is written with an ellipsis, not in full.
SYMBOLIC_SUM_MAX_FEATURES = 4
# A mean of more terms than this is typeset as (1/B)(t1 + ...), which may break across lines.
TEX_FRACTION_MAX_TERMS = 4


# ---------------------------------------------------------------------------- public API


def recorded_events(engine: Engine, first: int = 1, last: int | None = None) -> Iterator[StepEvent]:
    """The StepEvents of steps first .. last (default: up to the cursor), rebuilt one at a time."""
    stop = engine.cursor if last is None else last
    for step in range(first, stop + 1):
        yield engine.event_at(step)


def write_export(
    out: TextIO,
    engine: Engine,
    format_name: str,
    events: Iterable[StepEvent] | None = None,
) -> None:
    """Write an export of `events` (default: steps 1 .. the cursor) to `out`, step by step.

    `summary` describes the last event given (step 0, the start, if there is none).
    """
    if format_name not in FORMATS:
        raise SettingError(
            f"export format must be one of {', '.join(FORMATS)}, got {format_name!r}"
        )
    chosen = recorded_events(engine) if events is None else events
    for chunk in _WRITERS[format_name](engine, chosen):
        out.write(chunk)


def render(engine: Engine, format_name: str, events: Iterable[StepEvent] | None = None) -> str:
    """An export as one string; see write_export."""
    out = io.StringIO()
    write_export(out, engine, format_name, events)
    return out.getvalue()


# ---------------------------------------------------------------------------- notation


@dataclass(frozen=True)
class _Notation:
    """How symbols and numbers are written: plain ASCII text, or TeX math."""

    tex: bool
    times: str
    arrow: str
    sigma: str
    lam: str
    mu: str
    lr: str

    def sym(self, letter: str, index: int) -> str:
        return f"{letter}_{{{index}}}" if self.tex else f"{letter}{index}"

    def num(self, text: str) -> str:
        return to_tex(text) if self.tex else text

    def operand(self, text: str) -> str:
        """A written number inside an expression: in parentheses if it has a sign or a gap."""
        shown = self.num(text)
        return f"({shown})" if text.startswith("-") or " " in text else shown

    def prob(self, f: float) -> str:
        return self.num(fmt_prob(f, ascii=not self.tex))

    def product(self, left: str, right: str, tight: bool = False) -> str:
        """A product of symbols: w0*x1 (tight) or lr * g0 in text, juxtaposed in TeX."""
        if self.tex:
            return rf"{left}\,{right}"
        return f"{left}*{right}" if tight else f"{left} * {right}"

    def partial(self, index: int) -> str:
        if self.tex:
            return rf"\partial L / \partial w_{{{index}}}"
        return f"dL/dw{index}"


_TEXT = _Notation(False, " * ", "<-", "sigma", "lambda", "mu", "lr")
_TEX = _Notation(True, r" \cdot ", r"\leftarrow", r"\sigma", r"\lambda", r"\mu", r"\eta")


@dataclass(frozen=True)
class _Equation:
    """lhs followed by pieces, each starting with its relation or operator ("= ...", "+ ...").

    A long equation breaks only between pieces.
    """

    lhs: str
    pieces: tuple[str, ...]


def _punctuated(items: list[str], mark: str = ",") -> list[str]:
    """Items for a wrapped list: every one but the last followed by mark."""
    return [f"{item}{mark}" for item in items[:-1]] + items[-1:]


def _signed(first: str, rest: Iterable[str]) -> list[str]:
    """A sum as pieces: "a", "+ b", "- c" (a written negative number becomes a subtraction)."""
    pieces = [first]
    for value in rest:
        pieces.append(f"- {value[1:]}" if value.startswith("-") else f"+ {value}")
    return pieces


# ---------------------------------------------------------------------------- the derivation


def _symbolic_z(note: _Notation, d: int) -> list[str]:
    """w0*x1 + w1*x2 + w2 as sum pieces (with an ellipsis for many features)."""
    products = [note.product(note.sym("w", j), note.sym("x", j + 1), tight=True) for j in range(d)]
    if d > SYMBOLIC_SUM_MAX_FEATURES:
        products = [products[0], r"\dots" if note.tex else "...", products[-1]]
    return [products[0], *(f"+ {p}" for p in products[1:]), f"+ {note.sym('w', d)}"]


def _z_equation(note: _Notation, event: StepEvent, i: int) -> _Equation:
    row = int(event.rows[i]) + 1
    w = event.weights_before
    d = w.size - 1
    products = [
        f"{note.operand(fmt(w[j]))}{note.times}{note.operand(fmt_data(event.inputs[i, j]))}"
        for j in range(d)
    ]
    products.append(note.operand(fmt(w[d])))
    symbolic = _symbolic_z(note, d)
    return _Equation(
        note.sym("z", row),
        (
            f"= {symbolic[0]}",
            *symbolic[1:],
            f"= {products[0]}",
            *(f"+ {p}" for p in products[1:]),
            f"= {note.num(fmt(event.z[i]))}",
        ),
    )


def _f_equation(note: _Notation, event: StepEvent, i: int) -> _Equation:
    row = int(event.rows[i]) + 1
    z = note.sym("z", row)
    sigma = rf"{note.sigma}({z})"
    return _Equation(note.sym("f", row), (f"= {sigma}", f"= {note.prob(event.f[i])}"))


def _weight_equations(note: _Notation, event: StepEvent, j: int) -> list[_Equation]:
    """Per-sample terms, their mean, the L2 and momentum lines, and the update of weight j."""
    hp = event.hyperparams
    d = event.weights_before.size - 1
    is_bias = j == d
    equations: list[_Equation] = []
    for i in range(event.batch_size):
        row = int(event.rows[i]) + 1
        residual_symbol = f"{note.sym('f', row)} - {note.sym('y', row)}"
        residual = f"{note.operand(fmt_prob(event.f[i], ascii=not note.tex))} - " + note.operand(
            fmt_data(event.labels[i])
        )
        result = f"= {note.num(fmt(event.terms[i, j]))}"
        if is_bias:
            # dL/dw_d = (f - y) * 1: the bias multiplies the constant input 1.
            equations.append(_Equation(residual_symbol, (f"= {residual}", result)))
        else:
            x = note.operand(fmt_data(event.inputs[i, j]))
            lhs = note.product(f"({residual_symbol})", note.sym("x", j + 1))
            equations.append(_Equation(lhs, (f"= ({residual}){note.times}{x}", result)))

    g = note.sym("g", j)
    with_l2 = bool(hp.l2) and not is_bias
    mean_symbol = note.partial(j) if with_l2 else g
    terms = [note.num(fmt(t)) for t in event.terms[:, j]]
    mean = f"= {note.num(fmt(event.data_gradient[j]))}"
    count = len(terms)
    if count == 1:
        equations.append(_Equation(mean_symbol, (f"= {terms[0]}",)))
    else:
        pieces = _signed(terms[0], terms[1:])
        if not note.tex:
            pieces[0] = f"({pieces[0]}"
            pieces[-1] = f"{pieces[-1]}) / {count}"
        elif count <= TEX_FRACTION_MAX_TERMS:
            pieces = [rf"\frac{{{' '.join(pieces)}}}{{{count}}}"]
        else:
            pieces[0] = rf"\frac{{1}}{{{count}}}\,({pieces[0]}"
            pieces[-1] = f"{pieces[-1]})"
        equations.append(_Equation(mean_symbol, (f"= {pieces[0]}", *pieces[1:], mean)))

    if with_l2:
        w = note.sym("w", j)
        lam = note.num(fmt_data(hp.l2))
        equations.append(
            _Equation(
                g,
                (
                    f"= {mean_symbol} + {note.product(note.lam, w)}",
                    f"= {note.num(fmt(event.data_gradient[j]))} + {lam}{note.times}"
                    + note.operand(fmt(event.weights_before[j])),
                    f"= {note.num(fmt(event.gradient[j]))}",
                ),
            )
        )

    direction = g
    direction_value = event.gradient[j]
    if hp.momentum:
        v = note.sym("v", j)
        mu = note.num(fmt_data(hp.momentum))
        equations.append(
            _Equation(
                v,
                (
                    f"= {note.product(note.mu, v)} + {g}",
                    f"= {mu}{note.times}{note.operand(fmt(event.velocity_before[j]))} + "
                    + note.operand(fmt(event.gradient[j])),
                    f"= {note.num(fmt(event.velocity_after[j]))}",
                ),
            )
        )
        direction = v
        direction_value = event.velocity_after[j]

    w = note.sym("w", j)
    lr = note.num(fmt_data(hp.learning_rate))
    equations.append(
        _Equation(
            w,
            (
                f"{note.arrow} {w} - {note.product(note.lr, direction)}",
                f"= {note.num(fmt(event.weights_before[j]))} - {lr}{note.times}"
                + note.operand(fmt(direction_value)),
                f"= {note.num(fmt(event.weights_after[j]))}",
            ),
        )
    )
    return equations


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


def _text_equation(equation: _Equation, indent: str) -> str:
    return _wrap(f"{indent}{equation.lhs}", equation.pieces, indent + "    ")


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
            f"dataset: {dataset.name} ({dataset.n_rows} rows, {d} features)"
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
    out.append(
        _wrap(
            "model: z =",
            [*_symbolic_z(_TEXT, d), f"(w{d} is the bias), f = sigma(z) = 1 / (1 + e^-z)"],
            "  ",
        )
    )
    out.append(
        "loss: L = -y log f - (1 - y) log(1 - f); dL/dwj = (f - y) * xj, mean over the batch\n"
    )
    weights = [f"w{j} = {fmt(w)}" for j, w in enumerate(engine.initial_weights)]
    out.append(_wrap("initial weights:", _punctuated(weights), "  "))
    out.append("rows are counted from 1\n")
    return "".join(out)


def _text_after(engine: Engine, event: StepEvent, indent: str) -> str:
    n = engine.n_rows
    weights = [f"w{j} = {fmt(w)}" for j, w in enumerate(event.weights_after)]
    title = "weights:" if event.step == 0 else "after the update:"
    out = [_wrap(f"{indent}{title}", _punctuated(weights), indent + "  ")]
    out.append(f"{indent}predictions for every row:\n")
    labels = engine.dataset.labels
    for r in range(n):
        out.append(
            f"{indent}  row {r + 1}: z = {fmt(event.z_after_all[r])}, "
            f"f = {fmt_prob(event.predictions_after[r], ascii=True)}, y = {fmt_data(labels[r])}\n"
        )
    if event.step == 0:
        out.append(f"{indent}full-data loss: {fmt(event.loss_after)}\n")
    else:
        out.append(
            f"{indent}full-data loss: before {fmt(event.loss_before)}, "
            f"after {fmt(event.loss_after)}\n"
        )
    when = "" if event.step == 0 else " after the update"
    right = _correct_rows(event, n)
    out.append(f"{indent}accuracy{when}: {fmt(event.accuracy_after)} ({right} of {n} rows right)\n")
    return "".join(out)


def _text_step(engine: Engine, event: StepEvent) -> str:
    if event.step == 0:
        return "\nStart (step 0), before any step\n" + _text_after(engine, event, "  ")
    hp = event.hyperparams
    d = event.weights_before.size - 1
    rows = _punctuated([str(int(r) + 1) for r in event.rows])
    rows[-1] += ";"
    settings = _settings_words(
        hp, fmt_data(hp.learning_rate), f"lambda {fmt_data(hp.l2)}", f"mu {fmt_data(hp.momentum)}"
    )
    out = [
        _wrap(
            f"\nStep {event.step} (epoch {event.epoch}, batch {event.batch} of "
            f"{event.batches_per_epoch}): rows",
            [*rows, *_punctuated(settings)],
            "  ",
        ),
        "  the batch:\n",
    ]
    names = engine.dataset.feature_names
    for i in range(event.batch_size):
        values = [f"x{j + 1} = {fmt_data(event.inputs[i, j])}" for j in range(d)]
        values.append(f"y = {fmt_data(event.labels[i])}")
        out.append(_wrap(f"    row {int(event.rows[i]) + 1}:", _punctuated(values), "      "))
        out.append(_text_equation(_z_equation(_TEXT, event, i), "      "))
        out.append(_text_equation(_f_equation(_TEXT, event, i), "      "))
    out.append(f"    batch loss (mean over the batch) = {fmt(event.batch_loss)}\n")
    out.append("  the gradient and the update, weight by weight:\n")
    symbols = _feature_names_are_symbols(engine)
    for j in range(d + 1):
        if j == d:
            title = f"w{j} (bias{', no L2 term' if hp.l2 else ''})"
        elif symbols:
            title = f"w{j} (x{j + 1})"
        else:
            title = f"w{j} (x{j + 1}: {names[j]})"
        out.append(f"    {title}:\n")
        for equation in _weight_equations(_TEXT, event, j):
            out.append(_text_equation(equation, "      "))
    out.append(_text_after(engine, event, "  "))
    return "".join(out)


def _text_chunks(engine: Engine, events: Iterable[StepEvent]) -> Iterator[str]:
    return _derivation(engine, events, _text_header, _text_step, lambda notice: f"\n{notice}\n")


def _derivation(
    engine: Engine,
    events: Iterable[StepEvent],
    header: Callable[[Engine, Hyperparams], str],
    step: Callable[[Engine, StepEvent], str],
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
        yield step(engine, event)
        last = event
    notice = _stop_notice(engine, last)
    if notice:
        yield stopped(notice)
    yield footer


# ---------------------------------------------------------------------------- TeX (shared)

_TEX_COMMAND = re.compile(r"\\[A-Za-z]+")
_TEX_MARKUP = re.compile(r"[{}^_&]")


def _visible_length(tex: str) -> int:
    """Roughly how many characters a TeX math string shows (a command shows as one)."""
    return len(_TEX_MARKUP.sub("", _TEX_COMMAND.sub("x", tex)))


def _tex_equation_lines(equation: _Equation) -> list[str]:
    """Lines of an align body: `lhs &= ...`, continued as `&\\quad {}+ ...` when long."""
    lines: list[list[str]] = [[]]
    used = _visible_length(equation.lhs)
    for piece in equation.pieces:
        width = _visible_length(piece)
        if lines[-1] and used + width > TEX_WIDTH:
            lines.append([])
            used = 4
        lines[-1].append(piece)
        used += width + 1
    out = [f"{equation.lhs} &{' '.join(lines[0])}"]
    out.extend(r"&\quad {}" + " ".join(line) for line in lines[1:])
    return out


def _tex_align_body(equations: Iterable[_Equation]) -> str:
    lines = [line for eq in equations for line in _tex_equation_lines(eq)]
    return " \\\\\n".join(lines) + "\n"


def _math(text: str) -> str:
    """A written number as inline math."""
    return f"${to_tex(text)}$"


def _tex_weight_title(engine: Engine, hp: Hyperparams, j: int, escape: Callable[[str], str]) -> str:
    d = engine.dataset.n_features
    w = f"$w_{{{j}}}$"
    if j == d:
        return f"{w} (bias{', no L2 term' if hp.l2 else ''})"
    if _feature_names_are_symbols(engine):
        return f"{w} ($x_{{{j + 1}}}$)"
    return f"{w} ($x_{{{j + 1}}}$: {escape(engine.dataset.feature_names[j])})"


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
    items = [f"dataset: {escape(dataset.name)}, {dataset.n_rows} rows, {d} features"]
    if dataset.description:
        items[0] += f" ({escape(dataset.description)})"
    if not _feature_names_are_symbols(engine):
        items.append(
            "features: "
            + ", ".join(
                f"$x_{{{j + 1}}}$ = {escape(n)}" for j, n in enumerate(dataset.feature_names)
            )
        )
    label = f"label $y$: {escape(dataset.label_name)}"
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
    symbolic = " ".join(_symbolic_z(_TEX, d))
    items.append(
        rf"model: $z = {symbolic}$ (bias $w_{{{d}}}$), "
        r"$f = \sigma(z) = \frac{1}{1 + e^{-z}}$"
    )
    items.append(
        r"loss: $L = -y \log f - (1 - y) \log(1 - f)$, "
        r"$\frac{\partial L}{\partial w_j} = (f - y)\, x_j$, averaged over the batch"
    )
    items.append(
        "initial weights: "
        + ", ".join(f"$w_{{{j}}} = {to_tex(fmt(w))}$" for j, w in enumerate(engine.initial_weights))
    )
    items.append("rows are counted from 1")
    return items


def _tex_after_sentence(engine: Engine, event: StepEvent) -> str:
    n = engine.n_rows
    if event.step == 0:
        loss = f"Full-data loss {_math(fmt(event.loss_after))}"
    else:
        loss = (
            f"Full-data loss before {_math(fmt(event.loss_before))}, "
            f"after {_math(fmt(event.loss_after))}"
        )
    return (
        f"{loss}; accuracy {_math(fmt(event.accuracy_after))} "
        f"({_correct_rows(event, n)} of {n} rows right)."
    )


def _tex_weights(weights: Iterable[float]) -> str:
    return ", ".join(f"$w_{{{j}}} = {to_tex(fmt(w))}$" for j, w in enumerate(weights))


def _tex_batch_equations(event: StepEvent, i: int) -> list[_Equation]:
    return [_z_equation(_TEX, event, i), _f_equation(_TEX, event, i)]


def _step_title(event: StepEvent) -> str:
    if event.step == 0:
        return "Start (step 0)"
    return (
        f"Step {event.step} (epoch {event.epoch}, batch {event.batch} of {event.batches_per_epoch})"
    )


def _rows_words(event: StepEvent) -> str:
    rows = [str(int(r) + 1) for r in event.rows]
    return f"{'Row' if len(rows) == 1 else 'Rows'} {', '.join(rows)}"


# ---------------------------------------------------------------------------- markdown

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#$])")


def _md_escape(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _md_cell(text: str) -> str:
    """A written number in a table cell: as math only when it needs TeX (4.394e-32, ≈1)."""
    tex = to_tex(text)
    return text if tex == text else f"${tex}$"


def _md_display(equations: Iterable[_Equation]) -> str:
    return "$$\n\\begin{aligned}\n" + _tex_align_body(equations) + "\\end{aligned}\n$$\n"


def _md_table(header: list[str], rows: Iterable[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---:|" * len(header)]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return "\n".join(lines) + "\n"


def _md_predictions(engine: Engine, event: StepEvent) -> str:
    labels = engine.dataset.labels
    return _md_table(
        ["row", "$y$", "$z$", "$f$"],
        (
            [
                str(r + 1),
                fmt_data(labels[r]),
                _md_cell(fmt(event.z_after_all[r])),
                _md_cell(fmt_prob(event.predictions_after[r])),
            ]
            for r in range(engine.n_rows)
        ),
    )


def _md_step(engine: Engine, event: StepEvent) -> str:
    out = [f"\n## {_step_title(event)}\n\n"]
    if event.step == 0:
        out.append(f"Weights: {_tex_weights(event.weights_after)}.\n\n")
        out.append(_md_predictions(engine, event))
        out.append(f"\n{_tex_after_sentence(engine, event)}\n")
        return "".join(out)
    hp = event.hyperparams
    d = event.weights_before.size - 1
    out.append(f"{_rows_words(event)}; {_tex_settings(hp)}.\n\n")
    header = ["row", *(f"$x_{{{j + 1}}}$" for j in range(d)), "$y$", "$z$", "$f$"]
    table_rows = [
        [
            str(int(event.rows[i]) + 1),
            *(_md_cell(fmt_data(event.inputs[i, j])) for j in range(d)),
            fmt_data(event.labels[i]),
            _md_cell(fmt(event.z[i])),
            _md_cell(fmt_prob(event.f[i])),
        ]
        for i in range(event.batch_size)
    ]
    out.append(_md_table(header, table_rows))
    out.append("\n")
    out.append(
        _md_display(eq for i in range(event.batch_size) for eq in _tex_batch_equations(event, i))
    )
    out.append(f"\nBatch loss (mean over the batch): {_math(fmt(event.batch_loss))}.\n")
    for j in range(d + 1):
        out.append(f"\n### {_tex_weight_title(engine, hp, j, _md_escape)}\n\n")
        out.append(_md_display(_weight_equations(_TEX, event, j)))
    out.append("\n### After the update\n\n")
    out.append(f"Weights: {_tex_weights(event.weights_after)}.\n\n")
    out.append("Predictions for every row:\n\n")
    out.append(_md_predictions(engine, event))
    out.append(f"\n{_tex_after_sentence(engine, event)}\n")
    return "".join(out)


def _md_header(engine: Engine, hp: Hyperparams) -> str:
    items = _tex_header_items(engine, hp, _md_escape)
    return f"# Worked derivation: {_md_escape(engine.dataset.name)}\n\n" + "".join(
        f"- {item}\n" for item in items
    )


def _markdown_chunks(engine: Engine, events: Iterable[StepEvent]) -> Iterator[str]:
    return _derivation(
        engine, events, _md_header, _md_step, lambda notice: f"\n**{_md_escape(notice)}**\n"
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


def _latex_align(equations: Iterable[_Equation]) -> str:
    return "\\begin{align*}\n" + _tex_align_body(equations) + "\\end{align*}\n"


def _latex_predictions(engine: Engine, event: StepEvent) -> str:
    # A paragraph rather than a table: it breaks across lines and pages for any number of rows.
    labels = engine.dataset.labels
    entries = [
        f"row {r + 1}: {_math('z = ' + fmt(event.z_after_all[r]))}, "
        f"{_math('f = ' + fmt_prob(event.predictions_after[r]))}, "
        f"$y = {fmt_data(labels[r])}$"
        for r in range(engine.n_rows)
    ]
    return "Predictions for every row: " + ";\n".join(entries) + ".\n"


def _latex_step(engine: Engine, event: StepEvent) -> str:
    out = [f"\n\\subsection*{{{_step_title(event)}}}\n"]
    if event.step == 0:
        out.append(f"Weights: {_tex_weights(event.weights_after)}.\n\n")
        out.append(_latex_predictions(engine, event))
        out.append(f"\n{_tex_after_sentence(engine, event)}\n")
        return "".join(out)
    hp = event.hyperparams
    d = event.weights_before.size - 1
    out.append(f"{_rows_words(event)}; {_tex_settings(hp)}.\n")
    for i in range(event.batch_size):
        values = ", ".join(
            f"$x_{{{j + 1}}} = {to_tex(fmt_data(event.inputs[i, j]))}$" for j in range(d)
        )
        row = int(event.rows[i]) + 1
        out.append(f"\n\\paragraph{{Row {row}}} {values}, $y = {fmt_data(event.labels[i])}$.\n")
        out.append(_latex_align(_tex_batch_equations(event, i)))
    out.append(f"Batch loss (mean over the batch): {_math(fmt(event.batch_loss))}.\n")
    for j in range(d + 1):
        out.append(f"\n\\paragraph{{{_tex_weight_title(engine, hp, j, latex_escape)}}}\n")
        out.append(_latex_align(_weight_equations(_TEX, event, j)))
    out.append("\n\\paragraph{After the update}\n")
    out.append(f"Weights: {_tex_weights(event.weights_after)}.\n\n")
    out.append(_latex_predictions(engine, event))
    out.append(f"\n{_tex_after_sentence(engine, event)}\n")
    return "".join(out)


def _latex_header(engine: Engine, hp: Hyperparams) -> str:
    items = _tex_header_items(engine, hp, latex_escape)
    return (
        f"% Worked derivation of mini-batch SGD on {latex_escape(engine.dataset.name)}, "
        "exported by logsgd-tui.\n"
        "% A fragment: \\input it into a document that loads amsmath.\n"
        # Long derivations may break across pages; the group keeps the setting to this fragment.
        "\\begingroup\n\\allowdisplaybreaks\n"
        "\\begin{itemize}\n" + "".join(f"\\item {item}\n" for item in items) + "\\end{itemize}\n"
    )


def _latex_chunks(engine: Engine, events: Iterable[StepEvent]) -> Iterator[str]:
    return _derivation(
        engine,
        events,
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


def _jsonl_chunks(engine: Engine, events: Iterable[StepEvent]) -> Iterator[str]:
    for event in events:
        yield _json(jsonl_record(event), event.step) + "\n"


def summary_record(engine: Engine, last: StepEvent) -> dict[str, object]:
    """Where the run stands after `last`: completed epochs, weights, loss, divergence."""
    epochs = sum(1 for boundary in engine.epoch_boundaries() if 0 < boundary <= last.step)
    stopped = _stop_notice(engine, last) is not None
    return {
        "steps": last.step,
        "epochs": epochs,
        "weights": last.weights_after.tolist(),
        "loss": float(last.loss_after),
        "accuracy": float(last.accuracy_after),
        "diverged": stopped,
        "diverged_at_step": engine.diverged_at if stopped else None,
        "standardized": engine.standardized,
        "dataset": engine.dataset.name,
    }


def _summary_chunks(engine: Engine, events: Iterable[StepEvent]) -> Iterator[str]:
    tail = deque(events, maxlen=1)  # only the last event is summarized
    last = tail[0] if tail else engine.event_at(0)
    yield _json(summary_record(engine, last), last.step, indent=2) + "\n"


_WRITERS: dict[str, Callable[[Engine, Iterable[StepEvent]], Iterator[str]]] = {
    "text": _text_chunks,
    "markdown": _markdown_chunks,
    "latex": _latex_chunks,
    "jsonl": _jsonl_chunks,
    "summary": _summary_chunks,
}
