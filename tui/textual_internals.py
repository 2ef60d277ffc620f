"""The app's uses of Textual and Rich beyond their public API, all here and nowhere else.

Each copies a rule the library applies internally, because no public call does what the app
needs as cheaply. tests/test_textual_internals.py holds each against what the library really
does, over many cases; when an upgrade changes a rule, those tests fail and name the version
this was written against (WRITTEN_AGAINST). Then copy the new rule, or drop the shortcut.
"""

from __future__ import annotations

from math import ceil

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar

WRITTEN_AGAINST = {"textual": "8.2.8", "rich": "15.0.0"}


def scrollbars_for(view: ScrollView, size: Size) -> tuple[bool, bool]:
    """(horizontal, vertical): the scrollbars Textual shows once the scrollable size is `size`.

    The rule of Textual's private `Widget._refresh_scrollbars` for overflow "auto" on both
    axes: a bar where the content is larger than the box, and a second one when the first
    takes the room the content needed. Textual applies it only when the layout hands the
    view a size other than the one it has: it hands over the box less the bars shown, so a
    content exactly that size keeps the bars it has.
    """
    shown = (view.show_horizontal_scrollbar, view.show_vertical_scrollbar)
    if size == view.scrollable_content_region.size:
        return shown
    width, height = view.container_size
    horizontal, vertical = size.width > width, size.height > height
    if vertical and not horizontal:
        horizontal = size.width > width - view.styles.scrollbar_size_vertical
    if horizontal and not vertical:
        vertical = size.height > height - view.styles.scrollbar_size_horizontal
    return horizontal, vertical


def set_scroll_size(view: ScrollView, size: Size) -> None:
    """Set `view.virtual_size`, re-laying out the screen only when a scrollbar comes or goes.

    Setting `virtual_size` asks for a layout pass of the whole screen (it is a reactive with
    layout=True), which redraws every widget: most of a step's cost. A view whose own box
    never depends on its content (1fr by 1fr) needs that only when a scrollbar appears or
    goes; otherwise the new size is stored without watchers and the scrollbars' thumbs and
    the scroll offset are brought up to date as Textual's own `_scroll_update` does (a
    thumb drawn where it was is not repainted: see move_thumb).
    """
    if size == view.virtual_size:
        return
    styles = view.styles
    shown = (view.show_horizontal_scrollbar, view.show_vertical_scrollbar)
    same_bars = (
        view.container_size.area > 0
        and styles.overflow_x == styles.overflow_y == "auto"
        and scrollbars_for(view, size) == shown
    )
    if not same_bars:
        view.virtual_size = size
        return
    view.set_reactive(ScrollView.virtual_size, size)
    if view.show_vertical_scrollbar:
        move_thumb(view.vertical_scrollbar, virtual=size.height)
    if view.show_horizontal_scrollbar:
        move_thumb(view.horizontal_scrollbar, virtual=size.width)
    view.scroll_x = view.validate_scroll_x(view.scroll_x)
    view.scroll_y = view.validate_scroll_y(view.scroll_y)


def scrolled_vertically(view: ScrollView, old: float, new: float) -> None:
    """What ScrollView.watch_scroll_y does when the view scrolls, less a needless repaint.

    Textual moves the scrollbar's thumb and redraws the view if the offset moved by a line.
    Moving the thumb sets its `position`, a reactive that repaints the bar at every change;
    a table of 100,000 rows scrolled 32 rows a step moves its thumb by 0.003 cells, drawn
    exactly where it was. So the bar is repainted only when its thumb is drawn elsewhere.
    """
    if view.show_vertical_scrollbar:
        move_thumb(view.vertical_scrollbar, position=new)
    if round(old) != round(new):
        view.refresh(view.size.region)


def move_thumb(bar: ScrollBar, position: float | None = None, virtual: int | None = None) -> None:
    """Set the bar's position and the size it scrolls over; repaint it only if its thumb is
    drawn differently with them (each is a reactive that repaints the bar at every change)."""
    new = (
        bar.position if position is None else bar.validate_position(position),
        bar.window_virtual_size if virtual is None else virtual,
    )
    old = (bar.position, bar.window_virtual_size)
    if new == old:
        return
    if thumb_drawing(bar, *new) == thumb_drawing(bar, *old):
        bar.set_reactive(ScrollBar.position, new[0])
        bar.set_reactive(ScrollBar.window_virtual_size, new[1])
    else:
        bar.position, bar.window_virtual_size = new


def thumb_drawing(bar: ScrollBar, position: float, virtual: int) -> list[tuple[str, Style | None]]:
    """The bar's cells with its thumb at `position` over `virtual` cells, as ScrollBar.render
    has its renderer (ScrollBarRender.render_bar, public) draw them, in the renderer's
    default colours (the colours do not depend on either)."""
    window = bar.window_size if bar.window_size < virtual else 0
    width, height = bar.size
    cells = bar.renderer.render_bar(
        size=height if bar.vertical else width,
        virtual_size=ceil(virtual),
        window_size=ceil(window),
        position=position,
        thickness=width if bar.vertical else height,
        vertical=bar.vertical,
    )
    return [(segment.text, segment.style) for segment in cells.segments]


def line_segments(text: Text, base: Style, console: Console) -> list[Segment]:
    """One line of text as segments on the base style, cell for cell what `Text.render` gives
    (plus the text's own style, which `Text.render` leaves to its caller).

    The panels build their lines by appending styled pieces, so the spans do not overlap
    and each piece is one segment; that is about three times as fast as Rich's general
    `Text.render`, which the rare overlapping case still goes through. The copied rule: a
    span's style is added to the line's (`Style.__add__`, later wins), text between spans
    takes the line's.
    """
    style = base + _style(text.style) if text.style else base
    plain = text.plain
    segments: list[Segment] = []
    position = 0
    for span in sorted(text.spans, key=lambda span: span.start):
        if span.start < position:
            return [
                Segment(seg.text, style + seg.style if seg.style else style)
                for seg in text.render(console)
                if seg.text != "\n"
            ]
        if span.start > position:
            segments.append(Segment(plain[position : span.start], style))
        if span.end > span.start:
            segments.append(Segment(plain[span.start : span.end], style + _style(span.style)))
        position = max(position, span.end)
    if position < len(plain):
        segments.append(Segment(plain[position:], style))
    return segments


def _style(style: str | Style) -> Style:
    return Style.parse(style) if isinstance(style, str) else style
