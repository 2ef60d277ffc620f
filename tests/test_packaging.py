"""The wheel ships logsgd.core and logsgd.tui whole, and runs from an install outside the repo.

Building the wheel takes a few seconds (pip fetches the build backend pyproject.toml asks
for, as any install does); the whole module stays well under a minute.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import tomllib
import zipfile
from collections.abc import Iterator
from importlib.metadata import Distribution, distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement

import logsgd.core
import logsgd.tui

REPO = Path(__file__).resolve().parents[1]
# Where each importable package lives in the source tree (pyproject's package-dir).
SOURCE_OF = {"logsgd.core": REPO / "core", "logsgd.tui": REPO / "tui"}
BUILD_TIMEOUT = 300
# Not part of the package: caches and build output a working copy may hold.
IGNORED = shutil.ignore_patterns(
    ".git",
    ".venv",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    "*.pyc",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".hypothesis",
)

PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]

# Run in a fresh interpreter: import every module of both packages, load the data files,
# and report where everything came from.
PROBE = textwrap.dedent(
    """
    import importlib, json, pkgutil, sys
    import logsgd.core, logsgd.tui
    from importlib.resources import files
    from logsgd.core.builtin_datasets import load_builtin

    modules = []
    for package in (logsgd.core, logsgd.tui):
        modules.append(package.__name__)
        modules += [
            info.name for info in pkgutil.walk_packages(package.__path__, package.__name__ + ".")
        ]
    for name in modules:
        importlib.import_module(name)
    iris = load_builtin("iris-setosa-versicolor")
    cancer = load_builtin("breast-cancer")
    print(json.dumps({
        "modules": sorted(modules),
        "files": sorted(
            m.__file__ for n, m in sys.modules.items()
            if n.split(".")[0] == "logsgd" and getattr(m, "__file__", None)
        ),
        "iris": [iris.n_rows, iris.n_features, sorted(set(iris.labels.tolist()))],
        "cancer": [cancer.n_rows, cancer.n_features],
        "stylesheet": len(files("logsgd.tui").joinpath("app.tcss").read_text()),
    }))
    """
)


def _source_files(suffix: str) -> dict[str, Path]:
    """Wheel path (logsgd/tui/panels/batch.py) -> source file, for every file with suffix."""
    found: dict[str, Path] = {}
    for package, root in SOURCE_OF.items():
        prefix = package.replace(".", "/")
        for path in root.rglob(f"*{suffix}"):
            if "__pycache__" not in path.parts:
                found[f"{prefix}/{path.relative_to(root).as_posix()}"] = path
    return found


def _module_names() -> set[str]:
    """Every importable module of both packages, from the source tree."""
    names = set()
    for wheel_path in _source_files(".py"):
        parts = wheel_path.removesuffix(".py").split("/")
        if parts[-1] == "__init__":
            parts.pop()
        names.add(".".join(parts))
    return names


def _run(
    command: list[str | Path], cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        check=False,
        cwd=cwd,
        env=env,
    )
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from a clean copy of the working tree (no stale build/ can leak in)."""
    source = tmp_path_factory.mktemp("source") / "logsgd-tui"
    shutil.copytree(REPO, source, ignore=IGNORED)
    dist = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(dist), source])
    (built,) = dist.glob("*.whl")
    return built


@pytest.fixture(scope="module")
def wheel_names(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        return archive.namelist()


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel installed into a directory of its own."""
    target = tmp_path_factory.mktemp("installed")
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--target",
            str(target),
            str(wheel),
        ]
    )
    return target


def _isolated_python(target: Path) -> tuple[list[str], dict[str, str]]:
    """A Python that sees the install in target and the test venv's libraries, but not the repo.

    `-S` skips site-packages' .pth files: the editable install's import hook lives in one and
    would quietly fill in any module the wheel lacks from the working tree.
    """
    libraries = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONPATH"] = os.pathsep.join([str(target), *libraries])
    env["PYTHONIOENCODING"] = "utf-8"
    return [sys.executable, "-S"], env


def _dist_info() -> str:
    name = PROJECT["name"].replace("-", "_")
    return f"{name}-{PROJECT['version']}.dist-info"


# ---------------------------------------------------------------------------- the wheel


def test_wheel_holds_only_the_logsgd_namespace(wheel_names: list[str]) -> None:
    top_level = {name.split("/")[0] for name in wheel_names}
    assert top_level == {"logsgd", _dist_info()}
    # In particular no generic top-level `core` or `tui` package.
    assert not any(name.startswith(("core/", "tui/", "tests/")) for name in wheel_names)


def test_wheel_holds_every_module_of_the_source(wheel_names: list[str]) -> None:
    expected = set(_source_files(".py"))
    assert {"logsgd/core/engine.py", "logsgd/tui/cli.py", "logsgd/tui/app.py"} <= expected
    shipped = {name for name in wheel_names if name.endswith(".py")}
    missing = sorted(expected - shipped)
    assert not missing, f"modules missing from the wheel: {missing}"
    assert shipped == expected


def test_wheel_holds_the_data_and_the_stylesheet(wheel: Path, wheel_names: list[str]) -> None:
    needed = {
        "logsgd/core/data/iris.csv": REPO / "core" / "data" / "iris.csv",
        "logsgd/core/data/breast_cancer.csv": REPO / "core" / "data" / "breast_cancer.csv",
        "logsgd/core/data/ATTRIBUTION.md": REPO / "core" / "data" / "ATTRIBUTION.md",
        "logsgd/core/py.typed": REPO / "core" / "py.typed",
        "logsgd/tui/app.tcss": REPO / "tui" / "app.tcss",
    }
    assert set(needed) <= set(wheel_names)
    with zipfile.ZipFile(wheel) as archive:
        for name, source in needed.items():
            assert archive.read(name) == source.read_bytes(), name
    # Every stylesheet of the app, not only the main one; serve's pages.
    assert set(_source_files(".tcss")) <= set(wheel_names)
    pages = {"logsgd/tui/serve_templates/app_index.html", "logsgd/tui/serve_templates/full.html"}
    assert pages <= set(_source_files(".html")) <= set(wheel_names)


def test_wheel_metadata(wheel: Path, wheel_names: list[str]) -> None:
    info = _dist_info()
    with zipfile.ZipFile(wheel) as archive:
        entry_points = archive.read(f"{info}/entry_points.txt").decode()
        metadata = archive.read(f"{info}/METADATA").decode()
    assert "logsgd-tui = logsgd.tui.cli:main" in entry_points.splitlines()
    assert f"Version: {PROJECT['version']}" in metadata.splitlines()
    required = {
        str(Requirement(line.removeprefix("Requires-Dist: ")))
        for line in metadata.splitlines()
        if line.startswith("Requires-Dist: ") and "extra ==" not in line
    }
    assert required == {str(Requirement(text)) for text in PROJECT["dependencies"]}
    assert {Requirement(text).name for text in PROJECT["dependencies"]} >= {"numpy", "textual"}


# ---------------------------------------------------------------------------- installed


def test_installed_wheel_imports_every_module_from_the_install(
    installed: Path, tmp_path: Path
) -> None:
    python, env = _isolated_python(installed)
    result = _run([*python, "-c", PROBE], cwd=tmp_path, env=env)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(report["modules"]) == _module_names()
    outside = [f for f in report["files"] if not Path(f).is_relative_to(installed)]
    assert not outside, f"imported from outside the install: {outside}"
    assert str(installed / "logsgd" / "core" / "__init__.py") in report["files"]
    assert report["iris"] == [100, 4, [0.0, 1.0]]
    assert report["cancer"] == [569, 30]
    assert report["stylesheet"] == len((REPO / "tui" / "app.tcss").read_text())


def test_installed_wheel_exports_from_another_directory(installed: Path, tmp_path: Path) -> None:
    python, env = _isolated_python(installed)
    result = _run(
        [
            *python,
            "-m",
            "logsgd.tui.cli",
            "--dataset",
            "iris-setosa-versicolor",
            "--export",
            "summary",
        ],
        cwd=tmp_path,
        env=env,
    )
    summary = json.loads(result.stdout)
    assert summary["dataset"] == "iris-setosa-versicolor"
    assert summary["steps"] > 0 and len(summary["weights"]) == 5
    assert result.stderr == ""
    assert (installed / "bin" / "logsgd-tui").is_file()


def test_the_isolated_python_cannot_see_the_working_tree(installed: Path, tmp_path: Path) -> None:
    # Without the install on its path the same interpreter finds no logsgd at all, so the
    # checks above really run against the wheel.
    python, env = _isolated_python(installed)
    env["PYTHONPATH"] = env["PYTHONPATH"].split(os.pathsep, 1)[1]
    result = subprocess.run(
        [*python, "-c", "import logsgd.core"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
        env=env,
    )
    assert result.returncode != 0
    assert "No module named 'logsgd'" in result.stderr


# ---------------------------------------------------------------------------- editable


def _editable_distribution() -> Iterator[Distribution]:
    for dist in distributions(name=PROJECT["name"]):
        direct_url = dist.read_text("direct_url.json")
        if direct_url and json.loads(direct_url).get("dir_info", {}).get("editable"):
            yield dist


def test_the_editable_install_maps_onto_the_working_tree(tmp_path: Path) -> None:
    editable = list(_editable_distribution())
    if not editable:
        pytest.skip("the tests are not running on an editable install")
    url = json.loads(editable[0].read_text("direct_url.json") or "{}")["url"]
    assert Path(url.removeprefix("file://")).resolve() == REPO
    assert Path(logsgd.core.__file__ or "").resolve() == REPO / "core" / "__init__.py"
    assert Path(logsgd.tui.__file__ or "").resolve() == REPO / "tui" / "__init__.py"
    # From another directory, with site-packages as usual: every module comes from the repo.
    result = _run([sys.executable, "-c", PROBE], cwd=tmp_path)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(report["modules"]) == _module_names()
    assert all(Path(f).resolve().is_relative_to(REPO) for f in report["files"])
    assert report["iris"] == [100, 4, [0.0, 1.0]]
