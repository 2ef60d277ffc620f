"""The Textual app: holds one ViewState, turns keys into engine calls, engine events into state."""

from __future__ import annotations

import gc
import math
import threading
from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np
from textual import events, work
from textual.app import App, ComposeResult, SystemCommand
from textual.containers import Horizontal, Vertical
from textual.geometry import Size
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, ProgressBar, Static

from logsgd.core.engine import Engine
from logsgd.core.events import Diverged, EngineMessage, HyperparamsChanged, Reset, StepEvent
from logsgd.core.formatting import fmt_data
from logsgd.core.params import SettingError
from logsgd.tui.commands import COMMANDS, bindings
from logsgd.tui.panels.batch import BatchPanel
from logsgd.tui.panels.chart import MAX_BOUNDARY_LINES, ChartPanel
from logsgd.tui.panels.dataset import DatasetPanel
from logsgd.tui.panels.gradients import GradientsPanel
from logsgd.tui.panels.predictions import PredictionsPanel
from logsgd.tui.panels.status import StatusLine, describe_changes
from logsgd.tui.state import PANELS, ChartData, ChartMode, DataInfo, ViewState, downsample_indices

if TYPE_CHECKING:
    from logsgd.tui.cli import Setup

# The chart never draws more points than this, however long the history: redraws stay flat.
CHART_POINTS = 240
# Epochs that R runs in the background.
RUN_EPOCHS = 10
# Runs longer than this many new steps go to a worker thread, with a progress bar.
BACKGROUND_STEPS = 2000
SPEEDS = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0)
# Below this size the five panels show one at a time (keys 1-5 and tab switch).
COMPACT_WIDTH = 110
COMPACT_HEIGHT = 30
# Below this the panels cannot show a formula line; the app says so instead of drawing garbage.
MIN_WIDTH = 60
MIN_HEIGHT = 16
# Allocations between collections of the youngest generation, once the app is up (default 700).
GC_YOUNG_THRESHOLD = 50_000
ENGINE_ACTIONS = {c.action_name for c in COMMANDS if c.changes_run}
BACK_ACTIONS = {c.action_name for c in COMMANDS if c.goes_back}


class LogSGDApp(App[int]):
    """Step through SGD of one sigmoid neuron, every number of the hand calculation on screen."""

    CSS_PATH = "app.tcss"
    TITLE = "logsgd-tui"
    BINDINGS = bindings()

    # repaint=False: the panels bound to it repaint themselves; a repaint of the App would
    # mark the whole screen dirty and redraw every widget on every step.
    state: reactive[ViewState | None] = reactive(
        None, init=False, always_update=True, repaint=False
    )
    # Set by run_app for the real process; tests that build many apps leave the collector alone.
    freeze_startup_objects = False

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine = engine
        self.chart_mode: ChartMode = "weights"
        self.selected_panel = "batch"
        self.playing = False
        self.speed = 2.0
        self.busy = ""
        self._notice = ""
        self._timer: Any = None
        self._data_info: DataInfo | None = None
        self._main_thread = threading.get_ident()
        # Arrow keys queue moves; one flush applies them all and draws once (key floods).
        self._moves: list[int] = []
        self._flush_scheduled = False
        self._bindings_key: tuple[bool, bool] | None = None
        engine.subscribe(self._on_engine)

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status").data_bind(LogSGDApp.state)
        with Vertical(id="panels"):
            with Horizontal(id="top", classes="row"):
                yield DatasetPanel(id="dataset", classes="panel").data_bind(LogSGDApp.state)
                yield BatchPanel(id="batch", classes="panel").data_bind(LogSGDApp.state)
                yield PredictionsPanel(id="predictions", classes="panel").data_bind(LogSGDApp.state)
            with Horizontal(id="bottom", classes="row"):
                yield GradientsPanel(id="gradients", classes="panel").data_bind(LogSGDApp.state)
                yield ChartPanel(id="chart", classes="panel").data_bind(LogSGDApp.state)
        yield Static(id="tabs")
        yield Static(id="too-small")
        yield ProgressBar(id="progress", show_eta=False)
        yield Footer()

    def on_mount(self) -> None:
        self._apply_layout()
        self._publish(self.engine.current())
        self.call_after_refresh(self._after_first_frame)

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
        self._apply_layout(event.size)

    def _apply_layout(self, size: Size | None = None) -> None:
        width, height = size or self.size
        too_small = width < MIN_WIDTH or height < MIN_HEIGHT
        self.set_class(too_small, "too-small")
        self.query_one("#too-small", Static).update(
            f"terminal too small: need at least {MIN_WIDTH}x{MIN_HEIGHT}\n(now {width}x{height})"
        )
        compact = width < COMPACT_WIDTH or height < COMPACT_HEIGHT
        self.set_class(compact, "compact")
        self.query_one(Footer).compact = compact
        for name in PANELS:
            panel = self.query_one(f"#{name}")
            panel.set_class(name == self.selected_panel, "-selected")
        for row in self.query(".row"):
            row.set_class(bool(row.query(f"#{self.selected_panel}")), "-has-selected")
        tabs = "  ".join(
            f"[reverse] {i} {name} [/]" if name == self.selected_panel else f" {i} {name} "
            for i, name in enumerate(PANELS, start=1)
        )
        self.query_one("#tabs", Static).update(tabs)

    # ------------------------------------------------------------------ engine -> state

    def _on_engine(self, message: EngineMessage) -> None:
        if threading.get_ident() != self._main_thread:
            self.call_from_thread(self._receive, message)
        else:
            self._receive(message)

    def _receive(self, message: EngineMessage) -> None:
        if isinstance(message, HyperparamsChanged):
            changes = describe_changes(message.old, message.new, show_old=True)
            dropped = message.dropped_steps
            self._notice = f"from step {message.event.step + 1}: {changes}" + (
                f" ({dropped} later steps dropped, shown faint)" if dropped else ""
            )
        elif isinstance(message, Diverged):
            self._notice = f"diverged at step {message.at_step}: {message.reason}"
            self._stop_play()
        elif isinstance(message, Reset) and message.restarted:
            self._data_info = None
            self._notice = "restarted at step 0"
        self._publish(message.event)

    def _publish(self, event: StepEvent) -> None:
        if self._data_info is None:
            ds = self.engine.dataset
            self._data_info = DataInfo(
                name=ds.name,
                feature_names=ds.feature_names,
                label_name=ds.label_name,
                class_names=ds.class_names,
                inputs=self.engine.inputs,
                labels=ds.labels,
            )
        self.state = ViewState(
            event=event,
            data=self._data_info,
            chart=self._chart_data(event.step),
            notice=self._notice,
            playing=self.playing,
            speed=self.speed,
        )
        # The Footer re-lays itself out on every refresh_bindings; only ask when what
        # check_action answers can have changed (back at step 0, a background run).
        enabled = (event.step == 0, bool(self.busy))
        if enabled != self._bindings_key:
            self._bindings_key = enabled
            self.refresh_bindings()

    def _chart_data(self, cursor: int) -> ChartData:
        engine = self.engine
        history = engine.weight_history()
        picks = downsample_indices(history.shape[0], CHART_POINTS)
        steps = picks.astype(np.float64)
        ghost = engine.ghost
        if ghost is not None:
            ghost_picks = downsample_indices(ghost.weights.shape[0], CHART_POINTS)
            ghost_steps = (ghost_picks + ghost.start_step).astype(np.float64)
        if self.chart_mode == "loss":
            values = engine.loss_at(picks)[:, None]
            names: tuple[str, ...] = ("loss",)
            ghost_values = (
                engine.loss_of_weights(ghost.weights[ghost_picks])[:, None]
                if ghost is not None
                else np.zeros((0, 1))
            )
        else:
            values = np.array(history[picks])
            d = engine.dataset.n_features
            names = tuple(f"w{j}" for j in range(d)) + (f"w{d} bias",)
            ghost_values = (
                np.array(ghost.weights[ghost_picks])
                if ghost is not None
                else np.zeros((0, history.shape[1]))
            )
        return ChartData(
            mode=self.chart_mode,
            steps=steps,
            values=values,
            series_names=names,
            ghost_steps=ghost_steps if ghost is not None else np.zeros(0),
            ghost_values=ghost_values,
            cursor=cursor,
            # Past a dozen epochs the chart marks none; do not list 500,000 of them to find out.
            epoch_boundaries=(
                tuple(engine.epoch_boundaries())
                if engine.epochs_started <= MAX_BOUNDARY_LINES + 1
                else ()
            ),
            changes=tuple(engine.hyperparam_changes()),
        )

    def _refresh_view(self) -> None:
        """Re-publish the current step after a view setting changed."""
        if self.state is not None:
            self._publish(self.state.event)

    # ------------------------------------------------------------------ enabled or not

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next_panel" and self.screen is not self.screen_stack[0]:
            return False  # in a form, tab moves between fields
        if self.busy and action in ENGINE_ACTIONS:
            return False
        if action in BACK_ACTIONS and self._cursor_after_queued_moves() == 0:
            return None  # shown greyed in the Footer
        return True

    # ------------------------------------------------------------------ stepping

    def action_step_forward(self) -> None:
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
            self.engine.walk(moves)

    def _cursor_after_queued_moves(self) -> int:
        cursor = self.engine.cursor
        for move in self._moves:
            cursor = max(0, cursor + move)
        return cursor

    def action_next_epoch(self) -> None:
        self._flush_moves()
        if self.engine.steps_to_next_boundary() > BACKGROUND_STEPS:
            self._start_background(1, "running to the end of the epoch")
        else:
            self.engine.next_epoch_boundary()

    def action_previous_epoch(self) -> None:
        self._flush_moves()
        self.engine.previous_epoch_boundary()

    def action_first_step(self) -> None:
        self._flush_moves()
        self.engine.first()

    def action_last_step(self) -> None:
        self._flush_moves()
        self.engine.last()

    def action_reset(self) -> None:
        self._flush_moves()
        self._notice = "reset to step 0 (the recorded steps are kept: → replays them)"
        self.engine.reset()

    # ------------------------------------------------------------------ autoplay

    def action_toggle_play(self) -> None:
        if self.playing:
            self._stop_play()
        else:
            self.playing = True
            self._start_timer()
        self._refresh_view()

    def _start_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_interval(1.0 / self.speed, self._autoplay_tick)

    def _stop_play(self) -> None:
        self.playing = False
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _autoplay_tick(self) -> None:
        self._flush_moves()
        before = self.engine.cursor
        self.engine.step()
        if self.engine.cursor == before:  # diverged: nothing more to play
            self._stop_play()
            self._refresh_view()

    def _change_speed(self, direction: int) -> None:
        index = min(range(len(SPEEDS)), key=lambda i: abs(SPEEDS[i] - self.speed))
        self.speed = SPEEDS[max(0, min(len(SPEEDS) - 1, index + direction))]
        self._notice = f"autoplay speed {fmt_data(self.speed)} steps per second"
        if self.playing:
            self._start_timer()
        self._refresh_view()

    def action_faster(self) -> None:
        self._change_speed(+1)

    def action_slower(self) -> None:
        self._change_speed(-1)

    # ------------------------------------------------------------------ live hyperparameters

    def _set(self, **changes: Any) -> None:
        try:
            self.engine.set_hyperparams(**changes)
        except SettingError as error:
            self._notice = f"not changed: {error}"
            self._refresh_view()

    def action_scale_lr(self, factor: float) -> None:
        self._flush_moves()
        lr = self.engine.hyperparams.learning_rate
        # Divide rather than multiply by 0.1: 0.1 * 0.1 is 0.010000000000000002, 0.1 / 10 is 0.01.
        self._set(learning_rate=lr * factor if factor >= 1 else lr / (1 / factor))

    def action_change_batch(self, delta: int) -> None:
        self._flush_moves()
        self._set(batch_size=self.engine.hyperparams.batch_size + delta)

    def action_toggle_shuffle(self) -> None:
        self._flush_moves()
        self._set(shuffle=not self.engine.hyperparams.shuffle)

    def action_toggle_standardize(self) -> None:
        self._flush_moves()
        try:
            self.engine.restart(standardized=not self.engine.standardized)
        except SettingError as error:
            self._notice = f"not changed: {error}"
        else:
            state = "on" if self.engine.standardized else "off"
            self._notice = f"standardization {state}: restarted at step 0"
        self._refresh_view()

    def action_edit(self) -> None:
        self._flush_moves()
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
                self._notice = "new initial weights: restarted at step 0"
                self._refresh_view()
            else:
                engine.set_hyperparams(hyperparams)
        except SettingError as error:  # only the data can refute it (e.g. z overflows)
            self._notice = f"not changed: {error}"
            self._refresh_view()

    # ------------------------------------------------------------------ long runs

    def action_run_epochs(self) -> None:
        self._flush_moves()
        self._start_background(RUN_EPOCHS, f"running {RUN_EPOCHS} epochs")

    def _start_background(self, epochs: int, what: str) -> None:
        self._stop_play()
        self.busy = what
        self.query_one("#progress", ProgressBar).update(total=100, progress=0)
        self.add_class("busy")
        self._notice = f"{what}… (Escape cancels)"
        self._refresh_view()
        self._run_in_background(epochs)

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
        finally:
            self.call_from_thread(self._run_finished, worker.is_cancelled)

    def _progress(self, done: int, total: int) -> None:
        self.query_one("#progress", ProgressBar).update(total=total, progress=min(done, total))

    def _run_finished(self, cancelled: bool) -> None:
        what = self.busy
        self.busy = ""
        self.remove_class("busy")
        self._notice = f"cancelled: {what}" if cancelled else f"done: {what}"
        self._refresh_view()

    def action_cancel(self) -> None:
        if self.busy:
            self.workers.cancel_group(self, "run")

    # ------------------------------------------------------------------ view

    def action_toggle_chart(self) -> None:
        self.chart_mode = "loss" if self.chart_mode == "weights" else "weights"
        self._refresh_view()

    def action_next_panel(self) -> None:
        index = PANELS.index(self.selected_panel)
        self.action_show_panel(PANELS[(index + 1) % len(PANELS)])

    def action_show_panel(self, name: str) -> None:
        self.selected_panel = name
        self._apply_layout()
        self._refresh_view()

    def action_scroll_panel(self, dx: int, dy: int) -> None:
        panel = self.query_one(f"#{self.selected_panel}")
        for scrollable in panel.query("VerticalScroll, RowTable"):
            scrollable.scroll_relative(x=dx, y=dy, animate=False)

    def action_help(self) -> None:
        from logsgd.tui.screens.help import HelpScreen

        self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for command in COMMANDS:
            yield SystemCommand(
                f"{command.label} [{command.keys_shown}]",
                command.help,
                partial(self.run_action, command.action),
            )


def run_app(setup: Setup) -> int:
    from logsgd.tui.cli import make_engine

    app = LogSGDApp(make_engine(setup))
    app.freeze_startup_objects = True
    try:
        app.run()
    finally:
        gc.enable()
    return app.return_code or 0
