"""The seed lecture (shared/seed-lecture.md): steps 1 and 2 give every number it lists.

Each number is checked twice: rounded to the digits the lecture gives, it must equal the
lecture's value; and it must agree to 1e-9 relative with an independent 50-digit Decimal
calculation of the same steps (the lecture's formulas, none of the engine's code).
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, Decimal, getcontext
from typing import Any

import numpy as np
import pytest

from logsgd.core import Dataset, Engine, StepEvent, maths

getcontext().prec = 50

FEATURES = [
    [Decimal("121"), Decimal("14.8")],
    [Decimal("114"), Decimal("15.2")],
    [Decimal("210"), Decimal("9.4")],
    [Decimal("198"), Decimal("8.1")],
]
LABELS = [Decimal(0), Decimal(0), Decimal(1), Decimal(1)]
LEARNING_RATE = Decimal("0.01")
INITIAL_WEIGHTS = [Decimal("1e-8"), Decimal("-1e-8"), Decimal("1e-8")]

# The lecture's numbers, exactly as printed in seed-lecture.md.
STEP_1: dict[str, Any] = {
    "rows": [0, 1],
    "z": ["1.072e-06", "9.980e-07"],
    "f": ["0.50000027", "0.50000025"],
    "terms": [["60.500032", "7.4000040", "0.50000027"], ["57.000028", "7.6000038", "0.50000025"]],
    "gradient": ["58.750030", "7.5000039", "0.50000026"],
    "weights_after": ["-0.58750029", "-0.075000049", "-0.0049999926"],
    "predictions_after": ["4.3938e-32", "2.6052e-30", "1.2899e-54", "1.6393e-51"],
    "loss_before": "0.69314695",
    "loss_after": "60.255655",
}
STEP_2: dict[str, Any] = {
    "rows": [2, 3],
    "f": ["1.2899e-54", "1.6393e-51"],
    "terms": [["-210", "-9.4", "-1"], ["-198", "-8.1", "-1"]],
    "gradient": ["-204", "-8.75", "-1"],
    "weights_after": ["1.4524997", "0.012499951", "0.0050000074"],
    "predictions_after": ["1.0", "1.0", "1.0", "1.0"],
    "loss_after": "85.430607",
}


# ---------------------------------------------------------------- an independent reference


def _dot(weights: list[Decimal], row: list[Decimal]) -> Decimal:
    return weights[0] * row[0] + weights[1] * row[1] + weights[2]


def _sigma(z: Decimal) -> Decimal:
    return 1 / (1 + (-z).exp())


def _full_loss(weights: list[Decimal]) -> Decimal:
    # L = log(1 + e^z) - y z: the same quantity as -y log f - (1 - y) log(1 - f).
    total = Decimal(0)
    for row, y in zip(FEATURES, LABELS, strict=True):
        z = _dot(weights, row)
        total += (1 + z.exp()).ln() - y * z
    return total / len(FEATURES)


def _reference_step(weights: list[Decimal], rows: list[int]) -> dict[str, Any]:
    """One lecture step in 50-digit decimals: z, f, terms, mean gradient, new weights, ..."""
    z = [_dot(weights, FEATURES[i]) for i in rows]
    f = [_sigma(v) for v in z]
    terms = [
        [(fi - LABELS[i]) * x for x in [*FEATURES[i], Decimal(1)]]
        for fi, i in zip(f, rows, strict=True)
    ]
    gradient = [sum(column, Decimal(0)) / len(rows) for column in zip(*terms, strict=True)]
    new_weights = [w - LEARNING_RATE * g for w, g in zip(weights, gradient, strict=True)]
    return {
        "z": z,
        "f": f,
        "terms": terms,
        "gradient": gradient,
        "weights_after": new_weights,
        "predictions_after": [_sigma(_dot(new_weights, row)) for row in FEATURES],
        "loss_before": _full_loss(weights),
        "loss_after": _full_loss(new_weights),
    }


REFERENCE_1 = _reference_step(INITIAL_WEIGHTS, STEP_1["rows"])
REFERENCE_2 = _reference_step(REFERENCE_1["weights_after"], STEP_2["rows"])


def assert_lecture_number(value: float, printed: str, reference: Decimal, what: str) -> None:
    """value rounds to the lecture's printed digits and is within 1e-9 of the exact value."""
    exponent = Decimal(printed).as_tuple().exponent
    assert isinstance(exponent, int)
    rounded = Decimal(value).quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_EVEN)
    assert rounded == Decimal(printed), f"{what}: engine {value!r} does not round to {printed}"
    assert math.isfinite(value), f"{what}: engine gave {value!r}"
    relative = abs(Decimal(value) - reference) / abs(reference)
    assert relative <= Decimal("1e-9"), f"{what}: engine {value!r}, exact {reference:.15e}"


def assert_lecture_numbers(
    values: np.ndarray, printed: list[str], reference: list[Decimal], what: str
) -> None:
    assert values.shape == (len(printed),), what
    for j, (value, text, exact) in enumerate(zip(values, printed, reference, strict=True)):
        assert_lecture_number(float(value), text, exact, f"{what}[{j}]")


@pytest.fixture
def engine(seed_dataset: Dataset) -> Engine:
    return Engine(seed_dataset)


@pytest.fixture
def step_1(engine: Engine) -> StepEvent:
    return engine.step()


@pytest.fixture
def step_2(engine: Engine, step_1: StepEvent) -> StepEvent:
    return engine.step()


# ---------------------------------------------------------------- step 1


def test_the_start_is_the_lecture_setup(engine: Engine) -> None:
    start = engine.current()
    assert start.step == 0
    assert start.weights_after.tolist() == [1e-8, -1e-8, 1e-8]
    assert start.hyperparams.learning_rate == 0.01
    assert start.hyperparams.batch_size == 2
    assert not start.hyperparams.shuffle
    assert not start.standardized
    assert start.next_rows.tolist() == [0, 1]
    assert start.rows.size == 0


def test_step_1_runs_batch_1_of_epoch_1_on_rows_1_and_2(step_1: StepEvent) -> None:
    assert (step_1.step, step_1.epoch, step_1.batch, step_1.batches_per_epoch) == (1, 1, 1, 2)
    assert step_1.rows.tolist() == [0, 1]
    assert step_1.labels.tolist() == [0.0, 0.0]
    assert step_1.inputs.tolist() == [[121.0, 14.8], [114.0, 15.2]]
    assert step_1.next_rows.tolist() == [2, 3]


def test_step_1_z_and_f(step_1: StepEvent) -> None:
    assert_lecture_numbers(step_1.z, STEP_1["z"], REFERENCE_1["z"], "z")
    assert_lecture_numbers(step_1.f, STEP_1["f"], REFERENCE_1["f"], "f")


def test_step_1_terms_per_weight_and_their_means(step_1: StepEvent) -> None:
    assert step_1.terms.shape == (2, 3)
    for i in range(2):
        assert_lecture_numbers(
            step_1.terms[i],
            STEP_1["terms"][i],
            REFERENCE_1["terms"][i],
            f"terms of row {i + 1}",
        )
    for name in ("data_gradient", "gradient"):
        assert_lecture_numbers(
            getattr(step_1, name),
            STEP_1["gradient"],
            REFERENCE_1["gradient"],
            name,
        )


def test_step_1_new_weights(step_1: StepEvent) -> None:
    assert_lecture_numbers(
        step_1.weights_after,
        STEP_1["weights_after"],
        REFERENCE_1["weights_after"],
        "weights after step 1",
    )


def test_step_1_predictions_and_full_data_loss(step_1: StepEvent) -> None:
    assert_lecture_numbers(
        step_1.predictions_after,
        STEP_1["predictions_after"],
        REFERENCE_1["predictions_after"],
        "predictions after step 1",
    )
    assert_lecture_number(
        step_1.loss_before,
        STEP_1["loss_before"],
        REFERENCE_1["loss_before"],
        "loss before",
    )
    assert_lecture_number(
        step_1.loss_after,
        STEP_1["loss_after"],
        REFERENCE_1["loss_after"],
        "loss after",
    )


def test_loss_after_step_1_is_finite_although_a_prediction_is_1e_minus_54(
    step_1: StepEvent,
) -> None:
    # Rounded by hand to 0, as the lecture did, 1.29e-54 would make -log f infinite; the
    # engine keeps it and gives the lecture's 60.255655.
    assert step_1.predictions_after.min() < 1e-50
    assert math.isfinite(step_1.loss_after)
    assert 60.2556 < step_1.loss_after < 60.2557


# ---------------------------------------------------------------- step 2


def test_step_2_runs_batch_2_of_epoch_1_on_rows_3_and_4(step_2: StepEvent) -> None:
    assert (step_2.step, step_2.epoch, step_2.batch, step_2.batches_per_epoch) == (2, 1, 2, 2)
    assert step_2.rows.tolist() == [2, 3]
    assert step_2.labels.tolist() == [1.0, 1.0]
    # The next batch is epoch 2's first: rows 1 and 2 again, no shuffle.
    assert step_2.next_rows.tolist() == [0, 1]


def test_step_2_f_terms_means_and_new_weights(step_1: StepEvent, step_2: StepEvent) -> None:
    assert_lecture_numbers(step_2.f, STEP_2["f"], REFERENCE_2["f"], "f")
    for i in range(2):
        assert_lecture_numbers(
            step_2.terms[i],
            STEP_2["terms"][i],
            REFERENCE_2["terms"][i],
            f"terms of row {i + 3}",
        )
    assert_lecture_numbers(
        step_2.gradient,
        STEP_2["gradient"],
        REFERENCE_2["gradient"],
        "gradient",
    )
    assert_lecture_numbers(
        step_2.weights_after,
        STEP_2["weights_after"],
        REFERENCE_2["weights_after"],
        "weights after step 2",
    )
    # The batch's f are step 1's predictions for rows 3 and 4, and its weights_before are
    # step 1's weights_after, bit for bit: the timeline hands one step to the next.
    assert np.array_equal(step_2.weights_before, step_1.weights_after)
    assert np.array_equal(step_2.z_before_all, step_1.z_after_all)


def test_step_2_terms_are_exact_because_f_is_negligible_next_to_1(step_2: StepEvent) -> None:
    # f - 1 rounds to -1 exactly in float64 for f ~ 1e-51, so the terms are -x exactly.
    assert step_2.terms.tolist() == [[-210.0, -9.4, -1.0], [-198.0, -8.1, -1.0]]
    assert step_2.gradient.tolist() == [-204.0, (-9.4 + -8.1) / 2, -1.0]


def test_after_step_2_all_four_predictions_are_one(step_2: StepEvent) -> None:
    assert step_2.predictions_after.tolist() == [1.0, 1.0, 1.0, 1.0]
    assert step_2.accuracy_after == 0.5
    # Rows 1 and 2 are labelled 0 with f = 1.0 exactly: -log(1 - f) from f would be inf. The
    # engine takes the loss from z, so it stays the lecture's finite 85.430607.
    assert step_2.labels.tolist() == [1.0, 1.0]
    assert math.isfinite(step_2.loss_after)
    assert_lecture_number(
        step_2.loss_after,
        STEP_2["loss_after"],
        REFERENCE_2["loss_after"],
        "loss after",
    )
    assert step_2.loss_before == pytest.approx(60.255655, rel=1e-7)


# ---------------------------------------------------------------- the arithmetic holds together


@pytest.mark.parametrize("step", [1, 2])
def test_each_number_follows_from_the_previous_ones_bit_for_bit(engine: Engine, step: int) -> None:
    event = engine.jump(step)
    lr = event.hyperparams.learning_rate
    # The update the lecture writes: w <- w - lr * grad, with grad the mean of the terms.
    assert np.array_equal(event.weights_after, event.weights_before - lr * event.gradient)
    assert np.array_equal(event.gradient, event.terms.mean(axis=0))
    assert np.array_equal(event.gradient, event.data_gradient)
    assert np.array_equal(event.l2_terms, np.zeros(3))
    assert np.array_equal(event.velocity_after, event.gradient)
    residual = event.f - event.labels
    assert np.array_equal(event.terms[:, :2], residual[:, None] * event.inputs)
    assert np.array_equal(event.terms[:, 2], residual)
    # z and f of the batch are the full-data z and predictions of its rows. The batch runs in
    # plain Python floats, the full data in numpy, so z may differ in its last bit, and e^z
    # turns that absolute error (~|z| * 2e-16, z ~ -124 here) into f's relative error.
    np.testing.assert_allclose(event.z, event.z_before_all[event.rows], rtol=1e-15)
    np.testing.assert_allclose(event.f, maths.sigmoid(event.z_before_all)[event.rows], rtol=1e-13)
    w = event.weights_after
    by_hand = [
        1.0 / (1.0 + math.exp(-(w[0] * x1 + w[1] * x2 + w[2])))
        for x1, x2 in engine.dataset.features.tolist()
    ]
    np.testing.assert_allclose(event.predictions_after, by_hand, rtol=1e-13)
    assert event.loss_after == maths.mean_loss(event.z_after_all, engine.dataset.labels)
    assert event.batch_loss == pytest.approx(float(np.mean(event.sample_losses)), rel=1e-15)


def test_the_lecture_numbers_do_not_depend_on_how_the_step_is_reached(
    seed_dataset: Dataset,
) -> None:
    stepped = Engine(seed_dataset)
    stepped.step()
    stepped.step()
    jumped = Engine(seed_dataset)
    jumped.jump(2)
    replayed = Engine(seed_dataset)
    replayed.run_steps(5)
    replayed.jump(2)
    for other in (jumped, replayed):
        assert np.array_equal(other.current().weights_after, stepped.current().weights_after)
        assert other.current().loss_after == stepped.current().loss_after


# ---------------------------------------------------------------- and then the run goes on


def test_the_swing_lasts_15_epochs_then_the_run_settles_near_the_labels(
    engine: Engine,
) -> None:
    """What the numbers show when the run goes on (float64), checked step by step."""
    engine.run_epochs(300)
    assert engine.cursor == 600
    labels = engine.dataset.labels
    swing_sides = []
    for step in range(1, 31):
        event = engine.event_at(step)
        side = event.predictions_after >= 0.5
        # All four predictions on one side: two rows always wrong.
        assert side.all() or not side.any(), f"step {step}: {event.predictions_after}"
        assert event.accuracy_after == 0.5
        swing_sides.append(bool(side[0]))
    # It really swings: both "all near 0" and "all near 1" happen, again and again.
    assert swing_sides.count(True) >= 10 and swing_sides.count(False) >= 5
    for step in range(31, 601):
        assert engine.event_at(step).accuracy_after == 1.0, f"step {step}"
    final = engine.current()
    assert np.abs(final.predictions_after - labels).max() < 2e-4
    assert final.loss_after < 1e-4
    # Settled: epoch-end losses only go down from epoch 17 on.
    epoch_end_losses = engine.loss_at(list(range(34, 601, 2)))
    assert np.all(np.diff(epoch_end_losses) <= 0)


def test_the_seed_lecture_has_two_batches_per_epoch(engine: Engine) -> None:
    engine.run_epochs(3)
    assert engine.cursor == 6
    assert engine.epoch_boundaries() == [0, 2, 4, 6]
    for step in range(1, 7):
        event = engine.event_at(step)
        assert event.epoch == (step + 1) // 2
        assert event.batch == 2 - step % 2
        assert event.batches_per_epoch == 2
        assert event.rows.tolist() == ([0, 1] if step % 2 else [2, 3])
