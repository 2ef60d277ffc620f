"""Pilot tests of a scenario played in the app (--scenario): n to each stop, the note shown,
a stop's setting changed at its step, the stop's question asked in quiz mode, N."""

from __future__ import annotations

from pathlib import Path

from test_app_keys import WIDE, choose_in_palette, run_scenario
from textual.pilot import Pilot

from logsgd.tui.app import LogSGDApp
from logsgd.tui.cli import build_parser, make_engine, with_scenario
from logsgd.tui.panels.scenario import ScenarioNote
from logsgd.tui.quiz import step_quiz


def scenario_app(*argv: str) -> LogSGDApp:
    setup = with_scenario(build_parser().parse_args(list(argv)))
    return LogSGDApp(make_engine(setup), quiz=setup.quiz, scenario=setup.scenario)


def note(app: LogSGDApp) -> str:
    widget = app.query_one(ScenarioNote)
    return f"{widget.border_title}\n{widget.render()}"


def test_n_runs_to_each_stop_of_the_seed_and_its_note_shows() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        assert "seed lecture · 4 stops" in note(app)
        for step, words in [
            (1, "Rows 1 and 2 are both labelled 0"),
            (2, "Now rows 3 and 4 are shown"),
            (31, "The reason is the small number of epochs"),
            (40, "What standardizing changes"),
        ]:
            await pilot.press("n")
            await pilot.pause()
            assert app.engine.cursor == step
            assert words in note(app)
            assert app.state is not None and app.state.notice.startswith("scenario stop")
        await pilot.press("n")
        assert app.engine.cursor == 40
        assert app.state is not None and "last stop is step 40" in app.state.notice
        await pilot.press("right")
        await pilot.pause()
        assert "stop 4 of 4 (step 40; now at step 41)" in note(app)

    run_scenario(scenario, size=WIDE, app=scenario_app("--scenario", "seed"))


def test_a_stops_setting_changes_at_its_step_by_n_and_by_arrow_keys(tmp_path: Path) -> None:
    lecture = tmp_path / "lecture.toml"
    lecture.write_text(
        '[scenario]\nname = "lr down"\ndataset = "seed"\n'
        '[[stop]]\nstep = 3\nnote = "lr divided by 10 here"\nset = { lr = "0.001" }\n'
        '[[stop]]\nstep = 5\nnote = "on"\n'
    )

    async def by_n(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("n")
        await pilot.pause()
        assert app.engine.cursor == 3
        assert app.engine.hyperparams.learning_rate == 0.001
        assert app.engine.hyperparams_at(3).learning_rate == 0.01
        assert app.state is not None
        assert app.state.notice == "scenario stop 1 of 2, step 3: from step 4: lr 0.01 → 0.001"
        assert "at step 3: lr 0.001" in note(app)
        await pilot.press("n")
        assert app.engine.hyperparams_at(4).learning_rate == 0.001

    run_scenario(by_n, size=WIDE, app=scenario_app("--scenario", str(lecture)))

    async def by_arrows(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press(*["right"] * 6)  # one flush: the walk pauses at step 3
        await pilot.pause()
        assert app.engine.cursor == 6
        assert [app.engine.hyperparams_at(s).learning_rate for s in (3, 4, 6)] == [
            0.01,
            0.001,
            0.001,
        ]
        await pilot.press(*["left"] * 3, *["right"] * 3)  # a replay: nothing dropped
        await pilot.pause()
        assert app.engine.history_length == 6

    run_scenario(by_arrows, size=WIDE, app=scenario_app("--scenario", str(lecture)))


def test_the_stops_question_is_the_one_asked_in_quiz_mode() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("n", "Q")
        await pilot.pause()
        assert app.state is not None
        asked = step_quiz(app.state).asked
        assert [q.name for q in asked] == ["g0"]
        await pilot.press(*"58.75", "enter")
        await pilot.pause()
        assert app.state.quiz.last == "g0: correct: 58.75"
        app.screen.set_focus(None)
        await pilot.press("n")
        await pilot.pause()
        assert app.engine.cursor == 2
        assert [q.name for q in step_quiz(app.state).asked] == ["new w0"]

    run_scenario(scenario, size=WIDE, app=scenario_app("--scenario", "seed"))


def test_shift_n_and_the_palette_hide_and_show_the_note() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        box = app.query_one(ScenarioNote)
        await pilot.press("N")
        await pilot.pause()
        assert not box.display or box.has_class("-hidden")
        await choose_in_palette(app, pilot, "scenario note", "Scenario note · key N")
        await pilot.pause()
        assert not box.has_class("-hidden")

    run_scenario(scenario, size=WIDE, app=scenario_app("--scenario", "seed"))


def test_markup_and_escapes_in_a_note_are_shown_as_typed(tmp_path: Path) -> None:
    lecture = tmp_path / "l.toml"
    lecture.write_text('[[stop]]\nstep = 1\nnote = "[bold red]w[/] \\\\x1b"\n')

    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("n")
        await pilot.pause()
        assert "[bold red]w[/] \\x1b" in note(app)

    run_scenario(scenario, size=WIDE, app=scenario_app("--scenario", str(lecture)))


def test_n_without_a_scenario_says_how_to_play_one() -> None:
    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("n")
        assert app.state is not None and "--scenario FILE" in app.state.notice
        assert app.engine.cursor == 0

    run_scenario(scenario, size=WIDE, app=scenario_app())


def test_a_stop_can_ask_which_rows_flip(tmp_path: Path) -> None:
    lecture = tmp_path / "flips.toml"
    lecture.write_text(
        '[scenario]\nname = "flips"\ndataset = "seed"\n'
        '[[stop]]\nstep = 2\nnote = "all four go back to 1"\nquestion = "flips"\n'
    )

    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        assert app.state is not None and app.state.scenario is not None
        assert app.state.scenario.stops[0].question is not None
        await pilot.press("n", "Q")
        await pilot.pause()
        assert app.engine.cursor == 2
        assert "quiz (Q) asks which rows flip here" in note(app)
        assert [q.name for q in step_quiz(app.state).asked] == ["rows that flip"]
        await pilot.press(*"1-4", "enter")
        await pilot.pause()
        assert app.state.quiz.last == "rows that flip: correct: rows 1-4 flip"

    run_scenario(scenario, size=WIDE, app=scenario_app("--scenario", str(lecture)))


def test_keys_that_run_past_a_stop_that_changes_settings_stop_there_and_change_them(
    tmp_path: Path,
) -> None:
    """R, t, ] and G go past step 3, whose stop sets lr 0.001: each comes back to step 3 with
    lr 0.001 for step 4 on, as → and n would have; the steps run past it are the dropped
    future (y brings them back). A stop whose settings are in effect already is passed by."""
    from test_app_until import choose, open_form, run_and_wait

    lecture = tmp_path / "lecture.toml"
    lecture.write_text(
        '[scenario]\nname = "lr down"\ndataset = "seed"\n'
        '[[stop]]\nstep = 3\nnote = "lr divided by 10 here"\nset = { lr = "0.001" }\n'
    )

    def at_the_stop(app: LogSGDApp, key: str) -> None:
        assert app.engine.cursor == 3, key
        assert app.engine.hyperparams.learning_rate == 0.001, key
        assert app.engine.hyperparams_at(3).learning_rate == 0.01, key
        assert app.state is not None
        assert app.state.notice.startswith("scenario stop 1 of 1, step 3: from step 4: lr"), key
        assert "stopped here: this stop changes settings" in app.state.notice, key

    async def run_keys(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("R")  # ten epoch ends: 20 steps
        await app.workers.wait_for_complete()
        await pilot.pause()
        at_the_stop(app, "R")
        assert app.engine.ghost is not None  # steps 4-20 at lr 0.01, dropped
        await pilot.press("R")  # from the stop on: nothing to stop for
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.engine.cursor == 22
        assert app.engine.hyperparams_at(4).learning_rate == 0.001
        app.engine.jump(1)
        await pilot.press("G")  # past the stop, whose lr step 4 already ran with
        await pilot.pause()
        assert app.engine.cursor == 22 and app.engine.history_length == 22

    run_scenario(run_keys, size=WIDE, app=scenario_app("--scenario", str(lecture)))

    async def until(app: LogSGDApp, pilot: Pilot[int]) -> None:
        form = await open_form(app, pilot)
        await choose(pilot, form, "steps", "10")
        await run_and_wait(app, pilot)
        at_the_stop(app, "t")

    run_scenario(until, size=WIDE, app=scenario_app("--scenario", str(lecture)))

    async def epoch_and_last(app: LogSGDApp, pilot: Pilot[int]) -> None:
        app.engine.run_steps(2)  # to the end of epoch 1, under the stop, with no key
        await pilot.pause()
        await pilot.press("right_square_bracket")  # to the end of epoch 2, step 4: past the stop
        await pilot.pause()
        at_the_stop(app, "]")
        app.engine.set_hyperparams(learning_rate=0.01)  # by hand, at the stop
        app.engine.run_steps(5)
        app.engine.jump(1)
        # G goes past the stop again: as → does, it comes back and sets the stop's lr (a
        # change by hand at a stop lasts until the lecture reaches the stop again).
        await pilot.press("G")
        await pilot.pause()
        at_the_stop(app, "G")

    run_scenario(epoch_and_last, size=WIDE, app=scenario_app("--scenario", str(lecture)))
