"""Driver tables in a case file, and monitoring lines forecast from them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cypsxl.casefile._monitoring import load_monitoring, parse_monitoring
from cypsxl.cli import main
from cypsxl.errors import CaseError
from cypsxl.model.monitoring import monitor

HEADER = """
[monitoring]
authority = "Northshire"
year = "2025/26"
period = 7                      # as at 31 October 2025: 214 days gone, 151 to come
"""

LINES = """
[[line]]
name = "Agency placements"
group = "Children's Social Care"
budget = 1.0
actual_to_date = 0.5
forecast = "placements"
types = ["ifa"]

[[line]]
name = "Agency social workers"
group = "Children's Social Care"
budget = 0.2
actual_to_date = 0.1
forecast = "workforce"
kinds = ["agency"]
"""

DRIVERS = """
[[placement]]
ref = "P1"
type = "ifa"
weekly_cost = 7000
start = 2025-04-01

[[placement]]
ref = "P2"
type = "secure"                  # not an IFA: outside the line's types
weekly_cost = 70000
start = 2025-04-01

[[post]]
team = "Safeguarding"
role = "Social worker"
kind = "agency"
fte = 1
weekly_rate = 1400

[[post]]
team = "Safeguarding"
role = "Social worker"
kind = "permanent"
fte = 1
annual_cost = 52000
"""


def test_placements_and_workforce_lines_forecast_from_the_drivers() -> None:
    case = parse_monitoring(HEADER + LINES + DRIVERS, "m.toml")
    r = monitor(case)
    # placements (IFA only): 0.5 actual + 7,000 x 151 / 7 = £151,000 -> 0.651;
    # the register to date: 7,000 x 214 / 7 = £214,000 -> 0.214 - 0.5 = -0.286
    # workforce (agency): 0.1 + 1,400 x 151 / 7 = £30,200 -> 0.1302; to date
    # 1,400 x 214 / 7 = 42,800 -> 0.0428 - 0.1 = -0.0572
    assert r.lines.forecast_outturn.tolist() == pytest.approx([0.651, 0.1302])
    assert r.lines.reconciliation.tolist() == pytest.approx([-0.286, -0.0572])


def test_a_register_csv_is_read_relative_to_the_case(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "register.csv").write_text(
        "ref,type,weekly_cost,start,end\nP9,ifa,700,01/11/2025,30/11/2025\n", encoding="utf-8"
    )
    case_file = tmp_path / "m.toml"
    case_file.write_text(
        HEADER
        + LINES.split("[[line]]")[0]
        + "[[line]]"
        + LINES.split("[[line]]")[1]
        + '\n[register]\ncsv = "data/register.csv"\n',
        encoding="utf-8",
    )
    r = monitor(load_monitoring(case_file))
    # November: 30 days x 700 / 7 = £3,000 to come -> 0.5 + 0.003
    assert r.lines.forecast_outturn.tolist() == pytest.approx([0.503])


def _problems(text: str) -> list[str]:
    with pytest.raises(CaseError) as exc:
        parse_monitoring(text, "m.toml")
    return [str(p) for p in exc.value.problems]


def test_driver_problems_are_located_with_the_nearest_key() -> None:
    # lines: HEADER 1-5, the two [[line]] tables 6-21, [[placement]] P1 from 23 (weekly_cost 26)
    text = (
        HEADER
        + LINES.replace('types = ["ifa"]', 'types = ["ifaa"]')
        + DRIVERS.replace("weekly_cost = 7000", "weekly_cst = 7000")
    )
    got = _problems(text)
    assert any(
        p.startswith(
            "m.toml:26: placement P1: 'weekly_cst': unknown key; did you mean 'weekly_cost'?"
        )
        for p in got
    ), got
    assert any("placement P1: 'weekly_cost': missing; expected £ a week >= 0" in p for p in got)
    assert any(
        p.startswith(
            "m.toml:13: line Agency placements: 'types': unknown placement type 'ifaa'; "
            "did you mean 'ifa'?"
        )
        for p in got
    ), got


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "start = 2025-04-01\n\n[[placement]]",
            'start = "31/02/2025"\n\n[[placement]]',
            "placement P1: 'start': expected a date such as 2025-04-01, got '31/02/2025'",
        ),
        (
            "weekly_cost = 7000",
            "weekly_cost = 7000\nhealth_share = 0.7\neducation_share = 0.4",
            "placement P1: 'education_share': health_share + education_share = 1.1; "
            "expected at most 1",
        ),
        (
            "weekly_cost = 7000",
            "weekly_cost = 7000\nend = 2025-03-01",
            "placement P1: 'end': ends before it starts (end < start)",
        ),
        (
            'ref = "P2"',
            'ref = "P1"',
            "placement P1: 'ref': duplicate reference (also placement #1); expected each ref once",
        ),
        ("weekly_rate = 1400", "", "'weekly_rate': missing; an agency post needs its weekly rate"),
        (
            'kind = "agency"',
            'kind = "locum"',
            "'kind': expected permanent, agency or vacant, got 'locum'",
        ),
        ("fte = 1\nweekly", "fte = 0\nweekly", "'fte': expected an FTE > 0, got 0"),
    ],
)
def test_each_kind_of_driver_problem(old: str, new: str, message: str) -> None:
    got = _problems(HEADER + LINES + DRIVERS.replace(old, new, 1))
    assert any(message in p for p in got), got


def test_a_placements_line_without_a_register() -> None:
    got = _problems(HEADER + LINES.split('[[line]]\nname = "Agency social')[0])
    assert got == [
        "m.toml:12: line Agency placements: 'forecast': is \"placements\" but the case has no "
        "[[placement]], [register] csv or ssda903"
    ]


def test_rejected_csv_rows_are_problems_of_a_monitoring_case(tmp_path: Path) -> None:
    (tmp_path / "register.csv").write_text(
        "ref,type,weekly_cost,start\nP9,ifa,700,01/11/2025\nP10,ifa,seven,01/11/2025\n",
        encoding="utf-8",
    )
    case_file = tmp_path / "m.toml"
    case_file.write_text(
        HEADER
        + LINES.split("[[line]]")[0]
        + "[[line]]"
        + LINES.split("[[line]]")[1]
        + '\n[register]\ncsv = "register.csv"\n',
        encoding="utf-8",
    )
    code = main(["monitor", str(case_file)])
    assert code == 2


def test_monitor_json_carries_the_reconciliation(tmp_path: Path, capsys) -> None:
    case_file = tmp_path / "m.toml"
    case_file.write_text(HEADER + LINES + DRIVERS, encoding="utf-8")
    assert main(["monitor", str(case_file), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    line = doc["lines"]["Agency placements"]
    assert line["forecast_outturn"] == pytest.approx(0.651)
    assert line["reconciliation"] == pytest.approx(-0.286)
