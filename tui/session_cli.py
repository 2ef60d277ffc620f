"""`logsgd-tui --session FILE`: open a saved session in the app, or export its run headless."""

from __future__ import annotations

import argparse
import gc
import os
import sys

from logsgd.tui.cli import PROG, UsageError

# The options that say what data and settings a run starts from: a saved session says that.
_RUN_OPTIONS = (
    "data",
    "dataset",
    "label",
    "features",
    "positive",
    "lr",
    "batch_size",
    "shuffle",
    "seed",
    "init",
    "standardize",
    "l2",
    "momentum",
    "quiz",
    "quiz_ask",
    "quiz_digits",
)


def _given_run_options(args: argparse.Namespace, parser: argparse.ArgumentParser) -> list[str]:
    defaults = vars(parser.parse_args([]))
    return [
        "a data file" if name == "data" else f"--{name.replace('_', '-')}"
        for name in _RUN_OPTIONS
        if getattr(args, name) != defaults[name]
    ]


def run_session(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Open the session (replayed), then the app on it or its export; a FILE that does not
    exist starts the app fresh (from the command line's data and settings) and saves there."""
    from logsgd.core.session import SessionError, open_session

    path: str = args.session
    exists = os.path.lexists(path)
    if not exists and args.export is None:
        from logsgd.tui.cli import resolve_setup, run_app_checked

        return run_app_checked(resolve_setup(args), session_path=path)
    given = _given_run_options(args, parser)
    if given:
        raise UsageError(
            f"--session takes the data and settings from the session file; {given[0]} cannot "
            "be given with it"
        )
    try:
        opened = open_session(path)
    except SessionError as error:
        raise UsageError(str(error)) from None
    except MemoryError:
        raise UsageError(f"{path}: the session's runs do not fit in memory") from None
    for warning in opened.warnings:
        print(f"{PROG}: warning: {warning}", file=sys.stderr)
    if args.export is not None:
        return _export(args, opened)
    from logsgd.tui.cli import run_app_checked

    return run_app_checked(None, session_path=path, opened=opened)


def _export(args: argparse.Namespace, opened: object) -> int:
    """The session's run, steps 1 to its cursor, as the app showed it."""
    from logsgd.core.export import Options, recorded_events, write_export
    from logsgd.core.files import check_output
    from logsgd.core.files import opened as opened_output
    from logsgd.core.session import Opened

    assert isinstance(opened, Opened)
    gc.enable()
    for flag in ("steps", "epochs"):
        if getattr(args, flag) is not None:
            raise UsageError(
                f"--{flag} applies to a run started from the command line; --session exports "
                "the session's steps up to its cursor"
            )
    output = check_output("-" if args.output is None else args.output, [args.session])
    if output.kind == "stdout" and sys.stdout is None:
        raise UsageError("stdout is closed; write the export to a file with -o FILE")
    engine = opened.engine
    with opened_output(output, sys.stdout) as out:
        write_export(
            out, engine, args.export, recorded_events(engine), Options(all_rows=args.all_rows)
        )
    return 0
