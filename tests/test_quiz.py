"""core/quiz.py: which numbers a step asks (the derivation's own), how answers are checked, kept."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from logsgd.core import rowsets
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
    check_rows,
    questions,
    read_asked,
    read_rows,
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
    assert read_asked("weights,flips") == {Asked.WEIGHTS, Asked.FLIPS}
    with pytest.raises(ValueError, match="got 'mean,swaps'"):
        read_asked("mean,swaps")
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


# ---------------------------------------------------------------------------- which rows flip


def test_which_rows_flip_is_asked_last_with_the_rows_whose_class_the_new_weights_change() -> None:
    asked = questions(seed_step(1), {Asked.FLIPS, Asked.MEAN})
    assert [q.name for q in asked] == ["g0", "g1", "g2", "rows that flip"]
    flips = asked[-1]
    # The lecture: step 1 sends all four outputs towards 0 (rows 3 and 4 with them), step 2
    # all four to 1; from step 3 the swing keeps each side (checked independently of the
    # engine's own flags: the sign of x.w before and after, from the recorded weights).
    engine = Engine(load_builtin("seed"))
    engine.run_steps(6)
    history = engine.weight_history()
    x = engine.data.inputs
    for step in range(1, 7):
        engine.jump(step)
        before = x @ history[step - 1][:-1] + history[step - 1][-1] >= 0
        after = x @ history[step][:-1] + history[step][-1] >= 0
        expected = [int(i) for i in np.flatnonzero(before != after)]
        question = questions(Derivation(engine.current()), {Asked.FLIPS})[0]
        assert question.rows is not None and question.value == question.rows
        assert [i for start, stop in question.rows for i in range(start, stop)] == expected
        assert question.equation.value == len(expected)
    assert flips.rows == ((0, 4),) and flips.n_rows == 4
    assert SCREEN.line(flips.equation) == "rows that flip = 1-4"
    assert (
        SCREEN.line(questions(seed_step(3), {Asked.FLIPS})[0].equation) == "rows that flip = none"
    )


@pytest.mark.parametrize(
    ("text", "rows"),
    [
        ("1 2 3 4", ((0, 4),)),
        ("1,2, 3;4", ((0, 4),)),
        ("1-4", ((0, 4),)),
        ("1 - 2, 4", ((0, 2), (3, 4))),
        ("2..3", ((1, 3),)),
        ("2–3", ((1, 3),)),  # an en dash, as a word processor writes a range
        ("4 1 1", ((0, 1), (3, 4))),
        ("1-3 2-4", ((0, 4),)),
        ("none", ()),
        (" None ", ()),
        ("all", ((0, 4),)),
    ],
)
def test_rows_are_read_as_the_panels_number_them(text: str, rows: rowsets.Runs) -> None:
    assert read_rows(text, 4) == rows


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "not a list of rows ("),
        ("x", "not a list of rows: 'x' (type row numbers from 1, e.g. 1 3 4 or 2-5, or none)"),
        ("5", "row 5 is not in the data (rows 1 to 4)"),
        ("0", "row 0 is not in the data (rows 1 to 4)"),
        ("-1", "not a list of rows: '-1'"),
        ("3-1", "the range 3-1 runs backwards (write 1-3)"),
        ("1-2-3", "not a list of rows: '1-2-3'"),
        ("1.5", "not a list of rows: '1.5'"),
        ("１", "not a list of rows: '１'"),  # full-width digits are not read as 1
        ("1 none", "not a list of rows: '1 none'"),
        ("9" * 5000, "not a list of rows: '9999"),
        ("[b]1[/b]", "not a list of rows: '[b]1[/b]'"),
        ("\x1b[31m1", "not a list of rows: '\\x1b[31m1'"),
    ],
    ids=lambda value: repr(value)[:24],
)
def test_what_is_not_a_list_of_rows_is_said_in_one_short_line(text: str, message: str) -> None:
    said = read_rows(text, 4)
    assert isinstance(said, str) and said.startswith(message)
    assert "\n" not in said and "\x1b" not in said and len(said) < 160


@given(st.text(max_size=300))
def test_read_rows_never_raises(text: str) -> None:
    said = read_rows(text, 150)
    assert isinstance(said, str) or (
        said == rowsets.runs_from(said) and all(0 <= a < b <= 150 for a, b in said)
    )


def test_an_answer_about_rows_is_right_only_when_it_names_the_same_rows() -> None:
    assert check_rows("1 2 3 4", ((0, 4),), 4) == ("right", "correct: rows 1-4 flip")
    assert check_rows("3", ((2, 3),), 4) == ("right", "correct: row 3 flips")
    assert check_rows("none", (), 4) == ("right", "correct: no row flips")
    assert check_rows("1 2", ((0, 4),), 4) == (
        "wrong",
        "the answer was 1-4 (you wrote 1 2: missed 3, 4)",
    )
    assert check_rows("1-4", (), 4) == (
        "wrong",
        "the answer was none (you wrote 1-4: 1-4 did not flip)",
    )
    both = check_rows("2 3", ((0, 2),), 4)
    assert both.message.endswith("(you wrote 2 3: missed 1; 3 did not flip)")
    assert check_rows("nope", ((0, 1),), 4).outcome == "not a number"
    # All five million rows of a CSV: one run, not five million numbers.
    assert check_rows("all", ((0, 5_000_000),), 5_000_000).message == (
        "correct: rows 1-5000000 flip"
    )


def test_many_rows_are_written_as_the_first_twelve_pieces_and_how_many_more() -> None:
    every_other = tuple((i, i + 1) for i in range(0, 40, 2))  # rows 1, 3, 5, ..., 39
    assert rowsets.written(every_other) == (
        "1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23 and 8 more rows"
    )
    assert rowsets.written(((0, 2), (4, 9), (20, 21))) == "1, 2, 5-9, 21"
    assert rowsets.written(()) == "none"


@given(
    a=st.sets(st.integers(0, 60), max_size=30),
    b=st.sets(st.integers(0, 60), max_size=30),
)
def test_runs_are_the_rows_they_stand_for(a: set[int], b: set[int]) -> None:
    """runs_of, runs_from, count and minus against Python's own sets of rows."""
    mask = np.zeros(61, dtype=bool)
    mask[list(a)] = True
    runs_a = rowsets.runs_of(mask)
    runs_b = rowsets.runs_from((row, row + 1) for row in b)
    assert runs_a == rowsets.runs_from((row, row + 1) for row in a)

    def rows(runs: rowsets.Runs) -> set[int]:
        return {i for start, stop in runs for i in range(start, stop)}

    assert rows(runs_a) == a and rowsets.count(runs_a) == len(a)
    assert rows(rowsets.minus(runs_a, runs_b)) == a - b
    assert all(s2 > e1 for (_, e1), (s2, _) in zip(runs_a, runs_a[1:], strict=False))


def test_the_quiz_keeps_an_answer_about_rows_while_the_step_flips_the_same_rows() -> None:
    derivation = seed_step(1)
    flips = questions(derivation, {Asked.FLIPS})[0]
    quiz, verdict = Quiz().answered(1, flips, "1 2")
    assert verdict.outcome == "wrong" and quiz.last.startswith("rows that flip: the answer was")
    answer = quiz.answer(1, flips)
    assert answer is not None and answer.value == ((0, 4),) and answer.text == "1 2"
    assert quiz.open_questions(1, [flips]) == []
    # After a change of settings reruns step 1 and it flips other rows, the question is open.
    engine = Engine(load_builtin("seed"))
    engine.set_hyperparams(learning_rate=1e-12)
    engine.run_steps(1)
    rerun = questions(Derivation(engine.current()), {Asked.FLIPS})[0]
    assert rerun.key == flips.key and rerun.rows != flips.rows
    assert quiz.answer(1, rerun) is None
    quiz, verdict = quiz.answered(1, flips, "x")  # not a list of rows: nothing recorded
    assert verdict.outcome == "not a number" and quiz.answer(1, flips) is not None
