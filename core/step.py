"""The maths of one SGD step, written once for small batches (Python floats) and once for numpy.

For the batch's rows i, with the label's sign s_i = 1 - 2 y_i (see maths):

    z_i = sum_j w_j x_ij                  f_i - y_i = s_i sigma(s_i z_i)     (from the logit)
    g_j = (sum_i (f_i - y_i) x_ij) / B  +  lambda w_j        (no lambda term for the bias)
    v_j <- mu v_j + g_j                   (momentum; with mu = 0 the step takes v = g)
    w_j <- w_j - lr v_j

A step runs on the scalar path when its batch is small (B (d + 1) multiply-adds at most
SCALAR_PATH_MAX_TERMS: there every numpy call costs more than all the arithmetic), else on the
numpy path. The choice depends on the batch's shape only, so the runner of long runs and the
rebuild of one step's event call the same function and agree bit for bit.
"""

from __future__ import annotations

from math import exp
from typing import NamedTuple

import numpy as np

from . import maths
from .maths import FloatArray

# Below this many multiply-adds per batch, plain Python floats beat numpy's per-call overhead.
SCALAR_PATH_MAX_TERMS = 24


def uses_scalar_path(batch_size: int, width: int) -> bool:
    """Whether a batch of this many rows, with `width` weights, runs on the scalar path."""
    return batch_size * width <= SCALAR_PATH_MAX_TERMS


class StepDetail(NamedTuple):
    """Everything one step computed, before and up to the update."""

    z: FloatArray  # (B,)
    residuals: FloatArray  # (B,): f_i - y_i
    data_gradient: FloatArray  # (d + 1,): (sum_i (f_i - y_i) x_ij) / B
    gradient: FloatArray  # (d + 1,): data_gradient + lambda w_j
    velocity: FloatArray  # (d + 1,): the direction stepped along, v = mu v + g
    weights: FloatArray  # (d + 1,): w - lr v


class ScalarSettings(NamedTuple):
    """A step's settings as the scalar path reads them."""

    learning_rate: float
    decays: list[float]  # lambda for every weight but the bias, 0.0 for the bias (last)
    momentum: float
    l2: float


def scalar_settings(learning_rate: float, l2: float, momentum: float, width: int) -> ScalarSettings:
    return ScalarSettings(learning_rate, [l2] * (width - 1) + [0.0], momentum, l2)


class ScalarRun(NamedTuple):
    """What `scalar_steps` did: the steps it took, and the one it would not take, if any."""

    weights: list[list[float]]  # after each step taken
    velocities: list[list[float]]  # after each step taken (empty without momentum)
    unbounded: tuple[list[float], list[float]] | None  # (weights, velocity) of a step not taken


def scalar_steps(
    rows: list[list[float]],
    signs: list[float],
    batch_size: int,
    weights: list[float],
    velocity: list[float],
    settings: ScalarSettings,
    abs_max: list[float],
    detail: list[list[float]] | None = None,
) -> ScalarRun:
    """Consecutive steps on consecutive batches of `rows`, in Python floats.

    `rows` are inputs with the bias column, batch after batch (the last batch may be short);
    `velocity` is ignored without momentum. A step is taken while sum_j |w_j| max_i |x_ij|
    (a bound on every |z| on the data, from `abs_max`) and, with L2, the penalty stay finite;
    the first step for which they do not is returned as `unbounded`, not taken, for the caller
    to check exactly.

    With `detail` (a list), the last step's z, residuals, data gradient and gradient are
    appended to it, in that order: the rebuild of one step's event runs exactly this code.
    """
    width = len(weights)
    columns = range(width)
    learning_rate, decays, momentum, l2 = settings
    count = len(rows)
    new_weights_rows: list[list[float]] = []
    new_velocity_rows: list[list[float]] = []
    no_sums = [0.0] * width  # never written: the sums of a batch's other rows, if it has none
    sums = no_sums
    zs: list[float] = []
    residuals: list[float] = []
    first = 0  # the current batch's first row
    # One pass over the rows; a step is taken at each batch's last row. Indexing by j is the
    # fastest loop here: with zip(..., strict=True) a batch-1 step took twice as long.
    for i in range(count):
        x = rows[i]
        sign = signs[i]
        z = 0.0
        for j in columns:
            z += weights[j] * x[j]
        e = exp(-abs(z))
        # f - y = s sigma(s z); sigma(t) = 1 / (1 + e^-|t|) for t >= 0, e^-|t| / (1 + e^-|t|)
        # below, and |s z| = |z|.
        residual = sign * ((1.0 if sign * z >= 0.0 else e) / (1.0 + e))
        if detail is not None:
            zs.append(z)
            residuals.append(residual)
        size = i + 1 - first  # rows of the batch so far
        if size < batch_size and i + 1 < count:
            if size == 1:
                sums = [0.0] * width
            for j in columns:
                sums[j] += residual * x[j]
            continue
        # The batch's last row: its term is added here, after the others (so a batch of one
        # needs no sums of its own), then lambda, momentum and the update in the same pass.
        new_weights: list[float] = []
        new_velocity: list[float] = []
        data_gradient: list[float] = []
        gradient: list[float] = []
        bound = 0.0
        for j in columns:
            g = (sums[j] + residual * x[j]) / size
            if detail is not None:
                data_gradient.append(g)
            if decays[j]:
                g = g + decays[j] * weights[j]
            if detail is not None:
                gradient.append(g)
            if momentum:
                g = momentum * velocity[j] + g
                new_velocity.append(g)
            w = weights[j] - learning_rate * g
            new_weights.append(w)
            bound += abs(w) * abs_max[j]
        if detail is not None:
            detail += [zs, residuals, data_gradient, gradient]
        if l2:  # the objective's L2 penalty must stay finite too: lambda/2 sum w_j^2
            squares = 0.0
            for w in new_weights[:-1]:
                squares += w * w
            bound += 0.5 * l2 * squares
        if bound - bound != 0.0:  # not finite (inf - inf and nan - nan are nan)
            return ScalarRun(new_weights_rows, new_velocity_rows, (new_weights, new_velocity))
        weights = new_weights
        new_weights_rows.append(new_weights)
        if momentum:
            velocity = new_velocity
            new_velocity_rows.append(new_velocity)
        first = i + 1
        sums = no_sums
    return ScalarRun(new_weights_rows, new_velocity_rows, None)


def array_step(
    xs: FloatArray,
    signs: FloatArray,
    weights: FloatArray,
    velocity: FloatArray,
    learning_rate: float,
    l2: float,
    momentum: float,
    bounded: bool = False,
) -> StepDetail:
    """One step on the batch `xs` (inputs with the bias column), in numpy.

    `velocity` is ignored without momentum. The mean gradient is one mat-vec, (r . X) / B:
    equal to the mean of the per-sample terms up to rounding in the last place. Call it under
    `np.errstate(all="ignore")`: a run's loop sets that once, not once per step. `bounded`: as
    for `maths.signed_residuals` (the same result, one check fewer).
    """
    z = xs @ weights
    residual = maths.signed_residuals(z, signs, bounded)
    data_gradient = (residual @ xs) / xs.shape[0]
    gradient = data_gradient + maths.l2_terms(weights, l2) if l2 else data_gradient
    direction = momentum * velocity + gradient if momentum else gradient
    new_weights = weights - learning_rate * direction
    return StepDetail(z, residual, data_gradient, gradient, direction, new_weights)


def one_step(
    xs: FloatArray,
    signs: FloatArray,
    weights: FloatArray,
    velocity: FloatArray,
    learning_rate: float,
    l2: float,
    momentum: float,
) -> StepDetail:
    """One step on the path its batch's shape selects: what the runner computed for it.

    Call it under `np.errstate(all="ignore")`, as `array_step`.
    """
    width = weights.shape[0]
    if not uses_scalar_path(xs.shape[0], width):
        return array_step(xs, signs, weights, velocity, learning_rate, l2, momentum)
    detail: list[list[float]] = []
    run = scalar_steps(
        xs.tolist(),
        signs.tolist(),
        xs.shape[0],
        weights.tolist(),
        velocity.tolist(),
        scalar_settings(learning_rate, l2, momentum, width),
        [0.0] * width,  # the bound is the runner's concern, not the maths'
        detail,
    )
    z, residual, data_gradient, gradient = (np.array(part) for part in detail)
    if run.unbounded is not None:  # only for weights that were never recorded
        new_weights, new_velocity = run.unbounded
    else:
        new_weights = run.weights[-1]
        new_velocity = run.velocities[-1] if momentum else []
    if not momentum:
        new_velocity = gradient.tolist()
    return StepDetail(
        z, residual, data_gradient, gradient, np.array(new_velocity), np.array(new_weights)
    )
