"""CSV files of the cost drivers: the placement register and the workforce posts.

Read with pandas (every cell as text), checked column by column in vectorised passes.
A row with a problem is *rejected* - reported by row (the header is row 1) and column -
and the rest are read; a file that cannot be read at all (missing, not CSV, a required
column absent) is one :class:`~cypsxl.errors.CaseError`. The rules a row must meet are
the model's (:mod:`cypsxl.model.driver_rules`), the same as in a case file.

Register columns: ``ref, type, weekly_cost, start, end, count, health_share,
education_share`` (``ref``, ``type``, ``weekly_cost``, ``start`` required). Workforce
columns: ``team, role, kind, fte, annual_cost, weekly_rate, from, to`` (``team``,
``kind``, ``fte`` required). Dates are ``dd/mm/yyyy`` or ``yyyy-mm-dd``.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..errors import CaseError, Problem
from ..model._arrays import FloatArray, IntArray
from ..model.dates import OPEN_END
from ..model.driver_rules import placement_problems, post_problems
from ..model.register import PlacementTypes, Register
from ..model.workforce import Establishment

__all__ = [
    "MAX_CSV_BYTES",
    "PostsRead",
    "RegisterRead",
    "RowProblems",
    "TextColumn",
    "csv_header",
    "parse_dates",
    "parse_numbers",
    "read_columns",
    "read_posts_csv",
    "read_register_csv",
    "read_table",
]

#: Largest CSV read, in bytes (100,000 SSDA903 episodes are about 6 MB).
MAX_CSV_BYTES = 500_000_000

Bool = npt.NDArray[np.bool_]


def _fail(p: Path, message: str) -> CaseError:
    return CaseError([Problem(str(p), "", "", message)])


def csv_header(path: str | Path, what: str) -> list[str]:
    """The column names of a CSV's header row (a located error if it cannot be read).

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = (Path(d) / "x.csv").write_text("ref,type\\nA,ifa\\n")
    ...     csv_header(Path(d) / "x.csv", "a register")
    ['ref', 'type']
    """
    p = Path(path)
    try:
        size = p.stat().st_size
    except FileNotFoundError:
        raise _fail(p, f"file not found; expected {what} (.csv)") from None
    except OSError as exc:
        raise _fail(p, f"cannot be read: {exc.strerror}") from None
    if p.is_dir():
        raise _fail(p, f"is a folder; expected {what} (.csv)")
    if size > MAX_CSV_BYTES:
        raise _fail(p, f"is {size:,} bytes; a CSV read here is at most {MAX_CSV_BYTES:,}")
    try:
        head = pd.read_csv(p, nrows=0, encoding="utf-8-sig", dtype=str)
    except pd.errors.EmptyDataError:
        raise _fail(p, f"is empty; expected {what} with a header row") from None
    except UnicodeDecodeError as exc:
        raise _fail(p, f"is not UTF-8 text (byte {exc.start}); save it as CSV UTF-8") from None
    except (pd.errors.ParserError, csv.Error, ValueError) as exc:
        raise _fail(p, f"is not a CSV file: {' '.join(str(exc).split())[:120]}") from None
    return [str(c) for c in head.columns]


@dataclass(frozen=True, slots=True, eq=False)
class TextColumn:
    """A CSV column as codes into its distinct texts (stripped of spaces).

    Parsing, upper-casing or checking the distinct values once - a column of 100,000
    SSDA903 dates holds a few thousand - keeps reading close to the speed of the CSV.

    >>> col = TextColumn.of(np.array([" U4", "U4 ", "", "K2"], dtype=object))
    >>> col.values.tolist(), col.codes.tolist(), col.blank.tolist()
    (['U4', '', 'K2'], [0, 0, 1, 2], [False, False, True, False])
    """

    codes: IntArray
    values: np.ndarray[Any, Any]  # object array of distinct stripped texts

    @classmethod
    def of(cls, raw: np.ndarray[Any, Any]) -> TextColumn:
        """Factorise a column of texts once; strip and merge the distinct values."""
        codes, uniques = pd.factorize(raw, use_na_sentinel=False)
        stripped = np.array([str(u).strip() for u in uniques], dtype=object)
        merged, values = pd.factorize(stripped, use_na_sentinel=False)
        return cls(merged[codes].astype(np.int64), np.asarray(values, dtype=object))

    def map(self, fn: Callable[[pd.Series], Any]) -> np.ndarray[Any, Any]:
        """``fn`` of the distinct values (a Series), spread back to every row."""
        return np.asarray(fn(pd.Series(self.values, dtype=object)))[self.codes]

    @property
    def blank(self) -> Bool:
        """Rows whose cell is empty."""
        result: Bool = (self.values == "")[self.codes]
        return result

    def text(self, row: int) -> str:
        """The (stripped) text of one row."""
        return str(self.values[self.codes[row]])

    def full(self) -> np.ndarray[Any, Any]:
        """Every row's text."""
        return self.values[self.codes]


def read_columns(
    path: str | Path, required: Sequence[str], optional: Sequence[str], what: str
) -> tuple[int, dict[str, TextColumn]]:
    """The number of data rows and the named columns (a missing optional one is blank).

    Headers match whatever their case and surrounding spaces; other columns are ignored.
    """
    p = Path(path)
    fail = partial(_fail, p)
    columns = csv_header(p, what)
    by_name = {c.strip().casefold(): c for c in columns}
    missing = [c for c in required if c.casefold() not in by_name]
    if missing:
        raise fail(
            f"has no column {', '.join(missing)}; expected columns "
            f"{', '.join([*required, *optional])} (header in row 1)"
        )
    wanted = {by_name[c.casefold()]: c for c in (*required, *optional) if c.casefold() in by_name}
    try:
        df = pd.read_csv(
            p,
            encoding="utf-8-sig",
            dtype=object,
            keep_default_na=False,
            na_filter=False,
            usecols=list(wanted),
            index_col=False,  # a row longer than the header: its extra cells are ignored
        )
    except UnicodeDecodeError as exc:
        raise fail(f"is not UTF-8 text (byte {exc.start}); save it as CSV UTF-8") from None
    except (pd.errors.ParserError, csv.Error, ValueError) as exc:
        raise fail(f"is not a CSV file: {' '.join(str(exc).split())[:120]}") from None
    n = len(df)
    out = {name: TextColumn.of(df[col].to_numpy(dtype=object)) for col, name in wanted.items()}
    for c in optional:
        out.setdefault(c, TextColumn(np.zeros(n, np.int64), np.array([""], dtype=object)))
    return n, out


def read_table(
    path: str | Path, required: Sequence[str], optional: Sequence[str], what: str
) -> pd.DataFrame:
    """The file's cells as stripped text (blank = ""), columns named as given."""
    _, columns = read_columns(path, required, optional, what)
    return pd.DataFrame({c: col.full() for c, col in columns.items()}, dtype=object)


def by_unique(values: pd.Series | np.ndarray[Any, Any], fn: Callable[[pd.Series], Any]) -> Any:
    """``fn`` applied to the distinct values only, spread back to every row.

    A column of 100,000 dates holds a few thousand distinct ones: parsing those is what
    keeps reading an SSDA903 file close to the speed of reading the CSV.

    >>> by_unique(pd.Series(["a", "b", "a"]), lambda u: u.str.upper()).tolist()
    ['A', 'B', 'A']
    """
    codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=False)
    return np.asarray(fn(pd.Series(uniques, dtype=object)))[codes]


def _parse_dates_unique(text: pd.Series) -> np.ndarray[Any, Any]:
    uk = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce")
    if uk.isna().any():
        uk = uk.fillna(pd.to_datetime(text, format="%Y-%m-%d", errors="coerce"))
    values = uk.to_numpy(dtype="datetime64[ns]", na_value=np.datetime64("NaT"))
    days = values.astype("datetime64[D]").astype(np.int64)
    days[np.isnat(values)] = _NO_DAY
    return days


#: Stands for a date that could not be read (never a real day number).
_NO_DAY = np.iinfo(np.int64).min


def parse_dates(text: pd.Series | np.ndarray[Any, Any]) -> tuple[IntArray, Bool, Bool]:
    """Day numbers of ``dd/mm/yyyy`` (or ``yyyy-mm-dd``) texts; (days, ok, blank).

    >>> days, ok, blank = parse_dates(pd.Series(["01/04/2025", "2025-04-02", "", "31/02/2025"]))
    >>> days[:2].tolist(), ok.tolist(), blank.tolist()
    ([20179, 20180], [True, True, False, False], [False, False, True, False])
    """
    raw = np.asarray(text, dtype=object)
    blank = raw == ""
    days = by_unique(raw, _parse_dates_unique).astype(np.int64)
    ok = days != _NO_DAY
    days[~ok] = 0
    return days, ok, blank


def _parse_numbers_unique(text: pd.Series) -> np.ndarray[Any, Any]:
    cleaned = text.str.replace(r"^£|,", "", regex=True)
    return pd.to_numeric(cleaned, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def parse_numbers(text: pd.Series | np.ndarray[Any, Any]) -> tuple[FloatArray, Bool, Bool]:
    """Numbers (``£`` and thousands commas allowed); (values NaN where none, ok, blank).

    >>> v, ok, blank = parse_numbers(pd.Series(["1,250.50", "£700", "", "x"]))
    >>> v[:2].tolist(), ok.tolist(), blank.tolist()
    ([1250.5, 700.0], [True, True, False, False], [False, False, True, False])
    """
    raw = np.asarray(text, dtype=object)
    blank = raw == ""
    values = by_unique(raw, _parse_numbers_unique).astype(np.float64)
    ok = np.isfinite(values)
    values[~ok] = np.nan
    return values, ok, blank


class RowProblems:
    """Problems of a CSV's rows: each located by row (header = row 1) and column."""

    def __init__(self, source: str, n_rows: int) -> None:
        self.source = source
        self.rejected = np.zeros(n_rows, dtype=bool)
        self._found: list[tuple[int, int, Problem]] = []

    def add(self, index: int, column: str, message: str) -> None:
        """Reject data row ``index`` (0-based) for ``message`` about ``column``."""
        self.rejected[index] = True
        row = index + 2
        self._found.append(
            (index, len(self._found), Problem(self.source, f"row {row}", column, message))
        )

    def add_where(
        self,
        mask: Bool,
        column: str,
        message: str,
        values: pd.Series | TextColumn | None = None,
    ) -> None:
        """Reject every row where ``mask``; ``{value}`` in the message is the cell's text."""
        for i in np.flatnonzero(mask):
            if values is None:
                text = message
            else:
                cell = values.text(int(i)) if isinstance(values, TextColumn) else values.iloc[i]
                text = message.format(value=_shown(str(cell)))
            self.add(int(i), column, text)

    def add_many(self, rows: IntArray, problems: Iterable[tuple[int, str, str]]) -> None:
        """Problems found by a model rule on a subset of rows (``rows`` maps them back)."""
        for i, column, message in problems:
            self.add(int(rows[i]), column, message)

    @property
    def problems(self) -> list[Problem]:
        """Every problem, by row."""
        return [p for _, _, p in sorted(self._found, key=lambda t: (t[0], t[1]))]


def _shown(text: str) -> str:
    return ascii(text) if len(text) <= 40 else ascii(text[:37] + "...")


def _column(source: pd.DataFrame | dict[str, TextColumn], column: str) -> TextColumn:
    if isinstance(source, dict):
        return source[column]
    return TextColumn.of(source[column].to_numpy(dtype=object))


def _dates(
    rp: RowProblems,
    source: pd.DataFrame | dict[str, TextColumn],
    column: str,
    required: bool,
    missing: int,
) -> IntArray:
    col = _column(source, column)
    days, ok, blank = parse_dates(col.values)
    days, ok, blank = days[col.codes], ok[col.codes], blank[col.codes]
    if required:
        rp.add_where(blank, column, "missing; expected a date dd/mm/yyyy")
    rp.add_where(~ok & ~blank, column, "expected a date dd/mm/yyyy, got {value}", col)
    days[blank] = missing
    return days


def _numbers(
    rp: RowProblems,
    source: pd.DataFrame | dict[str, TextColumn],
    column: str,
    default: float | None,
    expected: str,
) -> FloatArray:
    col = _column(source, column)
    values, ok, blank = parse_numbers(col.values)
    values, ok, blank = values[col.codes], ok[col.codes], blank[col.codes]
    if default is None:
        rp.add_where(blank, column, f"missing; expected {expected}")
    else:
        values[blank] = default
    rp.add_where(~ok & ~blank, column, f"expected {expected}, got {{value}}", col)
    return values


@dataclass(frozen=True, slots=True, eq=False)
class RegisterRead:
    """A register CSV: the placements read, the rows rejected, the rows in the file."""

    register: Register
    problems: list[Problem]
    rows: int


def read_register_csv(path: str | Path, types: PlacementTypes) -> RegisterRead:
    """Read a placement register CSV; rejected rows are reported, the rest read."""
    df = read_table(
        path,
        ("ref", "type", "weekly_cost", "start"),
        ("end", "count", "health_share", "education_share"),
        "a placement register",
    )
    n = len(df)
    rp = RowProblems(str(path), n)
    rp.add_where((df["ref"] == "").to_numpy(), "ref", "missing; expected a reference")
    known = df["type"].isin(types.keys).to_numpy()
    rp.add_where(
        ~known,
        "type",
        f"unknown placement type {{value}}; expected one of: {', '.join(types.keys)}",
        df["type"],
    )
    weekly = _numbers(rp, df, "weekly_cost", None, "£ a week >= 0")
    count = _numbers(rp, df, "count", 1.0, "a number of children > 0")
    health = _numbers(rp, df, "health_share", 0.0, "a fraction from 0 to 1")
    education = _numbers(rp, df, "education_share", 0.0, "a fraction from 0 to 1")
    start = _dates(rp, df, "start", True, 0)
    end = _dates(rp, df, "end", False, OPEN_END)
    dup = df["ref"].duplicated(keep="first").to_numpy() & (df["ref"] != "").to_numpy()
    rp.add_where(dup, "ref", "duplicate reference {value}; expected each ref once", df["ref"])
    fine = np.flatnonzero(~rp.rejected)
    rp.add_many(
        fine,
        placement_problems(
            weekly[fine], start[fine], end[fine], count[fine], health[fine], education[fine]
        ),
    )
    keep = ~rp.rejected
    index = np.zeros(n, np.int64)
    index[known] = pd.Categorical(df["type"][known], categories=types.keys).codes
    register = Register(
        types,
        tuple(df["ref"][keep].tolist()),
        index[keep],
        weekly[keep],
        start[keep],
        end[keep],
        count[keep],
        health[keep],
        education[keep],
    )
    return RegisterRead(register, rp.problems, n)


@dataclass(frozen=True, slots=True, eq=False)
class PostsRead:
    """A workforce CSV: the posts read, the rows rejected, the rows in the file."""

    establishment: Establishment
    problems: list[Problem]
    rows: int


def read_posts_csv(path: str | Path) -> PostsRead:
    """Read a workforce CSV (one post per row); rejected rows are reported, the rest read."""
    df = read_table(
        path,
        ("team", "kind", "fte"),
        ("role", "annual_cost", "weekly_rate", "from", "to"),
        "a workforce list of posts",
    )
    n = len(df)
    rp = RowProblems(str(path), n)
    rp.add_where((df["team"] == "").to_numpy(), "team", "missing; expected a team name")
    kind = df["kind"].str.lower()
    fte = _numbers(rp, df, "fte", None, "an FTE > 0")
    annual = _numbers(rp, df, "annual_cost", np.nan, "£ a year >= 0")
    weekly = _numbers(rp, df, "weekly_rate", np.nan, "£ a week >= 0")
    start = _dates(rp, df, "from", False, -OPEN_END)
    end = _dates(rp, df, "to", False, OPEN_END)
    fine = np.flatnonzero(~rp.rejected)
    rp.add_many(
        fine,
        post_problems(
            [kind.iloc[i] for i in fine],
            fte[fine],
            annual[fine],
            weekly[fine],
            start[fine],
            end[fine],
        ),
    )
    keep = ~rp.rejected
    est = Establishment(
        tuple(df["team"][keep].tolist()),
        tuple(df["role"][keep].tolist()),
        tuple(kind[keep].tolist()),
        fte[keep],
        annual[keep],
        weekly[keep],
        start[keep],
        end[keep],
    )
    return PostsRead(est, rp.problems, n)
