"""Hostile command lines and streams: one line that says what really happened, exit 2.

Each case here was once a wrong message, an "internal error" or a silent misreading.
"""

from __future__ import annotations

import os
import pty
import resource
import stat
import subprocess
from pathlib import Path

import pytest
from test_cli import COMMAND, ENV, ERROR_PREFIX, ok_stdout, run_cli, usage_error_line


def test_an_empty_data_file_name_is_said_so() -> None:
    assert usage_error_line(run_cli("")) == f"{ERROR_PREFIX}the data file name is empty"


def test_a_symlink_loop_is_not_called_broken(tmp_path: Path) -> None:
    (tmp_path / "a.csv").symlink_to(tmp_path / "b.csv")
    (tmp_path / "b.csv").symlink_to(tmp_path / "a.csv")
    line = usage_error_line(run_cli(tmp_path / "a.csv"))
    assert line == f"{ERROR_PREFIX}{tmp_path / 'a.csv'}: the symbolic link loops back on itself"


@pytest.mark.parametrize("typed", ["1_0", "１２", "0x10", "1e", "1.5.2"])
def test_numbers_are_read_alike_on_the_command_line_and_in_a_file(
    typed: str, tmp_path: Path
) -> None:
    line = usage_error_line(run_cli("--lr", typed, "--export", "summary"))
    assert f"--lr: learning rate must be a number, got {typed!r}" in line
    data = tmp_path / "data.csv"
    data.write_text(f"x,y\n{typed},0\n2,1\n", encoding="utf-8")
    line = usage_error_line(run_cli(data, "--export", "summary"))
    assert f"{typed!r} in column 'x' is not a number" in line


def test_full_width_digits_are_not_a_batch_size() -> None:
    line = usage_error_line(run_cli("--batch-size", "２", "--export", "summary"))
    assert "--batch-size: batch size must be a whole number, got '２'" in line


def test_a_5000_digit_number_is_quoted_short() -> None:
    line = usage_error_line(run_cli("--lr", "9" * 5000, "--export", "summary"))
    assert len(line) < 200 and "(5000 characters)" in line


@pytest.mark.parametrize(
    ("first", "others", "named"),
    [
        ("--version", ["--lr", "x"], None),  # a bad value is still a bad value
        ("--version", ["--lr", "3", "-o", "f"], "--lr, -o"),
        ("--list-datasets", ["--dataset", "iris"], "--dataset"),
    ],
)
def test_version_and_list_take_no_other_options(
    first: str, others: list[str], named: str | None, tmp_path: Path
) -> None:
    line = usage_error_line(run_cli(first, *others, cwd=tmp_path))
    if named is not None:
        assert line == f"{ERROR_PREFIX}{first} takes no other options (got {named})"
    assert list(tmp_path.iterdir()) == []


def test_one_feature_is_one_feature(tmp_path: Path) -> None:
    data = tmp_path / "exam.csv"
    data.write_text("hours,passed\n1,0\n2,1\n3,1\n", encoding="utf-8")
    text = ok_stdout(run_cli(data, "--export", "text", "--steps", "1"))
    assert "dataset: exam (3 rows, 1 feature): label passed: 1 = 1, 0 = 0" in text
    assert "1 features" not in text
    assert "1 features" not in ok_stdout(run_cli(data, "--export", "markdown", "--steps", "1"))


# ---------------------------------------------------------------------------- streams


def test_a_full_stdout_is_one_line(tmp_path: Path) -> None:
    full = tmp_path / "full"
    try:
        os.mknod(full, 0o666 | stat.S_IFCHR, os.makedev(1, 7))  # what /dev/full is
    except PermissionError:
        pytest.skip("mknod needs root (CI runs as root)")
    with open(full, "wb") as stdout:
        result = subprocess.run(
            [*COMMAND, "--export", "jsonl", "--steps", "3"],
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=subprocess.PIPE,
            env=ENV,
            timeout=60,
        )
    assert result.returncode == 2
    assert result.stderr.decode() == (
        f"{ERROR_PREFIX}stdout: cannot write the export: No space left on device\n"
    )


def test_an_ascii_stdout_cannot_take_a_non_ascii_name(tmp_path: Path) -> None:
    data = tmp_path / "data.csv"
    data.write_text("héllo,y\n1,0\n2,1\n", encoding="utf-8")
    result = subprocess.run(
        [*COMMAND, str(data), "--export", "text"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        env={**ENV, "PYTHONIOENCODING": "ascii"},
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.decode().startswith(
        f"{ERROR_PREFIX}stdout: its encoding (ascii) cannot write the export's characters"
    )


def test_a_closed_stdout_is_one_line() -> None:
    result = subprocess.run(
        [*COMMAND, "--export", "summary"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=ENV,
        timeout=60,
        preexec_fn=lambda: os.close(1),
    )
    assert result.returncode == 2
    assert "stdout is closed" in result.stderr.decode()


def test_the_app_refuses_to_draw_into_a_redirected_stderr(tmp_path: Path) -> None:
    # `logsgd-tui 2>log`: Textual draws on stderr, so the whole UI would go into the file.
    main, secondary = pty.openpty()
    log = tmp_path / "log"
    try:
        with open(log, "wb") as stderr:
            result = subprocess.run(
                COMMAND, stdin=secondary, stdout=secondary, stderr=stderr, env=ENV, timeout=60
            )
    finally:
        os.close(main)
        os.close(secondary)
    assert result.returncode == 2
    assert log.read_text().startswith(f"{ERROR_PREFIX}the app needs a terminal (stdin, stdout")


# ---------------------------------------------------------------------------- memory


def test_a_run_that_cannot_fit_in_memory_is_refused_up_front() -> None:
    line = usage_error_line(run_cli("--export", "summary", "--steps", "1000000000"))
    assert line.startswith(f"{ERROR_PREFIX}--steps 1000000000: the run's history needs about")
    assert line.endswith("available; export fewer steps")


def test_a_memory_limit_is_taken_into_account() -> None:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30))

    result = subprocess.run(
        [*COMMAND, "--export", "summary", "--steps", "60000000"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        env=ENV,
        timeout=60,
        preexec_fn=limit,
    )
    assert result.returncode == 2
    assert "needs about 4.3 GB of memory while it grows" in result.stderr.decode()


# The same typed value, refused alike by the command line and by the edit form: one name per
# setting (core.params.SETTING_NAMES) and one wording per rule.
ONE_WORDING = [
    ("--lr", "learning_rate", "0"),
    ("--lr", "learning_rate", "abc"),
    ("--lr", "learning_rate", "inf"),
    ("--batch-size", "batch_size", "9"),
    ("--batch-size", "batch_size", "2.5"),
    ("--seed", "seed", "-1"),
    ("--l2", "l2", "-0.5"),
    ("--momentum", "momentum", "1"),
    ("--init", "initial_weights", "1, x, 2"),
    ("--init", "initial_weights", "1, 2"),
]


@pytest.mark.parametrize(("flag", "field", "typed"), ONE_WORDING)
def test_a_setting_is_refused_in_the_same_words_on_the_command_line_and_in_the_form(
    flag: str, field: str, typed: str
) -> None:
    from logsgd.tui.screens.edit import parse_form

    texts = {
        "learning_rate": "0.01",
        "batch_size": "2",
        "seed": "0",
        "l2": "0",
        "momentum": "0",
        "initial_weights": "0, 0, 0",
        field: typed,
    }
    errors = parse_form(texts, shuffle=False, n_rows=4, n_features=2)[2]
    assert list(errors) == [field]
    line = usage_error_line(run_cli(flag, typed, "--export", "summary"))
    assert line == f"{ERROR_PREFIX}{flag}: {errors[field]}"


@pytest.mark.parametrize(
    ("flag", "said"),
    [
        ("--seed", "--seed: seed must be a whole number of at most 100 digits"),
        ("--batch-size", "--batch-size: batch size must be a whole number of at most 100 digits"),
        ("--steps", "argument --steps: expected a whole number of at most 100 digits"),
    ],
)
def test_a_5000_digit_whole_number_is_refused_in_one_short_line(flag: str, said: str) -> None:
    # It was "internal error: ValueError: Exceeds the limit (4300 digits) for integer string
    # conversion" for --seed, and a 5,000-character line for --steps.
    line = usage_error_line(run_cli(flag, "9" * 5000, "--export", "summary"))
    assert said in line and len(line) < 250 and "(5000 characters)" in line


def test_whole_numbers_are_read_up_to_100_digits_and_never_raise() -> None:
    from logsgd.core.params import SettingError, feature_index, weight_index
    from logsgd.core.text import read_whole

    assert read_whole("9" * 100) == int("9" * 100)
    assert read_whole("-" + "9" * 100) == -int("9" * 100)
    assert read_whole("9" * 101) is None and read_whole("9" * 5000) is None
    # The app's forms read weights and features through it: one line, never a traceback.
    with pytest.raises(SettingError, match="weight must be one of w0 to w2"):
        weight_index("w" + "9" * 5000, 3, "weight")
    with pytest.raises(SettingError, match="feature must be one of x1 to x2"):
        feature_index("x" + "9" * 5000, ("a", "b"), "across")
