"""Pilot tests of the edit form (key e): bad input refused under its field, good input applied."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual import events
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, Static

from logsgd.core.engine import Engine
from logsgd.core.params import Hyperparams
from logsgd.core.text import quoted, read_number
from logsgd.tui.app import LogSGDApp
from logsgd.tui.cli import build_parser, make_engine, resolve_setup
from logsgd.tui.rowtable import RowTable
from logsgd.tui.screens.edit import FIELDS, EditScreen

SIZE = (80, 21)  # one panel at a time, the width of a classic terminal
FIELD_NAMES = [name for name, _ in FIELDS]

# Each field's bad values, with the words its error line must hold. The seed lecture has 4 rows
# and 2 features, so a batch of 5 and a list of 2 or 4 initial weights are wrong too.
BAD_VALUES: dict[str, list[tuple[str, str]]] = {
    "learning_rate": [
        ("0", "learning rate must be greater than 0"),
        ("-1", "learning rate must be greater than 0"),
        ("nan", "learning rate must be a finite number, got 'nan'"),
        ("inf", "learning rate must be a finite number, got 'inf'"),
        ("abc", "learning rate must be a number, got 'abc'"),
        ("", "learning rate must be a number, got ''"),
    ],
    "batch_size": [
        ("0", "batch size must be between 1 and the number of rows (4), got 0"),
        ("-3", "batch size must be between 1 and the number of rows (4), got -3"),
        ("5", "batch size must be between 1 and the number of rows (4), got 5"),
        ("2.5", "batch size must be a whole number, got '2.5'"),
    ],
    "seed": [
        ("-1", "seed must be 0 or more, got -1"),
        ("x", "seed must be a whole number, got 'x'"),
    ],
    "l2": [
        ("-1", "L2 penalty λ must be 0 or more, got -1"),
        ("nan", "must be a finite number, got 'nan'"),
    ],
    "momentum": [
        ("1", "momentum μ must be at least 0 and below 1, got 1"),
        ("-0.1", "momentum μ must be at least 0 and below 1, got -0.1"),
        ("2", "momentum μ must be at least 0 and below 1, got 2"),
    ],
    "initial_weights": [
        ("1, 2", "initial weights need 3 numbers (2 features, then the bias), got 2"),
        ("1, 2, 3, 4", "initial weights need 3 numbers (2 features, then the bias), got 4"),
        ("nan, 0, 0", "must be a finite number, got 'nan'"),
        ("0, inf, 0", "must be a finite number, got 'inf'"),
        ("a, b, c", "initial weight w0 must be a number, got 'a'"),
        ("", "initial weights need 3 numbers"),
    ],
}

Scenario = Callable[[LogSGDApp, Pilot[int]], Awaitable[None]]


def seed_engine_at_step_1_of_2() -> Engine:
    """The seed lecture with steps 1 and 2 recorded and the cursor on step 1.

    A setting that slipped through would drop step 2, so "nothing changed" is visible.
    """
    engine = make_engine(resolve_setup(build_parser().parse_args([])))
    engine.run_steps(2)
    engine.back()
    return engine


def run_scenario(scenario: Scenario, engine: Engine) -> LogSGDApp:
    app = LogSGDApp(engine)

    async def inner() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await scenario(app, pilot)

    asyncio.run(inner())
    return app


async def open_form(app: LogSGDApp, pilot: Pilot[int]) -> EditScreen:
    await pilot.press("e")
    assert isinstance(app.screen, EditScreen)
    return app.screen


# Key names of the non-alphanumeric characters the tests type.
KEY_OF_CHARACTER = {".": "full_stop", "-": "minus", ",": "comma", " ": "space"}


async def type_into(pilot: Pilot[int], form: EditScreen, field: str, text: str) -> None:
    """Clear a field and type `text` into it key by key, as a person would.

    The key events are queued at once and then awaited together: Pilot.press waits for the
    screen after every key, which made these tests several times slower.
    """
    field_input = form.query_one(f"#edit-{field}", Input)
    field_input.focus()
    await pilot.pause()
    field_input.value = ""
    for character in text:
        pilot.app.post_message(events.Key(KEY_OF_CHARACTER.get(character, character), character))
    await pilot.pause()
    assert field_input.value == text


def error_of(form: EditScreen, field: str) -> Static:
    return form.query_one(f"#error-{field}", Static)


def status(app: LogSGDApp) -> str:
    return str(app.query_one("#status-text", Static).render())


def engine_snapshot(engine: Engine) -> tuple[Hyperparams, int, int, list[float], bool]:
    return (
        engine.hyperparams,
        engine.cursor,
        engine.history_length,
        engine.initial_weights.tolist(),
        engine.ghost is None,
    )


@pytest.mark.parametrize("field", FIELD_NAMES)
def test_bad_values_are_refused_under_their_field(field: str) -> None:
    engine = seed_engine_at_step_1_of_2()
    before = engine_snapshot(engine)

    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        form = await open_form(app, pilot)
        for text, message in BAD_VALUES[field]:
            await type_into(pilot, form, field, text)
            await pilot.press("enter")
            assert app.screen is form, f"{field} = {text!r} was accepted"
            error = error_of(form, field)
            assert error.display, f"{field} = {text!r}: no error shown"
            shown_error = str(error.render())
            assert shown_error.startswith("✗ "), shown_error
            assert message in shown_error, f"{field} = {text!r}: {shown_error}"
            # Under its own field, and only there.
            field_input = form.query_one(f"#edit-{field}", Input)
            assert error.region.y == field_input.region.y + 1
            assert field_input.has_class("-invalid-field")
            for other in FIELD_NAMES:
                if other != field:
                    assert not error_of(form, other).display, f"{other} blamed for {field}"
            assert engine_snapshot(app.engine) == before, f"{field} = {text!r} changed it"
            assert app.state.event.step == 1
            assert "step 1/2" in status(app)

    run_scenario(scenario, engine)


def test_several_bad_fields_each_get_their_own_error() -> None:
    engine = seed_engine_at_step_1_of_2()
    before = engine_snapshot(engine)

    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        form = await open_form(app, pilot)
        await type_into(pilot, form, "learning_rate", "0")
        await type_into(pilot, form, "momentum", "1")
        await pilot.press("enter")
        assert app.screen is form
        assert "learning rate" in str(error_of(form, "learning_rate").render())
        assert "momentum" in str(error_of(form, "momentum").render())
        assert not error_of(form, "batch_size").display
        # Correcting one field clears its error on the next try; the other one stays.
        await type_into(pilot, form, "learning_rate", "0.05")
        await pilot.press("enter")
        assert app.screen is form
        assert not error_of(form, "learning_rate").display
        assert not form.query_one("#edit-learning_rate", Input).has_class("-invalid-field")
        assert error_of(form, "momentum").display
        assert engine_snapshot(app.engine) == before

    run_scenario(scenario, engine)


def test_valid_values_apply_from_the_next_step() -> None:
    engine = seed_engine_at_step_1_of_2()
    step2_weights = engine.weight_history()[2].copy()

    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        form = await open_form(app, pilot)
        # The form opens with the settings in force.
        values = {name: form.query_one(f"#edit-{name}", Input).value for name in FIELD_NAMES}
        assert values == {
            "learning_rate": "0.01",
            "batch_size": "2",
            "seed": "0",
            "l2": "0",
            "momentum": "0",
            "initial_weights": "1e-08, -1e-08, 1e-08",
        }
        assert form.query_one("#edit-shuffle", Checkbox).value is False
        for name, text in (
            ("learning_rate", "0.05"),
            ("batch_size", "1"),
            ("seed", "7"),
            ("l2", "0.1"),
            ("momentum", "0.5"),
        ):
            await type_into(pilot, form, name, text)
        await pilot.click("#edit-shuffle")
        assert form.query_one("#edit-shuffle", Checkbox).value is True
        await pilot.click("#edit-apply")
        await pilot.pause()
        assert not isinstance(app.screen, EditScreen)
        engine = app.engine
        assert engine.hyperparams == Hyperparams(
            learning_rate=0.05, batch_size=1, shuffle=True, seed=7, l2=0.1, momentum=0.5
        )
        # Applied at the cursor: the recorded step 2 is dropped and kept as the ghost.
        assert (engine.cursor, engine.history_length) == (1, 1)
        assert engine.ghost is not None and engine.ghost.start_step == 2
        np.testing.assert_array_equal(engine.ghost.weights, [step2_weights])
        np.testing.assert_array_equal(engine.initial_weights, [1e-8, -1e-8, 1e-8])
        shown = status(app)
        assert "from step 2: lr 0.01 → 0.05, batch size 2 → 1, λ 0 → 0.1, μ 0 → 0.5" in shown
        # An epoch's order is fixed when it begins: shuffle and seed apply from the next one.
        assert "from epoch 2, step 4: shuffle on, seed 0 → 7" in " ".join(shown.split())
        assert "next step: lr 0.05, batch size 1, shuffle on, λ 0.1, μ 0.5, seed 7" in shown
        await pilot.press("right")
        event = app.state.event
        assert event.step == 2 and event.hyperparams == engine.hyperparams
        w, g_data = np.array(event.weights_before), np.array(event.data_gradient)
        gradient = g_data + 0.1 * np.append(w[:-1], 0.0)  # λ w, not on the bias
        np.testing.assert_allclose(event.gradient, gradient, rtol=1e-15)
        velocity = 0.5 * np.array(event.velocity_before) + gradient
        np.testing.assert_allclose(event.velocity_after, velocity, rtol=1e-15)
        np.testing.assert_allclose(event.weights_after, w - 0.05 * velocity, rtol=1e-15)
        gradients = "\n".join(app.query_one("#gradients-body", RowTable).lines())
        assert "∂L/∂w0 = -210.0\n" in gradients  # the mean of one term is that term
        assert "g0 = ∂L/∂w0 + λ * w0 = -210.0 + 0.1 * " in gradients
        assert "v0 <- μ * v0 + g0 = 0.5 * " in gradients
        assert "λ 0.1" in status(app) and "μ 0.5" in status(app)

    run_scenario(scenario, engine)


def test_new_initial_weights_restart_at_step_0() -> None:
    engine = seed_engine_at_step_1_of_2()

    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        form = await open_form(app, pilot)
        await type_into(pilot, form, "initial_weights", "0.5, -0.25 0.125")
        await type_into(pilot, form, "learning_rate", "0.05")
        await pilot.press("enter")
        assert not isinstance(app.screen, EditScreen)
        engine = app.engine
        assert (engine.cursor, engine.history_length) == (0, 0)
        assert engine.ghost is None
        np.testing.assert_array_equal(engine.initial_weights, [0.5, -0.25, 0.125])
        assert engine.hyperparams.learning_rate == 0.05
        np.testing.assert_array_equal(app.state.event.weights_after, [0.5, -0.25, 0.125])
        batch = "\n".join(app.query_one("#batch-body", RowTable).lines())
        assert "w0 (x1) = 0.5000" in batch
        assert "w1 (x2) = -0.2500" in batch
        assert "w2 (bias) = 0.1250" in batch
        shown = status(app)
        assert "new initial weights: restarted at step 0" in shown
        assert "step 0/0" in shown and "lr 0.05" in shown
        await pilot.press("right")
        event = app.state.event
        np.testing.assert_array_equal(event.weights_before, [0.5, -0.25, 0.125])
        assert "- 0.05 * " in "\n".join(app.query_one("#gradients-body", RowTable).lines())

    run_scenario(scenario, engine)


def test_escape_and_cancel_leave_everything_as_it_was() -> None:
    engine = seed_engine_at_step_1_of_2()
    before = engine_snapshot(engine)

    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        form = await open_form(app, pilot)
        await type_into(pilot, form, "learning_rate", "0.5")
        # Tab moves between the form's fields; it does not switch the app's panels.
        await pilot.press("tab")
        assert app.focused is form.query_one("#edit-batch_size", Input)
        assert app.state.selected_panel == "batch"
        await pilot.press("escape")
        assert not isinstance(app.screen, EditScreen)
        assert engine_snapshot(app.engine) == before
        form = await open_form(app, pilot)
        assert form.query_one("#edit-learning_rate", Input).value == "0.01"
        await type_into(pilot, form, "initial_weights", "1, 1, 1")
        await pilot.click("#edit-cancel")
        assert not isinstance(app.screen, EditScreen)
        assert engine_snapshot(app.engine) == before
        assert "step 1/2" in status(app)

    run_scenario(scenario, engine)


# ---------------------------------------------------------------------- hostile input


MARKUP = ["[/foo]", "[/]", "[@click=app.quit]x", "[bold red]0.1", "1, 2, [/]", "[link=x]y"]


@pytest.mark.parametrize("text", MARKUP)
@pytest.mark.parametrize("field", ["learning_rate", "initial_weights"])
def test_markup_typed_into_a_field_is_shown_as_text(field: str, text: str) -> None:
    # "[/foo]" once raised a MarkupError that ended the session; "[@click=app.quit]x" made a
    # link that quit the app.
    engine = seed_engine_at_step_1_of_2()
    before = engine_snapshot(engine)

    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        form = await open_form(app, pilot)
        form.query_one(f"#edit-{field}", Input).value = text
        await pilot.press("enter")
        await pilot.pause()
        assert app.is_running and app.screen is form
        shown = str(error_of(form, field).render())
        # The first part that is not a number, quoted as typed, brackets and all.
        parts = text.replace(",", " ").split() if field == "initial_weights" else [text]
        bad = next(part for part in parts if read_number(part) is None)
        assert shown.startswith("✗ ") and quoted(bad.strip()) in shown, shown
        assert engine_snapshot(app.engine) == before

    run_scenario(scenario, engine)


def test_a_100_kb_paste_is_refused_by_the_field() -> None:
    # Once a 100 KB paste froze the app for 30 s and gave an error thousands of lines long.
    # A field takes at most 64 characters a number (Textual's Input refuses a longer paste as a
    # whole), and an error quotes at most 40 of what was typed.
    engine = seed_engine_at_step_1_of_2()

    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        form = await open_form(app, pilot)
        field = form.query_one("#edit-learning_rate", Input)
        field.value = "0.5"
        field.focus()
        await pilot.pause()
        field.post_message(events.Paste("9" * 100_000))
        await pilot.pause()
        assert field.value == "0.5"
        field.value = "x" * 64
        await pilot.press("enter")
        await pilot.pause()
        shown = str(error_of(form, "learning_rate").render())
        assert shown == f"✗ learning rate must be a number, got {'x' * 40!r}... (64 characters)"

    run_scenario(scenario, engine)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    texts=st.fixed_dictionaries(
        {name: st.one_of(st.text(max_size=30), st.sampled_from(MARKUP)) for name in FIELD_NAMES}
    )
)
def test_any_text_in_any_field_is_applied_or_refused_in_one_line(texts: dict[str, str]) -> None:
    engine = seed_engine_at_step_1_of_2()

    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        form = await open_form(app, pilot)
        for name, text in texts.items():
            form.query_one(f"#edit-{name}", Input).value = text
        await pilot.press("enter")
        await pilot.pause()
        assert app.is_running
        if app.screen is form:  # refused: each error one line, no control character raw
            for name in FIELD_NAMES:
                shown = str(error_of(form, name).render())
                assert "\n" not in shown and "\x1b" not in shown

    run_scenario(scenario, engine)


def test_the_shuffle_box_reads_on_or_off_without_colour() -> None:
    # Textual's checkbox draws ▐X▌ on and off alike, its colour alone telling them apart:
    # under NO_COLOR or on a washed-out projector the state could not be read.
    engine = seed_engine_at_step_1_of_2()

    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        form = await open_form(app, pilot)
        box = form.query_one("#edit-shuffle", Checkbox)
        assert box.value is False
        assert str(box.render()).startswith("▐ ▌ shuffle")
        await pilot.click("#edit-shuffle")
        await pilot.pause()
        assert box.value is True
        assert str(box.render()).startswith("▐X▌ shuffle")
        await pilot.click("#edit-shuffle")
        await pilot.pause()
        assert str(box.render()).startswith("▐ ▌ shuffle")

    run_scenario(scenario, engine)
