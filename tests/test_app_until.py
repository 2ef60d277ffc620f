"""Pilot tests of Run until (key t): the form, its refusals, the background search, Escape."""

from __future__ import annotations

from test_app_keys import choose_in_palette, run_scenario, shown
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, ProgressBar, RadioSet, Static

from logsgd.core import until
from logsgd.core.until import KINDS
from logsgd.tui.app import LogSGDApp
from logsgd.tui.screens.until import FIELDS, UntilScreen

KEY_OF_CHARACTER = {
    ".": "full_stop",
    "-": "minus",
    "[": "left_square_bracket",
    "]": "right_square_bracket",
}


async def open_form(app: LogSGDApp, pilot: Pilot[int]) -> UntilScreen:
    await pilot.press("t")
    assert isinstance(app.screen, UntilScreen)
    return app.screen


async def choose(pilot: Pilot[int], form: UntilScreen, kind: str, value: str | None = None) -> None:
    """Choose a condition with ↓ and Enter, as a person would, and type its value."""
    assert form.query_one(RadioSet).has_focus
    await pilot.press(*["down"] * KINDS.index(kind), "enter")
    assert form.kind == kind
    if kind not in FIELDS:
        assert form.query_one("#until-run").has_focus  # Enter next runs it
        return
    field = form.query_one(f"#until-value-{kind}", Input)
    assert field.has_focus and field.display
    if value is not None:
        field.value = ""
        for character in value:
            pilot.app.post_message(
                events.Key(KEY_OF_CHARACTER.get(character, character), character)
            )
        await pilot.pause()
        assert field.value == value


async def run_and_wait(app: LogSGDApp, pilot: Pilot[int]) -> None:
    await pilot.press("enter")
    await app.workers.wait_for_complete()
    await pilot.pause()
    assert not isinstance(app.screen, UntilScreen)
    assert app.state.busy == "" and not app.query("#progress")


def test_t_runs_until_a_chosen_row_flips_and_says_where() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right", "right", "right")
        form = await open_form(app, pilot)
        note = str(form.query_one(".edit-note", Static).render())
        assert "from step 3" in note
        await choose(pilot, form, "flip", "3")
        await run_and_wait(app, pilot)
        assert app.engine.cursor == app.state.event.step == 5
        assert app.engine.history_length == 5  # the block's steps past the flip are forgotten
        notice = "stopped at step 5: row 3's class flipped (1 → 0)"
        assert app.state.notice == notice
        assert notice in shown(app, "status-text")
        # The row's class on screen did flip at this step.
        event = app.state.event
        assert (event.z_before_all[2] >= 0) != (event.z_after_all[2] >= 0)

    run_scenario(scenario)


def test_a_condition_that_holds_at_once_stops_after_one_step() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        form = await open_form(app, pilot)
        await choose(pilot, form, "flip", "")  # any row: all four flip at step 1
        await run_and_wait(app, pilot)
        assert app.engine.cursor == app.engine.history_length == 1
        assert (
            app.state.notice == "stopped at step 1: row 1's class flipped (1 → 0), and 3 more rows"
        )

    run_scenario(scenario)


def test_the_palette_has_run_until_and_opens_the_form() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        entries = {c.title: c for c in app.get_system_commands(app.screen)}
        assert "Run until · key t" in entries
        await choose_in_palette(app, pilot, "Run until", "Run until")
        await pilot.pause()
        assert isinstance(app.screen, UntilScreen)
        await choose(pilot, app.screen, "steps", "7")
        await run_and_wait(app, pilot)
        assert app.engine.cursor == 7
        assert app.state.notice == "stopped at step 7: 7 steps run"

    run_scenario(scenario)


def test_bad_values_are_refused_under_their_field_and_nothing_runs() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        form = await open_form(app, pilot)
        await choose(pilot, form, "loss", "0")
        await pilot.press("enter")
        assert app.screen is form
        error = form.query_one("#until-error-loss", Static)
        assert error.display
        assert str(error.render()) == "✗ loss must be greater than 0, got 0"
        assert form.query_one("#until-value-loss", Input).has_class("-invalid-field")
        assert (app.engine.cursor, app.engine.history_length, app.state.busy) == (0, 0, "")
        # What was typed is shown as it was typed, never read as markup.
        await choose_again(pilot, form, "steps", "[b]9")
        await pilot.press("enter")
        error = form.query_one("#until-error-steps", Static)
        assert str(error.render()) == "✗ number of steps must be a whole number, got '[b]9'"
        assert not form.query_one("#until-error-loss", Static).display  # another field's line
        # Corrected, it runs.
        field = form.query_one("#until-value-steps", Input)
        field.value = "2"
        await run_and_wait(app, pilot)
        assert app.engine.cursor == 2

    run_scenario(scenario)


async def choose_again(pilot: Pilot[int], form: UntilScreen, kind: str, value: str) -> None:
    """Back to the choices (shift+tab) and another one."""
    form.query_one(RadioSet).focus()
    await pilot.pause()
    index = KINDS.index(form.kind)
    steps = KINDS.index(kind) - index
    await pilot.press(*["down" if steps > 0 else "up"] * abs(steps), "enter")
    field = form.query_one(f"#until-value-{kind}", Input)
    assert field.has_focus
    field.value = ""
    for character in value:
        pilot.app.post_message(events.Key(KEY_OF_CHARACTER.get(character, character), character))
    await pilot.pause()
    assert field.value == value


def test_run_with_nothing_chosen_asks_for_a_choice_and_escape_closes_the_form() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        form = await open_form(app, pilot)
        form.query_one("#until-run").focus()
        await pilot.press("enter")
        assert app.screen is form
        error = form.query_one("#until-error-kind", Static)
        assert error.display and "choose a condition first" in str(error.render())
        await pilot.press("escape")
        assert not isinstance(app.screen, UntilScreen)
        assert (app.engine.cursor, app.state.busy) == (0, "")

    run_scenario(scenario)


def test_escape_cancels_a_long_search_at_a_recorded_step() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right", "right", "right")
        form = await open_form(app, pilot)
        await choose(pilot, form, "sign", "w1")  # past step 2, w1 never changes sign here
        await pilot.press("enter")
        assert app.state.busy == "running until w1 changes sign"
        assert app.state.notice == "running until w1 changes sign… (Escape cancels)"
        assert app.query_one("#progress", ProgressBar).display
        assert app.check_action("step_forward", ()) is False
        assert app.check_action("run_until", ()) is False
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        await pilot.pause()
        stopped_at = app.engine.cursor
        assert 3 < stopped_at < 3 + until.LIMIT
        assert app.state.event.step == stopped_at == app.engine.history_length
        assert app.state.notice == (
            f"cancelled at step {stopped_at}: w1 never changed sign up to there"
        )
        assert app.state.busy == "" and not app.query("#progress")
        await pilot.press("right")
        assert app.engine.cursor == stopped_at + 1

    run_scenario(scenario)


def test_a_search_that_never_holds_stops_at_the_limit_and_says_so() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right", "right", "right")
        form = await open_form(app, pilot)
        await choose(pilot, form, "sign", "w1")
        await run_and_wait(app, pilot)
        assert until.LIMIT == 1_000_000
        assert app.engine.cursor == app.engine.history_length == 3 + until.LIMIT
        assert app.state.notice == (
            "stopped at step 1000003, the limit of 1,000,000 steps on: w1 never changed sign"
        )
        assert "step 1000003/1000003" in shown(app, "status-text")

    run_scenario(scenario)


def test_run_until_the_run_diverges() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        form = await open_form(app, pilot)
        await choose(pilot, form, "diverge")
        await run_and_wait(app, pilot)
        assert app.engine.cursor == 1 and app.engine.diverged_at == 2
        assert app.state.notice.startswith("stopped at step 1: the run diverged at step 2 (")
        assert "diverged at step 2" in shown(app, "status-text")

    run_scenario(scenario, "--lr", "1e304")
