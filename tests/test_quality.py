"""The project's own gate: lint, format, types, and the examples in the docs."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from cypsxl import parse_case, run_case

ROOT = Path(__file__).resolve().parents[1]


def _run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_lint_clean():
    proc = _run(sys.executable, "-m", "ruff", "check", ".")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruff_format_clean():
    proc = _run(sys.executable, "-m", "ruff", "format", "--check", ".")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_clean_on_the_package():
    proc = _run(sys.executable, "-m", "mypy", "cypsxl")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _toml_blocks(path: Path) -> list[str]:
    return re.findall(r"```toml\n(.*?)```", path.read_text("utf-8"), flags=re.S)


@pytest.mark.parametrize("doc", ["README.md", "docs/case-format.md"])
def test_case_examples_in_the_docs_run(doc):
    blocks = _toml_blocks(ROOT / doc)
    assert blocks, f"{doc} has a case example"
    for block in blocks:
        results = run_case(parse_case(block, doc))
        # the minimal case: CYPS_1 avoids 6 x 0.5 x £55,000 = 0.165 £m in its second year
        assert results.bids.gross_saving[0].tolist() == pytest.approx([0.0, 0.165, 0.495])


def test_mutation_settings_name_files_that_exist_and_every_kill_test():
    """[tool.mutmut] (docs/mutation.md): every file it mutates or runs exists, the whole
    model is mutated, and every file of tests written to kill mutants is in the selection."""
    import tomllib

    settings = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["mutmut"]
    mutated, selected = settings["only_mutate"], settings["pytest_add_cli_args_test_selection"]
    assert [p for p in (*mutated, *selected) if not (ROOT / p).is_file()] == []
    model = {f"cypsxl/model/{p.name}" for p in (ROOT / "cypsxl/model").glob("*.py")}
    assert model - {"cypsxl/model/__init__.py"} <= set(mutated)
    kills = {f"tests/{p.name}" for p in (ROOT / "tests").glob("test_*mutation_kills*.py")}
    assert len(kills) >= 8 and kills <= set(selected)
