"""Toggle buttons whose state reads without colour.

Textual's checkbox and radio button draw their mark (X, ●) whether on or off, and only the
colour says which: under NO_COLOR, or on a projector that washes colours out, on and off look
the same. These draw the mark only when on: ▐X▌ / ▐ ▌, ▐●▌ / ▐ ▌. (Their common base,
ToggleButton, is not public; each class says its mark and `show_state` does the rest.)
"""

from __future__ import annotations

from textual.widgets import Checkbox, RadioButton


def show_state(button: Checkbox | RadioButton, mark: str) -> None:
    """The mark inside the button (BUTTON_INNER, a public class setting) when on, else blank."""
    button.BUTTON_INNER = mark if button.value else " "


class StateCheckbox(Checkbox):
    """▐X▌ on, ▐ ▌ off."""

    def __init__(self, label: str, value: bool, *, id: str, compact: bool) -> None:
        super().__init__(label, value, id=id, compact=compact)
        show_state(self, "X")

    def watch_value(self) -> None:
        show_state(self, "X")
        super().watch_value()


class ChoiceButton(RadioButton):
    """▐●▌ chosen, ▐ ▌ not."""

    def __init__(self, label: str, value: bool, *, id: str) -> None:
        super().__init__(label, value, id=id)
        show_state(self, "●")

    def watch_value(self) -> None:
        show_state(self, "●")
        super().watch_value()
