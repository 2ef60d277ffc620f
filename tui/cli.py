"""The `logsgd-tui` command: parse options, load the data, then open the app or export headless.

Textual is imported only when the app is started, so `--export`, `--list-datasets` and every
error message stay fast and work without a terminal. core (and numpy with it) is imported by
main, after it has turned the garbage collector off for the start-up.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, NoReturn, overload

if TYPE_CHECKING:
    from logsgd.core.dataset import Dataset
    from logsgd.core.engine import Engine
    from logsgd.core.params import Hyperparams, SettingError

PROG = "logsgd-tui"
EXIT_USAGE = 2

# Which command-line flag sets which setting, so a rejected value names the flag typed.
_FLAG_OF_SETTING = {
    "learning_rate": "--lr",
    "batch_size": "--batch-size",
    "seed": "--seed",
    "l2": "--l2",
    "momentum": "--momentum",
    "initial_weights": "--init",
    "standardized": "--standardize",
}


class UsageError(Exception):
    """A bad command line or bad data: one line on stderr, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # argparse prints a usage block and the error on two lines; one line says it all.
        raise UsageError(f"{message} (see {PROG} --help)")


def _number() -> argparse._ActionType:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
        return value

    return parse


def _whole(minimum: int) -> argparse._ActionType:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    return parse


def _weights(text: str) -> list[float]:
    parts = [p.strip() for p in text.split(",")]
    values: list[float] = []
    for i, part in enumerate(parts):
        try:
            values.append(float(part))
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"initial weight w{i} ({part!r}) is not a number"
            ) from None
    return values


class _ExportFormats(Sequence[str]):
    """The formats of core.export, read from there only when asked for.

    argparse asks `choices` only to check a given --export value, to list them in --help or
    in an error: core.export (and json with it) is then imported, never for the app's first
    frame.
    """

    def _formats(self) -> tuple[str, ...]:
        from logsgd.core.export import FORMATS

        return FORMATS

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        return self._formats()[index]

    def __len__(self) -> int:
        return len(self._formats())


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description=(
            "Step through mini-batch SGD of one sigmoid neuron with binary cross-entropy, "
            "every number of the hand calculation on screen. With no arguments: the seed lecture."
        ),
    )
    parser.add_argument("data", nargs="?", metavar="DATA.csv", help="a CSV file with a header row")
    parser.add_argument("--dataset", metavar="NAME", help="a built-in dataset (--list-datasets)")
    parser.add_argument("--label", metavar="COL", help="label column (default: the last)")
    parser.add_argument("--features", metavar="A,B", help="feature columns (default: all others)")
    parser.add_argument("--positive", metavar="V", help="label value that is class 1 (one-vs-rest)")
    parser.add_argument("--lr", type=_number(), help="learning rate")
    parser.add_argument("--batch-size", type=_whole(1), help="mini-batch size")
    parser.add_argument(
        "--shuffle",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="shuffle rows each epoch (from --seed and the epoch)",
    )
    parser.add_argument("--seed", type=_whole(0), help="seed for shuffling")
    parser.add_argument(
        "--init",
        type=_weights,
        metavar="W0,W1,...,B",
        help="initial weights, one per feature, then the bias",
    )
    parser.add_argument(
        "--standardize",
        action="store_true",
        help="z-score every feature with the data's mean and std",
    )
    parser.add_argument("--l2", type=_number(), help="L2 penalty lambda (default 0)")
    parser.add_argument("--momentum", type=_number(), help="momentum mu (default 0)")
    parser.add_argument("--list-datasets", action="store_true", help="list built-in datasets")
    parser.add_argument("--version", action="store_true", help="print the version")
    parser.add_argument(
        "--export",
        choices=_ExportFormats(),
        metavar="FORMAT",
        help="run headless and write one of: %(choices)s",
    )
    parser.add_argument("--steps", type=_whole(0), help="steps to export")
    parser.add_argument("--epochs", type=_whole(0), help="epochs to export (default: one)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the export here (atomically)")
    return parser


@dataclass(frozen=True)
class Setup:
    """Everything the command line decided: the data and how to start training on it."""

    dataset: Dataset
    hyperparams: Hyperparams
    initial_weights: list[float] | None
    standardized: bool


def _setting_error(error: SettingError) -> UsageError:
    flag = _FLAG_OF_SETTING.get(error.setting or "")
    return UsageError(f"{flag}: {error}" if flag else str(error))


def resolve_setup(args: argparse.Namespace) -> Setup:
    from logsgd.core.builtin_datasets import load_builtin
    from logsgd.core.csvload import load_csv
    from logsgd.core.params import SettingError, validate_initial_weights

    if args.data is not None and args.dataset is not None:
        raise UsageError("give either a CSV file or --dataset NAME, not both")
    csv_only = [f for f in ("label", "features", "positive") if getattr(args, f) is not None]
    if csv_only and args.data is None:
        raise UsageError(f"--{csv_only[0]} applies to a CSV file; none was given")
    if args.data is not None:
        features = None
        if args.features is not None:
            features = [name.strip() for name in args.features.split(",")]
        dataset = load_csv(args.data, label=args.label, features=features, positive=args.positive)
    else:
        dataset = load_builtin("seed" if args.dataset is None else args.dataset)
    hp = dataset.hyperparams
    changes: dict[str, object] = {}
    for flag_name, field_name in (
        ("lr", "learning_rate"),
        ("batch_size", "batch_size"),
        ("shuffle", "shuffle"),
        ("seed", "seed"),
        ("l2", "l2"),
        ("momentum", "momentum"),
    ):
        value = getattr(args, flag_name)
        if value is not None:
            changes[field_name] = value
    try:
        hp = replace(hp, **changes).validated(dataset.n_rows)  # type: ignore[arg-type]
        if args.init is not None:
            validate_initial_weights(args.init, dataset.n_features)
    except SettingError as error:
        raise _setting_error(error) from None
    return Setup(dataset, hp, args.init, bool(args.standardize))


def make_engine(setup: Setup) -> Engine:
    from logsgd.core.engine import Engine

    return Engine(
        setup.dataset,
        hyperparams=setup.hyperparams,
        initial_weights=setup.initial_weights,
        standardized=setup.standardized,
    )


def run_export(args: argparse.Namespace, setup: Setup) -> int:
    from logsgd.core.export import render
    from logsgd.core.files import atomic_write_text

    gc.enable()  # the export's own work: collected as usual (main turned it off)
    if args.steps is not None and args.epochs is not None:
        raise UsageError("give --steps or --epochs, not both")
    engine = make_engine(setup)
    if args.steps is not None:
        engine.run_steps(args.steps)
    else:
        engine.run_epochs(1 if args.epochs is None else args.epochs)
    text = render(engine, args.export)
    if args.output:
        try:
            atomic_write_text(args.output, text)
        except OSError as error:
            reason = error.strerror or str(error)
            raise UsageError(f"{args.output}: cannot write the export: {reason}") from None
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    return 0


def _is_terminal(stream: object) -> bool:
    """True for a stream that is a terminal; False for a file, a pipe, or a closed stream."""
    try:
        return bool(stream is not None and stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError, OSError):
        return False


def run(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.version:
        from importlib.metadata import PackageNotFoundError, version  # 35 ms: only here

        try:
            print(f"{PROG} {version('logsgd-tui')}")
        except PackageNotFoundError:
            print(f"{PROG} (not installed)")
        return 0
    if args.list_datasets:
        from logsgd.core.builtin_datasets import describe_builtins

        rows = describe_builtins()
        width = max(len(name) for name, _ in rows)
        for name, description in rows:
            print(f"{name:<{width}}  {description}")
        return 0
    export_only = [f for f in ("steps", "epochs", "output") if getattr(args, f) is not None]
    if export_only and args.export is None:
        flag = "-o" if export_only[0] == "output" else f"--{export_only[0]}"
        raise UsageError(f"{flag} applies to --export; none was given")
    setup = resolve_setup(args)
    if args.export is not None:
        return run_export(args, setup)
    if not (_is_terminal(sys.stdin) and _is_terminal(sys.stdout)):
        raise UsageError(
            "the app needs a terminal (stdin and stdout); for output to a file or pipe, "
            "use --export FORMAT"
        )
    from logsgd.tui.app import run_app

    return run_app(setup)


def main(argv: Sequence[str] | None = None) -> int:
    """Console-script entry point: every failure ends in one line on stderr, never a traceback."""
    # Start-up makes objects that all live on (modules, classes, the data, the app's widgets):
    # collections find nothing among them, and walking them cost the first frame ~5 ms. The
    # collector is off from here until the app has drawn its first frame (it freezes them and
    # turns it back on) or an export starts its work; and on again at the end in any case.
    gc.disable()
    from logsgd.core.csvload import DataError
    from logsgd.core.params import SettingError

    try:
        return run(argv)
    except (UsageError, DataError) as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except SettingError as error:  # a setting that only the data can refute (engine setup)
        print(f"{PROG}: error: {_setting_error(error)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader of our stdout went away (e.g. `| head`); that is not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as error:  # noqa: BLE001 - the last line of defence: no traceback to users
        if os.environ.get("LOGSGD_DEBUG"):
            raise
        print(f"{PROG}: internal error: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    finally:
        gc.enable()


if __name__ == "__main__":
    sys.exit(main())
