"""core/ never imports Textual: every module of logsgd.core, imported in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

IMPORT_ALL_OF_CORE = textwrap.dedent(
    """
    import importlib, json, pkgutil, sys
    import logsgd.core
    names = ["logsgd.core"] + [
        info.name for info in pkgutil.walk_packages(logsgd.core.__path__, "logsgd.core.")
    ]
    for name in names:
        importlib.import_module(name)
    loaded = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))
    tui = sorted(m for m in sys.modules if m.startswith("logsgd.tui"))
    print(json.dumps({"modules": names, "textual": loaded, "tui": tui}))
    """
)


def test_importing_every_core_module_loads_no_textual() -> None:
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL_OF_CORE],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    # The discovery found the real modules, so the check below is not vacuous.
    assert {"logsgd.core.engine", "logsgd.core.maths", "logsgd.core.params"} <= set(
        report["modules"]
    )
    assert "logsgd.core.dataset" in report["modules"]
    assert report["textual"] == [], f"core loaded Textual: {report['textual']}"
    assert report["tui"] == [], f"core loaded the TUI package: {report['tui']}"


def test_the_check_would_notice_textual() -> None:
    # The same script, with Textual imported on purpose, must report it: the probe works.
    probe = "import textual\n" + IMPORT_ALL_OF_CORE
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert "textual" in report["textual"]


def test_every_public_name_of_core_resolves_when_first_used() -> None:
    # logsgd.core imports its names lazily (PEP 562), so that `import logsgd.core.text` costs
    # no numpy; each listed name must still be there, and be the object of its own module.
    import logsgd.core as core
    from logsgd.core import engine, events

    assert sorted(core.__all__) == sorted(core._HOME)
    for name in core.__all__:
        assert getattr(core, name) is not None, name
    assert core.Engine is engine.Engine and core.StepEvent is events.StepEvent


def test_the_command_line_imports_no_numpy_before_main_runs() -> None:
    code = "import sys, logsgd.tui.cli; print('numpy' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr
