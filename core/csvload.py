"""Load a lecturer's CSV file into a Dataset, or say in one line what is wrong and where."""

from __future__ import annotations

import csv
import errno
import io
import math
import os
import re
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .dataset import Dataset
from .maths import FloatArray
from .params import Hyperparams
from .text import read_number, visible

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


def _quote(text: str, limit: int = _QUOTE_LIMIT) -> str:
    """repr() of text cut to `limit` characters, so control characters and length stay visible."""
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}... ({len(text)} characters)"


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


def _read_text(path: Path, where: str) -> str:
    """The file's text, decoded as UTF-8 (a BOM is dropped), or a DataError saying why not."""
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
            data = stream.read()
    except PermissionError:
        raise DataError(where, "cannot read the file: permission denied") from None
    except OSError as exc:
        raise DataError(where, f"cannot read the file: {exc.strerror or exc}") from None
    if not data:
        raise DataError(where, "the file is empty (0 bytes); a header row and data rows are needed")
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise DataError(where, f"the file is not CSV text: it looks like {what}")
    if data.startswith(_UTF16_BOMS):
        raise DataError(where, "the file is UTF-16 text, not UTF-8; save it as UTF-8 CSV")
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    nul = data.find(b"\x00")
    if nul >= 0:
        raise DataError(
            where,
            "the file is not UTF-8 text (it holds NUL bytes: a binary file?)",
            line=_line_of_offset(data, nul),
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        byte = data[exc.start]
        raise DataError(
            where,
            f"the file is not UTF-8 text (byte 0x{byte:02x}; Latin-1 or Windows-1252?); "
            "save it as UTF-8",
            line=_line_of_offset(data, exc.start),
        ) from None


def _records(where: str, text: str) -> list[tuple[int, list[str]]]:
    """(first line, fields) for every record of the file that is not a blank line."""
    reader = csv.reader(io.StringIO(text, newline=""), skipinitialspace=True)
    records: list[tuple[int, list[str]]] = []
    previous_end = 0
    with _FIELD_LIMIT_LOCK:
        # A single cell may be as long as the file; a too-long cell is then reported as the
        # bad value it is instead of as csv's "field larger than field limit".
        old_limit = csv.field_size_limit()
        csv.field_size_limit(max(old_limit, min(len(text) + 1, 2**31 - 1)))
        try:
            for fields in reader:
                line = previous_end + 1
                previous_end = reader.line_num
                if not fields or (len(fields) == 1 and not fields[0].strip()):
                    continue
                for index, field in enumerate(fields):
                    if "\n" in field or "\r" in field:
                        raise DataError(
                            where, _multiline_reason(text, line, previous_end), line, index + 1
                        )
                records.append((line, fields))
        except csv.Error as exc:
            raise DataError(where, f"not readable as CSV: {exc}", line=reader.line_num) from None
        finally:
            csv.field_size_limit(old_limit)
    return records


def _multiline_reason(text: str, first: int, last: int) -> str:
    """Why a value spans lines first..last: an unclosed quote, or a line break inside quotes."""
    physical = io.StringIO(text, newline="").readlines()
    if "".join(physical[first - 1 : last]).count('"') % 2:
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
    """
    file_path = Path(path)
    # Messages name the file as the caller spelled it ("./a.csv" stays "./a.csv").
    where = os.fspath(path)
    text = _read_text(file_path, where)
    records = _records(where, text)
    if not records:
        raise DataError(where, "the file holds only blank lines; a header row is expected")
    header_line, header_fields = records[0]
    names = [name.strip() for name in header_fields]
    _check_header(where, header_line, names)
    label_index, feature_indexes = _choose_columns(where, header_line, names, label, features)
    label_name = names[label_index]
    used = sorted([label_index, *feature_indexes])
    feature_column = {index: position for position, index in enumerate(feature_indexes)}

    rows = _data_rows(where, header_line, records[1:])
    values = np.empty((len(rows), len(feature_indexes)), dtype=np.float64)
    label_values: list[str] = []
    for row, (line, fields) in enumerate(rows):
        if len(fields) != len(names):
            column = min(len(fields), len(names)) + 1
            raise DataError(
                where, _ragged_reason(fields, len(names), row == 0), line=line, column=column
            )
        for index in used:
            cell = fields[index].strip()
            if index == label_index:
                label_values.append(_label_cell(where, cell, label_name, line, index + 1))
            else:
                number = _feature_cell(where, cell, names[index], line, index + 1)
                values[row, feature_column[index]] = number

    labels, class_names, mapping = _map_labels(
        where, label_name, label_index, label_values, positive
    )
    n_rows = len(rows)
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


def _data_rows(
    where: str, header_line: int, records: list[tuple[int, list[str]]]
) -> list[tuple[int, list[str]]]:
    """The data rows (line number, cells), blank ones skipped; at least two are needed."""
    rows = [(line, fields) for line, fields in records if any(f.strip() for f in fields)]
    if not rows:
        raise DataError(where, "the file has a header row but no data rows", line=header_line)
    if len(rows) == 1:
        raise DataError(
            where,
            "the file has only one data row; at least two are needed (one of each class)",
            line=rows[0][0],
        )
    return rows


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
    positive: str | None,
) -> tuple[FloatArray, tuple[str, str], str]:
    """0/1 labels, (name of class 0, name of class 1) and a one-line account of the mapping."""
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
        labels = np.array([1.0 if key == wanted else 0.0 for key in keys], dtype=np.float64)
        return labels, (zero, one), mapping
    if len(spelling) > 2:
        values = _plain_list([spelling[key] for key in sorted(spelling)])
        raise DataError(
            where,
            f"the label column {_quote(label_name)} (column {column}) has {len(spelling)} "
            f"values ({values}); choose the class that is 1 with --positive VALUE",
        )
    # Two classes: 0/1 and false/true sort the right way round, and so does any other pair.
    key_zero, key_one = sorted(spelling)
    labels = np.array([1.0 if key == key_one else 0.0 for key in keys], dtype=np.float64)
    zero, one = spelling[key_zero], spelling[key_one]
    return labels, (zero, one), f"label {label_name}: {_short(one)} = 1, {_short(zero)} = 0"
