"""The ``cypsxl`` command line. Each sub-command lives in ``cypsxl/commands/<name>.py``.

A command module exposes ``register(subparsers)``, which adds its parser and sets
``func`` (``args -> int`` exit code). Exit codes: 0 success, 2 bad input or usage
(one message per problem, no traceback), 3 partial success (some files rejected).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from ._version import __version__
from .errors import CaseError, NonFiniteError, printable

__all__ = [
    "COMMANDS",
    "EXIT_BAD_INPUT",
    "EXIT_OK",
    "EXIT_PARTIAL",
    "InputError",
    "main",
    "print_problems",
]

EXIT_OK = 0
EXIT_BAD_INPUT = 2
EXIT_PARTIAL = 3

#: Sub-command modules, in the order ``--help`` lists them.
COMMANDS = [
    "cypsxl.commands.run",
    "cypsxl.commands.check",
    "cypsxl.commands.appraise",
    "cypsxl.commands.scenarios",
    "cypsxl.commands.template",
    "cypsxl.commands.bids",
    "cypsxl.commands.refresh",
    "cypsxl.commands.monitor",
    "cypsxl.commands.placements",
    "cypsxl.commands.report",
    "cypsxl.commands.serve",
]

EPILOG = """examples:
  cypsxl run                         the embedded reference case, as the Cabinet report's tables
  cypsxl run mycase.toml --json      any case, as JSON (money in £m)
  cypsxl check mycase.toml           every problem in a case file, located
  cypsxl appraise mycase.toml        NPV, discounted payback, BCR, optimism bias, tornado
  cypsxl scenarios -n 10000 --seed 1 Monte Carlo P10/P50/P90
  cypsxl template new -o bid.xlsx    a blank investment-bid template for a budget holder
  cypsxl bids collect returns/ -o consolidated.xlsx --case-out mtfs.toml
  cypsxl refresh MTFS.xlsx           refresh a workbook's cypsxl tables without Excel
  cypsxl monitor monitoring.toml     in-year budget monitoring: forecast outturn, variance, RAG
  cypsxl placements drivers.toml     placement register and workforce: cost to date, rest of year
  cypsxl report mycase.toml -o report.xlsx --pdf report.pdf   a report ready for Cabinet
  cypsxl COMMAND --help              help on one command

exit codes: 0 done; 2 bad input or usage; 3 some files rejected (the rest processed)
"""


class InputError(Exception):
    """A user-facing input problem: printed as is, exit code 2, no traceback."""


def print_problems(exc: CaseError) -> None:
    """One ``error:`` line per problem on stderr, as every command reports bad input."""
    for problem in exc.problems:
        print(f"error: {printable(str(problem))}", file=sys.stderr)


def _needed(argv: Sequence[str] | None) -> list[str]:
    """The command modules a command line needs: only the one it names, else all of them.

    Each command imports what it uses (openpyxl for templates, xlwings for serve), so
    ``cypsxl run`` loads none of the others' libraries and starts quickly.

    >>> _needed(["run", "--json"])
    ['cypsxl.commands.run']
    >>> _needed(["--version"])
    []
    >>> len(_needed(["--help"])) == len(COMMANDS) == len(_needed(None))
    True
    """
    if argv and argv[0] == "--version":
        return []
    if argv:
        wanted = f"cypsxl.commands.{argv[0]}"
        if wanted in COMMANDS:
            return [wanted]
    return list(COMMANDS)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The top-level parser: every sub-command, or only the one ``argv`` names."""
    parser = argparse.ArgumentParser(
        prog="cypsxl",
        description="Children's services MTFS engine: bids, placements, funding gap, appraisal.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"cypsxl {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _needed(argv):
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit code (``python -m cypsxl`` and the console script)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return EXIT_BAD_INPUT
    try:
        return int(args.func(args))
    except CaseError as exc:
        print_problems(exc)
        return EXIT_BAD_INPUT
    except (InputError, NonFiniteError) as exc:
        print(f"error: {printable(str(exc))}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
