"""Every command of the app in one list: its keys, Footer label, palette entry and help line."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding, BindingType

from logsgd.tui.state import PANELS


@dataclass(frozen=True)
class Command:
    """One command. Its Binding, palette entry and help-screen line all come from here."""

    id: str
    keys: str  # Textual key names, comma-separated
    action: str
    label: str  # the Footer and palette title
    help: str  # one line for the help screen and the palette
    keys_shown: str  # how a person types it
    # Its place in the Footer, 1 first: a narrow Footer keeps the first that fit whole. 0: none.
    footer: int = 0
    changes_run: bool = False  # moves the cursor or changes settings: refused during a run
    goes_back: bool = False  # nothing to do at step 0: greyed out there
    queued: bool = False  # an arrow-key move: queued, the queue applied before any other command
    everywhere: str = ""  # keys that work on every screen, a form's or the palette's too

    @property
    def palette_title(self) -> str:
        """How the command palette lists it: its name and how it is typed."""
        keys = "key" if len(self.keys_shown.split()) == 1 else "keys"
        return f"{self.label} · {keys} {self.keys_shown}"

    @property
    def action_name(self) -> str:
        """The action without arguments ("scale_lr(2)" -> "scale_lr"), as check_action sees it."""
        return self.action.split("(", 1)[0]


# What the panel keys call each panel (palette label, help line); numbered in PANELS' order.
PANEL_NAMES = {
    "dataset": ("Dataset", "dataset panel"),
    "batch": ("Batch", "current-batch panel"),
    "predictions": ("Predictions", "predictions panel"),
    "gradients": ("Gradients", "gradient panel"),
    "chart": ("Chart panel", "chart panel"),
}

COMMANDS: tuple[Command, ...] = (
    Command(
        "step",
        "right,space,l",
        "step_forward",
        "Step",
        "Next step: run the next mini-batch",
        "→ space l",
        footer=1,
        changes_run=True,
        queued=True,
    ),
    Command(
        "back",
        "left,backspace,h",
        "step_back",
        "Back",
        "Previous step (disabled at step 0)",
        "← backspace h",
        footer=2,
        changes_run=True,
        goes_back=True,
        queued=True,
    ),
    Command(
        "next-epoch",
        "right_square_bracket",
        "next_epoch",
        "Epoch»",
        "Forward to the next epoch boundary",
        "]",
        footer=8,
        changes_run=True,
    ),
    Command(
        "prev-epoch",
        "left_square_bracket",
        "previous_epoch",
        "«Epoch",
        "Back to the previous epoch boundary",
        "[",
        changes_run=True,
        goes_back=True,
    ),
    Command(
        "first",
        "home,g",
        "first_step",
        "First",
        "First step (step 0)",
        "Home g",
        changes_run=True,
        goes_back=True,
    ),
    Command(
        "last", "end,G", "last_step", "Latest", "Latest recorded step", "End G", changes_run=True
    ),
    Command(
        "reset",
        "r",
        "reset",
        "Reset",
        "Reset to step 0 (the recorded steps stay)",
        "r",
        changes_run=True,
        goes_back=True,
    ),
    Command(
        "play",
        "p",
        "toggle_play",
        "Play",
        "Play or pause autoplay",
        "p",
        footer=5,
        changes_run=True,
    ),
    Command("faster", "plus,equals_sign", "faster", "Faster", "Autoplay faster", "+"),
    Command("slower", "minus", "slower", "Slower", "Autoplay slower", "-"),
    Command(
        "lr-up",
        "u",
        "scale_lr(2)",
        "lr×2",
        "Double the learning rate (from the next step)",
        "u",
        footer=6,
        changes_run=True,
    ),
    Command(
        "lr-down",
        "d",
        "scale_lr(0.5)",
        "lr÷2",
        "Halve the learning rate (from the next step)",
        "d",
        footer=7,
        changes_run=True,
    ),
    Command(
        "lr-up10", "U", "scale_lr(10)", "lr×10", "Learning rate times 10", "U", changes_run=True
    ),
    Command(
        "lr-down10",
        "D",
        "scale_lr(0.1)",
        "lr÷10",
        "Learning rate divided by 10",
        "D",
        changes_run=True,
    ),
    Command(
        "batch-up", "b", "change_batch(1)", "batch+1", "Batch size up by one", "b", changes_run=True
    ),
    Command(
        "batch-down",
        "B",
        "change_batch(-1)",
        "batch-1",
        "Batch size down by one",
        "B",
        changes_run=True,
    ),
    Command(
        "shuffle",
        "s",
        "toggle_shuffle",
        "Shuffle",
        "Shuffle on/off (takes effect at the next epoch)",
        "s",
        changes_run=True,
    ),
    Command(
        "standardize",
        "z",
        "toggle_standardize",
        "Standardize",
        "Standardize features on/off (restarts at step 0)",
        "z",
        changes_run=True,
    ),
    Command(
        "edit",
        "e",
        "edit",
        "Edit",
        "Edit lr, batch size, seed, λ, μ, initial weights",
        "e",
        footer=9,
        changes_run=True,
    ),
    Command(
        "run",
        "R",
        "run_epochs",
        "Run to the 10th epoch end",
        "Run to the 10th epoch end (in the background)",
        "R",
        changes_run=True,
    ),
    Command(
        "until",
        "t",
        "run_until",
        "Run until",
        "Run until a condition holds (a form; in the background)",
        "t",
        changes_run=True,
    ),
    Command(
        "pin",
        "P",
        "pin_run",
        "Pin run",
        "Pin this run as A, B or C: the chart compares",
        "P",
        changes_run=True,
    ),
    Command(
        "switch-run",
        "a",
        "switch_run",
        "Switch to pinned run",
        "Switch to a pinned run (the run left is pinned)",
        "a",
        changes_run=True,
    ),
    Command(
        "unpin",
        "A",
        "unpin_run",
        "Unpin run",
        "Unpin a pinned run",
        "A",
        changes_run=True,
    ),
    Command(
        "redo",
        "y",
        "restore_dropped",
        "Bring back dropped steps",
        "Redo: bring back the dropped steps, as recorded",
        "y",
        changes_run=True,
    ),
    Command(
        "chart", "c", "toggle_chart", "Chart", "Chart: weights or full-data loss", "c", footer=10
    ),
    Command(
        "highlight",
        "w",
        "highlight_weight",
        "Highlight weight",
        "Chart: highlight a weight, the others dim (a form)",
        "w",
    ),
    Command(
        "boundary",
        "v",
        "toggle_boundary",
        "Decision boundary",
        "Decision boundary in the chart's place (v, c: back)",
        "v",
    ),
    Command(
        "boundary-fit",
        "f",
        "toggle_boundary_fit",
        "Boundary window",
        "Decision boundary: zoom out to the lines, or in to the data",
        "f",
    ),
    Command(
        "boundary-features",
        "x",
        "choose_boundary_features",
        "Boundary features",
        "Decision boundary: choose the two features it is drawn over",
        "x",
    ),
    Command(
        "landscape",
        "o",
        "toggle_landscape",
        "Loss landscape",
        "Loss landscape over two weights, with the path (o, c: back)",
        "o",
    ),
    Command(
        "landscape-pair",
        "O",
        "choose_landscape_pair",
        "Landscape weights",
        "Loss landscape: choose the two weights drawn (a form)",
        "O",
    ),
    Command(
        "quiz",
        "Q",
        "toggle_quiz",
        "Quiz",
        "Quiz: type each ? (Enter); → reveals the rest, then steps",
        "Q",
    ),
    Command(
        "quiz-reveal",
        "ctrl+r",
        "quiz_reveal",
        "Reveal",
        "Quiz: reveal the number asked without answering",
        "ctrl+r",
    ),
    Command(
        "scenario-next",
        "n",
        "scenario_next",
        "Next stop",
        "Scenario: run to the next stop (Esc cancels a long run)",
        "n",
        changes_run=True,
    ),
    Command(
        "scenario-note",
        "N",
        "toggle_scenario_note",
        "Scenario note",
        "Scenario: hide or show the note box",
        "N",
    ),
    Command(
        "focus",
        "F",
        "toggle_focus",
        "Focus",
        "Focus: one block in big digits; tab: next; F, Esc: back",
        "F",
    ),
    Command(
        "export-step",
        "E",
        "export_step",
        "Export step",
        "Export this step's derivation to a file (.txt, .md, .tex)",
        "E",
    ),
    Command(
        "copy-step",
        "C",
        "copy_step",
        "Copy step",
        "Copy this step's derivation to the clipboard (OSC 52)",
        "C",
    ),
    Command(
        "panel",
        "tab",
        "next_panel",
        "Panel",
        "Select the next panel (and show it)",
        "tab",
    ),
    Command(
        "scroll-up", "up", "scroll_panel(0, -1)", "Scroll up", "Scroll the selected panel up", "↑"
    ),
    Command(
        "scroll-down",
        "down",
        "scroll_panel(0, 1)",
        "Scroll down",
        "Scroll the selected panel down",
        "↓",
    ),
    Command(
        "page-up",
        "pageup",
        "scroll_panel(0, -10)",
        "Page up",
        "Scroll the selected panel up a page",
        "PgUp",
    ),
    Command(
        "page-down",
        "pagedown",
        "scroll_panel(0, 10)",
        "Page down",
        "Scroll the selected panel down a page",
        "PgDn",
    ),
    Command(
        "scroll-left",
        "shift+left",
        "scroll_panel(-8, 0)",
        "Scroll left",
        "Scroll the selected panel left (wide tables)",
        "shift+←",
    ),
    Command(
        "scroll-right",
        "shift+right",
        "scroll_panel(8, 0)",
        "Scroll right",
        "Scroll the selected panel right (wide tables)",
        "shift+→",
    ),
    *(
        Command(
            f"panel-{name}",
            str(number),
            f"show_panel({name!r})",
            label,
            f"Show the {what}",
            str(number),
        )
        for number, name in enumerate(PANELS, start=1)
        for label, what in [PANEL_NAMES[name]]
    ),
    Command("cancel", "escape", "cancel", "Cancel", "Cancel a background run", "Esc"),
    Command("help", "question_mark,f1", "help", "Help", "This help: every key", "? F1", footer=3),
    Command(
        "save-session",
        "ctrl+s",
        "save_session",
        "Save session",
        "Save the session to a file (--session FILE opens it)",
        "ctrl+s",
        changes_run=True,
    ),
    Command(
        "screenshot",
        "f12",
        "save_screenshot",
        "Screenshot",
        "Save an SVG picture of the screen in the working directory",
        "F12",
    ),
    Command(
        "quit",
        "q",
        "quit",
        "Quit",
        "Quit (ctrl+q from any screen)",
        "q ctrl+q",
        footer=4,
        everywhere="ctrl+q",
    ),
)


# The command palette's entry, docked at the Footer's right, in cells: "▏^p palette" (compact),
# with a cell of padding each side of the key and after the label (not compact).
PALETTE_CELLS = {True: 11, False: 14}


def footer_cells(command: Command, compact: bool) -> int:
    """The cells a command takes in Textual's Footer: its key, a space and its label, and one
    cell of margin (compact) or one of padding either side (not compact)."""
    key = command.keys_shown.split()[0]
    return len(key) + len(command.label) + (2 if compact else 3)


def footer_commands(width: int, compact: bool) -> tuple[tuple[Command, ...], bool]:
    """The Footer's commands at this width, by their place in it, and whether the palette's
    entry fits after them. Each is shown whole or not at all, the first ones first; help and
    quit (3 and 4) fit at any width the app runs at."""
    ranked = sorted((c for c in COMMANDS if c.footer), key=lambda c: c.footer)
    shown: list[Command] = []
    used = 0
    for command in ranked:
        cells = footer_cells(command, compact)
        if used + cells > width:
            break
        shown.append(command)
        used += cells
    return tuple(shown), used + PALETTE_CELLS[compact] <= width


def bindings() -> list[BindingType]:
    made: list[BindingType] = []
    for c in COMMANDS:
        made.append(
            Binding(
                c.keys,
                c.action,
                c.label,
                show=c.footer > 0,
                key_display=c.keys_shown.split()[0],
                id=c.id,
                tooltip=c.help,
                # tab must beat the screen's focus-next on the main screen (see check_action).
                priority=c.id == "panel",
            )
        )
        if c.everywhere:
            # A priority binding of the App is checked before any screen's or widget's: it
            # works in the help screen, the edit form (its Input) and the palette.
            made.append(Binding(c.everywhere, c.action, c.label, show=False, priority=True))
    return made
