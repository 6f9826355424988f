"""Atomic writes keep the target's permissions and never leave a half-written file."""

from __future__ import annotations

import os
import stat

import openpyxl
import pytest

from cypsxl.workbook.files import atomic_write_bytes, save_atomic, save_deterministic


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_replacing_a_file_keeps_its_permissions(tmp_path):
    target = tmp_path / "MTFS.xlsx"
    target.write_bytes(b"old")
    os.chmod(target, 0o640)
    atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert mode(target) == 0o640  # not the temporary file's 0o600


def test_a_new_file_gets_the_usual_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        target = tmp_path / "new.xlsx"
        atomic_write_bytes(target, b"x")
    finally:
        os.umask(old)
    assert mode(target) == 0o644  # 0o666 less the umask 0o022


def test_a_failed_write_leaves_the_original_and_no_temporary(tmp_path):
    target = tmp_path / "MTFS.xlsx"
    target.write_bytes(b"original")

    class Broken:
        def save(self, filename):
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        save_atomic(Broken(), target)
    assert target.read_bytes() == b"original"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["MTFS.xlsx"]


def test_deterministic_saves_give_the_same_bytes(tmp_path):
    import datetime as dt

    def book():
        wb = openpyxl.Workbook()
        wb.active["A1"] = 1
        return wb

    stamp = dt.datetime(2016, 11, 23, 9, 0, 0)
    a = save_deterministic(book(), tmp_path / "a.xlsx", stamp).read_bytes()
    b = save_deterministic(book(), tmp_path / "b.xlsx", stamp).read_bytes()
    assert a == b
    assert b"<dcterms:modified" in __import__("zipfile").ZipFile(tmp_path / "a.xlsx").read(
        "docProps/core.xml"
    )
