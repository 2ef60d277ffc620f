"""Dataset panel: every row with its 1-based index, features and label; the batch highlighted."""

from __future__ import annotations

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.geometry import Size

from logsgd.core.formatting import fmt_data
from logsgd.core.maths import FloatArray
from logsgd.tui.marks import BATCH, BATCH_MARK, NEXT, NEXT_MARK, key_line
from logsgd.tui.panels.base import Panel
from logsgd.tui.rowtable import CAPTION_STYLE, COLUMN_HEADER_STYLE, RowTable, WideLine
from logsgd.tui.state import DataInfo, ViewState

# The border's key to the marks, where they appear (short: the panel is as narrow as its data).
MARKS_KEY = key_line(BATCH, NEXT)
# Rows whose written cells are kept (a few screens' worth, whatever the data's size).
MAX_ROWS_KEPT = 4096
# Column widths come from at most this many rows, spread over the data, and at most this many
# cells: exact for small data, cheap for 100,000 rows or 100,000 columns.
WIDTH_SAMPLE_ROWS = 2000
WIDTH_SAMPLE_CELLS = 200_000
GAP = "  "  # before every column


class Columns:
    """Where each column of the table lies: a row is the mark and the index (`lead` cells),
    then per column GAP and its cell right-aligned in its width; the label is the last column.

    A row or the header is written for the columns in view only (`in_view`), so a step at
    100,000 features writes a screenful of cells, not 100,000 of them.
    """

    def __init__(self, lead: int, widths: np.ndarray) -> None:
        self.lead = lead
        self.widths = widths
        self.ends = lead + np.cumsum(widths + len(GAP))  # the cell after column c
        self.length = int(self.ends[-1]) if widths.size else lead
        # Every line of a view asks for the same columns: found once per view.
        self._views: dict[tuple[int, int], tuple[int, int]] = {}

    def start(self, column: int) -> int:
        return self.lead if column == 0 else int(self.ends[column - 1])

    def in_view(self, start: int, end: int) -> tuple[int, int]:
        """The columns from the first that reaches past cell `start` to the first that ends
        past cell `end` (one beyond the view, so that a cut is marked)."""
        found = self._views.get((start, end))
        if found is None:
            first = int(np.searchsorted(self.ends, start, side="right"))
            last = int(np.searchsorted(self.ends, end, side="right"))
            if len(self._views) > 64:
                self._views.clear()
            found = self._views[start, end] = (first, min(last + 1, self.widths.size))
        return found

    def line(self, lead: str, cells: list[str], first: int, end: int) -> str:
        """`lead` and the cells of columns first..end-1, each right-aligned in its width."""
        widths = self.widths[first:end].tolist()
        return lead + "".join(GAP + c.rjust(w) for c, w in zip(cells, widths, strict=True))


def sampled_rows(n: int, d: int) -> range:
    """The rows the column widths are measured on: every row of small data, else spread."""
    most = max(1, min(WIDTH_SAMPLE_ROWS, WIDTH_SAMPLE_CELLS // max(d, 1)))
    return range(n) if n <= most else range(0, n, max(1, n // most))


def caption(data: DataInfo, standardized: bool) -> str:
    """What the table's numbers are, when there is more to say than the column names: which
    class the label's 1 stands for (as the exports say it) and whether the features are
    standardized. Class names are the data's text: shown as literal text, never markup."""
    said = []
    zero, one = data.class_names
    if (zero, one) != ("0", "1"):
        said.append(f"{data.label_name}: {one} = 1")
    if standardized:
        said.append("standardized")
    return " · ".join(said)


def cell_widths(values: FloatArray) -> np.ndarray:
    """The width of each value as written, column by column: (rows, columns) -> (columns,)."""
    if values.size == 0:
        return np.zeros(values.shape[1], dtype=np.int64)
    lengths = [len(fmt_data(v)) for v in values.ravel().tolist()]
    return np.array(lengths, dtype=np.int64).reshape(values.shape).max(axis=0)


class DatasetPanel(Panel):
    """The data as the engine uses it; rows of the current batch marked ▶, the next batch ›.

    As wide as its table (width: auto), within what the layout allows; when narrower, the
    feature columns scroll sideways between the row's mark and number and its label.
    """

    wraps_to_width = True  # the caption

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._data_key: object = None
        self._names: list[str] = []
        self._columns = Columns(0, np.zeros(0, dtype=np.int64))
        # The cells of each row's columns in view as last written: the data do not change
        # from step to step, only the marks do (a memo of the formatting, cleared with the
        # data).
        self._cells: dict[tuple[int, int, int], str] = {}
        self._text_cells = 0
        # Columns that a row drawn showed wider than the sample had measured them.
        self._wider: dict[int, int] = {}

    def compose(self) -> ComposeResult:
        yield RowTable(id="dataset-table")

    def _measure(self, state: ViewState) -> None:
        """The column names and widths of the data (widths from a sample of rows)."""
        data = state.data
        n = state.n_rows
        self._names = [*data.feature_names, data.label_name]
        widths = np.fromiter(map(len, self._names), dtype=np.int64, count=len(self._names))
        sample = sampled_rows(n, data.n_features)
        values = np.column_stack([data.inputs[sample], data.labels[sample]])
        widths = np.maximum(widths, cell_widths(values))
        widths[-1] = max(int(widths[-1]), 1)
        self._columns = Columns(2 + max(len(str(n)), 1), widths)
        # The panel is as wide as its table (app.tcss: width auto), the table as its lines.
        self.refresh(layout=True)

    def drawn_from(self, state: ViewState) -> tuple[object, ...]:
        return (state.event, state.data)

    def show(self, state: ViewState) -> None:
        self._draw(state, scroll_to_batch=True)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        """As wide as the table (app.tcss: width auto, the table's too), and as the border's
        title and key and the caption: a title cut short would hide how many rows there are."""
        table = super().get_content_width(container, viewport)
        return max(table, self._text_cells)

    def _draw(self, state: ViewState, scroll_to_batch: bool) -> None:
        event = state.event
        data = state.data
        n = state.n_rows
        title = f"Dataset ({n} rows)"
        self.set_titles(title, MARKS_KEY)
        said = caption(data, event.standardized)
        # Border text needs "─ " and " ─" inside the corners; the caption the table's gap
        # and scrollbar.
        cells = max(len(title) + 4, len(MARKS_KEY) + 4, Text(said).cell_len + 2)
        if self._text_cells != cells:
            self._text_cells = cells
            self.refresh(layout=True)
        key = (data, event.standardized)  # the object, not its id: ids are reused
        if key != self._data_key:
            self._data_key = key
            self._measure(state)
            self._cells = {}
        index_width = max(len(str(n)), 1)
        batch = set(event.rows.tolist())
        upcoming = set(event.next_rows.tolist())
        columns, names = self._columns, self._names
        d = data.n_features
        inputs, labels = data.inputs, data.labels
        cells_of = self._cells
        if len(cells_of) > MAX_ROWS_KEPT:
            cells_of.clear()

        def header_cells(start: int, end: int) -> tuple[Text, int]:
            first, last = columns.in_view(start, end)
            lead = "  " + "#".rjust(index_width) if first == 0 else ""
            text = columns.line(lead, names[first:last], first, last)
            return Text(text, style=COLUMN_HEADER_STYLE), columns.start(first) - len(lead)

        def row_cells(i: int, start: int, end: int) -> tuple[str, int]:
            first, last = columns.in_view(start, end)
            key = (i, first, last)
            cells = cells_of.get(key)
            if cells is None:
                values = inputs[i, first : min(last, d)].tolist()
                if last > d:
                    values.append(float(labels[i]))
                written = [fmt_data(v) for v in values]
                self._note_widths(written, first)
                cells = cells_of[key] = columns.line("", written, first, last)
            return cells, first

        def row_text(i: int) -> WideLine:
            if i in batch:
                mark, style = BATCH_MARK, "bold reverse"
            elif i in upcoming:
                mark, style = NEXT_MARK, "italic"
            else:
                mark, style = " ", ""

            def cells(start: int, end: int) -> tuple[Text, int]:
                written, first = row_cells(i, start, end)
                if first == 0:
                    return Text(f"{mark} {str(i + 1).rjust(index_width)}{written}", style), 0
                return Text(written, style), columns.start(first)

            return WideLine(cells, columns.length)

        shown = batch or upcoming
        table = self.query_one(RowTable)
        captions = table.wrapped(Text(said, style=CAPTION_STYLE)) if said else []
        label_width = len(GAP) + int(columns.widths[-1]) if columns.widths.size else 0
        table.set_content(
            [*captions, WideLine(header_cells, columns.length)],
            n,
            row_text,
            columns.length + 1,  # one cell clear of the scrollbar
            visible=(min(shown), max(shown)) if shown and scroll_to_batch else None,
            # The mark and number with the space after them, and the label with the one before.
            frozen=(columns.lead + 1, label_width),
        )

    def _note_widths(self, written: list[str], first: int) -> None:
        """Widen, after this frame, the columns a row shows wider than the sample measured:
        their rows would not line up (a cell is never cut to fit)."""
        widths = self._columns.widths
        wider = {first + k: len(c) for k, c in enumerate(written) if len(c) > widths[first + k]}
        if wider:
            if not self._wider:
                self.call_after_refresh(self._widen)
            for column, width in wider.items():
                self._wider[column] = max(width, self._wider.get(column, 0))

    def _widen(self) -> None:
        widths = self._columns.widths.copy()
        for column, width in self._wider.items():
            widths[column] = max(int(widths[column]), width)
        self._wider = {}
        self._columns = Columns(self._columns.lead, widths)
        self._cells = {}
        if self.state is not None:  # drawn again where it is scrolled to, not at the batch
            self._draw(self.state, scroll_to_batch=False)
