"""Sessions: the whole of a session as a JSON file (data only), and its replay, bit for bit.

A session file names the data (a built-in, or a CSV by path, load options and SHA-256, with
the file itself embedded when it is small), and each run (the live one and the pinned ones)
as its start (standardized, initial weights) and the settings every recorded step ran with,
by the step they started at. Nothing computed is trusted from the file: a run is replayed by
the engine, step by step as it was first computed (the last weights are stored only to check
the replay against). The view and the quiz ride along as plain values.

Reading is bounded (MAX_BYTES), never executes or unpickles anything, and every fault is a
SessionError of one line naming the file; settings are checked by the readers of `params`,
so a rejected value reads as it does on the command line.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import stat
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from .csvload import DataError, load_csv
from .dataset import Dataset
from .derivation import Kind
from .engine import Engine
from .params import Hyperparams, SettingError, validate_initial_weights
from .quiz import Answer, Asked, Key, Quiz
from .rowsets import Runs, runs_from
from .runs import PIN_LETTERS, Dropped, Run
from .text import WHOLE_DIGITS_MAX, quoted, visible

FORMAT_NAME = "logsgd-tui session"
FORMAT_VERSION = 1
DEFAULT_NAME = "seed-session.json"
# A session is settings and a small CSV: far below this. A larger file is refused unread.
MAX_BYTES = 16_000_000
# A CSV up to this size travels inside the session, so it opens on another machine.
EMBED_LIMIT = 256 * 1024
# Steps a run may have: a hostile file must not make the replay run for hours.
MAX_STEPS = 10_000_000
# A path is quoted whole in a message, up to this many characters.
PATH_LIMIT = 4096
# The view's choices, as tui/state.py spells them (a test holds the two together).
CHART_MODES = ("weights", "loss", "boundary", "landscape")
PANELS = ("dataset", "batch", "predictions", "gradients", "chart")
_HP_FIELDS = tuple(f.name for f in fields(Hyperparams))  # as Hyperparams.record writes them
_OUTCOMES = ("right", "wrong", "revealed")


class SessionError(ValueError):
    """A session file that cannot be read, opened or written: one line, naming the file."""


# ---------------------------------------------------------------------------- the parts


@dataclass(frozen=True)
class DataSource:
    """Where a session's data comes from: a built-in's name, or a CSV and how it was read."""

    builtin: str | None = None
    csv_path: str | None = None  # absolute
    label: str | None = None
    features: tuple[str, ...] | None = None
    positive: str | None = None
    sha256: str = ""
    embedded: str | None = None  # the CSV's text, when small

    @property
    def shown(self) -> str:
        if self.builtin:
            return f"built-in dataset {self.builtin}"
        return quoted(self.csv_path or "", PATH_LIMIT)


def builtin_source(name: str) -> DataSource:
    return DataSource(builtin=name)


def csv_source(
    path: str,
    label: str | None = None,
    features: list[str] | tuple[str, ...] | None = None,
    positive: str | None = None,
) -> DataSource:
    """A CSV as the session names it: its absolute path, load options, SHA-256 of its bytes and,
    when it is small UTF-8 text, the text itself. OSError if it cannot be read."""
    digest, small = _digest(path)
    embedded = None
    if small is not None:
        try:
            embedded = small.decode("utf-8")
        except UnicodeDecodeError:
            embedded = None
    return DataSource(
        csv_path=os.path.abspath(path),
        label=label,
        features=None if features is None else tuple(features),
        positive=positive,
        sha256=digest,
        embedded=embedded,
    )


def _digest(path: str) -> tuple[str, bytes | None]:
    """SHA-256 of the file, and its bytes when it is at most EMBED_LIMIT."""
    sha = hashlib.sha256()
    kept = bytearray()
    size = 0
    with open(path, "rb") as stream:
        while chunk := stream.read(1 << 20):
            sha.update(chunk)
            size += len(chunk)
            if size <= EMBED_LIMIT:
                kept += chunk
    return sha.hexdigest(), bytes(kept) if size <= EMBED_LIMIT else None


@dataclass(frozen=True)
class RunRecord:
    """One run as the session stores it: its start and the settings of every recorded step.

    `settings[i] = (s, hp)`: steps s .. (the next s) - 1 ran with hp; the first s is 1.
    """

    standardized: bool
    initial_weights: tuple[float, ...]
    settings: tuple[tuple[int, Hyperparams], ...]
    next_settings: Hyperparams  # what new steps after the last recorded one run with
    steps: int
    cursor: int
    last_weights: tuple[float, ...] | None = None  # to check the replay against


@dataclass(frozen=True)
class View:
    """What the app shows around the step (its ViewState's view settings)."""

    chart_mode: str = "weights"
    boundary_pair: tuple[int, int] = (0, 1)
    landscape_pair: tuple[int, int] = (0, 1)
    selected_panel: str = "batch"
    highlighted_weight: int | None = None
    boundary_fit: bool = False
    quiz_on: bool = False


@dataclass(frozen=True)
class Session:
    """A whole session, as written to and read from the file."""

    source: DataSource
    run: RunRecord
    pins: tuple[tuple[str, RunRecord], ...] = ()
    view: View = field(default_factory=View)
    quiz: Quiz = field(default_factory=Quiz)
    dropped: tuple[int, RunRecord] | None = None  # (the step it parts after, the run)


@dataclass(frozen=True)
class Opened:
    """A session replayed: the engine at its cursor, the pinned runs, view, quiz, and what was
    said on the way (the CSV changed, its embedded copy used)."""

    session: Session
    dataset: Dataset
    engine: Engine
    pins: tuple[tuple[str, Run], ...]
    warnings: tuple[str, ...]


# ---------------------------------------------------------------------------- describing


def record_of(run: Run | Engine) -> RunRecord:
    """A run (or the engine's live one) as the session stores it."""
    if isinstance(run, Engine):
        run = run.keep()
    history = run.history
    steps = history.length
    settings: list[tuple[int, Hyperparams]] = []
    if steps:
        firsts = [1, *run_changes(run)]
        settings = [(s, history.hyperparams_of(s)) for s in firsts]
    weights = run.weight_history()
    return RunRecord(
        standardized=run.standardized,
        initial_weights=tuple(float(w) for w in run.initial_weights),
        settings=tuple(settings),
        next_settings=run.hyperparams,
        steps=steps,
        cursor=run.cursor,
        last_weights=tuple(float(w) for w in weights[steps]),
    )


def run_changes(run: Run) -> list[int]:
    """Steps s >= 2 whose settings differ from those of step s - 1."""
    return run.history.hyperparam_changes()


# ---------------------------------------------------------------------------- replay


def replay(dataset: Dataset, record: RunRecord) -> Engine:
    """The run rebuilt by the engine from its start and settings: the same steps, bit for bit,
    as when they were first computed. SessionError if the run cannot be rebuilt."""
    first = record.settings[0][1] if record.settings else record.next_settings
    engine = Engine(
        dataset,
        hyperparams=first,
        initial_weights=list(record.initial_weights),
        standardized=record.standardized,
    )
    ends = [s - 1 for s, _ in record.settings[1:]] + [record.steps]
    for (_, hp), end in zip(record.settings, ends, strict=True):
        engine.set_hyperparams(hp)
        engine.run_steps(end - engine.cursor)
        if engine.history_length != end:
            raise SessionError(
                f"the run stops at step {engine.history_length} (the numbers overflow), "
                f"before the {record.steps} steps saved"
            )
    engine.set_hyperparams(record.next_settings)
    engine.jump(record.cursor)
    return engine


def _check_replay(record: RunRecord, engine: Engine, what: str) -> list[str]:
    """A warning if the replay's last weights are not the ones saved, bit for bit."""
    if record.last_weights is None:
        return []
    got = engine.weight_history()[record.steps]
    same = len(record.last_weights) == got.shape[0] and all(
        float(a) == b or (math.isnan(a) and math.isnan(b))
        for a, b in zip(got, record.last_weights, strict=False)
    )
    if same:
        return []
    return [
        f"{what}: the replayed weights after step {record.steps} differ from those saved "
        "(another version of numpy or of logsgd-tui?); showing the replay"
    ]


# ---------------------------------------------------------------------------- writing


def _run_dict(record: RunRecord) -> dict[str, object]:
    return {
        "standardized": record.standardized,
        "initial_weights": list(record.initial_weights),
        "settings": [{"from_step": s, **hp.record()} for s, hp in record.settings],
        "next_settings": record.next_settings.record(),
        "steps": record.steps,
        "cursor": record.cursor,
        "check": {"weights_after_last_step": _finite_or_none(record.last_weights)},
    }


def _finite_or_none(values: tuple[float, ...] | None) -> list[float] | None:
    if values is None or not all(math.isfinite(v) for v in values):
        return None
    return list(values)


def _source_dict(source: DataSource) -> dict[str, object]:
    if source.builtin is not None:
        return {"builtin": source.builtin}
    return {
        "csv": source.csv_path,
        "label": source.label,
        "features": None if source.features is None else list(source.features),
        "positive": source.positive,
        "sha256": source.sha256,
        "embedded": source.embedded,
    }


def _quiz_dict(quiz: Quiz) -> dict[str, object]:
    answers = [
        {
            "step": step,
            "kind": key.kind.value,
            "row": key.row,
            "weight": key.weight,
            "outcome": answer.outcome,
            "text": answer.text,
            # The rows that flip, as runs [first, last] counted from 1 as the screen counts.
            **(
                {"rows": [[start + 1, stop] for start, stop in answer.value]}
                if isinstance(answer.value, tuple)
                else {"value": answer.value}
            ),
        }
        for (step, key), answer in quiz.answers.items()
        if isinstance(answer.value, tuple) or math.isfinite(answer.value)
    ]
    return {
        "asked": sorted(a.value for a in quiz.asked),
        "sig_digits": quiz.sig_digits,
        "answers": answers,
    }


def to_dict(session: Session) -> dict[str, object]:
    """The session as the file holds it (JSON values only)."""
    view = session.view
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "dataset": _source_dict(session.source),
        "run": _run_dict(session.run),
        "pinned": {letter: _run_dict(record) for letter, record in session.pins},
        # The steps the last change dropped (drawn faint; y brings them back): a whole run
        # that parts from the live one after step parted_at.
        "dropped": (
            None
            if session.dropped is None
            else {"parted_at": session.dropped[0], "run": _run_dict(session.dropped[1])}
        ),
        "view": {
            "chart_mode": view.chart_mode,
            "boundary_pair": list(view.boundary_pair),
            "landscape_pair": list(view.landscape_pair),
            "selected_panel": view.selected_panel,
            "highlighted_weight": view.highlighted_weight,
            "boundary_fit": view.boundary_fit,
            "quiz_on": view.quiz_on,
        },
        "quiz": _quiz_dict(session.quiz),
    }


def dumps(session: Session) -> str:
    return json.dumps(to_dict(session), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def save(session: Session, path: str) -> str:
    """Write the session to `path` atomically (core/files); returns where it went.
    SessionError saying why it could not be written."""
    from .files import OutputError, check_output, opened

    text = dumps(session)
    try:
        output = check_output(path)
        if output.kind == "stdout":
            raise OutputError(f"{path}: a session is saved to a file, not to stdout")
        with opened(output, io.StringIO()) as out:  # never stdout: refused above
            out.write(text)
    except OutputError as error:
        raise SessionError(str(error).replace("cannot write the export", "cannot save")) from None
    return output.target


# ---------------------------------------------------------------------------- reading


class _Bad(Exception):
    """What is wrong, without the file's name (the reader adds it)."""


def read_text(path: str) -> str:
    """The file's text, bounded: SessionError for a missing, unreadable, huge or binary file."""
    where = visible(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise SessionError(f"{where}: no such session file") from None
    except OSError as error:
        raise SessionError(f"{where}: cannot read the session: {error.strerror or error}") from None
    if stat.S_ISDIR(info.st_mode):
        raise SessionError(f"{where}: is a directory, not a session file")
    if not stat.S_ISREG(info.st_mode):
        raise SessionError(f"{where}: is not a regular file")
    if info.st_size > MAX_BYTES:
        raise SessionError(
            f"{where}: the file is {_size(info.st_size)}; a session file is at most "
            f"{_size(MAX_BYTES)}"
        )
    try:
        with open(path, "rb") as stream:
            raw = stream.read(MAX_BYTES + 1)
    except OSError as error:
        raise SessionError(f"{where}: cannot read the session: {error.strerror or error}") from None
    if len(raw) > MAX_BYTES:
        raise SessionError(f"{where}: the file is larger than {_size(MAX_BYTES)}")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SessionError(f"{where}: is not a session file (not UTF-8 text)") from None


def _size(count: int) -> str:
    return f"{count / 1e9:.1f} GB" if count >= 1e8 else f"{count / 1e6:.0f} MB"


def _no_constants(name: str) -> object:
    raise ValueError(f"{name} is not a number a session holds")


def _whole_number(digits: str) -> int:
    """A JSON integer, of at most WHOLE_DIGITS_MAX digits (int() of more than Python's 4,300
    raises a message about sys.set_int_max_str_digits)."""
    if len(digits.lstrip("-")) > WHOLE_DIGITS_MAX:
        raise ValueError(
            f"a whole number of {len(digits.lstrip('-')):,} digits (at most {WHOLE_DIGITS_MAX})"
        )
    return int(digits)


def parse(text: str, path: str) -> Session:
    """The session the text holds; SessionError naming `path` and what is wrong."""
    where = visible(path)
    if not text.strip():
        raise SessionError(f"{where}: the file is empty; it is not a session file")
    try:
        raw = json.loads(text, parse_constant=_no_constants, parse_int=_whole_number)
    except json.JSONDecodeError as error:
        # A string left open runs to the end of the file too: cut short as well.
        ending = error.pos >= len(text.rstrip()) or error.msg.startswith("Unterminated string")
        why = "it ends too early (truncated?)" if ending else error.msg
        raise SessionError(
            f"{where}: is not a session file: not valid JSON at line {error.lineno}, "
            f"column {error.colno}: {why}"
        ) from None
    except (ValueError, RecursionError) as error:
        reason = "nested too deeply" if isinstance(error, RecursionError) else str(error)
        raise SessionError(f"{where}: is not a session file: {visible(reason)}") from None
    try:
        return from_dict(raw)
    except (_Bad, SettingError, ValueError) as error:
        raise SessionError(f"{where}: {visible(str(error))}") from None


def from_dict(raw: object) -> Session:
    """The session of the file's JSON value; _Bad, SettingError or ValueError if it is not one.
    Settings are checked here only as to their types; `open_session` validates them against
    the data, with the command line's words."""
    top = _mapping(raw, "the file")
    if top.get("format") != FORMAT_NAME:
        raise _Bad(f'is not a session file (no "format": {json.dumps(FORMAT_NAME)})')
    version = top.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _Bad("the session's format version is missing or not a whole number")
    if version > FORMAT_VERSION:
        raise _Bad(
            f"was saved by a newer logsgd-tui (session format {version}; this one reads "
            f"format {FORMAT_VERSION} and older); upgrade logsgd-tui to open it"
        )
    pins_raw = _mapping(top.get("pinned", {}), "pinned")
    pins = []
    for letter, value in pins_raw.items():
        if letter not in PIN_LETTERS:
            raise _Bad(f"pinned runs are named {', '.join(PIN_LETTERS)}, got {quoted(letter)}")
        pins.append((letter, _run(value, f"pinned run {letter}")))
    dropped = None
    if top.get("dropped") is not None:
        table = _mapping(top["dropped"], "dropped")
        parted_at = _typed(table, "parted_at", int, "dropped")
        record = _run(table.get("run"), "dropped: run")
        if not 0 <= parted_at < record.steps:
            raise _Bad(
                f"dropped: parted_at must be a step before the dropped run's last "
                f"(0 to {record.steps - 1}), got {parted_at}"
            )
        dropped = (parted_at, record)
    return Session(
        dropped=dropped,
        source=_source(top.get("dataset")),
        run=_run(top.get("run"), "run"),
        pins=tuple(sorted(pins)),
        view=_view(top.get("view", {})),
        quiz=_quiz(top.get("quiz", {})),
    )


def _mapping(value: object, what: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise _Bad(f"{what} must be a JSON object")
    return value


def _typed(table: Mapping[str, Any], key: str, kind: type | tuple[type, ...], what: str) -> Any:
    value = table.get(key)
    if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _kinds(kind)):
        names = {str: "text", int: "a whole number", bool: "true or false", list: "a list"}
        wanted = " or ".join(names.get(k, k.__name__) for k in _kinds(kind) if k is not type(None))
        raise _Bad(f"{what}: {key} must be {wanted}, got {_shown(value)}")
    return value


def _kinds(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _shown(value: object) -> str:
    return quoted(json.dumps(value)) if value is not None else "nothing"


def _source(value: object) -> DataSource:
    table = _mapping(value, "dataset")
    if "builtin" in table:
        return DataSource(builtin=_typed(table, "builtin", str, "dataset"))
    path = _typed(table, "csv", str, "dataset")
    features = table.get("features")
    if features is not None and not (
        isinstance(features, list) and all(isinstance(f, str) for f in features)
    ):
        raise _Bad(f"dataset: features must be a list of column names, got {_shown(features)}")
    sha = _typed(table, "sha256", str, "dataset")
    if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
        raise _Bad(f"dataset: sha256 must be 64 hexadecimal digits, got {quoted(sha)}")
    return DataSource(
        csv_path=path,
        label=_typed(table, "label", (str, type(None)), "dataset"),
        features=None if features is None else tuple(features),
        positive=_typed(table, "positive", (str, type(None)), "dataset"),
        sha256=sha,
        embedded=_typed(table, "embedded", (str, type(None)), "dataset"),
    )


def _hyperparams(value: object, what: str) -> Hyperparams:
    table = _mapping(value, what)
    missing = [name for name in _HP_FIELDS if name not in table]
    if missing:
        raise _Bad(f"{what}: {missing[0]} is missing")
    shuffle = _typed(table, "shuffle", bool, what)
    # The numbers are checked by Hyperparams.validated, in the command line's words.
    values = {name: table[name] for name in _HP_FIELDS if name != "shuffle"}
    return Hyperparams(shuffle=shuffle, **values)


def _run(value: object, what: str) -> RunRecord:
    table = _mapping(value, what)
    steps = _typed(table, "steps", int, what)
    cursor = _typed(table, "cursor", int, what)
    if not 0 <= steps <= MAX_STEPS:
        raise _Bad(f"{what}: steps must be 0 to {MAX_STEPS:,}, got {steps}")
    if not 0 <= cursor <= steps:
        raise _Bad(f"{what}: cursor must be a recorded step (0 to {steps}), got {cursor}")
    settings = []
    previous = 0
    for item in _typed(table, "settings", list, what):
        at = _typed(_mapping(item, f"{what}: settings"), "from_step", int, f"{what}: settings")
        if at <= previous or at > steps:
            raise _Bad(
                f"{what}: settings must start at steps 1, then later ones up to {steps}, "
                f"got from_step {at}"
            )
        settings.append((at, _hyperparams(item, f"{what}: settings from step {at}")))
        previous = at
    if steps and (not settings or settings[0][0] != 1):
        raise _Bad(f"{what}: the settings of step 1 are missing")
    weights = _typed(table, "initial_weights", list, what)
    check = table.get("check", {})
    last = _mapping(check, f"{what}: check").get("weights_after_last_step")
    return RunRecord(
        standardized=_typed(table, "standardized", bool, what),
        initial_weights=_numbers(weights, f"{what}: initial_weights"),
        settings=tuple(settings),
        next_settings=_hyperparams(table.get("next_settings"), f"{what}: next_settings"),
        steps=steps,
        cursor=cursor,
        last_weights=None if last is None else _numbers(last, f"{what}: check"),
    )


def _numbers(values: object, what: str) -> tuple[float, ...]:
    if not isinstance(values, list) or not all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in values
    ):
        raise _Bad(f"{what} must be a list of numbers, got {_shown(values)}")
    return tuple(float(v) for v in values)


def _rows(values: object, what: str) -> Runs:
    """Runs [first, last] of rows counted from 1, ascending and apart (as the file writes
    them), as 0-based half-open runs."""
    pairs = values if isinstance(values, list) else [None]
    if not all(
        isinstance(p, list)
        and len(p) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in p)
        and 1 <= p[0] <= p[1]
        for p in pairs
    ):
        raise _Bad(f"{what} must be runs [first, last] of rows from 1, got {_shown(values)}")
    runs = tuple((first - 1, last) for first, last in pairs)  # type: ignore[misc]
    if runs != runs_from(runs):
        raise _Bad(f"{what} must be runs in order, apart, got {_shown(values)}")
    return runs


def _pair(table: Mapping[str, Any], key: str) -> tuple[int, int]:
    value = table.get(key, [0, 1])
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value)
        or value[0] == value[1]
    ):
        raise _Bad(f"view: {key} must be two different whole numbers 0 or more")
    return value[0], value[1]


def _view(value: object) -> View:
    table = _mapping(value, "view")
    mode = table.get("chart_mode", "weights")
    if mode not in CHART_MODES:
        raise _Bad(f"view: chart_mode must be one of {', '.join(CHART_MODES)}, got {_shown(mode)}")
    panel = table.get("selected_panel", "batch")
    if panel not in PANELS:
        raise _Bad(f"view: selected_panel must be one of {', '.join(PANELS)}, got {_shown(panel)}")
    highlighted = table.get("highlighted_weight")
    if highlighted is not None and (
        not isinstance(highlighted, int) or isinstance(highlighted, bool) or highlighted < 0
    ):
        raise _Bad(f"view: highlighted_weight must be a weight's number, got {_shown(highlighted)}")
    return View(
        chart_mode=mode,
        boundary_pair=_pair(table, "boundary_pair"),
        landscape_pair=_pair(table, "landscape_pair"),
        selected_panel=panel,
        highlighted_weight=highlighted,
        boundary_fit=bool(table.get("boundary_fit", False) is True),
        quiz_on=bool(table.get("quiz_on", False) is True),
    )


def _quiz(value: object) -> Quiz:
    table = _mapping(value, "quiz")
    known = {a.value: a for a in Asked}
    asked = table.get("asked", ["mean", "weights"])
    if not isinstance(asked, list) or not asked or any(a not in known for a in asked):
        raise _Bad(f"quiz: asked must be some of {', '.join(known)}, got {_shown(asked)}")
    digits = table.get("sig_digits", 3)
    if not isinstance(digits, int) or isinstance(digits, bool):
        raise _Bad(f"quiz: sig_digits must be a whole number, got {_shown(digits)}")
    answers: dict[tuple[int, Key], Answer] = {}
    kinds = {k.value: k for k in Kind}
    for item in table.get("answers", []) if isinstance(table.get("answers", []), list) else [1]:
        entry = _mapping(item, "quiz: answers")
        step = _typed(entry, "step", int, "quiz: answers")
        row = _typed(entry, "row", (int, type(None)), "quiz: answers")
        weight = _typed(entry, "weight", (int, type(None)), "quiz: answers")
        kind, outcome = entry.get("kind"), entry.get("outcome")
        if kind not in kinds or outcome not in _OUTCOMES:
            raise _Bad(f"quiz: an answer's kind or outcome is not one the quiz knows (step {step})")
        text = _typed(entry, "text", str, "quiz: answers")
        answered: float | Runs
        if kinds[kind] is Kind.FLIPS:
            answered = _rows(entry.get("rows"), f"quiz: the rows of an answer (step {step})")
        else:
            answered = _numbers([entry.get("value")], "quiz: an answer's value")[0]
        answers[(step, Key(kinds[kind], row, weight))] = Answer(outcome, text, answered)
    return Quiz(asked=frozenset(known[a] for a in asked), sig_digits=digits, answers=answers)


# ---------------------------------------------------------------------------- opening


def open_session(path: str) -> Opened:
    """Read, check and replay the session file at `path`: SessionError in one line if any of
    it is wrong (the file, its data, a setting, a run that cannot be rebuilt)."""
    session = parse(read_text(path), path)
    where = visible(path)
    dataset, warnings = load_dataset(session.source, where)
    try:
        engine = _replayed(dataset, session.run, "run")
        warnings += _check_replay(session.run, engine, where)
        pins = []
        for letter, record in session.pins:
            pinned = _replayed(dataset, record, f"pinned run {letter}")
            warnings += _check_replay(record, pinned, f"{where}: pinned run {letter}")
            pins.append((letter, pinned.keep()))
        if session.dropped is not None:
            warnings += _hold_dropped(engine, dataset, session.dropped, where)
        _check_view(session.view, dataset)
    except (SessionError, SettingError) as error:
        raise SessionError(f"{where}: {error}") from None
    return Opened(session, dataset, engine, tuple(pins), tuple(warnings))


def _replayed(dataset: Dataset, record: RunRecord, what: str) -> Engine:
    try:
        for at, hp in record.settings:
            try:
                hp.validated(dataset.n_rows)
            except SettingError as error:
                raise SessionError(f"{what}, settings from step {at}: {error}") from None
        try:
            record.next_settings.validated(dataset.n_rows)
            validate_initial_weights(record.initial_weights, dataset.n_features)
        except SettingError as error:
            raise SessionError(f"{what}: {error}") from None
        return replay(dataset, record)
    except SettingError as error:
        raise SessionError(f"{what}: {error}") from None


def _hold_dropped(
    engine: Engine, dataset: Dataset, dropped: tuple[int, RunRecord], where: str
) -> list[str]:
    """The dropped steps replayed and held by the engine (its ghost); a warning, and none
    held, when they do not part from the run where the file says."""
    parted_at, record = dropped
    run = _replayed(dataset, record, "dropped run")
    problems = _check_replay(record, run, f"{where}: dropped run")
    try:
        engine.hold_dropped(Dropped(parted_at, run.keep()))
    except SettingError as error:
        return [*problems, f"{where}: {error}: not shown"]
    return problems


def _check_view(view: View, dataset: Dataset) -> None:
    d = dataset.n_features
    if view.highlighted_weight is not None and view.highlighted_weight > d:
        raise SessionError(
            f"view: highlighted_weight must be 0 to {d} (w{d} is the bias), "
            f"got {view.highlighted_weight}"
        )
    if d >= 2 and max(view.boundary_pair) >= d:
        raise SessionError(f"view: boundary_pair must be features 0 to {d - 1}")
    if max(view.landscape_pair) > d:
        raise SessionError(f"view: landscape_pair must be weights 0 to {d}")


def load_dataset(source: DataSource, where: str) -> tuple[Dataset, list[str]]:
    """The session's data: the built-in, or the CSV if its bytes are those saved, else the copy
    embedded in the session (said in a warning); SessionError if neither can be had."""
    from .builtin_datasets import load_builtin

    if source.builtin is not None:
        try:
            return load_builtin(source.builtin), []
        except DataError as error:
            raise SessionError(f"{where}: {error}") from None
    path = source.csv_path or ""
    shown = quoted(path, PATH_LIMIT)
    try:
        digest, _ = _digest(path)
    except OSError as error:
        problem = "is gone" if isinstance(error, FileNotFoundError) else "cannot be read"
        return _embedded(source, where, f"its data file {shown} {problem}")
    if digest != source.sha256:
        return _embedded(
            source, where, f"its data file {shown} has changed since it was saved (SHA-256 differs)"
        )
    return _load(source, path, where), []


def _embedded(source: DataSource, where: str, problem: str) -> tuple[Dataset, list[str]]:
    if source.embedded is None:
        raise SessionError(f"{where}: {visible(problem)}, and the session holds no copy of it")
    text = source.embedded.encode("utf-8")
    if hashlib.sha256(text).hexdigest() != source.sha256:
        raise SessionError(
            f"{where}: {visible(problem)}, and the copy in the session is not that file"
        )
    name = os.path.basename(source.csv_path or "data.csv") or "data.csv"
    with tempfile.TemporaryDirectory(prefix="logsgd-session-") as directory:
        copy = os.path.join(directory, name)
        with open(copy, "wb") as out:
            out.write(text)
        dataset = _load(source, copy, where)
    dataset = replace(dataset, source=visible(source.csv_path or ""))
    return dataset, [f"{where}: {visible(problem)}; using the copy saved in the session"]


def _load(source: DataSource, path: str, where: str) -> Dataset:
    try:
        return load_csv(
            path,
            label=source.label,
            features=None if source.features is None else list(source.features),
            positive=source.positive,
        )
    except DataError as error:
        raise SessionError(f"{where}: its data: {error}") from None


# ---------------------------------------------------------------------------- gathering


def session_of(
    source: DataSource,
    engine: Engine,
    pins: list[tuple[str, Run]] | tuple[tuple[str, Run], ...] = (),
    view: View | None = None,
    quiz: Quiz | None = None,
) -> Session:
    """The session to save: the engine's live run, the pinned runs, the view and the quiz."""
    return Session(
        source=source,
        run=record_of(engine),
        pins=tuple((letter, record_of(run)) for letter, run in pins),
        view=view or View(),
        quiz=quiz or Quiz(),
        dropped=(
            None
            if engine.dropped is None
            else (engine.dropped.parted_at, record_of(engine.dropped.run))
        ),
    )
