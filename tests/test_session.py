"""Sessions: saved and replayed bit for bit, hostile files refused in one line (exit 2), the
CSV checked by its SHA-256 and its embedded copy used when it is gone or changed."""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path
from typing import get_args

import pytest

from logsgd.core import session as S
from logsgd.core.builtin_datasets import load_builtin
from logsgd.core.csvload import load_csv
from logsgd.core.derivation import Kind
from logsgd.core.engine import Engine
from logsgd.core.export import recorded_events, render, write_export
from logsgd.core.quiz import Answer, Asked, Key, Quiz
from logsgd.core.runs import Pins
from logsgd.tui.cli import main
from logsgd.tui.state import PANELS, ChartMode

CSV = "hours,sleep,passed\n1,8,0\n2,7,0\n3,5,1\n4,6,1\n5,4,1\n0.5,9,0\n"


def busy_engine() -> tuple[Engine, Pins]:
    """Steps, lr changes mid-run, a step back and a change (a dropped future), momentum and
    lambda, a standardize restart, pinned runs."""
    engine = Engine(load_builtin("seed"))
    pins = Pins()
    engine.run_steps(5)
    engine.set_hyperparams(learning_rate=0.001)
    engine.run_steps(6)
    pins.pin(engine)  # A: raw, with one change
    engine.jump(7)
    engine.set_hyperparams(momentum=0.5, l2=0.1)  # drops steps 8 .. 11
    engine.run_steps(9)
    engine.set_hyperparams(batch_size=1, shuffle=True, seed=3)
    engine.run_steps(7)
    pins.pin(engine)  # B
    engine.restart(standardized=True)
    engine.run_steps(4)
    engine.set_hyperparams(learning_rate=0.5)
    engine.run_steps(3)
    engine.set_hyperparams(learning_rate=0.05)  # for new steps only
    engine.jump(5)
    return engine, pins


def save(tmp_path: Path, engine: Engine, pins: Pins, **kw: object) -> str:
    path = str(tmp_path / "s.json")
    source = kw.pop("source", S.builtin_source("seed"))
    S.save(S.session_of(source, engine, pins.items(), **kw), path)  # type: ignore[arg-type]
    return path


def test_round_trip_is_bit_for_bit(tmp_path: Path) -> None:
    engine, pins = busy_engine()
    view = S.View("landscape", (1, 0), (0, 2), "chart", 2, True, True)
    key = Key(Kind.MEAN, None, 0)
    flips = Key(Kind.FLIPS, None, None)
    quiz = Quiz(
        asked=frozenset({Asked.F, Asked.MEAN, Asked.FLIPS}),
        sig_digits=4,
        answers={
            (1, key): Answer("wrong", "-240", -204.0),
            (2, flips): Answer("right", "1-4", ((0, 4),)),
            (3, flips): Answer("revealed", "", ()),
        },
    )
    path = save(tmp_path, engine, pins, view=view, quiz=quiz)
    opened = S.open_session(path)
    assert opened.warnings == ()
    again = opened.engine
    assert again.weight_history().tobytes() == engine.weight_history().tobytes()
    assert again.cursor == engine.cursor == 5
    assert again.standardized and again.hyperparams == engine.hyperparams
    assert again.hyperparam_changes() == engine.hyperparam_changes()
    for step in range(1, engine.history_length + 1):
        assert again.hyperparams_at(step) == engine.hyperparams_at(step)
    again.last()
    engine.last()
    assert again.run_steps(3).weights_after.tobytes() == engine.run_steps(3).weights_after.tobytes()
    assert [letter for letter, _ in opened.pins] == ["A", "B"]
    for letter, run in opened.pins:
        kept = pins[letter]
        assert run.weight_history().tobytes() == kept.weight_history().tobytes()
        assert run.cursor == kept.cursor and run.hyperparams == kept.hyperparams
        assert run.data.dataset is again.dataset  # pinnable beside the live run
    assert opened.session.view == view
    assert opened.session.quiz.answers == quiz.answers
    # The rows are written as the screen counts them, from 1.
    saved = json.loads(Path(path).read_text())["quiz"]["answers"]
    assert [a.get("rows") for a in saved] == [None, [[1, 4]], []]
    assert opened.session.quiz.asked == quiz.asked and opened.session.quiz.sig_digits == 4


def test_the_file_is_readable_json_with_a_format_version(tmp_path: Path) -> None:
    engine, pins = busy_engine()
    data = json.loads(Path(save(tmp_path, engine, pins)).read_text())
    assert data["format"] == S.FORMAT_NAME and data["version"] == S.FORMAT_VERSION
    assert data["dataset"] == {"builtin": "seed"}
    run = data["run"]
    assert run["standardized"] is True and run["cursor"] == 5 and run["steps"] == 7
    assert [s["from_step"] for s in run["settings"]] == [1, 5]
    assert run["next_settings"]["learning_rate"] == 0.05
    assert sorted(data["pinned"]) == ["A", "B"]


def test_the_views_choices_are_the_apps() -> None:
    assert get_args(ChartMode) == S.CHART_MODES
    assert S.PANELS == PANELS


def test_export_from_a_session_equals_the_run_made_by_hand(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    engine, pins = busy_engine()
    path = save(tmp_path, engine, pins)
    for fmt in ("text", "jsonl", "summary"):
        out = tmp_path / f"out.{fmt}"
        assert main(["--session", path, "--export", fmt, "-o", str(out)]) == 0
        assert out.read_text() == render(engine, fmt, recorded_events(engine))
    assert main(["--session", path, "--export", "summary"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["steps"] == 5 and summary["standardized"] is True


def write(tmp_path: Path, name: str, text: str | bytes) -> str:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return str(path)


def good(tmp_path: Path) -> dict[str, object]:
    engine, pins = busy_engine()
    return json.loads(Path(save(tmp_path, engine, pins)).read_text())


def edited(tmp_path: Path, change: object) -> str:
    data = good(tmp_path)
    change(data)  # type: ignore[operator]
    return write(tmp_path, "edited.json", json.dumps(data))


def refused(capsys: pytest.CaptureFixture[str], path: str, *more: str) -> str:
    assert main(["--session", path, "--export", "text", *more]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    return err.removeprefix("logsgd-tui: error: ").rstrip("\n")


def test_hostile_files_are_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = str(tmp_path)
    assert refused(capsys, f"{p}/none.json") == f"{p}/none.json: no such session file"
    assert refused(capsys, p) == f"{p}: is a directory, not a session file"
    empty = write(tmp_path, "empty.json", "")
    assert refused(capsys, empty) == f"{empty}: the file is empty; it is not a session file"
    whole = json.dumps(good(tmp_path))
    cut = write(tmp_path, "cut.json", whole[: len(whole) // 2])
    assert refused(capsys, cut).endswith("it ends too early (truncated?)")
    corrupt = write(tmp_path, "corrupt.json", whole.replace(":", ";", 1))
    assert refused(capsys, corrupt).startswith(f"{corrupt}: is not a session file: not valid JSON")
    binary = write(tmp_path, "bin.json", b"\x89PNG\r\n\x1a\n\xff\x00")
    assert refused(capsys, binary) == f"{binary}: is not a session file (not UTF-8 text)"
    other = write(tmp_path, "other.json", '{"a": 1}')
    assert refused(capsys, other).startswith(f'{other}: is not a session file (no "format"')
    deep = write(tmp_path, "deep.json", "[" * 100_000 + "]" * 100_000)
    assert refused(capsys, deep).startswith(f"{deep}: ")
    nan = write(tmp_path, "nan.json", whole.replace("0.001", "NaN"))
    assert "NaN is not a number a session holds" in refused(capsys, nan)
    big = tmp_path / "big.json"
    with open(big, "wb") as out:
        out.truncate(10**9)
    assert (
        refused(capsys, str(big)) == f"{big}: the file is 1.0 GB; a session file is at most 16 MB"
    )


def test_a_newer_format_and_bad_values(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def newer(d: dict) -> None:  # type: ignore[type-arg]
        d["version"] = 2

    path = edited(tmp_path, newer)
    assert refused(capsys, path) == (
        f"{path}: was saved by a newer logsgd-tui (session format 2; this one reads format 1 "
        "and older); upgrade logsgd-tui to open it"
    )

    def bad_lr(d: dict) -> None:  # type: ignore[type-arg]
        d["run"]["settings"][1]["learning_rate"] = -1

    path = edited(tmp_path, bad_lr)
    # The same words as `--lr -1` on the command line.
    assert refused(capsys, path) == (
        f"{path}: run, settings from step 5: learning rate must be greater than 0, got -1"
    )

    def bad_batch(d: dict) -> None:  # type: ignore[type-arg]
        d["pinned"]["A"]["next_settings"]["batch_size"] = 9

    path = edited(tmp_path, bad_batch)
    assert refused(capsys, path) == (
        f"{path}: pinned run A: batch size must be between 1 and the number of rows (4), got 9"
    )

    def text_seed(d: dict) -> None:  # type: ignore[type-arg]
        d["run"]["next_settings"]["seed"] = "3"

    path = edited(tmp_path, text_seed)
    assert refused(capsys, path) == f"{path}: run: seed must be a whole number, got '3'"

    def bad_cursor(d: dict) -> None:  # type: ignore[type-arg]
        d["run"]["cursor"] = 99

    path = edited(tmp_path, bad_cursor)
    assert refused(capsys, path) == (
        f"{path}: run: cursor must be a recorded step (0 to 7), got 99"
    )

    def bad_weights(d: dict) -> None:  # type: ignore[type-arg]
        d["run"]["initial_weights"] = [1, 2]

    path = edited(tmp_path, bad_weights)
    assert refused(capsys, path) == (
        f"{path}: run: initial weights need 3 numbers (2 features, then the bias), got 2"
    )

    def bad_view(d: dict) -> None:  # type: ignore[type-arg]
        d["view"]["chart_mode"] = "\x1b[31mred"

    path = edited(tmp_path, bad_view)
    message = refused(capsys, path)
    assert "\x1b" not in message and "chart_mode must be one of" in message

    def bad_rows(d: dict) -> None:  # type: ignore[type-arg]
        d["quiz"]["answers"] = [
            {"step": 1, "kind": "flips", "row": None, "weight": None, "outcome": "right"}
            | {"text": "1", "rows": [[3, 4], [1, 2]]}
        ]

    path = edited(tmp_path, bad_rows)
    assert refused(capsys, path) == (
        f"{path}: quiz: the rows of an answer (step 1) must be runs in order, apart, got"
        " '[[3, 4], [1, 2]]'"
    )

    def huge_steps(d: dict) -> None:  # type: ignore[type-arg]
        d["run"]["steps"] = 10**12

    assert "steps must be 0 to 10,000,000" in refused(capsys, edited(tmp_path, huge_steps))


def test_session_options_conflict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    engine, pins = busy_engine()
    path = save(tmp_path, engine, pins)
    assert refused(capsys, path, "--lr", "0.1").endswith("--lr cannot be given with it")
    assert "--steps applies to a run" in refused(capsys, path, "--steps", "3")


def csv_session(tmp_path: Path) -> tuple[str, str, Engine]:
    csv = write(tmp_path, "marks.csv", CSV)
    dataset = load_csv(csv, label="passed")
    engine = Engine(dataset)
    engine.run_steps(4)
    engine.set_hyperparams(learning_rate=0.2)
    engine.run_steps(3)
    source = S.csv_source(csv, label="passed")
    assert source.embedded == CSV
    return csv, save(tmp_path, engine, Pins(), source=source), engine


def test_a_csv_session_opens_from_the_file(tmp_path: Path) -> None:
    _, path, engine = csv_session(tmp_path)
    opened = S.open_session(path)
    assert opened.warnings == ()
    assert opened.engine.weight_history().tobytes() == engine.weight_history().tobytes()


def test_embedded_data_is_used_when_the_csv_is_gone_or_changed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv, path, engine = csv_session(tmp_path)
    Path(csv).write_text(CSV.replace("5,4,1", "5,4,0"))
    out = tmp_path / "out.txt"
    assert main(["--session", path, "--export", "text", "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert err == (
        f"logsgd-tui: warning: {path}: its data file {csv!r} has changed since it was saved "
        "(SHA-256 differs); using the copy saved in the session\n"
    )
    assert out.read_text() == render(engine, "text", recorded_events(engine))
    os.unlink(csv)
    opened = S.open_session(path)
    assert opened.warnings == (
        f"{path}: its data file {csv!r} is gone; using the copy saved in the session",
    )
    assert opened.engine.weight_history().tobytes() == engine.weight_history().tobytes()
    assert opened.dataset.source == csv


def test_a_changed_or_gone_csv_without_a_copy_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv, path, _ = csv_session(tmp_path)
    data = json.loads(Path(path).read_text())
    data["dataset"]["embedded"] = None
    Path(path).write_text(json.dumps(data))
    Path(csv).write_text(CSV + "6,3,1\n")
    assert refused(capsys, path) == (
        f"{path}: its data file {csv!r} has changed since it was saved (SHA-256 differs), "
        "and the session holds no copy of it"
    )
    os.unlink(csv)
    assert refused(capsys, path) == (
        f"{path}: its data file {csv!r} is gone, and the session holds no copy of it"
    )


def test_a_replay_that_differs_from_the_saved_weights_says_so(tmp_path: Path) -> None:
    engine, pins = busy_engine()
    data = json.loads(Path(save(tmp_path, engine, pins)).read_text())
    data["run"]["check"]["weights_after_last_step"][0] += 1.0
    path = write(tmp_path, "w.json", json.dumps(data))
    (warning,) = S.open_session(path).warnings
    assert warning.startswith(f"{path}: the replayed weights after step 7 differ")


def test_save_is_atomic_and_refuses_what_it_cannot_write(tmp_path: Path) -> None:
    engine, pins = busy_engine()
    session = S.session_of(S.builtin_source("seed"), engine)
    with pytest.raises(S.SessionError, match="Is a directory"):
        S.save(session, str(tmp_path))
    with pytest.raises(S.SessionError, match="No such file or directory"):
        S.save(session, str(tmp_path / "no" / "s.json"))
    path = tmp_path / "s.json"
    S.save(session, str(path))
    assert os.listdir(tmp_path) == ["s.json"]  # no temporary file left
    stream = io.StringIO()
    write_export(stream, engine, "text")
    assert stream.getvalue()


def test_a_session_and_a_scenario_are_refused_together(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Each would decide the run and what the app shows: one of the two, said in one line.
    assert main(["--session", str(tmp_path / "s.json"), "--scenario", "seed"]) == 2
    err = capsys.readouterr().err
    assert err == "logsgd-tui: error: give either --session FILE or --scenario FILE, not both\n"
    assert not (tmp_path / "s.json").exists()


def test_a_5000_digit_number_in_a_session_is_refused_in_one_short_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # json's int() raised Python's own message (sys.set_int_max_str_digits) past 4,300 digits.
    text = re.sub(r'"cursor": \d+', '"cursor": ' + "9" * 5000, json.dumps(good(tmp_path)), count=1)
    path = write(tmp_path, "long.json", text)
    said = refused(capsys, path)
    assert said == f"{path}: is not a session file: a whole number of 5,000 digits (at most 100)"


def test_the_dropped_steps_are_saved_and_come_back_bit_for_bit(tmp_path: Path) -> None:
    engine = Engine(load_builtin("seed"))
    engine.run_steps(6)
    engine.jump(3)
    engine.set_hyperparams(learning_rate=0.001)  # drops steps 4 .. 6 (the ghost)
    engine.run_steps(2)
    path = save(tmp_path, engine, Pins())
    saved = json.loads(Path(path).read_text())["dropped"]
    assert saved["parted_at"] == 3 and saved["run"]["steps"] == 6
    opened = S.open_session(path)
    assert opened.warnings == ()
    again = opened.engine
    assert again.dropped is not None and engine.dropped is not None
    assert again.dropped.parted_at == 3
    assert again.ghost is not None and engine.ghost is not None
    assert again.ghost.weights.tobytes() == engine.ghost.weights.tobytes()
    assert again.ghost.hyperparams == engine.ghost.hyperparams
    # y brings them back on both, the same steps as recorded.
    again.jump(3)
    engine.jump(3)
    again.restore_dropped()
    engine.restore_dropped()
    assert again.weight_history().tobytes() == engine.weight_history().tobytes()
    assert again.history_length == 6


def test_dropped_steps_that_do_not_part_from_the_run_are_refused_or_not_shown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = Engine(load_builtin("seed"))
    engine.run_steps(6)
    engine.jump(3)
    engine.set_hyperparams(learning_rate=0.001)
    path = save(tmp_path, engine, Pins())
    data = json.loads(Path(path).read_text())
    data["dropped"]["run"]["initial_weights"] = [0, 0, 0]  # another start: not the run's
    edited_path = write(tmp_path, "other.json", json.dumps(data))
    opened = S.open_session(edited_path)
    assert opened.engine.dropped is None
    assert opened.warnings[-1] == (
        f"{edited_path}: the dropped steps are not this run's up to step 3: not shown"
    )
    data["dropped"]["parted_at"] = 6
    assert refused(capsys, write(tmp_path, "bad.json", json.dumps(data))).endswith(
        "dropped: parted_at must be a step before the dropped run's last (0 to 5), got 6"
    )
