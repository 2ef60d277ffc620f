"""One step's derivation as a document: the app's "Export step" and "Copy step".

The document is `export.render` of that one step: the header (the data, the step's settings),
the step, the footer. So its step is, byte for byte, the step that `logsgd-tui --export FORMAT
--steps K` writes last, and the screen, the file and the clipboard cannot disagree. The format
comes from the file name's extension; the file is written through `files` (atomic, never over
the input, a directory or a read-only file).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence

from .engine import Engine
from .events import StepEvent
from .export import render
from .files import Output, OutputError, check_output, opened
from .text import quoted

# The formats a step is written in, by the extension of the file's name.
STEP_FORMATS = {".txt": "text", ".md": "markdown", ".tex": "latex"}
EXTENSION_OF = {format_name: ext for ext, format_name in STEP_FORMATS.items()}
DEFAULT_FORMAT = "markdown"
# Longer than any path a person types; the field takes no more either.
PATH_MAX_LENGTH = 1000
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9_-]+")


def step_document(engine: Engine, format_name: str, event: StepEvent) -> str:
    """The derivation of `event`'s step (step >= 1) as a whole document in `format_name`."""
    if event.step == 0:
        raise ValueError("step 0 has no derivation: no batch has run")
    return render(engine, format_name, [event])


def default_name(dataset_name: str, step: int, format_name: str = DEFAULT_FORMAT) -> str:
    """seed-step-2.md: the data's name (letters, digits, - and _ only), the step, the format."""
    stem = _UNSAFE_IN_NAME.sub("-", dataset_name).strip("-")[:40] or "data"
    return f"{stem}-step-{step}{EXTENSION_OF[format_name]}"


def format_of(path: str) -> str:
    """The format a file name asks for by its extension; OutputError if it names none."""
    ext = os.path.splitext(path)[1].lower()
    found = STEP_FORMATS.get(ext)
    if found is None:
        raise OutputError(
            f"{quoted(path)}: the name must end in .txt (text), .md (markdown) or .tex (LaTeX)"
        )
    return found


def checked_output(path: str, inputs: Sequence[str] = ()) -> tuple[Output, str]:
    """Where a typed file name writes, and in which format; OutputError (one line) if not.

    Refused besides what `files.check_output` refuses: an empty name, "-" (stdout is the
    terminal the app draws on), a name with control characters (a file called ESC[2J), one
    longer than PATH_MAX_LENGTH, and an extension that is not a step format's.
    """
    if not path.strip():
        raise OutputError("the file name is empty: type one, e.g. seed-step-1.md")
    if len(path) > PATH_MAX_LENGTH:
        raise OutputError(f"the file name is too long: {len(path):,} characters")
    if _CONTROL.search(path):
        raise OutputError(f"{quoted(path)}: a file name cannot hold control characters")
    if path.strip() == "-":
        raise OutputError("'-' is the terminal the app draws on: type a file name")
    format_name = format_of(path)
    try:
        output = check_output(os.path.expanduser(path), inputs)
    except (ValueError, OSError) as error:  # a name the system cannot take
        raise OutputError(f"{quoted(path)}: cannot write there: {error}") from None
    if output.kind == "stdout":  # pragma: no cover - refused above
        raise OutputError("'-' is the terminal the app draws on: type a file name")
    return output, format_name


def write_document(output: Output, text: str) -> None:
    """Write `text` to `output` atomically (files.opened); OutputError says why it failed."""
    with opened(output, sys.stdout) as out:
        out.write(text)
