"""Pilot tests of quiz mode (Q, --quiz): the real keys on the seed lecture; what it holds, shows."""

from __future__ import annotations

import numpy as np
import pytest
from test_app_keys import WIDE, choose_in_palette, run_scenario, shown, table_lines
from textual.pilot import Pilot

from logsgd.core.boundary import plane_line
from logsgd.tui.app import LogSGDApp
from logsgd.tui.cli import UsageError, build_parser, make_engine, resolve_setup
from logsgd.tui.panels import boundary, landscape
from logsgd.tui.quiz import ANSWER_MAX_LENGTH, QuizInput, step_quiz


def quiz_app(*argv: str) -> LogSGDApp:
    """The app as `logsgd-tui --quiz ARGV` builds it."""
    setup = resolve_setup(build_parser().parse_args(["--quiz", *argv]))
    return LogSGDApp(make_engine(setup), quiz=setup.quiz)


async def answer(pilot: Pilot[int], text: str) -> None:
    """Type `text` into the answer line, as keys, and press Enter."""
    field = pilot.app.query_one(QuizInput)
    assert field.has_focus
    field.insert_text_at_cursor(text)  # as typed: what a paste does too
    await pilot.press("enter")
    await pilot.pause()


def bar(app: LogSGDApp) -> str:
    return shown(app, "quiz-status")


def test_step_1_asks_g0_first_and_a_right_answer_reveals_it_in_place() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        assert "step 0 has no numbers to ask" in bar(app)
        await pilot.press("right")
        gradients = shown(app, "gradients-body")
        assert "g0 = (60.50 + 57.00) / 2 = ?" in gradients
        assert "w0 <- w0 - lr * g0 = ?" in gradients
        assert "58.75" not in gradients and "-0.5875" not in gradients
        assert "1 of 6: g0 = (60.50 + 57.00) / 2 = ?" in bar(app)
        await answer(pilot, "58.8")
        assert "g0: correct: 58.75" in bar(app)
        gradients = shown(app, "gradients-body")
        assert "g0 = (60.50 + 57.00) / 2 = 58.75  ✓ you wrote 58.8" in gradients
        # The update's numbers now show; its result is the next question.
        assert "= 1.000e-08 - 0.01 * 58.75" in gradients
        assert "2 of 6: w0 <- w0 - lr * g0 = 1.000e-08 - 0.01 * 58.75 = ?" in bar(app)
        assert "score 1 of 1 right" in bar(app)

    run_scenario(scenario, size=WIDE, app=quiz_app())


def test_a_wrong_answer_says_what_the_answer_was_and_the_score_counts_right_ones() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right")
        await answer(pilot, "-58.75")  # the sign is wrong
        assert "g0: the answer was 58.75 (you wrote -58.75)" in bar(app)
        assert "✗ you wrote -58.75" in shown(app, "gradients-body")
        await answer(pilot, "-0.5875")
        assert "new w0: correct: -0.5875" in bar(app)
        assert "score 1 of 2 right" in bar(app)
        # Step 2: g0 = -204.0; -240 is wrong, as the issue says it.
        await pilot.press("ctrl+r", "ctrl+r", "ctrl+r", "ctrl+r")  # reveal the rest
        await pilot.pause()
        assert not step_quiz(app.state).open
        assert "score 1 of 2 right · 4 revealed" in bar(app)
        await pilot.press("right")
        assert app.state.event.step == 2
        await answer(pilot, "-240")
        assert "g0: the answer was -204.0 (you wrote -240)" in bar(app)

    run_scenario(scenario, size=WIDE, app=quiz_app())


def test_garbage_empty_and_a_long_paste_are_not_a_number_and_change_nothing() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right")
        engine_before = (app.engine.cursor, app.engine.history_length)
        for text in ("", "[b]bold[/b]", "58.8abc", "x" * 100_000, "\x1b[31m"):
            await answer(pilot, text)
            assert "not a number" in bar(app), text
            assert "\n" not in app.state.quiz.last
            assert app.query_one(QuizInput).value == ""
            if text.startswith("[b]"):  # shown as typed, never read as markup
                assert "not a number: '[b]bold[/b]'" in bar(app)
        assert app.state.quiz.answers == {}
        assert (app.engine.cursor, app.engine.history_length) == engine_before
        assert "'\\x1b[31m'" in bar(app)  # a control character made visible
        # A paste longer than the line takes is not a number, even of digits; not kept.
        field = app.query_one(QuizInput)
        field.insert_text_at_cursor("9" * 100_000)
        await pilot.pause()
        assert field.value == "" and app.state.quiz.answers == {}
        assert "not a number: '9999" in bar(app) and "(100000 characters)" in bar(app)
        assert f"at most {ANSWER_MAX_LENGTH} characters" in bar(app)

    run_scenario(scenario, size=WIDE, app=quiz_app())


def test_right_reveals_a_steps_open_answers_first_then_steps() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right")
        await answer(pilot, "58.8")
        await pilot.press("right")  # at the end of the (empty) answer line
        assert app.state.event.step == 1
        assert not step_quiz(app.state).open
        assert "revealed: new w0, g1, new w1, g2, new w2" in bar(app)
        assert "-0.5875  revealed" in shown(app, "gradients-body")
        await pilot.press("right")
        assert app.state.event.step == 2

    run_scenario(scenario, size=WIDE, app=quiz_app())


def test_going_back_shows_the_answers_given() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right")
        await answer(pilot, "58.8")
        await answer(pilot, "-0.6")
        await pilot.press("right", "right")  # reveal the rest, then step 2
        assert app.state.event.step == 2
        assert "g0 = ?" in shown(app, "gradients-body").replace("(-210.0 - 198.0) / 2 ", "")
        await pilot.press("left")  # ← at the start of the answer line: back
        assert app.state.event.step == 1
        gradients = shown(app, "gradients-body")
        assert "58.75  ✓ you wrote 58.8" in gradients
        assert "-0.5875  ✗ you wrote -0.6" in gradients
        assert "g1 = (7.400 + 7.600) / 2 = 7.500  revealed" in gradients

    run_scenario(scenario, size=WIDE, app=quiz_app())


def test_q_toggles_quiz_mode_and_the_palette_has_it() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right", "Q")
        assert app.state.quiz_on
        assert "g0 = (60.50 + 57.00) / 2 = ?" in shown(app, "gradients-body")
        await pilot.press("escape")  # leaves the answer line: keys are the app's again
        assert not app.query_one(QuizInput).has_focus
        await choose_in_palette(app, pilot, "quiz", "Quiz")
        await pilot.pause()
        assert not app.state.quiz_on
        assert "g0 = (60.50 + 57.00) / 2 = 58.75" in shown(app, "gradients-body")
        assert not app.query_one("#quiz").display

    run_scenario(scenario, size=WIDE)


def test_what_is_asked_and_the_digits_come_from_the_command_line() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right")
        batch = shown(app, "batch-body")
        assert "f1 = σ(z1) = ?" in batch and "loss1 = -log(1 - f1) = ?" in batch
        assert "0.5000003" not in batch
        await answer(pilot, "0.5")  # 1 digit: 0.50000027 is 0.5
        assert "f1: correct" in bar(app)

    run_scenario(scenario, size=WIDE, app=quiz_app("--quiz-ask", "f", "--quiz-digits", "1"))


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--quiz-ask", "mean"], "--quiz-ask applies to --quiz"),
        (["--quiz", "--quiz-ask", "swaps"], "--quiz-ask: expected some of"),
        (["--quiz", "--quiz-digits", "16"], "--quiz-digits: significant digits must be"),
        (["--quiz", "--export", "text"], "--quiz applies to the app"),
    ],
)
def test_quiz_options_are_refused_in_one_line(argv: list[str], words: str) -> None:
    with pytest.raises(UsageError, match=words):
        resolve_setup(build_parser().parse_args(argv))


def test_quiz_starts_with_any_dataset() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right")
        quiz = step_quiz(app.state)
        assert len(quiz.asked) == 2 * 31 and quiz.current is not None
        await answer(pilot, "1")
        assert "g0:" in bar(app)

    run_scenario(
        scenario,
        "--dataset",
        "breast-cancer",
        size=WIDE,
        app=quiz_app("--dataset", "breast-cancer"),
    )


def test_which_rows_flip_is_asked_and_the_predictions_wait_for_the_answers() -> None:
    """--quiz-ask weights,flips: the new weights, then the rows that flip; meanwhile the
    predictions panel's classes, ✓/✗, ⇄ and f after read "?", as do the loss and accuracy."""

    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right")
        predictions = shown(app, "predictions-table")
        assert "accuracy ? · flipped ?" in predictions
        assert "⇄" not in predictions.split("\n", 2)[2]  # no row marked (the header names it)
        assert "4.394e-32" not in predictions  # f after of row 1
        assert "0.5000003" in predictions  # f before is the step's input
        status = shown(app, "status-text")
        assert "loss ? · accuracy ?" in status and "60.26" not in status
        # The weights chart stops at the step before (its new weights are answers).
        assert app.state.chart.steps.max() == 0
        for _ in range(3):
            await pilot.press("ctrl+r")  # reveal the three new weights
        await pilot.pause()
        quiz = step_quiz(app.state)
        assert quiz.current is not None and quiz.current.name == "rows that flip"
        assert "4 of 4: rows that flip = ?" in bar(app)
        field = app.query_one(QuizInput)
        assert "rows from 1" in field.placeholder and field.max_length > ANSWER_MAX_LENGTH
        await answer(pilot, "3 4")
        assert "rows that flip: the answer was 1-4 (you wrote 3 4: missed 1, 2)" in bar(app)
        predictions = shown(app, "predictions-table")
        assert "accuracy 50.0% · 4 flipped ⇄" in predictions
        assert "4.394e-32" in predictions
        assert "loss 60.26" in shown(app, "status-text")
        assert app.state.chart.steps.max() == 1
        await pilot.press("right")  # step 2: all four flip back to 1
        await pilot.press("ctrl+r", "ctrl+r", "ctrl+r")
        await pilot.pause()
        await answer(pilot, "1-4")
        assert "rows that flip: correct: rows 1-4 flip" in bar(app)
        assert "score 1 of 2 right · 6 revealed" in bar(app)
        await pilot.press("right")  # step 3 flips none
        await pilot.press("ctrl+r", "ctrl+r", "ctrl+r")
        await pilot.pause()
        for text in ("5", "x" * 3000, "none please"):
            await answer(pilot, text)
            assert step_quiz(app.state).current is not None  # refused: still asked
        assert "not a list of rows" in bar(app)
        await answer(pilot, "none")
        assert "correct: no row flips" in bar(app)

    run_scenario(scenario, size=WIDE, app=quiz_app("--quiz-ask", "weights,flips"))


def test_an_open_f_blanks_that_rows_f_before_and_the_boundary_draws_the_line_before() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right", "escape", "v")
        predictions = table_lines(app, "predictions-table")
        row1 = next(line for line in predictions if line.startswith("▶ 1"))
        row3 = next(line for line in predictions if line.startswith("  3"))
        assert "0.5000003" not in row1 and row1.rstrip().endswith("?")  # f1 is asked
        assert row3.rstrip().endswith("0.500001")  # row 3 is not in the batch
        event = app.state.event
        picture = boundary.boundary_picture(app.state)
        held = boundary.data_view(app.state.data, (0, 1)).held
        assert picture.line == plane_line(np.asarray(event.weights_before), (0, 1), held)
        assert picture.previous is None
        assert picture.heading[1] == "the line before the step: the quiz asks first"
        await pilot.press("Q")  # quiz off: the step's own line
        picture = boundary.boundary_picture(app.state)
        assert picture.line == plane_line(np.asarray(event.weights_after), (0, 1), held)
        assert "2/4 wrong" in picture.heading[1]

    run_scenario(scenario, size=WIDE, app=quiz_app("--quiz-ask", "f"))


def test_the_loss_landscape_waits_at_the_weights_before_the_step_while_it_is_asked() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right", "escape", "o")
        await pilot.pause()
        data = app.state.landscape
        event = app.state.event
        assert data is not None and data.before_step
        assert data.cursor_point == tuple(event.weights_before[:2].tolist())
        assert data.held == tuple(event.weights_before.tolist())  # w2 before, not the new w2
        assert data.move is None and data.next_point is None
        assert data.path_steps.max() == 0
        picture = landscape.landscape_picture(app.state)
        assert picture is not None
        assert picture.heading[1][0] == "its move and new weights: the quiz asks first"
        assert picture.held == ("w2 (bias) = 1.000e-08",)  # not the new bias, an answer
        assert picture.step == 0
        await pilot.press("Q")  # quiz off: the step's own weights and the next move
        await pilot.pause()
        data = app.state.landscape
        assert data is not None and not data.before_step
        assert data.cursor_point == tuple(event.weights_after[:2].tolist())
        assert data.move is not None

    run_scenario(scenario, size=WIDE, app=quiz_app())
