"""Generated CSV bytes and command lines through the command's main(): never a traceback, never
an "internal error", exit 0 or 2, one line on error, and no file changed but the one -o names."""

from __future__ import annotations

import io
import os
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from logsgd.tui.cli import main

CONTROL = st.sampled_from(["\x1b[31m", "\x1b]0;T\x1b\\", "\u202e", "\x00", "\x07", "\r"])
MARKUP = st.sampled_from(["[/foo]", "[@click=app.quit]x", "[bold]", "[/]", "[red"])
NUMBERS = st.sampled_from(
    ["0", "1", "-1", "1e308", "1e-308", "5e-324", "1e999", "nan", "inf", "1_0", "１２", "0x10"]
    + ["9" * 400, "", " ", "1.5.2", "-0", "+3", ".5", "7."]
)
CELL = st.one_of(NUMBERS, CONTROL, MARKUP, st.text(max_size=8))


@st.composite
def csv_bytes(draw: st.DrawFn) -> bytes:
    """A CSV-ish file: a header and a few rows of cells, joined by commas, sometimes broken."""
    width = draw(st.integers(2, 4))
    header = [draw(st.one_of(st.text(max_size=6), CONTROL, MARKUP)) for _ in range(width)]
    header = [f"{name}{j}" for j, name in enumerate(header)]  # distinct, mostly
    valid = draw(st.booleans())  # half the files are well formed, so the exports run too
    value = st.floats(-1e6, 1e6, allow_nan=False).map(repr) if valid else CELL
    label = st.sampled_from(["0", "1"]) if valid else CELL
    rows = [
        [draw(value) for _ in range(width - 1)] + [draw(label)]
        for _ in range(draw(st.integers(2 if valid else 0, 8)))
    ]
    text = "\n".join(",".join(cells) for cells in [header, *rows])
    data = text.encode("utf-8", "surrogatepass")
    return draw(st.sampled_from([data, b"\xef\xbb\xbf" + data, data.replace(b"\n", b"\r\n")]))


OPTIONS = st.lists(
    st.one_of(
        st.tuples(
            st.sampled_from(["--lr", "--l2", "--momentum", "--batch-size", "--seed"]), NUMBERS
        ),
        st.tuples(st.sampled_from(["--label", "--features", "--positive", "--init"]), CELL),
        st.tuples(st.sampled_from(["--standardize", "--shuffle", "--all-rows"])),
        st.tuples(st.sampled_from(["--steps", "--epochs"]), st.sampled_from(["0", "1", "3", "x"])),
    ),
    max_size=4,
)


def run_main(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = main(argv)
    return status, out.getvalue(), err.getvalue()


def snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    data=csv_bytes(),
    options=OPTIONS,
    export=st.sampled_from(["text", "markdown", "latex", "jsonl", "summary"]),
    to_file=st.booleans(),
)
def test_any_csv_and_command_line_ends_in_a_result_or_one_clean_line(
    tmp_path_factory: object,
    data: bytes,
    options: list[tuple[str, ...]],
    export: str,
    to_file: bool,
) -> None:
    directory = Path(
        tmp_path_factory.mktemp("fuzz")  # type: ignore[attr-defined]
    )
    path = directory / "data.csv"
    path.write_bytes(data)
    before = snapshot(directory)
    argv = [str(path), "--export", export, *[part for option in options for part in option]]
    output = directory / "out.txt"
    if to_file:
        argv += ["-o", str(output)]
    status, out, err = run_main(argv)
    event(f"exit {status}")
    assert status in (0, 2), (argv, status, err)
    assert "Traceback" not in err and "internal error" not in err, (argv, err)
    if status == 2:
        assert out == "" and err.count("\n") == 1 and err.startswith("logsgd-tui: error: ")
        assert "\x1b" not in err and "\u202e" not in err and "\x00" not in err
    after = snapshot(directory)
    if to_file and status == 0:
        assert output.name in after
        after.pop(output.name)
    assert after == before, "a file other than the one -o names changed"
    assert not [name for name in os.listdir(directory) if name.endswith(".tmp")]
