"""Dataset panel: every row with its 1-based index, features and label; the batch highlighted."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult

from logsgd.core.formatting import fmt_data
from logsgd.tui.panels.base import Panel
from logsgd.tui.rowtable import COLUMN_HEADER_STYLE, RowTable
from logsgd.tui.state import ViewState

BATCH_MARK = "▶"
NEXT_MARK = "›"
# Rows whose written cells are kept (a few screens' worth, whatever the data's size).
MAX_ROWS_KEPT = 4096


class DatasetPanel(Panel):
    """The data as the engine uses it; rows of the current batch marked ▶, the next batch ›."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._data_key: object = None
        self._names: list[str] = []
        self._widths: list[int] = []
        # Each row's cells as last written: the data do not change from step to step, only
        # the marks do (a memo of the formatting, cleared with the data).
        self._cells: dict[int, str] = {}

    def compose(self) -> ComposeResult:
        yield RowTable(id="dataset-table")

    def _column_texts(self, state: ViewState) -> tuple[list[str], list[int]]:
        data = state.data
        names = [*data.feature_names, data.label_name]
        n = state.n_rows
        # Column widths from a sample of rows: exact for small data, cheap for 100k rows.
        sample = range(n) if n <= 2000 else range(0, n, max(1, n // 2000))
        widths = [len(name) for name in names]
        for i in sample:
            for j, value in enumerate(data.inputs[i]):
                widths[j] = max(widths[j], len(fmt_data(float(value))))
        widths[-1] = max(widths[-1], 1)
        return names, widths

    def drawn_from(self, state: ViewState) -> tuple[object, ...]:
        return (state.event, state.data)

    def show(self, state: ViewState) -> None:
        event = state.event
        data = state.data
        n = state.n_rows
        self.set_titles(f"Dataset ({n} rows)", "standardized" if event.standardized else "")
        key = (data, event.standardized)  # the object, not its id: ids are reused
        if key != self._data_key:
            self._data_key = key
            self._names, self._widths = self._column_texts(state)
            self._cells = {}
        index_width = max(len(str(n)), 1)
        batch = set(event.rows.tolist())
        upcoming = set(event.next_rows.tolist())
        names, widths = self._names, self._widths
        header = Text("  " + "#".rjust(index_width), style=COLUMN_HEADER_STYLE)
        for name, width in zip(names, widths, strict=True):
            header.append("  " + name.rjust(width))
        total_width = header.cell_len + 2
        inputs, labels = data.inputs, data.labels
        cells_of = self._cells
        if len(cells_of) > MAX_ROWS_KEPT:
            cells_of.clear()

        def row_text(i: int) -> Text:
            if i in batch:
                mark, style = BATCH_MARK, "bold reverse"
            elif i in upcoming:
                mark, style = NEXT_MARK, "italic"
            else:
                mark, style = " ", ""
            cells = cells_of.get(i)
            if cells is None:
                values = [fmt_data(float(v)) for v in inputs[i]] + [fmt_data(float(labels[i]))]
                cells = cells_of[i] = "".join(
                    "  " + c.rjust(w) for c, w in zip(values, widths, strict=True)
                )
            return Text(f"{mark} {str(i + 1).rjust(index_width)}{cells}", style=style)

        shown = batch or upcoming
        self.query_one(RowTable).set_content(
            [header], n, row_text, total_width, visible=(min(shown), max(shown)) if shown else None
        )
