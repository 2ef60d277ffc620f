"""logsgd.core: the numpy engine, datasets and exports; it never imports Textual."""

from .dataset import Dataset, TrainingData, standardize
from .engine import Engine
from .events import (
    Diverged,
    EngineMessage,
    Ghost,
    HyperparamsChanged,
    Moved,
    Reset,
    StepEvent,
    Stepped,
)
from .params import Hyperparams, SettingError, validate_initial_weights

__all__ = [
    "Dataset",
    "Diverged",
    "Engine",
    "EngineMessage",
    "Ghost",
    "Hyperparams",
    "HyperparamsChanged",
    "Moved",
    "Reset",
    "SettingError",
    "StepEvent",
    "Stepped",
    "TrainingData",
    "standardize",
    "validate_initial_weights",
]
