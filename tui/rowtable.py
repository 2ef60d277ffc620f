"""A virtual table: only the rows on screen are ever rendered, so 100k rows cost nothing."""

from __future__ import annotations

from collections.abc import Callable

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

RowRenderer = Callable[[int], Text]


class RowTable(ScrollView, can_focus=False):
    """A header line that stays put and `n_rows` lines rendered on demand by `row_text(i)`.

    It never takes focus: the arrow keys belong to stepping. The app scrolls the selected
    panel with up/down/page keys instead.
    """

    DEFAULT_CSS = """
    RowTable {
        height: 1fr;
        width: 1fr;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._header = Text("")
        self._n_rows = 0
        self._row_text: RowRenderer = lambda i: Text("")

    def set_content(self, header: Text, n_rows: int, row_text: RowRenderer, width: int) -> None:
        """Replace what the table shows; cheap, whatever n_rows is."""
        self._header = header
        self._n_rows = n_rows
        self._row_text = row_text
        self.virtual_size = Size(width, n_rows + 1)
        self.refresh()

    def show_rows(self, first: int, last: int) -> None:
        """Scroll so rows first..last (0-based) are visible, if they are not already."""
        if self._n_rows == 0:
            return
        top = int(self.scroll_offset.y)
        visible = max(1, self.scrollable_content_region.height - 1)
        if first >= top and last < top + visible:
            return
        target = max(0, min(first, self._n_rows - visible))
        self.scroll_to(y=target, animate=False, immediate=True)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        scroll_x, scroll_y = self.scroll_offset
        base = self.rich_style
        if y == 0:
            text = self._header
            style = base + Style(bold=True, underline=True)
        else:
            index = scroll_y + y - 1
            if index >= self._n_rows:
                return Strip.blank(width, base)
            text = self._row_text(index)
            style = base
        segments = [
            Segment(seg.text, style + seg.style if seg.style else style)
            for seg in text.render(self.app.console)
            if seg.text != "\n"
        ]
        full = Strip(segments)
        strip = full.crop(scroll_x, scroll_x + width)
        # A number cut at the edge would read as another number ("0.3136" as "0"): mark every
        # cut with an ellipsis instead.
        if full.cell_length > scroll_x + width and width > 1:
            strip = Strip.join([strip.crop(0, width - 1), Strip([Segment("…", style)])])
        if scroll_x > 0 and strip.cell_length > 1:
            strip = Strip.join([Strip([Segment("…", style)]), strip.crop(1, width)])
        return strip.extend_cell_length(width, base)
