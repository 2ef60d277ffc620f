"""The Dataset value the engine trains on, and feature standardization."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .maths import FloatArray
from .params import Hyperparams


@dataclass(frozen=True)
class Dataset:
    """n rows of d numeric features and a 0/1 label, plus what a screen needs to name them.

    class_names[0] and class_names[1] say what labels 0 and 1 stand for (e.g. "benign",
    "malignant"). hyperparams and initial_weights are the dataset's defaults (the seed lecture
    has its own); None for initial_weights means all zeros.
    """

    name: str
    description: str
    feature_names: tuple[str, ...]
    label_name: str
    features: FloatArray
    labels: FloatArray
    class_names: tuple[str, str] = ("0", "1")
    source: str = "built-in"
    hyperparams: Hyperparams = field(default_factory=Hyperparams)
    initial_weights: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        features = np.array(self.features, dtype=np.float64, copy=True)
        labels = np.array(self.labels, dtype=np.float64, copy=True).reshape(-1)
        if features.ndim != 2 or features.shape[0] != labels.shape[0]:
            raise ValueError("features must be (n, d) and labels (n,)")
        if len(self.feature_names) != features.shape[1]:
            raise ValueError("one feature name per column is needed")
        features.flags.writeable = False
        labels.flags.writeable = False
        object.__setattr__(self, "features", features)
        object.__setattr__(self, "labels", labels)

    @property
    def n_rows(self) -> int:
        return int(self.features.shape[0])

    @property
    def n_features(self) -> int:
        return int(self.features.shape[1])

    @property
    def weight_names(self) -> tuple[str, ...]:
        """w0 .. w(d-1) in the lecture's numbering, then the bias."""
        return tuple(f"w{j}" for j in range(self.n_features)) + (f"w{self.n_features}",)

    def default_initial_weights(self) -> FloatArray:
        if self.initial_weights is not None:
            return np.array(self.initial_weights, dtype=np.float64)
        return np.zeros(self.n_features + 1, dtype=np.float64)


def standardize(features: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Z-score every column with the data's own mean and (population) std.

    A constant column is centred only (its std is taken as 1), never divided by zero.
    Returns (standardized, mean, std_used).
    """
    with np.errstate(over="ignore", invalid="ignore"):
        mean = features.mean(axis=0)
        std = features.std(axis=0)
    finite = np.isfinite(mean) & np.isfinite(std)
    if not bool(np.all(finite)):
        # Values near the float64 limit overflow the plain formula; scale each column by its
        # largest magnitude first (exact in distribution, only the arithmetic is safer).
        scale = np.max(np.abs(features), axis=0)
        scale[scale == 0] = 1.0
        scaled = features / scale
        mean = scaled.mean(axis=0) * scale
        std = scaled.std(axis=0) * scale
    std_used = np.where(std > 0, std, 1.0)
    with np.errstate(over="ignore", invalid="ignore"):
        out = (features - mean) / std_used
    return np.ascontiguousarray(out), mean, std_used
