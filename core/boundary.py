"""The decision boundary over two features, as numbers: the line z = 0, its window, its sides.

Over the two features drawn, x1 (across) and x2 (up), with every other feature held at a value
(its mean), the neuron's logit is a plane and its boundary a line:

    z = a*x1 + b*x2 + c = 0        a, b: their weights; c: the bias + sum_j w_j * held_j
    x2 = -(a*x1 + c) / b           (b != 0)
    x1 = -c / a                    (b == 0, a != 0: a vertical line)

The side that predicts 1 is z >= 0 (the predicted class is z >= 0): above the line when b > 0,
below when b < 0, right of a vertical line when a > 0, left when a < 0. With a = b = 0 there
is no line, and every row predicts 1 if c >= 0, else 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal, NamedTuple

import numpy as np

from .maths import FloatArray
from .params import SettingError, feature_index

# How much of its span a window adds on each side, so no row sits on the frame.
PAD = 0.05
Side = Literal["above", "below", "right", "left", "everywhere", "nowhere"]
Edge = Literal["below", "above", "left", "right"]


class PlaneLine(NamedTuple):
    """z = a*x1 + b*x2 + c over the two features drawn."""

    a: float
    b: float
    c: float

    @property
    def exists(self) -> bool:
        return self.a != 0 or self.b != 0


class Window(NamedTuple):
    """The part of the (x1, x2) plane drawn."""

    x1_low: float
    x1_high: float
    x2_low: float
    x2_high: float


class Outside(NamedTuple):
    """A line that misses the window: the edge it lies beyond, and where it runs there.

    For "below" and "above", `at` is the line's x2 at the window's left and right edges; for
    "left" and "right" (a vertical line) its x1, once.
    """

    edge: Edge
    at: tuple[float, ...]


def plane_line(weights: FloatArray, pair: tuple[int, int], held: FloatArray) -> PlaneLine:
    """The boundary over features pair = (j1, j2), the others at `held` (d values, bias last
    in `weights`, which has d + 1)."""
    j1, j2 = pair
    d = weights.size - 1
    others = np.ones(d, dtype=np.bool_)
    others[[j1, j2]] = False
    with np.errstate(over="ignore", invalid="ignore"):
        c = float(weights[d]) + float(np.dot(weights[:d][others], held[others]))
    return PlaneLine(float(weights[j1]), float(weights[j2]), c)


def line_x2(line: PlaneLine, x1: FloatArray) -> FloatArray:
    """x2 = -(a*x1 + c) / b at each x1 (NaN everywhere for a vertical line or none)."""
    if line.b == 0:
        return np.full(np.shape(x1), np.nan)
    with np.errstate(over="ignore", invalid="ignore"):
        return np.asarray(-(line.a * np.asarray(x1) + line.c) / line.b, dtype=np.float64)


def line_x1(line: PlaneLine, x2: FloatArray) -> FloatArray:
    """x1 = -(b*x2 + c) / a at each x2 (NaN everywhere for a horizontal line or none)."""
    if line.a == 0:
        return np.full(np.shape(x2), np.nan)
    with np.errstate(over="ignore", invalid="ignore"):
        return np.asarray(-(line.b * np.asarray(x2) + line.c) / line.a, dtype=np.float64)


def predicts_one(line: PlaneLine, x1: FloatArray, x2: FloatArray) -> FloatArray:
    """Where z = a*x1 + b*x2 + c >= 0, elementwise (as 1.0 / 0.0)."""
    with np.errstate(over="ignore", invalid="ignore"):
        z = line.a * np.asarray(x1) + line.b * np.asarray(x2) + line.c
    return np.asarray(z >= 0, dtype=np.float64)


def side_of_one(line: PlaneLine) -> Side:
    """Which side of the line predicts 1 (z >= 0); "everywhere"/"nowhere" without a line."""
    if line.b > 0:
        return "above"
    if line.b < 0:
        return "below"
    if line.a > 0:
        return "right"
    if line.a < 0:
        return "left"
    return "everywhere" if line.c >= 0 else "nowhere"


def _padded(low: float, high: float) -> tuple[float, float]:
    if not (math.isfinite(low) and math.isfinite(high)):
        return -1.0, 1.0
    if high == low:
        pad = abs(low) * 0.5 if low != 0 else 1.0
        return low - pad, high + pad
    pad = (high - low) * PAD
    return low - pad, high + pad


def data_window(x1: FloatArray, x2: FloatArray) -> Window:
    """The rows' range in both features, PAD of it added on each side (a constant feature
    gets half its size, or 1 for 0, either side)."""
    x1_low, x1_high = _padded(float(np.min(x1)), float(np.max(x1)))
    x2_low, x2_high = _padded(float(np.min(x2)), float(np.max(x2)))
    return Window(x1_low, x1_high, x2_low, x2_high)


def crossings(line: PlaneLine, window: Window) -> list[tuple[float, float]]:
    """The points where the line meets the window's edges, left to right (then bottom to top);
    none when it misses the window (or there is no line)."""
    points: set[tuple[float, float]] = set()
    if line.b != 0:
        for x1, x2 in zip(
            (window.x1_low, window.x1_high),
            line_x2(line, np.array([window.x1_low, window.x1_high])).tolist(),
            strict=True,
        ):
            if window.x2_low <= x2 <= window.x2_high:
                points.add((x1, x2))
    if line.a != 0:
        for x2, x1 in zip(
            (window.x2_low, window.x2_high),
            line_x1(line, np.array([window.x2_low, window.x2_high])).tolist(),
            strict=True,
        ):
            if window.x1_low <= x1 <= window.x1_high:
                points.add((x1, x2))
    return sorted(points)


def outside(line: PlaneLine, window: Window) -> Outside | None:
    """Where a line that misses the window lies; None if it crosses the window (or there is
    no line).

    A line that is not vertical and misses the window is, across the window's x1, wholly
    below or wholly above it (it is continuous in x1).
    """
    if not line.exists or crossings(line, window):
        return None
    if line.b == 0:
        x1 = -line.c / line.a
        return Outside("left" if x1 < window.x1_low else "right", (x1,))
    at = line_x2(line, np.array([window.x1_low, window.x1_high])).tolist()
    return Outside("below" if at[0] < window.x2_low else "above", (at[0], at[1]))


def fit_window(window: Window, lines: list[PlaneLine], x1_low: float, x1_high: float) -> Window:
    """`window` widened to take in each line where it runs across x1_low .. x1_high (the
    data's x1), or, for a vertical line, its x1; then padded again. Positions beyond float64
    (inf, NaN) are left out: there is nothing to draw there."""
    x1s = [window.x1_low, window.x1_high]
    x2s = [window.x2_low, window.x2_high]
    for line in lines:
        if line.b != 0:
            x2s += line_x2(line, np.array([x1_low, x1_high])).tolist()
        elif line.a != 0:
            x1s.append(-line.c / line.a)
    return Window(
        *_widened(window.x1_low, window.x1_high, x1s), *_widened(window.x2_low, window.x2_high, x2s)
    )


def _widened(low: float, high: float, values: list[float]) -> tuple[float, float]:
    """low .. high taking in the finite values; PAD of the new span added on a widened side
    (the data's side already has its margin)."""
    finite = [v for v in values if math.isfinite(v)]
    new_low, new_high = min(finite, default=low), max(finite, default=high)
    pad = (new_high - new_low) * PAD
    return (
        new_low - pad if new_low < low else low,
        new_high + pad if new_high > high else high,
    )


def sample_stride(n: int, most: int) -> int:
    """Of n rows draw every k-th from row 0, k the smallest that keeps within `most`:
    deterministic, spread over the file, the same at every step."""
    return max(1, -(-n // most))


def read_feature_pair(across: str, up: str, names: Sequence[str]) -> tuple[int, int]:
    """The two features the boundary is drawn over, typed (see params.feature_index); two
    different ones."""
    pair = (feature_index(across, names, "across"), feature_index(up, names, "up"))
    if pair[0] == pair[1]:
        raise SettingError(f"the two features must differ, got x{pair[0] + 1} twice", "up")
    return pair
