"""The built-in datasets: the seed lecture's numbers, the real files' counts, synthetic shapes."""

from __future__ import annotations

import re

import numpy as np
import pytest

from logsgd.core.builtin_datasets import BUILTINS, builtin_names, describe_builtins, load_builtin
from logsgd.core.csvload import DataError
from logsgd.core.maths import FloatArray
from logsgd.core.params import Hyperparams

SYNTHETIC = ["blobs-separable", "blobs-overlapping", "xor"]


def _perceptron(features: FloatArray, labels: FloatArray, epochs: int = 2000) -> FloatArray | None:
    """Weights (bias last) that put every row on its own side, or None if none were found."""
    xb = np.hstack([features, np.ones((features.shape[0], 1))])
    signs = np.where(labels == 1, 1.0, -1.0)
    w = np.zeros(xb.shape[1])
    for _ in range(epochs):
        wrong = 0
        for x, s in zip(xb, signs, strict=True):
            if s * (x @ w) <= 0:
                w = w + s * x
                wrong += 1
        if wrong == 0:
            return w
    return None


def _crossing_segments(features: FloatArray, labels: FloatArray) -> bool:
    """True if a segment between two class-0 points crosses one between two class-1 points.

    Then the classes' convex hulls meet, and no line can separate them: a proof, not a guess.
    """

    def segments(points: FloatArray) -> tuple[FloatArray, FloatArray]:
        i, j = np.triu_indices(points.shape[0], k=1)
        return points[i], points[j]

    a, b = segments(features[labels == 0])
    c, d = segments(features[labels == 1])
    a, b = a[:, None, :], b[:, None, :]
    c, d = c[None, :, :], d[None, :, :]

    def cross(o: FloatArray, p: FloatArray, q: FloatArray) -> FloatArray:
        return (p[..., 0] - o[..., 0]) * (q[..., 1] - o[..., 1]) - (p[..., 1] - o[..., 1]) * (
            q[..., 0] - o[..., 0]
        )

    proper = (cross(a, b, c) * cross(a, b, d) < 0) & (cross(c, d, a) * cross(c, d, b) < 0)
    return bool(proper.any())


@pytest.mark.parametrize("name", builtin_names())
def test_every_builtin_loads_sensibly(name: str) -> None:
    dataset = load_builtin(name)
    assert dataset.name == name
    assert dataset.source == "built-in"
    assert np.all(np.isfinite(dataset.features))
    assert set(dataset.labels.tolist()) == {0.0, 1.0}
    assert len(dataset.class_names) == 2 and dataset.class_names[0] != dataset.class_names[1]
    assert "\n" not in dataset.description and dataset.description.strip()
    # The listing starts with the description and gives the true counts; the description
    # itself names no setting (a run at another lr must not be described as "lr 0.01").
    listing = dict(describe_builtins())[name]
    counts = f"{dataset.n_rows} rows, {dataset.n_features} features: {dataset.description}"
    assert listing.startswith(counts)
    assert not re.search(r"\blr\b|batch|shuffle|--|rows|features:", dataset.description)
    assert dataset.hyperparams.validated(dataset.n_rows) == dataset.hyperparams
    if name != "seed":
        assert dataset.initial_weights is None


def test_seed_is_the_lecture_exactly() -> None:
    seed = load_builtin("seed")
    assert builtin_names()[0] == "seed"
    np.testing.assert_array_equal(
        seed.features, [[121.0, 14.8], [114.0, 15.2], [210.0, 9.4], [198.0, 8.1]]
    )
    np.testing.assert_array_equal(seed.labels, [0.0, 0.0, 1.0, 1.0])
    assert seed.feature_names == ("x1", "x2")
    assert seed.label_name == "y"
    assert seed.initial_weights == (1e-8, -1e-8, 1e-8)
    assert seed.hyperparams == Hyperparams(learning_rate=0.01, batch_size=2, shuffle=False)
    assert "seed lecture" in seed.description


@pytest.mark.parametrize(
    ("name", "zero", "one", "first_row", "row_51"),
    [
        (
            "iris-setosa-versicolor",
            "setosa",
            "versicolor",
            [5.1, 3.5, 1.4, 0.2],
            [7.0, 3.2, 4.7, 1.4],
        ),
        (
            "iris-versicolor-virginica",
            "versicolor",
            "virginica",
            [7.0, 3.2, 4.7, 1.4],
            [6.3, 3.3, 6.0, 2.5],
        ),
    ],
)
def test_iris_variants_keep_file_order(
    name: str, zero: str, one: str, first_row: list[float], row_51: list[float]
) -> None:
    dataset = load_builtin(name)
    assert dataset.features.shape == (100, 4)
    assert dataset.feature_names == ("sepal_length", "sepal_width", "petal_length", "petal_width")
    assert dataset.label_name == "species"
    assert dataset.class_names == (zero, one)
    # The file lists the species in blocks of 50: the first class, then the second.
    np.testing.assert_array_equal(dataset.labels, [0.0] * 50 + [1.0] * 50)
    np.testing.assert_array_equal(dataset.features[0], first_row)
    np.testing.assert_array_equal(dataset.features[50], row_51)
    assert "Fisher 1936" in dataset.description and "CC BY 4.0" in dataset.description


def test_setosa_versicolor_is_linearly_separable() -> None:
    dataset = load_builtin("iris-setosa-versicolor")
    w = _perceptron(dataset.features, dataset.labels)
    assert w is not None
    z = np.hstack([dataset.features, np.ones((100, 1))]) @ w
    assert np.all((z > 0) == (dataset.labels == 1))


def test_breast_cancer() -> None:
    dataset = load_builtin("breast-cancer")
    assert dataset.features.shape == (569, 30)
    assert int(dataset.labels.sum()) == 212
    assert dataset.label_name == "diagnosis"
    assert dataset.class_names == ("benign", "malignant")
    assert dataset.feature_names[0] == "mean_radius"
    assert dataset.feature_names[-1] == "worst_fractal_dimension"
    # The first row of the file is malignant, mean radius 17.99, worst area 2019.
    assert dataset.labels[0] == 1.0
    assert dataset.features[0, 0] == 17.99 and dataset.features[0, 23] == 2019.0
    # The case for --standardize: column scales differ by more than four orders of magnitude.
    scales = np.abs(dataset.features).mean(axis=0)
    assert scales.max() / scales.min() > 1e4
    assert "--standardize" in dict(describe_builtins())["breast-cancer"]


@pytest.mark.parametrize("name", SYNTHETIC)
def test_synthetic_sets_are_the_same_on_every_load(name: str) -> None:
    first, second = load_builtin(name), load_builtin(name)
    np.testing.assert_array_equal(first.features, second.features)
    np.testing.assert_array_equal(first.labels, second.labels)
    assert 40 <= first.n_rows <= 100
    assert first.feature_names == ("x1", "x2")
    assert first.labels.sum() == first.n_rows / 2
    # Two decimals, so they read well on screen.
    np.testing.assert_array_equal(np.round(first.features, 2), first.features)
    # Rows of both classes are mixed, so an unshuffled first batch is not all one class.
    assert 0 < first.labels[:10].sum() < 10


def test_blobs_separable_is_separable() -> None:
    dataset = load_builtin("blobs-separable")
    assert _perceptron(dataset.features, dataset.labels) is not None
    assert not _crossing_segments(dataset.features, dataset.labels)


@pytest.mark.parametrize("name", ["blobs-overlapping", "xor"])
def test_overlapping_and_xor_are_not_linearly_separable(name: str) -> None:
    dataset = load_builtin(name)
    assert _crossing_segments(dataset.features, dataset.labels)


def test_xor_labels_follow_the_signs() -> None:
    dataset = load_builtin("xor")
    opposite = dataset.features[:, 0] * dataset.features[:, 1] < 0
    np.testing.assert_array_equal(dataset.labels, opposite.astype(float))
    # All four quadrants are used, 20 rows each.
    quadrants = {(bool(a > 0), bool(b > 0)) for a, b in dataset.features}
    assert len(quadrants) == 4


def test_the_crossing_check_can_say_no() -> None:
    # A guard on the helper itself: two clearly apart pairs do not cross.
    features = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 5.0], [1.0, 5.0]])
    assert not _crossing_segments(features, np.array([0.0, 0.0, 1.0, 1.0]))
    assert _crossing_segments(features, np.array([0.0, 1.0, 1.0, 0.0]))


def test_names_and_descriptions_agree() -> None:
    assert [name for name, _ in describe_builtins()] == builtin_names() == list(BUILTINS)
    assert set(builtin_names()) >= {
        "seed",
        "iris-setosa-versicolor",
        "iris-versicolor-virginica",
        "breast-cancer",
        *SYNTHETIC,
    }
    for _, description in describe_builtins():
        assert "\n" not in description


def test_unknown_name_lists_the_valid_ones() -> None:
    with pytest.raises(DataError) as caught:
        load_builtin("iris")
    message = str(caught.value)
    assert message.startswith("unknown built-in dataset 'iris'; choose one of: seed, ")
    assert all(name in message for name in builtin_names())
    assert "\n" not in message
    assert caught.value.path is None
