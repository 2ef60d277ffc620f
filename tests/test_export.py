"""Exports: the seed lecture's numbers in every format, exact JSON, valid LaTeX, safe writes."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logsgd.core import Dataset, Engine, Hyperparams, SettingError
from logsgd.core.builtin_datasets import builtin_names, load_builtin
from logsgd.core.export import (
    FORMATS,
    JSONL_KEYS,
    SUMMARY_KEYS,
    Options,
    latex_escape,
    recorded_events,
    render,
    write_export,
)
from logsgd.core.files import check_output, opened
from logsgd.core.formatting import fmt


def seed_engine(steps: int = 2, **hyperparams: Any) -> Engine:
    """The seed lecture (built inline: rows, labels, lr 0.01, batch 2, weights near 0)."""
    dataset = Dataset(
        name="seed",
        description="The hand-worked lecture exercise: four rows, two features.",
        feature_names=("x1", "x2"),
        label_name="y",
        features=np.array([[121.0, 14.8], [114.0, 15.2], [210.0, 9.4], [198.0, 8.1]]),
        labels=np.array([0.0, 0.0, 1.0, 1.0]),
        hyperparams=Hyperparams(learning_rate=0.01, batch_size=2),
        initial_weights=(1e-8, -1e-8, 1e-8),
    )
    engine = Engine(
        dataset, hyperparams=Hyperparams(0.01, 2, **hyperparams) if hyperparams else None
    )
    engine.run_steps(steps)
    return engine


def wide_engine(n: int = 12, d: int = 30, steps: int = 3, **options: Any) -> Engine:
    """A breast-cancer-like run: 30 features with underscores in their names, mixed scales."""
    rng = np.random.default_rng(7)
    scales = 10.0 ** rng.integers(-3, 4, size=d)
    features = np.round(rng.normal(1.0, 0.3, size=(n, d)) * scales, 4)
    labels = (np.arange(n) % 2).astype(np.float64)
    dataset = Dataset(
        name="breast_cancer_like",
        description="30 features spanning orders of magnitude; 100% synthetic",
        feature_names=tuple(f"mean_feature_{j + 1}" for j in range(d)),
        label_name="diagnosis",
        features=features,
        labels=labels,
        class_names=("benign", "malignant"),
        hyperparams=Hyperparams(learning_rate=0.01, batch_size=5),
    )
    engine = Engine(dataset, **options)
    engine.run_steps(steps)
    return engine


def matches_written(actual: float, written: str) -> bool:
    """actual rounds to the lecture's written number: within half a unit of its last digit."""
    exponent = Decimal(written).as_tuple().exponent
    assert isinstance(exponent, int)
    return abs(actual - float(written)) <= 0.5 * 10.0**exponent * (1 + 1e-9)


def same_bits(a: float, b: float) -> bool:
    return float(a).hex() == float(b).hex()


# ---------------------------------------------------------------------------- jsonl


def test_jsonl_has_exactly_the_listed_keys_in_order() -> None:
    records = [json.loads(line) for line in render(seed_engine(), "jsonl").splitlines()]
    assert len(records) == 2
    for record in records:
        assert list(record) == list(JSONL_KEYS)
    assert list(JSONL_KEYS) == [
        "step",
        "epoch",
        "batch",
        "indices",
        "lr",
        "weights_before",
        "predictions",
        "terms",
        "gradient",
        "weights_after",
        "loss_before",
        "loss_after",
        "accuracy_after",
        "predictions_after",
    ]


def test_jsonl_reproduces_the_seed_lecture() -> None:
    first, second = (json.loads(line) for line in render(seed_engine(), "jsonl").splitlines())
    assert (first["step"], first["epoch"], first["batch"]) == (1, 1, 1)
    assert (second["step"], second["epoch"], second["batch"]) == (2, 1, 2)
    assert first["indices"] == [0, 1] and second["indices"] == [2, 3]  # 0-based
    assert first["lr"] == 0.01
    assert first["weights_before"] == [1e-8, -1e-8, 1e-8]
    lecture_step_1 = {
        "predictions": ["0.50000027", "0.50000025"],
        "gradient": ["58.750030", "7.5000039", "0.50000026"],
        "weights_after": ["-0.58750029", "-0.075000049", "-0.0049999926"],
        "predictions_after": ["4.3938e-32", "2.6052e-30", "1.2899e-54", "1.6393e-51"],
    }
    for key, written in lecture_step_1.items():
        assert len(first[key]) == len(written)
        for value, text in zip(first[key], written, strict=True):
            assert matches_written(value, text), (key, value, text)
    terms = [["60.500032", "7.4000040", "0.50000027"], ["57.000028", "7.6000038", "0.50000025"]]
    for row, written_row in zip(first["terms"], terms, strict=True):
        assert all(matches_written(v, t) for v, t in zip(row, written_row, strict=True))
    assert matches_written(first["loss_before"], "0.69314695")
    assert matches_written(first["loss_after"], "60.255655")
    assert first["accuracy_after"] == 0.5

    assert second["terms"] == [[-210.0, -9.4, -1.0], [-198.0, -8.1, -1.0]]
    assert second["gradient"] == [-204.0, -8.75, -1.0]
    for value, text in zip(
        second["weights_after"], ["1.4524997", "0.012499951", "0.0050000074"], strict=True
    ):
        assert matches_written(value, text)
    assert second["predictions_after"] == [1.0, 1.0, 1.0, 1.0]
    assert matches_written(second["loss_after"], "85.430607")


def test_jsonl_floats_round_trip_bit_for_bit() -> None:
    engine = seed_engine(steps=7, l2=0.1, momentum=0.9)
    lines = render(engine, "jsonl").splitlines()
    assert len(lines) == 7
    for k, line in enumerate(lines, start=1):
        record = json.loads(line)
        event = engine.event_at(k)
        pairs: list[tuple[Any, Any]] = [
            (record["weights_before"], event.weights_before),
            (record["predictions"], event.f),
            (record["terms"], event.terms),
            (record["gradient"], event.gradient),  # the total gradient, L2 included
            (record["weights_after"], event.weights_after),
            (record["predictions_after"], event.predictions_after),
        ]
        for from_json, from_engine in pairs:
            flat = np.asarray(from_json, dtype=np.float64).ravel()
            assert all(same_bits(a, b) for a, b in zip(flat, np.ravel(from_engine), strict=True))
        assert same_bits(record["loss_before"], event.loss_before)
        assert same_bits(record["loss_after"], event.loss_after)
        assert record["indices"] == [int(r) for r in event.rows]


# ---------------------------------------------------------------------------- text


def test_text_writes_the_lecture_derivation() -> None:
    text = render(seed_engine(), "text")
    for line in [
        "features standardized: no",
        "Step 1 (epoch 1, batch 1 of 2): rows 1, 2; learning rate 0.01, batch size 2",
        "z1 = w0*x1 + w1*x2 + w2 = 1.000e-08 * 121 + (-1.000e-08) * 14.8 + 1.000e-08 = 1.072e-06",
        "f1 = sigma(z1) = 0.5000003",  # 0.50000027: the digits that tell it is above 0.5
        "loss1 = -log(1 - f1) = 0.6931",
        "f1 - y1 = 0.5000003 - 0 = 0.5000003",
        "w0 (x1):",
        "(f1 - y1) * x1 = 0.5000003 * 121 = 60.50",
        "(f2 - y2) * x1 = 0.5000002 * 114 = 57.00",
        "g0 = (60.50 + 57.00) / 2 = 58.75",
        "w0 <- w0 - lr * g0 = 1.000e-08 - 0.01 * 58.75 = -0.5875",
        "w1 <- w1 - lr * g1 = -1.000e-08 - 0.01 * 7.500 = -0.07500",
        "w2 (bias):",
        "(f1 - y1) * 1 = 0.5000003 * 1 = 0.5000003",
        "row 1: z = -72.20, f = 4.394e-32, y = 0",
        "row 4: z = -116.9, f = 1.639e-51, y = 1",
        "full-data loss: before 0.6931, after 60.26",
        "Step 2 (epoch 1, batch 2 of 2): rows 3, 4; learning rate 0.01, batch size 2",
        "loss3 = -log f3 = 124.1",
        "f3 - y3 = 1.290e-54 - 1 = -1.000",
        "(f3 - y3) * x1 = (-1.000) * 210 = -210.0",
        "g0 = (-210.0 - 198.0) / 2 = -204.0",
        "w0 <- w0 - lr * g0 = -0.5875 - 0.01 * (-204.0) = 1.452",
        # 1.0 in float64, which the true value is not: 1 - f = sigma(-z) from the logit.
        "row 1: z = 175.9, f = 1 - 3.883e-77, y = 0",
        "full-data loss: before 60.26, after 85.43",
    ]:
        assert line in text, line
    assert re.search(r"\brows? 0\b|\brow 0:", text) is None  # people count rows from 1
    assert text.isascii()


def test_text_writes_the_tiny_residuals_of_step_4_not_a_cancelled_zero() -> None:
    # Row 3 at step 4: z3 = 56.98 and y3 = 1, so f3 is 1.0 in float64. f - y from the logit
    # is -1.799e-25 (the loss is 1.799e-25), and every term and mean follows from it.
    text = render(seed_engine(steps=4), "text")
    for line in [
        "f3 = sigma(z3) = 1 - 1.799e-25",
        "loss3 = -log f3 = 1.799e-25",
        "f3 - y3 = (1 - 1.799e-25) - 1 = -1.799e-25",
        "(f3 - y3) * x1 = (-1.799e-25) * 210 = -3.778e-23",
        "g0 = (-3.778e-23 - 8.322e-22) / 2 = -4.350e-22",
    ]:
        assert line in text, line


def test_text_shows_l2_and_momentum_lines_when_on() -> None:
    text = render(seed_engine(steps=2, l2=0.1, momentum=0.9), "text")
    for line in [
        "rows 1, 2; learning rate 0.01, batch size 2, L2 lambda 0.1,\n  momentum mu 0.9\n",
        "dL/dw0 = (60.50 + 57.00) / 2 = 58.75",
        "g0 = dL/dw0 + lambda * w0 = 58.75 + 0.1 * 1.000e-08 = 58.75",
        "v0 <- mu * v0 + g0 = 0.9 * 0 + 58.75 = 58.75",
        "w0 <- w0 - lr * v0 = 1.000e-08 - 0.01 * 58.75 = -0.5875",
        "w2 (bias, no L2 term):",
        "g2 = (0.5000 + 0.5000) / 2 = 0.5000",
        # step 2: the velocity carries step 1's 58.75
        "v0 <- mu * v0 + g0 = 0.9 * 58.75 + (-204.1) = -151.2",
        "objective: loss + lambda/2 * (sum of wj^2, the bias excluded)",
        "objective (loss + L2 penalty): before 0.6931, after 60.27",
    ]:
        assert line in text, line
    plain = render(seed_engine(), "text")
    assert "lambda *" not in plain and "mu *" not in plain


def test_text_of_a_standardized_run_says_so_and_shows_the_scaling() -> None:
    engine = wide_engine(standardized=True)
    text = render(engine, "text")
    assert "features standardized: yes" in text
    mean, std = fmt(engine.feature_mean[0]), fmt(engine.feature_std[0])
    assert f"x1: mean {mean}, std {std};" in text
    assert "x1 = mean_feature_1" in text
    assert "w30 (bias)" in text
    assert max(len(line) for line in text.splitlines()) <= 100


def test_the_start_and_a_divergence_are_written() -> None:
    engine = seed_engine(steps=0)
    text = render(engine, "text", [engine.event_at(0)])
    assert "Start (step 0)" in text and "full-data loss: 0.6931" in text
    # A learning rate this large overflows z = w.x on the data at step 2.
    engine = Engine(seed_engine(0).dataset, hyperparams=Hyperparams(1e304, 2))
    engine.run_steps(10)
    assert engine.diverged_at == 2 and engine.history_length == 1
    assert "The run stopped before step 2: " in render(engine, "text")
    assert "Stopped." in render(engine, "latex")
    assert "The run stopped before step 2" in render(engine, "markdown")


# ---------------------------------------------------------------------------- markdown, LaTeX


def test_markdown_typesets_the_derivation() -> None:
    md = render(seed_engine(), "markdown")
    assert md.startswith("# Worked derivation: seed\n")
    assert "## Step 1 (epoch 1, batch 1 of 2)" in md and "## Step 2 (epoch 1, batch 2 of 2)" in md
    assert "- features standardized: no" in md
    assert "| 1 | 121 | 14.8 | 0 |" in md  # the batch table, rows from 1
    assert md.count("$$") % 2 == 0 and md.count("$$") >= 2
    assert r"(f_{1} - y_{1}) \cdot x_{1} &= 0.5000003 \cdot 121 = 60.50" in md
    assert r"g_{0} &= \frac{60.50 + 57.00}{2} = 58.75" in md
    assert r"w_{0} &\leftarrow w_{0} - \eta\,g_{0}" in md
    assert r"$4.394\times10^{-32}$" in md
    assert r"$1 - 3.883\times10^{-77}$" in md
    assert "\n\n" not in "".join(re.findall(r"\$\$.*?\$\$", md, flags=re.S))  # no blank lines


def tex_balanced(tex: str) -> bool:
    """Braces balance (escaped \\{ \\} aside) and every \\begin{x} closes with \\end{x} in order."""
    unescaped = re.sub(r"\\[{}]", "", tex.replace("\\\\", ""))
    depth = 0
    for char in unescaped:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    stack: list[str] = []
    for kind, name in re.findall(r"\\(begin|end)\{([^}]*)\}", tex):
        if kind == "begin":
            stack.append(name)
        elif not stack or stack.pop() != name:
            return False
    return depth == 0 and not stack


def test_latex_fragment_is_balanced_and_escapes_names() -> None:
    tex = render(wide_engine(), "latex")
    assert "\\documentclass" not in tex and "\\begin{document}" not in tex
    assert tex_balanced(tex)
    assert "\\subsection*{Step 1 (epoch 1, batch 1 of 3)}" in tex
    assert "mean\\_feature\\_1" in tex and re.search(r"(?<!\\)_feature", tex) is None
    assert "breast\\_cancer\\_like" in tex and "100\\% synthetic" in tex
    assert "\\begin{align*}" in tex and "\\frac{1}{5}" in tex  # a mean of five terms
    seed_tex = render(seed_engine(), "latex")
    assert tex_balanced(seed_tex)
    assert r"4.394\times10^{-32}" in seed_tex and r"& $1 - 3.883\times10^{-77}$ \\" in seed_tex


@pytest.mark.parametrize(
    ("name", "escaped"),
    [
        ("mean_radius", r"mean\_radius"),
        ("a & b", r"a \& b"),
        ("50%", r"50\%"),
        ("#1 {x}", r"\#1 \{x\}"),
        ("$5 ~ ^", r"\$5 \textasciitilde{} \textasciicircum{}"),
        ("back\\slash", r"back\textbackslash{}slash"),
        ("<a|b>", r"\textless{}a\textbar{}b\textgreater{}"),
    ],
)
def test_latex_escape(name: str, escaped: str) -> None:
    assert latex_escape(name) == escaped


def compile_latex(fragment: str, directory: Path) -> subprocess.CompletedProcess[str]:
    (directory / "fragment.tex").write_text(fragment, encoding="utf-8")
    (directory / "doc.tex").write_text(
        "\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n"
        "\\input{fragment.tex}\n\\end{document}\n",
        encoding="utf-8",
    )
    return subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.skipif(
    shutil.which("pdflatex") is None,
    reason="pdflatex is not installed (Debian: apt-get install texlive-latex-base)",
)
@pytest.mark.parametrize(
    "make_engine",
    [
        lambda: seed_engine(steps=2),
        lambda: wide_engine(standardized=True),
        lambda: wide_engine(
            hyperparams=Hyperparams(0.05, 5, shuffle=True, seed=3, l2=0.1, momentum=0.9)
        ),
    ],
    ids=["seed", "30-features-standardized", "30-features-l2-momentum"],
)
def test_latex_compiles_in_an_article_with_amsmath(
    make_engine: Callable[[], Engine], tmp_path: Path
) -> None:
    result = compile_latex(render(make_engine(), "latex"), tmp_path)
    assert result.returncode == 0, result.stdout[-3000:]
    assert (tmp_path / "doc.pdf").stat().st_size > 0


@pytest.mark.skipif(
    shutil.which("pdflatex") is None,
    reason="pdflatex is not installed (Debian: apt-get install texlive-latex-base)",
)
@pytest.mark.parametrize(
    ("name", "all_rows"),
    [(name, False) for name in builtin_names()] + [("breast-cancer", True)],
)
def test_every_builtins_latex_compiles_with_no_overfull_box(
    name: str, all_rows: bool, tmp_path: Path
) -> None:
    # Long feature names (worst_fractal_dimension), 30 weights, 569 rows of predictions.
    engine = Engine(load_builtin(name))
    engine.run_steps(2)
    result = compile_latex(render(engine, "latex", options=Options(all_rows=all_rows)), tmp_path)
    assert result.returncode == 0, result.stdout[-3000:]
    log = (tmp_path / "doc.log").read_text(encoding="latin-1")
    overfull = [line for line in log.splitlines() if line.startswith("Overfull")]
    assert not overfull, overfull


# ---------------------------------------------------------------------------- summary


def test_summary_after_one_epoch_of_the_seed_lecture() -> None:
    engine = seed_engine(steps=0)
    engine.run_epochs(1)
    summary = json.loads(render(engine, "summary"))
    assert list(summary) == list(SUMMARY_KEYS)
    assert summary["steps"] == 2 and summary["epochs"] == 1
    assert all(
        matches_written(v, t)
        for v, t in zip(
            summary["weights"], ["1.4524997", "0.012499951", "0.0050000074"], strict=True
        )
    )
    assert matches_written(summary["loss"], "85.430607")
    assert summary["accuracy"] == 0.5
    assert summary["diverged"] is False and summary["diverged_at_step"] is None
    assert summary["standardized"] is False and summary["dataset"] == "seed"


def test_summary_lists_every_change_of_the_settings_with_its_step() -> None:
    engine = seed_engine(steps=3)
    engine.set_hyperparams(learning_rate=0.02)
    engine.run_steps(2)
    engine.set_hyperparams(l2=0.1, momentum=0.5)
    engine.run_steps(1)
    summary = json.loads(render(engine, "summary"))
    assert summary["hyperparams"]["learning_rate"] == 0.01
    assert [(c["from_step"], c["hyperparams"]["learning_rate"]) for c in summary["changes"]] == [
        (4, 0.02),
        (6, 0.02),
    ]
    assert summary["changes"][1]["hyperparams"]["l2"] == 0.1
    assert summary["objective"] > summary["loss"]  # with L2 on, the penalty is part of it


def test_summary_counts_completed_epochs_and_reports_divergence() -> None:
    engine = seed_engine(steps=5)  # two epochs and one batch of the third
    assert json.loads(render(engine, "summary"))["epochs"] == 2
    engine = Engine(engine.dataset, hyperparams=Hyperparams(1e304, 2))
    engine.run_steps(10)
    summary = json.loads(render(engine, "summary"))
    assert summary["steps"] == 1
    assert summary["diverged"] is True and summary["diverged_at_step"] == 2
    # Summarizing an earlier step: the run did not stop there.
    earlier = json.loads(render(engine, "summary", [engine.event_at(0)]))
    assert earlier["steps"] == 0 and earlier["diverged"] is False


def test_no_steps_exports_the_start() -> None:
    engine = seed_engine(steps=0)
    assert render(engine, "jsonl") == ""
    summary = json.loads(render(engine, "summary"))
    assert summary["steps"] == 0 and summary["weights"] == [1e-8, -1e-8, 1e-8]
    assert "initial weights: w0 = 1.000e-08, w1 = -1.000e-08, w2 = 1.000e-08" in render(
        engine, "text"
    )


# ---------------------------------------------------------------------------- the API


def test_default_events_are_the_steps_up_to_the_cursor() -> None:
    engine = seed_engine(steps=4)
    engine.jump(3)
    assert [e.step for e in recorded_events(engine)] == [1, 2, 3]
    lines = render(engine, "jsonl").splitlines()
    assert [json.loads(line)["step"] for line in lines] == [1, 2, 3]
    explicit = render(engine, "jsonl", [engine.event_at(k) for k in (1, 2, 3)])
    assert explicit == render(engine, "jsonl")


def test_an_unknown_format_is_one_clear_error() -> None:
    with pytest.raises(SettingError, match="export format must be one of text, markdown"):
        render(seed_engine(), "pdf")


@pytest.mark.parametrize("format_name", FORMATS)
def test_write_export_streams_the_same_text(format_name: str, tmp_path: Path) -> None:
    engine = seed_engine(steps=3, momentum=0.5)
    path = tmp_path / f"out.{format_name}"
    with opened(check_output(str(path)), io.StringIO()) as out:
        write_export(out, engine, format_name)
    assert path.read_text(encoding="utf-8") == render(engine, format_name)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(2, 9),
    d=st.integers(1, 6),
    batch=st.integers(1, 9),
    steps=st.integers(0, 6),
    seed=st.integers(0, 2**16),
    shuffle=st.booleans(),
    l2=st.sampled_from([0.0, 0.01]),
    momentum=st.sampled_from([0.0, 0.9]),
    standardized=st.booleans(),
)
def test_every_format_renders_any_run(
    n: int,
    d: int,
    batch: int,
    steps: int,
    seed: int,
    shuffle: bool,
    l2: float,
    momentum: float,
    standardized: bool,
) -> None:
    rng = np.random.default_rng(seed)
    dataset = Dataset(
        name="random_data",
        description="",
        feature_names=tuple(f"f_{j}" for j in range(d)),
        label_name="label",
        features=rng.normal(size=(n, d)) * 10.0 ** rng.integers(-5, 5, size=d),
        labels=(np.arange(n) % 2).astype(np.float64),
    )
    hp = Hyperparams(0.1, min(batch, n), shuffle=shuffle, seed=seed, l2=l2, momentum=momentum)
    engine = Engine(dataset, hyperparams=hp, standardized=standardized)
    engine.run_steps(steps)
    records = [json.loads(line) for line in render(engine, "jsonl").splitlines()]
    assert [r["step"] for r in records] == list(range(1, engine.cursor + 1))
    for record in records:
        event = engine.event_at(record["step"])
        assert all(
            same_bits(a, b)
            for a, b in zip(record["weights_after"], event.weights_after, strict=True)
        )
        assert sorted(record["indices"]) == sorted(int(r) for r in event.rows)
    text = render(engine, "text")
    assert "nan" not in text and "inf" not in text
    assert text.count("\nStep ") == engine.cursor
    assert tex_balanced(render(engine, "latex"))
    assert render(engine, "markdown").count("$$") % 2 == 0
    assert json.loads(render(engine, "summary"))["steps"] == engine.cursor
