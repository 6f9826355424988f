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


COHORT = """
[[cohort]]
name = "Further placements, worst case"
children = 55
weekly_cost = 700
from = 2026-01-01
risk = true
"""


def test_a_cohort_is_a_monitoring_risk() -> None:
    r = monitor(parse_monitoring(HEADER + LINES + DRIVERS + COHORT, "m.toml"))
    # 55 x 700 x 90 / 7 = £495,000 from 1 January to 31 March 2026 -> 0.495
    assert r.risks == {"Further placements, worst case": pytest.approx(0.495)}
    assert r.forecast_with_risks == pytest.approx(r.general_fund.forecast_outturn + 0.495)


def test_a_cohort_named_like_a_typed_risk_is_a_problem() -> None:
    risk = '\n[[risk]]\nname = "Further placements, worst case"\namount = 1.0\n'
    got = _problems(HEADER + LINES + DRIVERS + COHORT + risk)
    assert any("is also the name of a [[risk]]" in p for p in got), got


MTFS = """
[case]
name = "Small"
years = ["2025/26", "2026/27", "2027/28"]

[cyps_budget]
net_budget = [80.0, 81.0, 82.0]
pressure_demand = [3.0, 4.0, 5.0]

[mtfs]
base_gap = [0.0, 4.5, 3.0]

[[cohort]]
name = "More residential"
children = 2
weekly_cost = 5000
from = 2026-01-01
pressure = "demand"

[[cohort]]
name = "More IFA"
children = 10
weekly_cost = 700
from = 2026-04-01
pressure = "placements_growth"
"""


def test_a_cohort_is_an_mtfs_pressure_line() -> None:
    from cypsxl import parse_case, run_case

    case = parse_case(MTFS, "mtfs.toml")
    # "More residential": 2 x 5,000 x 90 / 7 = £128,571.43 in 2025/26, then 2 x 5,000 x
    # 365 / 7 = £521,428.57 in 2026/27 and 2 x 5,000 x 366 / 7 = £522,857.14 in 2027/28
    # (29 February 2028)
    demand = case.budget.pressures["demand"]
    assert demand == pytest.approx([3.0 + 0.12857143, 4.0 + 0.52142857, 5.0 + 0.52285714])
    # "More IFA" from 1 April 2026: nothing in 2025/26; 10 x 700 x 365 / 7 = 0.365; x 366
    assert case.budget.pressures["placements_growth"] == pytest.approx([0.0, 0.365, 0.366])
    results = run_case(case)
    assert results.budget.pressures[0] == pytest.approx(3.0 + 0.12857143)


def test_a_bad_cohort_in_an_mtfs_case_is_located() -> None:
    from cypsxl import parse_case

    with pytest.raises(CaseError) as exc:
        parse_case(MTFS.replace("weekly_cost = 700", "weekly_cost = -700"), "mtfs.toml")
    # line 23: the second [[cohort]] (from line 20) gives its weekly_cost on its 4th line
    assert [str(p) for p in exc.value.problems] == [
        "mtfs.toml:23: cohort More IFA: 'weekly_cost': expected £ a week >= 0, got -700"
    ]
