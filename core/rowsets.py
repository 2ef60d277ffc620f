"""Sets of data rows as runs of consecutive rows: the rows that flip, as the quiz asks, reads,
writes and compares them.

Runs, not a row each: every one of a 5-million-row CSV's rows may flip at one step, and a
tuple of 5 million row numbers is 200 MB; as runs it is one pair. A set is written as the
panels number rows, from 1: "1-4, 7, 9, 10".
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from numpy.typing import NDArray

Runs = tuple[tuple[int, int], ...]
"""(start, stop) of each run, 0-based and half-open, ascending, apart (never touching)."""

# A set writes at most this many of its pieces (a row, or a range of three or more), then how
# many rows more.
PIECES_WRITTEN = 12


def runs_of(mask: NDArray[np.bool_]) -> Runs:
    """The runs of the rows where `mask` holds (O(n) in numpy, one pair a run)."""
    flags = np.concatenate([[0], np.asarray(mask, dtype=np.int8), [0]])
    edges = np.flatnonzero(np.diff(flags))
    return tuple(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def runs_from(pairs: Iterable[tuple[int, int]]) -> Runs:
    """The runs covering the (start, stop) pairs given in any order, overlapping or touching."""
    merged: list[list[int]] = []
    for start, stop in sorted(p for p in pairs if p[1] > p[0]):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], stop)
        else:
            merged.append([start, stop])
    return tuple((start, stop) for start, stop in merged)


def count(runs: Runs) -> int:
    return sum(stop - start for start, stop in runs)


def minus(a: Runs, b: Runs) -> Runs:
    """The rows of `a` that are not in `b`."""
    left: list[tuple[int, int]] = []
    for start, stop in a:
        for b_start, b_stop in b:
            if b_stop <= start or b_start >= stop:
                continue
            if b_start > start:
                left.append((start, b_start))
            start = max(start, b_stop)
            if start >= stop:
                break
        if start < stop:
            left.append((start, stop))
    return runs_from(left)


def written(runs: Runs, limit: int = PIECES_WRITTEN) -> str:
    """'1-4, 7, 9, 10' (from 1, as the panels number rows), 'none', or the first `limit`
    pieces and how many rows more: '1, 3, 5, ... and 1,230 more rows'."""
    if not runs:
        return "none"
    pieces: list[str] = []
    shown = 0
    for start, stop in runs:
        if len(pieces) >= limit:
            break
        if stop - start >= 3:
            pieces.append(f"{start + 1}-{stop}")
            shown += stop - start
            continue
        for row in range(start, stop):
            if len(pieces) < limit:
                pieces.append(str(row + 1))
                shown += 1
    left_out = count(runs) - shown
    text = ", ".join(pieces)
    if not left_out:
        return text
    return f"{text} and {left_out:,} more {'row' if left_out == 1 else 'rows'}"
