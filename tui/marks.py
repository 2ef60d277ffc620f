"""Every mark the panels draw, with what it means: one definition for the panels that draw
them, their key lines (border subtitles) and the help screen."""

from __future__ import annotations

from typing import NamedTuple

BATCH_MARK = "▶"  # dataset and predictions: a row of the batch this step ran
NEXT_MARK = "›"  # dataset: a row of the next batch
LARGEST_MARK = "◀"  # gradient: the largest term in size
RIGHT_MARK = "✓"
WRONG_MARK = "✗"
FLIP_MARK = "⇄"  # predictions: the predicted class flipped in this step
BELOW_MARK = "↓"  # a border: what is below the fold
# The chart's vertical lines, each its own character so they read apart without colour.
BOUNDARY_CHAR = "┊"
CHANGE_CHAR = "║"
CURSOR_CHAR = "┃"
LINE_MARKER = "⢕⢕"  # the chart legend's sample of a line
GHOST_MARKER = "⠐⠂"  # and of the loose dots of the dropped timeline
# The decision boundary: a row's cell says its class by shape, a cross inside when the
# neuron gets it wrong (readable without colour).
CLASS0_MARK = "○"
CLASS1_MARK = "□"
WRONG0_MARK = "⊗"
WRONG1_MARK = "⊠"
MIXED_MARK = "◐"  # rows of both classes in one cell
BOUNDARY_LINE_MARKER = "⠤⠤"  # the line z = 0 at the cursor: every dot
PREVIOUS_LINE_MARKER = "⠄⠄"  # and before this step: every other dot, fainter
# The loss landscape: the path of the steps, its start, the cursor, the next update's arrow;
# the objective's bands, lowest first (blank: below the first level), each its own glyph.
PATH_MARKER = "⠤⠤"
START_MARK = "○"
CURSOR_POINT_MARK = "●"
NEXT_MARKER = "⠄⠄"
ARROW_HEADS = "→↗↑↖←↙↓↘"  # by the move's angle, counter-clockwise from right
BAND_GLYPHS = (" ", "·", "∶", "░", "▒", "▓")
# Where a line that misses the window lies, at that edge of the plot.
LINE_OUT_MARKS = {"below": "↓", "above": "↑", "left": "←", "right": "→"}


class Mark(NamedTuple):
    mark: str
    short: str  # in a panel's key line
    meaning: str  # in help


# Before the name at the end of the weight highlighted with w.
HIGHLIGHT_MARK = "◆"

CHART_LINES = (
    Mark(BOUNDARY_CHAR, "epoch end", "chart: the last step of an epoch"),
    Mark(CHANGE_CHAR, "setting changed", "chart: a setting changed before the next step"),
    Mark(CURSOR_CHAR, "cursor", "chart: the step on screen, when it is not the latest"),
)

BOUNDARY_MARKS = (
    Mark(CLASS0_MARK, "y=0", "boundary: a row of class 0 (the neuron says 0)"),
    Mark(CLASS1_MARK, "y=1", "boundary: a row of class 1 (the neuron says 1)"),
    Mark(f"{WRONG0_MARK} {WRONG1_MARK}", "wrong", "boundary: a row of class 0, 1 predicted wrong"),
    Mark(MIXED_MARK, "both", "boundary: rows of both classes in one cell"),
    Mark(BOUNDARY_LINE_MARKER, "line", "boundary: the line z = 0 after this step"),
    Mark(PREVIOUS_LINE_MARKER, "before", "boundary: the line z = 0 before this step (fainter)"),
    Mark(
        " ".join(LINE_OUT_MARKS.values()),
        "line outside",
        "boundary: the line lies beyond that edge of the window, where the text says (f shows it)",
    ),
    Mark("shaded", "", "boundary: the side of the line that predicts 1 (z >= 0), said in words"),
)

LANDSCAPE_MARKS = (
    Mark(START_MARK, "start", "landscape: the weights at step 0"),
    Mark(PATH_MARKER, "path", "landscape: the recorded steps' weights, joined, to the cursor"),
    Mark(CURSOR_POINT_MARK, "cursor", "landscape: the weights at the step on screen"),
    Mark(
        f"{NEXT_MARKER}{ARROW_HEADS[0]}",
        "next",
        "landscape: the next update's move, -lr·g (-lr·v with momentum), to its end",
    ),
    Mark(
        " ".join(BAND_GLYPHS[1:]),
        "",
        "landscape: the objective's bands between its contour levels (written (10)), higher denser",
    ),
)

BATCH = Mark(
    BATCH_MARK,
    "batch",
    "dataset, predictions, boundary (left of the row): a row of the batch this step ran",
)
NEXT = Mark(NEXT_MARK, "next", "dataset: a row of the batch the next step runs")
FLIP = Mark(FLIP_MARK, "class flipped", "predictions: the class changed in this step")

MARKS = (
    BATCH,
    NEXT,
    Mark(LARGEST_MARK, "largest term", "gradient: the term largest in size of each weight"),
    Mark(f"{RIGHT_MARK} {WRONG_MARK}", "right, wrong", "predictions: the class is right, wrong"),
    FLIP,
    Mark(BELOW_MARK, "below", "a panel's border: more below, scroll with ↓ or PgDn"),
    *CHART_LINES,
    Mark(LINE_MARKER, "a weight", "chart legend: a weight's line (the loss's in loss mode)"),
    Mark(GHOST_MARKER, "dropped", "chart: the steps dropped by a change made in the past"),
    Mark(HIGHLIGHT_MARK, "highlighted", "chart: the weight chosen with w (the others dim)"),
    *BOUNDARY_MARKS,
    *LANDSCAPE_MARKS,
    Mark("1 - 3.883e-77", "", "a probability nearer 1 than 4 digits show: its gap to 1"),
    Mark("0.5000003", "", "a probability near 0.5: the digits that tell its side"),
    Mark("≈1  ≈0", "", "float64 rounded a probability to exactly 1 or 0 (it never is)"),
)


def key_line(*marks: Mark, separator: str = " · ") -> str:
    """'▶ this batch · ⇄ class flipped': a panel's marks and what they mean, in its border
    (with separator "  ", the shorter form for a narrow panel)."""
    return separator.join(f"{m.mark} {m.short}" for m in marks)


def fitting(width: int, *texts: str) -> str:
    """The first of `texts` (longest first) that fits whole in the border of a panel whose
    content is `width` wide, or else the last. The edge is width + 2 cells, of which Textual
    gives a label all but 6 ("╭─ " and " ─╮"; measured: 40 characters at 43 are cut)."""
    return next((text for text in texts if len(text) + 4 <= width), texts[-1])
