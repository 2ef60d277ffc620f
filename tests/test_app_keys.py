"""Pilot tests: every key of the app, checked on what the app holds and on what it shows."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

import numpy as np
import pytest
from textual import events
from textual.command import CommandList
from textual.pilot import Pilot
from textual.widgets import Static
from textual.widgets._footer import FooterKey  # not exported; the Footer draws one per key

from logsgd.core.dataset import Dataset
from logsgd.core.engine import Engine
from logsgd.core.formatting import fmt, fmt_prob
from logsgd.core.params import Hyperparams
from logsgd.tui.app import LogSGDApp
from logsgd.tui.cli import build_parser, make_engine, resolve_setup
from logsgd.tui.commands import COMMANDS
from logsgd.tui.panels.batch import MAX_ROWS_EXPANDED
from logsgd.tui.rowtable import RowTable
from logsgd.tui.screens.help import HelpScreen
from logsgd.tui.state import PANELS

WIDE = (120, 36)
# One panel at a time (the single layout) at the width of a classic terminal: the tests read
# one panel's lines whole, and one panel on screen renders fastest.
COMPACT = (80, 21)

# The seed lecture (shared/seed-lecture.md), recomputed in float64.
INITIAL_WEIGHTS = (1e-8, -1e-8, 1e-8)
STEP1_WEIGHTS = (-0.58750029, -0.075000049, -0.0049999926)
STEP1_PREDICTIONS = (4.3938e-32, 2.6052e-30, 1.2899e-54, 1.6393e-51)
STEP2_WEIGHTS = (1.4524997, 0.012499951, 0.0050000074)
STEP1_TERM_LINE = "(f1 - y1) * x1 = 0.5000003 * 121 = 60.50"
STEP2_TERM_LINE = "(f3 - y3) * x1 = (-1.000) * 210 = -210.0"

Scenario = Callable[[LogSGDApp, Pilot[int]], Awaitable[None]]


def make_app(*argv: str) -> LogSGDApp:
    """The app exactly as `logsgd-tui ARGV` builds it (no arguments: the seed lecture)."""
    return LogSGDApp(make_engine(resolve_setup(build_parser().parse_args(list(argv)))))


def run_scenario(
    scenario: Scenario, *argv: str, size: tuple[int, int] = COMPACT, app: LogSGDApp | None = None
) -> LogSGDApp:
    """Run the app headless at `size` and play `scenario` on it (pytest-asyncio is not used).

    Compact unless a test reads the tables: one panel on screen renders twice as fast.
    """
    app = app or make_app(*argv)

    async def inner() -> None:
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await scenario(app, pilot)

    asyncio.run(inner())
    return app


async def choose_in_palette(app: LogSGDApp, pilot: Pilot[int], typed: str, entry: str) -> None:
    """Open the command palette, type `typed`, check the entry highlighted is `entry`, run it."""
    await pilot.press("ctrl+p")
    await pilot.press(*typed)
    results = app.screen.query_one(CommandList)
    for _ in range(50):  # the palette searches asynchronously
        if results.highlighted is not None:
            break
        await pilot.pause(0.05)
    highlighted = results.get_option_at_index(results.highlighted or 0)
    assert entry in str(highlighted.prompt)
    await pilot.press("enter")


def shown(app: LogSGDApp, widget_id: str) -> str:
    """The whole text a Static or a RowTable shows on the main screen (scrolled or not)."""
    widget = app.query_one(f"#{widget_id}")
    if isinstance(widget, RowTable):
        return "\n".join(widget.lines())
    return str(widget.render())


def table_lines(app: LogSGDApp, table_id: str) -> list[str]:
    """The lines a RowTable draws right now, header first."""
    table = app.query_one(f"#{table_id}", RowTable)
    return [table.render_line(y).text.rstrip() for y in range(table.size.height)]


def row_line(lines: list[str], row: int) -> str:
    """The drawn line of data row `row` (counted from 1, as on screen)."""
    for line in lines[1:]:
        cells = line[1:].split()  # column 0 holds the mark: ▶ this batch, › the next
        if cells and cells[0] == str(row):
            return line
    raise AssertionError(f"row {row} is not on screen: {lines}")


def row_cells(lines: list[str], row: int) -> list[str]:
    """The cells of data row `row`, without the batch mark."""
    return row_line(lines, row)[1:].split()


def weights_on_screen(app: LogSGDApp) -> np.ndarray:
    return np.array(app.state.event.weights_after) if app.state else np.zeros(0)


def footer_key(app: LogSGDApp, action: str) -> FooterKey:
    """The Footer's entry for `action` (greyed when the action is disabled)."""
    return next(key for key in app.query(FooterKey) if key.action == action)


# ---------------------------------------------------------------------- stepping


def test_step_keys_run_the_lecture_steps() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right")
        event = app.state.event
        assert event.step == 1 and app.engine.cursor == 1
        assert event.weights_after == pytest.approx(STEP1_WEIGHTS, rel=1e-7)
        assert event.predictions_after == pytest.approx(STEP1_PREDICTIONS, rel=1e-4)
        gradients = shown(app, "gradients-body")
        assert STEP1_TERM_LINE in gradients
        assert "w0 <- w0 - lr * g0 = 1.000e-08 - 0.01 * 58.75 = -0.5875" in gradients
        assert "w1 <- w1 - lr * g1 = -1.000e-08 - 0.01 * 7.500 = -0.07500" in gradients
        predictions = table_lines(app, "predictions-table")
        for row, f_after in enumerate(("4.394e-32", "2.605e-30", "1.290e-54", "1.639e-51"), 1):
            assert f_after in row_cells(predictions, row), predictions
        assert "z1 = w0*x1 + w1*x2 + w2" in shown(app, "batch-body")
        status = shown(app, "status-text")
        assert "step 1/1" in status
        assert "epoch 1 batch 1/2" in status
        assert "loss 60.26" in status
        assert "50.0%" in status

        await pilot.press("space")
        event = app.state.event
        assert event.step == 2
        assert [int(r) for r in event.rows] == [2, 3]
        assert event.weights_after == pytest.approx(STEP2_WEIGHTS, rel=1e-7)
        gradients = shown(app, "gradients-body")
        assert STEP2_TERM_LINE in gradients
        assert "w0 <- w0 - lr * g0 = -0.5875 - 0.01 * (-204.0) = 1.452" in gradients
        assert "g1 = (-9.400 - 8.100) / 2 = -8.750" in gradients
        # All four predictions are 1 to float64: shown with their gap from the logit, as the
        # export writes them, never as a faked exact 1.
        predictions = table_lines(app, "predictions-table")
        gaps = ("3.883e-77", "1.006e-72", "2.993e-133", "1.130e-125")
        for row, gap in zip((1, 2, 3, 4), gaps, strict=True):
            assert "1 - " + gap in predictions[row + 1], predictions
        status = shown(app, "status-text")
        assert "step 2/2" in status
        assert "epoch 1 batch 2/2" in status
        assert "loss 85.43" in status

        await pilot.press("l")
        event = app.state.event
        assert (event.step, event.epoch, event.batch) == (3, 2, 1)
        assert [int(r) for r in event.rows] == [0, 1]
        assert event.weights_before == pytest.approx(STEP2_WEIGHTS, rel=1e-7)
        assert "step 3/3" in shown(app, "status-text")
        assert "row 1" in shown(app, "batch-body")

    run_scenario(scenario, size=WIDE)


def test_back_keys_restore_the_recorded_steps() -> None:
    def screen_of(app: LogSGDApp) -> tuple[str, str, list[str]]:
        return (
            shown(app, "gradients-body"),
            shown(app, "batch-body"),
            table_lines(app, "predictions-table"),
        )

    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        recorded = {0: (screen_of(app), weights_on_screen(app))}
        for step in (1, 2, 3):
            await pilot.press("right")
            recorded[step] = (screen_of(app), weights_on_screen(app))
        for key, step in (("left", 2), ("backspace", 1), ("h", 0)):
            await pilot.press(key)
            assert app.state.event.step == step, key
            assert app.engine.history_length == 3  # going back keeps the later steps
            screen, weights = recorded[step]
            np.testing.assert_array_equal(weights_on_screen(app), weights)
            assert screen_of(app) == screen, key
            assert f"step {step}/3" in shown(app, "status-text")
        np.testing.assert_array_equal(weights_on_screen(app), INITIAL_WEIGHTS)
        assert "No gradient yet" in shown(app, "gradients-body")

    run_scenario(scenario, size=WIDE)


def test_back_actions_are_disabled_at_step_0() -> None:
    back_actions = ("step_back", "previous_epoch", "first_step", "reset")

    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        for action in back_actions:
            assert app.check_action(action, ()) is None, action
        assert "-disabled" in footer_key(app, "step_back").classes
        await pilot.press("left", "left_square_bracket", "home", "r")
        assert app.engine.cursor == 0 and app.engine.history_length == 0
        await pilot.press("right")
        for action in back_actions:
            assert app.check_action(action, ()) is True, action
        assert "-disabled" not in footer_key(app, "step_back").classes
        await pilot.press("left")
        for action in back_actions:
            assert app.check_action(action, ()) is None, action
        assert "-disabled" in footer_key(app, "step_back").classes

    run_scenario(scenario)


def test_a_command_after_arrow_keys_acts_on_the_step_they_lead_to() -> None:
    # Arrow keys only queue their moves; a command typed right behind them (before the queue
    # is applied) must still find the cursor where the keys took it: lr x2 from step 3.
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        for key in ("right", "right", "u"):  # all three waiting at once, as in a fast typist's
            app.post_message(events.Key(key, "u" if key == "u" else None))
        await pilot.pause()
        engine = app.engine
        assert (engine.cursor, engine.history_length) == (2, 2)
        assert engine.hyperparams_at(2).learning_rate == 0.01
        assert engine.hyperparams.learning_rate == 0.02
        assert "from step 3: lr 0.01 → 0.02" in shown(app, "status-text")

    run_scenario(scenario)


def test_a_palette_command_applies_the_queued_arrow_keys_first() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        entries = {c.title: c for c in app.get_system_commands(app.screen)}
        app.action_step_forward()  # queued, as a Right press queues it: not applied yet
        app.action_step_forward()
        app.action_step_back()
        assert app.engine.cursor == 0
        await entries["lr×2 · key u"].callback()
        engine = app.engine
        # Walked to step 2 and back to 1, then changed there: step 2 is dropped.
        assert (engine.cursor, engine.history_length) == (1, 1)
        assert engine.hyperparams.learning_rate == 0.02
        await pilot.pause()
        assert "from step 2: lr 0.01 → 0.02 (1 later step dropped, shown faint; y: redo)" in shown(
            app, "status-text"
        )

    run_scenario(scenario)


def test_epoch_keys_jump_to_epoch_boundaries() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right_square_bracket")
        event = app.state.event
        assert (event.step, event.epoch, event.batch) == (2, 1, 2)
        assert event.weights_after == pytest.approx(STEP2_WEIGHTS, rel=1e-7)
        assert "step 2/2" in shown(app, "status-text")
        await pilot.press("right", "right_square_bracket")  # from inside epoch 2
        assert (app.state.event.step, app.state.event.epoch) == (4, 2)
        await pilot.press("right", "left_square_bracket")  # from step 5: back to 4
        assert app.state.event.step == 4
        assert "step 4/5" in shown(app, "status-text")
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert app.state.event.step == 0
        assert app.engine.history_length == 5

    run_scenario(scenario)


def test_first_and_last_keys() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right", "right", "right")
        step3_weights = weights_on_screen(app)
        for first_key, last_key in (("home", "end"), ("g", "G")):
            await pilot.press(first_key)
            assert app.state.event.step == 0, first_key
            np.testing.assert_array_equal(weights_on_screen(app), INITIAL_WEIGHTS)
            assert "step 0/3" in shown(app, "status-text")
            await pilot.press(last_key)
            assert app.state.event.step == 3, last_key
            np.testing.assert_array_equal(weights_on_screen(app), step3_weights)
            assert "step 3/3" in shown(app, "status-text")

    run_scenario(scenario)


def test_reset_key_goes_to_step_0_and_keeps_the_history() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right", "right", "right", "r")
        assert app.state.event.step == 0
        assert app.engine.history_length == 3
        np.testing.assert_array_equal(weights_on_screen(app), INITIAL_WEIGHTS)
        assert "No gradient yet" in shown(app, "gradients-body")
        status = shown(app, "status-text")
        assert "step 0/3" in status
        assert "reset to step 0" in status
        await pilot.press("right")  # replays the recorded step 1
        assert app.state.event.weights_after == pytest.approx(STEP1_WEIGHTS, rel=1e-7)
        assert app.engine.history_length == 3
        assert STEP1_TERM_LINE in shown(app, "gradients-body")

    run_scenario(scenario)


# ---------------------------------------------------------------------- autoplay


def test_play_key_starts_and_stops_autoplay() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("plus")  # 4 steps per second keeps the test short
        await pilot.press("p")
        assert app.state.playing
        assert "playing 4/s" in shown(app, "status-text")
        await pilot.pause(0.6)
        playing_step = app.state.event.step
        assert playing_step >= 1
        assert app.engine.history_length == playing_step
        await pilot.press("p")
        assert not app.state.playing
        assert "playing" not in shown(app, "status-text")
        stopped_step = app.state.event.step
        await pilot.pause(0.4)  # more than one tick at 4/s
        assert app.state.event.step == stopped_step
        assert app.engine.cursor == stopped_step

    run_scenario(scenario)


def test_speed_keys_change_the_autoplay_speed() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        assert app.state.speed == 2.0
        await pilot.press("minus", "minus", "minus")
        assert app.state.speed == 0.5  # the slowest: the third - stays there
        assert "autoplay speed 0.5 steps per second" in shown(app, "status-text")
        await pilot.press("plus")
        assert app.state.speed == 1.0
        assert "autoplay speed 1 steps per second" in shown(app, "status-text")
        await pilot.press("equals_sign")  # + without shift
        assert app.state.speed == 2.0
        assert app.engine.cursor == 0  # speed alone never steps

    run_scenario(scenario)


def test_a_speed_change_while_playing_plays_at_the_new_speed() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("p", "minus", "minus")  # from 2 steps a second to 0.5
        assert "playing 0.5/s" in shown(app, "status-text")
        await pilot.pause(0.8)  # at 2/s a step would have come; at 0.5/s none yet
        assert app.engine.cursor == 0
        await pilot.press("plus", "plus", "plus", "plus", "plus")  # 16 steps a second
        await pilot.pause(0.8)
        assert app.engine.cursor >= 2
        await pilot.press("p")
        stopped = app.engine.cursor
        await pilot.pause(0.3)
        assert app.engine.cursor == stopped


# ---------------------------------------------------------------------- live hyperparameters


def test_learning_rate_keys() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("u")
        assert app.engine.hyperparams.learning_rate == 0.02
        status = shown(app, "status-text")
        assert "lr 0.02 " in status
        assert "lr 0.01 → 0.02" in status
        await pilot.press("d")
        assert app.engine.hyperparams.learning_rate == 0.01
        await pilot.press("D")
        assert app.engine.hyperparams.learning_rate == pytest.approx(0.001)
        assert "lr 0.01 → 0.001" in shown(app, "status-text")
        await pilot.press("U", "U")
        assert app.engine.hyperparams.learning_rate == pytest.approx(0.1)
        # The next step runs with the new rate and the gradient panel writes it out.
        await pilot.press("right")
        event = app.state.event
        assert event.hyperparams.learning_rate == pytest.approx(0.1)
        assert event.weights_after[0] == pytest.approx(1e-8 - 0.1 * 58.750030, rel=1e-7)
        assert "w0 <- w0 - lr * g0 = 1.000e-08 - 0.1 * 58.75 = -5.875" in shown(
            app, "gradients-body"
        )
        assert app.engine.history_length == 1  # changes at step 0 drop nothing

    run_scenario(scenario)


def test_learning_rate_times_10_then_divided_by_10_is_the_same_rate() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("U", "D")
        assert app.engine.hyperparams.learning_rate == 0.01
        assert re.search(r"\blr 0\.01 ", shown(app, "status-text"))

    run_scenario(scenario)


def test_lr_change_mid_history_drops_the_future_and_keeps_a_ghost() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right", "right", "right")
        step3_weights = weights_on_screen(app)
        await pilot.press("left")
        assert (app.engine.cursor, app.engine.history_length) == (2, 3)
        await pilot.press("u")
        engine = app.engine
        assert (engine.cursor, engine.history_length) == (2, 2)
        assert engine.hyperparams.learning_rate == 0.02
        ghost = engine.ghost
        assert ghost is not None
        assert ghost.start_step == 3
        assert ghost.hyperparams.learning_rate == 0.01
        np.testing.assert_array_equal(ghost.weights, [step3_weights])
        assert app.state.chart.ghost_steps.tolist() == [3.0]
        status = shown(app, "status-text")
        assert "from step 3: lr 0.01 → 0.02 (1 later step dropped, shown faint; y: redo)" in status
        assert "next step: lr 0.02" in status
        assert "step 2/2" in status
        await pilot.press("right")  # step 3 again, now computed with lr 0.02
        event = app.state.event
        assert event.step == 3 and event.hyperparams.learning_rate == 0.02
        expected = np.array(event.weights_before) - 0.02 * np.array(event.gradient)
        np.testing.assert_allclose(event.weights_after, expected, rtol=1e-15)
        assert not np.allclose(event.weights_after, step3_weights)
        assert " - 0.02 * " in shown(app, "gradients-body")
        assert "step 3 · lr 0.02" in shown(app, "gradients-body").splitlines()[0]

    run_scenario(scenario)


def test_batch_size_keys() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("b")
        assert app.engine.hyperparams.batch_size == 3
        status = shown(app, "status-text")
        assert "batch size 3" in status
        assert "batch size 2 → 3" in status
        await pilot.press("right")
        assert [int(r) for r in app.state.event.rows] == [0, 1, 2]
        assert "rows 1, 2, 3" in shown(app, "batch-body")
        assert "g0 = (60.50 + 57.00 - 105.0) / 3 = " in shown(app, "gradients-body")
        await pilot.press("b", "b")  # 3 -> 4, then 5 of 4 rows is refused
        assert app.engine.hyperparams.batch_size == 4
        assert (
            "not changed: batch size must be between 1 and the number of rows (4), got 5"
            in shown(app, "status-text")
        )
        await pilot.press("B", "B", "B", "B")  # 4 -> 1, then 0 is refused
        assert app.engine.hyperparams.batch_size == 1
        assert "got 0" in shown(app, "status-text")
        assert (app.engine.cursor, app.engine.history_length) == (1, 1)

    run_scenario(scenario)


def test_shuffle_key() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("s")
        assert app.engine.hyperparams.shuffle is True
        assert "shuffle on" in shown(app, "status-text")
        await pilot.press("right", "right")
        shown_rows = [int(r) for r in app.engine.event_at(1).rows] + [
            int(r) for r in app.state.event.rows
        ]
        # The same rows in the same order as the engine alone gives for this seed.
        reference = Engine(
            app.engine.dataset,
            hyperparams=Hyperparams(learning_rate=0.01, batch_size=2, shuffle=True, seed=0),
            initial_weights=INITIAL_WEIGHTS,
        )
        expected = [int(r) for r in reference.step().rows] + [int(r) for r in reference.step().rows]
        assert shown_rows == expected
        assert sorted(shown_rows) == [0, 1, 2, 3]
        await pilot.press("s")
        assert app.engine.hyperparams.shuffle is False
        assert "next step: shuffle off" in shown(app, "status-text")

    run_scenario(scenario)


def test_standardize_key_restarts_with_standardized_features() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("1", "right", "right", "z")
        engine = app.engine
        assert engine.standardized is True
        assert (engine.cursor, engine.history_length) == (0, 0)
        np.testing.assert_allclose(engine.inputs.mean(axis=0), 0.0, atol=1e-12)
        np.testing.assert_allclose(engine.inputs.std(axis=0), 1.0, rtol=1e-12)
        status = shown(app, "status-text")
        assert "standardized" in status
        assert "standardization on: restarted at step 0" in status
        x1_row1 = fmt(float(engine.inputs[0][0]))
        assert x1_row1.startswith("-")  # 121 is below the mean of x1
        assert row_cells(table_lines(app, "dataset-table"), 1)[1] == x1_row1
        assert table_lines(app, "dataset-table")[0] == "standardized"  # the caption
        await pilot.press("right")
        assert f"(f1 - y1) * x1 = 0.499999998 * ({x1_row1}) = " in shown(app, "gradients-body")
        await pilot.press("z")
        assert app.engine.standardized is False and app.engine.cursor == 0
        assert row_cells(table_lines(app, "dataset-table"), 1)[1:] == ["121", "14.8", "0"]
        assert "standardization off" in shown(app, "status-text")

    run_scenario(scenario)


# ---------------------------------------------------------------------- long runs


def test_run_key_runs_ten_epochs_in_the_background() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("R")
        await app.workers.wait_for_complete()
        await pilot.pause()
        event = app.state.event
        assert (event.step, event.epoch, event.batch) == (20, 10, 2)
        assert app.engine.history_length == 20
        assert app.state.busy == ""
        assert not app.has_class("busy")
        assert app.check_action("step_forward", ()) is True
        status = shown(app, "status-text")
        assert "step 20/20" in status
        assert "10th epoch end" in status

    run_scenario(scenario)


def test_escape_cancels_a_background_run(dataset_maker: Callable[..., Dataset]) -> None:
    # A million rows at batch size 1: ten epochs are ten million steps (seconds of work), far
    # more than the time it takes to press Escape.
    rows = 1_000_000
    dataset = dataset_maker(n=rows, hyperparams=Hyperparams(batch_size=1))

    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("p")  # autoplay on: the run stops it, and says so
        await pilot.press("R")
        assert app.state.busy and not app.state.playing
        assert app.state.notice.endswith("(Escape cancels) (autoplay stopped)")
        assert app.has_class("busy")
        assert app.query_one("#progress").display  # mounted for the run
        assert app.check_action("step_forward", ()) is False
        assert app.check_action("edit", ()) is False
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.state.busy == ""
        assert not app.query("#progress")  # and gone with it
        assert "cancelled" in shown(app, "status-text")
        stopped_at = app.engine.cursor
        assert 0 < stopped_at < 10 * rows
        assert app.state.event.step == stopped_at
        assert app.engine.history_length == stopped_at
        await pilot.press("right")
        assert app.engine.cursor == stopped_at + 1

    run_scenario(scenario, app=LogSGDApp(Engine(dataset)))


def test_a_background_run_that_diverges_says_so_not_done() -> None:
    # lr 1e304 on the seed lecture: z = w.x overflows the data at step 2.
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("R")
        await app.workers.wait_for_complete()
        await pilot.pause()
        notice = app.state.notice
        assert app.engine.diverged_at == 2 and app.engine.cursor == 1
        assert notice.startswith(
            "stopped running to the 10th epoch end at step 1: diverged at step 2"
        ), notice
        assert "done" not in notice
        assert "diverged at step 2" in shown(app, "status-text")

    run_scenario(scenario, "--lr", "1e304")


# ---------------------------------------------------------------------- view


def test_chart_key_toggles_weights_and_loss() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right", "right")
        assert app.state.chart.series_names == ("w0", "w1", "w2 bias")
        await pilot.press("c")
        chart = app.state.chart
        assert app.state.chart_mode == "loss" and chart.mode == "loss"
        assert chart.series_names == ("loss",)
        # The lecture's full-data loss at steps 0, 1, 2.
        np.testing.assert_allclose(
            chart.values[:, 0], [0.69314695, 60.255655, 85.430607], rtol=1e-7
        )
        assert str(app.query_one("#chart").border_title).lower().startswith("loss")
        await pilot.press("c")
        assert app.state.chart.mode == "weights"
        np.testing.assert_allclose(app.state.chart.values[1], STEP1_WEIGHTS, rtol=1e-7)
        assert str(app.query_one("#chart").border_title).lower().startswith("weights")

    run_scenario(scenario)


@pytest.mark.parametrize("width", [60, 80, 120])
def test_the_status_line_breaks_between_its_parts_and_is_as_high_as_its_lines(width: int) -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right", "u")  # a "next step" part and a notice
        static = app.query_one("#status-text", Static)
        lines = shown(app, "status-text").splitlines()
        assert static.size.height == len(lines)
        assert all(len(line) <= static.content_region.width for line in lines), lines
        # Every part whole on one line; they read in order.
        parts = [part for line in lines for part in line.split(" · ")]
        assert parts == [
            "seed",
            "step 1/1",
            "epoch 1 batch 1/2",
            "loss 60.26",
            "accuracy 50.0%",
            "lr 0.01",
            "batch size 2",
            "shuffle off",
            "raw features",
            "next step: lr 0.02",
            "from step 2: lr 0.01 → 0.02",
        ]
        assert len(lines) == (5 if width == 60 else 3)  # at 60 both first lines break

    run_scenario(scenario, size=(width, 36 if width == 120 else 24))


def test_panel_keys_show_one_panel_at_a_time_in_the_compact_layout() -> None:
    def visible(app: LogSGDApp) -> list[str]:
        return [name for name in PANELS if app.query_one(f"#{name}").display]

    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        assert app.has_class("layout-single")
        assert visible(app) == ["batch"]
        for number, name in enumerate(PANELS, start=1):
            await pilot.press(str(number))
            assert app.state.selected_panel == name
            assert visible(app) == [name]
            assert app.query_one(f"#{name}").region.height > 10
            assert f" {number} {name} " in shown(app, "tabs")
        await pilot.press("tab")  # from the last panel round to the first
        assert visible(app) == ["dataset"]

    run_scenario(scenario)


def test_tab_selects_the_next_panel_in_the_wide_layout() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        assert app.has_class("layout-full")
        await pilot.press("tab")
        assert app.state.selected_panel == PANELS[PANELS.index("batch") + 1]
        assert app.query_one(f"#{app.state.selected_panel}").has_class("-selected")
        assert not app.query_one("#batch").has_class("-selected")
        assert all(app.query_one(f"#{name}").display for name in PANELS)

    run_scenario(scenario, size=WIDE)


def test_scroll_keys_scroll_the_selected_panel() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press(str(PANELS.index("predictions") + 1))
        table = app.query_one("#predictions-table", RowTable)
        # Two lines stay put above the rows: the caption, then the column names.
        assert table_lines(app, "predictions-table")[2].split()[0] == "1"
        await pilot.press("down")
        assert table.scroll_offset.y == 1
        assert table_lines(app, "predictions-table")[2].split()[0] == "2"
        await pilot.press("pagedown")
        assert table.scroll_offset.y == 11
        assert table_lines(app, "predictions-table")[2].split()[0] == "12"
        await pilot.press("pageup", "up")
        assert table.scroll_offset.y == 0
        await pilot.press("1")  # the dataset: 30 features, wider than the screen
        dataset = app.query_one("#dataset-table", RowTable)
        header = table_lines(app, "dataset-table")[1]  # below the caption (class names)
        names = app.engine.dataset.feature_names

        def whole_names(line: str) -> set[str]:
            return {name for name in names if f" {name} " in f" {line} "}

        await pilot.press("shift+right", "shift+right")
        assert dataset.scroll_offset.x == 16
        scrolled = table_lines(app, "dataset-table")[1]
        assert whole_names(scrolled) - whole_names(header), "no new column came into view"
        await pilot.press("shift+left", "shift+left")
        assert dataset.scroll_offset.x == 0
        assert table_lines(app, "dataset-table")[1] == header
        assert app.engine.cursor == 0

    run_scenario(scenario, "--dataset", "breast-cancer")


# ---------------------------------------------------------------------- help, quit, palette


def test_help_keys_list_every_command() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("space", "u")  # the help is in front: no step, no change
        assert app.engine.cursor == 0
        assert app.engine.hyperparams.learning_rate == 0.01
        table = app.screen.query_one("#help-table", Static)
        lines = [table.render_line(y).text for y in range(table.size.height)]
        for command in COMMANDS:
            assert any(
                line.startswith(command.keys_shown + " ") and command.help in line for line in lines
            ), f"help lacks {command.keys_shown}: {command.help}"
        await pilot.press("question_mark")
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        assert app.engine.cursor == 0

    run_scenario(scenario)  # one column of keys here, so every line is whole


def test_q_on_the_help_screen_closes_the_help() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("question_mark", "q")
        assert app.is_running
        assert not isinstance(app.screen, HelpScreen)

    run_scenario(scenario)


@pytest.mark.parametrize("key", ["q", "ctrl+q"])
def test_quit_keys(key: str) -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        assert app.is_running
        await pilot.press(key)
        assert not app.is_running

    app = run_scenario(scenario)
    assert app.return_code == 0


def test_every_command_is_bound_to_its_keys() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        active = app.active_bindings
        for command in COMMANDS:
            for key in command.keys.split(","):
                assert active[key].binding.action == command.action, key

    run_scenario(scenario)


def test_palette_has_every_command_and_runs_it() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        entries = {c.title: c for c in app.get_system_commands(app.screen)}
        for command in COMMANDS:
            title = command.palette_title
            assert title in entries, title
            assert entries[title].help == command.help
        # One entry a command: Textual's own Quit, Keys and Screenshot are not beside ours.
        assert sorted(entries) == sorted([c.palette_title for c in COMMANDS] + ["Theme"])
        assert entries["Epoch» · key ]"].help == "Forward to the next epoch boundary"
        await entries["Step · keys → space l"].callback()
        await pilot.pause()
        assert app.state.event.step == 1
        assert STEP1_TERM_LINE in shown(app, "gradients-body")
        # Through the palette itself, as a person would use it.
        await choose_in_palette(app, pilot, "Run to", "Run to the 10th epoch end")
        await app.workers.wait_for_complete()
        await pilot.pause()
        # From step 1 the run finishes epoch 1, then nine more.
        assert (app.state.event.step, app.state.event.epoch) == (20, 10)

    run_scenario(scenario)


def test_a_large_batch_writes_every_row_and_expands_the_first_ones() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right")
        event = app.state.event
        assert event.batch_size == 20
        lines = shown(app, "batch-body").splitlines()
        text = "\n".join(lines)
        assert lines[0] == "batch 1/5 of epoch 1 · step 1"
        for i, row in enumerate(event.rows):
            k = int(row) + 1
            z, f, loss = fmt(event.z[i]), fmt_prob(event.f[i]), fmt(event.sample_losses[i])
            if i < MAX_ROWS_EXPANDED:  # z = w.x written out, then its value
                assert f"  z{k} = w0*x1 + w1*x2" in text
                assert f"  f{k} = σ(z{k}) = {f}" in text
                assert f"loss{k} = -log(1 - f{k}) = {loss}" in text or (
                    f"loss{k} = -log f{k} = {loss}" in text
                )
            else:  # three short lines, formatted when scrolled into view
                assert f"row {k}  z{k} = {z}\n  f{k} = {f}\n  loss{k} = {loss}" in text
        assert f"the other {20 - MAX_ROWS_EXPANDED} rows, z = w.x as above:" in text
        assert " ".join(text.split("\n\n")[-1].split()) == (
            f"batch loss = the mean of the 20 losses = {fmt(event.batch_loss)}"
        )
        # The whole batch: the last row's lines come into view at the end of the scroll.
        table = app.query_one("#batch-body", RowTable)
        table.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        drawn = table_lines(app, "batch-body")
        assert drawn[-1] == f"batch loss = the mean of the 20 losses = {fmt(event.batch_loss)}"
        k = int(event.rows[-1]) + 1
        assert f"row {k}  z{k} = {fmt(event.z[-1])}" in drawn

    run_scenario(scenario, "--dataset", "iris-setosa-versicolor", "--batch-size", "20")


@pytest.mark.parametrize("screen_key", ["question_mark", "e", "ctrl+p"])
def test_ctrl_q_quits_from_every_screen(screen_key: str) -> None:
    # Help lists ctrl+q as Quit; it once did nothing from help, the edit form and the palette.
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press(screen_key)
        await pilot.pause()
        assert app.screen is not app.screen_stack[0]
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running

    run_scenario(scenario)


def test_the_screenshot_goes_to_the_working_directory_and_says_where(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right", "f12")
        await pilot.pause()
        saved = list(tmp_path.glob("logsgd-tui-step1-*.svg"))
        assert len(saved) == 1 and saved[0].read_text().startswith("<svg")
        assert app.state.notice == f"screenshot saved: {saved[0]}"
        # A directory one may not write: the notice says why, nothing crashes.
        monkeypatch.setattr(app, "save_screenshot", fail_with_permission)
        await pilot.press("f12")
        await pilot.pause()
        assert app.state.notice == f"screenshot not saved: {tmp_path}: Permission denied"

    run_scenario(scenario)


def fail_with_permission(*_args: object) -> str:
    raise PermissionError(13, "Permission denied")


def test_a_notice_is_cleared_by_the_next_step_and_never_moves_the_panels() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        top = app.query_one("#batch").region.y
        await pilot.press("right", "r")  # "reset to step 0 ..."
        await pilot.pause()
        assert app.state.notice.startswith("reset to step 0")
        assert app.query_one("#batch").region.y == top
        await pilot.press("right", "right", "right")
        await pilot.pause()
        assert app.state.notice == ""
        assert "reset to step 0" not in shown(app, "status-text")
        assert app.query_one("#batch").region.y == top

    run_scenario(scenario, size=(120, 36))


def test_r_from_mid_epoch_runs_to_the_tenth_epoch_end_and_says_where() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right", "p")  # mid-epoch 1 (batch 1 of 2), autoplay on
        await pilot.press("R")
        await app.workers.wait_for_complete()
        await pilot.pause()
        # Epoch 1's end is the first of the ten: step 20 of 2-step epochs, not step 21.
        assert app.engine.cursor == 20 and app.state.event.epoch == 10
        assert not app.state.playing
        assert app.state.notice == (
            "done: running to the 10th epoch end, now at step 20, the end of epoch 10"
        )

    run_scenario(scenario)
