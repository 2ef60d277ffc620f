"""The derivation's equations as screen lines: broken between pieces to fit, the result styled.

Every number comes from `logsgd.core.derivation` (the same equations the exports write); this
module only lays them out for a panel of a given width.
"""

from __future__ import annotations

from rich.text import Text

from logsgd.core.derivation import SCREEN, Equation, Kind
from logsgd.tui.marks import LARGEST_MARK

# Where the result of each kind of equation is drawn bold, or coloured by its sign.
BOLD_RESULT = {Kind.Z, Kind.F, Kind.MEAN, Kind.UPDATE, Kind.BATCH_LOSS}
SIGNED_RESULT = {Kind.TERM, Kind.MEAN, Kind.RESIDUAL, Kind.L2, Kind.MOMENTUM}


def sign_style(value: float) -> str:
    """Colour by sign; the sign itself is always written, so no colour is ever needed."""
    if value > 0:
        return "green"
    if value < 0:
        return "red"
    return ""


def result_style(equation: Equation) -> str:
    parts = []
    if equation.kind in SIGNED_RESULT:
        parts.append(sign_style(equation.value))
    if equation.kind in BOLD_RESULT:
        parts.append("bold")
    return " ".join(part for part in parts if part)


def equation_lines(
    equation: Equation,
    width: int,
    indent: str = "  ",
    mark_largest: bool = False,
    note: Text | None = None,
) -> list[Text]:
    """The equation as lines of at most `width` cells where its pieces allow.

    On one line if it fits; else a new line starts at each relation ("= ...", "<- ..."), under
    the first one, and a relation's part that is still too wide breaks between its pieces.
    The result (the last piece's number) is styled by the kind of equation.
    """
    lhs = SCREEN.lhs(equation)
    pieces = SCREEN.pieces(equation)
    *middle, last = pieces
    relation, _, result = last.partition(" ")
    tail = Text(f"{relation} ")
    tail.append(result, style=result_style(equation) or None)
    if mark_largest and equation.largest:
        tail.append(f"  {LARGEST_MARK}", style="bold")
    if note is not None:  # the quiz's: the answer given, beside the number
        tail.append("  ")
        tail.append_text(note)
    head = f"{indent}{lhs} "
    whole = head + " ".join(middle)
    if len(whole) + 1 + tail.cell_len <= width:
        one_line = Text(f"{whole} " if middle else head)
        one_line.append_text(tail)
        return [one_line]
    hang = " " * len(head)
    groups: list[list[str]] = []
    for piece in middle:
        if piece.startswith(("=", "<-")) or not groups:
            groups.append([piece])
        else:
            groups[-1].append(piece)
    lines: list[Text] = []
    for n, group in enumerate(groups):
        start = head if n == 0 else hang
        line = start + group[0]
        for piece in group[1:]:
            if len(line) + 1 + len(piece) > width:
                lines.append(Text(line))
                line = hang + "  " + piece
            else:
                line += " " + piece
        lines.append(Text(line))
    last_line = lines[-1]
    if last_line.cell_len + 1 + tail.cell_len <= width and len(groups) == 1:
        last_line.append(" ")
        last_line.append_text(tail)
    else:
        final = Text(hang)
        final.append_text(tail)
        lines.append(final)
    return lines


def short_line(equation: Equation, indent: str = "  ", note: Text | None = None) -> Text:
    """lhs = result only (for the many rows of a large batch)."""
    line = Text(f"{indent}{SCREEN.lhs(equation)} = ")
    line.append(SCREEN.pieces(equation)[-1].partition(" ")[2], style=result_style(equation) or None)
    if note is not None:
        line.append("  ")
        line.append_text(note)
    return line
