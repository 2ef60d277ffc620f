"""logsgd.core: the numpy engine, datasets and exports; it never imports Textual.

The names below are imported when first used (PEP 562), not with the package: the command line
imports core.files, core.formats and core.text, which need no numpy, before it knows whether it
will need the engine at all.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

# Where each public name lives.
_HOME = {
    "Dataset": "dataset",
    "TrainingData": "dataset",
    "standardize": "dataset",
    "Engine": "engine",
    "Diverged": "events",
    "EngineMessage": "events",
    "Ghost": "events",
    "HyperparamsChanged": "events",
    "Moved": "events",
    "Reset": "events",
    "StepEvent": "events",
    "Stepped": "events",
    "Switched": "events",
    "Hyperparams": "params",
    "SettingError": "params",
    "validate_initial_weights": "params",
    "maths": "",
}

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
    "Switched",
    "TrainingData",
    "maths",
    "standardize",
    "validate_initial_weights",
]

if TYPE_CHECKING:
    from . import maths
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
        Switched,
    )
    from .params import Hyperparams, SettingError, validate_initial_weights


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = import_module(f"{__name__}.{home or name}")
    value = module if not home else getattr(module, name)
    globals()[name] = value
    return value
