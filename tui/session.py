"""The app's part of a session: the view gathered from the one state, and put back into it."""

from __future__ import annotations

from typing import Any

from logsgd.core.engine import Engine
from logsgd.core.session import DataSource, View, builtin_source
from logsgd.core.text import quoted
from logsgd.tui.state import ViewState


def view_of(state: ViewState) -> View:
    """The view settings a session keeps, as the state holds them."""
    return View(
        chart_mode=state.chart_mode,
        boundary_pair=state.boundary_pair,
        landscape_pair=state.landscape_pair,
        selected_panel=state.selected_panel,
        highlighted_weight=state.highlighted_weight,
        boundary_fit=state.boundary_fit,
        quiz_on=state.quiz_on,
    )


def view_changes(view: View) -> dict[str, Any]:
    """The ViewState fields a saved view sets (checked against the data when it was opened)."""
    return {
        "chart_mode": view.chart_mode,
        "boundary_pair": view.boundary_pair,
        "landscape_pair": view.landscape_pair,
        "selected_panel": view.selected_panel,
        "highlighted_weight": view.highlighted_weight,
        "boundary_fit": view.boundary_fit,
    }


def source_for(engine: Engine, given: DataSource | None) -> DataSource | None:
    """Where the data came from: as the command line said, or a built-in by its name (None:
    a CSV whose load options are not known, which a session cannot name)."""
    if given is not None:
        return given
    if engine.dataset.source == "built-in":
        return builtin_source(engine.dataset.name)
    return None


def read_session_path(text: str) -> tuple[str]:
    """The file name typed in the save form; SettingError if it is empty."""
    from logsgd.core.params import SettingError

    path = text.strip()
    if not path:
        raise SettingError("the session's file name is empty", "file")
    if "\x00" in path:
        raise SettingError(f"a file name cannot hold a NUL character: {quoted(path)}", "file")
    return (path,)
