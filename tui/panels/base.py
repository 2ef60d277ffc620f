"""What every panel shares: a border title and a `state` reactive bound to the app's."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.visual import visualize
from textual.widget import Widget
from textual.widgets import Static

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


def set_text(static: Static, text: Text) -> None:
    """Show text in a Static, re-laying out the screen only if its height changes.

    A layout pass redraws every panel (tens of ms); most steps keep each text's height.
    """
    width = static.content_region.width
    if width > 0 and static.content_region.height > 0:
        visual = visualize(static, text)  # update() takes it as it is: converted once
        if visual.get_height(static.styles, width) == static.content_region.height:
            static.update(visual, layout=False)
            return
        static.update(visual)
        return
    static.update(text)
