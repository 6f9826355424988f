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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

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
    "csv_header",
    "parse_dates",
    "parse_numbers",
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


def read_table(
    path: str | Path, required: Sequence[str], optional: Sequence[str], what: str
) -> pd.DataFrame:
    """The file's cells as text (blank = ""), columns named as ``required``/``optional``.

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
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            usecols=list(wanted),
            skipinitialspace=True,
        )
    except UnicodeDecodeError as exc:
        raise fail(f"is not UTF-8 text (byte {exc.start}); save it as CSV UTF-8") from None
    except (pd.errors.ParserError, csv.Error, ValueError) as exc:
        raise fail(f"is not a CSV file: {' '.join(str(exc).split())[:120]}") from None
    df = df.rename(columns=wanted)
    for c in optional:
        if c not in df.columns:
            df[c] = ""
    return df.apply(lambda s: s.str.strip())


def parse_dates(text: pd.Series) -> tuple[IntArray, Bool, Bool]:
    """Day numbers of ``dd/mm/yyyy`` (or ``yyyy-mm-dd``) texts; (days, ok, blank).

    >>> days, ok, blank = parse_dates(pd.Series(["01/04/2025", "2025-04-02", "", "31/02/2025"]))
    >>> days[:2].tolist(), ok.tolist(), blank.tolist()
    ([20179, 20180], [True, True, False, False], [False, False, True, False])
    """
    blank = (text == "").to_numpy()
    uk = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce")
    if uk.isna().any():
        iso = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
        uk = uk.fillna(iso)
    ok = uk.notna().to_numpy()
    values = uk.to_numpy(dtype="datetime64[ns]", na_value=np.datetime64("NaT"))
    days = values.astype("datetime64[D]").astype(np.int64)
    days[~ok] = 0
    return days, ok, blank


def parse_numbers(text: pd.Series) -> tuple[FloatArray, Bool, Bool]:
    """Numbers (``£`` and thousands commas allowed); (values NaN where none, ok, blank).

    >>> v, ok, blank = parse_numbers(pd.Series(["1,250.50", "£700", "", "x"]))
    >>> v[:2].tolist(), ok.tolist(), blank.tolist()
    ([1250.5, 700.0], [True, True, False, False], [False, False, True, False])
    """
    blank = (text == "").to_numpy()
    cleaned = text.str.replace(r"^£|,", "", regex=True)
    values = pd.to_numeric(cleaned, errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan, copy=True
    )
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
        self, mask: Bool, column: str, message: str, values: Sequence[str] | None = None
    ) -> None:
        """Reject every row where ``mask``; ``{value}`` in the message is the cell's text."""
        for i in np.flatnonzero(mask):
            text = message if values is None else message.format(value=_shown(values[int(i)]))
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


def _dates(
    rp: RowProblems, df: pd.DataFrame, column: str, required: bool, missing: int
) -> IntArray:
    days, ok, blank = parse_dates(df[column])
    if required:
        rp.add_where(blank, column, "missing; expected a date dd/mm/yyyy")
    rp.add_where(
        ~ok & ~blank, column, "expected a date dd/mm/yyyy, got {value}", df[column].tolist()
    )
    days[blank] = missing
    return days


def _numbers(
    rp: RowProblems, df: pd.DataFrame, column: str, default: float | None, expected: str
) -> FloatArray:
    values, ok, blank = parse_numbers(df[column])
    if default is None:
        rp.add_where(blank, column, f"missing; expected {expected}")
    else:
        values[blank] = default
    rp.add_where(~ok & ~blank, column, f"expected {expected}, got {{value}}", df[column].tolist())
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
        df["type"].tolist(),
    )
    weekly = _numbers(rp, df, "weekly_cost", None, "£ a week >= 0")
    count = _numbers(rp, df, "count", 1.0, "a number of children > 0")
    health = _numbers(rp, df, "health_share", 0.0, "a fraction from 0 to 1")
    education = _numbers(rp, df, "education_share", 0.0, "a fraction from 0 to 1")
    start = _dates(rp, df, "start", True, 0)
    end = _dates(rp, df, "end", False, OPEN_END)
    dup = df["ref"].duplicated(keep="first").to_numpy() & (df["ref"] != "").to_numpy()
    rp.add_where(
        dup, "ref", "duplicate reference {value}; expected each ref once", df["ref"].tolist()
    )
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
