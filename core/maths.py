"""The maths of one sigmoid neuron with binary cross-entropy, as pure numpy functions.

The model, in the lecture's notation (the bias is the last weight, on a constant input 1):

    z = w0*x1 + w1*x2 + ... + w_(d-1)*x_d + w_d * 1        f = sigma(z) = 1 / (1 + e^-z)
    L = -y log f - (1 - y) log(1 - f) = softplus(z) - y*z
    dL/dw_j = (f - y) * x_j                              (x_d = 1 for the bias)

Every function here is finite for every finite input: sigma never overflows, and the loss is
computed from the logit z, never from log(f), so a prediction of 1e-54 keeps a finite loss.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


def sigmoid(z: FloatArray) -> FloatArray:
    """sigma(z) = 1 / (1 + e^-z), evaluated so that e^t is only ever taken of t <= 0.

    e^min(z, 0) / (1 + e^-|z|): for z >= 0 that is 1 / (1 + e^-z), for z < 0 it is
    e^z / (1 + e^z); neither overflows, and tiny values (1e-54) keep their digits.
    """
    with np.errstate(over="ignore", under="ignore"):
        return np.exp(np.minimum(z, 0.0)) / (1.0 + np.exp(-np.abs(z)))


def sigmoid_scalar(z: float) -> float:
    """sigma(z) for one Python float: the same formula as `sigmoid`, with math.exp.

    math.exp and numpy's exp may round differently, so the two agree to a few ulp, not bits.
    """
    e = math.exp(-abs(z))
    return (1.0 if z >= 0 else e) / (1.0 + e)


def softplus(z: FloatArray) -> FloatArray:
    """log(1 + e^z) = max(z, 0) + log1p(e^-|z|), finite for every finite z."""
    with np.errstate(over="ignore", under="ignore"):
        return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def label_signs(y: FloatArray) -> FloatArray | None:
    """1 - 2y (+1 for class 0, -1 for class 1) if every label is 0 or 1, else None.

    With them a loss takes one softplus pass instead of two (see `sample_losses`).
    """
    if not bool(np.isin(y, (0.0, 1.0)).all()):
        return None
    return np.where(y == 1.0, -1.0, 1.0)


def sample_losses(z: FloatArray, y: FloatArray, signs: FloatArray | None = None) -> FloatArray:
    """Per-sample binary cross-entropy from the logit: L_i = softplus(z_i) - y_i z_i.

    Evaluated as (1 - y) softplus(z) + y softplus(-z), the same value, but with no cancellation:
    for y = 1 and z = 285 the loss is e^-285 = 1.2e-124, not 285 - 285 = 0. Given the labels'
    `label_signs`, as softplus(sign * z): for labels 0 and 1 that is the same formula term for
    term (1 * a + 0 * b is a exactly), so the same bits, in one pass instead of two.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        if signs is not None:
            return softplus(signs * z)
        return (1.0 - y) * softplus(z) + y * softplus(-z)


def mean_loss(z: FloatArray, y: FloatArray, signs: FloatArray | None = None) -> float:
    """Mean binary cross-entropy; divides before summing if the plain mean would overflow."""
    losses = sample_losses(z, y, signs)
    with np.errstate(over="ignore", invalid="ignore"):
        value = float(np.mean(losses))
        if not math.isfinite(value) and bool(np.all(np.isfinite(losses))):
            value = float(np.sum(losses / losses.size))
    return value


def with_bias_column(x: FloatArray) -> FloatArray:
    """Append the constant input 1 that the bias multiplies: (n, d) -> (n, d + 1)."""
    n = x.shape[0]
    return np.ascontiguousarray(np.hstack([x, np.ones((n, 1), dtype=np.float64)]))


def logits(xb: FloatArray, weights: FloatArray) -> FloatArray:
    """z_i = sum_j w_j x_ij over inputs that already carry the bias column."""
    with np.errstate(over="ignore", invalid="ignore"):
        return xb @ weights


def gradient_terms(xb: FloatArray, y: FloatArray, f: FloatArray) -> FloatArray:
    """The per-sample, per-weight terms (f_i - y_i) * x_ij, shape (B, d + 1)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return (f - y)[:, None] * xb


def mean_gradient(xb: FloatArray, y: FloatArray, f: FloatArray) -> FloatArray:
    """dL/dw_j = mean_i (f_i - y_i) x_ij: the batch mean of `gradient_terms`."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.asarray(gradient_terms(xb, y, f).mean(axis=0), dtype=np.float64)


def l2_terms(weights: FloatArray, l2: float) -> FloatArray:
    """The L2 penalty's gradient, lambda * w_j, for every weight but the bias (last)."""
    terms = np.asarray(l2 * weights, dtype=np.float64)
    terms[-1] = 0.0
    return terms


def objective(xb: FloatArray, y: FloatArray, weights: FloatArray, l2: float = 0.0) -> float:
    """Mean BCE plus (lambda / 2) * sum of the squared non-bias weights.

    Its gradient is `mean_gradient + l2_terms`; the finite-difference tests check exactly that.
    """
    penalty = 0.5 * l2 * float(np.sum(weights[:-1] ** 2))
    return mean_loss(logits(xb, weights), y) + penalty


def accuracy(f: FloatArray, y: FloatArray) -> float:
    """Share of rows whose predicted class (f >= 0.5 means class 1) equals the label."""
    return float(np.mean((f >= 0.5) == (y == 1.0)))
