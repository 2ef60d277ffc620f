"""What every panel shares: a border title and a `state` reactive bound to the app's."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from logsgd.tui.rowtable import CAPTION_STYLE, RowTable
from logsgd.tui.state import ViewState


class Panel(Widget):
    """A panel bound to the app's ViewState; subclasses draw it in `show(state)`."""

    DEFAULT_CSS = """
    Panel {
        height: 1fr;
        width: 1fr;
    }
    """

    # repaint=False: show() updates what changed; repainting the panel itself would redraw
    # its border and background on every step, changed or not.
    state: reactive[ViewState | None] = reactive(
        None, init=False, always_update=True, repaint=False
    )

    def watch_state(self, old: ViewState | None, new: ViewState | None) -> None:
        # A change of a setting this panel does not show (the speed, the selected panel)
        # leaves it alone.
        if new is not None and (old is None or self.drawn_from(old) != self.drawn_from(new)):
            self.show(new)

    def drawn_from(self, state: ViewState) -> tuple[object, ...]:
        """The parts of the state that `show` reads: a new state redraws the panel only if
        one of them changed (compared with ==; events and data by identity).

        By default the whole state, so a panel that reads a new field never misses it.
        """
        return (state,)

    def on_mount(self) -> None:
        if self.state is not None:
            self.show(self.state)

    def on_resize(self) -> None:
        # Panels that wrap their own lines (batch) depend on the width.
        if self.state is not None and self.wraps_to_width:
            self.show(self.state)

    wraps_to_width = False
    _titles: tuple[str, str] | None = None

    def set_titles(self, title: str, subtitle: str = "") -> None:
        """Set the border's title and subtitle, if they changed.

        Setting either repaints the whole panel, border and all, even to the same value; what
        changes every step belongs in the panel's caption line instead.
        """
        if self._titles != (title, subtitle):
            self._titles = (title, subtitle)
            # As Text: a str would be parsed as markup, and titles hold names from the file
            # (a class name, a column name below the fold).
            self.border_title = Text(title)
            self.border_subtitle = Text(subtitle)

    @property
    def text_width(self) -> int:
        """Columns available for text (inside border, padding and scrollbar); 80 before layout.

        The vertical scrollbar's column is always kept free: a line that filled it would make
        a horizontal scrollbar come and go from step to step, and the screen re-lay out. So
        is one cell before it: a number against the scrollbar's thumb reads as "1.000e-08▇".
        """
        width = self.content_region.width - 2
        return width if width > 10 else 80

    def show(self, state: ViewState) -> None:
        raise NotImplementedError


def show_lines(table: RowTable, lines: list[Text], caption: str = "") -> None:
    """Show a long text line by line in a RowTable (only the lines on screen are rendered),
    under a caption line that stays put when the text scrolls."""
    table.set_lines(lines, [Text(caption, style=CAPTION_STYLE)] if caption else [])
