"""Every command sequence in README.md and docs/*.md is run, not only parsed.

Each fenced code block is one sequence, run in order in a fresh folder (a block that
writes ``bids/`` and then collects it works as the reader would type it); each command in
inline code is a sequence of one. A command is a line starting ``cypsxl``, ``python -m
cypsxl`` / ``python3 -m cypsxl`` (a sub-command or one of its modules, such as
``python3 -m cypsxl.excel.demo workbooks``), possibly after ``&&``. It must exit 0.

The folder holds a copy of docs/ and workbooks/ (so ``docs/examples/...`` and
``workbooks/cypsxl_demo.xlsx`` are there), and every other file a command names that no
earlier command of its block wrote is made by :data:`PREPARE` - e.g. ``mycase.toml``, a
returned ``bids/`` folder, ``MTFS.xlsx`` or ``costs.csv``. A file the docs use that is in
neither fails here by name: add a maker to :data:`PREPARE`.

Not run, each for a reason given in :data:`NOT_RUN`: installs (tests/test_wheel.py builds
and installs the wheel), the test run itself, Windows-only steps and ``cypsxl serve``
(tests/test_server.py starts it with the server mocked). A prose mention of a command by
name in inline code (``cypsxl refresh``) runs its ``--help``.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from test_docs import _SYNOPSIS

from cypsxl import __version__, reference_case
from cypsxl.casefile import reference_case_text
from cypsxl.cli import main

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

#: Commands shown but not run here, by their first words, and why.
NOT_RUN = {
    "pip": "an install: tests/test_wheel.py builds the wheel and installs it in a fresh venv",
    "python3 -m pip": "an install: tests/test_wheel.py",
    "python -m pip": "an install: tests/test_wheel.py",
    "py -m pip": "an install on Windows: tests/test_wheel.py",
    "py -m build": "the wheel build: tests/test_wheel.py runs python -m build",
    "python -m build": "the wheel build: tests/test_wheel.py",
    "python3 -m pytest": "the test run itself",
    "xlwings addin": "installs the Excel add-in (Windows, Excel)",
    "set": "a Windows Command Prompt setting",
    "cypsxl serve": "starts a server that runs until stopped: tests/test_server.py",
}

_FENCE = re.compile(r"^\s*```")
_INLINE = re.compile(r"`((?:\w+=\S+ )*(?:cypsxl|python3? -m cypsxl)[ .][^`]+)`")
_COMMAND = re.compile(r"^(?:\w+=\S+ )*(cypsxl|python3? -m cypsxl)\b")


def _shown(doc: str, header: str) -> Callable[[Path], None]:
    """A CSV as the documentation shows it: the code block whose first line starts
    ``header`` (its columns)."""

    def make(path: Path) -> None:
        text = (ROOT / doc).read_text("utf-8")
        block = re.search(rf"```\w*\n({re.escape(header)}.*?)```", text, re.S)
        assert block, f"{doc} shows no block starting {header!r}"
        path.write_text(block.group(1), "utf-8")

    return make


def _write(text: str) -> Callable[[Path], None]:
    return lambda path: path.write_text(text, "utf-8")


def _copy(source: str) -> Callable[[Path], None]:
    return lambda path: shutil.copyfile(ROOT / source, path)


def _returns(path: Path) -> None:
    """A folder of bid templates as budget holders return them (the reference bids)."""
    assert main(["template", "fill", "-o", str(path), "--force"]) == 0


def _episodes(path: Path) -> None:
    """Synthetic SSDA903 episodes (never real child-level data), costed by costs.csv."""
    path.write_text(
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC\n"
        "1001,01/04/2025,S,C2,N1,U6,PR4,,\n"
        "1002,15/05/2025,S,C2,N1,K2,PR1,30/09/2025,E4A\n"
        "1003,01/06/2025,S,C2,N1,U4,PR1,,\n",
        "utf-8",
    )


def _posts(path: Path) -> None:
    path.write_text(
        "team,kind,fte,role,annual_cost,weekly_rate\n"
        "Safeguarding,permanent,10,Social worker,52000,\n"
        "Safeguarding,agency,4,Social worker,,1650\n",
        "utf-8",
    )


#: Files the documented commands read, made when no earlier command of the block did.
PREPARE: dict[str, Callable[[Path], None]] = {
    "mycase.toml": _write(reference_case_text()),
    "base.toml": _write(reference_case_text()),
    "drivers.toml": _copy("docs/examples/northshire_drivers_2025.toml"),
    "MTFS.xlsx": _copy("workbooks/cypsxl_demo.xlsx"),
    "MTFS.xlsm": _copy("workbooks/cypsxl_demo.xlsm"),
    "bids": _returns,
    "returns": _returns,
    "placements.csv": _shown("docs/drivers.md", "ref,type,weekly_cost,start,end,count,"),
    "costs.csv": _shown("docs/drivers.md", "PLACE,PLACE_PROVIDER,weekly_cost"),
    "episodes.csv": _episodes,
    "posts.csv": _posts,
}


def _commands(line: str) -> list[str]:
    """The commands of one documentation line (``a && b`` is two), comments dropped."""
    line = re.split(r"\s#|\s{2,}", line.strip())[0]
    return [c.strip() for c in line.split("&&") if c.strip()]


def _kept(command: str) -> bool:
    """A command to run (or to list as not run): not a synopsis like ``cypsxl run [CASE]``."""
    return not _SYNOPSIS.search(re.sub(r"^(\w+=\S+ )+", "", command))


def sequences() -> list[tuple[str, tuple[str, ...]]]:
    """(where, commands) for every code block and inline command, duplicates once."""
    found: dict[tuple[str, ...], str] = {}
    for path in DOCS:
        block: list[str] = []
        start = 0
        in_code = False
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            where = f"{path.relative_to(ROOT)}:{number}"
            if _FENCE.match(line):
                if in_code and block:
                    found.setdefault(tuple(block), f"{path.relative_to(ROOT)}:{start}")
                in_code, block, start = not in_code, [], number
                continue
            if in_code:
                block += [c for c in _commands(line) if _runnable(c) and _kept(c)]
            else:
                for inline in _INLINE.findall(line):
                    if _kept(inline) and len(inline.split()) > 1:
                        found.setdefault((inline,), where)
    return [(where, commands) for commands, where in found.items()]


def _runnable(command: str) -> bool:
    return bool(_COMMAND.match(command)) or any(
        command == w or command.startswith(w + " ") for w in NOT_RUN
    )


def _skip_reason(command: str) -> str | None:
    words = re.sub(r"^(\w+=\S+ )+", "", command)
    for start, why in NOT_RUN.items():
        if words == start or words.startswith(start + " "):
            return why
    return None


def _argv(command: str) -> tuple[str | None, list[str]]:
    """(module, arguments): the module is None for the cypsxl command line itself."""
    words = shlex.split(re.sub(r"^(\w+=\S+ )+", "", command))
    if words[0] == "cypsxl":
        return None, words[1:]
    module = words[2]  # python3 -m cypsxl[.sub.module]
    return (None if module == "cypsxl" else module), words[3:]


#: Options whose value is a file the command writes: never prepared.
OUTPUTS = {"-o", "--output", "--case-out", "--pdf"}


def _prepare(args: list[str], folder: Path) -> None:
    """Make each input an argument names that is not there yet and PREPARE knows."""
    for before, arg in zip(["", *args], args, strict=False):
        name = arg.rstrip("/")
        if before not in OUTPUTS and name in PREPARE and not (folder / name).exists():
            PREPARE[name](folder / name)


def _run(command: str, capsys) -> tuple[int, str]:
    module, args = _argv(command)
    if module is None and len(args) == 1 and re.fullmatch(r"\d+(\.\d+)+", args[0]):
        # `cypsxl 0.1.0` shown as what --version prints: it must be what it prints
        return (0 if args[0] == __version__ else 1), f"the version is {__version__}"
    if module is None:
        if len(args) == 1 and not args[0].startswith("-") and command.count(" ") == 1:
            args = [args[0], "--help"]  # a command named in prose
        try:
            code = main(args)
        except SystemExit as exc:  # --help, --version
            code = int(exc.code or 0)
    else:  # a module of the package, as `python -m` runs it: in a process of its own
        done = subprocess.run(
            [sys.executable, "-m", module, *args], capture_output=True, text=True, check=False
        )
        return done.returncode, done.stderr[-2000:] or done.stdout[-500:]
    out = capsys.readouterr()
    return code, out.err[-2000:] or out.out[-500:]


SEQUENCES = sequences()


def test_the_documentation_has_sequences_of_every_kind():
    # README's bid example is one block of four commands, run in order
    readme = [c for w, c in SEQUENCES if w.startswith("README.md")]
    assert (
        "cypsxl template new -o CYPS_12.xlsx --ref CYPS_12 --years 2017/18:2020/21",
        "cypsxl template fill -o bids/",
        "cypsxl bids collect bids/ -o consolidated.xlsx --case-out mtfs.toml",
        "cypsxl run mtfs.toml",
    ) in readme
    first_words = {_argv(c)[1][0] for _, seq in SEQUENCES for c in seq if not _skip_reason(c)}
    assert first_words >= {"run", "check", "appraise", "scenarios", "template", "bids", "refresh"}


@pytest.mark.parametrize(("where", "commands"), SEQUENCES, ids=[w for w, _ in SEQUENCES])
def test_documented_sequence_runs(where, commands, tmp_path, monkeypatch, capsys):
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    shutil.copytree(ROOT / "workbooks", tmp_path / "workbooks")
    monkeypatch.chdir(tmp_path)
    for command in commands:
        if _skip_reason(command):
            continue
        _prepare(_argv(command)[1], tmp_path)
        code, said = _run(command, capsys)
        assert code == 0, f"{where}: `{command}` exited {code}:\n{said}"


def test_prepared_files_are_what_the_commands_expect(tmp_path):
    # the prepared case is the reference case; the returned bids are its bids, one file each
    _prepare(["mycase.toml", "returns/"], tmp_path)
    assert (tmp_path / "mycase.toml").read_text("utf-8") == reference_case_text()
    refs = sorted(p.stem for p in (tmp_path / "returns").glob("*.xlsx"))
    assert refs == sorted(b.ref for b in reference_case().bids)
    assert (tmp_path / "nothing.toml").exists() is False  # nothing made that is not asked
