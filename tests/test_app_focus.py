"""Focus mode (F): one block of the derivation at full screen, its results in big digits."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from test_app_keys import COMPACT, WIDE, choose_in_palette, run_scenario
from test_app_quiz import quiz_app
from textual.pilot import Pilot
from textual.widgets import Digits, Input, Static

from logsgd.core.derivation import Derivation
from logsgd.core.formatting import fmt, fmt_prob
from logsgd.tui.app import LogSGDApp
from logsgd.tui.panels.focus import BATCH_BLOCK

# The seed lecture (shared/seed-lecture.md), recomputed in float64.
STEP1_G0, STEP1_W0 = 58.750030, -0.58750029
STEP2_G0, STEP2_W0 = -204.0, 1.4524997
STEP1_Z = (1.072e-06, 9.980e-07)


def big_digits(app: LogSGDApp) -> list[str]:
    """The numbers focus mode shows in big digits, in order; an asked one as "?"."""
    body = app.query_one("#focus-body")
    return [
        w.value if isinstance(w, Digits) else "?"
        for w in body.query("Digits, .focus-asked")
        if isinstance(w, Digits | Static)
    ]


def focus_lines(app: LogSGDApp) -> str:
    """The text focus mode shows (its title and equation lines)."""
    body = app.query_one("#focus-body")
    return "\n".join(str(w.render()) for w in body.query(Static) if "focus-asked" not in w.classes)


def test_focus_shows_a_weights_results_in_big_digits_and_tab_moves_on() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right", "F")
        await pilot.pause()
        state = app.state
        assert state is not None and state.focus and state.focus_block == 0
        assert not app.query_one("#panels").display
        assert app.query_one("#focus").display
        # The lecture's step 1: g0 = 58.75, the new w0 = -0.5875.
        assert big_digits(app) == [fmt(STEP1_G0), fmt(STEP1_W0)] == ["58.75", "-0.5875"]
        assert np.isclose(app.state.event.gradient[0], STEP1_G0, rtol=1e-7)
        text = focus_lines(app)
        assert "g0 = (60.50 + 57.00) / 2 = 58.75" in text
        assert "(f1 - y1) * x1 = 0.5000003 * 121 = 60.50" in text
        assert "w0 <- w0 - lr * g0 = 1.000e-08 - 0.01 * 58.75 = -0.5875" in text
        assert "step 1 · w0 (x1)" in text
        # tab: w1, the bias, then the batch; the selected panel stays as it was.
        selected = state.selected_panel
        await pilot.press("tab")
        event = app.state.event
        assert big_digits(app) == [fmt(event.gradient[1]), fmt(event.weights_after[1])]
        assert big_digits(app) == ["7.500", "-0.07500"]
        await pilot.press("tab", "tab")
        assert app.state.focus_block == BATCH_BLOCK
        derivation = Derivation(event)
        f = [derivation.prob(i).text for i in range(2)]
        assert big_digits(app) == ["1.072E-06", f[0], "9.980E-07", f[1]]
        assert [fmt(z) for z in STEP1_Z] == ["1.072e-06", "9.980e-07"]
        assert app.state.selected_panel == selected
        await pilot.press("tab")
        assert app.state.focus_block == 0
        # → steps as usual, in focus: the lecture's step 2.
        await pilot.press("right")
        await pilot.pause()
        assert app.engine.cursor == 2
        assert big_digits(app) == [fmt(STEP2_G0), fmt(STEP2_W0)] == ["-204.0", "1.452"]
        await pilot.press("tab", "tab", "tab")
        event = app.state.event
        f3 = fmt_prob(float(event.f[0]), float(1 - event.f[0]))
        assert big_digits(app)[1] == f3.replace("e", "E") == "1.290E-54"
        await pilot.press("left")
        await pilot.pause()
        assert app.engine.cursor == 1 and app.state.focus
        assert big_digits(app)[0] == "1.072E-06"
        # Escape leaves focus mode; the panels come back.
        await pilot.press("escape")
        assert not app.state.focus
        assert app.query_one("#panels").display
        assert not app.query_one("#focus").display

    run_scenario(scenario, size=WIDE)


def test_f_leaves_focus_and_the_palette_enters_it() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right")
        await choose_in_palette(app, pilot, "focus", "Focus")
        await pilot.pause()
        assert app.state is not None and app.state.focus
        assert big_digits(app) == ["58.75", "-0.5875"]
        await pilot.press("F")
        assert not app.state.focus
        assert app.engine.cursor == 1

    run_scenario(scenario, size=COMPACT)


def test_focus_at_step_0_says_there_is_no_derivation_yet() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("F")
        await pilot.pause()
        assert "No derivation yet: → runs the first batch." in focus_lines(app)
        assert big_digits(app) == []
        await pilot.press("tab")  # nothing to move to; nothing breaks
        await pilot.press("right")
        await pilot.pause()
        assert big_digits(app) == ["58.75", "-0.5875"]

    run_scenario(scenario, size=(80, 24))


def test_the_quiz_works_in_focus_mode() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right")
        await pilot.pause()
        field = app.query_one("#quiz-input", Input)
        assert app.focused is field
        await pilot.press("escape")  # out of the answer line, so F is a key, not a letter
        await pilot.press("F")
        await pilot.pause()
        assert app.state is not None and app.state.focus
        assert big_digits(app) == ["?", "?"]  # g0 and the new w0 are asked
        assert "58.75" not in focus_lines(app)
        assert "-0.5875" not in focus_lines(app)
        assert app.focused is field  # the answer line asks on, in focus mode
        await pilot.press(*"58.8", "enter")
        await pilot.pause()
        assert big_digits(app) == ["58.75", "?"]
        assert "✓ you wrote 58.8" in focus_lines(app)
        await pilot.press(*"-0.6", "enter")
        await pilot.pause()
        assert big_digits(app) == ["58.75", "-0.5875"]
        assert "✗ you wrote -0.6" in focus_lines(app)
        assert app.state.quiz.score().startswith("score 1 of 2")

    run_scenario(scenario, size=(80, 24), app=quiz_app())


def test_focus_writes_a_csvs_column_names_as_text(tmp_path: Path) -> None:
    """A column named like markup is shown as it is, never read as markup (nor clicked)."""
    data = tmp_path / "marked.csv"
    data.write_text("[@click=app.quit]x,[/foo],label\n1,2,0\n3,1,1\n2,2,0\n4,0,1\n")

    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right", "F")
        await pilot.pause()
        assert "w0 (x1: [@click=app.quit]x)" in focus_lines(app)
        await pilot.press("tab")
        assert "w1 (x2: [/foo])" in focus_lines(app)
        await pilot.click("#focus-body", offset=(10, 0))
        assert app.is_running and app.state is not None and app.state.focus
        event = app.state.event
        assert big_digits(app) == [fmt(event.gradient[1]), fmt(event.weights_after[1])]

    run_scenario(scenario, str(data), size=WIDE)
