"""The worked derivation of one step, as data: every equation knows what it is and what it holds.

Built once here from a StepEvent, rendered everywhere: the batch and gradient panels, and the
text, markdown and LaTeX exports. So the screen and the exports cannot disagree. For the seed
lecture's step 1:

    z1 = w0*x1 + w1*x2 + w2 = 1.000e-08 * 121 + (-1.000e-08) * 14.8 + 1.000e-08 = 1.072e-06
    f1 = sigma(z1) = 0.5000003
    loss1 = -log(1 - f1) = 0.6931
    f1 - y1 = 0.5000003 - 0 = 0.5000003
    (f1 - y1) * x1 = 0.5000003 * 121 = 60.50
    g0 = (60.50 + 57.00) / 2 = 58.75
    w0 <- w0 - lr * g0 = 1.000e-08 - 0.01 * 58.75 = -0.5875

An equation is a left-hand side and pieces, each piece starting with its relation ("=", "<-")
or operator ("+"): a long equation breaks only between pieces. Its tokens are symbols, numbers
(each with how it is written: a computed value, typed data, or a probability) and operators;
`Notation` writes them as plain ASCII text, as Unicode for the screen, or as TeX. Rows are
counted from 1 in every symbol (z1 is row 1's z), as the lecture does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import cached_property
from typing import Literal, NamedTuple

import numpy as np

from . import maths, rowsets
from .events import StepEvent
from .formatting import fmt, fmt_data, fmt_prob, to_tex

# Beyond this many features, z = w0*x1 + ... is written with an ellipsis, not in full: its
# first SUM_HEAD_PRODUCTS products, the ellipsis, and the last (see written_products).
SYMBOLIC_SUM_MAX_FEATURES = 4
SUM_HEAD_PRODUCTS = 2
# The ellipsis as the screen writes it (the text exports write "...").
ELLIPSIS = "…"
# A mean of more terms than this is written as "the mean of the B terms", not as a sum.
MEAN_TERMS_WRITTEN = 8
# A TeX mean of more terms than this is (1/B)(t1 + ...), which may break across lines.
TEX_FRACTION_MAX_TERMS = 4


class Kind(Enum):
    """What an equation is, in the lecture's words."""

    Z = "z"  # z_k = w . x_k
    F = "f"  # f_k = sigma(z_k)
    LOSS = "loss"  # the row's binary cross-entropy
    RESIDUAL = "residual"  # f_k - y_k, from the logit
    BATCH_LOSS = "batch loss"  # the mean of the batch's losses
    TERM = "term"  # (f_k - y_k) x_jk, one sample's term of weight j's gradient
    MEAN = "mean"  # the mean of the terms: the data gradient of weight j
    L2 = "l2"  # the data gradient plus lambda w_j
    MOMENTUM = "momentum"  # v_j <- mu v_j + g_j
    UPDATE = "update"  # w_j <- w_j - lr g_j (or v_j)
    FLIPS = "flips"  # the rows of the data whose predicted class (z >= 0) the step changes


# ---------------------------------------------------------------------------- tokens


# The tokens are NamedTuples, not dataclasses: as cheap to build, and a dataclass costs the
# app's first frame its class creation (~0.3 ms each).
class Sym(NamedTuple):
    """A symbol: a letter with an optional index (w0, x1, z3) or a named one (sigma, lr)."""

    name: str
    subscript: int | None = None


class Num(NamedTuple):
    """A number and how it is written; an operand is parenthesized when it reads as one."""

    value: float
    form: Literal["value", "data", "prob"] = "value"
    operand: bool = False
    gap: float | None = None  # for a probability: 1 - f from the logit

    @property
    def text(self) -> str:
        if self.form == "data":
            return fmt_data(self.value)
        if self.form == "prob":
            return fmt_prob(self.value, self.gap)
        return fmt(self.value)


class OpForm(NamedTuple):
    """An operator's ASCII text, screen and TeX forms, and whether it is spaced (text; TeX)."""

    forms: tuple[str, str, str]
    spaced_text: bool = True
    spaced_tex: bool = True


class Op(Enum):
    """An operator or bracket."""

    EQ = OpForm(("=", "=", "="))
    ARROW = OpForm(("<-", "<-", r"\leftarrow"))
    PLUS = OpForm(("+", "+", "+"))
    MINUS = OpForm(("-", "-", "-"))
    TIMES = OpForm(("*", "*", r"\cdot"))
    PRODUCT = OpForm(("*", "*", r"\,"), False, False)  # two symbols side by side: w0*x1
    SCALED = OpForm(("*", "*", r"\,"), True, False)  # a symbol times a symbol: lr * g0
    OVER = OpForm(("/", "/", "/"))
    OPEN = OpForm(("(", "(", "("), False, False)
    CLOSE = OpForm((")", ")", ")"), False, False)


class Words(NamedTuple):
    """Prose inside an equation ("the mean of the 32 terms"), with its TeX if not \\text and
    its screen form if not the text."""

    text: str
    tex: str | None = None
    screen: str | None = None


class Mean(NamedTuple):
    """(t1 + t2 + ...) / B written out: a piece that a notation may lay out its own way."""

    terms: tuple[Num, ...]


Token = Sym | Num | Op | Words
Piece = tuple[Token, ...] | Mean


@dataclass(frozen=True)
class Equation:
    """lhs, then pieces; `value` is what it computes (the number in its last piece)."""

    kind: Kind
    lhs: tuple[Token, ...]
    pieces: tuple[Piece, ...]
    value: float
    row: int | None = None  # the data row it is about (0-based), for row and term equations
    weight: int | None = None  # the weight j it is about
    largest: bool = False  # the largest term (in size) of its weight's gradient


# ---------------------------------------------------------------------------- notations

_TEX_COMMAND = re.compile(r"\\[A-Za-z]+")
_TEX_MARKUP = re.compile(r"[{}^_&]")


@dataclass(frozen=True)
class Notation:
    """How tokens are written: 0 plain ASCII text, 1 Unicode for the screen, 2 TeX math."""

    column: int
    names: dict[str, str]

    @property
    def tex(self) -> bool:
        return self.column == 2

    def symbol(self, sym: Sym) -> str:
        if sym.name == "partial":  # dL/dw_j
            if self.tex:
                return rf"\partial L / \partial w_{{{sym.subscript}}}"
            return f"{self.names['partial']}{sym.subscript}"
        name = self.names.get(sym.name, sym.name)
        if sym.subscript is None:
            return name
        return f"{name}_{{{sym.subscript}}}" if self.tex else f"{name}{sym.subscript}"

    def number(self, num: Num) -> str:
        text = num.text
        if self.column == 0:
            text = text.replace("≈", "~")
        shown = to_tex(text) if self.tex else text
        return f"({shown})" if num.operand and (text.startswith("-") or " " in text) else shown

    def tokens(self, tokens: Sequence[Token]) -> str:
        # A screen writes a few hundred tokens a step: operators and symbols are looked up,
        # written once per notation, not formatted again.
        ops = _written_ops(self)
        symbols = _SYMBOLS.setdefault(self.column, {})
        out: list[str] = []
        for token in tokens:
            if isinstance(token, Op):
                out.append(ops[token])
            elif isinstance(token, Num):
                out.append(self.number(token))
            elif isinstance(token, Sym):
                written = symbols.get(token)
                if written is None:
                    written = symbols[token] = self.symbol(token)
                out.append(written)
            elif self.tex:
                out.append(token.tex if token.tex is not None else rf"\text{{{token.text}}}")
            elif self.column == 1 and token.screen is not None:
                out.append(token.screen)
            else:
                out.append(token.text)
        return "".join(out).strip()

    def pieces(self, equation: Equation) -> list[str]:
        """The equation's pieces as strings (a Mean may become several)."""
        out: list[str] = []
        for piece in equation.pieces:
            if isinstance(piece, Mean):
                out.extend(self._mean(piece))
            else:
                out.append(self.tokens(piece))
        return out

    def _mean(self, mean: Mean) -> list[str]:
        terms = [self.number(Num(t.value, t.form)) for t in mean.terms]
        count = len(terms)
        if count == 1:
            return []  # the mean of one term is the term: "g0 = -210.0"
        # A written negative term becomes a subtraction: (-210.0 - 198.0) / 2.
        pieces = [terms[0]] + [f"- {t[1:]}" if t.startswith("-") else f"+ {t}" for t in terms[1:]]
        if not self.tex:
            return [f"= ({pieces[0]}", *pieces[1:-1], f"{pieces[-1]}) / {count}"]
        if count <= TEX_FRACTION_MAX_TERMS:
            return [rf"= \frac{{{' '.join(pieces)}}}{{{count}}}"]
        return [rf"= \frac{{1}}{{{count}}}\,({pieces[0]}", *pieces[1:-1], f"{pieces[-1]})"]

    def lhs(self, equation: Equation) -> str:
        return self.tokens(equation.lhs)

    def line(self, equation: Equation) -> str:
        """The whole equation on one line."""
        return " ".join([self.lhs(equation), *self.pieces(equation)])


_OPS: dict[int, dict[Op, str]] = {}
# The symbols each notation has written so far (w0, x1, z3: as many as rows and weights shown).
_SYMBOLS: dict[int, dict[Sym, str]] = {}


def _written_ops(note: Notation) -> dict[Op, str]:
    """Every operator as `note` writes it, spaces included (built once per notation)."""
    found = _OPS.get(note.column)
    if found is None:
        found = _OPS[note.column] = {}
        for op in Op:
            form: OpForm = op.value
            text = form.forms[note.column]
            spaced = form.spaced_tex if note.tex else form.spaced_text
            found[op] = f" {text} " if spaced else text
    return found


TEXT = Notation(
    0, {"sigma": "sigma", "lambda": "lambda", "mu": "mu", "lr": "lr", "partial": "dL/dw"}
)
SCREEN = Notation(1, {"sigma": "σ", "lambda": "λ", "mu": "μ", "lr": "lr", "partial": "∂L/∂w"})
TEX = Notation(
    2,
    {"sigma": r"\sigma", "lambda": r"\lambda", "mu": r"\mu", "lr": r"\eta", "loss": "L"},
)


def visible_length(tex: str) -> int:
    """Roughly how many characters a TeX math string shows (a command shows as one)."""
    return len(_TEX_MARKUP.sub("", _TEX_COMMAND.sub("x", tex)))


# ---------------------------------------------------------------------------- the derivation


def written_products(d: int) -> tuple[list[int], int]:
    """The features j whose products w_j * x_(j+1) a short z writes, and how many it leaves out.

    Every one up to SYMBOLIC_SUM_MAX_FEATURES features; beyond, the first SUM_HEAD_PRODUCTS
    and the last, the others behind an ellipsis: w0*x1 + w1*x2 + ... + w29*x30. The one rule
    for the symbolic sum (screen and exports) and for the numbers of a short z (the screen).
    """
    if d <= SYMBOLIC_SUM_MAX_FEATURES:
        return list(range(d)), 0
    return [*range(SUM_HEAD_PRODUCTS), d - 1], d - SUM_HEAD_PRODUCTS - 1


def _sum_pieces(
    products: list[tuple[Token, ...]], left_out: int, ellipsis: Words
) -> list[tuple[Token, ...]]:
    """products[0] + products[1] + ..., the ellipsis before the last one if any are left out."""
    if left_out:
        products = [*products[:-1], (ellipsis,), products[-1]]
    return [products[0], *((Op.PLUS, *p) for p in products[1:])]


def symbolic_z(d: int) -> list[tuple[Token, ...]]:
    """w0*x1 + w1*x2 + w2 as sum pieces (with an ellipsis for many features)."""
    shown, left_out = written_products(d)
    products: list[tuple[Token, ...]] = [(Sym("w", j), Op.PRODUCT, Sym("x", j + 1)) for j in shown]
    pieces = _sum_pieces(products, left_out, Words("...", r"\dots", ELLIPSIS))
    return [*pieces, (Op.PLUS, Sym("w", d))]


def left_out_words(left_out: int) -> Words:
    """The ellipsis of a short z's numbers: "... (99,997 more)"."""
    more = f"({left_out:,} more)"
    return Words(f"... {more}", rf"\dots\ \text{{{more}}}", f"{ELLIPSIS} {more}")


class Derivation:
    """The derivation of one step (step >= 1), built equation by equation when asked for.

    A batch may be all 100,000 rows of the data: nothing is built for a row or a term until a
    renderer asks for it, so a screen pays for the equations it shows. With `short_sums` (the
    screen), z's sum writes the numbers of the products `written_products` names, so a z of
    100,000 features costs a few products; the exports write every product.
    """

    def __init__(self, event: StepEvent, *, short_sums: bool = False) -> None:
        if event.step == 0:
            raise ValueError("step 0 has no derivation: no batch has run")
        self.event = event
        self.d = event.weights_before.size - 1
        self.short_sums = short_sums
        self._columns: dict[int, np.ndarray] = {}
        self._largest: dict[int, int | None] = {}

    def _terms(self, j: int) -> np.ndarray:
        """Weight j's per-sample terms, computed once per derivation (a screen shows a few
        weights of many: never all B x (d + 1) of them)."""
        column = self._columns.get(j)
        if column is None:
            column = self._columns[j] = self.event.terms_of(j)
        return column

    @property
    def batch_size(self) -> int:
        return self.event.batch_size

    @cached_property
    def gaps(self) -> np.ndarray:
        """1 - f of the batch's rows, from the logit: -(f - y) for a label 1, sigma(-z) else."""
        event = self.event
        return np.where(event.labels == 1.0, -event.residuals, maths.complement(event.z))

    def _k(self, i: int) -> int:
        """The lecture's number of the batch's i-th row (row k of the data, from 1)."""
        return int(self.event.rows[i]) + 1

    def prob(self, i: int, operand: bool = False) -> Num:
        return Num(float(self.event.f[i]), "prob", operand, float(self.gaps[i]))

    def residual_value(self, i: int, operand: bool = False) -> Num:
        """f - y: for a label 0 it is f itself (written as f is), for a label 1 it is -(1 - f)."""
        if self.event.labels[i] == 0.0:
            return Num(float(self.event.residuals[i]), "prob", operand, float(self.gaps[i]))
        return Num(float(self.event.residuals[i]), operand=operand)

    # ------------------------------------------------------------------ a batch row

    def z(self, i: int) -> Equation:
        event, d = self.event, self.d
        w, x = event.weights_before, event.inputs[i]
        shown, left_out = written_products(d) if self.short_sums else (list(range(d)), 0)
        products: list[tuple[Token, ...]] = [
            (Num(float(w[j]), operand=True), Op.TIMES, Num(float(x[j]), "data", True))
            for j in shown
        ]
        numeric = [
            *_sum_pieces(products, left_out, left_out_words(left_out)),
            (Op.PLUS, Num(float(w[d]), operand=True)),
        ]
        symbolic = symbolic_z(d)
        return Equation(
            Kind.Z,
            (Sym("z", self._k(i)),),
            (
                (Op.EQ, *symbolic[0]),
                *symbolic[1:],
                (Op.EQ, *numeric[0]),
                *numeric[1:],
                (Op.EQ, Num(float(event.z[i]))),
            ),
            float(event.z[i]),
            row=int(event.rows[i]),
        )

    def f(self, i: int) -> Equation:
        k = self._k(i)
        call = (Sym("sigma"), Op.OPEN, Sym("z", k), Op.CLOSE)
        return Equation(
            Kind.F,
            (Sym("f", k),),
            ((Op.EQ, *call), (Op.EQ, self.prob(i))),
            float(self.event.f[i]),
            row=int(self.event.rows[i]),
        )

    def loss(self, i: int) -> Equation:
        """-log f for a label 1, -log(1 - f) for a label 0 (computed from z, never from f)."""
        k = self._k(i)
        event = self.event
        if event.labels[i] == 1.0:
            form: tuple[Token, ...] = (Op.EQ, Words("-log ", r"-\log "), Sym("f", k))
        else:
            form = (Op.EQ, Words("-log(1 - ", r"-\log(1 - "), Sym("f", k), Op.CLOSE)
        value = float(event.sample_losses[i])
        return Equation(
            Kind.LOSS,
            (Sym("loss", k),),
            (form, (Op.EQ, Num(value))),
            value,
            row=int(event.rows[i]),
        )

    def residual(self, i: int) -> Equation:
        k = self._k(i)
        event = self.event
        value = float(event.residuals[i])
        return Equation(
            Kind.RESIDUAL,
            (Sym("f", k), Op.MINUS, Sym("y", k)),
            (
                (Op.EQ, self.prob(i, operand=True), Op.MINUS, Num(float(event.labels[i]), "data")),
                (Op.EQ, self.residual_value(i)),
            ),
            value,
            row=int(event.rows[i]),
        )

    def row(self, i: int) -> list[Equation]:
        """The forward pass of the batch's i-th row: z, f, its loss, and f - y."""
        return [self.z(i), self.f(i), self.loss(i), self.residual(i)]

    def batch_loss(self) -> Equation:
        event = self.event
        value = float(event.batch_loss)
        mean: Piece
        if self.batch_size <= MEAN_TERMS_WRITTEN:
            mean = Mean(tuple(Num(float(v)) for v in event.sample_losses))
        else:
            mean = (Op.EQ, Words(f"the mean of the {self.batch_size} losses"))
        return Equation(Kind.BATCH_LOSS, (Words("batch loss"),), (mean, (Op.EQ, Num(value))), value)

    # ------------------------------------------------------------------ a weight

    def term(self, j: int, i: int) -> Equation:
        """(f_k - y_k) * x_jk = residual * x = term; x = 1 for the bias."""
        event, k = self.event, self._k(i)
        x_symbol: Token = Sym("x", j + 1) if j < self.d else Words("1", "1")
        x_value = float(event.inputs[i, j]) if j < self.d else 1.0
        value = float(self._terms(j)[i])
        # The bias's term is f - y itself (times 1): written as f - y is.
        result = self.residual_value(i) if j == self.d else Num(value)
        return Equation(
            Kind.TERM,
            (Op.OPEN, Sym("f", k), Op.MINUS, Sym("y", k), Op.CLOSE, Op.TIMES, x_symbol),
            (
                (
                    Op.EQ,
                    self.residual_value(i, operand=True),
                    Op.TIMES,
                    Num(x_value, "data", True),
                ),
                (Op.EQ, result),
            ),
            value,
            row=int(event.rows[i]),
            weight=j,
            largest=i == self.largest_term(j),
        )

    def largest_term(self, j: int) -> int | None:
        """The batch position of weight j's largest term in size (None for one, or all 0);
        found once per weight, not once per term written."""
        if self.batch_size < 2:
            return None
        if j not in self._largest:
            column = np.abs(self._terms(j))
            i = int(np.argmax(column))
            self._largest[j] = i if column[i] > 0 else None
        return self._largest[j]

    def listed_terms(self, j: int, limit: int | None = None) -> list[int]:
        """Batch positions of the terms to list, in batch order: all, or the `limit` largest."""
        if limit is None or self.batch_size <= limit:
            return list(range(self.batch_size))
        return largest_in_size(self._terms(j), limit)

    def mean(self, j: int) -> Equation:
        event = self.event
        with_l2 = bool(event.hyperparams.l2) and j < self.d
        lhs: Token = Sym("partial", j) if with_l2 else Sym("g", j)
        value = float(event.data_gradient[j])
        mean: Piece
        if self.batch_size <= MEAN_TERMS_WRITTEN:
            mean = Mean(tuple(Num(float(t)) for t in self._terms(j)))
        else:
            mean = (Op.EQ, Words(f"the mean of the {self.batch_size} terms"))
        return Equation(Kind.MEAN, (lhs,), (mean, (Op.EQ, Num(value))), value, weight=j)

    def l2(self, j: int) -> Equation | None:
        """g_j = dL/dw_j + lambda w_j, for every weight but the bias, when L2 is on."""
        event = self.event
        lam = event.hyperparams.l2
        if not lam or j == self.d:
            return None
        value = float(event.gradient[j])
        return Equation(
            Kind.L2,
            (Sym("g", j),),
            (
                (Op.EQ, Sym("partial", j), Op.PLUS, Sym("lambda"), Op.SCALED, Sym("w", j)),
                (
                    Op.EQ,
                    Num(float(event.data_gradient[j])),
                    Op.PLUS,
                    Num(lam, "data"),
                    Op.TIMES,
                    Num(float(event.weights_before[j]), operand=True),
                ),
                (Op.EQ, Num(value)),
            ),
            value,
            weight=j,
        )

    def momentum(self, j: int) -> Equation | None:
        """v_j <- mu v_j + g_j, when momentum is on."""
        event = self.event
        mu = event.hyperparams.momentum
        if not mu:
            return None
        value = float(event.velocity_after[j])
        return Equation(
            Kind.MOMENTUM,
            (Sym("v", j),),
            (
                (Op.ARROW, Sym("mu"), Op.SCALED, Sym("v", j), Op.PLUS, Sym("g", j)),
                (
                    Op.EQ,
                    Num(mu, "data"),
                    Op.TIMES,
                    Num(float(event.velocity_before[j]), operand=True),
                    Op.PLUS,
                    Num(float(event.gradient[j]), operand=True),
                ),
                (Op.EQ, Num(value)),
            ),
            value,
            weight=j,
        )

    def update(self, j: int) -> Equation:
        event = self.event
        direction = Sym("v", j) if event.hyperparams.momentum else Sym("g", j)
        value = float(event.weights_after[j])
        return Equation(
            Kind.UPDATE,
            (Sym("w", j),),
            (
                (Op.ARROW, Sym("w", j), Op.MINUS, Sym("lr"), Op.SCALED, direction),
                (
                    Op.EQ,
                    Num(float(event.weights_before[j])),
                    Op.MINUS,
                    Num(event.hyperparams.learning_rate, "data"),
                    Op.TIMES,
                    Num(float(event.velocity_after[j]), operand=True),
                ),
                (Op.EQ, Num(value)),
            ),
            value,
            weight=j,
        )

    # ------------------------------------------------------------------ after the update

    @cached_property
    def flipped_rows(self) -> rowsets.Runs:
        """The rows of the data whose predicted class the step changed, as runs."""
        event = self.event
        return rowsets.runs_of(maths.flipped(event.z_before_all, event.z_after_all))

    def flips(self) -> Equation:
        """'rows that flip = 1-4': the rows whose class the new weights change (of all the
        data, not only the batch's); its value is how many."""
        rows = self.flipped_rows
        return Equation(
            Kind.FLIPS,
            (Words("rows that flip"),),
            ((Op.EQ, Words(rowsets.written(rows))),),
            float(rowsets.count(rows)),
        )

    def weight(self, j: int, limit: int | None = None) -> Iterator[Equation]:
        """Weight j's block: its terms (all, or the `limit` largest), their mean, the L2 and
        momentum lines when on, and the update."""
        for i in self.listed_terms(j, limit):
            yield self.term(j, i)
        yield self.mean(j)
        for extra in (self.l2(j), self.momentum(j)):
            if extra is not None:
                yield extra
        yield self.update(j)


# Past this many values, the largest few are looked for in the chunks of this many whose own
# largest are the largest: np.partition of 100,000 values took 0.7 ms, twice a key on wide data.
CHUNKED_FROM, CHUNK = 8_192, 1_024


def largest_in_size(values: np.ndarray, count: int) -> list[int]:
    """Positions of the `count` values largest in size, in order of position; of equal sizes
    the first ones. O(n), not a sort: the values may be a batch of all the rows, or the
    gradients of 100,000 weights."""
    sizes = np.abs(values)
    if count >= sizes.size:
        return list(range(sizes.size))
    if count <= 0:
        return []
    if sizes.size >= CHUNKED_FROM and count * CHUNK * 4 <= sizes.size:
        return _largest_by_chunks(sizes, count)
    return _largest(sizes, count)


def _largest(sizes: np.ndarray, count: int) -> list[int]:
    threshold = np.partition(sizes, sizes.size - count)[sizes.size - count]
    above = np.flatnonzero(sizes > threshold)
    tied = np.flatnonzero(sizes == threshold)[: count - above.size]
    return sorted([*above.tolist(), *tied.tolist()])


def _largest_by_chunks(sizes: np.ndarray, count: int) -> list[int]:
    """The same positions as `_largest`, from the chunks whose largest size is at least the
    count-th largest chunk's: those `count` chunk maxima are values of the data, so the
    count-th largest value t is at least theirs, and every value >= t (ties included) lies in
    a chunk kept. A NaN (not comparable) takes the plain way."""
    whole = sizes.size // CHUNK * CHUNK
    maxima = sizes[:whole].reshape(-1, CHUNK).max(axis=1)
    if not np.isfinite(maxima).all() or not np.isfinite(sizes[whole:]).all():
        return _largest(sizes, count)
    floor = np.partition(maxima, maxima.size - count)[maxima.size - count]
    chunks = np.flatnonzero(maxima >= floor)
    positions = (chunks[:, None] * CHUNK + np.arange(CHUNK)).ravel()
    positions = np.concatenate([positions, np.arange(whole, sizes.size)])  # the last, short one
    return [int(positions[i]) for i in _largest(sizes[positions], count)]


def prediction(z: float, f: float) -> Num:
    """A row's prediction f = sigma(z), written from z (so 1 - 5.6e-77 is not "≈1")."""
    gap = float(maths.complement(np.array([z]))[0])
    return Num(f, "prob", gap=gap)
