"""The CSV loader: odd-but-valid files load exactly, and every bad file gets its own one line."""

from __future__ import annotations

import csv
import os
import stat
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from logsgd.core.csvload import DataError, load_csv

DATA = Path(__file__).parent / "data"
BAD = DATA / "bad"
GOOD = DATA / "good"

# file -> (a substring only its own cause produces, line, column); None where there is none.
BAD_CASES: dict[str, tuple[str, int | None, int | None]] = {
    "empty.csv": ("the file is empty (0 bytes)", None, None),
    "blank_lines_only.csv": ("the file holds only blank lines", None, None),
    "header_only.csv": ("has a header row but no data rows", 1, None),
    "ragged_short_row.csv": ("this row has 2 fields, the header has 3", 3, 3),
    "ragged_long_row.csv": ("this row has 4 fields, the header has 3", 4, 4),
    "trailing_comma.csv": ("4 fields, the header has 3 (a trailing comma?)", 2, 4),
    "decimal_comma.csv": ("5 fields, the header has 3 (if decimals are written with a comma", 2, 4),
    "non_numeric_feature.csv": ("'abc' in column 'x2' is not a number", 3, 2),
    "nan_feature.csv": ("'NaN' in column 'x1' is not a finite number", 4, 1),
    "inf_feature.csv": ("'-Infinity' in column 'x2' is not a finite number", 3, 2),
    "empty_feature_value.csv": ("no value for feature 'x2'", 3, 2),
    "underscore_number.csv": ("'1_5' in column 'x1' is not a number", 2, 1),
    "one_class_only.csv": ("label column 'y' (column 3) has only one value, '1'", None, None),
    "single_row.csv": ("only one data row; at least two are needed", 2, None),
    "duplicate_column_names.csv": ("column name 'x1' appears twice (columns 1 and 3)", 1, 3),
    "empty_column_name.csv": ("column 2 of the header has no name", 1, 2),
    "header_only_commas.csv": ("the header row has no column names (only commas)", 1, None),
    "semicolon_delimited.csv": (
        "looks semicolon-delimited; logsgd-tui reads comma-separated files",
        1,
        None,
    ),
    "tab_separated.csv": ("looks tab-separated", 1, None),
    "binary_nul_bytes.csv": ("not UTF-8 text (it holds NUL bytes", 2, None),
    "latin1_text.csv": ("not UTF-8 text (byte 0xe9; Latin-1", 4, None),
    "utf16_text.csv": ("the file is UTF-16 text, not UTF-8", None, None),
    "zip_spreadsheet.csv": ("looks like a ZIP archive (an .xlsx", None, None),
    "label_all_empty.csv": ("the label 'y' is empty", 2, 3),
    "label_nan.csv": ("the label 'y' is 'nan', not a class (a missing value?)", 3, 3),
    "three_classes_no_positive.csv": (
        "has 3 values (a, b, c); choose the class that is 1 with --positive",
        None,
        None,
    ),
    "header_is_data.csv": ("the first row looks like data, not a header", 1, None),
    "only_label_column.csv": ("only the label column 'y'; at least one feature", 1, None),
    "unclosed_quote.csv": ("the quote opened on line 3 is never closed", 3, 1),
    "newline_in_quoted_value.csv": ("a quoted value runs from line 2 to line 3", 2, 2),
}


def _prefix(path: Path, line: int | None, column: int | None) -> str:
    place = [str(path)] + [str(n) for n in (line, column) if n is not None]
    return ":".join(place) + ": "


def _assert_one_line_error(
    path: Path, substring: str, line: int | None, column: int | None, **options: Any
) -> DataError:
    with pytest.raises(DataError) as caught:
        load_csv(path, **options)
    error = caught.value
    message = str(error)
    assert "\n" not in message and "\r" not in message
    assert substring in message
    assert error.path == str(path)
    assert (error.line, error.column) == (line, column)
    # The file and the place come first, exactly as an editor's "jump to" expects them.
    assert message.startswith(_prefix(path, line, column))
    return error


def test_every_bad_file_has_an_expectation() -> None:
    assert sorted(p.name for p in BAD.iterdir()) == sorted(BAD_CASES)
    assert len(BAD_CASES) >= 20


@pytest.mark.parametrize("name", sorted(BAD_CASES))
def test_bad_file_is_one_clear_line(name: str) -> None:
    substring, line, column = BAD_CASES[name]
    _assert_one_line_error(BAD / name, substring, line, column)


def test_a_single_ragged_row_gets_no_decimal_comma_hint() -> None:
    with pytest.raises(DataError) as caught:
        load_csv(BAD / "ragged_long_row.csv")
    assert caught.value.reason == "this row has 4 fields, the header has 3"


def test_bad_files_each_give_a_different_message() -> None:
    reasons = set()
    for name in BAD_CASES:
        with pytest.raises(DataError) as caught:
            load_csv(BAD / name)
        reasons.add(caught.value.reason)
    assert len(reasons) == len(BAD_CASES)


def test_a_million_character_field_is_quoted_short(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    path.write_text("x1,x2,y\n1,2,0\n3," + "a" * 10**6 + ",1\n")
    limit_before = csv.field_size_limit()
    error = _assert_one_line_error(
        path, "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'... (1000000 characters)", 3, 2
    )
    assert str(error).endswith("in column 'x2' is not a number")
    assert len(str(error)) < 200 + len(str(path))
    # The loader raised csv's process-wide limit only while it read.
    assert csv.field_size_limit() == limit_before


def test_a_million_digit_number_overflows_to_inf_and_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "digits.csv"
    path.write_text("x1,y\n1,0\n" + "9" * 10**6 + ",1\n")
    _assert_one_line_error(path, "is not a finite number", 3, 1)


@pytest.mark.parametrize("spelling", ["nan", "-nan", "NAN", "inf", "+inf", "Infinity", "-INF"])
def test_every_spelling_of_nan_and_inf_is_refused(tmp_path: Path, spelling: str) -> None:
    path = tmp_path / "nonfinite.csv"
    path.write_text(f"x1,x2,y\n1,2,0\n3,{spelling},1\n")
    _assert_one_line_error(path, f"{spelling!r} in column 'x2' is not a finite number", 3, 2)


def test_missing_file(tmp_path: Path) -> None:
    _assert_one_line_error(tmp_path / "nope.csv", "no such file", None, None)


def test_broken_symlink(tmp_path: Path) -> None:
    link = tmp_path / "link.csv"
    link.symlink_to(tmp_path / "gone.csv")
    _assert_one_line_error(link, "broken symbolic link", None, None)


def test_directory(tmp_path: Path) -> None:
    _assert_one_line_error(tmp_path, "is a directory, not a CSV file", None, None)


def test_fifo_is_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    _assert_one_line_error(fifo, "is not a regular file", None, None)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_by_mode(tmp_path: Path) -> None:
    path = tmp_path / "secret.csv"
    path.write_text("x1,y\n1,0\n2,1\n")
    path.chmod(0)
    try:
        _assert_one_line_error(path, "permission denied", None, None)
    finally:
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Root ignores file modes, so the refusal is simulated where the loader opens the file.
    path = tmp_path / "secret.csv"
    path.write_text("x1,y\n1,0\n2,1\n")

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr("logsgd.core.csvload.open", refuse, raising=False)
    _assert_one_line_error(path, "cannot read the file: permission denied", None, None)


def test_other_read_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "flaky.csv"
    path.write_text("x1,y\n1,0\n2,1\n")

    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr("logsgd.core.csvload.open", fail, raising=False)
    _assert_one_line_error(path, "cannot read the file: Input/output error", None, None)


# The options a lecturer gives on the command line, against a file that is fine by itself.
OPTION_CASES: list[tuple[dict[str, Any], str]] = [
    ({"label": "colour"}, "no label column named 'colour'; the columns are: 'x1', 'x2', 'kind'"),
    ({"features": ["x1", "x9"]}, "no feature column named 'x9'; the columns are: 'x1', 'x2'"),
    ({"features": ["x1", "kind"], "positive": "a"}, "column 'kind' is the label; it cannot"),
    ({"label": "x1", "features": ["x1"]}, "column 'x1' is the label; it cannot also be a feature"),
    ({"features": [], "positive": "a"}, "no feature columns were chosen"),
    ({"features": ["x1", ""], "positive": "a"}, "an empty name in the list of feature columns"),
    ({"features": ["x1", " x1"], "positive": "a"}, "feature column 'x1' is chosen twice"),
    ({"positive": "d"}, "the positive class 'd' is not a value of the label column 'kind'"),
]


@pytest.mark.parametrize(("options", "substring"), OPTION_CASES)
def test_bad_options(options: dict[str, Any], substring: str) -> None:
    _assert_one_line_error(GOOD / "three_classes.csv", substring, None, None, **options)


def test_unknown_column_list_is_cut_short(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    names = [f"f{j}" for j in range(40)]
    path.write_text(",".join([*names, "y"]) + "\n" + ",".join(["1"] * 40 + ["0"]) + "\n")
    error = _assert_one_line_error(path, "'f11', ... (29 more)", None, None, label="nope")
    assert "'f12'" not in str(error)


def test_positive_that_is_not_a_numeric_label_value() -> None:
    _assert_one_line_error(
        GOOD / "float_labels.csv",
        "the positive class '2' is not a value of the label column 'y'; its values are: "
        "'0.0', '1.0'",
        None,
        None,
        positive="2",
    )


def test_messages_name_the_file_as_the_caller_spelled_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(BAD)
    with pytest.raises(DataError) as caught:
        load_csv("./non_numeric_feature.csv")
    assert str(caught.value).startswith("./non_numeric_feature.csv:3:2: ")
    monkeypatch.chdir(GOOD)
    assert load_csv("./crlf_line_endings.csv").source == "./crlf_line_endings.csv"


def test_the_error_is_a_value_error_with_a_clean_str() -> None:
    error = DataError("a.csv", "what is wrong", line=3, column=2)
    assert isinstance(error, ValueError)
    assert str(error) == "a.csv:3:2: what is wrong"
    assert str(DataError("a.csv", "what is wrong", line=3)) == "a.csv:3: what is wrong"
    assert str(DataError("a.csv", "what is wrong")) == "a.csv: what is wrong"
    assert str(DataError(None, "what is wrong")) == "what is wrong"
    assert str(DataError("a\nb.csv", "x")) == "a\\nb.csv: x"


# --- files that look odd but are valid ------------------------------------------------------

SIMPLE = {
    "features": [[1.5, 2.0], [3.0, 4.25]],
    "labels": [0.0, 1.0],
    "feature_names": ("x1", "x2"),
    "label_name": "y",
    "class_names": ("0", "1"),
    "description": "label y: 1 = 1, 0 = 0",
}

GOOD_CASES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "crlf_line_endings.csv": ({}, SIMPLE),
    "cr_only_line_endings.csv": ({}, SIMPLE),
    "utf8_bom.csv": ({}, SIMPLE),
    "quoted_numbers.csv": ({}, SIMPLE),
    "trailing_blank_lines.csv": ({}, SIMPLE),
    "surrounding_whitespace.csv": ({}, SIMPLE),
    "spreadsheet_empty_rows.csv": ({}, SIMPLE),
    "true_false_labels.csv": (
        {},
        {
            "features": [[1.5, 2.0], [3.0, 4.25], [0.5, 1.0]],
            "labels": [0.0, 1.0, 0.0],
            "label_name": "passed",
            "class_names": ("FALSE", "True"),
            "description": "label passed: True = 1, FALSE = 0",
        },
    ),
    "float_labels.csv": (
        {},
        {
            "features": [[1.5, 2.0], [3.0, 4.25], [0.5, 1.0]],
            "labels": [0.0, 1.0, 1.0],
            "class_names": ("0.0", "1.0"),
            "description": "label y: 1.0 = 1, 0.0 = 0",
        },
    ),
    "named_classes.csv": (
        {},
        {
            "features": [[4.7, 1.4], [1.4, 0.2], [4.5, 1.5]],
            "labels": [1.0, 0.0, 1.0],
            "feature_names": ("petal_length", "petal_width"),
            "label_name": "species",
            "class_names": ("setosa", "versicolor"),
            "description": "label species: versicolor = 1, setosa = 0",
        },
    ),
    "three_classes.csv": (
        {"positive": "b"},
        {
            "features": [[1, 2], [3, 4], [5, 6], [7, 8]],
            "labels": [0.0, 1.0, 0.0, 1.0],
            "label_name": "kind",
            "class_names": ("not b", "b"),
            "description": "label kind: b = 1, the rest = 0 (a, c)",
        },
    ),
    "label_first_column.csv": (
        {"label": "y", "features": ["x3", "x1"]},
        {
            "features": [[3, 1], [6, 4]],
            "labels": [0.0, 1.0],
            "feature_names": ("x3", "x1"),
            "label_name": "y",
            "description": "label y: 1 = 1, 0 = 0",
        },
    ),
    "unicode_names.csv": (
        {},
        {
            "features": [[121, 14.8], [210, 9.4]],
            "labels": [0.0, 1.0],
            "feature_names": ("\u0637\u0648\u0644", "\u0639\u0631\u0636"),
            "label_name": "\u0628\u0631\u0686\u0633\u0628",
        },
    ),
    "scientific_notation.csv": (
        {},
        {"features": [[0.001, 250.0], [-0.5, 3.0]], "labels": [0.0, 1.0]},
    ),
}


def test_every_good_file_has_an_expectation() -> None:
    assert sorted(p.name for p in GOOD.iterdir()) == sorted(GOOD_CASES)


@pytest.mark.parametrize("name", sorted(GOOD_CASES))
def test_good_file_loads_exactly(name: str) -> None:
    options, expected = GOOD_CASES[name]
    dataset = load_csv(GOOD / name, **options)
    assert dataset.features.dtype == np.float64 and dataset.labels.dtype == np.float64
    np.testing.assert_array_equal(dataset.features, np.array(expected["features"], dtype=float))
    np.testing.assert_array_equal(dataset.labels, np.array(expected["labels"], dtype=float))
    for field in ("feature_names", "label_name", "class_names", "description"):
        if field in expected:
            assert getattr(dataset, field) == expected[field], field
    assert dataset.name == Path(name).stem
    assert dataset.source == str(GOOD / name)
    assert "\n" not in dataset.description
    assert dataset.initial_weights is None


def test_positive_with_two_classes_names_the_other_class() -> None:
    dataset = load_csv(GOOD / "named_classes.csv", positive="setosa")
    np.testing.assert_array_equal(dataset.labels, [0.0, 1.0, 0.0])
    assert dataset.class_names == ("versicolor", "setosa")
    assert dataset.description.endswith("label species: setosa = 1, versicolor = 0")


def test_positive_matches_a_numeric_label_by_value() -> None:
    dataset = load_csv(GOOD / "float_labels.csv", positive="0")
    np.testing.assert_array_equal(dataset.labels, [1.0, 0.0, 0.0])
    assert dataset.class_names == ("1.0", "0.0")


def test_numeric_labels_other_than_0_and_1_sort_by_value(tmp_path: Path) -> None:
    path = tmp_path / "grades.csv"
    path.write_text("x,grade\n1,10\n2,9\n3,10\n")
    dataset = load_csv(path)
    # "10" sorts before "9" as text; by value 10 is the larger and becomes 1.
    np.testing.assert_array_equal(dataset.labels, [1.0, 0.0, 1.0])
    assert dataset.class_names == ("9", "10")


def test_long_class_names_are_cut_in_the_description(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text("x,y\n1," + "b" * 100 + "\n2,a\n")
    dataset = load_csv(path)
    assert dataset.class_names == ("a", "b" * 100)
    assert dataset.description == "label y: " + "b" * 40 + "... = 1, a = 0"


def test_default_hyperparams_follow_the_size_of_the_file(tmp_path: Path) -> None:
    small = load_csv(GOOD / "crlf_line_endings.csv").hyperparams
    assert (small.learning_rate, small.batch_size, small.shuffle) == (0.01, 2, False)
    path = tmp_path / "many.csv"
    path.write_text("x,y\n" + "".join(f"{i},{i % 2}\n" for i in range(21)))
    large = load_csv(path).hyperparams
    assert (large.learning_rate, large.batch_size) == (0.01, 10)
    assert large.validated(21) == large


def test_the_shipped_iris_file_one_vs_rest() -> None:
    dataset = load_csv(Path(__file__).parents[1] / "core" / "data" / "iris.csv", positive="setosa")
    assert dataset.features.shape == (150, 4)
    assert dataset.labels.sum() == 50
    assert dataset.labels[:50].tolist() == [1.0] * 50
    assert dataset.class_names == ("not setosa", "setosa")
    assert dataset.description == (
        "label species: setosa = 1, the rest = 0 (versicolor, virginica)"
    )
