"""The quiz on screen: what a step's panels blank and note, and the input line that asks.

The checking and the answers are `logsgd.core.quiz`; this draws them. The panels ask
`step_quiz(state)` how to draw each equation of the one derivation (in full, its result "?",
or its numbers blank), and the QuizBar, above the Footer, asks the step's first open question
and says what became of the last answer; what the student types goes to the app as a message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Input, Static

from logsgd.core.derivation import SCREEN, Derivation, Equation, Kind
from logsgd.core.quiz import Answer, Key, Question, blank, blanked, key_of, questions
from logsgd.tui.state import ViewState

# An answer is a number: a paste of 10^5 characters is cut to this (as the edit form does).
ANSWER_MAX_LENGTH = 64
# An answer to "which rows flip" lists rows: "1-150" or "3 7 12 ..." of iris's 150 rows.
ROWS_ANSWER_MAX_LENGTH = 2_000
NUMBER_PLACEHOLDER = "your answer (e.g. -204 or -3.8e-23) · Enter checks · ctrl+r reveals"
ROWS_PLACEHOLDER = "rows from 1 (e.g. 1 3 4, 2-5, none, all) · Enter checks · ctrl+r reveals"
RIGHT_NOTE, WRONG_NOTE, REVEALED_NOTE, ASKED_NOTE = "✓", "✗", "revealed", "◀ asked below"


@dataclass(frozen=True)
class StepQuiz:
    """The quiz of the step on screen: its questions, those still open, the answers given."""

    step: int = 0
    asked: tuple[Question, ...] = ()
    open: tuple[Question, ...] = ()
    answers: Mapping[Key, Answer] = field(default_factory=dict)

    @property
    def hidden(self) -> frozenset[Key]:
        return frozenset(q.key for q in self.open)

    @property
    def current(self) -> Question | None:
        return self.open[0] if self.open else None

    @property
    def results_hidden(self) -> bool:
        """While a question of the step is open, what the new weights give is hidden too (f
        after, the classes and which flipped, the accuracy and loss after): every asked
        number is upstream of them, and the rows that flip are a question themselves."""
        return bool(self.open)

    def f_hidden(self, row: int) -> bool:
        """f of data row `row` is asked and open (f before the step, for a batch row)."""
        return Key(Kind.F, row, None) in self.hidden

    def shown(self, equation: Equation) -> tuple[Equation, Text | None]:
        """The equation as the quiz lets it be drawn, and the note beside its result."""
        if not self.asked:
            return equation, None
        key = key_of(equation)
        drawn = blanked(equation, blank(equation, self.hidden))
        current = self.current
        if current is not None and current.key == key:
            return drawn, Text(ASKED_NOTE, style="bold reverse")
        answer = self.answers.get(key)
        return drawn, None if answer is None else answer_note(answer)


def answer_note(answer: Answer) -> Text:
    """'✓ you wrote 58.8', '✗ you wrote -240', 'revealed': words and a glyph, not colour."""
    if answer.outcome == "revealed":
        return Text(REVEALED_NOTE, style="italic")
    right = answer.outcome == "right"
    mark = RIGHT_NOTE if right else WRONG_NOTE
    return Text(f"{mark} you wrote {answer.text}", style="green" if right else "red")


NO_QUIZ = StepQuiz()
# The last two states' quizzes: a change of state asks for the old one's and the new one's.
_kept: list[tuple[object, object, StepQuiz]] = []
KEPT = 2


def step_quiz(state: ViewState) -> StepQuiz:
    """The quiz of the state's step (NO_QUIZ when quiz mode is off, or at step 0); the panels
    and the bar of one state share one (kept for the last two states' steps and answers)."""
    event = state.event
    if not state.quiz_on or event.step == 0:
        return NO_QUIZ
    for kept_event, kept_quiz, found in _kept:
        if kept_event is event and kept_quiz is state.quiz:
            return found
    from logsgd.tui.panels.gradients import listed_weights  # the weights the panel shows
    from logsgd.tui.scenario import stop_questions  # a scenario's stop asks its own number

    quiz = state.quiz
    derivation = Derivation(event)
    asked = stop_questions(state, derivation) or questions(
        derivation, quiz.asked, listed_weights(event.gradient)
    )
    found = StepQuiz(
        event.step,
        tuple(asked),
        tuple(quiz.open_questions(event.step, asked)),
        {q.key: a for q in asked if (a := quiz.answer(event.step, q)) is not None},
    )
    _kept.append((event, quiz, found))
    del _kept[:-KEPT]
    return found


def prompt(question: Question) -> str:
    """The question as the bar asks it: the equation with its result "?" (its inputs shown)."""
    return SCREEN.line(blanked(question.equation, "result"))


class QuizInput(Input):
    """The answer line: → at the end of the text and ← at its start step as usual."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # The ids of the app's step and back: the Footer shows them in their places.
        Binding("right", "right_or_step", "Step", key_display="→", id="step"),
        Binding("left", "left_or_step", "Back", key_display="←", id="back"),
        Binding("escape", "leave", "Leave the answer line", show=False),
    ]

    @property
    def _at_rest(self) -> bool:
        """No text selected: → and ← then move the cursor, or step at the text's ends."""
        return self.selection.start == self.selection.end

    async def action_right_or_step(self) -> None:
        if self.cursor_position >= len(self.value) and self._at_rest:
            await self.app.run_action("step_forward")
        else:
            self.action_cursor_right()

    async def action_left_or_step(self) -> None:
        if self.cursor_position == 0 and self._at_rest:
            await self.app.run_action("step_back")
        else:
            self.action_cursor_left()

    def replace(self, text: str, start: int, end: int) -> None:
        """As Input's, but a paste too long for the line is answered "not a number" (Input
        would refuse it with a bell alone)."""
        value = self.value
        start, end = sorted((max(0, start), min(len(value), end)))
        new_value = f"{value[:start]}{text}{value[end:]}"
        if len(new_value) > (self.max_length or ANSWER_MAX_LENGTH):
            self.post_message(QuizBar.Answered(new_value, too_long=True))
            return
        super().replace(text, start, end)

    def action_leave(self) -> None:
        """Give the keys back to the app (Q, l, h, ...); a click or the next step comes back."""
        self.screen.set_focus(None)


class QuizBar(Widget):
    """Above the Footer in quiz mode: the question asked, the last verdict, the score."""

    DEFAULT_CSS = """
    QuizBar {
        height: auto;
        padding: 0 1;
        background: $boost;
        display: none;
    }
    QuizBar.-on { display: block; }
    QuizBar Input { display: none; }
    QuizBar.-asking Input { display: block; }
    """

    state: reactive[ViewState | None] = reactive(None, init=False, always_update=True)

    class Answered(Message):
        """The student pressed Enter on `text` (anything at all: the app checks it)."""

        def __init__(self, text: str, too_long: bool = False) -> None:
            super().__init__()
            self.text = text
            self.too_long = too_long  # a paste longer than the line takes

    def compose(self) -> ComposeResult:
        yield Static(id="quiz-status")
        yield QuizInput(
            placeholder=NUMBER_PLACEHOLDER,
            id="quiz-input",
            compact=True,
            max_length=ANSWER_MAX_LENGTH,
        )

    def watch_state(self, old: ViewState | None, new: ViewState | None) -> None:
        if new is None:
            return
        self.set_class(new.quiz_on, "-on")
        quiz = step_quiz(new)
        current = quiz.current
        self.set_class(current is not None, "-asking")
        self.query_one("#quiz-status", Static).update(status_text(new, quiz))
        field_ = self.query_one(QuizInput)
        rows = current is not None and current.rows is not None
        field_.placeholder = ROWS_PLACEHOLDER if rows else NUMBER_PLACEHOLDER
        field_.max_length = ROWS_ANSWER_MAX_LENGTH if rows else ANSWER_MAX_LENGTH
        moved = (
            old is None
            or old.event is not new.event
            or old.quiz_on != new.quiz_on
            or old.focus != new.focus  # focus mode's view came or went: the line asks on
        )
        if current is not None and moved and self.app.screen is self.screen:
            field_.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        event.input.clear()
        self.post_message(self.Answered(event.value))


def status_text(state: ViewState, quiz: StepQuiz) -> Text:
    """'Quiz · step 1 · 1 of 6: g0 = (60.50 + 57.00) / 2 = ?', then the last verdict and the
    score. Text throughout: what was typed is quoted in the verdict, never read as markup."""
    line = Text("Quiz", style="bold")
    current = quiz.current
    if state.event.step == 0:
        line.append(" · step 0 has no numbers to ask: → runs the first step")
    elif current is not None:
        number = len(quiz.asked) - len(quiz.open) + 1
        line.append(f" · step {quiz.step} · {number} of {len(quiz.asked)}: ")
        line.append(prompt(current), style="bold")
    elif quiz.asked:
        line.append(f" · step {quiz.step}: all {len(quiz.asked)} answered or revealed · → next")
    else:
        line.append(" · nothing asked at this step")
    verdict = Text(state.quiz.last)
    outcome = state.quiz.last_outcome
    if outcome == "right":
        verdict = Text(f"{RIGHT_NOTE} ") + verdict
        verdict.stylize("green")
    elif outcome in ("wrong", "not a number"):
        verdict = Text(f"{WRONG_NOTE} ") + verdict
        verdict.stylize("red")
    score = Text(state.quiz.score(), style="bold")
    second = Text.assemble(verdict, " · " if state.quiz.last else "", score)
    return Text("\n").join([line, second])
