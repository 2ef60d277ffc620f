"""Scenarios: a lecture prepared in advance, as a TOML file of stops (read and checked here).

    [scenario]
    name = "seed lecture"
    description = "one line for --list-scenarios"
    dataset = "seed"                 # a built-in (optional: else the command line's data)
    settings = { lr = "0.01" }       # the starting settings (optional; flags override them)

    [[stop]]
    step = 1                         # a whole number >= 1; the stops in increasing order
    note = "Rows 1 and 2 are both labelled 0, ..."
    question = "g0"                  # optional: the number the quiz asks here (gJ, wJ, fK, flips)
    set = { lr = "0.001" }           # optional: settings changed when the run reaches the step

A setting is named as on the command line (lr, batch-size, seed, l2, momentum, shuffle) and its
value read by the readers the command line and the edit form use (`params.read_setting`), so a
file, a flag and the form refuse a value in the same words. The file is data only: nothing in
it is executed. Every error is one line naming the file, the stop and what is wrong.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .params import SETTING_NAMES, Hyperparams, SettingError, read_setting
from .text import quoted, visible

# A note is read on screen beside the panels: a few sentences, not a chapter.
NOTE_MAX_CHARS = 2000
NAME_MAX_CHARS = 80
# A scenario file larger than this is not a lecture's notes (and is not read whole).
FILE_MAX_BYTES = 1 << 20
# The settings a file may set, by their command-line names (flags without the dashes).
SETTING_OF_NAME = {
    "lr": "learning_rate",
    "batch-size": "batch_size",
    "batch_size": "batch_size",
    "seed": "seed",
    "l2": "l2",
    "momentum": "momentum",
    "shuffle": "shuffle",
}
SCENARIO_KEYS = frozenset({"name", "description", "dataset", "settings", "standardize"})
STOP_KEYS = frozenset({"step", "note", "question", "set"})
# A question names one number of the step as the panels do: g0 (a mean gradient), w0 (a new
# weight), f3 (f of data row 3, which must be in the step's batch); or "flips", which rows
# of the data the step flips to the other class.
_QUESTION = re.compile(r"([gwf])([0-9]{1,6})")
FLIPS_QUESTION = "flips"
# Control characters and bidi controls: refused, not shown (a note may break its lines).
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_CONTROL = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}]")
_CONTROL_IN_NOTE = re.compile(f"[\x00-\x09\x0b-\x1f\x7f-\x9f{_BIDI}]")
# The built-in scenarios, shipped as package data (core/data/NAME.scenario.toml).
BUILTIN_SCENARIOS = ("seed",)

Settings = Mapping[str, float | int | bool]


class ScenarioError(ValueError):
    """A scenario file that cannot be played; the message is one line: file, stop, what."""


@dataclass(frozen=True)
class Question:
    """The number a stop's quiz asks: kind "g" (mean gradient g_j), "w" (new weight w_j) or
    "f" (f of data row `index`, 1-based as the panels number rows); or kind "flips" (which
    rows the step flips; no index)."""

    kind: str
    index: int = 0

    @property
    def name(self) -> str:
        """As the file names it: g0, w0, f3, flips."""
        return self.kind if self.kind == FLIPS_QUESTION else f"{self.kind}{self.index}"

    @property
    def said(self) -> str:
        """As a note says it: g0, w0, f3, which rows flip."""
        return "which rows flip" if self.kind == FLIPS_QUESTION else self.name


@dataclass(frozen=True)
class Stop:
    """One stop of a scenario: the step it is at, its note, its question, its changes."""

    step: int
    note: str
    question: Question | None = None
    settings: Settings = field(default_factory=dict)  # Hyperparams field -> value


@dataclass(frozen=True)
class Scenario:
    """A lecture prepared in advance: where it starts, and its stops in increasing step order."""

    name: str
    source: str  # the file as given, or "built-in scenario seed": what a message names
    stops: tuple[Stop, ...]
    description: str = ""
    dataset: str | None = None  # a built-in dataset's name
    settings: Settings = field(default_factory=dict)  # the starting settings
    standardized: bool | None = None

    def current(self, step: int) -> tuple[int, Stop] | None:
        """The last stop at or before `step` (its index, 0-based), or None before the first."""
        found = None
        for index, stop in enumerate(self.stops):
            if stop.step > step:
                break
            found = (index, stop)
        return found

    def at(self, step: int) -> Stop | None:
        """The stop at exactly `step`, if any."""
        return next((stop for stop in self.stops if stop.step == step), None)

    def next_after(self, step: int) -> Stop | None:
        """The first stop after `step` (where n runs to), or None after the last."""
        return next((stop for stop in self.stops if stop.step > step), None)

    def checked(self, n_rows: int, n_features: int, start: Hyperparams) -> Scenario:
        """This scenario if it can be played on data of this shape from `start`: each stop's
        settings, applied in turn, pass Hyperparams.validated; each question names a weight
        or row the data has. ScenarioError naming the stop otherwise."""
        hp = start
        for number, stop in enumerate(self.stops, start=1):
            where = f"{self.source}: stop {number} (step {stop.step})"
            try:
                hp = replace(hp, **stop.settings).validated(n_rows)  # type: ignore[arg-type]
            except SettingError as error:
                raise ScenarioError(f"{where}: {error}") from None
            question = stop.question
            if question is None or question.kind == FLIPS_QUESTION:
                continue
            limit = n_rows if question.kind == "f" else n_features
            low = 1 if question.kind == "f" else 0
            if not low <= question.index <= limit:
                what = "row" if question.kind == "f" else "weight"
                raise ScenarioError(
                    f"{where}: question {question.name!r} names no {what} of this data "
                    f"({question.kind}{low} to {question.kind}{limit})"
                )
        return self


# ---------------------------------------------------------------------------- reading


def is_builtin(name: str) -> bool:
    return name in BUILTIN_SCENARIOS


def load_scenario(where: str) -> Scenario:
    """A built-in scenario by name ("seed"), or the scenario file at the path `where`."""
    if is_builtin(where):
        from importlib import resources

        text = (resources.files("logsgd.core") / "data" / f"{where}.scenario.toml").read_text(
            encoding="utf-8"
        )
        return parse_scenario(text, f"built-in scenario {where}")
    source = visible(where)
    try:
        with open(where, "rb") as file:
            raw = file.read(FILE_MAX_BYTES + 1)
    except OSError as error:
        raise ScenarioError(
            f"{source}: cannot read the scenario: {error.strerror or error}"
        ) from None
    if len(raw) > FILE_MAX_BYTES:
        raise ScenarioError(f"{source}: not a scenario: larger than {FILE_MAX_BYTES >> 20} MB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ScenarioError(f"{source}: not UTF-8 text (byte {error.start})") from None
    return parse_scenario(text, source)


def describe_scenarios() -> list[tuple[str, str]]:
    """(name, one line) of each built-in scenario, for --list-scenarios."""
    rows = []
    for name in BUILTIN_SCENARIOS:
        scenario = load_scenario(name)
        rows.append((name, f"{scenario.description} ({len(scenario.stops)} stops)"))
    return rows


def parse_scenario(text: str, source: str) -> Scenario:
    """The scenario in TOML `text`; `source` names it in every message."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(f"{source}: not TOML: {visible(str(error))}") from None
    except ValueError:  # int() of more digits than Python converts (4,300): TOML's own parse
        raise ScenarioError(
            f"{source}: a whole number too long to read (over 4,300 digits)"
        ) from None
    _known_keys(document, frozenset({"scenario", "stop"}), f"{source}")
    head = document.get("scenario", {})
    if not isinstance(head, dict):
        raise ScenarioError(f"{source}: [scenario] must be a table")
    where = f"{source}: [scenario]"
    _known_keys(head, SCENARIO_KEYS, where)
    name = _text(head.get("name", Path(source).stem), "name", where, NAME_MAX_CHARS)
    description = _text(head.get("description", ""), "description", where, NAME_MAX_CHARS * 2)
    dataset = head.get("dataset")
    if dataset is not None:
        dataset = _builtin_dataset(dataset, where)
    standardized = head.get("standardize")
    if standardized is not None and not isinstance(standardized, bool):
        raise ScenarioError(f"{where}: standardize must be true or false, got {standardized!r}")
    settings = _settings(head.get("settings", {}), where, "settings")
    stops = _stops(document.get("stop"), source)
    return Scenario(name, source, stops, description, dataset, settings, standardized)


def _stops(raw: object, source: str) -> tuple[Stop, ...]:
    if raw is None:
        raise ScenarioError(f"{source}: no stops: add at least one [[stop]] with a step and a note")
    if not isinstance(raw, list):
        raise ScenarioError(f"{source}: stop must be an array of tables: [[stop]]")
    stops: list[Stop] = []
    for number, entry in enumerate(raw, start=1):
        where = f"{source}: stop {number}"
        if not isinstance(entry, dict):
            raise ScenarioError(f"{where}: must be a table: [[stop]]")
        step = entry.get("step")
        if isinstance(step, bool) or not isinstance(step, int) or step < 1:
            shown = (
                "nothing" if step is None else quoted(str(step)) if isinstance(step, str) else step
            )
            raise ScenarioError(f"{where}: step must be a whole number 1 or more, got {shown}")
        if stops and step <= stops[-1].step:
            raise ScenarioError(
                f"{where}: stops must be in increasing step order: step {step} comes after "
                f"step {stops[-1].step}"
            )
        where = f"{where} (step {step})"
        _known_keys(entry, STOP_KEYS, where)
        note = _text(entry.get("note"), "note", where, NOTE_MAX_CHARS)
        question = _question(entry.get("question"), where)
        settings = _settings(entry.get("set", {}), where, "set")
        stops.append(Stop(step, note, question, settings))
    return tuple(stops)


def _known_keys(table: Mapping[str, Any], known: frozenset[str], where: str) -> None:
    unknown = sorted(set(table) - known)
    if unknown:
        raise ScenarioError(
            f"{where}: unknown key {quoted(unknown[0])}; expected {', '.join(sorted(known))}"
        )


def _text(value: object, key: str, where: str, limit: int) -> str:
    """A note, name or description: text, not too long, no control characters (line breaks
    in a note aside). Shown as text: markup in it is shown as typed, never read."""
    if value is None:
        raise ScenarioError(f"{where}: {key} is missing")
    if not isinstance(value, str):
        raise ScenarioError(f"{where}: {key} must be text (in quotes), got {value!r}")
    if len(value) > limit:
        raise ScenarioError(f"{where}: {key} is {len(value):,} characters long; at most {limit:,}")
    control = (_CONTROL_IN_NOTE if key == "note" else _CONTROL).search(value)
    if control is not None:
        raise ScenarioError(
            f"{where}: {key} has a control character ({visible(control.group(0))}) at "
            f"character {control.start() + 1}"
        )
    return value


def _question(value: object, where: str) -> Question | None:
    if value is None:
        return None
    if value == FLIPS_QUESTION:
        return Question(FLIPS_QUESTION)
    match = _QUESTION.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        shown = quoted(value) if isinstance(value, str) else repr(value)
        raise ScenarioError(
            f"{where}: question must be gJ (a mean gradient), wJ (a new weight), fK (f of "
            f"row K) or flips (which rows flip), got {visible(shown)}"
        )
    return Question(match.group(1), int(match.group(2)))


def _settings(raw: object, where: str, key: str) -> dict[str, float | int | bool]:
    """{lr = "0.001", shuffle = true}: each value read as the command line reads it."""
    if not isinstance(raw, dict):
        raise ScenarioError(f'{where}: {key} must be a table: {key} = {{ lr = "0.001" }}')
    settings: dict[str, float | int | bool] = {}
    for name, value in raw.items():
        setting = SETTING_OF_NAME.get(name)
        if setting is None:
            raise ScenarioError(
                f"{where}: unknown setting {quoted(name)}; expected one of "
                f"{', '.join(n for n in SETTING_OF_NAME if n != 'batch_size')}"
            )
        settings[setting] = _setting_value(setting, value, where)
    return settings


def _setting_value(setting: str, value: object, where: str) -> float | int | bool:
    if setting == "shuffle":
        words = {"on": True, "off": False, True: True, False: False}
        if isinstance(value, str | bool) and value in words:
            return words[value]
        raise ScenarioError(f"{where}: shuffle must be on or off, got {_shown_value(value)}")
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        shown = _shown_value(value)
        raise ScenarioError(f"{where}: {SETTING_NAMES[setting]} must be a number, got {shown}")
    try:
        return read_setting(setting, value if isinstance(value, str) else repr(value))
    except SettingError as error:
        raise ScenarioError(f"{where}: {visible(str(error))}") from None


def _shown_value(value: object) -> str:
    return visible(quoted(value) if isinstance(value, str) else repr(value))


def _builtin_dataset(value: object, where: str) -> str:
    from .builtin_datasets import builtin_names

    names = builtin_names()
    if not isinstance(value, str) or value not in names:
        raise ScenarioError(
            f"{where}: dataset must be a built-in dataset, one of {', '.join(names)}; got "
            f"{_shown_value(value)}"
        )
    return value
