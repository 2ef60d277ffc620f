"""Load a lecturer's CSV file into a Dataset, or say in one line what is wrong and where."""

from __future__ import annotations

import array
import contextlib
import csv
import errno
import itertools
import math
import os
import re
import threading
from collections.abc import Callable, Generator, Iterator, Sequence
from pathlib import Path
from typing import TextIO

import numpy as np
from numpy.typing import NDArray

from .dataset import Dataset
from .maths import FloatArray
from .params import Hyperparams
from .text import quoted, read_number, visible

# How much of a value or a list a one-line message quotes before it cuts it short.
_QUOTE_LIMIT = 40
_LIST_LIMIT = 12

# Files from Excel and friends that people pass by mistake; their first bytes give them away.
_MAGIC = (
    (b"PK\x03\x04", "a ZIP archive (an .xlsx or .ods spreadsheet?); export it as CSV"),
    (b"\x1f\x8b", "gzip-compressed; decompress it first"),
    (b"\xd0\xcf\x11\xe0", "an old Excel/Office file; export it as CSV"),
    (b"%PDF", "a PDF document, not CSV text"),
)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UTF8_BOM = b"\xef\xbb\xbf"
_LINE_BREAK = re.compile(rb"\r\n|\r|\n")
# The file is read a megabyte at a time where it is read whole.
_CHUNK_BYTES = 1 << 20
_TRUE_FALSE = frozenset({"true", "false"})

# A label value compares as a number ("1" and "1.0" are one class) or as text.
LabelKey = float | str

# csv.field_size_limit is process-wide state; loads take this lock while they raise it.
_FIELD_LIMIT_LOCK = threading.Lock()


class DataError(ValueError):
    """A data file (or built-in name) was rejected; str() is one line "PATH:LINE:COL: reason".

    line and column are 1-based (the line in the file as an editor counts it, the field in
    the row); either is None when the problem has no single place, and is then left out.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None,
        reason: str,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.path = None if path is None else os.fspath(path)
        self.reason = reason
        self.line = line
        self.column = column
        super().__init__(self._message())

    def _message(self) -> str:
        place = []
        if self.path is not None:
            place.append(self.path)
            if self.line is not None:
                place.append(str(self.line))
                if self.column is not None:
                    place.append(str(self.column))
        text = ": ".join([":".join(place), self.reason]) if place else self.reason
        # A path or a quoted value must never break the message over two lines, nor reach
        # the terminal as a control sequence.
        return visible(text)

    def __str__(self) -> str:
        return self._message()


def _quote(text: str) -> str:
    return quoted(text)


def _name_list(names: Sequence[str], limit: int = _LIST_LIMIT) -> str:
    shown = ", ".join(repr(name) for name in names[:limit])
    if len(names) > limit:
        shown += f", ... ({len(names) - limit} more)"
    return shown


def _short(text: str) -> str:
    return text if len(text) <= _QUOTE_LIMIT else text[:_QUOTE_LIMIT] + "..."


def _plain_list(names: Sequence[str], limit: int = _LIST_LIMIT) -> str:
    shown = ", ".join(_short(name) for name in names[:limit])
    if len(names) > limit:
        shown += f", ... ({len(names) - limit} more)"
    return shown


def _line_of_offset(data: bytes, offset: int) -> int:
    """1-based line of a byte offset, counting line breaks as the csv module does."""
    return len(_LINE_BREAK.findall(data, 0, offset)) + 1


def _number(text: str) -> float | None:
    """The float a cell spells in plain ASCII, or None ("1_5" and "１２" are refused)."""
    return read_number(text)


def _check_file(path: Path, where: str) -> tuple[int, int]:
    """(size in bytes, an upper bound on its lines) of a readable, non-empty file that looks
    like UTF-8 text from its first bytes; else a DataError saying why not."""
    if where == "":
        raise DataError(None, "the data file name is empty")
    if not path.exists():
        if path.is_symlink():
            try:
                path.resolve(strict=True)
            except RuntimeError:  # Python 3.11 raises RuntimeError for a loop
                raise DataError(where, "the symbolic link loops back on itself") from None
            except OSError as exc:
                if exc.errno == errno.ELOOP:
                    raise DataError(where, "the symbolic link loops back on itself") from None
            raise DataError(where, "the file is a broken symbolic link")
        raise DataError(where, "no such file")
    if path.is_dir():
        raise DataError(where, "is a directory, not a CSV file")
    if not path.is_file():
        # A FIFO or a device such as /dev/zero would block or never end.
        raise DataError(where, "is not a regular file")
    try:
        with open(path, "rb") as stream:
            head = stream.read(_CHUNK_BYTES)
            size, breaks, chunk = 0, 0, head
            while chunk:  # one pass, a chunk at a time: lines bound the rows to allocate
                size += len(chunk)
                breaks += chunk.count(b"\n") + chunk.count(b"\r")
                chunk = stream.read(_CHUNK_BYTES)
    except PermissionError:
        raise DataError(where, "cannot read the file: permission denied") from None
    except OSError as exc:
        raise DataError(where, f"cannot read the file: {exc.strerror or exc}") from None
    if not size:
        raise DataError(where, "the file is empty (0 bytes); a header row and data rows are needed")
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise DataError(where, f"the file is not CSV text: it looks like {what}")
    if head.startswith(_UTF16_BOMS):
        raise DataError(where, "the file is UTF-16 text, not UTF-8; save it as UTF-8 CSV")
    return size, breaks + 1


def _not_text(path: Path, where: str) -> DataError:
    """Why a file that failed to decode as UTF-8 text is not text, and where (the slow path,
    taken only for a bad file: it reads the whole file)."""
    data = path.read_bytes()
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    nul = data.find(b"\x00")
    if nul >= 0:
        return DataError(
            where,
            "the file is not UTF-8 text (it holds NUL bytes: a binary file?)",
            line=_line_of_offset(data, nul),
        )
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        byte = data[exc.start]
        return DataError(
            where,
            f"the file is not UTF-8 text (byte 0x{byte:02x}; Latin-1 or Windows-1252?); "
            "save it as UTF-8",
            line=_line_of_offset(data, exc.start),
        )
    return DataError(where, "the file is not UTF-8 text")


class _NotText(Exception):
    """A NUL byte or a byte that is not UTF-8: the file is not text."""


def _text_lines(stream: TextIO) -> Iterator[str]:
    """The file's lines with their endings (\n, \r\n or \r, as csv reads them), decoded as
    they are read: never the whole file in memory."""
    try:
        for line in stream:
            if "\x00" in line:
                raise _NotText
            yield line
    except UnicodeDecodeError:
        raise _NotText from None


@contextlib.contextmanager
def _records(path: Path, where: str, size: int) -> Iterator[Iterator[tuple[int, list[str]]]]:
    """(first line, fields) for every record of the file that is not a blank line, read as
    the caller iterates, inside the block (csv's field-size limit is raised while it runs)."""
    with open(path, encoding="utf-8-sig", newline="") as stream:
        reader = csv.reader(_text_lines(stream), skipinitialspace=True)

        def records() -> Generator[tuple[int, list[str]], None, None]:
            previous_end = 0
            try:
                for fields in reader:
                    line = previous_end + 1
                    previous_end = reader.line_num
                    if not fields or (len(fields) == 1 and not fields[0].strip()):
                        continue
                    if previous_end > line:  # a quoted value took more than one line
                        for index, field in enumerate(fields):
                            if "\n" in field or "\r" in field:
                                reason = _multiline_reason(path, line, previous_end)
                                raise DataError(where, reason, line, index + 1)
                    yield line, fields
            except csv.Error as exc:
                raise DataError(
                    where, f"not readable as CSV: {exc}", line=reader.line_num
                ) from None
            except _NotText:
                raise _not_text(path, where) from None

        with _FIELD_LIMIT_LOCK:
            # A single cell may be as long as the file; a too-long cell is then reported as
            # the bad value it is instead of as csv's "field larger than field limit".
            old_limit = csv.field_size_limit()
            csv.field_size_limit(max(old_limit, min(size + 1, 2**31 - 1)))
            iterator = records()
            try:
                yield iterator
            finally:
                iterator.close()
                csv.field_size_limit(old_limit)


def _header(where: str, records: Iterator[tuple[int, list[str]]]) -> tuple[int, list[str]]:
    """The header row's line and its column names, checked."""
    first = next(records, None)
    if first is None:
        raise DataError(where, "the file holds only blank lines; a header row is expected")
    header_line, fields = first
    names = [name.strip() for name in fields]
    _check_header(where, header_line, names)
    return header_line, names


def _multiline_reason(path: Path, first: int, last: int) -> str:
    """Why a value spans lines first..last: an unclosed quote, or a line break inside quotes."""
    with open(path, encoding="utf-8-sig", newline="") as stream:
        physical = list(itertools.islice(stream, first - 1, last))
    if "".join(physical).count('"') % 2:
        return f"the quote opened on line {first} is never closed"
    return f"a quoted value runs from line {first} to line {last}; values must fit on one line"


def _check_header(where: str, line: int, names: list[str]) -> None:
    if len(names) == 1 and ";" in names[0]:
        raise DataError(
            where,
            "the header looks semicolon-delimited; logsgd-tui reads comma-separated files",
            line=line,
        )
    if len(names) == 1 and "\t" in names[0]:
        raise DataError(
            where,
            "the header looks tab-separated; logsgd-tui reads comma-separated files",
            line=line,
        )
    if not any(names):
        raise DataError(where, "the header row has no column names (only commas)", line=line)
    for index, name in enumerate(names):
        if not name:
            raise DataError(
                where, f"column {index + 1} of the header has no name", line=line, column=index + 1
            )
    first_index: dict[str, int] = {}
    for index, name in enumerate(names):
        if name in first_index:
            raise DataError(
                where,
                f"column name {_quote(name)} appears twice (columns {first_index[name] + 1} "
                f"and {index + 1})",
                line=line,
                column=index + 1,
            )
        first_index[name] = index
    if all(_number(name) is not None for name in names):
        raise DataError(
            where,
            "the first row looks like data, not a header; add a header row of column names",
            line=line,
        )


def _choose_columns(
    where: str,
    line: int,
    names: list[str],
    label: str | None,
    features: Sequence[str] | None,
) -> tuple[int, list[int]]:
    """(label index, feature indexes) from the header and what the caller asked for."""
    available = f"the columns are: {_name_list(names)}"
    if label is None:
        label_index = len(names) - 1
    else:
        wanted = label.strip()
        if wanted not in names:
            raise DataError(where, f"no label column named {_quote(wanted)}; {available}")
        label_index = names.index(wanted)
    label_name = names[label_index]
    if features is None:
        feature_indexes = [index for index in range(len(names)) if index != label_index]
    else:
        feature_indexes = []
        for raw in features:
            wanted = raw.strip()
            if not wanted:
                raise DataError(where, "an empty name in the list of feature columns")
            if wanted not in names:
                raise DataError(where, f"no feature column named {_quote(wanted)}; {available}")
            if wanted == label_name:
                raise DataError(
                    where, f"column {_quote(wanted)} is the label; it cannot also be a feature"
                )
            index = names.index(wanted)
            if index in feature_indexes:
                raise DataError(where, f"feature column {_quote(wanted)} is chosen twice")
            feature_indexes.append(index)
    if not feature_indexes:
        if features is not None:
            raise DataError(where, "no feature columns were chosen; at least one is needed")
        raise DataError(
            where,
            f"the header has only the label column {_quote(label_name)}; at least one feature "
            "column is needed",
            line=line,
        )
    return label_index, feature_indexes


def _ragged_reason(fields: list[str], expected: int, first_row: bool) -> str:
    """Expected vs got, with a hint where the cause is cheap to guess.

    Decimal commas ("1,5") break every row, so the hint is only given when the very first
    data row is ragged and holds no decimal point; a single bad row later on gets none.
    """
    got = len(fields)
    reason = f"this row has {got} fields, the header has {expected}"
    extra = fields[expected:]
    if got > expected and not any(field.strip() for field in extra):
        reason += " (a trailing comma?)"
    elif first_row and got > expected and not any("." in field for field in fields):
        whole_numbers = [field for field in fields[1:] if field.strip().isdigit()]
        if whole_numbers:
            reason += " (if decimals are written with a comma, as in 1,5, write 1.5)"
    return reason


def _label_keys(values: list[str]) -> tuple[list[LabelKey], str]:
    """One comparable key per label value, and the kind: "number", "true/false" or "text".

    Numbers compare by value, so "1" and "1.0" are one class; true/false ignore case.
    """
    numbers = [number for number in map(_number, values) if number is not None]
    if len(numbers) == len(values):
        return list(numbers), "number"
    if all(value.casefold() in _TRUE_FALSE for value in values):
        return [value.casefold() for value in values], "true/false"
    return list(values), "text"


def _positive_key(positive: str, kind: str) -> LabelKey | None:
    wanted = positive.strip()
    if kind == "number":
        return _number(wanted)
    if kind == "true/false":
        return wanted.casefold()
    return wanted


def load_csv(
    path: str | os.PathLike[str],
    label: str | None = None,
    features: Sequence[str] | None = None,
    positive: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Dataset:
    """Read a comma-separated file with a header row into a Dataset.

    The label is the last column unless `label` names another; the features are all other
    columns in file order unless `features` lists them. A label with two values maps to 0/1:
    0/1 and false/true as written, other pairs in sorted order (the second is 1, and the
    description says so). More values need `positive`: that value is 1, all others 0.

    Blank lines and rows whose every cell is empty are skipped; cells may be quoted and
    padded with spaces. Defaults: learning rate 0.01 (a file's scale is unknown, and the seed
    lecture's rate suits unscaled features), batch size 2 as in the lecture for up to 20
    rows, else 10, no shuffling, all-zero initial weights.

    The file is read row by row into arrays allocated once: its peak memory is its text plus
    the numbers (about 8 bytes a cell), not a list of every row's strings. `progress(rows,
    lines)` is called every hundredth of the file's lines.
    """
    file_path = Path(path)
    # Messages name the file as the caller spelled it ("./a.csv" stays "./a.csv").
    where = os.fspath(path)
    size, capacity = _check_file(file_path, where)
    with _records(file_path, where, size) as records:
        header_line, names = _header(where, records)
        label_index, feature_indexes = _choose_columns(where, header_line, names, label, features)
        # At most one data row a line: the arrays are allocated once (untouched pages cost no
        # memory), then cut to the rows read.
        columns = _Columns(where, names, label_index, feature_indexes, capacity)
        report = max(1, capacity // 100)
        for line, fields in records:
            if not any(f.strip() for f in fields):
                continue  # a row of empty cells
            columns.add(line, fields)
            if progress is not None and columns.count % report == 0:
                progress(columns.count, capacity)
    values, label_values, codes = columns.finish(header_line)
    label_name = names[label_index]
    labels, class_names, mapping = _map_labels(
        where, label_name, label_index, label_values, codes, positive
    )
    n_rows = values.shape[0]
    feature_names = tuple(names[index] for index in feature_indexes)
    # Names from the file are shown as text everywhere: their control characters made visible
    # once, here (the columns were matched to --label and --features by their real names).
    return Dataset(
        name=visible(file_path.stem),
        # The export's header says the rows and features; the description says the classes.
        description=visible(mapping),
        feature_names=tuple(visible(name) for name in feature_names),
        label_name=visible(label_name),
        features=values,
        labels=labels,
        class_names=(visible(class_names[0]), visible(class_names[1])),
        source=visible(where),
        hyperparams=Hyperparams(learning_rate=0.01, batch_size=2 if n_rows <= 20 else 10),
        initial_weights=None,
    )


class _Columns:
    """The data rows read so far: features in a preallocated array, labels as codes."""

    def __init__(
        self,
        where: str,
        names: list[str],
        label_index: int,
        feature_indexes: list[int],
        capacity: int,
    ) -> None:
        self.where = where
        self.names = names
        self.label_index = label_index
        self.used = sorted([label_index, *feature_indexes])
        self.feature_column = {index: position for position, index in enumerate(feature_indexes)}
        self.values = np.empty((capacity, len(feature_indexes)), dtype=np.float64)
        self.codes = array.array("i")  # the label of each row, as the index of its spelling
        self.spellings: dict[str, int] = {}  # each label value as written, in order seen
        self.count = 0
        self.first_line = 0

    def add(self, line: int, fields: list[str]) -> None:
        names = self.names
        if len(fields) != len(names):
            column = min(len(fields), len(names)) + 1
            raise DataError(
                self.where,
                _ragged_reason(fields, len(names), self.count == 0),
                line=line,
                column=column,
            )
        if self.count == 0:
            self.first_line = line
        row = self.values[self.count]
        for index in self.used:
            cell = fields[index].strip()
            if index == self.label_index:
                value = _label_cell(self.where, cell, names[index], line, index + 1)
                self.codes.append(self.spellings.setdefault(value, len(self.spellings)))
            else:
                row[self.feature_column[index]] = _feature_cell(
                    self.where, cell, names[index], line, index + 1
                )
        self.count += 1

    def finish(self, header_line: int) -> tuple[FloatArray, list[str], NDArray[np.int32]]:
        """(features, the label values as written in order seen, each row's code); at least two
        data rows are needed."""
        if self.count == 0:
            raise DataError(
                self.where, "the file has a header row but no data rows", line=header_line
            )
        if self.count == 1:
            raise DataError(
                self.where,
                "the file has only one data row; at least two are needed (one of each class)",
                line=self.first_line,
            )
        values = self.values[: self.count]
        values.flags.writeable = False  # handed over to the Dataset as it is, not copied
        codes = np.frombuffer(self.codes, dtype=np.int32)
        return values, list(self.spellings), codes


def _label_cell(where: str, cell: str, label_name: str, line: int, column: int) -> str:
    """A label cell as written: any non-empty value but a non-finite number."""
    if not cell:
        raise DataError(
            where,
            f"the label {_quote(label_name)} is empty; every row needs a class",
            line=line,
            column=column,
        )
    number = _number(cell)
    if number is not None and not math.isfinite(number):
        raise DataError(
            where,
            f"the label {_quote(label_name)} is {_quote(cell)}, not a class (a missing value?)",
            line=line,
            column=column,
        )
    return cell


def _feature_cell(where: str, cell: str, name: str, line: int, column: int) -> float:
    """A feature cell as a finite number."""
    if not cell:
        raise DataError(
            where,
            f"no value for feature {_quote(name)}; every feature needs a number",
            line=line,
            column=column,
        )
    number = _number(cell)
    if number is None:
        raise DataError(
            where,
            f"{_quote(cell)} in column {_quote(name)} is not a number",
            line=line,
            column=column,
        )
    if not math.isfinite(number):
        raise DataError(
            where,
            f"{_quote(cell)} in column {_quote(name)} is not a finite number; "
            "remove or fill that row",
            line=line,
            column=column,
        )
    return number


def _map_labels(
    where: str,
    label_name: str,
    label_index: int,
    label_values: list[str],
    codes: NDArray[np.int32],
    positive: str | None,
) -> tuple[FloatArray, tuple[str, str], str]:
    """0/1 labels, (name of class 0, name of class 1) and a one-line account of the mapping.

    `label_values` are the distinct values as written, in the order first seen; `codes` the
    index of each row's value among them.
    """
    keys, kind = _label_keys(label_values)
    spelling: dict[LabelKey, str] = {}
    for key, value in zip(keys, label_values, strict=True):
        spelling.setdefault(key, value)
    column = label_index + 1
    if len(spelling) == 1:
        only = next(iter(spelling.values()))
        raise DataError(
            where,
            f"the label column {_quote(label_name)} (column {column}) has only one value, "
            f"{_quote(only)}; two classes are needed",
        )
    if positive is not None:
        wanted = _positive_key(positive, kind)
        if wanted is None or wanted not in spelling:
            raise DataError(
                where,
                f"the positive class {_quote(positive.strip())} is not a value of the label "
                f"column {_quote(label_name)}; its values are: "
                f"{_name_list([spelling[key] for key in sorted(spelling)])}",
            )
        one = spelling[wanted]
        others = [spelling[key] for key in sorted(spelling) if key != wanted]
        zero = others[0] if len(others) == 1 else f"not {one}"
        if len(others) == 1:
            mapping = f"label {label_name}: {_short(one)} = 1, {_short(zero)} = 0"
        else:
            mapping = f"label {label_name}: {_short(one)} = 1, the rest = 0 ({_plain_list(others)})"
        per_value = np.array([1.0 if key == wanted else 0.0 for key in keys], dtype=np.float64)
        return per_value[codes], (zero, one), mapping
    if len(spelling) > 2:
        values = _plain_list([spelling[key] for key in sorted(spelling)])
        raise DataError(
            where,
            f"the label column {_quote(label_name)} (column {column}) has {len(spelling)} "
            f"values ({values}); choose the class that is 1 with --positive VALUE",
        )
    # Two classes: 0/1 and false/true sort the right way round, and so does any other pair.
    key_zero, key_one = sorted(spelling)
    per_value = np.array([1.0 if key == key_one else 0.0 for key in keys], dtype=np.float64)
    labels = per_value[codes]
    zero, one = spelling[key_zero], spelling[key_one]
    return labels, (zero, one), f"label {label_name}: {_short(one)} = 1, {_short(zero)} = 0"
