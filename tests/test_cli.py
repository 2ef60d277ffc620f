"""The `logsgd-tui` command as a user runs it: exports, exit statuses and one-line errors."""

from __future__ import annotations

import errno
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest

from logsgd.core.builtin_datasets import describe_builtins, load_builtin
from logsgd.core.csvload import DataError, load_csv
from logsgd.core.engine import Engine
from logsgd.core.export import FORMATS, JSONL_KEYS, SUMMARY_KEYS, render
from logsgd.tui.cli import main

DATA = Path(__file__).parent / "data"
BAD = DATA / "bad"
GOOD = DATA / "good"
ERROR_PREFIX = "logsgd-tui: error: "
# Generous: a run is ~0.3 s, but CI machines can be slow; a hang still ends the test.
TIMEOUT = 60
# The app without a terminal is only checked for not crashing; a hang is cut short this soon.
NO_TTY_TIMEOUT = 5


def _command() -> list[str]:
    """The console script installed next to this interpreter; the module if there is none."""
    script = shutil.which("logsgd-tui", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "logsgd.tui.cli"]


COMMAND = _command()


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    # LOGSGD_DEBUG turns the last line of defence into a traceback; users do not set it.
    env.pop("LOGSGD_DEBUG", None)
    env["PYTHONIOENCODING"] = "utf-8"
    return env


ENV = _environment()


def run_cli(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    """The real command with stdin closed, as a script or a CI job would run it."""
    return subprocess.run(
        [*COMMAND, *map(str, args)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=TIMEOUT,
        check=False,
        cwd=cwd,
        env=ENV,
    )


def ok_stdout(result: subprocess.CompletedProcess[bytes]) -> str:
    """stdout of a run that must have succeeded silently on stderr."""
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    assert result.stderr == b""
    return result.stdout.decode("utf-8")


def usage_error_line(result: subprocess.CompletedProcess[bytes]) -> str:
    """The one error line of a rejected run, after checking the rest of the contract."""
    stderr = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 2, stderr
    assert result.stdout == b""
    assert "Traceback" not in stderr
    assert stderr.endswith("\n")
    lines = stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(ERROR_PREFIX)
    return lines[0]


def jsonl(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


# ---------------------------------------------------------------------------- basics


def test_version_prints_the_installed_version() -> None:
    out = ok_stdout(run_cli("--version"))
    assert out == f"logsgd-tui {version('logsgd-tui')}\n"
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert version("logsgd-tui") == pyproject["project"]["version"]


def test_the_module_runs_as_the_command_does() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "logsgd.tui.cli", "--export", "summary", "--steps", "1"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=TIMEOUT,
        check=False,
        env=ENV,
    )
    assert ok_stdout(result) == ok_stdout(run_cli("--export", "summary", "--steps", "1"))


def test_help_names_every_option() -> None:
    out = ok_stdout(run_cli("--help"))
    assert out.startswith("usage: logsgd-tui ")
    for option in (
        "--dataset",
        "--label",
        "--features",
        "--positive",
        "--lr",
        "--batch-size",
        "--shuffle",
        "--seed",
        "--init",
        "--standardize",
        "--l2",
        "--momentum",
        "--list-datasets",
        "--version",
        "--export",
        "--steps",
        "--epochs",
        "--output",
    ):
        assert option in out, option
    for format_name in FORMATS:
        assert format_name in out


def test_list_datasets_gives_one_line_per_built_in() -> None:
    lines = ok_stdout(run_cli("--list-datasets")).splitlines()
    builtins = describe_builtins()
    assert {"seed", "iris-setosa-versicolor", "breast-cancer", "xor"} <= {n for n, _ in builtins}
    assert len(lines) == len(builtins)
    for line, (name, description) in zip(lines, builtins, strict=True):
        assert line.split()[0] == name
        assert line.endswith(f"  {description}")
    # The descriptions start in one column, so the list reads as a table.
    assert (
        len(
            {
                line.index(description)
                for line, (_, description) in zip(lines, builtins, strict=True)
            }
        )
        == 1
    )


@pytest.mark.parametrize("name", [name for name, _ in describe_builtins()])
def test_every_listed_dataset_exports(name: str) -> None:
    summary = json.loads(
        ok_stdout(run_cli("--dataset", name, "--export", "summary", "--steps", "0"))
    )
    dataset = load_builtin(name)
    assert summary["dataset"] == name
    assert summary["steps"] == 0
    assert len(summary["weights"]) == dataset.n_features + 1


# ---------------------------------------------------------------------------- exports

SEED_STEP_1 = {
    "weights_after": [-0.58750029, -0.075000049, -0.0049999926],
    "predictions": [0.50000027, 0.50000025],
    "terms": [[60.500032, 7.4000040, 0.50000027], [57.000028, 7.6000038, 0.50000025]],
    "gradient": [58.750030, 7.5000039, 0.50000026],
    "predictions_after": [4.3938e-32, 2.6052e-30, 1.2899e-54, 1.6393e-51],
    "loss_before": 0.69314695,
    "loss_after": 60.255655,
}
SEED_STEP_2 = {
    "predictions": [1.2899e-54, 1.6393e-51],
    "terms": [[-210.0, -9.4, -1.0], [-198.0, -8.1, -1.0]],
    "gradient": [-204.0, -8.75, -1.0],
    "weights_after": [1.4524997, 0.012499951, 0.0050000074],
    "loss_after": 85.430607,
}


def _close(actual: Any, expected: Any) -> bool:
    """Equal to the digits the lecture gives (5 significant digits, or more where given)."""
    if isinstance(expected, list):
        return len(actual) == len(expected) and all(map(_close, actual, expected))
    return math.isclose(actual, expected, rel_tol=5e-5)


def test_jsonl_two_steps_are_the_seed_lecture() -> None:
    records = jsonl(ok_stdout(run_cli("--export", "jsonl", "--steps", "2")))
    assert len(records) == 2
    keys = [
        "step",
        "epoch",
        "batch",
        "indices",
        "lr",
        "weights_before",
        "predictions",
        "terms",
        "gradient",
        "weights_after",
        "loss_before",
        "loss_after",
        "accuracy_after",
        "predictions_after",
    ]
    assert keys == list(JSONL_KEYS)
    for record in records:
        assert list(record) == keys
    first, second = records
    assert (first["step"], first["epoch"], first["batch"]) == (1, 1, 1)
    assert (second["step"], second["epoch"], second["batch"]) == (2, 1, 2)
    assert first["indices"] == [0, 1] and second["indices"] == [2, 3]
    assert first["lr"] == second["lr"] == 0.01
    assert first["weights_before"] == [1e-8, -1e-8, 1e-8]
    for field, expected in SEED_STEP_1.items():
        assert _close(first[field], expected), (field, first[field])
    # More digits than the lecture prints, from its float64 recomputation.
    assert first["weights_after"][0] == pytest.approx(-0.587500294355, rel=1e-12)
    assert first["predictions_after"][0] == pytest.approx(4.3938e-32, rel=1e-4)
    assert first["accuracy_after"] == 0.5
    assert second["weights_before"] == first["weights_after"]
    assert second["loss_before"] == first["loss_after"]
    for field, expected in SEED_STEP_2.items():
        assert _close(second[field], expected), (field, second[field])
    assert second["predictions_after"] == [1.0, 1.0, 1.0, 1.0]
    assert second["accuracy_after"] == 0.5


def test_jsonl_numbers_are_the_engines_exactly() -> None:
    # JSON floats round-trip, so the file holds the engine's float64 values bit for bit.
    engine = Engine(load_builtin("seed"))
    engine.run_steps(5)
    assert jsonl(ok_stdout(run_cli("--export", "jsonl", "--steps", "5"))) == jsonl(
        render(engine, "jsonl")
    )


def test_summary_after_100_epochs() -> None:
    summary = json.loads(ok_stdout(run_cli("--export", "summary", "--epochs", "100")))
    keys = [
        "steps",
        "epochs",
        "weights",
        "loss",
        "objective",
        "accuracy",
        "diverged",
        "diverged_at_step",
        "standardized",
        "dataset",
        "rows",
        "features",
        "initial_weights",
        "hyperparams",
        "changes",
    ]
    assert list(summary) == keys == list(SUMMARY_KEYS)
    assert summary["steps"] == 200 and summary["epochs"] == 100
    assert summary["dataset"] == "seed" and summary["rows"] == 4
    # What run it summarises: the settings it ran with, and no change of them.
    assert summary["hyperparams"] == {
        "learning_rate": 0.01,
        "batch_size": 2,
        "shuffle": False,
        "seed": 0,
        "l2": 0.0,
        "momentum": 0.0,
    }
    assert summary["changes"] == [] and summary["initial_weights"] == [1e-8, -1e-8, 1e-8]
    assert summary["diverged"] is False and summary["diverged_at_step"] is None
    assert summary["standardized"] is False
    # The lecture: with more epochs the swinging weights settle near the labels.
    assert summary["accuracy"] == 1.0
    assert 0.0 < summary["loss"] < 1e-3
    assert len(summary["weights"]) == 3 and all(map(math.isfinite, summary["weights"]))
    # The summary describes the same run as the jsonl export's last step.
    last = jsonl(ok_stdout(run_cli("--export", "jsonl", "--epochs", "100")))[-1]
    assert last["step"] == 200
    assert summary["weights"] == last["weights_after"]
    assert summary["loss"] == last["loss_after"]
    assert summary["accuracy"] == last["accuracy_after"]


def test_summary_defaults_to_one_epoch_and_says_standardized() -> None:
    summary = json.loads(ok_stdout(run_cli("--export", "summary", "--standardize")))
    assert (summary["steps"], summary["epochs"]) == (2, 1)
    assert summary["standardized"] is True


def test_summary_of_a_run_that_stops_at_once() -> None:
    # lr 1e305 would make a weight infinite in step 1, so the run stops before it.
    summary = json.loads(ok_stdout(run_cli("--export", "summary", "--lr", "1e305")))
    assert summary["steps"] == 0 and summary["epochs"] == 0
    assert summary["diverged"] is True and summary["diverged_at_step"] == 1
    assert summary["weights"] == [1e-8, -1e-8, 1e-8]


def test_summary_when_the_initial_weights_already_overflow() -> None:
    # z = w.x would overflow before step 1, so even step 0's loss would be infinite: such
    # initial weights are refused with one line, as any other bad --init.
    result = run_cli("--export", "summary", "--init", "1e308,1e308,1e308")
    stderr = result.stderr.decode("utf-8", "replace")
    assert "internal error" not in stderr and "Traceback" not in stderr
    assert result.returncode == 2, stderr
    assert stderr.count("\n") == 1 and "--init: initial weights make z = w.x overflow" in stderr


def test_text_export_writes_the_lectures_hand_calculation() -> None:
    out = ok_stdout(run_cli("--export", "text", "--steps", "1"))
    assert "(f1 - y1) * x1 = 0.5000003 * 121 = 60.50" in out
    assert "g0 = (60.50 + 57.00) / 2 = 58.75" in out
    assert "w0 <- w0 - lr * g0 = 1.000e-08 - 0.01 * 58.75 = -0.5875" in out
    assert "row 1: z = -72.20, f = 4.394e-32, y = 0" in out
    assert "\nStep 1 (epoch 1, batch 1 of 2)" in out
    assert "Step 2" not in out


def test_markdown_export_runs() -> None:
    out = ok_stdout(run_cli("--export", "markdown", "--steps", "2"))
    assert out.startswith("# Worked derivation: seed\n")
    assert "\n## Step 1 (epoch 1, batch 1 of 2)\n" in out
    assert "\n## Step 2 (epoch 1, batch 2 of 2)\n" in out
    assert out.count("$$") % 2 == 0 and out.count("$$") > 0


def test_latex_export_runs() -> None:
    out = ok_stdout(run_cli("--export", "latex", "--steps", "2"))
    assert out.startswith("% Worked derivation of mini-batch SGD on seed")
    assert out.endswith("\\endgroup\n")
    assert "\\subsection*{Step 2 (epoch 1, batch 2 of 2)}" in out
    begins = out.count("\\begin{align*}")
    assert begins > 0 and begins == out.count("\\end{align*}")


@pytest.mark.parametrize("format_name", FORMATS)
def test_output_file_holds_exactly_what_stdout_shows(format_name: str, tmp_path: Path) -> None:
    on_stdout = run_cli("--export", format_name, "--steps", "2")
    assert on_stdout.returncode == 0 and on_stdout.stdout
    target = tmp_path / f"run.{format_name}"
    written = run_cli("--export", format_name, "--steps", "2", "-o", target)
    assert ok_stdout(written) == ""
    assert target.read_bytes() == on_stdout.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


def test_output_file_replaces_a_longer_old_file(tmp_path: Path) -> None:
    target = tmp_path / "run.jsonl"
    target.write_text("old line\n" * 10_000)
    assert ok_stdout(run_cli("--export", "summary", "--output", target)) == ""
    summary = json.loads(target.read_text())
    assert summary["steps"] == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


def test_a_relative_output_path_is_written_in_the_working_directory(tmp_path: Path) -> None:
    assert ok_stdout(run_cli("--export", "summary", "-o", "out.json", cwd=tmp_path)) == ""
    assert json.loads((tmp_path / "out.json").read_text())["dataset"] == "seed"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_shuffled_runs_are_reproducible_from_the_seed() -> None:
    args = ("--export", "jsonl", "--epochs", "3", "--shuffle")
    first = run_cli(*args, "--seed", "7")
    again = run_cli(*args, "--seed", "7")
    other = run_cli(*args, "--seed", "8")
    assert ok_stdout(first) == ok_stdout(again)
    records = jsonl(ok_stdout(first))
    assert len(records) == 6
    for epoch in range(3):
        batches = records[2 * epoch : 2 * epoch + 2]
        assert [r["epoch"] for r in batches] == [epoch + 1, epoch + 1]
        # Every epoch shows every row once, in some order.
        assert sorted(batches[0]["indices"] + batches[1]["indices"]) == [0, 1, 2, 3]
    orders = [r["indices"] for r in records]
    assert orders != [[0, 1], [2, 3]] * 3, "--shuffle did not shuffle"
    assert orders != [r["indices"] for r in jsonl(ok_stdout(other))], "the seed changed nothing"


def test_unshuffled_runs_take_the_rows_in_order() -> None:
    records = jsonl(ok_stdout(run_cli("--export", "jsonl", "--epochs", "2")))
    assert [r["indices"] for r in records] == [[0, 1], [2, 3], [0, 1], [2, 3]]


def test_a_closed_reader_is_not_an_error() -> None:
    # `logsgd-tui --export jsonl | head -1`: the output is far larger than a pipe holds.
    with subprocess.Popen(
        [*COMMAND, "--export", "jsonl", "--epochs", "500"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=ENV,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        assert json.loads(process.stdout.readline())["step"] == 1
        process.stdout.close()
        stderr = process.stderr.read().decode("utf-8", "replace")
        assert process.wait(timeout=TIMEOUT) == 0, stderr
    assert stderr == ""


# ---------------------------------------------------------------------------- bad input

# (id, arguments, what the one line must say); "{tmp}" is the test's temporary directory.
# "--export jsonl" is added unless the arguments name a format, or the case is its absence.
BAD_ARGUMENTS: list[tuple[str, list[str], list[str]]] = [
    ("lr-zero", ["--lr", "0"], ["--lr: learning rate must be greater than 0, got 0"]),
    ("lr-negative", ["--lr", "-1"], ["--lr: learning rate must be greater than 0, got -1"]),
    ("lr-nan", ["--lr", "nan"], ["--lr: learning rate must be a finite number, got 'nan'"]),
    ("lr-inf", ["--lr", "inf"], ["--lr: learning rate must be a finite number, got 'inf'"]),
    ("lr-text", ["--lr", "abc"], ["--lr: learning rate must be a number, got 'abc'"]),
    (
        "batch-zero",
        ["--batch-size", "0"],
        ["--batch-size: batch size must be between 1 and the number of rows (4), got 0"],
    ),
    (
        "batch-negative",
        ["--batch-size", "-3"],
        ["--batch-size: batch size must be between 1", "got -3"],
    ),
    (
        "batch-above-n",
        ["--batch-size", "5"],
        ["--batch-size: batch size must be between 1 and the number of rows (4), got 5"],
    ),
    ("batch-fraction", ["--batch-size", "2.5"], ["--batch-size", "whole number, got '2.5'"]),
    (
        "init-too-short",
        ["--init", "1,2"],
        ["--init: initial weights need 3 numbers (2 features, then the bias), got 2"],
    ),
    ("init-too-long", ["--init", "1,2,3,4"], ["--init: initial weights need 3 numbers", "got 4"]),
    (
        "init-nan",
        ["--init", "1,nan,2"],
        ["--init: initial weight w1 must be a finite number, got 'nan'"],
    ),
    ("init-text", ["--init", "1,x,2"], ["--init: initial weight w1 must be a number, got 'x'"]),
    (
        "init-overflows-z",
        ["--init", "1e308,1e308,1e308"],
        ["--init: initial weights make z = w.x overflow on this data"],
    ),
    ("empty-dataset-name", ["--dataset", ""], ["unknown built-in dataset ''"]),
    ("l2-negative", ["--l2", "-1"], ["--l2: L2 penalty λ must be 0 or more, got -1"]),
    ("momentum-one", ["--momentum", "1"], ["--momentum", "at least 0 and below 1, got 1"]),
    ("momentum-negative", ["--momentum", "-0.1"], ["--momentum", "below 1, got -0.1"]),
    ("seed-negative", ["--seed", "-1"], ["--seed: seed must be 0 or more, got -1"]),
    ("unknown-dataset", ["--dataset", "nope"], ["unknown built-in dataset 'nope'", "iris"]),
    (
        "csv-and-dataset",
        [str(GOOD / "utf8_bom.csv"), "--dataset", "seed"],
        ["give either a CSV file or --dataset NAME, not both"],
    ),
    ("label-without-csv", ["--label", "y"], ["--label applies to a CSV file; none was given"]),
    ("positive-without-csv", ["--positive", "1"], ["--positive applies to a CSV file"]),
    ("steps-and-epochs", ["--steps", "1", "--epochs", "1"], ["give --steps or --epochs, not both"]),
    ("steps-without-export", ["--steps", "2"], ["--steps applies to --export; none was given"]),
    ("unknown-format", ["--export", "pdf"], ["--export", "invalid choice: 'pdf'"]),
    ("missing-csv", ["{tmp}/missing.csv"], ["{tmp}/missing.csv: no such file"]),
    ("directory-as-csv", ["{tmp}/folder"], ["{tmp}/folder: is a directory, not a CSV file"]),
]


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [pytest.param(args, expected, id=name) for name, args, expected in BAD_ARGUMENTS],
)
def test_bad_arguments_give_one_line_and_leave_the_output_alone(
    arguments: list[str], expected: list[str], tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    (tmp_path / "folder").mkdir()
    previous = tmp_path / "previous.jsonl"
    previous.write_bytes(b"the previous export\n")
    args = [arg.replace("{tmp}", str(tmp_path)) for arg in arguments]
    if "--export" not in args and request.node.callspec.id != "steps-without-export":
        args += ["--export", "jsonl"]
    line = usage_error_line(run_cli(*args, "-o", previous))
    for words in expected:
        assert words.replace("{tmp}", str(tmp_path)) in line
    assert previous.read_bytes() == b"the previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder", "previous.jsonl"]


@pytest.mark.parametrize("arguments", [["--lr", "0"], ["--dataset", "nope"], ["--export", "pdf"]])
def test_bad_arguments_create_no_output_file(arguments: list[str], tmp_path: Path) -> None:
    target = tmp_path / "new.jsonl"
    args = arguments if "--export" in arguments else [*arguments, "--export", "jsonl"]
    usage_error_line(run_cli(*args, "-o", target))
    assert list(tmp_path.iterdir()) == []


def _loader_message(path: Path) -> str:
    with pytest.raises(DataError) as caught:
        load_csv(path)
    return str(caught.value)


@pytest.mark.parametrize("name", sorted(p.name for p in BAD.iterdir()))
def test_every_bad_file_is_one_line_naming_the_file(name: str, tmp_path: Path) -> None:
    path = BAD / name
    target = tmp_path / "out.jsonl"
    line = usage_error_line(run_cli(path, "--export", "jsonl", "-o", target))
    # The command says exactly what the loader says, file and place first.
    assert line == ERROR_PREFIX + _loader_message(path)
    assert line.startswith(f"{ERROR_PREFIX}{path}")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_a_bad_file_is_named_as_typed(tmp_path: Path) -> None:
    shutil.copy(BAD / "non_numeric_feature.csv", tmp_path / "data.csv")
    line = usage_error_line(run_cli("./data.csv", "--export", "jsonl", cwd=tmp_path))
    assert line == f"{ERROR_PREFIX}./data.csv:3:2: 'abc' in column 'x2' is not a number"


def test_a_million_character_value_is_quoted_short(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text("x1,x2,y\n1,2,0\n3," + "a" * 10**6 + ",1\n")
    line = usage_error_line(run_cli(path, "--export", "jsonl"))
    assert line.startswith(f"{ERROR_PREFIX}{path}:3:2: 'aaaa")
    assert "(1000000 characters) in column 'x2' is not a number" in line
    assert len(line) < 200 + len(str(path))


# Odd-but-valid files and the options some of them need (three classes need --positive).
GOOD_OPTIONS: dict[str, dict[str, str]] = {
    "three_classes.csv": {"positive": "b"},
    "label_first_column.csv": {"label": "y", "features": "x3,x1"},
}


@pytest.mark.parametrize("name", sorted(p.name for p in GOOD.iterdir()))
def test_good_files_export(name: str) -> None:
    options = GOOD_OPTIONS.get(name, {})
    flags = [part for key, value in options.items() for part in (f"--{key}", value)]
    records = jsonl(ok_stdout(run_cli(GOOD / name, *flags, "--export", "jsonl")))
    features = options["features"].split(",") if "features" in options else None
    dataset = load_csv(
        GOOD / name, label=options.get("label"), features=features, positive=options.get("positive")
    )
    engine = Engine(dataset)
    engine.run_epochs(1)
    assert records == jsonl(render(engine, "jsonl"))
    assert len(records) == math.ceil(engine.n_rows / engine.hyperparams.batch_size)


# ---------------------------------------------------------------------------- writing -o


def test_output_into_a_missing_directory(tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "dir" / "out.jsonl"
    line = usage_error_line(run_cli("--export", "jsonl", "-o", target))
    assert line == f"{ERROR_PREFIX}{target}: cannot write the export: No such file or directory"
    assert list(tmp_path.iterdir()) == []


def test_output_onto_a_directory(tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    line = usage_error_line(run_cli("--export", "jsonl", "-o", folder))
    assert line == f"{ERROR_PREFIX}{folder}: cannot write the export: Is a directory"
    assert list(folder.iterdir()) == []
    assert [p.name for p in tmp_path.iterdir()] == ["folder"]


def _disk_full(*_args: object, **_kwargs: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("failing", ["replace", "fsync"])
def test_a_failed_write_keeps_the_old_file(
    failing: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = tmp_path / "run.jsonl"
    target.write_text("the previous export\n")
    monkeypatch.setattr(os, failing, _disk_full)
    status = main(["--export", "jsonl", "--steps", "2", "-o", str(target)])
    monkeypatch.undo()
    captured = capsys.readouterr()
    assert status == 2
    assert captured.out == ""
    assert captured.err == (
        f"{ERROR_PREFIX}{target}: cannot write the export: {os.strerror(errno.ENOSPC)}\n"
    )
    assert target.read_text() == "the previous export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["run.jsonl"]


def test_main_in_process_writes_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--export", "summary", "--steps", "2"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert json.loads(captured.out)["steps"] == 2


# ---------------------------------------------------------------------------- no terminal


def _run_without_terminal(close_stdin: bool) -> subprocess.CompletedProcess[bytes] | None:
    """The app started with no terminal; None if it was still running after the timeout."""

    def close_fd_0() -> None:
        os.close(0)

    process = subprocess.Popen(
        [*COMMAND, "--dataset", "seed"],
        stdin=None if close_stdin else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=ENV,
        # Its own process group, so a hung app and anything it started can be ended together.
        start_new_session=True,
        preexec_fn=close_fd_0 if close_stdin else None,
    )
    try:
        stdout, stderr = process.communicate(timeout=NO_TTY_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        return None
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


@pytest.mark.parametrize("close_stdin", [False, True], ids=["stdin-devnull", "stdin-closed"])
def test_the_app_without_a_terminal_prints_no_traceback(close_stdin: bool) -> None:
    result = _run_without_terminal(close_stdin)
    assert result is not None, f"the app kept running without a terminal for {NO_TTY_TIMEOUT} s"
    output = (result.stdout + result.stderr).decode("utf-8", "replace")
    assert "Traceback" not in output
    assert "internal error" not in output
    assert result.returncode == 2
    assert result.stderr.decode().count("\n") == 1
    assert "the app needs a terminal" in result.stderr.decode()
