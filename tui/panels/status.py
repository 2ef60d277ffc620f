"""Status line: dataset, epoch, batch, step, hyperparameters, full-data loss and accuracy."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from logsgd.core.formatting import fmt, fmt_data
from logsgd.core.params import Hyperparams, fmt_setting
from logsgd.tui.panels.base import Panel
from logsgd.tui.quiz import step_quiz
from logsgd.tui.state import ViewState

# The settings a lecturer changes live, with their names on screen, in the order listed.
_SETTINGS = (
    ("learning_rate", "lr"),
    ("batch_size", "batch size"),
    ("shuffle", "shuffle"),
    ("l2", "λ"),
    ("momentum", "μ"),
    ("seed", "seed"),
)


def describe_changes(old: Hyperparams, new: Hyperparams, *, show_old: bool) -> str:
    """'lr 0.01 → 0.02, shuffle on' (show_old) or 'lr 0.02, shuffle on': what differs."""
    parts = []
    for field, label in _SETTINGS:
        before, after = getattr(old, field), getattr(new, field)
        if before == after:
            continue
        if show_old and not isinstance(after, bool):
            old_text = fmt_setting(field, before)
            parts.append(f"{label} {old_text} → {fmt_setting(field, after)}")
        else:
            parts.append(f"{label} {fmt_setting(field, after)}")
    return ", ".join(parts)


# Between the parts of a line; a line too wide for the screen breaks here, never inside a part.
SEPARATOR = " · "

Part = tuple[str, str]  # (text, style)


def compared_losses(state: ViewState) -> str:
    """', A 0.6931, B ends at step 12': each pinned run's full-data loss after the same step."""
    return "".join(
        f", {pin.letter} {fmt(pin.loss_at_cursor)}"
        if pin.loss_at_cursor is not None
        else f", {pin.letter} ends at step {pin.history_length}"
        for pin in state.chart.pinned
    )


def status_parts(state: ViewState) -> list[list[Part]]:
    """The status line's lines, each as the parts that SEPARATOR joins."""
    event = state.event
    hp = event.next_hyperparams if event.step == 0 else event.hyperparams
    where = (
        "start"
        if event.step == 0
        else f"epoch {event.epoch} batch {event.batch}/{event.batches_per_epoch}"
    )
    # Line 1 says where the run is and how it is doing; line 2 what it runs with. In quiz
    # mode the new weights' figures wait for the step's answers.
    hidden = step_quiz(state).results_hidden
    loss = "?" if hidden else fmt(event.loss_after)
    accuracy = "?" if hidden else f"{event.accuracy_after:.1%}"
    first = [
        state.data.name,
        f"step {event.step}/{event.history_length}",
        where,
        f"loss {loss}" + compared_losses(state),
        f"accuracy {accuracy}",
    ]
    if hp.l2:
        # What SGD minimises with L2 on; "loss" stays the mean cross-entropy alone.
        objective = "?" if hidden else fmt(event.objective_after)
        first.insert(4, f"objective {objective} (loss + λ/2 Σw²)")
    second = [
        f"lr {fmt_setting('learning_rate', hp.learning_rate)}",
        f"batch size {hp.batch_size}",
        f"shuffle {'on' if hp.shuffle else 'off'}",
        "standardized" if event.standardized else "raw features",
    ]
    if hp.l2:
        second.append(f"λ {fmt_setting('l2', hp.l2)}")
    if hp.momentum:
        second.append(f"μ {fmt_setting('momentum', hp.momentum)}")
    settings: list[Part] = [(part, "") for part in second]
    nxt = event.next_hyperparams
    if event.step and nxt != hp:
        settings.append(("next step: " + describe_changes(hp, nxt, show_old=False), "bold"))
    if event.diverged_at is not None:
        settings.append((f"diverged at step {event.diverged_at}", "bold reverse red"))
    if state.playing:
        settings.append((f"▶ playing {fmt_data(state.speed)}/s", "bold"))
    lines = [[(part, "") for part in first], settings]
    # The notice's line is always there, empty without one: a notice coming or going never
    # moves the panels (it once pushed every panel down a row for good).
    lines.append([(state.notice, "italic")])
    return lines


def fit_parts(parts: list[Part], width: int) -> list[Text]:
    """One line of parts, broken between parts into lines of at most `width` cells.

    A styled part carries the separator before it in its own style. A part wider than the
    width on its own is broken at its spaces by the caller (Text.wrap).
    """
    lines: list[Text] = []
    line = Text()
    for text, style in parts:
        piece = SEPARATOR + text if line else text
        if line and line.cell_len + Text(piece).cell_len > width:
            lines.append(line)
            line, piece = Text(), text
        line.append(piece, style=style or None)
    lines.append(line)
    return lines


class StatusLine(Panel, Static):
    """Where the run is (two lines, a third with a notice; more when the screen is narrow).

    Its height is the number of lines it writes, set only when that number changes; the text
    is then updated without a layout pass (one redraws every panel).
    """

    DEFAULT_CSS = """
    StatusLine {
        height: auto;
        width: 1fr;
    }
    """

    wraps_to_width = True

    def drawn_from(self, state: ViewState) -> tuple[object, ...]:
        return (
            state.event,
            state.data,
            state.notice,
            state.playing,
            state.speed,
            state.chart.pinned,
            step_quiz(state).results_hidden,
        )

    def show(self, state: ViewState) -> None:
        # The whole screen's width, less the padding (before the first layout too).
        width = self.content_region.width or self.app.size.width - self.styles.gutter.width
        console = self.app.console
        lines = [
            wrapped
            for parts in status_parts(state)
            for line in fit_parts(parts, width)
            for wrapped in (
                line.wrap(console, width, overflow="fold") if line.cell_len > width > 0 else [line]
            )
        ]
        self.styles.height = len(lines)  # the same number again is no change, no layout
        self.update(Text("\n").join(lines), layout=False)
