"""The maths of one sigmoid neuron with binary cross-entropy, as pure numpy functions.

The model, in the lecture's notation (the bias is the last weight, on a constant input 1):

    z = w0*x1 + w1*x2 + ... + w_(d-1)*x_d + w_d * 1        f = sigma(z) = 1 / (1 + e^-z)
    L = -y log f - (1 - y) log(1 - f) = softplus(z) - y*z
    dL/dw_j = (f - y) * x_j                              (x_d = 1 for the bias)

Labels are 0 or 1, so every formula here is written with the label's sign s = 1 - 2y (+1 for
class 0, -1 for class 1), and everything is computed from the logit z:

    f - y = s * sigma(s z)          (sigma(z) for y = 0, -sigma(-z) for y = 1)
    L     = softplus(s z)

Neither cancels: for y = 1 and z = 57, f - y is -1.8e-25 and L is 1.8e-25, where 1 - f is 0.
Every function is finite for every finite input: sigma never overflows, and no logarithm of a
rounded probability is ever taken.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


# e^t overflows float64 beyond this.
EXP_MAX = 709.78


def sigmoid(z: FloatArray) -> FloatArray:
    """sigma(z) = 1 / (1 + e^-z), for every z without overflow or lost digits.

    Below z = -709.78, where e^-z overflows, sigma(z) = e^z / (1 + e^z) is e^z to the last bit
    (1 + e^z rounds to 1): a subnormal such as sigma(-709.8) keeps its digits, and tiny values
    such as 1.29e-54 are exact to rounding. `signed_residuals` takes the same formula, so
    f and f - y agree bit for bit.
    """
    with np.errstate(over="ignore", under="ignore"):
        if z.size and np.minimum.reduce(z, axis=None) < -EXP_MAX:
            return np.where(z < -EXP_MAX, np.exp(z), 1.0 / (1.0 + np.exp(-z)))
        return 1.0 / (1.0 + np.exp(-z))


def softplus(z: FloatArray) -> FloatArray:
    """log(1 + e^z) = max(z, 0) + log1p(e^-|z|), finite for every finite z."""
    with np.errstate(over="ignore", under="ignore"):
        return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def label_signs(y: FloatArray) -> FloatArray:
    """s = 1 - 2y: +1 for class 0, -1 for class 1 (labels are 0 or 1)."""
    return np.asarray(1.0 - 2.0 * y, dtype=np.float64)


def signed_residuals(z: FloatArray, signs: FloatArray, bounded: bool = False) -> FloatArray:
    """f_i - y_i from the logit and the label's sign: s_i sigma(s_i z_i) = s_i / (1 + e^-(s_i z_i)).

    s z is exact (s is +1 or -1), and the quotient never cancels: for y = 1 and z = 57 it is
    -1/(1 + e^57) = -1.8e-25, where sigma(z) - 1 would be 0. The same formula as `sigmoid`
    (s / x is s * (1 / x) exactly), so f - y is f for a label 0 and -(1 - f) for a label 1,
    bit for bit. This is the one formula of the residual: the steps, the rebuilt events and the
    exports all take it from here. Four numpy calls, as it runs once per step of a long run
    (which holds np.errstate(all="ignore") around its loop: e^-t underflows to 0 for t > 745,
    giving exactly s). `bounded` says the caller knows every |z| is at most EXP_MAX, so the
    subnormal case cannot arise and its check is skipped: the result is the same either way.
    """
    t = signs * z
    if not bounded and t.size and np.minimum.reduce(t) < -EXP_MAX:
        return signs * sigmoid(t)
    return signs / (1.0 + np.exp(-t))


def complement(z: FloatArray) -> FloatArray:
    """1 - f = sigma(-z), from the logit: the gap to 1 of a prediction near 1 (never 1 - f).

    For a label 1, f - y is exactly -complement(z) (the same formula), so the two agree.
    """
    return sigmoid(-z)


def residuals(z: FloatArray, y: FloatArray) -> FloatArray:
    """f_i - y_i from the logit, with no cancellation.

    For y = 1 that is -sigma(-z): at z = 57 it is -1.8e-25, where sigma(z) - 1 would be 0.
    """
    return signed_residuals(z, label_signs(y))


def sample_losses(z: FloatArray, y: FloatArray, signs: FloatArray | None = None) -> FloatArray:
    """Per-sample binary cross-entropy from the logit: L_i = softplus(s_i z_i).

    The same value as softplus(z) - y z, with no cancellation: for y = 1 and z = 285 the loss
    is e^-285 = 1.2e-124, not 285 - 285 = 0. `signs` is `label_signs(y)`, if already at hand.
    """
    s = label_signs(y) if signs is None else signs
    with np.errstate(over="ignore", invalid="ignore"):
        return softplus(s * z)


def mean_loss(z: FloatArray, y: FloatArray, signs: FloatArray | None = None) -> float:
    """Mean binary cross-entropy; divides before summing if the plain mean would overflow."""
    losses = sample_losses(z, y, signs)
    with np.errstate(over="ignore", invalid="ignore"):
        value = float(np.mean(losses))
        if not math.isfinite(value) and bool(np.all(np.isfinite(losses))):
            value = float(np.sum(losses / losses.size))
    return value


def mean_losses(z: FloatArray, y: FloatArray, signs: FloatArray | None = None) -> FloatArray:
    """`mean_loss` of each row of z, (k, n) -> (k,): the same value, bit for bit, as
    mean_loss of that row (a mean along the contiguous axis sums as the 1-D mean does; a row
    whose plain mean overflows is handed to mean_loss itself)."""
    losses = sample_losses(z, y, signs)
    with np.errstate(over="ignore", invalid="ignore"):
        values = np.asarray(np.mean(losses, axis=1), dtype=np.float64)
    for i in np.flatnonzero(~np.isfinite(values)).tolist():
        values[i] = mean_loss(z[i], y, signs)
    return values


def l2_penalty(weights: FloatArray, l2: float) -> float:
    """(lambda / 2) * sum of the squared weights, the bias (last) excluded."""
    if not l2:
        return 0.0
    with np.errstate(over="ignore", invalid="ignore"):
        return 0.5 * l2 * float(np.sum(np.square(weights[:-1])))


def objective(loss: float, weights: FloatArray, l2: float = 0.0) -> float:
    """What SGD minimises: the mean BCE `loss` plus (lambda / 2) * sum of the squared non-bias
    weights.

    Its gradient is the mean of `gradient_terms` plus `l2_terms`; the finite-difference tests
    check exactly that.
    """
    return loss + l2_penalty(weights, l2)


def with_bias_column(x: FloatArray) -> FloatArray:
    """Append the constant input 1 that the bias multiplies: (n, d) -> (n, d + 1)."""
    n = x.shape[0]
    return np.ascontiguousarray(np.hstack([x, np.ones((n, 1), dtype=np.float64)]))


def logits(xb: FloatArray, weights: FloatArray) -> FloatArray:
    """z_i = sum_j w_j x_ij over inputs that already carry the bias column."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.asarray(xb @ weights, dtype=np.float64)


def gradient_terms(xb: FloatArray, residual: FloatArray) -> FloatArray:
    """The per-sample, per-weight terms (f_i - y_i) * x_ij, shape (B, d + 1)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.asarray(residual[:, None] * xb, dtype=np.float64)


def l2_terms(weights: FloatArray, l2: float) -> FloatArray:
    """The L2 penalty's gradient, lambda * w_j, for every weight but the bias (last)."""
    with np.errstate(over="ignore", invalid="ignore"):
        terms = np.asarray(l2 * weights, dtype=np.float64)
    terms[-1] = 0.0
    return terms


def predicted_class(z: FloatArray) -> NDArray[np.bool_]:
    """Class 1 where the true f = sigma(z) is at least 0.5, that is where z >= 0.

    Decided from z, not from the rounded f: sigma(-1e-17) rounds to exactly 0.5, but the
    neuron says class 0 there.
    """
    return np.asarray(z >= 0.0)


def flipped(z_before: FloatArray, z_after: FloatArray) -> NDArray[np.bool_]:
    """Where a row's predicted class (z >= 0) differs after a step from before it: the rows
    that flip, elementwise (a block of steps' z at once too)."""
    return np.asarray(predicted_class(z_before) != predicted_class(z_after))


def accuracy(z: FloatArray, y: FloatArray) -> float:
    """Share of rows whose predicted class equals the label."""
    return float(np.mean(predicted_class(z) == (y == 1.0)))
