"""``cypsxl report`` of a monitoring case with a placement register: looked-after
children at each month end, counted by hand from the register."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from cypsxl.cli import main

EXAMPLE = (
    Path(__file__).resolve().parents[1] / "docs" / "examples" / "northshire_monitoring_2025.toml"
)


REGISTER = """
[[line]]
name = "IFA placements"
group = "Children's Social Care"
budget = 0.5
actual_to_date = 0.3
forecast = "placements"
types = ["ifa"]

[[placement]]
ref = "P1"
type = "ifa"
weekly_cost = 800
start = 2025-04-01
count = 2

[[placement]]
ref = "P2"
type = "ifa"
weekly_cost = 900
start = 2025-06-15
end = 2025-08-30

[[placement]]
ref = "P3"
type = "ifa"
weekly_cost = 850
start = 2025-09-10
"""


def test_looked_after_children_by_month_from_the_register(tmp_path: Path):
    case = tmp_path / "m.toml"
    text = EXAMPLE.read_text("utf-8")
    head, rest = text.split("[[risk]]", 1)
    case.write_text(head + REGISTER + "\n[[risk]]" + rest, "utf-8")
    out = tmp_path / "m.xlsx"
    assert main(["report", str(case), "-o", str(out), "--date", "2025-11-05"]) == 0
    wb = openpyxl.load_workbook(out)
    assert "Looked-after children" in wb.sheetnames and "Charts 2" in wb.sheetnames
    ws = wb["Looked-after children"]
    got = [(ws.cell(r, 1).value, ws.cell(r, 2).value) for r in range(5, 12)]
    # month ends April-October: P1 (2 children) throughout; P2 15 June - 30 August is in
    # at the end of June and July only; P3 from 10 September
    assert got == [
        ("Apr 2025", 2), ("May 2025", 2), ("Jun 2025", 3), ("Jul 2025", 3),
        ("Aug 2025", 2), ("Sep 2025", 3), ("Oct 2025", 3),
    ]  # fmt: skip
    (lac,) = wb["Charts 2"]._charts
    assert lac.series[0].val.numRef.f == "'Looked-after children'!$B$5:$B$11"
