"""The loss landscape over two weights: the objective on a grid, the window, the path's picks.

Two weights vary, a (across) and b (up); every other weight is held at a value (the cursor's).
Each grid point is a whole set of weights w, and its value is the objective SGD minimises at w,
computed by the engine's own functions (`maths.logits`, `maths.mean_losses`,
`maths.objective`), so a cell equals the loss the engine gives those weights bit for bit:

    objective(w) = mean_i softplus(s_i z_i) + lambda/2 sum_j w_j^2   (the bias excluded)

A grid point (column k, row r) lies at the centre of its cell in the window:

    a_k = a_low + (k + 1/2) (a_high - a_low) / columns    (r likewise, row 0 at the top: b_high)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from . import maths
from .maths import FloatArray
from .params import SettingError, weight_index

IntArray = NDArray[np.int64]

# How much of the path's span the window adds on each side.
MARGIN = 0.15
# The grid's z values are computed this many floats at a time (16 MB), however large the data.
CHUNK_FLOATS = 1 << 21
# Of a long path at most this many points are drawn (both ends kept).
PATH_POINTS = 400


class Window(NamedTuple):
    """The part of the (a, b) plane drawn: a across, b up."""

    a_low: float
    a_high: float
    b_low: float
    b_high: float


class GridRequest(NamedTuple):
    """What a grid is computed from: equal requests give equal grids (the cache's key)."""

    pair: tuple[int, int]
    held: tuple[float, ...]  # every weight, the pair's included (their values unused)
    window: Window
    l2: float
    rows: int
    columns: int


def _padded(low: float, high: float) -> tuple[float, float]:
    if high > low:
        return low - (high - low) * MARGIN, high + (high - low) * MARGIN
    pad = abs(low) * 0.5 if low != 0 else 1.0
    return low - pad, high + pad


def path_window(a: FloatArray, b: FloatArray) -> Window:
    """The finite points' range in a and b, MARGIN of each span added on each side (a single
    value gets half its size, or 1 for 0, either side)."""
    finite = np.isfinite(a) & np.isfinite(b)
    if not finite.any():
        return Window(-1.0, 1.0, -1.0, 1.0)
    a, b = a[finite], b[finite]
    a_low, a_high = _padded(float(a.min()), float(a.max()))
    b_low, b_high = _padded(float(b.min()), float(b.max()))
    return Window(a_low, a_high, b_low, b_high)


def cell_centres(low: float, high: float, count: int) -> FloatArray:
    """The centres of `count` equal cells from low to high, low first."""
    return low + (np.arange(count, dtype=np.float64) + 0.5) * ((high - low) / count)


def grid_axes(request: GridRequest) -> tuple[FloatArray, FloatArray]:
    """(a at each column, left first; b at each row, top first)."""
    w = request.window
    a = cell_centres(w.a_low, w.a_high, request.columns)
    b = cell_centres(w.b_low, w.b_high, request.rows)[::-1].copy()
    return a, b


def grid_weights(request: GridRequest) -> FloatArray:
    """Every grid point's weights, (rows * columns, d + 1), row by row from the top."""
    a, b = grid_axes(request)
    weights = np.tile(np.asarray(request.held, dtype=np.float64), (a.size * b.size, 1))
    j, k = request.pair
    weights[:, j] = np.tile(a, b.size)
    weights[:, k] = np.repeat(b, a.size)
    return weights


def objective_grid(
    xb: FloatArray,
    labels: FloatArray,
    signs: FloatArray,
    request: GridRequest,
    should_stop: Callable[[], bool] | None = None,
) -> FloatArray | None:
    """The objective at every grid point, (rows, columns), top row first; None if stopped.

    Each point's z is `maths.logits` of its own weights (one call each: a matrix product of
    all of them rounds differently), its loss `maths.mean_losses` of that row, its objective
    `maths.objective`: what the engine computes for those weights. `should_stop` is asked
    between chunks (a background computation that is no longer wanted).
    """
    weights = grid_weights(request)
    n = xb.shape[0]
    points = weights.shape[0]
    chunk = max(1, CHUNK_FLOATS // max(n, 1))
    out = np.empty(points, dtype=np.float64)
    for start in range(0, points, chunk):
        if should_stop is not None and should_stop():
            return None
        part = weights[start : start + chunk]
        z = np.empty((part.shape[0], n), dtype=np.float64)
        for i in range(part.shape[0]):
            z[i] = maths.logits(xb, part[i])
        losses = maths.mean_losses(z, labels, signs)
        if request.l2:
            for i in range(part.shape[0]):
                out[start + i] = maths.objective(float(losses[i]), part[i], request.l2)
        else:  # objective(loss, w, 0) is loss + 0.0: the loss itself
            out[start : start + part.shape[0]] = losses
    return out.reshape(request.rows, request.columns)


def path_picks(length: int, most: int = PATH_POINTS) -> IntArray:
    """Indices into 0 .. length-1 to draw, at most about `most`, both ends always: every
    k-th (k the smallest that keeps within `most`) and the last."""
    stride = max(1, -(-length // most))
    picks = np.arange(0, length, stride, dtype=np.int64)
    if length and picks[-1] != length - 1:
        picks = np.append(picks, np.int64(length - 1))
    return picks


def step_move(learning_rate: float, direction: FloatArray) -> FloatArray:
    """The next update's move, -lr g (-lr v with momentum): the step computes w - lr v."""
    return np.asarray(-(learning_rate * direction), dtype=np.float64)


def read_pair(across: str, up: str, n_weights: int) -> tuple[int, int]:
    """The landscape's two weights, typed; two different ones."""
    pair = (
        weight_index(across.strip(), n_weights, "across"),
        weight_index(up.strip(), n_weights, "up"),
    )
    if pair[0] == pair[1]:
        raise SettingError(f"the two weights must differ, got w{pair[0]} twice", "up")
    return pair


def levels_finite(values: FloatArray) -> tuple[float, float] | None:
    """The smallest and largest positive finite values (a log scale's range), if any."""
    shown = values[np.isfinite(values) & (values > 0)]
    if not shown.size:
        return None
    low, high = float(shown.min()), float(shown.max())
    return (low, high) if math.isfinite(low) else None
