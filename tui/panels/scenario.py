"""The scenario's note box: the current stop's note, wrapped, beside the panels (N hides it)."""

from __future__ import annotations

from textual.reactive import reactive
from textual.widgets import Static

from logsgd.tui.scenario import note_text, stop_title
from logsgd.tui.state import ViewState


class ScenarioNote(Static):
    """Docked under the panels while a scenario plays: its text wraps, and a note longer than
    the box scrolls (never cut)."""

    DEFAULT_CSS = """
    ScenarioNote {
        height: auto;
        max-height: 45%;
        overflow-y: auto;
        padding: 0 1;
        border: round $accent;
        border-title-style: bold;
        scrollbar-size-vertical: 1;
    }
    ScenarioNote.-hidden { display: none; }
    """

    state: reactive[ViewState | None] = reactive(None, init=False, always_update=True)

    def watch_state(self, old: ViewState | None, new: ViewState | None) -> None:
        if new is None or new.scenario is None:
            return
        self.set_class(not new.scenario_note_shown, "-hidden")
        step = new.event.step
        if old is not None and old.scenario is new.scenario and old.event.step == step:
            return
        self.border_title = stop_title(new.scenario, step)
        self.update(note_text(new.scenario, step))
