"""The template's own formulas, recalculated by LibreOffice headless, equal the engine.

Every formula cell of the blank template, of the eleven filled reference bids and of
hypothesis-generated bids is compared with the engine's figure for the same inputs (the
checks with what each check must say). The recalculated copies - which now carry cached
results, like a file saved by Excel - are then read back by the collector, which
recomputes everything and must accept them with the same bids.
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from support.recalc import formula_mismatches, recalculate
from support.recalc import values as recalc_values

from cypsxl.casefile import reference_case
from cypsxl.model import POUNDS_PER_MILLION, Bid, bid_table, children_avoided
from cypsxl.model.case import frozen_map
from cypsxl.workbook import layout as L
from cypsxl.workbook.reader import collect_bids
from cypsxl.workbook.template import (
    TemplateValues,
    bid_values,
    build_workbook,
    save_deterministic,
    write_blank_template,
)

CASE = reference_case()
YEARS = CASE.years


def _addr(sheet: str, row: int, col: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{sheet}!{get_column_letter(col)}{row}"


def _check_expectations(v: TemplateValues) -> dict[str, Any]:
    """What each check must show for inputs ``v`` (all numbers valid, texts short)."""
    prevented = v.prevented is not None and any(x is not None for x in v.prevented)
    entered = v.gross_saving_entered is not None and any(
        x is not None for x in v.gross_saving_entered
    )
    ok = {
        "ref": bool(v.ref.strip()),
        "title": bool(v.title.strip()),
        "service_area": bool(v.service_area.strip()),
        "directorate": bool(v.directorate.strip()),
        "cabinet_member": bool(v.cabinet_member.strip()),
        "contact": bool(v.contact.strip()),
        "investment": v.investment is not None and None not in v.investment,
        "numbers": True,
        "negative": True,
        "whole": True,
        "one_route": not (prevented and entered),
        "avoided_cost": not prevented or v.avoided_cost_per_child is not None,
        "part_year": not prevented
        or (v.part_year_factor is not None and 0 <= v.part_year_factor <= 1),
        "ties_out": True,
        "text_length": True,
        # no £m figure above PLAUSIBLE_MONEY_M (1,000): pounds typed where £m is asked
        "plausible": all(
            x is None or x <= 1000.0
            for x in (*(v.investment or ()), v.current_budget, *(v.gross_saving_entered or ()))
        ),
        "answers": sum(bool(a) for a in v.answers) == len(L.QUESTIONS),
        "answer_length": True,
    }
    lay = L.default_layout(len(YEARS))
    checks = lay["check_results"]
    out: dict[str, Any] = {}
    for i, check in enumerate(L.CHECKS):
        out[_addr(checks.sheet, checks.row + i, checks.col)] = (
            "OK" if ok[check.key] else (check.message)
        )
    required_open = sum(not ok[c.key] for c in L.CHECKS if c.required)
    open_ = sum(not ok[c.key] for c in L.CHECKS)
    status = lay["checks_status"]
    out[_addr(status.sheet, status.row, status.col)] = (
        f"{required_open} required item(s) to fix: see 5. Checks"
        if required_open
        else (f"Ready to send ({open_} advised item(s) open)" if open_ else "Ready to send")
    )
    for i in range(1, len(L.QUESTIONS) + 1):
        a = lay[f"answer_{i}"]
        text = v.answers[i - 1] if i <= len(v.answers) else ""
        out[_addr(a.sheet, a.row, a.col + 1)] = len(text)
    return out


def _row(values: tuple[float | None, ...] | None) -> tuple[float, ...] | None:
    if values is None or all(x is None for x in values):
        return None
    return tuple(0.0 if x is None else x for x in values)


def expected_cells(v: TemplateValues) -> dict[str, Any]:
    """Every formula cell's value for inputs ``v``, from the engine."""
    n = len(YEARS)
    prevented = _row(v.prevented)
    cost = v.avoided_cost_per_child or 0.0
    factor = v.part_year_factor or 0.0
    bid = Bid(
        ref="x",
        title="x",
        investment=_row(v.investment) or (0.0,) * n,
        gross_saving=_row(v.gross_saving_entered),
        prevented=prevented,
        avoided_cost_per_child_per_year=cost,
        part_year_factor=factor,
    )
    t = bid_table(dataclasses.replace(CASE, bids=(bid,)))
    avoided = children_avoided(prevented or (0.0,) * n, factor)
    rows = {
        "children_avoided": avoided,
        "cost_avoidance": avoided * (cost / POUNDS_PER_MILLION),
        "gross_saving": t.gross_saving[0],
        "net": t.net[0],
        "cumulative_net": t.cumulative_net[0],
    }
    lay = L.default_layout(n)
    out: dict[str, Any] = {}
    for name, values in rows.items():
        a = lay[name]
        for k in range(n):
            out[_addr(a.sheet, a.row, a.col + k)] = float(np.asarray(values)[k])
    for name in ("payback_year", "breakeven_year"):
        year = int(getattr(t, name)[0])
        a, fy = lay[name], lay[name.replace("_year", "_fy")]
        out[_addr(a.sheet, a.row, a.col)] = year if year else "none"
        out[_addr(fy.sheet, fy.row, fy.col)] = YEARS[year - 1] if year else "none"
    out.update(_check_expectations(v))
    return out


def text_inputs(v: TemplateValues) -> dict[str, str]:
    """The text input cells of ``v`` that are not blank: {"Sheet!A1": text}."""
    lay = L.default_layout(len(YEARS))
    texts = {
        "bid_ref": v.ref,
        "bid_title": v.title,
        "service_area": v.service_area,
        "directorate": v.directorate,
        "cabinet_member": v.cabinet_member,
        "contact": v.contact,
        **{f"answer_{i}": a for i, a in enumerate(v.answers, start=1)},
    }
    out = {}
    for name, text in texts.items():
        if text:
            a = lay[name]
            out[_addr(a.sheet, a.row, a.col)] = text
    return out


def _recalc_and_compare(items: list[tuple[Path, TemplateValues]], outdir: Path) -> dict:
    return _compare(items, recalculate([p for p, _ in items], outdir))


def _compare(items: list[tuple[Path, TemplateValues]], copies: dict[Path, Path]) -> dict:
    """{file: {cell: (expected, got, formula)}} over every formula and text input cell."""
    bad = {}
    for path, values in items:
        mism = formula_mismatches(path, copies[path], expected_cells(values), tol=1e-9)
        # text such as "=1+1" or "+1-2" is kept as text: recalculation leaves it as typed
        got = recalc_values(copies[path])
        for address, text in text_inputs(values).items():
            if got.get(address) != text:
                mism[address] = (text, got.get(address), "<text input>")
        if mism:
            bad[path.name] = mism
    return bad


@pytest.fixture(scope="module")
def reference_books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The blank template and the eleven reference bids, recalculated in ONE LibreOffice run."""
    root = tmp_path_factory.mktemp("recalc")
    items = [(write_blank_template(root / "blank.xlsx"), TemplateValues())]
    for bid in CASE.bids:
        values = bid_values(bid, CASE)
        path = save_deterministic(build_workbook(YEARS, values), root / f"{bid.ref}.xlsx")
        items.append((path, values))
    # text a spreadsheet would take for a formula, in every text input of one more book
    formula_like = dataclasses.replace(
        bid_values(CASE.bids[2], CASE),
        ref="=1+1",
        title='=HYPERLINK("http://example.com","x")',
        cabinet_member="+44 1709 382121",
        contact="-1",
        answers=("@SUM(1)", "=A1", "+", "-", "=", "@"),
    )
    path = save_deterministic(build_workbook(YEARS, formula_like), root / "formula_like.xlsx")
    items.append((path, formula_like))
    # CYPS_4's £18,000 of 2016/17 typed in pounds where £m is asked
    pounds = dataclasses.replace(bid_values(CASE.bids[4], CASE), investment=(18000.0, 0, 0, 0, 0))
    path = save_deterministic(build_workbook(YEARS, pounds), root / "pounds.xlsx")
    items.append((path, pounds))
    copies = recalculate([p for p, _ in items], root / "lo")
    return {"items": items, "copies": copies}


def test_blank_and_reference_formulas_equal_the_engine(reference_books: dict) -> None:
    assert _compare(reference_books["items"], reference_books["copies"]) == {}


def test_formula_cells_go_by_the_stored_type(tmp_path: Path) -> None:
    """A string cell that starts with "=" is text, not a formula; array formulas count."""
    import openpyxl
    from openpyxl.worksheet.formula import ArrayFormula
    from support.recalc import formula_cells

    from cypsxl.workbook.template import put_text

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    put_text(ws["A1"], "=1+1")
    ws["A2"] = "=1+2"
    ws["A3"] = ArrayFormula("A3", "=SUM(1)")
    wb.save(tmp_path / "f.xlsx")
    assert formula_cells(tmp_path / "f.xlsx") == {"S!A2": "=1+2", "S!A3": "=SUM(1)"}


def test_reference_values_by_hand(reference_books: dict) -> None:
    from support.recalc import values

    copy = reference_books["copies"][reference_books["items"][3][0]]  # CYPS_2
    got = values(copy)
    # 15 children in 2017/18 at £22,000 for half a year: 15 x 0.5 x 22,000 = £0.165m;
    # 2018/19: (15 + 27 x 0.5) x 22,000 = £0.627m (domain primer, part-year effect)
    assert got["Bid!D24"] == pytest.approx(0.165, abs=1e-12)
    assert got["Bid!E24"] == pytest.approx(0.627, abs=1e-12)
    # net 2016/17 = 0.100 - 0 = 0.100; 2017/18 = 0.164 - 0.165 = -0.001: payback year 2
    assert got["Bid!D25"] == pytest.approx(-0.001, abs=1e-12)
    assert got["Bid!C27"] == 2 and got["Bid!D27"] == "2017/18"
    # cumulative: 0.100, 0.099, 0.099 + 0.164 - 0.627 = -0.364: break-even year 3
    assert got["Bid!E26"] == pytest.approx(-0.364, abs=1e-12)
    assert got["Bid!C28"] == 3


def test_pounds_typed_for_millions_are_flagged(reference_books: dict) -> None:
    from support.recalc import values

    path, v = reference_books["items"][-1]
    assert v.ref == "CYPS_4" and v.investment[0] == 18000.0  # 18,000 > 1,000 (£m)
    got = values(reference_books["copies"][path])
    lay = L.default_layout(len(YEARS))
    checks = lay["check_results"]
    row = checks.row + [c.key for c in L.CHECKS].index("plausible")
    assert got[_addr("Bid", row, checks.col)] == (
        "A money figure is over £1,000m: enter £m (0.25 for £250,000)"
    )
    # an advised check: the bid may still be sent, with the item open (CYPS_4 has no
    # directorate, cabinet member or contact, and no answers: 4 + 1 advised items)
    status = lay["checks_status"]
    assert got[_addr("Bid", status.row, status.col)] == "Ready to send (5 advised item(s) open)"


def test_recalculated_copies_are_accepted_with_the_same_bids(reference_books: dict) -> None:
    bids = reference_books["items"][1 : 1 + len(CASE.bids)]
    copies = [reference_books["copies"][p] for p, _ in bids]
    result = collect_bids(copies, base=CASE.assumptions, workers=1)
    assert result.rejected == []
    assert [b.ref for b in result.bids] == [b.ref for b in CASE.bids]
    original = bid_table(CASE)
    again = bid_table(dataclasses.replace(CASE, bids=tuple(result.bids)))
    assert np.array_equal(original.net, again.net)


# --------------------------------------------------------------------------- hypothesis

money = st.floats(0, 5, allow_nan=False).map(lambda x: round(x, 3))
texts = st.text(alphabet="abcXYZ =+-@'&<>£é", min_size=0, max_size=30)


@st.composite
def template_values(draw: st.DrawFn, ref: str) -> TemplateValues:
    n = len(YEARS)
    route = draw(st.sampled_from(["prevented", "gross", "none"]))
    prevented = gross = None
    if route == "prevented":
        prevented = tuple(
            float(x) for x in draw(st.lists(st.integers(0, 40), min_size=n, max_size=n))
        )
    elif route == "gross":
        gross = tuple(draw(st.lists(money, min_size=n, max_size=n)))
    return TemplateValues(
        ref=ref,
        title=draw(texts),
        service_area=draw(st.sampled_from(["", "Early Help"])),
        cabinet_member=draw(texts),
        investment=tuple(draw(st.lists(money, min_size=n, max_size=n))),
        prevented=prevented,
        gross_saving_entered=gross,
        avoided_cost_per_child=float(draw(st.integers(0, 80_000))),
        part_year_factor=draw(st.sampled_from([0.0, 0.25, 0.5, 1.0])),
        answers=tuple(draw(st.sampled_from(["", "Because.", "=1+1"])) for _ in range(6)),
    )


# Each example is one LibreOffice run of 8 workbooks (~3 s): no shrinking, which would
# rerun LibreOffice for every step; a failure names the workbook and cell anyway.
@settings(
    max_examples=2,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.tuples(*(template_values(f"H_{i}") for i in range(8))))
def test_generated_bids_formulas_equal_the_engine(batch: tuple[TemplateValues, ...]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        items = []
        for i, values in enumerate(batch):
            path = save_deterministic(build_workbook(YEARS, values), root / f"h{i}.xlsx")
            items.append((path, values))
        assert _recalc_and_compare(items, root / "lo") == {}
        # read back: bids with a title are accepted, and their figures are the engine's
        copies = sorted((root / "lo").glob("*.xlsx"))
        result = collect_bids(copies, base=CASE.assumptions, workers=1)
        for bid in result.bids:
            v = next(x for x in batch if x.ref == bid.ref)
            assert bid.investment == v.investment
        accepted = {b.ref for b in result.bids}
        assert accepted == {v.ref for v in batch if v.title.strip()}


def test_moved_rows_still_read(tmp_path: Path) -> None:
    """A template whose rows moved (names updated, as Excel does) reads the same."""
    import openpyxl

    values = bid_values(CASE.bids[2], CASE)
    wb = build_workbook(YEARS, values)
    # Move the staffing block two rows down with its names, as an edit in Excel would.
    ws = wb["Bid"]
    lay = L.default_layout(len(YEARS))
    for name in ("fte", "agency_released"):
        a = lay[name]
        ws.move_range(f"A{a.row}:G{a.row}", rows=2)
        wb.defined_names[name].attr_text = L.Area(
            a.sheet, a.row + 2, a.col, a.row + 2, a.last_col
        ).qualified()
    path = save_deterministic(wb, tmp_path / "moved.xlsx")
    assert openpyxl.load_workbook(path)["Bid"]["C33"].style == "Input"
    result = collect_bids([path], workers=1)
    assert result.rejected == [] and result.bids[0].prevented == (0.0, 15.0, 27.0, 30.0, 30.0)


def test_frozen_map_is_used_for_outcomes() -> None:
    """Outcome rows round-trip through the template values (CYPS_1A's measure)."""
    values = bid_values(CASE.bids[0], CASE)
    assert values.outcomes == (
        ("percent_placements_with_la_fostering", "", (43.0, 48.0, 53.0, 57.0, 62.0)),
    )
    assert isinstance(frozen_map({}), type(CASE.bids[0].outcomes))
