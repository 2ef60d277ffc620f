"""What the loss landscape draws, read from the engine; and the grids of it, kept and computed.

The path is the recorded weights (every step to the cursor, at most PATH_POINTS of them drawn),
the window covers all of it and the next step's end with a margin, the other weights are held
at the cursor's. A grid is computed once per request (window, held weights, pair, λ, size) and
kept: a key that comes back to a step finds it. A grid over much data is computed by the app
in a worker thread (see LogSGDApp), and the plot says so until it is there.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

import numpy as np

from logsgd.core.dataset import TrainingData
from logsgd.core.engine import Engine
from logsgd.core.landscape import GridRequest, objective_grid, path_picks, path_window, step_move
from logsgd.core.maths import FloatArray
from logsgd.tui.state import LandscapeData

# Grids kept (a few steps back and forth, two sizes).
GRIDS_KEPT = 32
# Up to this many multiply-adds of the logits (rows × grid points × weights) a grid is computed
# at once, on the key that asks for it (the seed lecture's and iris's take about a millisecond);
# beyond, in the background.
AT_ONCE_TERMS = 2_000_000


class LandscapeGrids:
    """The grids computed for one training dataset, newest last; `start` computes one in the
    background (the app's worker) and `put` keeps what it computed."""

    def __init__(self, start: Callable[[TrainingData, GridRequest], object]) -> None:
        self._start = start
        self._data: TrainingData | None = None
        self._kept: OrderedDict[GridRequest, FloatArray] = OrderedDict()
        self.pending: GridRequest | None = None

    def lookup(self, data: TrainingData, request: GridRequest) -> FloatArray | None:
        """The grid of `request` on `data`: kept, computed now (small), or None while the
        background computes it."""
        if data is not self._data:
            self._data, self.pending = data, None
            self._kept.clear()
        found = self._kept.get(request)
        if found is not None:
            self._kept.move_to_end(request)
            return found
        terms = data.n_rows * request.rows * request.columns * data.xb.shape[1]
        if terms <= AT_ONCE_TERMS:
            computed = objective_grid(data.xb, data.labels, data.signs, request)
            assert computed is not None  # nothing can stop it
            self.put(data, request, computed)
            return computed
        if self.pending != request:
            self.pending = request
            self._start(data, request)
        return None

    def put(self, data: TrainingData, request: GridRequest, grid: FloatArray) -> None:
        if data is not self._data:
            return  # computed for data since replaced (a restart)
        grid.flags.writeable = False
        self._kept[request] = grid
        if self.pending == request:
            self.pending = None
        while len(self._kept) > GRIDS_KEPT:
            self._kept.popitem(last=False)


def landscape_data(
    engine: Engine, pair: tuple[int, int], grids: LandscapeGrids, before: bool = False
) -> LandscapeData:
    """The landscape at the engine's cursor over weights `pair`; with `before`, at the step
    before it and with no move drawn (in quiz mode, while the cursor's step is asked: its new
    weights and its move are answers)."""
    cursor = engine.cursor - 1 if before and engine.cursor else engine.cursor
    history = engine.weight_history()
    held = history[cursor]
    j, k = pair
    path = history[: cursor + 1]
    picks = path_picks(cursor + 1)
    # The next step's move (an O(n d) step): none drawn before the asked step.
    following = None if before else engine.next_step()
    if following is not None and not np.isfinite(following.weights).all():
        following = None
    hp = engine.hyperparams
    next_point = (
        None if following is None else (float(following.weights[j]), float(following.weights[k]))
    )
    # The window covers every recorded point to the cursor (not only those drawn) and the
    # next step's end, so the arrow is always in view.
    a = np.append(path[:, j], np.nan if next_point is None else next_point[0])
    b = np.append(path[:, k], np.nan if next_point is None else next_point[1])
    data = engine.data
    # The objective drawn is the one the status line gives at the cursor: with its step's λ.
    event_l2 = engine.hyperparams_at(cursor).l2 if cursor else hp.l2
    return LandscapeData(
        pair=pair,
        path_a=np.ascontiguousarray(path[picks, j]),
        path_b=np.ascontiguousarray(path[picks, k]),
        path_steps=picks,
        cursor_point=(float(held[j]), float(held[k])),
        next_point=next_point,
        move=None if following is None else step_move(hp.learning_rate, following.velocity),
        momentum=bool(hp.momentum),
        held=tuple(held.tolist()),
        window=path_window(a, b),
        l2=event_l2,
        n_rows=engine.n_rows,
        grids=lambda request: grids.lookup(data, request),
        before_step=before,
    )
