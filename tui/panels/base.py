"""What every panel shares: a border title and a `state` reactive bound to the app's."""

from __future__ import annotations

from textual.reactive import reactive
from textual.widget import Widget

from logsgd.tui.state import ViewState


class Panel(Widget):
    """A panel bound to the app's ViewState; subclasses draw it in `show(state)`."""

    DEFAULT_CSS = """
    Panel {
        height: 1fr;
        width: 1fr;
    }
    """

    state: reactive[ViewState | None] = reactive(None, init=False, always_update=True)
    panel_name = ""

    def watch_state(self, state: ViewState | None) -> None:
        if state is not None:
            self.show(state)

    def on_mount(self) -> None:
        if self.state is not None:
            self.show(self.state)

    def on_resize(self) -> None:
        # Panels that wrap their own lines (batch) depend on the width.
        if self.state is not None and self.wraps_to_width:
            self.show(self.state)

    wraps_to_width = False

    @property
    def text_width(self) -> int:
        """Columns available for text (inside border, padding and scrollbar); 80 before layout."""
        width = self.size.width - 2
        return width if width > 10 else 80

    def show(self, state: ViewState) -> None:
        raise NotImplementedError


def sign_style(value: float) -> str:
    """Colour by sign; the sign itself is always written, so no colour is ever needed."""
    if value > 0:
        return "green"
    if value < 0:
        return "red"
    return ""
