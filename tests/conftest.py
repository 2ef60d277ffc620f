"""Shared fixtures for the engine tests: the seed lecture's dataset and random datasets."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from logsgd.core import Dataset, Hyperparams

SEED_FEATURES = [[121.0, 14.8], [114.0, 15.2], [210.0, 9.4], [198.0, 8.1]]
SEED_LABELS = [0.0, 0.0, 1.0, 1.0]
SEED_INITIAL_WEIGHTS = (1e-8, -1e-8, 1e-8)


def build_seed_dataset() -> Dataset:
    """The seed lecture's setup, written out here so the tests do not depend on a data file."""
    return Dataset(
        name="seed",
        description="The hand-worked lecture exercise: four rows, two features.",
        feature_names=("x1", "x2"),
        label_name="y",
        features=np.array(SEED_FEATURES),
        labels=np.array(SEED_LABELS),
        hyperparams=Hyperparams(learning_rate=0.01, batch_size=2),
        initial_weights=SEED_INITIAL_WEIGHTS,
    )


@pytest.fixture
def seed_dataset() -> Dataset:
    return build_seed_dataset()


def make_dataset(
    n: int = 8,
    d: int = 2,
    seed: int = 0,
    scale: float = 1.0,
    features: object | None = None,
    labels: object | None = None,
    hyperparams: Hyperparams | None = None,
) -> Dataset:
    """A Dataset from given features/labels, or random ones (normal features times `scale`).

    Random labels always hold both classes when n >= 2, so a run has something to separate.
    """
    rng = np.random.default_rng(seed)
    x = (
        np.asarray(features, dtype=np.float64)
        if features is not None
        else rng.normal(size=(n, d)) * scale
    )
    y: np.ndarray
    if labels is not None:
        y = np.asarray(labels, dtype=np.float64)
    else:
        y = np.asarray(rng.integers(0, 2, size=x.shape[0]), dtype=np.float64)
        if x.shape[0] >= 2:
            y[:2] = [0.0, 1.0]
    return Dataset(
        name="random",
        description="random test data",
        feature_names=tuple(f"x{j + 1}" for j in range(x.shape[1])),
        label_name="y",
        features=x,
        labels=y,
        hyperparams=hyperparams or Hyperparams(),
    )


@pytest.fixture
def dataset_maker() -> Callable[..., Dataset]:
    """The `make_dataset` helper as a fixture (it holds no state, so hypothesis may reuse it)."""
    return make_dataset
