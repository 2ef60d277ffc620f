"""A virtual table: only the rows on screen are ever rendered, so 100k rows cost nothing."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from typing import NamedTuple

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from logsgd.tui.textual_internals import line_segments, scrolled_vertically, set_scroll_size


class WideLine(NamedTuple):
    """A line too long to build whole (a row of 100,000 columns), built for the cells in view.

    `cells(start, end)` is (text, offset): the line's cells from `offset` (<= start) on, as
    far as `end` and at least one cell beyond it when the line goes on (so a cut is marked).
    """

    cells: Callable[[int, int], tuple[Text, int]]
    length: int  # the line's width in cells


Line = Text | WideLine


class LazyLines(NamedTuple):
    """Lines that fit the table's width, counted but not built until one of them is drawn (or
    asked for): a long text off screen costs its line count, not its Text."""

    height: int  # how many lines
    widest: int  # the widest line's cells
    build: Callable[[], Sequence[Text]]  # exactly `height` lines, none wider than `widest`


class _Chunks:
    """The lines of a text given in chunks, each a built line or LazyLines built when first
    asked for."""

    def __init__(self, chunks: Sequence[list[Text] | LazyLines]) -> None:
        self._chunks = list(chunks)
        self.starts: list[int] = []
        self.count = 0
        for chunk in self._chunks:
            self.starts.append(self.count)
            self.count += chunk.height if isinstance(chunk, LazyLines) else len(chunk)

    def line(self, index: int) -> Text:
        n = bisect_right(self.starts, index) - 1
        chunk = self._chunks[n]
        if isinstance(chunk, LazyLines):
            built = list(chunk.build())
            assert len(built) == chunk.height, (len(built), chunk.height)
            chunk = self._chunks[n] = built
        return chunk[index - self.starts[n]]


RowRenderer = Callable[[int], Line]
# A line as drawn: its text and the line's cell that the text starts at; for a line with
# frozen columns, one such part each for the left columns, the middle in view and the right.
Part = tuple[Text, int]
Drawn = tuple[Part, ...]
# The column names of a table; a panel's caption above them is plain bold.
COLUMN_HEADER_STYLE = "bold underline"
CAPTION_STYLE = "bold"


class RowTable(ScrollView, can_focus=False):
    """Header lines that stay put (none or more) above `n_rows` lines rendered on demand by
    `row_text(i)`: a table of 100k rows, or a long text, costs only the lines on screen.

    It never takes focus: the arrow keys belong to stepping. The app scrolls the selected
    panel with up/down/page keys instead.

    With `frozen` (left, right), the first `left` and last `right` cells of every wide line
    stay put when the table scrolls sideways (a row's number and label); the cells between
    them scroll, and other lines (a caption) are drawn from their first cell.
    """

    DEFAULT_CSS = """
    RowTable {
        height: 1fr;
        width: 1fr;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._header: tuple[Line, ...] = ()
        self._n_rows = 0
        self._row_text: RowRenderer = lambda i: Text("")
        self._base_style = Style()
        # What each line on screen showed when last drawn, and the view it was drawn in.
        self._drawn: dict[int, Drawn | None] = {}
        self._drawn_view: tuple[int, int, int] | None = None
        self._frozen = (0, 0)

    def set_content(
        self,
        header: Sequence[Line],
        n_rows: int,
        row_text: RowRenderer,
        width: int,
        visible: tuple[int, int] | None = None,
        frozen: tuple[int, int] = (0, 0),
    ) -> None:
        """Replace what the table shows; cheap, whatever n_rows is.

        With `visible` (first, last: 0-based rows), scroll so that they are on screen first
        (see show_rows). Then only the lines on screen whose text changed are redrawn (a step
        changes the numbers, not the column names, the blank lines or, often, the marks);
        after a scroll every line is, and none is compared.
        """
        self._header = tuple(header)
        self._n_rows = n_rows
        self._row_text = row_text
        if frozen != self._frozen:
            self._frozen, self._drawn_view = frozen, None
        set_scroll_size(self, Size(width, n_rows + len(self._header)))
        if visible is not None:
            self.show_rows(*visible)
        if self._drawn_view != self._view():
            self.refresh()
            return
        changed = [y for y, text in self._drawn.items() if not _same(self._text_at(y), text)]
        if changed:
            self.refresh(*line_regions(changed, self.size.width))

    def _view(self) -> tuple[int, int, int]:
        scroll_x, scroll_y = self.scroll_offset
        return scroll_x, scroll_y, self.scrollable_content_region.width

    def _text_at(self, y: int) -> Drawn | None:
        """The text of line y on screen and the cell it starts at (None below the last row);
        a wide line is built for the cells in view only (and its frozen columns)."""
        if y < len(self._header):
            line = self._header[y]
        else:
            index = int(self.scroll_offset.y) + y - len(self._header)
            if index >= self._n_rows:
                return None
            line = self._row_text(index)
        if isinstance(line, Text):
            return ((line, 0),)
        scroll_x, _, width = self._drawn_view or self._view()
        middle = self._middle_width(line, scroll_x, width)
        if middle is None:
            return (line.cells(scroll_x, scroll_x + width),)
        left, right = self._frozen
        return (
            line.cells(0, left),
            line.cells(left + scroll_x, left + scroll_x + middle),
            line.cells(line.length - right, line.length),
        )

    def _middle_width(self, line: WideLine, scroll_x: int, width: int) -> int | None:
        """The width of a wide line's scrolled middle, between its frozen columns and before
        the blank the table keeps after the line; None when none is frozen or all fits."""
        left, right = self._frozen
        if left == right == 0 or (scroll_x == 0 and self.virtual_size.width <= width):
            return None
        middle = width - left - right - max(0, self.virtual_size.width - line.length)
        return middle if middle > 1 else None

    def set_lines(self, lines: Sequence[Text], header: Sequence[Text] = ()) -> None:
        """Show a long text under its header lines, each line wrapped to the width.

        Wrapped, not cut: no number is ever hidden, and no horizontal scrollbar comes and goes
        with the length of the numbers (each time it did, the screen was re-laid out).
        """
        header = [part for line in header for part in self.wrapped(line)]
        lines = [part for line in lines for part in self.wrapped(line)]
        widest = max((line.cell_len for line in (*header, *lines)), default=0)
        self.set_content(header, len(lines), lines.__getitem__, widest)

    def set_chunks(self, chunks: Sequence[Text | LazyLines], header: Sequence[Text] = ()) -> None:
        """As set_lines, where runs of lines may come as LazyLines: counted now, built when
        drawn. The other lines are wrapped; lazy ones fit already (see `fits`)."""
        header = [part for line in header for part in self.wrapped(line)]
        runs: list[list[Text] | LazyLines] = []
        widest = max((line.cell_len for line in header), default=0)
        for chunk in chunks:
            if isinstance(chunk, LazyLines):
                runs.append(chunk)
                widest = max(widest, chunk.widest)
                continue
            parts = self.wrapped(chunk)
            widest = max(widest, *(part.cell_len for part in parts))
            if runs and isinstance(runs[-1], list):
                runs[-1] += parts
            else:
                runs.append(parts)
        lines = _Chunks(runs)
        self.set_content(header, lines.count, lines.line, widest)

    def _wrap_width(self) -> int:
        """The cells a line may take (one clear of the vertical scrollbar, as
        Panel.text_width); 0 or less before the first layout, when nothing is wrapped."""
        return self.container_size.width - self.styles.scrollbar_size_vertical - 1

    def fits(self, cells: int) -> bool:
        """Whether a line of this many cells is drawn as it is, not wrapped."""
        width = self._wrap_width()
        return width <= 0 or cells <= width

    def wrapped(self, line: Text) -> list[Text]:
        """A line as it fits the width (one cell clear of the vertical scrollbar, as
        Panel.text_width): itself, or broken at spaces (folded where a word is wider). Itself
        before the first layout."""
        width = self._wrap_width()
        if width <= 0 or line.cell_len <= width:
            return [line]
        first, *rest = line.wrap(self.app.console, width, overflow="fold")
        # The lines after the first keep the line's indent and two more, as an equation's
        # continuation does: a piece back at the margin reads as a line of its own.
        plain = line.plain
        hang = len(plain) - len(plain.lstrip(" ")) + 2
        if not rest or hang > width // 2:
            return [first, *rest]
        start = len(first.plain)
        while start < len(plain) and plain[start] == " ":
            start += 1
        pieces = line[start:].wrap(self.app.console, width - hang, overflow="fold")
        return [first, *(Text(" " * hang).append_text(piece) for piece in pieces)]

    def lines(self) -> list[str]:
        """The plain text of every line, header first, on screen or not (wide lines whole)."""
        return [whole(line).plain for line in self._header] + [
            whole(self._row_text(i)).plain for i in range(self._n_rows)
        ]

    def show_rows(self, first: int, last: int) -> None:
        """Scroll so rows first..last (0-based) are visible, if they are not already."""
        if self._n_rows == 0:
            return
        top = int(self.scroll_offset.y)
        visible = max(1, self.scrollable_content_region.height - len(self._header))
        if first >= top and last < top + visible:
            return
        target = max(0, min(first, self._n_rows - visible))
        self.scroll_to(y=target, animate=False, immediate=True)

    def watch_scroll_y(self, old: float, new: float) -> None:
        scrolled_vertically(self, old, new)

    def render_lines(self, crop: Region) -> list[Strip]:
        # Looked up once per pass, not per line: rich_style walks the whole DOM above.
        self._base_style = self.rich_style
        view = self._view()
        if view != self._drawn_view:
            self._drawn, self._drawn_view = {}, view
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        scroll_x, _, width = self._drawn_view or self._view()
        base = self._base_style
        drawn = self._text_at(y)
        self._drawn[y] = drawn
        if drawn is None:
            return Strip.blank(width, base)
        console = self.app.console
        if len(drawn) == 1:
            text, offset = drawn[0]
            if self._frozen != (0, 0) and self._header_is_caption(y):
                scroll_x = 0  # a caption, drawn from its first cell
            segments = line_segments(text, base, console)
            return Strip(window(segments, scroll_x, width, base, offset), width)
        (lead, _), (middle, offset), (tail, tail_offset) = drawn
        left, right = self._frozen
        line_length = tail_offset + tail.cell_len
        end = line_length - right  # where the middle ends, in the line's cells
        middle_width = width - left - right - max(0, self.virtual_size.width - line_length)
        middle_segments = _cells(line_segments(middle, base, console), 0, end - offset)
        shown = [
            *_padded(_cells(line_segments(lead, base, console), 0, left), left, base),
            *window(middle_segments, left + scroll_x, middle_width, base, offset, scroll_x > 0),
            *_padded(
                _cells(line_segments(tail, base, console), end - tail_offset, line_length),
                right,
                base,
            ),
        ]
        return Strip(_padded(shown, width, base), width)

    def _header_is_caption(self, y: int) -> bool:
        return y < len(self._header) and isinstance(self._header[y], Text)


def whole(line: Line) -> Text:
    """A line's whole text (for a wide line, as long as it is: for tests and exports)."""
    if isinstance(line, Text):
        return line
    text, offset = line.cells(0, line.length)
    assert offset == 0
    return text


def window(
    segments: list[Segment],
    scroll_x: int,
    width: int,
    base: Style,
    offset: int = 0,
    cut_left: bool | None = None,
) -> list[Segment]:
    """Cells scroll_x .. scroll_x + width of a line, padded with spaces to `width` cells;
    `segments` are the line's cells from `offset` on (a wide line's part in view).

    A number cut at the edge would read as another number ("0.3136" as "0"): every cut is
    marked with an ellipsis instead. Built as segments and made into one Strip by the caller:
    Strip operations (crop, join, extend) make a Strip each, with its caches, and a table
    that scrolls to the batch redraws every line of it on every step.

    `cut_left` says whether cells before the window are left out (by default: when scrolled).
    """
    if cut_left is None:
        cut_left = scroll_x > 0
    scroll_x -= offset
    length = Segment.get_line_length(segments)
    if not cut_left and length <= width:  # the common case: the whole line, padded
        return segments + [Segment(" " * (width - length), base)] if length < width else segments
    shown = _cells(segments, scroll_x, scroll_x + width)
    shown_length = max(0, min(length, scroll_x + width) - scroll_x)
    ellipsis = Segment("…", _style_at(shown, -1) or base)
    if length > scroll_x + width and width > 1:
        shown, shown_length = [*_cells(shown, 0, width - 1), ellipsis], width
    if cut_left and shown_length > 1:
        shown = [Segment("…", _style_at(shown, 0) or base), *_cells(shown, 1, width)]
        shown_length = min(shown_length, width)
    if shown_length < width:
        shown.append(Segment(" " * (width - shown_length), base))
    return shown


def _style_at(segments: list[Segment], index: int) -> Style | None:
    """The style of the first (0) or last (-1) segment: an ellipsis in a highlighted row is
    highlighted too."""
    return segments[index].style if segments else None


def _padded(segments: list[Segment], width: int, base: Style) -> list[Segment]:
    """The segments, padded with spaces to `width` cells."""
    length = Segment.get_line_length(segments)
    return segments + [Segment(" " * (width - length), base)] if length < width else segments


def _cells(segments: list[Segment], start: int, end: int) -> list[Segment]:
    """The segments' cells start .. end (a double-width character cut in two is a space)."""
    parts = list(Segment.divide(segments, [start, end]))
    return parts[1] if len(parts) > 1 else []


def _same(a: Drawn | None, b: Drawn | None) -> bool:
    """Drawn alike: Text's own == ignores the style of the whole line."""
    if a is None or b is None:
        return a is b
    return len(a) == len(b) and all(
        a_offset == b_offset
        and a_text.plain == b_text.plain
        and a_text.style == b_text.style
        and a_text.spans == b_text.spans
        for (a_text, a_offset), (b_text, b_offset) in zip(a, b, strict=True)
    )


def line_regions(lines: list[int], width: int) -> list[Region]:
    """Regions covering these lines of a widget, one per run of consecutive lines (one refresh
    call with a few regions costs far less than a call per line)."""
    regions: list[Region] = []
    for y in sorted(lines):
        last = regions[-1] if regions else None
        if last is not None and last.bottom == y:
            regions[-1] = Region(0, last.y, width, last.height + 1)
        else:
            regions.append(Region(0, y, width, 1))
    return regions
