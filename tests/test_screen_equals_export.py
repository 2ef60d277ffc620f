"""What the panels show for a step is what the text export writes for it, number for number.

Both render the one derivation of `logsgd.core.derivation`; this test reads the app's batch and
gradient panels (every line, on screen or scrolled away) and the text export of the same step,
and checks that every equation on screen is an equation of the export, and that every number
on screen appears in the export in the same order.
"""

from __future__ import annotations

import asyncio
import re

import numpy as np
import pytest

from logsgd.core import Dataset, Engine, Hyperparams
from logsgd.core.builtin_datasets import load_builtin
from logsgd.core.export import render
from logsgd.tui.app import LogSGDApp
from logsgd.tui.rowtable import RowTable

# A number as written on screen and in exports; digits inside a symbol (w0, x1, z3) are not.
NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e[+-]\d+)?(?![\w.])")
# A line that continues the equation above it.
CONTINUATION = ("=", "+", "- ", "<-")
ASCII = {"σ": "sigma", "λ": "lambda", "μ": "mu", "∂L/∂w": "dL/dw", "≈": "~", "…": "..."}


# What a panel says about how much it lists, not a number of the derivation.
COUNTS = re.compile(
    r"\(\d+ rows\)|\(the \d+ largest of \d+ terms|the other \d+ rows|\([\d,]+ more\)"
    r"|the \d+ largest \(in size\) of [\d,]+ gradients"
)
# A short z on screen: "z1 = ... = (w0) * x1 + (w1) * x2 + ... (27 more) + (w29) * x30 + ...".
LEFT_OUT = re.compile(r" \+ \.\.\. \(([\d,]+) more\) \+ ")


def numbers(lines: list[str]) -> list[str]:
    return [m.group(0) for line in lines for m in NUMBER.finditer(COUNTS.sub("", line))]


def is_subsequence(small: list[str], big: list[str]) -> bool:
    remaining = iter(big)
    return all(any(item == other for other in remaining) for item in small)


def equations(lines: list[str]) -> list[str]:
    """Equations, each on one line with single spaces: continuation lines joined, marks and
    side-by-side equations ("f1 = ...    loss1 = ...") split, Unicode symbols in ASCII."""
    joined: list[str] = []
    for line in lines:
        text = line.replace("◀", "").rstrip()
        for unicode, ascii in ASCII.items():
            text = text.replace(unicode, ascii)
        if joined and text.strip().startswith(CONTINUATION):
            joined[-1] += " " + text.strip()
        else:
            joined.extend(part for part in re.split(r"\s{4,}", text.strip()) if part)
    return [" ".join(line.split()) for line in joined if " = " in line or " <- " in line]


def written_short(shown: str, exported: set[str]) -> bool:
    """Whether `shown` is an equation of the export with products left out: its text before
    the ellipsis starts the export's equation, its text after ends it, and between them the
    export writes as many products as the ellipsis says."""
    match = LEFT_OUT.search(shown)
    if match is None:
        return False
    head, tail = shown[: match.start()], shown[match.end() :]
    left_out = int(match.group(1).replace(",", ""))
    for full in exported:
        if full.startswith(f"{head} + ") and full.endswith(f" + {tail}"):
            middle = full[len(head) + 3 : len(full) - len(tail) - 3]
            products = middle.split(" + ")
            if len(products) == left_out and all(" * " in p for p in products):
                return True
    return False


def lhs_and_result(equation: str) -> tuple[str, str]:
    """'g0 = (60.50 + 57.00) / 2 = 58.75' -> ('g0', '58.75')."""
    lhs = re.split(r" = | <- ", equation, maxsplit=1)[0]
    return lhs, equation.rsplit(" = ", 1)[-1]


def step_section(export: str, step: int) -> list[str]:
    """The export's lines for one step, from its title to the next step's."""
    lines = export.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"Step {step} "))
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("Step ")), None)
    return lines[start:end]


def panel_lines(app: LogSGDApp, table_id: str) -> list[str]:
    """Every line of a panel's text below its caption (the caption says where the run is)."""
    table = app.query_one(f"#{table_id}", RowTable)
    return table.lines()[len(table._header) :]


def check_step(app: LogSGDApp, engine: Engine, step: int) -> None:
    export = step_section(render(engine, "text", [engine.event_at(step)]), step)
    weights_at = next(i for i, line in enumerate(export) if "the gradient and the update" in line)
    batch = panel_lines(app, "batch-body")
    gradients = panel_lines(app, "gradients-body")
    exported = set(equations(export))
    results = {lhs_and_result(equation) for equation in exported}
    for shown in equations(batch) + equations(gradients):
        if shown.startswith("the other ") or re.search(r"\bx\d+=", shown):
            # "the other 12 rows, z = w.x as above:", or a row's data (or a wrapped part of
            # it, "x5=-15.05 y6 = 1"): not equations
            continue
        if shown.startswith("row "):  # a further row of a large batch: "row 9 z9 = -0.3"
            shown = shown.split(" ", 2)[2]
        elif shown.count(" = ") > 1 or " <- " in shown or not shown.startswith(("f", "loss")):
            assert shown in exported or written_short(shown, exported), (
                f"step {step}: {shown!r} is not in the export"
            )
            continue
        # A short form (lhs = result, for the further rows of a large batch), or in full.
        assert shown in exported or lhs_and_result(shown) in results, (step, shown)
    assert is_subsequence(numbers(batch), numbers(export[:weights_at])), (step, batch)
    assert is_subsequence(numbers(gradients), numbers(export[weights_at:])), (step, gradients)
    check_predictions_and_status(app, export, step)


def check_predictions_and_status(app: LogSGDApp, export: list[str], step: int) -> None:
    """Each row's f after the step, and the full-data loss, as the export writes them."""
    written = {}
    for line in export:
        match = re.match(r"\s+row (\d+): z = \S+, f = (.+), y = \S+$", line)
        if match:
            written[int(match.group(1))] = match.group(2)
    assert written, export
    table = app.query_one("#predictions-table", RowTable)
    for line in table.lines()[len(table._header) :]:
        cells = line.replace("▶", " ").split()
        row = int(cells[0])
        if row in written:  # past 40 rows the export lists the batch's and the flipped ones
            # After the verdict marks: f after, then (if it fits) f before, 2+ spaces apart.
            tail = re.split(r"[✓✗] [⇄ ]", line, maxsplit=1)[1]
            f_after = re.split(r"\s{2,}", tail.strip())[0]
            assert written[row].replace("~", "≈") == f_after, (step, row, line)
    loss = next(line for line in export if "full-data loss:" in line).rsplit(" ", 1)[-1]
    assert f"loss {loss}" in str(app.query_one("#status-text").render()), (step, loss)


def run_and_compare(engine: Engine, steps: int) -> int:
    """Step `steps` times with →, comparing the screen with the export after each step."""
    compared = 0

    async def scenario() -> None:
        nonlocal compared
        app = LogSGDApp(engine)
        async with app.run_test(size=(220, 90)) as pilot:
            await pilot.pause()
            for step in range(1, steps + 1):
                await pilot.press("right")
                await pilot.pause()
                assert app.state is not None and app.state.event.step == step
                check_step(app, engine, step)
                compared += 1

    asyncio.run(scenario())
    return compared


def test_the_seed_lecture_on_screen_is_its_export() -> None:
    assert run_and_compare(Engine(load_builtin("seed")), 6) == 6


@pytest.mark.parametrize(
    ("n", "d", "batch_size", "seed"),
    [(12, 3, 3, 0), (40, 2, 20, 1), (30, 5, 1, 2)],
)
def test_random_data_with_l2_and_momentum_on_screen_is_its_export(
    n: int, d: int, batch_size: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    dataset = Dataset(
        name="random",
        description="",
        feature_names=tuple(f"feature_{j}" for j in range(d)),
        label_name="label",
        features=rng.normal(size=(n, d)) * 10.0 ** rng.integers(-3, 3, size=d),
        labels=(rng.random(n) < 0.5).astype(np.float64),
    )
    hp = Hyperparams(0.3, batch_size, shuffle=True, seed=seed, l2=0.05, momentum=0.8)
    assert run_and_compare(Engine(dataset, hp), 5) == 5


def test_the_comparison_notices_a_number_that_differs() -> None:
    # The check can fail: a panel line with one digit changed is not an equation of the export.
    engine = Engine(load_builtin("seed"))
    engine.run_steps(1)
    export = step_section(render(engine, "text"), 1)
    shown = ["  g0 = (60.50 + 57.00) / 2 = 58.76"]
    assert equations(shown)[0] not in set(equations(export))
    assert equations(["  g0 = (60.50 + 57.00) / 2 = 58.75"])[0] in set(equations(export))
    assert not is_subsequence(["58.76"], numbers(export))


def test_a_short_z_matches_only_the_export_equation_it_shortens() -> None:
    full = (
        "z1 = w0*x1 + w1*x2 + ... + w4*x5 + w5 = 1 * 2 + 3 * 4 + 5 * 6 + 7 * 8 + 9 * 10 + 11 = 12"
    )
    exported = {full}
    head = "z1 = w0*x1 + w1*x2 + ... + w4*x5 + w5 = 1 * 2 + 3 * 4"
    assert written_short(f"{head} + ... (2 more) + 9 * 10 + 11 = 12", exported)
    assert not written_short(f"{head} + ... (3 more) + 9 * 10 + 11 = 12", exported)
    assert not written_short(f"{head} + ... (2 more) + 9 * 11 + 11 = 12", exported)
    assert written_short(f"{head} + ... (1 more) + 7 * 8 + 9 * 10 + 11 = 12", exported)
