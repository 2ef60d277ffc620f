"""Status line: dataset, epoch, batch, step, hyperparameters, full-data loss and accuracy."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from logsgd.core.formatting import fmt, fmt_data
from logsgd.core.params import Hyperparams
from logsgd.tui.panels.base import Panel, set_text
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
        if isinstance(after, bool):
            parts.append(f"{label} {'on' if after else 'off'}")
        elif show_old:
            parts.append(f"{label} {fmt_data(before)} → {fmt_data(after)}")
        else:
            parts.append(f"{label} {fmt_data(after)}")
    return ", ".join(parts)


def status_text(state: ViewState) -> Text:
    event = state.event
    hp = event.next_hyperparams if event.step == 0 else event.hyperparams
    where = (
        "start"
        if event.step == 0
        else f"epoch {event.epoch} batch {event.batch}/{event.batches_per_epoch}"
    )
    parts = [
        f"{state.data.name}",
        f"step {event.step}/{event.history_length}",
        where,
        f"lr {fmt_data(hp.learning_rate)}",
        f"batch size {hp.batch_size}",
        f"shuffle {'on' if hp.shuffle else 'off'}",
        "standardized" if event.standardized else "raw features",
    ]
    if hp.l2:
        parts.append(f"λ {fmt_data(hp.l2)}")
    if hp.momentum:
        parts.append(f"μ {fmt_data(hp.momentum)}")
    # Line 1 says where the run is and how it is doing; line 2 what it runs with.
    text = Text(
        " · ".join(
            [*parts[:3], f"loss {fmt(event.loss_after)}", f"accuracy {event.accuracy_after:.1%}"]
        )
    )
    text.append("\n" + " · ".join(parts[3:]))
    nxt = event.next_hyperparams
    if event.step and nxt != hp:
        text.append(" · next step: " + describe_changes(hp, nxt, show_old=False), style="bold")
    if event.diverged_at is not None:
        text.append(f" · diverged at step {event.diverged_at}", style="bold reverse red")
    if state.playing:
        text.append(f" · ▶ playing {fmt_data(state.speed)}/s", style="bold")
    if state.notice:
        text.append(f"\n{state.notice}", style="italic")
    return text


class StatusLine(Panel):
    """The one line (two with a notice) that says where the run is."""

    DEFAULT_CSS = """
    StatusLine {
        height: auto;
        width: 1fr;
    }
    """

    def compose(self):  # type: ignore[no-untyped-def]
        yield Static(id="status-text")

    def drawn_from(self, state: ViewState) -> tuple[object, ...]:
        return (state.event, state.data, state.notice, state.playing, state.speed)

    def show(self, state: ViewState) -> None:
        set_text(self.query_one("#status-text", Static), status_text(state))
