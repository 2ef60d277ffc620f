"""The derivation as data: every equation holds the engine's own number, in the lecture's form."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logsgd.core import Dataset, Engine, Hyperparams, maths
from logsgd.core.builtin_datasets import load_builtin
from logsgd.core.derivation import (
    SCREEN,
    TEX,
    TEXT,
    Derivation,
    Kind,
    Num,
    symbolic_z,
    written_products,
)
from logsgd.core.formatting import fmt, fmt_data


def seed_event(step: int) -> Derivation:
    engine = Engine(load_builtin("seed"))
    engine.run_steps(step)
    return Derivation(engine.event_at(step))


def test_step_1_of_the_seed_lecture_in_the_lectures_words() -> None:
    derivation = seed_event(1)
    z, f, loss, residual = derivation.row(0)
    assert TEXT.line(z) == (
        "z1 = w0*x1 + w1*x2 + w2 = 1.000e-08 * 121 + (-1.000e-08) * 14.8 + 1.000e-08 = 1.072e-06"
    )
    assert TEXT.line(f) == "f1 = sigma(z1) = 0.5000003"
    assert SCREEN.line(f) == "f1 = σ(z1) = 0.5000003"
    assert TEXT.line(loss) == "loss1 = -log(1 - f1) = 0.6931"
    assert TEXT.line(residual) == "f1 - y1 = 0.5000003 - 0 = 0.5000003"
    block = list(derivation.weight(0))
    assert [e.kind for e in block] == [Kind.TERM, Kind.TERM, Kind.MEAN, Kind.UPDATE]
    assert [TEXT.line(e) for e in block] == [
        "(f1 - y1) * x1 = 0.5000003 * 121 = 60.50",
        "(f2 - y2) * x1 = 0.5000002 * 114 = 57.00",
        "g0 = (60.50 + 57.00) / 2 = 58.75",
        "w0 <- w0 - lr * g0 = 1.000e-08 - 0.01 * 58.75 = -0.5875",
    ]
    assert TEX.line(block[2]) == r"g_{0} = \frac{60.50 + 57.00}{2} = 58.75"
    assert TEX.line(block[3]) == (
        r"w_{0} \leftarrow w_{0} - \eta\,g_{0} = 1.000\times10^{-8} - 0.01 \cdot 58.75 = -0.5875"
    )
    # The numbers are the event's own, not re-derived from the text.
    event = derivation.event
    assert block[2].value == event.data_gradient[0] and block[3].value == event.weights_after[0]
    assert [e.largest for e in block[:2]] == [True, False]


def test_step_4_writes_the_tiny_residual_from_the_logit() -> None:
    # seed-lecture: after step 3, z3 = 56.98 for a row labelled 1; f3 is 1.0 in float64.
    derivation = seed_event(4)
    event = derivation.event
    assert event.f[0] == 1.0
    residual = derivation.residual(0)
    assert residual.value == pytest.approx(-1.799e-25, rel=1e-3)
    assert TEXT.line(residual) == "f3 - y3 = (1 - 1.799e-25) - 1 = -1.799e-25"
    assert TEXT.line(derivation.term(0, 0)) == "(f3 - y3) * x1 = (-1.799e-25) * 210 = -3.778e-23"
    assert TEXT.line(derivation.loss(0)) == "loss3 = -log f3 = 1.799e-25"


def test_l2_and_momentum_lines_and_the_mean_of_one_term() -> None:
    engine = Engine(load_builtin("seed"), Hyperparams(0.05, 1, l2=0.1, momentum=0.5))
    engine.run_steps(2)
    derivation = Derivation(engine.event_at(2))
    block = [TEXT.line(e) for e in derivation.weight(0)]
    assert block[0].startswith("(f2 - y2) * x1 = ")
    assert block[1].startswith("dL/dw0 = ") and block[1].count(" = ") == 1  # one term: its mean
    assert block[2].startswith("g0 = dL/dw0 + lambda * w0 = ")
    assert block[3].startswith("v0 <- mu * v0 + g0 = 0.5 * ")
    assert block[4].startswith("w0 <- w0 - lr * v0 = ")
    # The bias has no L2 line.
    assert Kind.L2 not in [e.kind for e in derivation.weight(2)]


def test_a_large_batch_lists_its_largest_terms_in_batch_order() -> None:
    rng = np.random.default_rng(3)
    dataset = Dataset("big", "", ("a",), "y", rng.normal(size=(100, 1)), rng.integers(0, 2, 100))
    engine = Engine(dataset, Hyperparams(0.1, 100))
    engine.run_steps(1)
    derivation = Derivation(engine.event_at(1))
    listed = derivation.listed_terms(0, 16)
    column = np.abs(derivation.event.terms[:, 0])
    assert listed == sorted(listed) and len(listed) == 16
    assert set(listed) == set(np.argsort(-column)[:16].tolist())
    block = list(derivation.weight(0, 16))
    assert sum(e.largest for e in block) == 1
    assert block[16].kind is Kind.MEAN
    assert TEXT.line(block[16]).startswith("g0 = the mean of the 100 terms = ")


def test_step_0_has_no_derivation() -> None:
    with pytest.raises(ValueError, match="step 0"):
        Derivation(Engine(load_builtin("seed")).event_at(0))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    scale=st.sampled_from([0.1, 10.0, 300.0]),
    batch_size=st.integers(1, 12),
)
def test_f_and_f_minus_y_agree_to_the_last_bit(seed: int, scale: float, batch_size: int) -> None:
    # For a label 0, f - y is f; for a label 1 it is -(1 - f), with 1 - f from the logit: the
    # same formula, so the derivation never shows two values for one number.
    rng = np.random.default_rng(seed)
    dataset = Dataset(
        "random", "", ("a", "b"), "y", rng.normal(size=(12, 2)) * scale, rng.integers(0, 2, 12)
    )
    engine = Engine(dataset, Hyperparams(0.5, batch_size, shuffle=True, seed=seed))
    engine.run_steps(6)
    for step in range(1, 7):
        event = engine.event_at(step)
        derivation = Derivation(event)
        zero, one = event.labels == 0.0, event.labels == 1.0
        assert event.residuals[zero].tobytes() == event.f[zero].tobytes()
        assert (-event.residuals[one]).tobytes() == derivation.gaps[one].tobytes()
        assert derivation.gaps[zero].tobytes() == maths.complement(event.z[zero]).tobytes()
        # And f is sigma(z), to the last bit or so (the scalar path's exp is Python's).
        np.testing.assert_allclose(event.f, maths.sigmoid(event.z), rtol=1e-15, atol=0)


def test_z_of_many_features_is_written_short_by_one_rule() -> None:
    assert written_products(4) == ([0, 1, 2, 3], 0)
    assert written_products(5) == ([0, 1, 4], 2)
    assert written_products(100_000) == ([0, 1, 99_999], 99_997)
    assert " ".join(TEXT.tokens(piece) for piece in symbolic_z(30)) == (
        "w0*x1 + w1*x2 + ... + w29*x30 + w30"
    )
    engine = Engine(load_builtin("breast-cancer"), Hyperparams(0.1, 4))
    engine.run_steps(2)
    event = engine.event_at(2)
    short = Derivation(event, short_sums=True).z(1)
    full = Derivation(event).z(1)
    assert short.value == full.value == event.z[1]
    w, x = event.weights_before, event.inputs[1]
    products = [f"{TEXT.number(Num(w[j], operand=True))} * {fmt_data(x[j])}" for j in range(30)]
    bias = TEXT.number(Num(w[30], operand=True))
    head = f"z{int(event.rows[1]) + 1} = w0*x1 + w1*x2 + ... + w29*x30 + w30 = "
    assert TEXT.line(full) == head + " + ".join(products) + f" + {bias} = {fmt(event.z[1])}"
    assert TEXT.line(short) == (
        head + f"{products[0]} + {products[1]} + ... (27 more) + {products[29]} + {bias}"
        f" = {fmt(event.z[1])}"
    )
    assert TEX.line(short).count(r"\dots") == 2 and r"\text{(27 more)}" in TEX.line(short)
    # Up to four features the short form is the whole sum.
    seed = seed_event(1)
    assert TEXT.line(Derivation(seed.event, short_sums=True).z(0)) == TEXT.line(seed.z(0))
