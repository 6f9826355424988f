"""Problems found in inputs, each located (file, place, key, index, line), all collected."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["CaseError", "NonFiniteError", "Problem", "ProblemList", "printable"]


class NonFiniteError(ValueError):
    """A NaN or infinity about to leave cypsxl as a number (a workbook cell, a case);
    the CLI reports it as bad input (exit 2) and writes nothing."""


def printable(text: str) -> str:
    r"""``text`` safe for a terminal or a log: control and invisible format characters
    (escape sequences, line breaks, zero-width spaces, direction overrides) and bytes
    that are not valid UTF-8 in a file name are shown escaped, never acted on.

    >>> printable("bid\nerror: forged"), printable("\x1b[2Jx.xlsx"), printable("A\u200bB")
    ('bid\\nerror: forged', '\\x1b[2Jx.xlsx', 'A\\u200bB')
    >>> printable("caf\udce9.xlsx"), printable("Café £m")
    ('caf\\udce9.xlsx', 'Café £m')
    """
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch == " " else ascii(ch)[1:-1] for ch in text)


@dataclass(frozen=True, slots=True)
class Problem:
    """One located problem in an input file.

    >>> str(Problem("case.toml", "bid CYPS_2", "prevented", "expected a number >= 0, got -1",
    ...             index=2, line=57))
    "case.toml:57: bid CYPS_2: 'prevented'[2]: expected a number >= 0, got -1"
    """

    file: str
    where: str
    key: str
    message: str
    index: int | None = None
    line: int | None = None

    def __str__(self) -> str:
        loc = f"{self.file}:{self.line}" if self.line else self.file
        key = f"'{self.key}'" if self.key else ""
        if self.index is not None:
            key += f"[{self.index}]"
        parts = [p for p in (self.where, key) if p]
        return f"{loc}: {': '.join(parts)}: {self.message}" if parts else f"{loc}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        """JSON-friendly form."""
        return {
            "file": self.file,
            "where": self.where,
            "key": self.key,
            "index": self.index,
            "line": self.line,
            "message": self.message,
        }


class CaseError(Exception):
    """Raised with every problem found in a case (never just the first)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass
class ProblemList:
    """Collects problems while a file is checked."""

    file: str
    problems: list[Problem] = field(default_factory=list)

    def add(
        self,
        where: str,
        key: str,
        message: str,
        index: int | None = None,
        line: int | None = None,
    ) -> None:
        """Record one problem."""
        self.problems.append(Problem(self.file, where, key, message, index, line))

    def raise_if_any(self) -> None:
        """Raise :class:`CaseError` if anything was recorded."""
        if self.problems:
            raise CaseError(self.problems)
