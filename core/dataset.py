"""The Dataset value (features, 0/1 labels, names), standardization, and the data as trained on."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from . import maths
from .maths import FloatArray
from .params import Hyperparams, SettingError


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
        features = _owned(self.features)
        labels = _owned(self.labels).reshape(-1)
        if features.ndim != 2 or features.shape[0] != labels.shape[0]:
            raise ValueError("features must be (n, d) and labels (n,)")
        if len(self.feature_names) != features.shape[1]:
            raise ValueError("one feature name per column is needed")
        if not bool(np.isin(labels, (0.0, 1.0)).all()):
            raise ValueError("labels must be 0 or 1")
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

    def default_initial_weights(self) -> FloatArray:
        if self.initial_weights is not None:
            return np.array(self.initial_weights, dtype=np.float64)
        return np.zeros(self.n_features + 1, dtype=np.float64)


def _owned(values: object) -> FloatArray:
    """values as a float64 array no one else can change: a read-only float64 array as it is
    (the loader of a 5-million-row file hands its array over, no copy), anything else copied."""
    if isinstance(values, np.ndarray) and values.dtype == np.float64 and not values.flags.writeable:
        return values
    return np.array(values, dtype=np.float64, copy=True)


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


@dataclass(frozen=True, eq=False)
class TrainingData:
    """A dataset as the engine trains on it: the inputs (raw or standardized) with the bias
    column, and the labels' signs s = 1 - 2y that the maths is written with."""

    dataset: Dataset
    standardized: bool
    inputs: FloatArray  # (n, d): the features as the engine uses them
    xb: FloatArray  # (n, d + 1): the inputs and the constant 1 the bias multiplies
    labels: FloatArray  # (n,)
    signs: FloatArray  # (n,)
    feature_mean: FloatArray  # (d,): what standardizing subtracted (0 when raw)
    feature_std: FloatArray  # (d,): what it divided by (1 when raw)
    abs_max: FloatArray  # (d + 1,): max_i |x_ij|, so sum_j |w_j| abs_max_j bounds every |z_i|

    @classmethod
    def prepare(cls, dataset: Dataset, standardized: bool) -> TrainingData:
        """The data raw or standardized; SettingError if standardizing overflows."""
        d = dataset.n_features
        if standardized:
            x, mean, std = standardize(dataset.features)
        else:
            x, mean, std = dataset.features, np.zeros(d), np.ones(d)
        with np.errstate(all="ignore"):
            if not bool(np.isfinite(x).all()):
                raise SettingError(
                    "standardizing made a feature non-finite; use the raw features",
                    setting="standardized",
                )
            inputs = _read_only(np.ascontiguousarray(x, dtype=np.float64))
            xb = _read_only(maths.with_bias_column(inputs))
            abs_max = _read_only(np.abs(xb).max(axis=0))
        return cls(
            dataset=dataset,
            standardized=bool(standardized),
            inputs=inputs,
            xb=xb,
            labels=dataset.labels,
            signs=_read_only(maths.label_signs(dataset.labels)),
            feature_mean=_read_only(np.asarray(mean, dtype=np.float64)),
            feature_std=_read_only(np.asarray(std, dtype=np.float64)),
            abs_max=abs_max,
        )

    @property
    def n_rows(self) -> int:
        return int(self.xb.shape[0])

    @property
    def width(self) -> int:
        """The number of weights, d + 1."""
        return int(self.xb.shape[1])

    def overflow(self, weights: FloatArray | list[float], l2: float = 0.0) -> str:
        """Why these weights cannot be trained with ("" if they can): a weight that is not
        finite, a z = w.x on the data that overflows (the loss would be infinite), or with L2
        a penalty lambda/2 sum w_j^2 that overflows (the objective would be)."""
        w = np.asarray(weights, dtype=np.float64)
        with np.errstate(all="ignore"):
            if not bool(np.isfinite(w).all()):
                return "a weight would become infinite or NaN"
            if not math.isfinite(maths.l2_penalty(w, l2)):
                return "the L2 penalty lambda/2 * sum of w_j^2 would overflow"
            # The cheap bound first; only when it overflows is the exact O(n d) check needed.
            if math.isfinite(float(np.abs(w) @ self.abs_max)):
                return ""
            if not bool(np.isfinite(self.xb @ w).all()):
                return "z = w.x would overflow on the data, making the loss infinite"
        return ""


def _read_only(array: FloatArray) -> FloatArray:
    array.flags.writeable = False
    return array
