"""The neuron's maths: a sigmoid that never overflows, a loss from the logit, a gradient that
matches finite differences of the objective."""

from __future__ import annotations

import math
import struct
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal, getcontext

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from logsgd.core import Dataset, Engine, Hyperparams, maths

getcontext().prec = 50

EXTREME_Z = [-1e308, -1.7976931348623157e308, -1000.0, -745.2, -709.8, 709.8, 1000.0, 1e308]


@contextmanager
def strict_floats() -> Iterator[None]:
    """Every numpy floating-point error raises, and every warning is an error."""
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        yield


def bits(value: float) -> bytes:
    return struct.pack("<d", value)


def exact_sigmoid(z: float) -> float:
    """1 / (1 + e^-z) in 50-digit decimals, rounded once to float64."""
    return float(1 / (1 + (-Decimal(z)).exp()))


# ---------------------------------------------------------------- sigmoid


def test_sigmoid_of_extreme_z_neither_overflows_nor_warns() -> None:
    z = np.array(EXTREME_Z)
    with strict_floats():
        f = maths.sigmoid(z)
    # e^-745.2 is below the smallest subnormal; e^-709.8 is a subnormal and stays one.
    assert f.tolist() == [0.0, 0.0, 0.0, 0.0, f[4], 1.0, 1.0, 1.0]
    assert 0.0 < f[4] < 1e-307
    assert f[4] == pytest.approx(math.exp(-709.8), rel=1e-12)


def test_sigmoid_of_infinities_is_0_and_1() -> None:
    with strict_floats():
        f = maths.sigmoid(np.array([-math.inf, math.inf]))
    assert f.tolist() == [0.0, 1.0]


def test_sigmoid_keeps_tiny_values_instead_of_rounding_them_to_0() -> None:
    # The seed lecture's 1.2899e-54 is a real prediction; 1/(1 + e^124) keeps it.
    with strict_floats():
        f = maths.sigmoid(np.array([-124.0, -700.0]))
    assert f[0] == pytest.approx(math.exp(-124.0), rel=1e-15)
    assert f[1] == pytest.approx(math.exp(-700.0), rel=1e-15)
    assert f[1] > 0


@pytest.mark.parametrize(
    "z", [0.0, 1e-9, -1e-9, 0.5, -0.5, 1.0, -1.0, 3.7, -3.7, 20.0, -20.0, -36.0, 36.0]
)
def test_sigmoid_equals_the_formula_for_moderate_z(z: float) -> None:
    expected = exact_sigmoid(z)
    assert float(maths.sigmoid(np.array([z]))[0]) == pytest.approx(expected, rel=1e-15)


def test_sigmoid_at_0_is_one_half_and_symmetric() -> None:
    z = np.linspace(-40, 40, 801)
    f = maths.sigmoid(z)
    assert maths.sigmoid(np.array([0.0]))[0] == 0.5
    # sigma(z) + sigma(-z) = 1, up to the rounding of each (a few ulp of 1).
    np.testing.assert_allclose(f + f[::-1], 1.0, rtol=0, atol=4e-15)
    assert np.all(np.diff(f) >= 0)


# ---------------------------------------------------------------- the residual f - y


def exact_residual(z: float, y: float) -> float:
    """sigma(z) - y in 50-digit decimals, rounded once to float64."""
    return float(1 / (1 + (-Decimal(z)).exp()) - Decimal(y))


@pytest.mark.parametrize("z", [-124.0, -36.0, -1.0, -1e-9, 0.0, 1e-9, 0.5, 20.0, 57.0, 700.0])
@pytest.mark.parametrize("y", [0.0, 1.0])
def test_the_residual_is_the_true_f_minus_y_from_the_logit(z: float, y: float) -> None:
    with strict_floats():
        residual = maths.residuals(np.array([z]), np.array([y]))[0]
    assert residual == pytest.approx(exact_residual(z, y), rel=1e-15)


def test_the_residual_of_a_right_confident_prediction_is_tiny_not_zero() -> None:
    # The seed lecture's step 4: z3 = 57.0 for a row labelled 1. f rounds to exactly 1.0, so
    # f - y by subtraction is 0; from the logit it is -sigma(-z) = -1.8e-25.
    z, y = np.array([57.0]), np.array([1.0])
    assert maths.sigmoid(z)[0] - 1.0 == 0.0
    residual = maths.residuals(z, y)[0]
    assert residual == pytest.approx(-math.exp(-57.0), rel=1e-15)
    # And it matches the loss, softplus(-z) = e^-57 to first order.
    assert -residual == pytest.approx(maths.sample_losses(z, y)[0], rel=1e-15)


# ---------------------------------------------------------------- softplus and the loss


def test_softplus_equals_the_formula_and_stays_finite() -> None:
    z = np.array([-30.0, -1.0, 0.0, 1.0, 30.0])
    expected = [math.log1p(math.exp(v)) for v in z]
    np.testing.assert_allclose(maths.softplus(z), expected, rtol=1e-15)
    with strict_floats():
        extreme = maths.softplus(np.array(EXTREME_Z))
    assert np.all(np.isfinite(extreme))
    assert extreme[-1] == 1e308
    assert extreme[0] == 0.0


def test_loss_from_the_logit_is_finite_for_a_prediction_of_1e_minus_54() -> None:
    z_small = math.log(1e-54)  # f = sigma(z) = 1e-54 (to rounding)
    with strict_floats():
        # Label 1 with f = 1e-54: L = -log f = 54 log 10.
        label_1 = maths.sample_losses(np.array([z_small]), np.array([1.0]))
        # Label 0 with f = 1 - 1e-54, which is 1.0 in float64: -log(1 - f) would be inf.
        label_0 = maths.sample_losses(np.array([-z_small]), np.array([0.0]))
    assert maths.sigmoid(np.array([-z_small]))[0] == 1.0
    assert label_1[0] == pytest.approx(54 * math.log(10), rel=1e-14)
    assert label_0[0] == pytest.approx(54 * math.log(10), rel=1e-14)


def test_sample_losses_equal_binary_cross_entropy_for_moderate_z() -> None:
    z = np.array([-4.0, -0.3, 0.0, 0.7, 5.0])
    for y in (0.0, 1.0):
        f = 1.0 / (1.0 + np.exp(-z))
        bce = -y * np.log(f) - (1 - y) * np.log(1 - f)
        np.testing.assert_allclose(maths.sample_losses(z, np.full(5, y)), bce, rtol=1e-12)
    assert maths.sample_losses(np.array([0.0]), np.array([1.0]))[0] == math.log(2)


def test_mean_loss_of_huge_losses_divides_before_it_sums() -> None:
    z = np.array([-1.5e308, -1.6e308, 1.7e308])
    y = np.array([1.0, 1.0, 0.0])
    with strict_floats():
        value = maths.mean_loss(z, y)
    # Each loss is |z|; their plain sum overflows, their mean does not.
    assert value == pytest.approx(1.6e308, rel=1e-15)


def test_mean_loss_and_accuracy_on_a_small_example() -> None:
    z = np.array([2.0, -1.0, 0.0, -3.0])
    y = np.array([1.0, 1.0, 0.0, 0.0])
    expected = (
        math.log1p(math.exp(-2.0))
        + math.log1p(math.exp(1.0))
        + math.log(2)
        + math.log1p(math.exp(-3.0))
    ) / 4
    assert maths.mean_loss(z, y) == pytest.approx(expected, rel=1e-15)
    # z >= 0 (f >= 0.5) is class 1: rows 1 (right), 2 (wrong), 3 (f = 0.5: class 1, wrong),
    # 4 (right).
    assert maths.accuracy(z, y) == 0.5


def test_the_class_comes_from_the_sign_of_z_not_from_the_rounded_f() -> None:
    z = np.array([-1e-17, 1e-17, 0.0])
    assert maths.sigmoid(z).tolist() == [0.5, 0.5, 0.5]
    assert maths.predicted_class(z).tolist() == [False, True, True]


def test_logits_gradient_terms_and_l2_terms_on_a_small_example() -> None:
    xb = maths.with_bias_column(np.array([[1.0, 2.0], [3.0, -1.0]]))
    assert xb.tolist() == [[1.0, 2.0, 1.0], [3.0, -1.0, 1.0]]
    w = np.array([0.5, -0.25, 2.0])
    assert maths.logits(xb, w).tolist() == [2.0, 3.75]
    y = np.array([1.0, 0.0])
    residual = np.array([-0.25, 0.25])
    assert maths.gradient_terms(xb, residual).tolist() == [
        [-0.25, -0.5, -0.25],
        [0.75, -0.25, 0.25],
    ]
    # The bias (last weight) is not penalised.
    assert maths.l2_terms(w, 0.5).tolist() == [0.25, -0.125, 0.0]
    assert batch_objective(xb, y, w, 0.5) == pytest.approx(
        maths.mean_loss(np.array([2.0, 3.75]), y) + 0.25 * (0.25 + 0.0625), rel=1e-15
    )


# ---------------------------------------------------------------- the gradient is the derivative


def batch_objective(xb: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float) -> float:
    """The objective of the weights w on the rows xb, y: mean BCE plus the L2 penalty."""
    return maths.objective(maths.mean_loss(maths.logits(xb, w), y), w, l2)


def analytic_gradient(xb: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float) -> np.ndarray:
    terms = maths.gradient_terms(xb, maths.residuals(maths.logits(xb, w), y))
    return terms.mean(axis=0) + maths.l2_terms(w, l2)


def central_difference(
    objective: Callable[[np.ndarray], float], w: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(dJ/dw_j estimates, their error bound) by central differences with a relative step."""
    estimate = np.empty_like(w)
    bound = np.empty_like(w)
    for j in range(w.size):
        h = 1e-6 * max(1.0, abs(float(w[j])))
        up, down = w.copy(), w.copy()
        up[j] += h
        down[j] -= h
        step = up[j] - down[j]  # the step actually taken, after rounding
        j_up, j_down = objective(up), objective(down)
        estimate[j] = (j_up - j_down) / step
        # Rounding in J (a few ulp of |J|) over the step, plus the O(h^2) truncation term.
        bound[j] = 64 * np.finfo(float).eps * max(abs(j_up), abs(j_down), 1.0) / step + 1e-8
    return estimate, bound


@st.composite
def batches(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    n = draw(st.integers(1, 12))
    d = draw(st.integers(1, 4))
    moderate = st.floats(-3.0, 3.0, allow_nan=False)
    x = draw(hnp.arrays(np.float64, (n, d), elements=moderate))
    y = np.array(draw(st.lists(st.sampled_from([0.0, 1.0]), min_size=n, max_size=n)))
    w = draw(hnp.arrays(np.float64, (d + 1,), elements=st.floats(-2.0, 2.0, allow_nan=False)))
    l2 = draw(st.sampled_from([0.0, 0.0, 0.01, 0.5, 3.0]))
    rows = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True))
    return maths.with_bias_column(x)[rows], y[rows], w, l2


@settings(max_examples=200, deadline=None)
@given(batch=batches())
def test_gradient_equals_central_difference_of_the_objective(
    batch: tuple[np.ndarray, np.ndarray, np.ndarray, float],
) -> None:
    xb, y, w, l2 = batch
    analytic = analytic_gradient(xb, y, w, l2)
    estimate, bound = central_difference(lambda v: batch_objective(xb, y, v, l2), w)
    assert np.all(np.abs(analytic - estimate) <= bound + 1e-5 * np.abs(analytic)), (
        analytic,
        estimate,
    )


def test_the_finite_difference_check_notices_a_wrong_gradient() -> None:
    # The check above can fail: a gradient that forgets the L2 term or the bias is caught.
    xb = maths.with_bias_column(np.array([[1.0, -2.0], [0.5, 1.5], [-1.0, 0.3]]))
    y = np.array([1.0, 0.0, 1.0])
    w = np.array([0.3, -0.7, 0.2])
    estimate, bound = central_difference(lambda v: batch_objective(xb, y, v, 0.5), w)
    right = analytic_gradient(xb, y, w, 0.5)
    assert np.all(np.abs(right - estimate) <= bound)
    no_l2 = analytic_gradient(xb, y, w, 0.0)
    assert np.any(np.abs(no_l2 - estimate) > 100 * bound)
    l2_on_bias = right + np.array([0.0, 0.0, 0.5 * w[2]])
    assert np.abs(l2_on_bias - estimate)[2] > 100 * bound[2]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(2, 12),
    d=st.integers(1, 4),
    batch_size=st.integers(1, 12),
    l2=st.sampled_from([0.0, 0.1, 1.0]),
    momentum=st.sampled_from([0.0, 0.5]),
)
def test_every_engine_step_uses_the_derivative_of_the_batch_objective(
    dataset_maker: Callable[..., Dataset],
    seed: int,
    n: int,
    d: int,
    batch_size: int,
    l2: float,
    momentum: float,
) -> None:
    assume(batch_size <= n)
    dataset = dataset_maker(n=n, d=d, seed=seed)
    hp = Hyperparams(
        learning_rate=0.3, batch_size=batch_size, shuffle=True, seed=seed, l2=l2, momentum=momentum
    )
    engine = Engine(dataset, hp)
    engine.run_steps(8)
    xb = maths.with_bias_column(engine.inputs)
    for step in range(1, engine.history_length + 1):
        event = engine.event_at(step)
        batch_xb, batch_y = xb[event.rows], dataset.labels[event.rows]

        def of_weights(v: np.ndarray, xs: np.ndarray = batch_xb, ys: np.ndarray = batch_y) -> float:
            return batch_objective(xs, ys, v, l2)

        estimate, bound = central_difference(of_weights, np.array(event.weights_before))
        assert np.all(np.abs(event.gradient - estimate) <= bound + 1e-5 * np.abs(estimate)), step


@settings(max_examples=300, deadline=None)
@given(
    z=hnp.arrays(
        np.float64,
        st.integers(1, 40),
        elements=st.one_of(st.floats(-1e308, 1e308, allow_nan=False), st.sampled_from(EXTREME_Z)),
    ),
    data=st.data(),
)
def test_the_loss_from_the_sign_is_the_two_term_formula_bit_for_bit(
    z: np.ndarray, data: st.DataObject
) -> None:
    y = np.array(data.draw(st.lists(st.sampled_from([0.0, 1.0]), min_size=z.size, max_size=z.size)))
    with np.errstate(all="ignore"):
        two_term = (1.0 - y) * maths.softplus(z) + y * maths.softplus(-z)
    assert maths.sample_losses(z, y).tobytes() == two_term.tobytes()
    signs = maths.label_signs(y)
    assert bits(maths.mean_loss(z, y)) == bits(maths.mean_loss(z, y, signs))


def test_label_signs_are_plus_one_for_class_0_and_minus_one_for_class_1() -> None:
    np.testing.assert_array_equal(maths.label_signs(np.array([0.0, 1.0, 1.0])), [1.0, -1.0, -1.0])
