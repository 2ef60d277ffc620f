"""Export step (E) and Copy step (C): the step on screen as a document, to a file or the clipboard.

The document is `core.stepexport.step_document`, the `--export` rendering of that one step;
this module asks for the file's name (the names form) and says where the document went.
"""

from __future__ import annotations

from logsgd.core.engine import Engine
from logsgd.core.events import StepEvent
from logsgd.core.files import Output, OutputError
from logsgd.core.params import SettingError
from logsgd.core.stepexport import (
    DEFAULT_FORMAT,
    PATH_MAX_LENGTH,
    checked_output,
    default_name,
    step_document,
    write_document,
)
from logsgd.core.text import visible
from logsgd.tui.screens.names import NamesScreen

# What Copy step puts on the clipboard: plain text reads the same wherever it is pasted.
COPY_FORMAT = "text"
# OSC 52 carries the text base64-encoded in one escape sequence; terminals cap it (xterm at
# about 100 kB, tmux by its buffer limits), so past this a file is the way.
COPY_MAX_CHARACTERS = 100_000
NO_STEP = "step 0 has no derivation yet: → runs the first batch"
OSC52_CAVEAT = "copied with OSC 52: your terminal must allow clipboard writes"

StepOutput = tuple[Output, str]


def data_inputs(engine: Engine) -> list[str]:
    """The files the run reads (a CSV's path): an export must never be written over them."""
    source = engine.dataset.source
    return [] if source == "built-in" else [source]


def export_form(engine: Engine, event: StepEvent) -> NamesScreen[StepOutput]:
    """The form asking where to write the step: a name with its extension, checked in place
    (a bad name gets one line and the form stays)."""
    inputs = data_inputs(engine)

    def read(text: str) -> StepOutput:
        try:
            return checked_output(text.strip(), inputs)
        except OutputError as error:
            raise SettingError(str(error)) from None

    return NamesScreen(
        f"Export step {event.step}",
        (default_name(engine.dataset.name, event.step, DEFAULT_FORMAT),),
        read,
        "The extension picks the format: .txt text, .md markdown, .tex LaTeX (the same as"
        " logsgd-tui --export FORMAT writes for this step). Written atomically; relative to"
        " the working directory.",
        labels=("file",),
        max_length=PATH_MAX_LENGTH,
        button="Export",
    )


def write_step(engine: Engine, event: StepEvent, chosen: StepOutput) -> str:
    """Write the step's document where the form said; the notice: where it went, or why not."""
    output, format_name = chosen
    text = step_document(engine, format_name, event)
    try:
        write_document(output, text)
    except OutputError as error:
        return f"step {event.step} not exported: {visible(str(error))}"
    return (
        f"step {event.step} exported as {format_name} ({len(text):,} characters) to "
        f"{visible(output.target)}"
    )


def copy_document(engine: Engine, event: StepEvent) -> tuple[str | None, str]:
    """The text Copy step puts on the clipboard (None: nothing to copy), and its notice."""
    if event.step == 0:
        return None, f"nothing copied: {NO_STEP}"
    text = step_document(engine, COPY_FORMAT, event)
    if len(text) > COPY_MAX_CHARACTERS:
        return None, (
            f"step {event.step} not copied: {len(text):,} characters are more than terminals"
            " take over OSC 52; E exports it to a file"
        )
    lines = text.count("\n")
    return text, f"step {event.step} ({lines} lines of {COPY_FORMAT}) {OSC52_CAVEAT}"
