"""core/quiz.py: which numbers a step asks (the derivation's own), how answers are checked, kept."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logsgd.core.builtin_datasets import load_builtin
from logsgd.core.derivation import SCREEN, Derivation, Kind
from logsgd.core.engine import Engine
from logsgd.core.quiz import (
    DEFAULT_ASKED,
    Asked,
    Quiz,
    blank,
    blanked,
    check_answer,
    questions,
    read_asked,
)


def seed_step(step: int) -> Derivation:
    engine = Engine(load_builtin("seed"))
    engine.walk([1] * step)
    return Derivation(engine.current())


def test_the_default_asks_each_weights_mean_gradient_and_new_value_in_the_lectures_order() -> None:
    derivation = seed_step(1)
    asked = questions(derivation, DEFAULT_ASKED)
    assert [q.name for q in asked] == ["g0", "new w0", "g1", "new w1", "g2", "new w2"]
    # The derivation's own numbers: the engine's float64, not a second formula.
    event = derivation.event
    assert [q.value for q in asked[::2]] == event.data_gradient.tolist()
    assert [q.value for q in asked[1::2]] == event.weights_after.tolist()
    assert asked[0].value == pytest.approx(58.750030)
    assert asked[1].value == pytest.approx(-0.58750029)


def test_f_and_terms_can_be_asked_too() -> None:
    asked = questions(seed_step(1), {Asked.F, Asked.TERMS})
    assert [q.name for q in asked][:4] == ["f1", "f2", "(f1 - y1) * x1", "(f2 - y2) * x1"]
    assert asked[0].value == pytest.approx(0.50000027)


def test_read_asked_reads_the_command_lines_words_and_names_a_wrong_one() -> None:
    assert read_asked("mean, weights") == DEFAULT_ASKED
    assert read_asked("f,terms") == {Asked.F, Asked.TERMS}
    with pytest.raises(ValueError, match="got 'mean,flips'"):
        read_asked("mean,flips")
    with pytest.raises(ValueError):
        read_asked(" , ")


def test_a_hidden_mean_blanks_its_result_and_the_updates_numbers_that_would_tell_it() -> None:
    derivation = seed_step(1)
    asked = questions(derivation, DEFAULT_ASKED)
    hidden = frozenset(q.key for q in asked)
    drawn = [SCREEN.line(blanked(eq, blank(eq, hidden))) for eq in derivation.weight(0)]
    assert drawn == [
        "(f1 - y1) * x1 = 0.5000003 * 121 = 60.50",
        "(f2 - y2) * x1 = 0.5000002 * 114 = 57.00",
        "g0 = (60.50 + 57.00) / 2 = ?",
        "w0 <- w0 - lr * g0 = ?",
    ]
    # g0 answered: the update shows its numbers, its result still "?".
    update = derivation.update(0)
    assert SCREEN.line(blanked(update, blank(update, hidden - {asked[0].key}))) == (
        "w0 <- w0 - lr * g0 = 1.000e-08 - 0.01 * 58.75 = ?"
    )
    assert math.isnan(blanked(update, "result").value)  # no colour by sign for a "?"


def test_a_hidden_f_blanks_what_is_computed_from_it() -> None:
    derivation = seed_step(1)
    hidden = frozenset(q.key for q in questions(derivation, {Asked.F}))
    for equation in derivation.row(0):
        how = blank(equation, hidden)
        assert how == {Kind.Z: "", Kind.F: "result"}.get(equation.kind, "numbers")
    assert blank(derivation.term(0, 0), hidden) == "numbers"
    assert blank(derivation.mean(0), hidden) == "numbers"


@pytest.mark.parametrize(
    ("typed", "true_value", "outcome"),
    [
        ("58.8", 58.750030, "right"),  # 3 significant digits
        ("58.75", 58.750030, "right"),
        ("58.7", 58.750030, "wrong"),
        ("59", 58.750030, "wrong"),
        ("-58.8", 58.750030, "wrong"),  # the sign
        ("-204", -204.0, "right"),
        ("-240", -204.0, "wrong"),
        ("  -204.0  ", -204.0, "right"),
        ("-0.588", -0.58750029, "right"),
        ("-5.88e-1", -0.58750029, "right"),  # scientific notation
        ("-5.875E-01", -0.58750029, "right"),
        # The seed lecture's tiny values: right by their digits, never by being near 0.
        ("4.394e-32", 4.3937656749e-32, "right"),
        ("4.39e-32", 4.3937656749e-32, "right"),
        ("4.4e-32", 4.3937656749e-32, "wrong"),
        ("0", 4.3937656749e-32, "wrong"),
        ("-1.799e-25", -1.799e-25, "right"),
        ("-1.8e-25", -1.799e-25, "right"),
        ("1.799e-25", -1.799e-25, "wrong"),
        ("-3.8e-23", -3.778e-23, "wrong"),
        ("-3.78e-23", -3.778e-23, "right"),
        ("0", 0.0, "right"),
        ("0.001", 0.0, "wrong"),
    ],
)
def test_check_answer_wants_the_sign_and_three_significant_digits(
    typed: str, true_value: float, outcome: str
) -> None:
    assert check_answer(typed, true_value).outcome == outcome


def test_the_tolerance_can_be_set() -> None:
    assert check_answer("59", 58.750030, sig_digits=2).outcome == "right"
    assert check_answer("58.8", 58.750030, sig_digits=4).outcome == "wrong"
    assert check_answer("58.75", 58.750030, sig_digits=4).outcome == "right"
    with pytest.raises(ValueError, match="significant digits"):
        Quiz(sig_digits=0)


def test_the_messages_say_correct_or_what_the_answer_was() -> None:
    assert check_answer("-204", -204.0).message == "correct: -204.0"
    assert check_answer("-240", -204.0).message == "the answer was -204.0 (you wrote -240)"


@pytest.mark.parametrize(
    "typed", ["", "   ", "abc", "1,5", "１２", "0x10", "1_0", "[b]1[/b]", "\x1b[31m1", "1 2"]
)
def test_what_is_not_a_plain_number_is_not_a_number(typed: str) -> None:
    verdict = check_answer(typed, 1.0)
    assert verdict.outcome == "not a number"
    assert verdict.message.startswith("not a number")
    assert "\n" not in verdict.message and "\x1b" not in verdict.message


def test_a_paste_of_10_to_the_5_characters_is_one_short_line() -> None:
    for text in ("x" * 100_000, "1" * 50_000 + "x" * 50_000):
        verdict = check_answer(text, 1.0)
        assert verdict.outcome == "not a number"
        assert len(verdict.message) < 150 and "100000 characters" in verdict.message
    verdict = check_answer("1" * 100_000, -204.0)  # a number, absurdly long: quoted short
    assert verdict.outcome == "wrong" and len(verdict.message) < 150


@given(st.text(), st.floats(allow_nan=True, allow_infinity=True), st.integers(1, 15))
def test_check_answer_never_raises(text: str, true_value: float, digits: int) -> None:
    verdict = check_answer(text, true_value, digits)
    assert verdict.outcome in ("right", "wrong", "not a number")
    assert "\n" not in verdict.message


def test_answers_are_kept_per_step_and_scored() -> None:
    derivation = seed_step(1)
    asked = questions(derivation, DEFAULT_ASKED)
    quiz = Quiz()
    quiz, verdict = quiz.answered(1, asked[0], "58.8")
    assert verdict.outcome == "right"
    quiz, verdict = quiz.answered(1, asked[1], "abc")  # not a number: still open
    assert verdict.outcome == "not a number"
    quiz, _ = quiz.answered(1, asked[1], "-0.6")
    quiz = quiz.revealed(1, asked[2:3])
    assert [q.name for q in quiz.open_questions(1, asked)] == ["new w1", "g2", "new w2"]
    assert quiz.answer(1, asked[0]) is not None and quiz.answer(2, asked[0]) is None
    assert quiz.score() == "score 1 of 2 right · 1 revealed"
    assert quiz.last == "revealed: g1"


def test_an_answer_counts_only_while_the_step_computes_the_same_number() -> None:
    step1 = questions(seed_step(1), DEFAULT_ASKED)
    step2 = questions(seed_step(2), DEFAULT_ASKED)
    quiz, _ = Quiz().answered(1, step1[0], "58.8")
    assert quiz.answer(1, step2[0]) is None  # a rerun step 1 with other numbers: open again
