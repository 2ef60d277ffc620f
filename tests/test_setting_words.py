"""One name and one way of writing each setting: messages, the status line, the edit form."""

from __future__ import annotations

import pytest

from logsgd.core.params import SETTING_NAMES, Hyperparams, SettingError, fmt_setting
from logsgd.tui.panels.status import describe_changes
from logsgd.tui.screens.edit import FIELDS


def test_a_huge_seed_is_written_as_the_whole_number_it_is() -> None:
    # It once read "seed 1e+23": a seed is a whole number, never a float's digits.
    seed = 10**23
    assert fmt_setting("seed", seed) == "100000000000000000000000"
    old, new = Hyperparams(), Hyperparams(seed=seed, shuffle=True)
    assert describe_changes(old, new, show_old=True) == (
        "shuffle on, seed 0 → 100000000000000000000000"
    )
    assert describe_changes(old, new, show_old=False) == (
        "shuffle on, seed 100000000000000000000000"
    )


@pytest.mark.parametrize(
    ("lr", "written"),
    [(1e108, "1e+108"), (1e152, "1e+152"), (0.01, "0.01"), (2.44140625e-06, "2.441e-06")],
)
def test_a_learning_rate_is_written_as_typed_while_it_is_short(lr: float, written: str) -> None:
    assert fmt_setting("learning_rate", lr) == written
    old = Hyperparams(learning_rate=0.5)
    assert describe_changes(old, Hyperparams(learning_rate=lr), show_old=False) == f"lr {written}"


@pytest.mark.parametrize(
    ("hp", "message"),
    [
        (Hyperparams(learning_rate=0.0), "learning rate must be greater than 0, got 0"),
        (Hyperparams(l2=-1.0), "L2 penalty λ must be 0 or more, got -1"),
        (Hyperparams(momentum=1.0), "momentum μ must be at least 0 and below 1, got 1"),
        (Hyperparams(seed=-1), "seed must be 0 or more, got -1"),
        (
            Hyperparams(batch_size=9),
            "batch size must be between 1 and the number of rows (4), got 9",
        ),
    ],
)
def test_every_rule_names_the_setting_by_its_one_name(hp: Hyperparams, message: str) -> None:
    with pytest.raises(SettingError) as raised:
        hp.validated(4)
    assert str(raised.value) == message
    assert str(raised.value).startswith(SETTING_NAMES[raised.value.setting or ""])


def test_the_form_labels_start_with_the_settings_names() -> None:
    for field, label in FIELDS:
        assert label.startswith(SETTING_NAMES[field])


def test_one_row_is_a_row() -> None:
    # It once read "rows 2" for a batch of one row, on screen and in the text export.
    from logsgd.tui.panels.batch import rows_label

    assert rows_label([1]) == "row 2"
    assert rows_label([0, 1]) == "rows 1, 2"
    assert rows_label(list(range(13))).endswith(", … (13 rows)")


def test_the_text_export_says_row_for_a_batch_of_one() -> None:
    from test_cli import ok_stdout, run_cli

    text = ok_stdout(run_cli("--batch-size", "1", "--export", "text", "--steps", "2"))
    assert "Step 1 (epoch 1, batch 1 of 4): row 1; learning rate 0.01" in text
    assert "Step 2 (epoch 1, batch 2 of 4): row 2;" in text


def test_ten_times_a_round_learning_rate_is_round() -> None:
    from logsgd.core.params import scaled

    # In float64 1e110 * 10 is 1.0000000000000001e+111: shown "1.000e+111" beside "1e+110".
    assert 1e110 * 10 != 1e111
    assert scaled(1e110, 10) == 1e111
    assert scaled(0.07, 10) == 0.7 and 0.07 * 10 != 0.7
    assert scaled(0.3, 0.1) == 0.03
    assert scaled(0.01, 2) == 0.02 and scaled(0.01, 0.5) == 0.005


def test_the_lr_keys_show_round_learning_rates() -> None:
    from test_app_keys import run_scenario
    from textual.pilot import Pilot

    from logsgd.tui.app import LogSGDApp

    async def scenario(app: LogSGDApp, pilot: Pilot[int]) -> None:
        await pilot.press("U", "U", "U")
        await pilot.pause()
        assert app.engine.hyperparams.learning_rate == 1e111
        assert "lr 1e+111" in str(app.query_one("#status-text").render())
        await pilot.press("D", "D", "D", "D")
        await pilot.pause()
        assert app.engine.hyperparams.learning_rate == 1e107

    run_scenario(scenario, "--lr", "1e108")
