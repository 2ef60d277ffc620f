"""The quiz: which numbers of a step's derivation are asked, how an answer is checked, the answers.

Predict, then reveal. A step in quiz mode shows its inputs (the batch rows, the weights before)
and blanks the asked quantities; the student types each one and it is checked against the
derivation's own number (`Equation.value`, the engine's float64), never a second formula.

An answer is right when it has the true value's sign and agrees with it to `sig_digits`
significant digits: it rounds to the same digits, or lies within half a unit of the last of
them (58.8 and 58.75 are both right for 58.750030 at 3 digits; 58.7 is not).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Literal, NamedTuple

from . import rowsets
from .derivation import (
    SCREEN,
    Derivation,
    Equation,
    Kind,
    Mean,
    Num,
    Op,
    Piece,
    Words,
)
from .formatting import fmt
from .text import QUOTE_LIMIT, quoted, read_number, read_whole, visible

DEFAULT_SIG_DIGITS = 3
# Fewer digits than this say nothing; more than float64 holds cannot be checked.
MIN_SIG_DIGITS, MAX_SIG_DIGITS = 1, 15
# At most this many of a weight's terms are asked: the ones the gradient panel lists.
TERMS_ASKED = 8


class Asked(Enum):
    """What the quiz can ask, by the lecture's names (the value is the command line's word)."""

    F = "f"  # f = sigma(z) of each batch row
    TERMS = "terms"  # the per-sample terms (f_k - y_k) x_jk
    MEAN = "mean"  # the mean gradient g_j
    WEIGHTS = "weights"  # the new weights w_j <- w_j - lr g_j
    FLIPS = "flips"  # which rows of the data the new weights flip to the other class


KIND_OF_ASKED = {
    Asked.F: Kind.F,
    Asked.TERMS: Kind.TERM,
    Asked.MEAN: Kind.MEAN,
    Asked.WEIGHTS: Kind.UPDATE,
    Asked.FLIPS: Kind.FLIPS,
}
DEFAULT_ASKED = frozenset({Asked.MEAN, Asked.WEIGHTS})


def read_asked(text: str) -> frozenset[Asked]:
    """'mean,weights' -> the set; ValueError naming the word that is not one."""
    words = [word.strip() for word in text.split(",") if word.strip()]
    known = {a.value: a for a in Asked}
    unknown = [word for word in words if word not in known]
    if unknown or not words:
        raise ValueError(
            f"expected some of {', '.join(known)} (comma-separated), got {quoted(text)}"
        )
    return frozenset(known[word] for word in words)


# ---------------------------------------------------------------------------- questions


class Key(NamedTuple):
    """Which number of a step a question is about: its kind, the data row and the weight."""

    kind: Kind
    row: int | None
    weight: int | None


def key_of(equation: Equation) -> Key:
    return Key(equation.kind, equation.row, equation.weight)


RowSet = rowsets.Runs  # rows of the data, as runs


@dataclass(frozen=True)
class Question:
    """One asked number: the equation it is the result of (its value is the answer); or, for
    "which rows flip", the rows (its equation writes them, and its value counts them)."""

    equation: Equation
    rows: RowSet | None = None  # the rows that flip: the answer of a question about rows
    n_rows: int = 0  # the data's rows, which an answer about rows may name

    @property
    def key(self) -> Key:
        return key_of(self.equation)

    @property
    def value(self) -> float | RowSet:
        return self.equation.value if self.rows is None else self.rows

    @property
    def name(self) -> str:
        """How the screen names it: g0, w0 (new), f1, (f1 - y1) * x1, rows that flip."""
        name = SCREEN.lhs(self.equation)
        return f"new {name}" if self.equation.kind is Kind.UPDATE else name


def questions(
    derivation: Derivation,
    asked: Iterable[Asked],
    weights: Sequence[int] | None = None,
    terms_limit: int = TERMS_ASKED,
) -> list[Question]:
    """The step's questions in the order of the hand calculation: f of each batch row, then
    weight by weight its terms, mean and update, then which rows flip. `weights`: the weights
    asked about (those the screen shows; all by default); of a large batch, f of its first
    `terms_limit` rows and the `terms_limit` largest terms (those the gradient panel lists)."""
    kinds = {KIND_OF_ASKED[a] for a in asked}
    found: list[Question] = []
    if Kind.F in kinds:
        rows = min(derivation.batch_size, terms_limit)
        found += [Question(derivation.f(i)) for i in range(rows)]
    for j in range(derivation.d + 1) if weights is None else weights:
        if Kind.TERM in kinds:
            listed = derivation.listed_terms(j, terms_limit)
            found += [Question(derivation.term(j, i)) for i in listed]
        if Kind.MEAN in kinds:
            found.append(Question(derivation.mean(j)))
        if Kind.UPDATE in kinds:
            found.append(Question(derivation.update(j)))
    if Kind.FLIPS in kinds:  # last: the new weights decide it
        n_rows = int(derivation.event.z_after_all.size)
        found.append(Question(derivation.flips(), derivation.flipped_rows, n_rows))
    return found


# What each kind of equation is computed from, among the kinds that can be hidden: while one
# of those is hidden, its numbers are not written either (the update's 58.75 is g0).
_FROM_ROW = {Kind.LOSS, Kind.RESIDUAL, Kind.TERM}


def blank(equation: Equation, hidden: frozenset[Key]) -> Literal["", "result", "numbers"]:
    """How an equation is drawn while the keys in `hidden` are hidden: "" in full, "result"
    with its result as "?", "numbers" as its symbols only (a number in it would tell a hidden
    one). What follows a hidden number in the calculation is hidden with it."""
    if not hidden:
        return ""
    kind = equation.kind
    rows = {key.row for key in hidden if key.kind is Kind.F}
    terms = {key.weight for key in hidden if key.kind is Kind.TERM}
    means = {key.weight for key in hidden if key.kind is Kind.MEAN}
    j = equation.weight
    weight_hidden = j in means or j in terms or bool(rows)
    upstream = (
        (kind in _FROM_ROW and equation.row in rows)
        or (kind in (Kind.MEAN, Kind.BATCH_LOSS) and bool(rows))
        or (kind is Kind.MEAN and j in terms)
        or (kind in (Kind.L2, Kind.MOMENTUM, Kind.UPDATE) and weight_hidden)
    )
    if upstream:
        return "numbers"
    return "result" if key_of(equation) in hidden else ""


def blanked(equation: Equation, how: Literal["", "result", "numbers"]) -> Equation:
    """The equation with "?" for its result ("result"), or for everything after its symbols
    ("numbers"); its value NaN, so nothing drawn from it (a colour by sign) tells the number."""
    if not how:
        return equation
    pieces = (
        equation.pieces[:-1]
        if how == "result"
        else tuple(piece for piece in equation.pieces if not _has_number(piece))
    )
    last = equation.pieces[-1]
    relation = last[0] if isinstance(last, tuple) and isinstance(last[0], Op) else Op.EQ
    question: Piece = (relation, Words("?"))
    return replace(equation, pieces=(*pieces, question), value=math.nan, largest=False)


def _has_number(piece: Piece) -> bool:
    return isinstance(piece, Mean) or any(isinstance(token, Num) for token in piece)


# ---------------------------------------------------------------------------- checking


class Verdict(NamedTuple):
    """An answer checked: "right", "wrong" or "not a number", and the one line that says so."""

    outcome: Literal["right", "wrong", "not a number"]
    message: str


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


def agrees(typed: float, true_value: float, sig_digits: int) -> bool:
    """Same sign, and the same to `sig_digits` significant digits (see the module docstring)."""
    if not math.isfinite(true_value):
        return typed == true_value or (math.isnan(typed) and math.isnan(true_value))
    if not math.isfinite(typed) or _sign(typed) != _sign(true_value):
        return False
    if true_value == 0:
        return typed == 0
    digits = sig_digits - 1
    if f"{typed:.{digits}e}" == f"{true_value:.{digits}e}":
        return True
    unit = 10.0 ** (math.floor(math.log10(abs(true_value))) - digits)
    return abs(typed - true_value) <= unit / 2


def check_answer(text: str, true_value: float, sig_digits: int = DEFAULT_SIG_DIGITS) -> Verdict:
    """The student's typed text against the true value. Never raises: any text at all (empty,
    garbage, 10^5 characters) that is not a plain number is "not a number"."""
    typed = read_number(text)
    if typed is None:
        shown = f": {visible(quoted(text))}" if text.strip() else ""
        return Verdict("not a number", f"not a number{shown} (type e.g. -204 or -3.8e-23)")
    if agrees(typed, true_value, sig_digits):
        return Verdict("right", f"correct: {fmt(true_value)}")
    return Verdict("wrong", f"the answer was {fmt(true_value)} (you wrote {written(text)})")


# "1 3 4", "1, 3-5", "2..4": row numbers and ranges, split by commas, semicolons or spaces.
_RANGE_DASH = re.compile(r"\s*(?:-|–|\.\.)\s*")
_ROW_SPLIT = re.compile(r"[\s,;]+")
_NOT_ROWS = "type row numbers from 1, e.g. 1 3 4 or 2-5, or none"


def read_rows(text: str, n_rows: int) -> RowSet | str:
    """The rows a student typed (counted from 1: '1 3 4', '1, 3-5', 'none', 'all'), as runs;
    or, when it is not a list of this data's rows, what is wrong with it."""
    words = [w for w in _ROW_SPLIT.split(_RANGE_DASH.sub("-", text.strip().lower())) if w]
    if words in (["none"], ["no"], ["nothing"]):
        return ()
    if words == ["all"]:
        return ((0, n_rows),) if n_rows else ()
    if not words:
        return f"not a list of rows ({_NOT_ROWS})"
    ranges: list[tuple[int, int]] = []
    for word in words:
        read = _read_range(word, n_rows)
        if read is None:
            return f"not a list of rows: {visible(quoted(text))} ({_NOT_ROWS})"
        if isinstance(read, str):
            return read
        ranges.append(read)
    return rowsets.runs_from(ranges)


def _read_range(word: str, n_rows: int) -> tuple[int, int] | str | None:
    """'3' or '2-5' as (start, stop), 0-based and half-open; what is wrong with a row number
    out of the data or a range backwards; None when the word is not one of them."""
    ends = word.split("-") if word.count("-") == 1 and not word.startswith("-") else [word]
    if not all(end.isdigit() and end.isascii() for end in ends):
        return None
    numbers = [read_whole(end) for end in ends]
    if any(number is None for number in numbers):
        return None
    first, last = numbers[0] or 0, numbers[-1] or 0
    for row in (first, last):
        if not 1 <= row <= n_rows:
            return f"row {row} is not in the data (rows 1 to {n_rows:,})"
    if first > last:
        return f"the range {word} runs backwards (write {last}-{first})"
    return first - 1, last


def check_rows(text: str, true_rows: RowSet, n_rows: int) -> Verdict:
    """The typed rows against the rows that flip: right only when they are the same rows. Never
    raises: text that is not a list of rows is refused in one line ("not a number" outcome)."""
    typed = read_rows(text, n_rows)
    if isinstance(typed, str):
        return Verdict("not a number", typed)
    if typed == true_rows:
        return Verdict("right", f"correct: {_rows_said(true_rows)}")
    missed = rowsets.minus(true_rows, typed)
    extra = rowsets.minus(typed, true_rows)
    details = [f"missed {rowsets.written(missed)}"] if missed else []
    details += [f"{rowsets.written(extra)} did not flip"] if extra else []
    return Verdict(
        "wrong",
        f"the answer was {rowsets.written(true_rows)} (you wrote {written(text)}:"
        f" {'; '.join(details)})",
    )


def _rows_said(rows: RowSet) -> str:
    """'rows 1-4 flip', 'row 3 flips', 'no row flips'."""
    if not rows:
        return "no row flips"
    if rowsets.count(rows) == 1:
        return f"row {rowsets.written(rows)} flips"
    return f"rows {rowsets.written(rows)} flip"


def too_long(text: str, limit: int, rows: bool = False) -> Verdict:
    """A paste longer than the answer line takes: not a number (or not a list of rows, for a
    question about rows), whatever it holds."""
    if rows:
        return Verdict(
            "not a number",
            f"not a list of rows: {visible(quoted(text))} (an answer is at most {limit:,}"
            " characters)",
        )
    return Verdict(
        "not a number",
        f"not a number: {visible(quoted(text))} (an answer is one number, at most {limit}"
        " characters)",
    )


def written(text: str) -> str:
    """What the student typed, as a message quotes it: stripped, and cut when long (a number
    may be 10^5 digits long)."""
    stripped = visible(text.strip())
    if len(stripped) <= QUOTE_LIMIT:
        return stripped
    return f"{stripped[:QUOTE_LIMIT]}… ({len(stripped):,} characters)"


# ---------------------------------------------------------------------------- answers


class Answer(NamedTuple):
    """What became of one question: answered right or wrong (with the text), or revealed."""

    outcome: Literal["right", "wrong", "revealed"]
    text: str
    value: float | RowSet  # the true value (or rows) it was checked against


AnswerKey = tuple[int, Key]  # (step, the number's key)


@dataclass(frozen=True)
class Quiz:
    """The quiz's settings and every answer given, per step; replaced, never changed.

    An answer counts for a step only while the step still computes the number it was checked
    against: after a change of settings drops and reruns a step, its questions are open again.
    """

    asked: frozenset[Asked] = DEFAULT_ASKED
    sig_digits: int = DEFAULT_SIG_DIGITS
    answers: Mapping[AnswerKey, Answer] = field(default_factory=dict)
    last: str = ""  # what the last answer was told ("correct: 58.75")
    last_outcome: str = ""

    def __post_init__(self) -> None:
        if not MIN_SIG_DIGITS <= self.sig_digits <= MAX_SIG_DIGITS:
            raise ValueError(
                f"significant digits must be {MIN_SIG_DIGITS} to {MAX_SIG_DIGITS},"
                f" got {self.sig_digits}"
            )

    def answer(self, step: int, question: Question) -> Answer | None:
        found = self.answers.get((step, question.key))
        return found if found is not None and _same(found.value, question.value) else None

    def open_questions(self, step: int, asked: Sequence[Question]) -> list[Question]:
        return [q for q in asked if self.answer(step, q) is None]

    def hidden(self, step: int, asked: Sequence[Question]) -> frozenset[Key]:
        return frozenset(q.key for q in self.open_questions(step, asked))

    def answered(self, step: int, question: Question, text: str) -> tuple[Quiz, Verdict]:
        """The quiz after `text` was typed for the question (unchanged for not a number)."""
        if question.rows is not None:
            verdict = check_rows(text, question.rows, question.n_rows)
        else:
            verdict = check_answer(text, question.equation.value, self.sig_digits)
        if verdict.outcome == "not a number":
            return self.told(verdict), verdict
        answer = Answer(verdict.outcome, written(text), question.value)
        message = f"{question.name}: {verdict.message}"
        return self._with({(step, question.key): answer}, message, verdict.outcome), verdict

    def told(self, verdict: Verdict) -> Quiz:
        """The quiz having said `verdict` (an answer refused: nothing recorded)."""
        return replace(self, last=verdict.message, last_outcome=verdict.outcome)

    def revealed(self, step: int, shown: Iterable[Question]) -> Quiz:
        new = {(step, q.key): Answer("revealed", "", q.value) for q in shown}
        if not new:
            return self
        names = ", ".join(q.name for q in shown)
        return self._with(new, f"revealed: {names}", "revealed")

    def _with(self, new: Mapping[AnswerKey, Answer], last: str, outcome: str) -> Quiz:
        return replace(self, answers={**self.answers, **new}, last=last, last_outcome=outcome)

    def score(self) -> str:
        """'score 2 of 3 right · 1 revealed'."""
        counts = {"right": 0, "wrong": 0, "revealed": 0}
        for answer in self.answers.values():
            counts[answer.outcome] += 1
        answered = counts["right"] + counts["wrong"]
        text = f"score {counts['right']} of {answered} right"
        return text + (f" · {counts['revealed']} revealed" if counts["revealed"] else "")

    def answers_of(self, step: int) -> Iterator[tuple[Key, Answer]]:
        for (at, key), answer in self.answers.items():
            if at == step:
                yield key, answer


def _same(a: float | RowSet, b: float | RowSet) -> bool:
    if isinstance(a, tuple) or isinstance(b, tuple):
        return a == b
    return a == b or (math.isnan(a) and math.isnan(b))
