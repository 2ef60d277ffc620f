"""A scenario played in the app: the stop on screen, its note as text, its question, its moves.

What a scenario is and how its file is read is `logsgd.core.scenario`; this says what the
app does with it: which stop the note box shows, which number the quiz asks at a stop, and
where a run of arrow keys must pause so that a stop's settings change at its step.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.text import Text

from logsgd.core.derivation import Derivation, Kind
from logsgd.core.params import fmt_setting
from logsgd.core.quiz import Asked, Question, questions
from logsgd.core.scenario import FLIPS_QUESTION, Scenario, Stop
from logsgd.core.text import visible
from logsgd.tui.panels.status import _SETTINGS
from logsgd.tui.state import ViewState

_KIND_OF_QUESTION = {"g": Kind.MEAN, "w": Kind.UPDATE, "f": Kind.F, FLIPS_QUESTION: Kind.FLIPS}


def stop_questions(state: ViewState, derivation: Derivation) -> list[Question]:
    """The number the scenario's stop at this step asks, as the quiz's one question; [] when
    there is none (no stop here, no question, or an f of a row not in this batch)."""
    scenario = state.scenario
    stop = scenario.at(state.event.step) if scenario is not None else None
    if stop is None or stop.question is None:
        return []
    asked = stop.question
    kind = _KIND_OF_QUESTION[asked.kind]
    for question in questions(derivation, Asked, None, derivation.batch_size):
        equation = question.equation
        if equation.kind is not kind:
            continue
        if (
            kind is Kind.FLIPS
            or (kind is Kind.F and equation.row == asked.index - 1)
            or (kind in (Kind.MEAN, Kind.UPDATE) and equation.weight == asked.index)
        ):
            return [question]
    return []


def described_settings(stop: Stop) -> str:
    """'lr 0.001, shuffle on': a stop's settings as the status line names them."""
    labels = dict(_SETTINGS)
    return ", ".join(
        f"{labels.get(field, field)} {fmt_setting(field, value)}"
        for field, value in stop.settings.items()
    )


def stop_title(scenario: Scenario, step: int) -> str:
    """'seed lecture · stop 1 of 4 (step 1)', or '· before stop 1 (step 1)'."""
    name = visible(scenario.name)
    count = len(scenario.stops)
    current = scenario.current(step)
    if current is None:
        return f"{name} · {count} stops"
    index, stop = current
    where = f"step {stop.step}" + ("" if stop.step == step else f"; now at step {step}")
    return f"{name} · stop {index + 1} of {count} ({where})"


def note_text(scenario: Scenario, step: int) -> Text:
    """The note of the last stop at or before `step` as plain text (its markup shown as typed,
    control characters made visible), then what the stop does and the keys."""
    current = scenario.current(step)
    following = scenario.next_after(step)
    body = Text()
    if current is None:
        body.append(visible(scenario.description or scenario.name))
    else:
        stop = current[1]
        body.append(visible(stop.note.strip()))
        extra = []
        if stop.question is not None:
            extra.append(f"quiz (Q) asks {stop.question.said} here")
        if stop.settings:
            extra.append(f"at step {stop.step}: {described_settings(stop)}")
        if extra:
            body.append("\n" + " · ".join(extra), style="italic")
    keys = f"n: to stop at step {following.step}" if following else "the last stop"
    body.append(f"\n{keys} · N: hide this note", style="dim")
    return body


def split_moves(cursor: int, moves: Sequence[int], stops: Iterable[int]) -> list[list[int]]:
    """The arrow keys' moves cut after each forward move that lands on a step in `stops`, so
    the app can change that stop's settings before the next move runs a step with them."""
    at = frozenset(stops)
    pieces: list[list[int]] = [[]]
    for move in moves:
        cursor = max(0, cursor + move)
        pieces[-1].append(move)
        if move > 0 and cursor in at:
            pieces.append([])
    return [piece for piece in pieces if piece]
