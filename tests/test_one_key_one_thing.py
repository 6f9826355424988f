"""Two keys for one thing are an error, never the last one silently winning."""

from __future__ import annotations

from cypsxl.cli import main

CASE = """\
[case]
name = "Twice"
years = ["2024/25", "2025/26"]

[cyps_budget]
net_budget = [10.0, 10.0]
lac_numbers_oct_2024 = 460
pressure_demand = [1.0, 2.0]
{extra}

[mtfs]
base_gap = [0.0, 1.0]
"""


def check(tmp_path, capsys, extra: str) -> tuple[int, str]:
    path = tmp_path / "case.toml"
    path.write_text(CASE.format(extra=extra), "utf-8")
    code = main(["check", str(path)])
    return code, capsys.readouterr().err.replace(str(path), "case.toml")


def test_two_lac_counts_under_different_names(tmp_path, capsys):
    code, err = check(tmp_path, capsys, "lac_numbers_mar_2025 = 508")
    assert code == 2
    assert err == (
        "error: case.toml:9: [cyps_budget]: 'lac_numbers_mar_2025': the same as "
        "'lac_numbers_oct_2024' (one looked-after children count); expected it once\n"
    )


def test_one_pressure_line_under_two_spellings(tmp_path, capsys):
    code, err = check(tmp_path, capsys, "pressure_Demand = [5.0, 5.0]")
    assert code == 2
    assert err == (
        "error: case.toml:9: [cyps_budget]: 'pressure_Demand': the same line as "
        "'pressure_demand' (names differ only in capitals); expected it once\n"
    )


def test_different_things_pass(tmp_path, capsys):
    code, err = check(tmp_path, capsys, "pressure_CCG_income = [0.5, 0.5]")
    assert (code, err) == (0, "")
