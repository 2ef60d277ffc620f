"""The Textual app: holds one ViewState, turns keys into engine calls, engine events into state."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import math
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np
from textual import actions, events, work
from textual.actions import ActionParseResult
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import ActiveBinding
from textual.containers import Horizontal, Vertical
from textual.dom import DOMNode
from textual.geometry import Size
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static

from logsgd.core.dataset import TrainingData
from logsgd.core.engine import Engine
from logsgd.core.events import (
    Diverged,
    EngineMessage,
    HyperparamsChanged,
    Reset,
    StepEvent,
    Switched,
)
from logsgd.core.formatting import fmt_data
from logsgd.core.landscape import GridRequest, objective_grid
from logsgd.core.params import SettingError, scaled
from logsgd.core.quiz import Quiz, too_long
from logsgd.core.runs import PinError, Pins
from logsgd.core.scenario import Scenario
from logsgd.core.text import quoted, visible
from logsgd.core.until import Condition, Outcome
from logsgd.tui.chartdata import chart_data
from logsgd.tui.commands import COMMANDS, bindings, footer_commands
from logsgd.tui.landscapedata import LandscapeGrids, landscape_data
from logsgd.tui.panels.batch import BatchPanel
from logsgd.tui.panels.chart import ChartPanel
from logsgd.tui.panels.dataset import DatasetPanel
from logsgd.tui.panels.gradients import GradientsPanel
from logsgd.tui.panels.predictions import PredictionsPanel
from logsgd.tui.panels.status import StatusLine, describe_changes
from logsgd.tui.quiz import ANSWER_MAX_LENGTH, ROWS_ANSWER_MAX_LENGTH, QuizBar, step_quiz
from logsgd.tui.rowtable import RowTable
from logsgd.tui.state import PANELS, ChartMode, DataInfo, LandscapeData, PinnedLine, ViewState

if TYPE_CHECKING:
    from logsgd.core.files import Output
    from logsgd.core.session import DataSource, Opened
    from logsgd.tui.cli import Setup

# Epochs that R runs in the background.
RUN_EPOCHS = 10
# Runs longer than this many new steps go to a worker thread, with a progress bar.
BACKGROUND_STEPS = 2000
# Seconds an orderly exit on SIGTERM or SIGHUP may take before the process ends without it.
SIGNAL_EXIT_GRACE = 2.0
SPEEDS = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0)
# Below this the panels cannot show a formula line; the app says so instead of drawing garbage.
MIN_WIDTH = 60
MIN_HEIGHT = 16
# Allocations between collections of the youngest generation, once the app is up (default 700).
GC_YOUNG_THRESHOLD = 50_000
ENGINE_ACTIONS = {c.action_name for c in COMMANDS if c.changes_run}
BACK_ACTIONS = {c.action_name for c in COMMANDS if c.goes_back}
# The arrow keys' actions: queued and applied together (see run_action).
MOVE_ACTIONS = {c.action_name for c in COMMANDS if c.queued}


@dataclass(frozen=True)
class Layout:
    """Which panels a terminal of at least `min_size` shows, in PANELS' order (the two rows of
    the full layout: dataset, batch, predictions over gradients, chart), and where a panel it
    has no room for shows while it is selected: in place of the panel `stands_in_for` names."""

    name: str
    min_size: tuple[int, int]
    shown: tuple[str, ...]  # empty: the selected panel alone
    stands_in_for: Mapping[str, str]

    def panels_on_screen(self, selected: str) -> tuple[str, ...]:
        """The panels on screen while `selected` is selected, in PANELS' order."""
        if not self.shown:
            return (selected,)
        replaced = self.stands_in_for.get(selected)
        return tuple(
            name for name in PANELS if name == selected or (name in self.shown and name != replaced)
        )


# The largest that fits is used. The derivation (batch, gradients) stays on screen down to
# 80x24; a 100x30 laptop or SSH window also shows the predictions and the chart.
LAYOUTS = (
    Layout("full", (110, 30), PANELS, {}),
    Layout(
        "grid",
        (90, 26),
        ("batch", "predictions", "gradients", "chart"),
        {"dataset": "predictions"},
    ),
    Layout(
        "pair",
        (70, 22),
        ("batch", "gradients"),
        {"dataset": "batch", "predictions": "batch", "chart": "gradients"},
    ),
    Layout("single", (MIN_WIDTH, MIN_HEIGHT), (), {}),
)


def layout_for(width: int, height: int) -> Layout | None:
    """The layout for a terminal of this size; None below the smallest (too small)."""
    for layout in LAYOUTS:
        min_width, min_height = layout.min_size
        if width >= min_width and height >= min_height:
            return layout
    return None


def tabs_text(selected: str, on_screen: Iterable[str], width: int) -> str:
    """The panels' keys, the selected one in reverse and those not on screen faint (our own
    markup, constant); spaced out when the width allows."""
    shown = set(on_screen)
    tabs = [
        (f" {i} {name} ", "reverse" if name == selected else "" if name in shown else "dim")
        for i, name in enumerate(PANELS, start=1)
    ]
    gap = "  " if sum(len(tab) + 2 for tab, _ in tabs) <= width else ""
    return gap.join(f"[{style}]{tab}[/]" if style else tab for tab, style in tabs)


class MainScreen(Screen[Any]):
    """The app's screen: its Footer shows the commands that fit its width (see footer_commands)."""

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """Textual's active bindings, with `show` on for the Footer's commands at this width
        only, and those first, in their Footer order: the Footer draws them in this order."""
        active = super().active_bindings
        app = self.app
        place = app.footer_places if isinstance(app, LogSGDApp) else {}
        first = sorted(
            (key for key, found in active.items() if found.binding.id in place),
            key=lambda key: place[active[key].binding.id or ""],
        )
        bindings = {key: active[key] for key in first}
        for key, found in active.items():
            if key not in bindings:
                hidden = replace(found.binding, show=False) if found.binding.show else None
                bindings[key] = found._replace(binding=hidden) if hidden else found
        return bindings


class LogSGDApp(App[int]):
    """Step through SGD of one sigmoid neuron, every number of the hand calculation on screen."""

    CSS_PATH = "app.tcss"
    TITLE = "logsgd-tui"
    BINDINGS = bindings()

    # The one state: the step on screen and every view setting (ViewState's fields). It
    # changes only by being replaced; the panels are bound to it, and watch_state does what
    # a change does beyond drawing. repaint=False: the panels repaint what they change; a
    # repaint of the App would mark the whole screen dirty and redraw every widget.
    state: reactive[ViewState | None] = reactive(
        None, init=False, always_update=True, repaint=False
    )
    # Set by run_app for the real process; tests that build many apps leave the collector alone.
    freeze_startup_objects = False

    def __init__(
        self,
        engine: Engine,
        quiz: Quiz | None = None,
        session_path: str | None = None,
        source: DataSource | None = None,
        opened: Opened | None = None,
        scenario: Scenario | None = None,
    ) -> None:
        """`quiz`: start in quiz mode, with these settings. `session_path`: where ctrl+s saves
        (None: asked the first time); `source`: the data as a session names it; `opened`: a
        session replayed, to show as it was saved (its engine is `engine`); `scenario`: play
        this lecture."""
        super().__init__()
        self.engine = engine
        self._start_scenario = scenario
        # The pinned runs (A, B, C); ViewState.pinned names their letters.
        self.pins = Pins()
        self.session_path = session_path
        self.source = source
        self._opened = opened
        if opened is not None:
            self.source = opened.session.source
            for letter, run in opened.pins:
                self.pins.restore(letter, run)
        self._start_quiz = quiz
        self._timer: Timer | None = None
        self._main_thread = threading.get_ident()
        # Arrow keys queue moves; one flush applies them all and draws once (key floods).
        self._moves: list[int] = []
        self._flush_scheduled = False
        self._run_started_at = 0  # the cursor when the last background run started
        self._bindings_key: tuple[bool, bool] | None = None
        # The layout for the terminal's size (None: too small), and the Footer's commands at
        # its width: their ids and places (MainScreen.active_bindings reads them).
        self.layout: Layout | None = None
        self.footer_places: dict[str, int] = {}
        # The loss landscape's grids, kept; a large one is computed by a worker.
        self.landscape_grids = LandscapeGrids(self._compute_landscape_grid)
        engine.subscribe(self.engine_message)

    def get_default_screen(self) -> Screen[Any]:
        return MainScreen(id="_default")

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status-text").data_bind(LogSGDApp.state)
        # The two rows of panels share the height between the status line and the Footer, in
        # PANELS' order; the layout (LAYOUTS) says which show, app.tcss how they are sized.
        with Vertical(id="panels"):
            with Horizontal(id="top", classes="row"):
                yield DatasetPanel(id="dataset", classes="panel").data_bind(LogSGDApp.state)
                yield BatchPanel(id="batch", classes="panel").data_bind(LogSGDApp.state)
                yield PredictionsPanel(id="predictions", classes="panel").data_bind(LogSGDApp.state)
            with Horizontal(id="bottom", classes="row"):
                yield GradientsPanel(id="gradients", classes="panel").data_bind(LogSGDApp.state)
                yield ChartPanel(id="chart", classes="panel").data_bind(LogSGDApp.state)
        # The tabs (compact layout), the too-small notice and the progress bar (a background
        # run) are mounted when needed: every widget costs the first frame its mount, its
        # styles and its rendering.
        yield Footer()

    def on_mount(self) -> None:
        self._fit_to(self.size)
        event = self.engine.current()
        mode: ChartMode = "weights"
        self.state = ViewState(
            event=event,
            data=self._data_info(),
            chart=chart_data(self.engine, mode, event.step),
            chart_mode=mode,
        )
        if self._start_quiz is not None:
            self._mount_quiz_bar()
            self._change(quiz_on=True, quiz=self._start_quiz)
        if self._opened is not None:
            self._show_opened(self._opened)
        if self._start_scenario is not None:
            self._start_playing(self._start_scenario)
        self.call_after_refresh(self._after_first_frame)
        self._end_on_signals()

    # SIGTERM (kill, a closed SSH session's hang-up: SIGHUP) must not leave the terminal in
    # the alternate screen with mouse reporting on: the app exits as if quit, restoring it.
    ENDING_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
    ended_by_signal: int | None = None

    def _end_on_signals(self) -> None:
        loop = asyncio.get_running_loop()
        for signum in self.ENDING_SIGNALS:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(signum, self._end_by_signal, signum)

    def _end_by_signal(self, signum: int) -> None:
        self.ended_by_signal = signum
        # A hang-up takes the terminal away, and Textual's shutdown can then wait forever on
        # its output thread (every app of a killed tmux server did; each dropped SSH session
        # left a process running). If the orderly exit has not ended the process by then, it
        # ends without it: there is no terminal left to restore.
        watchdog = threading.Timer(SIGNAL_EXIT_GRACE, os._exit, (128 + signum,))
        watchdog.daemon = True
        watchdog.start()
        self.exit(128 + signum)

    def _after_first_frame(self) -> None:
        if self.freeze_startup_objects:
            # Start-up objects (Textual's, numpy's, ours) live as long as the app: freeze
            # them out of the collector so later collections, one every few keys, stay short.
            gc.freeze()
            # A step allocates a few thousand short-lived objects (texts, segments, strips),
            # which the default threshold (700) collects several times per key: collect the
            # youngest generation every GC_YOUNG_THRESHOLD allocations instead, about once per
            # few keys. Cycles are still collected, later.
            gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
            gc.enable()

    def on_resize(self, event: events.Resize) -> None:
        self._fit_to(event.size)

    def _fit_to(self, size: Size) -> None:
        """The layout for the terminal's size (see LAYOUTS), or a notice that it is too small;
        and the Footer's commands that fit its width."""
        width, height = size
        layout = layout_for(width, height)
        self.set_class(layout is None, "too-small")
        self._place(
            "too-small",
            layout is None,
            f"terminal too small: need at least {MIN_WIDTH}x{MIN_HEIGHT}\n(now {width}x{height})",
        )
        for each in LAYOUTS:
            self.set_class(each is layout, f"layout-{each.name}")
        self.layout = layout
        self._arrange(self.state.selected_panel if self.state is not None else "batch")
        footer = self.query_one(Footer)
        footer.compact = layout is not LAYOUTS[0]
        commands, palette = footer_commands(width, footer.compact)
        places = {command.id: place for place, command in enumerate(commands)}
        if places != self.footer_places or palette != footer.show_command_palette:
            self.footer_places = places
            footer.show_command_palette = palette
            self.refresh_bindings()

    def _arrange(self, selected: str) -> None:
        """Show the panels of the layout while `selected` is selected, and the tabs (every
        layout but the full one), the selected one marked."""
        layout = self.layout
        on_screen = layout.panels_on_screen(selected) if layout is not None else ()
        for name in PANELS:
            panel = self.query_one(f"#{name}")
            panel.display = name in on_screen
            panel.set_class(name == selected, "-selected")
        for row in self.query(".row"):
            row.display = any(panel.display for panel in row.query(".panel"))
        tabs = layout is not None and layout is not LAYOUTS[0]
        self._place("tabs", tabs, tabs_text(selected, on_screen, self.size.width))

    def _place(self, name: str, shown: bool, text: str) -> None:
        """Mount the Static #name showing text, or update it, or remove it when not shown."""
        present = self.query(f"#{name}").results(Static)
        static = next(iter(present), None)
        if not shown:
            if static is not None:
                static.remove()
        elif static is None:
            self.mount(Static(text, id=name), before=self.query_one(Footer))
        else:
            static.update(text)

    def _show_progress(self, shown: bool) -> None:
        """The progress bar of a background run, mounted while it runs."""
        from textual.widgets import ProgressBar  # not needed for the first frame

        bars = self.query("#progress").results(ProgressBar)
        bar = next(iter(bars), None)
        if shown and bar is None:
            bar = ProgressBar(id="progress", show_eta=False, total=100)
            self.mount(bar, before=self.query_one(Footer))
        elif not shown and bar is not None:
            bar.remove()

    # ------------------------------------------------------------------ the state

    def _change(self, **changes: Any) -> None:
        """Replace the state with one whose given fields differ (its chart follows in
        validate_state, the side effects in watch_state)."""
        if self.state is not None:
            self.state = replace(self.state, **changes)

    def validate_state(self, state: ViewState | None) -> ViewState | None:
        """Give a state whose step or chart mode changed the chart of its own: the one place
        the app builds a chart (a replaced state still carries the chart it came with)."""
        old = self.state
        if state is None:
            return None
        if old is not None and state.chart is old.chart and _chart_is_stale(state, old):
            step = state.event.step
            chart = chart_data(
                self.engine,
                state.chart_mode,
                step,
                self.pins,
                state.highlighted_weight,
                drawn_to=step - 1 if step_quiz(state).results_hidden else None,
            )
            state = replace(state, chart=chart)
        if state.chart_mode == "landscape":
            if _landscape_is_stale(state, old):
                state = replace(state, landscape=self._landscape(state))
        elif state.landscape is not None:
            state = replace(state, landscape=None)
        return state

    def _landscape(self, state: ViewState) -> LandscapeData:
        """The landscape at the state's step; a pair the data has no room for falls back to
        w0 and w1 (after a restart with fewer features)."""
        pair = state.landscape_pair
        weights = self.engine.dataset.n_features + 1
        if max(pair) >= weights:
            pair = (0, 1)
        hidden = step_quiz(state).results_hidden  # quiz: the step's move is asked
        return landscape_data(self.engine, pair, self.landscape_grids, before=hidden)

    def watch_state(self, old: ViewState | None, new: ViewState | None) -> None:
        """What a change of the view does beyond drawing it: all of it, here.

        The panels redraw themselves (each bound to the state); this starts and stops the
        autoplay timer, lays out the selected panel, shows a background run, and refreshes
        the Footer's keys when what check_action answers can have changed.
        """
        if new is None:
            return
        if old is None or (old.playing, old.speed) != (new.playing, new.speed):
            if self._timer is not None:
                self._timer.stop()
                self._timer = None
            if new.playing:
                self._timer = self.set_interval(1.0 / new.speed, self._autoplay_tick)
        if old is None or old.selected_panel != new.selected_panel:
            self._arrange(new.selected_panel)
        if old is None or old.focus != new.focus:
            self.set_class(new.focus, "focus")
        if bool(old and old.busy) != bool(new.busy):
            self.set_class(bool(new.busy), "busy")
            self._show_progress(bool(new.busy))
        # The Footer re-lays itself out on every refresh_bindings; only ask when what
        # check_action answers can have changed (back at step 0, a background run).
        enabled = (new.event.step == 0, bool(new.busy))
        if enabled != self._bindings_key:
            self._bindings_key = enabled
            self.refresh_bindings()

    # ------------------------------------------------------------------ engine -> state

    def engine_message(self, message: EngineMessage) -> None:
        """The app's subscriber to its engine: the message's step goes on screen (from any
        thread; a background run's messages are handed to the app's own)."""
        if threading.get_ident() != self._main_thread:
            self.call_from_thread(self._receive, message)
        else:
            self._receive(message)

    def _receive(self, message: EngineMessage) -> None:
        changes: dict[str, Any] = {}
        if isinstance(message, HyperparamsChanged):
            dropped = message.dropped_steps
            later = "later step" if dropped == 1 else "later steps"
            changes["notice"] = self._change_notice(message) + (
                f" ({dropped} {later} dropped, shown faint; y: redo)" if dropped else ""
            )
            if not dropped and self.engine.dropped_fits() and self.engine.dropped is not None:
                # Back to the settings the dropped steps ran with, where they part: offer them.
                kept = self.engine.dropped.steps
                steps = "step" if kept == 1 else "steps"
                changes["notice"] += (
                    f"; the {kept} dropped {steps} ran with these settings: y brings them back "
                    "as recorded"
                )
        elif isinstance(message, Diverged):
            changes["notice"] = f"diverged at step {message.at_step}: {message.reason}"
            changes["playing"] = False
        elif isinstance(message, Switched):
            changes["data"] = self._data_info()  # raw or standardized, as the run taken up
        elif isinstance(message, Reset):
            if message.restarted:
                changes["data"] = self._data_info()
                changes["notice"] = "restarted at step 0"
            else:
                changes["notice"] = "reset to step 0 (the recorded steps are kept: → replays them)"
        # A notice belongs to the action that caused it: the next step or move clears it.
        changes.setdefault("notice", "")
        self._change(event=message.event, **changes)

    def _change_notice(self, message: HyperparamsChanged) -> str:
        """What changed and from which step it applies: shuffle and seed from the next epoch
        (an epoch's order is fixed when it begins), the rest from the next step."""
        old, new = message.old, message.new
        order_changed = (old.shuffle, old.seed) != (new.shuffle, new.seed)
        now = replace(new, shuffle=old.shuffle, seed=old.seed) if order_changed else new
        parts = []
        described = describe_changes(old, now, show_old=True)
        if described:
            parts.append(f"from step {message.event.step + 1}: {described}")
        if order_changed:
            epoch, step = self.engine.order_takes_effect()
            parts.append(
                f"from epoch {epoch}, step {step}: {describe_changes(now, new, show_old=True)}"
            )
        return "; ".join(parts)

    def _data_info(self) -> DataInfo:
        ds = self.engine.dataset
        return DataInfo(
            name=ds.name,
            feature_names=ds.feature_names,
            label_name=ds.label_name,
            class_names=ds.class_names,
            inputs=self.engine.inputs,
            labels=ds.labels,
        )

    # ------------------------------------------------------------------ commands

    async def run_action(
        self,
        action: str | ActionParseResult,
        default_namespace: DOMNode | None = None,
        namespaces: Mapping[str, DOMNode] | None = None,
    ) -> bool:
        """Every command comes through here, from a key, the palette or the Footer (whose
        keys are simulated key presses).

        An arrow key only queues its move; any other command first applies the moves queued
        before it, so that it acts on the step the lecturer pressed their way to.
        """
        _, name, _ = actions.parse(action) if isinstance(action, str) else action
        if name not in MOVE_ACTIONS:
            self._flush_moves()
        return await super().run_action(action, default_namespace, namespaces)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next_panel" and self.screen is not self.screen_stack[0]:
            return False  # in a form, tab moves between fields
        if self.state is not None and self.state.busy and action in ENGINE_ACTIONS:
            return False
        if action in BACK_ACTIONS and self._cursor_after_queued_moves() == 0:
            return None  # shown greyed in the Footer
        return True

    # ------------------------------------------------------------------ stepping

    def action_step_forward(self) -> None:
        if not self._reveal_open_answers():
            self._queue_move(+1)

    def action_step_back(self) -> None:
        self._queue_move(-1)

    def _queue_move(self, move: int) -> None:
        self._moves.append(move)
        if not self._flush_scheduled:
            self._flush_scheduled = True
            # Runs after the keys already queued, so a flood becomes one engine walk and one
            # redraw; never a dropped step.
            self.call_later(self._flush_moves)

    def _flush_moves(self) -> None:
        self._flush_scheduled = False
        moves, self._moves = self._moves, []
        if moves:
            self._walk(moves)

    def _cursor_after_queued_moves(self) -> int:
        cursor = self.engine.cursor
        for move in self._moves:
            cursor = max(0, cursor + move)
        return cursor

    def action_next_epoch(self) -> None:
        if self.engine.steps_to_next_boundary() > BACKGROUND_STEPS:
            self._start_background(1, "running to the end of the epoch")
        else:
            start = self.engine.cursor
            self.engine.next_epoch_boundary()
            self._pause_at_passed_stop(start, "]")

    def action_previous_epoch(self) -> None:
        self.engine.previous_epoch_boundary()

    def action_first_step(self) -> None:
        self.engine.first()

    def action_last_step(self) -> None:
        start = self.engine.cursor
        self.engine.last()
        self._pause_at_passed_stop(start, "G")

    def action_reset(self) -> None:
        self.engine.reset()

    # ------------------------------------------------------------------ autoplay

    def action_toggle_play(self) -> None:
        if self.state is not None:
            self._change(playing=not self.state.playing)

    def _autoplay_tick(self) -> None:
        # As a Right press: queued behind the keys waiting, never ahead of them. At a
        # divergence the engine says Diverged, which stops the play.
        self._queue_move(+1)

    def _change_speed(self, direction: int) -> None:
        if self.state is None:
            return
        speed = self.state.speed
        index = min(range(len(SPEEDS)), key=lambda i: abs(SPEEDS[i] - speed))
        speed = SPEEDS[max(0, min(len(SPEEDS) - 1, index + direction))]
        self._change(speed=speed, notice=f"autoplay speed {fmt_data(speed)} steps per second")

    def action_faster(self) -> None:
        self._change_speed(+1)

    def action_slower(self) -> None:
        self._change_speed(-1)

    # ------------------------------------------------------------------ live hyperparameters

    def _set(self, **changes: Any) -> None:
        try:
            self.engine.set_hyperparams(**changes)
        except SettingError as error:
            self._change(notice=f"not changed: {error}")

    def action_scale_lr(self, factor: float) -> None:
        self._set(learning_rate=scaled(self.engine.hyperparams.learning_rate, factor))

    def action_change_batch(self, delta: int) -> None:
        self._set(batch_size=self.engine.hyperparams.batch_size + delta)

    def action_toggle_shuffle(self) -> None:
        self._set(shuffle=not self.engine.hyperparams.shuffle)

    def action_toggle_standardize(self) -> None:
        try:
            self.engine.restart(standardized=not self.engine.standardized)
        except SettingError as error:
            self._change(notice=f"not changed: {error}")
        else:
            state = "on" if self.engine.standardized else "off"
            self._change(notice=f"standardization {state}: restarted at step 0")

    def action_edit(self) -> None:
        from logsgd.tui.screens.edit import EditScreen, EditValues

        engine = self.engine
        self.push_screen(
            EditScreen(
                EditValues.from_engine_state(
                    engine.hyperparams, engine.initial_weights, engine.dataset.n_features
                ),
                n_rows=engine.n_rows,
            ),
            self._apply_edit,
        )

    def _apply_edit(self, result: Any) -> None:
        if result is None:
            return
        hyperparams, initial_weights = result
        engine = self.engine
        try:
            if not np.array_equal(initial_weights, engine.initial_weights):
                engine.restart(initial_weights=initial_weights, hyperparams=hyperparams)
                self._change(notice="new initial weights: restarted at step 0")
            else:
                engine.set_hyperparams(hyperparams)
        except SettingError as error:  # only the data can refute it (e.g. z overflows)
            self._change(notice=f"not changed: {error}")

    # ------------------------------------------------------------------ runs kept aside

    def action_pin_run(self) -> None:
        try:
            letter = self.pins.pin(self.engine)
        except PinError as error:
            self._change(notice=str(error))
            return
        self._pins_changed(
            f"pinned as {letter}: change anything and the chart compares (a: switch to it)"
        )

    def _pins_changed(self, notice: str) -> None:
        """The pinned runs changed: the chart overlays them anew (see validate_state)."""
        if self.state is not None:
            self._change(pins_changed=self.state.pins_changed + 1, notice=notice)

    def action_switch_run(self) -> None:
        self._choose_run("switch", self._switch_to)

    def action_unpin_run(self) -> None:
        self._choose_run("unpin", self._unpin)

    def _choose_run(self, what: str, then: Callable[[str | None], None]) -> None:
        """`then` with the pinned run's letter: the only one, or the one chosen (a chooser)."""
        letters = self.pins.letters
        if not letters:
            self._change(notice=f"no run is pinned to {what}: P pins this one")
        elif len(letters) == 1:
            then(letters[0])
        else:
            from logsgd.tui.screens.runs import RunsScreen

            labels = {pin.letter: pin.label for pin in self._pinned_lines()}
            self.push_screen(RunsScreen(what, labels), then)

    def _pinned_lines(self) -> tuple[PinnedLine, ...]:
        return self.state.chart.pinned if self.state is not None else ()

    def _switch_to(self, letter: str | None) -> None:
        if letter is None:
            return
        try:
            self.pins.switch(self.engine, letter)
        except (PinError, SettingError) as error:
            self._change(notice=str(error))
            return
        engine = self.engine
        self._pins_changed(
            f"switched to run {letter}, at step {engine.cursor} of "
            f"{engine.history_length}; the run left is pinned as {letter} (a: back)",
        )

    def _unpin(self, letter: str | None) -> None:
        if letter is None:
            return
        try:
            self.pins.unpin(letter)
        except PinError as error:
            self._change(notice=str(error))
            return
        self._pins_changed(f"unpinned run {letter}")

    def action_restore_dropped(self) -> None:
        engine = self.engine
        dropped = engine.dropped
        if dropped is None:
            self._change(notice="no steps were dropped: there is nothing to bring back")
            return
        engine.restore_dropped()
        back = dropped.steps
        now = engine.dropped
        left = (
            f"; the {now.steps} since are dropped in their turn (y again: them)"
            if now is not None
            else ""
        )
        self._change(
            notice=f"brought back the {back} dropped step{'s' if back != 1 else ''} as recorded"
            f" (steps {dropped.parted_at + 1}-{dropped.run.history_length}){left}"
        )

    # ------------------------------------------------------------------ long runs

    def action_run_epochs(self) -> None:
        # Ten epoch ends from here: from mid-epoch the current epoch's end is the first, so
        # the run stops on an epoch boundary (where a lecture pauses), and the notice says so.
        self._start_background(RUN_EPOCHS, f"running to the {RUN_EPOCHS}th epoch end")

    def _start_background(self, epochs: int, what: str) -> None:
        self._mark_busy(what)
        self._run_in_background(epochs)

    def _mark_busy(self, what: str) -> None:
        self._run_started_at = self.engine.cursor  # a run that passes a scenario's stop
        playing = self.state is not None and self.state.playing
        stopped = " (autoplay stopped)" if playing else ""
        self._change(playing=False, busy=what, notice=f"{what}… (Escape cancels){stopped}")

    @work(thread=True, exclusive=True, group="run")
    def _run_in_background(self, epochs: int) -> None:
        from textual.worker import get_current_worker

        worker = get_current_worker()
        engine = self.engine
        start = engine.history_length
        batches = math.ceil(engine.n_rows / engine.hyperparams.batch_size)
        total = max(1, epochs * batches)

        def progress(_done: int, _count: int) -> None:
            self.call_from_thread(self._progress, engine.history_length - start, total)

        try:
            engine.run_epochs(epochs, progress=progress, should_stop=lambda: worker.is_cancelled)
            if self.state is not None and not worker.is_cancelled:
                # The chart's full-data losses, here in the worker: the app then finds them
                # kept (engine.evaluator), and draws the new chart without an O(n) pass each.
                chart_data(engine, self.state.chart_mode, engine.cursor)
        finally:
            self.call_from_thread(self._run_finished, worker.is_cancelled)

    def _progress(self, done: int, total: int) -> None:
        # The worker's report, not a setting of the view: it goes to the bar alone.
        from textual.widgets import ProgressBar

        for bar in self.query("#progress").results(ProgressBar):
            bar.update(total=total, progress=min(done, total))

    def _run_finished(self, cancelled: bool) -> None:
        what = self.state.busy if self.state is not None else ""
        engine = self.engine
        if cancelled:
            notice = f"cancelled: {what}, at step {engine.cursor}"
        elif engine.diverged_at is not None and engine.cursor == engine.history_length:
            # Not "done": the run stopped short, at the last finite step.
            notice = (
                f"stopped {what} at step {engine.cursor}: diverged at step {engine.diverged_at}"
                f" ({engine.divergence_reason})"
            )
        else:
            event = self.state.event if self.state is not None else None
            at = f"step {engine.cursor}" + (f", the end of epoch {event.epoch}" if event else "")
            notice = f"done: {what}, now at {at}"
        self._change(busy="", notice=notice)
        self._pause_at_passed_stop(self._run_started_at, "the run")

    # ------------------------------------------------------------------ run until

    def action_run_until(self) -> None:
        from logsgd.tui.screens.until import UntilScreen

        engine = self.engine
        weights = engine.dataset.n_features + 1
        self.push_screen(UntilScreen(engine.cursor, engine.n_rows, weights), self._start_until)

    def _start_until(self, condition: Condition | None) -> None:
        if condition is None:
            return
        self._mark_busy(f"running until {condition.clause()}")
        self._run_until_in_background(condition)

    @work(thread=True, exclusive=True, group="run")
    def _run_until_in_background(self, condition: Condition) -> None:
        from textual.worker import get_current_worker

        worker = get_current_worker()
        engine = self.engine
        outcome: Outcome | None = None

        def progress(done: int, total: int) -> None:
            self.call_from_thread(self._progress, done, total)

        try:
            outcome = engine.run_until(
                condition, progress=progress, should_stop=lambda: worker.is_cancelled
            )
            if self.state is not None:
                chart_data(engine, self.state.chart_mode, engine.cursor)  # as R: kept losses
        finally:
            self.call_from_thread(self._until_finished, outcome)

    def _until_finished(self, outcome: Outcome | None) -> None:
        what = self.state.busy if self.state is not None else ""
        notice = outcome.notice if outcome is not None else f"{what}: failed"
        self._change(busy="", notice=notice)
        self._pause_at_passed_stop(self._run_started_at, "the run")

    def action_cancel(self) -> None:
        if self.state is not None and self.state.busy:
            self.workers.cancel_group(self, "run")
        elif self.state is not None and self.state.focus:
            self.action_toggle_focus()

    # ------------------------------------------------------------------ view

    def action_toggle_chart(self) -> None:
        if self.state is not None:
            self._change(chart_mode="loss" if self.state.chart_mode == "weights" else "weights")

    def action_toggle_boundary(self) -> None:
        if self.state is not None:
            if self.state.chart_mode == "boundary":
                self._change(chart_mode="weights")
            else:  # in the chart's place: the compact layout brings the chart panel up
                self._change(chart_mode="boundary", selected_panel="chart")

    def action_toggle_boundary_fit(self) -> None:
        if self.state is not None:
            fit = not self.state.boundary_fit
            what = "the data and the lines z = 0" if fit else "the data"
            self._change(boundary_fit=fit, notice=f"decision boundary window: {what}")

    def action_highlight_weight(self) -> None:
        from logsgd.core.params import weight_index
        from logsgd.tui.screens.names import NamesScreen

        if self.state is None:
            return
        weights = self.engine.dataset.n_features + 1
        last = weights - 1
        current = self.state.highlighted_weight

        def read(text: str) -> tuple[int | None]:
            return (None if not text.strip() else weight_index(text.strip(), weights, "weight"),)

        screen = NamesScreen(
            "Chart: highlight a weight",
            ("" if current is None else "bias" if current == last else f"w{current}",),
            read,
            f"A weight is w0 to w{last}, or bias (w{last}): drawn in full, the others dim, and"
            " drawn even when it is not among the largest. Empty: none.",
            labels=("weight",),
        )
        self.push_screen(screen, self._highlight)

    def _highlight(self, chosen: tuple[int | None] | None) -> None:
        if chosen is None or self.state is None:
            return
        (j,) = chosen
        if j is None:
            self._change(highlighted_weight=None, notice="chart: no weight highlighted")
            return
        label = self.state.data.weight_label(j)
        # On the weights chart, where it shows (from the loss or a view too).
        self._change(
            highlighted_weight=j,
            chart_mode="weights",
            notice=f"chart: {label} highlighted, the others dim (w: another; empty: none)",
        )

    def action_choose_boundary_features(self) -> None:
        from logsgd.core.boundary import read_feature_pair
        from logsgd.tui.panels.boundary import feature_name
        from logsgd.tui.screens.names import NamesScreen

        if self.state is None:
            return
        data = self.state.data
        if data.n_features < 2:
            self._change(notice="the decision boundary needs two features: this data has one")
            return
        names = data.feature_names
        pair = self.state.boundary_pair
        screen = NamesScreen(
            "Decision boundary: features",
            (feature_name(data, pair[0]), feature_name(data, pair[1])),
            lambda across, up: read_feature_pair(across, up, names),
            f"A feature is x1 to x{data.n_features} or a column's name"
            + ("; the others are held at their mean." if data.n_features > 2 else "."),
        )
        self.push_screen(screen, self._show_boundary_pair)

    def _show_boundary_pair(self, pair: tuple[int, int] | None) -> None:
        if pair is not None and self.state is not None:
            names = [self.state.data.feature_names[j] for j in pair]
            self._change(
                chart_mode="boundary",
                selected_panel="chart",
                boundary_pair=pair,
                notice=f"decision boundary over {names[0]} (across) and {names[1]} (up)",
            )

    def action_toggle_landscape(self) -> None:
        if self.state is not None:
            if self.state.chart_mode == "landscape":
                self._change(chart_mode="weights")
            else:  # as the boundary: in the chart's place, brought up in the compact layout
                self._change(chart_mode="landscape", selected_panel="chart")

    def action_choose_landscape_pair(self) -> None:
        from logsgd.core.landscape import read_pair
        from logsgd.tui.screens.names import NamesScreen

        if self.state is not None:
            weights = self.engine.dataset.n_features + 1
            pair = self.state.landscape_pair
            shown = pair if max(pair) < weights else (0, 1)
            last = weights - 1
            screen = NamesScreen(
                "Loss landscape: weights",
                (
                    "bias" if shown[0] == last else f"w{shown[0]}",
                    "bias" if shown[1] == last else f"w{shown[1]}",
                ),
                lambda across, up: read_pair(across, up, weights),
                f"A weight is w0 to w{last}, or bias (w{last}); the other weights stay at their"
                " values at the cursor.",
            )
            self.push_screen(screen, self._apply_pair)

    def _apply_pair(self, pair: tuple[int, int] | None) -> None:
        if pair is None or self.state is None:
            return
        data = self.state.data
        words = f"{data.weight_label(pair[0])} across, {data.weight_label(pair[1])} up"
        self._change(
            landscape_pair=pair,
            chart_mode="landscape",
            selected_panel="chart",
            notice=f"loss landscape: {words}",
        )

    @work(thread=True, exclusive=True, group="landscape")
    def _compute_landscape_grid(self, data: TrainingData, request: GridRequest) -> None:
        """A grid too large for a key press, off the UI thread: a newer request cancels it
        (exclusive), and it stops at its next chunk."""
        from textual.worker import get_current_worker

        worker = get_current_worker()
        grid = objective_grid(
            data.xb, data.labels, data.signs, request, should_stop=lambda: worker.is_cancelled
        )
        if grid is not None and not worker.is_cancelled:
            self.call_from_thread(self._landscape_grid_ready, data, request, grid)

    def _landscape_grid_ready(
        self, data: TrainingData, request: GridRequest, grid: np.ndarray[Any, Any]
    ) -> None:
        self.landscape_grids.put(data, request, grid)
        if self.state is not None:
            self._change(landscape_grids_ready=self.state.landscape_grids_ready + 1)

    def action_next_panel(self) -> None:
        if self.state is not None and self.state.focus:
            self._next_focus_block()
        elif self.state is not None:
            index = PANELS.index(self.state.selected_panel)
            self._change(selected_panel=PANELS[(index + 1) % len(PANELS)])

    def action_show_panel(self, name: str) -> None:
        self._change(selected_panel=name)

    def action_scroll_panel(self, dx: int, dy: int) -> None:
        if self.state is None:
            return
        if self.state.focus:
            self.query_one("#focus-body").scroll_relative(x=dx, y=dy, animate=False)
            return
        panel = self.query_one(f"#{self.state.selected_panel}")
        for table in panel.query(RowTable):
            table.scroll_relative(x=dx, y=dy, animate=False)

    def action_help(self) -> None:
        from logsgd.tui.screens.help import HelpScreen

        self.push_screen(HelpScreen())

    # ------------------------------------------------------------------ focus, export

    def action_toggle_focus(self) -> None:
        from logsgd.tui.panels.focus import FocusView, block_name, block_shown

        state = self.state
        if state is None:
            return
        if not self.query("#focus"):  # mounted the first time: it costs the first frame
            view = FocusView(id="focus").data_bind(LogSGDApp.state)
            self.mount(view, after=self.query_one("#panels"))
        if state.focus:
            self._change(focus=False, notice="focus off: every panel shown")
            return
        focused = replace(state, focus=True)
        block = block_shown(focused)
        self._change(
            focus=True,
            focus_block=block,
            notice=f"focus: {block_name(focused, block)} · tab: next block · F or Esc: back",
        )

    def _next_focus_block(self) -> None:
        from logsgd.tui.panels.focus import block_name, block_shown, blocks

        state = self.state
        if state is None or state.event.step == 0:
            return  # step 0 has no blocks: focus mode says so
        listed = blocks(state)
        block = listed[(listed.index(block_shown(state)) + 1) % len(listed)]
        self._change(focus_block=block, notice=f"focus: {block_name(state, block)}")

    def action_export_step(self) -> None:
        from logsgd.tui.stepexport import NO_STEP, export_form

        state = self.state
        if state is None:
            return
        if state.event.step == 0:
            self._change(notice=f"nothing exported: {NO_STEP}")
            return
        event = state.event
        self.push_screen(
            export_form(self.engine, event), lambda chosen: self._write_step(event, chosen)
        )

    def _write_step(self, event: StepEvent, chosen: tuple[Output, str] | None) -> None:
        if chosen is not None:
            self._change(notice=f"exporting step {event.step}…")
            self._export_in_background(event, chosen)

    # A step of a large batch is megabytes of derivation (569 rows x 31 weights: 1.6 MB, 0.3 s
    # of text): written and copied off the UI thread, the notice saying when it is done.
    @work(thread=True, group="export")
    def _export_in_background(self, event: StepEvent, chosen: tuple[Output, str]) -> None:
        from logsgd.tui.stepexport import write_step

        try:
            notice = write_step(self.engine, event, chosen)
        except (OSError, ValueError) as error:  # never a traceback: the notice says why
            notice = f"step {event.step} not exported: {error}"
        self.call_from_thread(self._change, notice=notice)

    def action_copy_step(self) -> None:
        from logsgd.tui.stepexport import NO_STEP

        state = self.state
        if state is None:
            return
        if state.event.step == 0:
            self._change(notice=f"nothing copied: {NO_STEP}")
            return
        self._change(notice=f"copying step {state.event.step}…")
        self._copy_in_background(state.event)

    @work(thread=True, group="export")
    def _copy_in_background(self, event: StepEvent) -> None:
        from logsgd.tui.stepexport import copy_document

        try:
            text, notice = copy_document(self.engine, event)
        except ValueError as error:
            text, notice = None, f"step {event.step} not copied: {error}"
        self.call_from_thread(self._copied, text, notice)

    def _copied(self, text: str | None, notice: str) -> None:
        if text is not None:
            self.copy_to_clipboard(text)  # OSC 52: the terminal decides whether it takes it
        self._change(notice=notice)

    # ------------------------------------------------------------------ quiz

    def _mount_quiz_bar(self) -> None:
        """The quiz's line above the Footer, mounted the first time quiz mode is on."""
        if not self.query("#quiz"):
            self.mount(QuizBar(id="quiz").data_bind(LogSGDApp.state), before=self.query_one(Footer))

    def action_toggle_quiz(self) -> None:
        if self.state is None:
            return
        self._mount_quiz_bar()
        on = not self.state.quiz_on
        if not on:
            self.screen.set_focus(None)
        notice = (
            "quiz on: type each ? and Enter; ctrl+r reveals one, → reveals the rest, then steps"
            if on
            else "quiz off: every number shown (the answers are kept)"
        )
        self._change(quiz_on=on, notice=notice)

    def _reveal_open_answers(self) -> bool:
        """→ on a step with open questions reveals them all (a lecturer moving on shows the
        answers first); the next → steps. False when there is nothing to reveal."""
        state = self.state
        if state is None or self._moves:
            return False
        opened = step_quiz(state).open
        if not opened:
            return False
        self._change(quiz=state.quiz.revealed(state.event.step, opened))
        return True

    def action_quiz_reveal(self) -> None:
        state = self.state
        if state is None:
            return
        if not state.quiz_on:
            self._change(notice="ctrl+r reveals a quiz's answer: Q turns quiz mode on")
            return
        current = step_quiz(state).current
        if current is not None:
            self._change(quiz=state.quiz.revealed(state.event.step, [current]))

    def on_quiz_bar_answered(self, message: QuizBar.Answered) -> None:
        """Enter in the answer line: checked against the number asked (never raises)."""
        state = self.state
        current = step_quiz(state).current if state is not None else None
        if state is None or current is None:
            return
        if message.too_long:
            rows = current.rows is not None
            limit = ROWS_ANSWER_MAX_LENGTH if rows else ANSWER_MAX_LENGTH
            self._change(quiz=state.quiz.told(too_long(message.text, limit, rows)))
        else:
            quiz, _ = state.quiz.answered(state.event.step, current, message.text)
            self._change(quiz=quiz)

    # ------------------------------------------------------------------ scenario

    def _start_playing(self, scenario: Scenario) -> None:
        from logsgd.tui.panels.scenario import ScenarioNote

        note = ScenarioNote(id="scenario-note").data_bind(LogSGDApp.state)
        self.mount(note, before=self.query_one(Footer))
        first = scenario.stops[0].step
        self._change(
            scenario=scenario,
            notice=f"scenario {visible(scenario.name)}: n runs to its first stop (step {first})",
        )

    def _walk(self, moves: list[int]) -> None:
        """The arrow keys' moves; a scenario's stop with settings pauses them at its step, to
        change the settings there before the next step runs."""
        from logsgd.tui.scenario import split_moves

        scenario = self.state.scenario if self.state is not None else None
        if scenario is None:
            self.engine.walk(moves)
            return
        changing = [stop.step for stop in scenario.stops if stop.settings]
        for piece in split_moves(self.engine.cursor, moves, changing):
            self.engine.walk(piece)
            self._arrive_at_stop()

    def _arrive_at_stop(self) -> None:
        """On a stop's step: say so, and change its settings (from the next step on) unless
        the next step already runs with them (a replay of a run that went this way)."""
        state = self.state
        scenario = state.scenario if state is not None else None
        step = self.engine.cursor
        stop = scenario.at(step) if scenario is not None else None
        if scenario is None or stop is None:
            return
        where = f"stop {scenario.stops.index(stop) + 1} of {len(scenario.stops)}, step {step}"
        engine = self.engine
        wanted = replace(engine.hyperparams, **stop.settings)  # type: ignore[arg-type]
        if stop.settings and wanted != engine.hyperparams:
            self._set(**stop.settings)
            said = self.state.notice if self.state is not None else ""
            self._change(notice=f"scenario {where}: {said}")
        else:
            self._change(notice=f"scenario {where}")

    def _pause_at_passed_stop(self, start: int, what: str) -> None:
        """After a jump or a run from `start` (], G, R, t): at the first stop it went past
        whose settings the step after it did not run with, back to that stop and its
        settings changed there, as → and n do (the steps past it are dropped; y brings them
        back); one that ends on such a stop changes them there. A lecture's change at step
        20 is never skipped by a key that runs further."""
        state = self.state
        scenario = state.scenario if state is not None else None
        engine = self.engine
        if scenario is None:
            return
        for stop in scenario.stops:
            if not stop.settings or not start < stop.step <= engine.cursor:
                continue
            after = stop.step + 1  # the step that runs with the stop's settings
            recorded = after <= engine.history_length
            ran_with = engine.hyperparams_at(after) if recorded else engine.hyperparams
            if replace(ran_with, **stop.settings) != ran_with:  # type: ignore[arg-type]
                engine.jump(stop.step)
                self._arrive_at_stop()
                said = self.state.notice if self.state is not None else ""
                self._change(notice=f"{said} ({what} stopped here: this stop changes settings)")
                return

    def action_scenario_next(self) -> None:
        state = self.state
        scenario = state.scenario if state is not None else None
        if scenario is None:
            self._change(notice="no scenario is playing: logsgd-tui --scenario FILE (or seed)")
            return
        stop = scenario.next_after(self.engine.cursor)
        if stop is None:
            last = scenario.stops[-1].step
            self._change(notice=f"the scenario's last stop is step {last}: → steps on")
            return
        count = stop.step - self.engine.cursor
        if count - max(0, self.engine.history_length - self.engine.cursor) > BACKGROUND_STEPS:
            self._mark_busy(f"running to the scenario's stop at step {stop.step}")
            self._run_to_stop(count)
        else:
            self.engine.run_steps(count)
            self._arrive_at_stop()

    @work(thread=True, exclusive=True, group="run")
    def _run_to_stop(self, count: int) -> None:
        from textual.worker import get_current_worker

        worker = get_current_worker()
        engine = self.engine

        def progress(done: int, total: int) -> None:
            self.call_from_thread(self._progress, done, total)

        try:
            engine.run_steps(count, progress=progress, should_stop=lambda: worker.is_cancelled)
            if self.state is not None and not worker.is_cancelled:
                chart_data(engine, self.state.chart_mode, engine.cursor)  # as R: kept losses
        finally:
            self.call_from_thread(self._stop_run_finished, worker.is_cancelled)

    def _stop_run_finished(self, cancelled: bool) -> None:
        if cancelled:
            self._run_finished(cancelled)
            return
        self._change(busy="")
        if self.engine.diverged_at is not None and self.engine.cursor == self.engine.history_length:
            self._change(notice=f"diverged at step {self.engine.diverged_at}: the stop not reached")
        else:
            self._arrive_at_stop()

    def action_toggle_scenario_note(self) -> None:
        state = self.state
        if state is None or state.scenario is None:
            self._change(notice="no scenario is playing: logsgd-tui --scenario FILE (or seed)")
            return
        shown = not state.scenario_note_shown
        self._change(
            scenario_note_shown=shown,
            notice="scenario note shown" if shown else "scenario note hidden (N shows it)",
        )

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The palette: one entry per command, with its keys; of Textual's own only Theme
        (its Quit, Keys and Screenshot would stand beside ours)."""
        for own in super().get_system_commands(screen):
            if own.title == "Theme":
                yield own
        for command in COMMANDS:
            yield SystemCommand(
                command.palette_title, command.help, partial(self.run_action, command.action)
            )

    # ------------------------------------------------------------------ sessions

    def _show_opened(self, opened: Opened) -> None:
        """A session opened: its view, quiz and pinned runs, as they were saved."""
        from logsgd.tui.session import view_changes

        session = opened.session
        if session.view.quiz_on:
            self._mount_quiz_bar()
        said = "; ".join(opened.warnings)
        self._change(
            **view_changes(session.view),
            quiz_on=session.view.quiz_on,
            quiz=session.quiz,
            pins_changed=1 if opened.pins else 0,
            notice=said or f"session opened: {quoted(self.session_path or '')}",
        )

    def action_save_session(self) -> None:
        if self.session_path is not None:
            self._save_session(self.session_path)
            return
        from logsgd.core.session import DEFAULT_NAME
        from logsgd.tui.screens.names import NamesScreen
        from logsgd.tui.session import read_session_path

        screen = NamesScreen(
            "Save session",
            (DEFAULT_NAME,),
            read_session_path,
            "The data, settings, every change, pinned runs, the view and the quiz, as JSON;"
            " logsgd-tui --session FILE opens it again. ctrl+s then saves there.",
            labels=("file",),
            button="Save",
        )
        self.push_screen(screen, self._save_chosen)

    def _save_chosen(self, chosen: tuple[str] | None) -> None:
        if chosen is not None:
            self._save_session(chosen[0])

    def _save_session(self, path: str) -> None:
        from logsgd.core.session import SessionError, save, session_of
        from logsgd.tui.session import source_for, view_of

        state = self.state
        source = source_for(self.engine, self.source)
        if state is None:
            return
        if source is None:
            self._change(notice="session not saved: the data's CSV and load options are unknown")
            return
        session = session_of(source, self.engine, self.pins.items(), view_of(state), state.quiz)
        try:
            save(session, path)
        except SessionError as error:
            self._change(notice=f"session not saved: {error}")
            return
        self.session_path = path
        self._change(notice=f"session saved: {quoted(path)} (ctrl+s saves there again)")

    def action_save_screenshot(self) -> None:
        """An SVG of the screen in the working directory; the notice says where, or why not.

        (Textual's own saves to ~/Downloads, which over SSH is seldom there.)
        """
        directory = os.getcwd()
        step = self.state.event.step if self.state is not None else 0
        name = f"logsgd-tui-step{step}-{time.strftime('%Y%m%d-%H%M%S')}.svg"
        try:
            saved = self.save_screenshot(name, directory)
        except OSError as error:
            self._change(notice=f"screenshot not saved: {directory}: {error.strerror or error}")
        else:
            self._change(notice=f"screenshot saved: {saved}")


def run_app(
    setup: Setup | None, session_path: str | None = None, opened: Opened | None = None
) -> int:
    """The app on `setup`, or on the session `opened` (one of the two is given)."""
    from logsgd.tui.cli import make_engine

    if opened is not None:
        app = LogSGDApp(opened.engine, session_path=session_path, opened=opened)
    else:
        assert setup is not None
        app = LogSGDApp(
            make_engine(setup),
            quiz=setup.quiz,
            session_path=session_path,
            source=setup.source,
            scenario=setup.scenario,
        )
    app.freeze_startup_objects = True
    try:
        app.run()
    finally:
        gc.enable()
    if app.ended_by_signal is not None:
        # The terminal is restored; now end as the signal would have ended the process.
        from logsgd.core.files import end_as_signalled

        end_as_signalled(app.ended_by_signal)
    return app.return_code or 0


def _chart_is_stale(state: ViewState, old: ViewState) -> bool:
    """What the chart is drawn from changed: the step, the mode, the pins, the highlighted
    weight, or (quiz) whether the step's new weights may be drawn."""
    return (
        state.event is not old.event
        or state.chart_mode != old.chart_mode
        or state.pins_changed != old.pins_changed
        or state.highlighted_weight != old.highlighted_weight
        or step_quiz(state).results_hidden != step_quiz(old).results_hidden
    )


def _landscape_is_stale(state: ViewState, old: ViewState | None) -> bool:
    """The state's landscape (carried over from `old`, or none yet) is not of its step, its
    pair, or (quiz) the weights it may show."""
    landscape = state.landscape
    if old is None or landscape is None:
        return True
    return landscape is old.landscape and (
        state.event is not old.event
        or state.landscape_pair != old.landscape_pair
        or old.chart_mode != "landscape"
        or step_quiz(state).results_hidden != landscape.before_step
    )
