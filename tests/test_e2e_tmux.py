"""End to end: the real `logsgd-tui` in a private tmux server, driven by keys, read off screen."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tmux_harness import FIRST_FRAME_SECONDS, TmuxApp, tmux_apps

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None,
    reason="tmux is not installed (CI installs it: apt-get install tmux)",
)


@pytest.fixture
def launch(tmp_path: Path) -> Iterator[Callable[..., TmuxApp]]:
    """Start `logsgd-tui` at a given terminal size; the tmux server is killed whatever happens."""
    with tmux_apps(tmp_path) as start:
        yield start


def test_seed_lecture_steps_forward_and_back_then_quits(
    launch: Callable[..., TmuxApp],
) -> None:
    app = launch(120, 36)
    # Step 0: the seed lecture's start, full-data loss ln 2, all panels at once (no compact tabs).
    app.wait_for(
        ("step 0/0", "0.6931", "No step yet", "No gradient yet"),
        hides=("3 predictions",),  # the tabs: none in the full layout
        seconds=FIRST_FRAME_SECONDS,
    )

    # Step 1, rows 1 and 2: z1 = 1.072e-06 (batch), f1 after = 4.394e-32 (predictions),
    # term (f1 - y1) * x1 = 60.50 and w0 = -0.5875 (gradients).
    app.press("Right")
    app.wait_for(("step 1/1", "1.072e-06", "4.394e-32", "60.50", "-0.5875"), hides=("-210.0",))

    # Step 2, rows 3 and 4, the swing: term (f3 - y3) * x1 = -210.0, mean -204.0, w0 = 1.452.
    app.press("Right")
    app.wait_for(("step 2/2", "-210.0", "-204.0", "1.452"), hides=("60.50",))

    # Back: step 1's numbers again, and step 2 is still recorded (2 steps in the history).
    app.press("Left")
    app.wait_for(("step 1/2", "1.072e-06", "4.394e-32", "60.50", "-0.5875"), hides=("-210.0",))

    app.press("q")
    assert app.wait_for_exit() == "0"


def test_80x24_shows_the_batch_beside_the_gradient_and_a_selected_panel_in_its_place(
    launch: Callable[..., TmuxApp],
) -> None:
    app = launch(80, 24)
    # The derivation side by side, the tabs naming all five; no predictions table.
    app.wait_for(
        ("0.6931", "1 dataset", "3 predictions", "No step yet", "No gradient yet"),
        hides=("f after",),
        seconds=FIRST_FRAME_SECONDS,
    )

    # Step 1: z1 (batch) beside the gradient's terms, their mean and the new w0.
    app.press("Right")
    app.wait_for(("1.072e-06", "60.50", "57.00", "58.75", "-0.5875"), hides=("4.394e-32",))

    # 3: the predictions take the batch's place; the gradient stays.
    app.press("3")
    app.wait_for(("4.394e-32", "60.50"), hides=("1.072e-06",))

    app.press("q")
    assert app.wait_for_exit() == "0"
