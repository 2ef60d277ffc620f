"""Files the tool reads are parsed as data only: no pickle, no eval, anywhere in the package."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted([*ROOT.joinpath("core").rglob("*.py"), *ROOT.joinpath("tui").rglob("*.py")])
# Modules that turn bytes into code or objects, and builtins that run text as code.
CODE_LOADERS = {"pickle", "cPickle", "dill", "marshal", "shelve", "joblib", "yaml"}
CODE_RUNNERS = {"eval", "exec", "compile", "__import__"}
NUMPY_LOADERS = {"load", "loads", "fromfile", "loadtxt", "genfromtxt"}


def test_the_package_sources_are_found() -> None:
    names = {path.name for path in SOURCES}
    assert {"csvload.py", "engine.py", "export.py", "app.py", "cli.py"} <= names


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_source_loads_objects_or_runs_text_as_code(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                assert alias.name.split(".")[0] not in CODE_LOADERS, (path, alias.name)
        elif isinstance(node, ast.ImportFrom) and node.module:
            assert node.module.split(".")[0] not in CODE_LOADERS, (path, node.module)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in CODE_RUNNERS, (path, node.lineno, node.func.id)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            # numpy's own loaders can unpickle (np.load with allow_pickle); none is used.
            owner = node.func.value
            if isinstance(owner, ast.Name) and owner.id in {"np", "numpy"}:
                assert node.func.attr not in NUMPY_LOADERS, (path, node.lineno, node.func.attr)
