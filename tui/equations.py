"""The derivation's equations as screen lines: broken between pieces to fit, the result styled.

Every number comes from `logsgd.core.derivation` (the same equations the exports write); this
module only lays them out for a panel of a given width.
"""

from __future__ import annotations

from typing import NamedTuple

from rich.cells import cell_len
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


class EquationLayout(NamedTuple):
    """An equation broken into lines: the plain text of each, the last one followed by the
    tail (the relation, the styled result, the largest term's mark and the quiz's note).

    Its widths are known before any Text is built: a panel of many equations counts its
    lines from them and builds only the ones it draws.
    """

    heads: tuple[str, ...]
    relation: str
    result: str
    result_style: str
    mark: bool
    note: Text | None

    def tail_width(self) -> int:
        width = cell_len(self.relation) + 1 + cell_len(self.result)
        if self.mark:
            width += 2 + cell_len(LARGEST_MARK)
        if self.note is not None:
            width += 2 + self.note.cell_len
        return width

    def widths(self) -> list[int]:
        """The cells of each line."""
        *full, last = self.heads
        return [*map(cell_len, full), cell_len(last) + self.tail_width()]

    def lines(self) -> list[Text]:
        *full, last = self.heads
        line = Text(f"{last}{self.relation} ")
        line.append(self.result, style=self.result_style or None)
        if self.mark:
            line.append(f"  {LARGEST_MARK}", style="bold")
        if self.note is not None:  # the quiz's: the answer given, beside the number
            line.append("  ")
            line.append_text(self.note)
        return [*map(Text, full), line]


def equation_layout(
    equation: Equation,
    width: int,
    indent: str = "  ",
    mark_largest: bool = False,
    note: Text | None = None,
) -> EquationLayout:
    """Where the equation breaks to lines of at most `width` cells, as its pieces allow.

    On one line if it fits; else a new line starts at each relation ("= ...", "<- ..."), under
    the first one, and a relation's part that is still too wide breaks between its pieces.
    The result (the last piece's number) is styled by the kind of equation.
    """
    lhs = SCREEN.lhs(equation)
    pieces = SCREEN.pieces(equation)
    *middle, last = pieces
    relation, _, result = last.partition(" ")
    layout = EquationLayout(
        (),
        relation,
        result,
        result_style(equation),
        mark_largest and equation.largest,
        note,
    )
    tail_width = layout.tail_width()
    head = f"{indent}{lhs} "
    whole = head + " ".join(middle)
    if len(whole) + 1 + tail_width <= width:
        return layout._replace(heads=(f"{whole} " if middle else head,))
    hang = " " * len(head)
    groups: list[list[str]] = []
    for piece in middle:
        if piece.startswith(("=", "<-")) or not groups:
            groups.append([piece])
        else:
            groups[-1].append(piece)
    lines: list[str] = []
    for n, group in enumerate(groups):
        start = head if n == 0 else hang
        line = start + group[0]
        for piece in group[1:]:
            if len(line) + 1 + len(piece) > width:
                lines.append(line)
                line = hang + "  " + piece
            else:
                line += " " + piece
        lines.append(line)
    if cell_len(lines[-1]) + 1 + tail_width <= width and len(groups) == 1:
        lines[-1] += " "
    else:
        lines.append(hang)
    return layout._replace(heads=tuple(lines))


def equation_lines(
    equation: Equation,
    width: int,
    indent: str = "  ",
    mark_largest: bool = False,
    note: Text | None = None,
) -> list[Text]:
    """The equation as lines of at most `width` cells where its pieces allow (see
    equation_layout)."""
    return equation_layout(equation, width, indent, mark_largest, note).lines()


def short_line(equation: Equation, indent: str = "  ", note: Text | None = None) -> Text:
    """lhs = result only (for the many rows of a large batch)."""
    line = Text(f"{indent}{SCREEN.lhs(equation)} = ")
    line.append(SCREEN.pieces(equation)[-1].partition(" ")[2], style=result_style(equation) or None)
    if note is not None:
        line.append("  ")
        line.append_text(note)
    return line
