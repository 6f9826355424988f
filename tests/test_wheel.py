"""The wheel finance staff install: built from the repository, installed, and run.

README's install step is "build a wheel (``python -m build``) or install from the clone",
so this builds the sdist and the wheel from a copy of the working tree exactly as that
command does (``--no-isolation``: the test extra has the build tools, so no download),
installs the wheel into a fresh virtual environment and runs the installed ``cypsxl``
console script from outside the repository.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from cypsxl import __version__

ROOT = Path(__file__).resolve().parent.parent
LEFT_OUT = shutil.ignore_patterns(
    ".git", "build", "dist", "mutants", "*.egg-info", "__pycache__", ".*_cache", ".venv", ".hyp*"
)


def _run(*argv: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(a) for a in argv], capture_output=True, text=True, cwd=cwd, timeout=300, check=False
    )
    assert done.returncode == 0, f"{argv}: {done.stdout[-1500:]}{done.stderr[-1500:]}"
    return done


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The folder ``python -m build`` wrote the sdist and the wheel to."""
    work = tmp_path_factory.mktemp("wheel")
    shutil.copytree(ROOT, work / "src", ignore=LEFT_OUT)
    _run(
        sys.executable,
        "-m",
        "build",
        "--no-isolation",
        "--outdir",
        work / "dist",
        ".",
        cwd=work / "src",
    )
    return work / "dist"


def test_build_makes_one_pure_python_wheel_with_the_package_data(built):
    names = sorted(p.name for p in built.iterdir())
    assert names == [f"cypsxl-{__version__}-py3-none-any.whl", f"cypsxl-{__version__}.tar.gz"]
    with zipfile.ZipFile(built / names[0]) as wheel:
        inside = set(wheel.namelist())
        entry_points = wheel.read(f"cypsxl-{__version__}.dist-info/entry_points.txt").decode()
    # the embedded reference case and the Green Book schedule travel with the code
    assert {"cypsxl/data/rotherham_2016.toml", "cypsxl/data/green_book.toml"} <= inside
    assert "cypsxl/py.typed" in inside
    assert not any(name.startswith(("tests/", "docs/", "benchmarks/")) for name in inside)
    assert "cypsxl = cypsxl.cli:main" in entry_points


def test_the_wheel_installs_into_a_fresh_venv_and_cypsxl_run_works(built, tmp_path):
    venv = tmp_path / "venv"
    # system site-packages give the dependencies without a download; the wheel's own
    # cypsxl comes first on the venv's path, which the check on __file__ below proves
    _run(sys.executable, "-m", "venv", "--system-site-packages", venv, cwd=tmp_path)
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / ("python.exe" if os.name == "nt" else "python")
    wheel = next(built.glob("*.whl"))
    _run(python, "-m", "pip", "install", "--no-deps", "--no-index", wheel, cwd=tmp_path)
    where = _run(python, "-c", "import cypsxl; print(cypsxl.__file__)", cwd=tmp_path).stdout
    assert Path(where.strip()).is_relative_to(venv), where
    script = bindir / ("cypsxl.exe" if os.name == "nt" else "cypsxl")
    assert _run(script, "--version", cwd=tmp_path).stdout.strip() == f"cypsxl {__version__}"
    out = _run(script, "run", cwd=tmp_path).stdout
    # The reference case's Table 4 as the Cabinet report printed it, 2017/18 to 2019/20
    # (the revised gap 24.130, 7.854, 18.864 £m; 2016/17 met from reserves).
    table4 = next(line for line in out.splitlines() if line.startswith("Revised"))
    assert table4.split()[-3:] == ["24.130", "7.854", "18.864"], table4
