"""Scenario files (core/scenario.py): a good file read, each kind of bad file refused in one
line naming the file and the stop, and the built-in seed scenario's numbers against the engine."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from logsgd.core import maths
from logsgd.core.builtin_datasets import load_builtin
from logsgd.core.engine import Engine
from logsgd.core.formatting import fmt, fmt_prob
from logsgd.core.params import Hyperparams
from logsgd.core.scenario import Question, ScenarioError, load_scenario, parse_scenario
from logsgd.tui.cli import main

GOOD = """
[scenario]
name = "my lecture"
dataset = "seed"
settings = { lr = "0.02", batch-size = 2 }

[[stop]]
step = 1
note = "first [bold]look[/]"
question = "g0"

[[stop]]
step = 20
note = "lr down"
set = { lr = "0.001", shuffle = "on" }
"""


def checked(text: str, source: str = "lecture.toml") -> None:
    seed = load_builtin("seed")
    parse_scenario(text, source).checked(seed.n_rows, seed.n_features, Hyperparams())


def test_a_good_file_is_read_with_its_stops_settings_and_questions() -> None:
    scenario = parse_scenario(GOOD, "lecture.toml")
    assert scenario.name == "my lecture"
    assert scenario.dataset == "seed"
    assert scenario.settings == {"learning_rate": 0.02, "batch_size": 2}
    first, second = scenario.stops
    assert (first.step, first.note, first.question) == (1, "first [bold]look[/]", Question("g", 0))
    assert second.settings == {"learning_rate": 0.001, "shuffle": True}
    assert scenario.current(0) is None
    assert scenario.current(5) == (0, first)
    assert scenario.next_after(1) is second
    assert scenario.at(20) is second and scenario.at(19) is None
    checked(GOOD)


STOP = '[[stop]]\nstep = 1\nnote = "a"\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[stop]\n", "lecture.toml: not TOML: "),
        ("", "lecture.toml: no stops: add at least one [[stop]] with a step and a note"),
        (
            '[[stop]]\nstep = 0\nnote = "a"\n',
            "lecture.toml: stop 1: step must be a whole number 1 or more, got 0",
        ),
        (
            '[[stop]]\nstep = 1.5\nnote = "a"\n',
            "lecture.toml: stop 1: step must be a whole number 1 or more, got 1.5",
        ),
        (
            '[[stop]]\nstep = "3"\nnote = "a"\n',
            "lecture.toml: stop 1: step must be a whole number 1 or more, got '3'",
        ),
        (
            '[[stop]]\nnote = "a"\n',
            "lecture.toml: stop 1: step must be a whole number 1 or more, got nothing",
        ),
        (
            STOP + '[[stop]]\nstep = 1\nnote = "b"\n',
            "lecture.toml: stop 2: stops must be in increasing step order: step 1 comes after "
            "step 1",
        ),
        (
            '[[stop]]\nstep = 2\nnote = "a"\nset = { lrate = "0.1" }\n',
            "lecture.toml: stop 1 (step 2): unknown setting 'lrate'; expected one of lr, "
            "batch-size, seed, l2, momentum, shuffle",
        ),
        (
            '[[stop]]\nstep = 2\nnote = "a"\nset = { lr = "fast" }\n',
            "lecture.toml: stop 1 (step 2): learning rate must be a number, got 'fast'",
        ),
        (
            '[[stop]]\nstep = 2\nnote = "a"\nset = { lr = "0" }\n',
            "lecture.toml: stop 1 (step 2): learning rate must be greater than 0, got 0",
        ),
        (
            '[[stop]]\nstep = 2\nnote = "a"\nset = { batch-size = 9 }\n',
            "lecture.toml: stop 1 (step 2): batch size must be between 1 and the number of "
            "rows (4), got 9",
        ),
        (
            f'[[stop]]\nstep = 2\nnote = "{"x" * 100_000}"\n',
            "lecture.toml: stop 1 (step 2): note is 100,000 characters long; at most 2,000",
        ),
        (
            '[[stop]]\nstep = 2\nnote = "red \\u001b[31m"\n',
            "lecture.toml: stop 1 (step 2): note has a control character (\\x1b) at character 5",
        ),
        (
            '[[stop]]\nstep = 2\nnote = "a"\nquestion = "z9"\n',
            "lecture.toml: stop 1 (step 2): question must be gJ (a mean gradient), wJ (a new "
            "weight), fK (f of row K) or flips (which rows flip), got 'z9'",
        ),
        (
            '[[stop]]\nstep = 2\nnote = "a"\nquestion = "g7"\n',
            "lecture.toml: stop 1 (step 2): question 'g7' names no weight of this data (g0 to g2)",
        ),
        (
            '[[stop]]\nstep = 2\nnote = "a"\nrun = "rm -rf /"\n',
            "lecture.toml: stop 1 (step 2): unknown key 'run'; expected note, question, set, step",
        ),
        (  # tomllib's int() raised a ValueError past 4,300 digits: "internal error"
            f'[[stop]]\nstep = {"9" * 5000}\nnote = "a"\n',
            "lecture.toml: a whole number too long to read (over 4,300 digits)",
        ),
        (
            '[scenario]\ndataset = "mnist"\n' + STOP,
            "lecture.toml: [scenario]: dataset must be a built-in dataset, one of ",
        ),
    ],
)
def test_a_bad_file_is_one_line_naming_the_file_the_stop_and_what(text: str, message: str) -> None:
    with pytest.raises(ScenarioError) as raised:
        checked(text)
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)


def test_a_missing_or_binary_file_is_refused_and_the_command_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(ScenarioError, match="cannot read the scenario: No such file"):
        load_scenario(str(tmp_path / "gone.toml"))
    binary = tmp_path / "b.toml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ScenarioError, match="not UTF-8 text"):
        load_scenario(str(binary))
    bad = tmp_path / "bad.toml"
    bad.write_text('[[stop]]\nstep = 2\nnote = "a"\nset = { momentum = "1" }\n')
    assert main(["--scenario", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"logsgd-tui: error: {bad}: stop 1 (step 2): momentum μ must be at least 0 and below 1,"
        " got 1\n"
    )


def test_list_scenarios_lists_the_built_ins(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--list-scenarios"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("seed  the seed lecture: ")
    assert "(4 stops)" in out


# ---------------------------------------------------------------------- the built-in's numbers

NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e[+-]\d+)?%?")


def seed_numbers() -> dict[int, set[str]]:
    """Every number each stop's note may quote, computed by stepping the engine and written as
    the app writes it (fmt, fmt_prob, accuracy as the status line)."""
    engine = Engine(load_builtin("seed"))

    def at(step: int):  # type: ignore[no-untyped-def]
        engine.jump(step)
        return engine.current()

    def predictions(event) -> list[str]:  # type: ignore[no-untyped-def]
        return [fmt_prob(maths.sigmoid(z), maths.complement(z)) for z in event.z_after_all]

    one, two = at(1), at(2)
    lr = "0.01"
    found = {
        1: {fmt(one.gradient[0]), fmt(one.weights_before[0]), lr, fmt(one.weights_after[0])}
        | set(predictions(one)[2:])
        | {fmt(one.loss_before), fmt(one.loss_after)},
        2: {fmt(r) for r in two.residuals}
        | {fmt(two.gradient[0]), fmt(two.weights_before[0]), lr, fmt(two.weights_after[0])}
        | set(predictions(two)[:2])
        | {fmt(two.loss_after)},
    }
    settle = at(31)
    assert all(at(s).accuracy_after == 0.5 for s in range(1, 31))
    assert all(at(s).accuracy_after == 1.0 for s in range(31, 200))
    assert settle.epoch == 16 and settle.batch == 1
    found[31] = {"50.0%", "100.0%", fmt(settle.loss_before), fmt(settle.loss_after)}
    raw40 = at(40)
    standardized = Engine(load_builtin("seed"), standardized=True)
    std1, std40 = standardized.jump(1), standardized.jump(40)
    assert std1.accuracy_after == 1.0
    found[40] = {fmt(raw40.loss_after), f"{std1.accuracy_after:.1%}"}
    found[40] |= {fmt(std1.loss_after), fmt(std40.loss_after)}
    return found


# Words the notes number things by (rows, steps, epochs, stops, a label), not computed values.
COUNTING = {"0", "1", "2", "3", "4", "15", "16", "30", "31", "40"}


def test_every_number_a_built_in_note_quotes_is_the_engines() -> None:
    scenario = load_scenario("seed")
    numbers = seed_numbers()
    assert [stop.step for stop in scenario.stops] == sorted(numbers)
    for stop in scenario.stops:
        quoted_numbers = set(NUMBER.findall(stop.note))
        # "1 - 3.883e-77" is quoted as written: its two numbers.
        expected = {token for each in numbers[stop.step] for token in NUMBER.findall(each)}
        assert expected <= quoted_numbers | {"1.000e-08"}, (stop.step, expected - quoted_numbers)
        unchecked = quoted_numbers - expected - COUNTING
        assert not unchecked, f"stop at step {stop.step} quotes unchecked numbers {unchecked}"
    # The exact phrases, as the panels write them.
    notes = {stop.step: stop.note.replace("\n", " ") for stop in scenario.stops}
    assert "w0 = 1.000e-08 - 0.01 * 58.75 = -0.5875" in notes[1]
    assert "w0 = -0.5875 - 0.01 * (-204.0) = 1.452" in notes[2]
    assert "1 - 3.883e-77 and 1 - 1.006e-72" in notes[2]
    assert {"1 - 3.883e-77", "1 - 1.006e-72"} <= numbers[2]
