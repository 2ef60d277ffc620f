"""Focus mode (F): one block of the step's derivation at full screen, its results in big digits.

A block is a weight's (its terms, mean and update: g0 and the new w0 in big digits) or the
batch's (each row's z and f). Tab moves between them. Every equation is the one derivation's
(`core.derivation`), drawn as the panels draw it (`equation_lines`), and in quiz mode as the
quiz lets it be drawn: an asked number is "?" in its line and in its big digits.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Digits, Static

from logsgd.core.derivation import SCREEN, Derivation, Equation, Kind, Mean, Num, Op
from logsgd.tui.equations import equation_lines
from logsgd.tui.panels.gradients import MAX_TERMS_LISTED, listed_weights
from logsgd.tui.quiz import StepQuiz, step_quiz
from logsgd.tui.state import ViewState

# The block of the batch's rows, among the weights' blocks (which are numbered by weight).
BATCH_BLOCK = -1
# Rows of the batch whose z and f the batch block shows (in big digits); the rest are counted.
FOCUS_ROWS = 4
# The kinds of equation whose result a weight's block writes in big digits.
BIG_KINDS = (Kind.MEAN, Kind.L2, Kind.MOMENTUM, Kind.UPDATE)
# Big numbers side by side: two fit 80 columns whatever their length (11 characters each).
BIG_PER_LINE = 2
# The asked number's "?" in the style of Digits' 3x3 font (which has no "?").
QUESTION_GLYPH = "╭─╮\n ╭╯\n ╵ "


def blocks(state: ViewState) -> list[int]:
    """The blocks tab moves through, in order: the weights the gradient panel lists, then the
    batch."""
    return [*listed_weights(state.event.gradient), BATCH_BLOCK]


def block_shown(state: ViewState) -> int:
    """The block on screen: the one chosen, or the first when it is not listed at this step
    (a weight among the largest no longer)."""
    listed = blocks(state)
    return state.focus_block if state.focus_block in listed else listed[0]


def block_name(state: ViewState, block: int) -> str:
    return "the batch: z and f" if block == BATCH_BLOCK else state.data.weight_label(block)


def big_text(equation: Equation) -> str:
    """The result as the big digits write it: the equation's last number, as the screen
    writes it ("?" when the quiz asks it); e as E, which the digits' font has."""
    last = equation.pieces[-1]
    if isinstance(last, Mean):  # never last (a result follows it); if it were: its value
        return SCREEN.number(Num(equation.value))
    tokens = last[1:] if last and isinstance(last[0], Op) else last
    return SCREEN.tokens(tokens).replace("e", "E")


def big_label(equation: Equation) -> str:
    name = SCREEN.lhs(equation)
    return f"new {name} =" if equation.kind is Kind.UPDATE else f"{name} ="


def big_number(text: str) -> Widget:
    """The result in Digits; the asked number's "?", which their font lacks, as big."""
    if text == "?":
        return Static(Text(QUESTION_GLYPH), classes="focus-asked")
    return Digits(text)


class FocusView(Widget):
    """The focus screen's body, bound to the app's ViewState (shown in focus mode only)."""

    DEFAULT_CSS = """
    FocusView { height: 1fr; display: none; }
    FocusView VerticalScroll { height: 1fr; padding: 0 1; }
    FocusView .focus-title { text-style: bold; margin-bottom: 1; }
    /* Broken by equation_lines, between pieces, to the width: never re-wrapped. */
    FocusView .focus-line { height: auto; text-wrap: nowrap; text-overflow: clip; }
    FocusView .focus-big { height: 3; margin: 0 0 1 2; }
    FocusView .focus-label { width: auto; height: 3; padding: 1 1 0 0; text-style: bold; }
    FocusView Digits, FocusView .focus-asked { width: auto; margin-right: 4; text-style: bold; }
    """

    state: reactive[ViewState | None] = reactive(None, init=False, always_update=True)
    _drawn: tuple[object, ...] | None = None

    def compose(self) -> ComposeResult:
        # Not focusable: → and ← step (the app's keys), they do not scroll.
        yield VerticalScroll(id="focus-body", can_focus=False)

    def watch_state(self, old: ViewState | None, new: ViewState | None) -> None:
        if new is None or not new.focus:
            return
        drawn = (new.event, new.quiz_on, new.quiz, block_shown(new), self.size.width)
        if drawn != self._drawn:
            self._drawn = drawn
            self.show(new)

    def on_resize(self) -> None:
        if self.state is not None and self.state.focus:
            self.watch_state(None, self.state)

    def show(self, state: ViewState) -> None:
        body = self.query_one("#focus-body", VerticalScroll)
        body.remove_children()
        body.mount_all(focus_widgets(state, max(20, self.size.width - 4)))
        body.scroll_home(animate=False)


def focus_widgets(state: ViewState, width: int) -> list[Widget]:
    """The widgets of the block on screen: a title, its equations' lines, the big results."""
    event = state.event
    if event.step == 0:
        return [
            Static(Text("Focus · step 0", style="bold"), classes="focus-title"),
            Static(Text("No derivation yet: → runs the first batch.")),
        ]
    block = block_shown(state)
    listed = blocks(state)
    title = Text(
        f"Focus · step {event.step} · {block_name(state, block)}"
        f" · {listed.index(block) + 1} of {len(listed)} (tab) · F or Esc: back",
        style="bold",
    )
    widgets: list[Widget] = [Static(title, classes="focus-title")]
    quiz = step_quiz(state)
    if block == BATCH_BLOCK:
        derivation = Derivation(event, short_sums=True)
        rows = min(event.batch_size, FOCUS_ROWS)
        for i in range(rows):
            widgets += _group([derivation.z(i), derivation.f(i)], [0, 1], quiz, width)
        if event.batch_size > rows:
            more = event.batch_size - rows
            widgets.append(Static(Text(f"and {more:,} more rows of the batch (the batch panel)")))
    else:
        equations = list(Derivation(event).weight(block, MAX_TERMS_LISTED))
        big = [n for n, eq in enumerate(equations) if eq.kind in BIG_KINDS]
        if event.batch_size > MAX_TERMS_LISTED:
            note = f"the {MAX_TERMS_LISTED} largest of {event.batch_size} terms; the mean uses all"
            widgets.append(Static(Text(note, style="italic")))
        widgets += _group(equations, big, quiz, width)
    return widgets


def _group(equations: list[Equation], big: list[int], quiz: StepQuiz, width: int) -> list[Widget]:
    """The equations' lines, then the results of those at positions `big` in big digits, two
    to a line."""
    lines: list[Text] = []
    results: list[Equation] = []
    for n, equation in enumerate(equations):
        drawn, note = quiz.shown(equation)
        lines += equation_lines(drawn, width, indent="", note=note)
        if n in big:
            results.append(drawn)
    widgets: list[Widget] = [Static(Text("\n").join(lines), classes="focus-line")]
    for start in range(0, len(results), BIG_PER_LINE):
        pairs: list[Widget] = []
        for equation in results[start : start + BIG_PER_LINE]:
            pairs.append(Static(Text(big_label(equation)), classes="focus-label"))
            pairs.append(big_number(big_text(equation)))
        widgets.append(Horizontal(*pairs, classes="focus-big"))
    return widgets
