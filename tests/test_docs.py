"""The user documentation's command lines parse with the real command-line parser.

Every ``cypsxl ...`` command shown in README.md and docs/*.md - in code blocks and in
inline code - is split as a shell would and given to ``build_parser().parse_args``; an
option renamed or removed in the code fails here with the file and line. Synopsis lines
(``[CASE]``, ``new|fill``, ``PATH...``) are not commands and are left out.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from cypsxl import cli
from cypsxl.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

_INLINE = re.compile(r"`((?:\w+=\S+ )*cypsxl [^`]+)`")
_SYNOPSIS = re.compile(r"[\[\]|<>]|\.\.\.|\b[A-Z]{3,}\b(?!\.)")


def _command(text: str) -> str | None:
    """The command in a documentation line, without its comment or description.

    >>> _command("cypsxl run mycase.toml --json    as JSON")
    'cypsxl run mycase.toml --json'
    >>> _command("XLWINGS_LICENSE_KEY=noncommercial cypsxl serve --port 8080  # note")
    'cypsxl serve --port 8080'
    >>> _command("cypsxl run [CASE] [--json]") is None
    True
    """
    text = re.split(r"\s#|\s{2,}", text.strip())[0]
    words = text.split()
    while words and re.fullmatch(r"\w+=\S+", words[0]):
        words.pop(0)
    if not words or words[0] != "cypsxl" or len(words) < 2:
        return None
    command = " ".join(words)
    return None if _SYNOPSIS.search(command) else command


def _documented_commands() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for path in DOCS:
        in_code = False
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            where = f"{path.relative_to(ROOT)}:{number}"
            if line.lstrip().startswith("```"):
                in_code = not in_code
                continue
            candidates = [line] if in_code else _INLINE.findall(line)
            for candidate in candidates:
                command = _command(candidate)
                if command is not None:
                    found.append((where, command))
    return found


COMMANDS = _documented_commands()


def test_the_documentation_shows_commands_of_every_kind():
    # README.md and docs/ show run, check, appraise, scenarios, template, bids, refresh and
    # serve: if the extraction stopped finding them, the test below would check nothing.
    shown = {command.split()[1] for _, command in COMMANDS}
    assert shown >= {"run", "appraise", "scenarios", "template", "bids", "refresh", "serve"}


def _sub_commands() -> set[str]:
    return {module.rsplit(".", 1)[1] for module in cli.COMMANDS}


@pytest.mark.parametrize(("where", "command"), COMMANDS, ids=[w for w, _ in COMMANDS])
def test_documented_command_parses(where: str, command: str, capsys):
    argv = shlex.split(command)[1:]
    if len(argv) == 1 and not argv[0].startswith("-"):
        # Prose naming a command (`cypsxl refresh`, `cypsxl 0.1.0` as printed): the name
        # must be a command where it looks like one; its arguments are shown elsewhere.
        assert not argv[0].isalpha() or argv[0] in _sub_commands(), f"{where}: `{command}`"
        return
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:
        if exc.code == 0 and {"--help", "-h", "--version"} & set(argv):
            return
        message = capsys.readouterr().err.strip().splitlines()[-1:]
        pytest.fail(f"{where}: `{command}` does not parse (exit {exc.code}): {message}")
    assert getattr(args, "func", None) is not None, f"{where}: `{command}` names no command"
