"""The packages' public names are imported on first use, and ``cypsxl run`` loads only
what it computes with.

``cypsxl``, ``cypsxl.model`` and ``cypsxl.casefile`` name their public objects in an
``if TYPE_CHECKING:`` import block (what type checkers read) and import each one when it
is first asked for. These tests hold the two views together - every name of every
``__all__`` imports and is the very object of the module the block names - and fail if
an eager import brings the appraisal, Monte Carlo, monitoring or cost-driver modules back
into ``cypsxl run``. benchmarks/startup.py measures the time.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("cypsxl", "cypsxl.model", "cypsxl.casefile")

#: Runs ``python -m cypsxl ARGS`` (as ``-m`` does) and writes every module it imported,
#: one a line, to the file named first.
PROBE = """
import runpy, sys
out, sys.argv = sys.argv[1], ["cypsxl", *sys.argv[2:]]
try:
    runpy.run_module("cypsxl", run_name="__main__", alter_sys=True)
except SystemExit as done:
    code = done.code
with open(out, "w", encoding="utf-8") as f:
    f.write("\\n".join(sorted(sys.modules)))
sys.exit(code)
"""

#: Modules ``cypsxl run`` has no use for: the appraisal and its numpy_financial, the Monte
#: Carlo run, in-year monitoring, the placement register and workforce cost drivers.
NOT_FOR_RUN = (
    "numpy_financial",
    "cypsxl.model.appraisal",
    "cypsxl.model._levers",
    "cypsxl.model.scenarios",
    "cypsxl.model.monitoring",
    "cypsxl.model.drivers",
    "cypsxl.model.driver_rules",
    "cypsxl.model.register",
    "cypsxl.model.episodes",
    "cypsxl.model.workforce",
    "cypsxl.model.demand",
    "cypsxl.model.dates",
    "cypsxl.casefile._monitoring",
    "cypsxl.casefile._drivers",
    "cypsxl.casefile._write",
    "numpy.typing",
)


def modules_of(tmp_path: Path, *argv: str) -> set[str]:
    """Every module ``python -m cypsxl ARGV`` imports (the command must succeed)."""
    out = tmp_path / "modules.txt"
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(out), *argv],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return set(out.read_text(encoding="utf-8").split())


def declared(package: str) -> dict[str, str]:
    """Each name the package's source imports, and the module it comes from."""
    module = importlib.import_module(package)
    tree = ast.parse(inspect.getsource(module))
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module not in ("typing", "_lazy"):
            home = importlib.util.resolve_name("." * node.level + (node.module or ""), package)
            names.update((alias.asname or alias.name, home) for alias in node.names)
    return names


@pytest.mark.parametrize("package", PACKAGES)
def test_every_public_name_imports_and_is_the_object_of_its_module(package):
    module = importlib.import_module(package)
    homes = declared(package)
    assert sorted(homes) == sorted(module.__all__)  # the typed view names exactly __all__
    for name in module.__all__:
        scope: dict[str, object] = {}
        exec(f"from {package} import {name}", scope)  # as users write it
        real = getattr(importlib.import_module(homes[name]), name)
        assert scope[name] is real, f"{package}.{name}"
        assert getattr(module, name) is real
        assert name in dir(module)
    star: dict[str, object] = {}
    exec(f"from {package} import *", star)
    assert sorted(k for k in star if k != "__builtins__") == sorted(module.__all__)


@pytest.mark.parametrize("package", PACKAGES)
def test_a_name_the_package_does_not_have_is_an_attribute_error(package):
    module = importlib.import_module(package)
    with pytest.raises(AttributeError, match="has no attribute 'npv_typo'"):
        module.npv_typo  # noqa: B018
    with pytest.raises(ImportError):
        exec(f"from {package} import npv_typo", {})


def test_a_fresh_import_of_every_name_gives_the_same_objects(tmp_path):
    # In a new interpreter nothing is loaded yet: each name comes in through the lazy path.
    code = (
        "import sys, cypsxl\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('cypsxl.', 'numpy')))\n"
        "assert loaded == ['cypsxl._lazy', 'cypsxl._version', 'cypsxl.errors'], loaded\n"
        "from cypsxl import load_case, run_case\n"
        "from cypsxl.model import npv, monitor, Case\n"
        "import cypsxl.model.appraisal as a, cypsxl.model.monitoring as m\n"
        "import cypsxl.casefile._read as r, cypsxl.model.case as c\n"
        "assert (npv, monitor, load_case, Case) == (a.npv, m.monitor, r.load_case, c.Case)\n"
        "assert cypsxl.Case is Case and cypsxl.model.npv is npv\n"
        "print(run_case(load_case()).gap.revised.round(3).tolist())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    # The reference case's revised gap, as the package docstring shows it.
    assert done.stdout.strip() == "[0.0, 24.13, 7.854, 18.864]"


@pytest.mark.parametrize("argv", [("run",), ("run", "--json")], ids=" ".join)
def test_run_imports_none_of_the_modules_it_does_not_need(tmp_path, argv):
    modules = modules_of(tmp_path, *argv)
    # The listing is real: what run computes with shows up.
    assert {"cypsxl.model.engine", "cypsxl.casefile._read", "cypsxl.report"} <= modules
    loaded = sorted(m for m in NOT_FOR_RUN if m in modules)
    assert loaded == [], f"cypsxl {' '.join(argv)} imported {loaded}"


def test_the_listing_sees_modules_loaded_on_first_use(tmp_path):
    # appraise asks cypsxl.model for its names lazily; the probe must still see them,
    # or the test above could pass whatever run imported.
    modules = modules_of(tmp_path, "appraise")
    assert {"numpy_financial", "cypsxl.model.appraisal", "cypsxl.model._levers"} <= modules
