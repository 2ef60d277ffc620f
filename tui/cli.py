"""The `logsgd-tui` command: parse options, load the data, then open the app or export headless.

Textual is imported only when the app is started, so `--export`, `--list-datasets` and every
error message stay fast and work without a terminal. core (and numpy with it) is imported by
main, after it has turned the garbage collector off for the start-up.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, NoReturn

# These three import no numpy: they are all the command line needs before it knows what to do.
from logsgd.core.files import Ended, OutputError, end_as_signalled
from logsgd.core.formats import FORMATS
from logsgd.core.text import quoted, read_whole, visible, whole_wanted

if TYPE_CHECKING:
    from logsgd.core.dataset import Dataset
    from logsgd.core.engine import Engine
    from logsgd.core.params import Hyperparams, SettingError
    from logsgd.core.quiz import Quiz
    from logsgd.core.scenario import Scenario
    from logsgd.core.session import DataSource, Opened

PROG = "logsgd-tui"
EXIT_USAGE = 2
# What textual-serve sets TEXTUAL_DRIVER to in each app process it starts.
WEB_DRIVER = "textual.drivers.web_driver:WebDriver"

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
        raise UsageError(f"{message} (see {self.prog} --help)")


def _whole(minimum: int) -> argparse._ActionType:
    def parse(text: str) -> int:
        value = read_whole(text)
        if value is None:
            raise argparse.ArgumentTypeError(f"expected {whole_wanted(text)}, got {_shown(text)}")
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    return parse


def _shown(text: str) -> str:
    return quoted(text)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description=(
            "Step through mini-batch SGD of one sigmoid neuron with binary cross-entropy, "
            "every number of the hand calculation on screen. With no arguments: the seed lecture. "
            f"`{PROG} serve --help`: the app in a browser."
        ),
    )
    add_run_options(parser)
    parser.add_argument("--list-datasets", action="store_true", help="list built-in datasets")
    add_scenario_option(parser)
    parser.add_argument("--list-scenarios", action="store_true", help="list built-in scenarios")
    parser.add_argument("--version", action="store_true", help="print the version")
    parser.add_argument(
        "--export",
        choices=FORMATS,
        metavar="FORMAT",
        help=f"run headless and write one of: {', '.join(FORMATS)}",
    )
    parser.add_argument("--steps", type=_whole(0), help="steps to export")
    parser.add_argument("--epochs", type=_whole(0), help="epochs to export (default: one)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the export here (atomically)")
    # Sessions (tui/session_cli.py): one option, kept apart from the others.
    parser.add_argument(
        "--session",
        metavar="FILE",
        help="open a saved session (ctrl+s saves it); a new FILE starts fresh and saves there; "
        "with --export, export the session's run up to its cursor",
    )
    parser.add_argument(
        "--all-rows",
        action="store_true",
        help="text, markdown, LaTeX: every row's prediction after every step (by default, "
        "past 40 rows, those of the batch and of the rows that flipped)",
    )
    return parser


def add_scenario_option(parser: argparse.ArgumentParser) -> None:
    """--scenario (core/scenario.py): the app's and serve's, not add_run_options: the app plays
    a scenario, an export does not."""
    parser.add_argument(
        "--scenario",
        metavar="FILE",
        help="play a lecture prepared as a TOML file of stops, or a built-in (--list-scenarios)",
    )


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """The data and the settings a run starts from: the app's, the export's and serve's."""
    parser.add_argument("data", nargs="?", metavar="DATA.csv", help="a CSV file with a header row")
    parser.add_argument("--dataset", metavar="NAME", help="a built-in dataset (--list-datasets)")
    parser.add_argument("--label", metavar="COL", help="label column (default: the last)")
    parser.add_argument("--features", metavar="A,B", help="feature columns (default: all others)")
    parser.add_argument("--positive", metavar="V", help="label value that is class 1 (one-vs-rest)")
    # The settings are read in resolve_setup, by the readers the edit form uses: one wording.
    parser.add_argument("--lr", metavar="LR", help="learning rate")
    parser.add_argument("--batch-size", metavar="B", help="mini-batch size")
    parser.add_argument(
        "--shuffle",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="shuffle rows each epoch (from --seed and the epoch)",
    )
    parser.add_argument("--seed", metavar="S", help="seed for shuffling")
    parser.add_argument(
        "--init",
        metavar="W0,W1,...,B",
        help="initial weights, one per feature, then the bias",
    )
    parser.add_argument(
        "--standardize",
        action="store_true",
        help="z-score every feature with the data's mean and std",
    )
    parser.add_argument("--l2", metavar="LAMBDA", help="L2 penalty λ (default 0)")
    parser.add_argument("--momentum", metavar="MU", help="momentum μ (default 0)")
    # Quiz mode: in add_run_options, so `serve` passes it to every browser's app too.
    parser.add_argument(
        "--quiz",
        action="store_true",
        help="start in quiz mode: each step's asked numbers are blank until typed (key Q)",
    )
    parser.add_argument(
        "--quiz-ask",
        metavar="WHAT",
        help=(
            "what the quiz asks, comma-separated: f, terms, mean, weights, flips (which rows"
            " flip) (default mean,weights)"
        ),
    )
    parser.add_argument(
        "--quiz-digits",
        type=_whole(1),
        metavar="N",
        help="significant digits an answer must agree to (default 3)",
    )


def _quiz(args: argparse.Namespace) -> Quiz | None:
    """The quiz --quiz asks for, or None; --quiz-ask and --quiz-digits need --quiz."""
    from logsgd.core.quiz import DEFAULT_ASKED, DEFAULT_SIG_DIGITS, Quiz, read_asked

    given = [f for f in ("quiz_ask", "quiz_digits") if getattr(args, f) is not None]
    if given and not args.quiz:
        raise UsageError(f"--{given[0].replace('_', '-')} applies to --quiz; none was given")
    if not args.quiz:
        return None
    if getattr(args, "export", None) is not None:  # serve's options have no --export
        raise UsageError("--quiz applies to the app, not to --export")
    try:
        asked = DEFAULT_ASKED if args.quiz_ask is None else read_asked(args.quiz_ask)
        digits = DEFAULT_SIG_DIGITS if args.quiz_digits is None else args.quiz_digits
        return Quiz(asked=asked, sig_digits=digits)
    except ValueError as error:
        flag = "--quiz-ask" if args.quiz_ask is not None and "expected" in str(error) else ""
        raise UsageError(f"{flag or '--quiz-digits'}: {error}") from None


@dataclass(frozen=True)
class Setup:
    """Everything the command line decided: the data and how to start training on it."""

    dataset: Dataset
    hyperparams: Hyperparams
    initial_weights: list[float] | None
    standardized: bool
    quiz: Quiz | None = None  # start in quiz mode, with these settings
    source: DataSource | None = None  # where the data came from, as a session names it
    scenario: Scenario | None = None  # the lecture played (--scenario)


def _setting_error(error: SettingError) -> UsageError:
    flag = _FLAG_OF_SETTING.get(error.setting or "")
    return UsageError(f"{flag}: {error}" if flag else str(error))


def resolve_setup(args: argparse.Namespace) -> Setup:
    from logsgd.core.builtin_datasets import load_builtin
    from logsgd.core.csvload import load_csv
    from logsgd.core.params import SettingError, read_initial_weights, read_setting

    if args.data is not None and args.dataset is not None:
        raise UsageError("give either a CSV file or --dataset NAME, not both")
    csv_only = [f for f in ("label", "features", "positive") if getattr(args, f) is not None]
    if csv_only and args.data is None:
        raise UsageError(f"--{csv_only[0]} applies to a CSV file; none was given")
    features = None
    if args.data is not None:
        if args.features is not None:
            features = [name.strip() for name in args.features.split(",")]
        from logsgd.tui.headless import Progress, is_terminal

        # A large file takes seconds to read: say how far it is, on a terminal.
        progress = Progress(enabled=is_terminal(sys.stderr))
        progress.phase("reading the file")
        try:
            dataset = load_csv(
                args.data,
                label=args.label,
                features=features,
                positive=args.positive,
                progress=progress.update,
            )
        finally:
            progress.close()
    else:
        dataset = load_builtin("seed" if args.dataset is None else args.dataset)
    changes: dict[str, object] = {} if args.shuffle is None else {"shuffle": args.shuffle}
    initial_weights = None
    try:
        for flag_name, field_name in (
            ("lr", "learning_rate"),
            ("batch_size", "batch_size"),
            ("seed", "seed"),
            ("l2", "l2"),
            ("momentum", "momentum"),
        ):
            text = getattr(args, flag_name)
            if text is not None:
                changes[field_name] = read_setting(field_name, text)
        hp = replace(dataset.hyperparams, **changes).validated(dataset.n_rows)  # type: ignore[arg-type]
        if args.init is not None:
            initial_weights = read_initial_weights(args.init, dataset.n_features).tolist()
    except SettingError as error:
        raise _setting_error(error) from None
    return Setup(
        dataset, hp, initial_weights, bool(args.standardize), _quiz(args), _source(args, features)
    )


def _source(args: argparse.Namespace, features: list[str] | None) -> DataSource:
    """The data as a session file names it (a CSV's bytes hashed, and kept when small)."""
    from logsgd.core.session import builtin_source, csv_source

    if args.data is None:
        return builtin_source("seed" if args.dataset is None else args.dataset)
    try:
        return csv_source(args.data, args.label, features, args.positive)
    except OSError as error:
        raise UsageError(f"{visible(args.data)}: cannot read the file: {error.strerror}") from None


def with_scenario(args: argparse.Namespace) -> Setup:
    """resolve_setup, with the scenario --scenario names: its dataset (unless the command line
    gives one: then both may not), its starting settings (a flag overrides each), checked
    against the data. A bad scenario is a UsageError naming the file, the stop, what is wrong."""
    from logsgd.core.params import SettingError
    from logsgd.core.scenario import ScenarioError, load_scenario

    if args.scenario is None:
        return resolve_setup(args)
    if getattr(args, "export", None) is not None:
        raise UsageError("--scenario applies to the app, not to --export")
    try:
        scenario = load_scenario(args.scenario)
        if scenario.dataset is not None:
            if args.data is not None or args.dataset not in (None, scenario.dataset):
                raise UsageError(
                    f"{scenario.source} plays the dataset {scenario.dataset}: give no other data"
                )
            args.dataset = scenario.dataset
        setup = resolve_setup(args)
        flags = {
            field: flag.lstrip("-").replace("-", "_") for field, flag in _FLAG_OF_SETTING.items()
        }
        flags["shuffle"] = "shuffle"
        start = {k: v for k, v in scenario.settings.items() if getattr(args, flags[k]) is None}
        try:
            hp = replace(setup.hyperparams, **start).validated(setup.dataset.n_rows)  # type: ignore[arg-type]
        except SettingError as error:
            raise ScenarioError(f"{scenario.source}: [scenario] settings: {error}") from None
        scenario.checked(setup.dataset.n_rows, setup.dataset.n_features, hp)
    except ScenarioError as error:
        raise UsageError(str(error)) from None
    standardized = setup.standardized or bool(scenario.standardized)
    return replace(setup, hyperparams=hp, standardized=standardized, scenario=scenario)


def _scenario_listing() -> list[tuple[str, str]]:
    from logsgd.core.scenario import describe_scenarios

    return describe_scenarios()


def _print_listing(rows: list[tuple[str, str]]) -> None:
    width = max(len(name) for name, _ in rows)
    for name, description in rows:
        print(f"{name:<{width}}  {description}")


def make_engine(setup: Setup) -> Engine:
    from logsgd.core.engine import Engine

    return Engine(
        setup.dataset,
        hyperparams=setup.hyperparams,
        initial_weights=setup.initial_weights,
        standardized=setup.standardized,
    )


def run_export(args: argparse.Namespace, setup: Setup) -> int:
    from logsgd.core.export import Options, recorded_events, write_export
    from logsgd.core.files import check_output, opened
    from logsgd.tui import headless

    gc.enable()  # the export's own work: collected as usual (main turned it off)
    if args.steps is not None and args.epochs is not None:
        raise UsageError("give --steps or --epochs, not both")
    # Checked before anything is computed: an output that is the input, read-only, or not a
    # file one may replace is refused at once; so is a run that cannot fit in memory.
    inputs = [args.data] if args.data is not None else []
    output = check_output("-" if args.output is None else args.output, inputs)
    engine = make_engine(setup)
    epochs = 1 if args.epochs is None else args.epochs
    if args.steps is not None:
        flag, steps = f"--steps {args.steps}", args.steps
    else:
        flag, steps = f"--epochs {epochs}", headless.planned_steps(engine, epochs)
    try:
        headless.check_fits(engine, steps, flag)
    except headless.RunTooLarge as error:
        raise UsageError(str(error)) from None
    if output.kind == "stdout" and sys.stdout is None:
        raise UsageError("stdout is closed; write the export to a file with -o FILE")
    progress = headless.Progress(enabled=headless.is_terminal(sys.stderr))
    try:
        headless.run(engine, args.steps, epochs, progress)
        events = (
            None
            if args.export == "summary"
            else headless.reported(recorded_events(engine), engine.cursor, progress)
        )
        # Streamed: every step is written as it is produced, to the temporary file for -o.
        with opened(output, sys.stdout) as out:
            write_export(out, engine, args.export, events, Options(all_rows=args.all_rows))
    finally:
        progress.close()
    return 0


def _is_terminal(stream: object) -> bool:
    """True for a stream that is a terminal; False for a file, a pipe, or a closed stream."""
    try:
        return bool(stream is not None and stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError, OSError):
        return False


def _others_given(args: argparse.Namespace, parser: argparse.ArgumentParser) -> list[str]:
    """The options given besides --version and --list-datasets, as a person typed them."""
    defaults = vars(parser.parse_args([]))
    given = [name for name, value in vars(args).items() if value != defaults[name]]
    names = {"data": "a data file", "output": "-o"}
    return [
        names.get(name, f"--{name.replace('_', '-')}")
        for name in given
        if name not in ("version", "list_datasets", "list_scenarios")
    ]


def run_command(argv: Sequence[str] | None = None) -> int:
    """`serve ...` serves the app to browsers (tui/serve.py); anything else is a run."""
    words = sys.argv[1:] if argv is None else list(argv)
    if words[:1] == ["serve"]:  # a data file named serve: ./serve
        from logsgd.tui.serve import run_serve

        return run_serve(words[1:])
    return run(words)


def _print_information(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """--version, --list-datasets or --list-scenarios: what they print depends on nothing
    else, so another option was meant for a run."""
    others = _others_given(args, parser)
    flag = (
        "--version"
        if args.version
        else "--list-datasets"
        if args.list_datasets
        else "--list-scenarios"
    )
    if others:
        raise UsageError(f"{flag} takes no other options (got {', '.join(others)})")
    if args.version:
        from importlib.metadata import PackageNotFoundError, version  # 35 ms: only here

        try:
            print(f"{PROG} {version('logsgd-tui')}")
        except PackageNotFoundError:
            print(f"{PROG} (not installed)")
    elif args.list_datasets:
        from logsgd.core.builtin_datasets import describe_builtins

        _print_listing(describe_builtins())
    else:
        _print_listing(_scenario_listing())
    return 0


def run(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version or args.list_datasets or args.list_scenarios:
        return _print_information(args, parser)
    export_only = [f for f in ("steps", "epochs", "output") if getattr(args, f) is not None]
    export_only += ["all_rows"] if args.all_rows else []
    if export_only and args.export is None:
        flag = "-o" if export_only[0] == "output" else f"--{export_only[0].replace('_', '-')}"
        raise UsageError(f"{flag} applies to --export; none was given")
    if args.session is not None:  # sessions: tui/session_cli.py
        from logsgd.tui.session_cli import run_session

        if args.scenario is not None:
            raise UsageError("give either --session FILE or --scenario FILE, not both")
        return run_session(args, parser)
    setup = with_scenario(args)
    if args.export is not None:
        return run_export(args, setup)
    return run_app_checked(setup)


def run_app_checked(
    setup: Setup | None, session_path: str | None = None, opened: Opened | None = None
) -> int:
    """The app, if there is a terminal for it: on `setup`, or on the session `opened`."""
    # Textual reads keys from stdin and draws on stderr: `2>log` would draw into the file.
    # Under `serve` (textual-serve's web driver) the three are pipes to the server, as meant.
    served = os.environ.get("TEXTUAL_DRIVER") == WEB_DRIVER
    streams = (sys.stdin, sys.stdout, sys.stderr)
    if not served and not all(_is_terminal(stream) for stream in streams):
        raise UsageError(
            "the app needs a terminal (stdin, stdout and stderr); for output to a file or "
            "pipe, use --export FORMAT"
        )
    from logsgd.tui.app import run_app

    return run_app(setup, session_path=session_path, opened=opened)


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
        return run_command(argv)
    except (UsageError, DataError, OutputError) as error:
        # A path or a value from the command line is shown as text, never as a control code.
        print(f"{PROG}: error: {visible(str(error))}", file=sys.stderr)
        return EXIT_USAGE
    except Ended as ended:  # SIGTERM or SIGHUP during a write: cleaned up, now end as asked
        end_as_signalled(ended.signum)
        return 128 + ended.signum
    except SettingError as error:  # a setting that only the data can refute (engine setup)
        print(f"{PROG}: error: {visible(str(_setting_error(error)))}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except MemoryError:
        print(
            f"{PROG}: error: out of memory: the run needs more than this machine (or its memory "
            "limit) allows; run fewer steps",
            file=sys.stderr,
        )
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader of our stdout went away (e.g. `| head`); that is not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as error:  # noqa: BLE001 - the last line of defence: no traceback to users
        if os.environ.get("LOGSGD_DEBUG"):
            raise
        print(
            f"{PROG}: internal error: {type(error).__name__}: {visible(str(error))}",
            file=sys.stderr,
        )
        return 1
    finally:
        gc.enable()


if __name__ == "__main__":
    sys.exit(main())
