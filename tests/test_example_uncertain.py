"""docs/examples/northshire_uncertain_2025.toml: optimism bias and [[uncertainty]] at work.

The example a fresh install can try `cypsxl appraise` and `cypsxl scenarios` on: its
optimism bias moves the figures by the amounts worked out below, and its uncertain
inputs spread the scenarios' percentiles.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cypsxl.cli import main

EXAMPLE = str(
    Path(__file__).resolve().parents[1] / "docs" / "examples" / "northshire_uncertain_2025.toml"
)


def run_json(capsys, *argv: str) -> dict:
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_optimism_bias_moves_each_bid_as_the_case_says(capsys):
    bids = run_json(capsys, "appraise", EXAMPLE)["bids"]
    ncc3 = bids["NCC_3"]["adjusted"]
    # case-wide bias: investment x 1.2 = 1.08, 0.48; savings x 0.85 = 0.17, 0.68, 0.935, 0.935
    assert ncc3["investment"] == pytest.approx([1.08, 0.48, 0.0, 0.0])
    assert ncc3["gross_saving"] == pytest.approx([0.17, 0.68, 0.935, 0.935])
    # NPV at 3.5%: -0.91 + 0.20 / 1.035 + 0.935 / 1.035^2 + 0.935 / 1.035^3
    want = -0.91 + 0.20 / 1.035 + 0.935 / 1.035**2 + 0.935 / 1.035**3
    assert ncc3["npv"] == pytest.approx(want, abs=1e-12)
    # NCC_2's own bias also delays savings a year. Base saving: 2 x 0.5 x 215,000 =
    # 0.215; 2 x 215,000 + 4 x 0.5 x 215,000 = 0.86; 6 x 215,000 + 2 x 215,000 = 1.72;
    # 10 x 215,000 = 2.15 (£m). Cut 15% and moved a year: 0, 0.18275, 0.731, 1.462.
    assert bids["NCC_2"]["gross_saving"] == pytest.approx([0.215, 0.86, 1.72, 2.15])
    assert bids["NCC_2"]["adjusted"]["gross_saving"] == pytest.approx([0, 0.18275, 0.731, 1.462])


def test_scenarios_spread_and_the_seed_reproduces(capsys):
    doc = run_json(capsys, "scenarios", EXAMPLE, "-n", "2000")
    assert doc["seed"] == 2025 and doc["payback_within_years"] == 3  # from [scenarios]
    assert [u["input"] for u in doc["uncertainties"]] == [
        "delivery",
        "avoided_cost",
        "avoided_cost",
        "saving",
        "pressure",
    ]
    # every year's net saving is spread: P10 strictly below P90 (a fixed case has them equal)
    for key in ("base", "adjusted"):
        saving = doc[key]["net_saving"]
        assert all(lo < hi for lo, hi in zip(saving["p10"], saving["p90"], strict=True))
    # NCC_1 (fostering) is the uncertain bid: neither certain to pay back nor certain not to
    assert 0 < doc["base"]["bids"]["NCC_1"]["prob_npv_positive"] < 1
    # optimism bias lowers the programme's NPV at every percentile
    for q in ("p10", "p50", "p90"):
        assert doc["adjusted"]["programme_npv"][q] < doc["base"]["programme_npv"][q]
    assert run_json(capsys, "scenarios", EXAMPLE, "-n", "2000") == doc
