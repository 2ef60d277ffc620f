"""Every mark on screen is explained where it appears, and what is below a fold is named."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from test_app_keys import run_scenario
from textual.pilot import Pilot

from logsgd.tui.app import LogSGDApp
from logsgd.tui.chartcanvas import ChartCanvas
from logsgd.tui.panels.chart import ChartPanel
from logsgd.tui.panels.gradients import GradientsPanel
from logsgd.tui.panels.predictions import PredictionsPanel
from logsgd.tui.rowtable import RowTable

FULL = (120, 36)


def test_the_gradient_panel_names_the_weights_below_its_fold() -> None:
    # With batch size 3 at 120x36 the bias's block was below the fold, a one-cell scrollbar
    # the only hint that anything was there.
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right")
        await pilot.pause()
        panel = app.query_one(GradientsPanel)
        assert panel.border_subtitle == "w2 (bias) ↓ · ◀ largest term"
        table = panel.query_one(RowTable)
        table.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        assert panel.border_subtitle == "◀ largest term"
        table.scroll_home(animate=False, immediate=True)
        await pilot.pause()
        assert panel.border_subtitle == "w2 (bias) ↓ · ◀ largest term"

    run_scenario(scenario, "--batch-size", "3", size=FULL)


def test_several_weights_below_the_fold_are_counted() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right")
        await pilot.pause()
        subtitle = str(app.query_one(GradientsPanel).border_subtitle)
        assert subtitle == "w2 to w4 ↓ · ◀ largest term", subtitle
        assert subtitle.startswith("w"), subtitle

    run_scenario(scenario, "--dataset", "iris-setosa-versicolor", size=FULL)


def test_all_on_screen_needs_no_hint() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right")
        await pilot.pause()
        assert app.query_one(GradientsPanel).border_subtitle == "◀ largest term"

    run_scenario(scenario, size=FULL)


def test_the_predictions_say_which_class_is_1_and_explain_their_marks(tmp_path: Path) -> None:
    # A label column of pass/fail became 0/1 with no word of which was which.
    data = tmp_path / "exam.csv"
    data.write_text("hours,result\n1,fail\n2,fail\n3,pass\n4,pass\n", encoding="utf-8")

    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right")
        await pilot.pause()
        panel = app.query_one(PredictionsPanel)
        assert panel.border_title == "Predictions · 1 = pass"
        assert panel.border_subtitle == "▶ batch · ⇄ class flipped"

    run_scenario(scenario, str(data), size=FULL)


def test_names_in_a_border_are_text_not_markup(tmp_path: Path) -> None:
    # A border title given as a str is parsed as markup: a class or column name from the file
    # could restyle the border or make a link that quits the app.
    data = tmp_path / "hostile.csv"
    names = ("[@click=app.quit]no[/]", "[b]yes")
    rows = "".join(f"{i},{i % 7},{names[i % 2]}\n" for i in range(1, 41))
    data.write_text(f"a,[red]b,y\n{rows}", encoding="utf-8")

    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("right")
        await pilot.pause()
        predictions = app.query_one(PredictionsPanel)
        title = "Predictions · 1 = [b]yes"
        assert predictions.border_title == Text(title).markup
        gradients = app.query_one(GradientsPanel)
        shown = Text.from_markup(str(gradients.border_subtitle)).plain
        assert shown.startswith("w1 to w2 ↓"), shown

    run_scenario(scenario, str(data), size=(120, 30))


def test_the_chart_names_its_vertical_lines() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        panel = app.query_one(ChartPanel)
        await pilot.press("right")
        await pilot.pause()
        assert panel.border_subtitle == "┊ epoch end · ║ setting changed · ┃ cursor"
        for _ in range(3):
            await pilot.press("right")
        await pilot.press("u", "right", "left", "left")
        await pilot.pause()
        assert panel.border_subtitle == "┊ epoch end · ║ setting changed · ┃ cursor"
        assert {"┊", "┃"} <= set("".join(panel.query_one(ChartCanvas).lines()))

    run_scenario(scenario, size=FULL)


def test_help_explains_every_mark_the_panels_draw() -> None:
    from logsgd.tui.marks import MARKS
    from logsgd.tui.screens.help import marks_table

    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("question_mark")
        await pilot.pause()
        shown = app.screen.query_one("#help-marks").render()
        assert shown is not None
        for columns in (1, 2):
            table = marks_table(columns)
            cells = [str(cell) for column in table.columns for cell in column.cells]
            for mark in MARKS:
                assert mark.mark in cells and mark.meaning in cells

    run_scenario(scenario, size=FULL)


def test_every_mark_a_panel_uses_is_in_the_marks_list() -> None:
    # One definition: the panels draw the marks of tui/marks.py, and help lists them all.
    import logsgd.tui.marks as marks

    characters = {
        value for name, value in vars(marks).items() if name.endswith(("_MARK", "_CHAR", "_MARKER"))
    }
    listed = " ".join(mark.mark for mark in marks.MARKS)
    assert characters and all(character in listed for character in characters)
