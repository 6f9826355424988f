"""Shared test set-up.

The xlwings environment is set here, and only here, before anything imports xlwings:
it selects xlwings' Office.js decorators so functions can be called through
xlwings' real conversion layer on Linux. ``noncommercial`` is the PolyForm
Noncommercial key (government institutions are a permitted purpose); see README.
"""

from __future__ import annotations

import os

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
os.environ.setdefault("XLWINGS_ON_SERVER", "true")

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "reference"


@pytest.fixture(scope="session")
def published() -> dict:
    """What the reference Cabinet report printed (shared/reference/rotherham_2016_published.toml).

    Falls back to the copy in tests/data when the repository is used outside its workspace.
    """
    import tomllib

    path = SHARED / "rotherham_2016_published.toml"
    if not path.exists():
        path = ROOT / "tests" / "data" / "rotherham_2016_published.toml"
    return tomllib.loads(path.read_text("utf-8"))
