"""The built-in datasets: the seed lecture, two-class iris, breast cancer and synthetic sets."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import numpy as np

from .csvload import DataError
from .dataset import Dataset
from .maths import FloatArray
from .params import Hyperparams
from .text import quoted

Builder = Callable[[], Dataset]

BUILTINS: dict[str, Builder] = {}
# What each built-in is, for the data's description (every export's header) and its
# `--list-datasets` line. The description says what the data are, never a setting: a run
# made with --lr 1e306 must not be described as "lr 0.01".
_DESCRIPTIONS: dict[str, str] = {}
# The listing's extra words: rows and features (known without loading), and a hint to try.
_LISTINGS: dict[str, str] = {}

_IRIS_SOURCE = "Fisher 1936, UCI, CC BY 4.0"
_BREAST_CANCER_SOURCE = "Wolberg 1995, UCI, CC BY 4.0"


def _builtin(
    name: str, description: str, rows: int, features: int, hint: str = ""
) -> Callable[[Builder], Builder]:
    """Register a builder under `name`, with its one-line description and its listing."""

    def register(build: Builder) -> Builder:
        BUILTINS[name] = build
        _DESCRIPTIONS[name] = description
        extra = f" ({hint})" if hint else ""
        _LISTINGS[name] = f"{rows} rows, {features} features: {description}{extra}"
        return build

    return register


def builtin_names() -> list[str]:
    """Names of the built-in datasets, the default (`seed`) first."""
    return list(BUILTINS)


def describe_builtins() -> list[tuple[str, str]]:
    """(name, one line: description, rows, features, a hint) for `--list-datasets`."""
    return [(name, _LISTINGS[name]) for name in BUILTINS]


def load_builtin(name: str) -> Dataset:
    """Build the named built-in dataset; an unknown name is a DataError listing the valid ones."""
    build = BUILTINS.get(name)
    if build is None:
        raise DataError(
            None,
            f"unknown built-in dataset {quoted(name)}; choose one of: {', '.join(builtin_names())}",
        )
    return build()


# --- the seed lecture ---------------------------------------------------------------------


@_builtin(
    "seed",
    "the seed lecture's hand-worked example, two features on very different scales",
    rows=4,
    features=2,
    hint="the default; starts at lr 0.01, batch size 2, weights 1e-8, -1e-8, 1e-8",
)
def _seed() -> Dataset:
    return Dataset(
        name="seed",
        description=_DESCRIPTIONS["seed"],
        feature_names=("x1", "x2"),
        label_name="y",
        features=np.array([[121.0, 14.8], [114.0, 15.2], [210.0, 9.4], [198.0, 8.1]]),
        labels=np.array([0.0, 0.0, 1.0, 1.0]),
        hyperparams=Hyperparams(learning_rate=0.01, batch_size=2, shuffle=False),
        initial_weights=(1e-8, -1e-8, 1e-8),
    )


# --- real data shipped with the package (core/data, see ATTRIBUTION.md) --------------------


def _package_table(filename: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a CSV shipped in logsgd.core's data folder (label last)."""
    # Imported here, not at the top: importlib.resources (3 ms, tempfile with it) is not
    # needed for the seed lecture, which the app draws first.
    from importlib import resources

    text = (resources.files("logsgd.core") / "data" / filename).read_text(encoding="utf-8")
    header, *rows = (row for row in csv.reader(io.StringIO(text, newline="")) if row)
    return header, rows


def _two_classes(
    name: str, filename: str, zero: str, one: str, hyperparams: Hyperparams
) -> Dataset:
    """The rows of a shipped file whose label is `zero` or `one`, in file order."""
    header, rows = _package_table(filename)
    kept = [row for row in rows if row[-1] in (zero, one)]
    return Dataset(
        name=name,
        description=_DESCRIPTIONS[name],
        feature_names=tuple(header[:-1]),
        label_name=header[-1],
        features=np.array([[float(value) for value in row[:-1]] for row in kept]),
        labels=np.array([1.0 if row[-1] == one else 0.0 for row in kept]),
        class_names=(zero, one),
        hyperparams=hyperparams,
    )


# The iris file is sorted by species: without shuffling every batch would hold one class,
# the seed lecture's swing. Shuffled is the sensible start; turning it off shows the swing.
_IRIS_HYPERPARAMS = Hyperparams(learning_rate=0.1, batch_size=10, shuffle=True, seed=0)


@_builtin(
    "iris-setosa-versicolor",
    f"iris setosa (0) vs versicolor (1), separable ({_IRIS_SOURCE})",
    rows=100,
    features=4,
)
def _iris_setosa_versicolor() -> Dataset:
    return _two_classes(
        "iris-setosa-versicolor", "iris.csv", "setosa", "versicolor", _IRIS_HYPERPARAMS
    )


@_builtin(
    "iris-versicolor-virginica",
    f"iris versicolor (0) vs virginica (1), overlapping ({_IRIS_SOURCE})",
    rows=100,
    features=4,
)
def _iris_versicolor_virginica() -> Dataset:
    return _two_classes(
        "iris-versicolor-virginica", "iris.csv", "versicolor", "virginica", _IRIS_HYPERPARAMS
    )


@_builtin(
    "breast-cancer",
    f"breast cancer, benign (0) vs malignant (1), features spanning orders of magnitude "
    f"({_BREAST_CANCER_SOURCE})",
    rows=569,
    features=30,
    hint="try --standardize",
)
def _breast_cancer() -> Dataset:
    # Unscaled, the area features (hundreds to thousands) swamp the rest at any rate that
    # moves the small ones; 0.01 keeps the standardized run smooth and the raw one readable.
    return _two_classes(
        "breast-cancer",
        "breast_cancer.csv",
        "benign",
        "malignant",
        Hyperparams(learning_rate=0.01, batch_size=10),
    )


# --- synthetic two-feature sets, the same numbers on every load ----------------------------


def _finish(
    rng: np.random.Generator, features: FloatArray, labels: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Mix the classes' rows (so unshuffled batches see both) and round for the screen."""
    order = rng.permutation(labels.shape[0])
    return np.round(features[order], 2), labels[order]


def _blobs(
    seed: int, per_class: int, centre_zero: tuple[float, float], centre_one: tuple[float, float]
) -> tuple[FloatArray, FloatArray]:
    """Two round Gaussian blobs (spread 0.6) of per_class rows each."""
    rng = np.random.default_rng(seed)
    zero = rng.normal(centre_zero, 0.6, size=(per_class, 2))
    one = rng.normal(centre_one, 0.6, size=(per_class, 2))
    labels = np.repeat([0.0, 1.0], per_class)
    return _finish(rng, np.vstack([zero, one]), labels)


_SYNTHETIC_HYPERPARAMS = Hyperparams(learning_rate=0.1, batch_size=10)


def _synthetic(
    name: str, features: FloatArray, labels: FloatArray, class_names: tuple[str, str]
) -> Dataset:
    """A generated two-feature set, named x1 and x2 as in the lecture."""
    return Dataset(
        name=name,
        description=_DESCRIPTIONS[name],
        feature_names=("x1", "x2"),
        label_name="y",
        features=features,
        labels=labels,
        class_names=class_names,
        hyperparams=_SYNTHETIC_HYPERPARAMS,
    )


@_builtin(
    "blobs-separable",
    "synthetic: two well-apart Gaussian blobs; a line separates them",
    rows=60,
    features=2,
)
def _blobs_separable() -> Dataset:
    features, labels = _blobs(seed=11, per_class=30, centre_zero=(1.0, 1.5), centre_one=(4.0, 4.0))
    return _synthetic("blobs-separable", features, labels, ("blob A", "blob B"))


@_builtin(
    "blobs-overlapping",
    "synthetic: two overlapping Gaussian blobs; no line separates them",
    rows=80,
    features=2,
)
def _blobs_overlapping() -> Dataset:
    features, labels = _blobs(seed=12, per_class=40, centre_zero=(2.0, 2.0), centre_one=(3.0, 2.8))
    return _synthetic("blobs-overlapping", features, labels, ("blob A", "blob B"))


@_builtin(
    "xor",
    "synthetic XOR: 4 clusters, y = 1 where x1 and x2 differ in sign; no line separates them",
    rows=80,
    features=2,
)
def _xor() -> Dataset:
    rng = np.random.default_rng(13)
    centres = np.array([[2.0, 2.0], [-2.0, -2.0], [2.0, -2.0], [-2.0, 2.0]])
    per_cluster = 20
    features = np.vstack([rng.normal(centre, 0.6, size=(per_cluster, 2)) for centre in centres])
    # The first two clusters share a sign (class 0), the last two do not (class 1).
    labels = np.repeat([0.0, 0.0, 1.0, 1.0], per_cluster)
    features, labels = _finish(rng, features, labels)
    return _synthetic("xor", features, labels, ("same sign", "opposite sign"))
