"""``diff`` explanations that hold: strings in .rodata, line endings, RECORD alone (real Cython, real gcc)."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from ..native import make_wheel

pytest.importorskip("Cython")


def _cython_extension(tmp_path: Path, temp_dir_name: str, build_dir: Path) -> bytes:
    """mod.pyx including a .pxi from a temp include dir: Cython writes that dir into __pyx_f (.rodata)."""
    include = tmp_path / "var-tmp" / temp_dir_name
    include.mkdir(parents=True)
    (include / "helpers.pxi").write_text('def boom():\n    raise ValueError("x")\n')
    source = tmp_path / temp_dir_name / "src"
    source.mkdir(parents=True)
    (source / "mod.pyx").write_text('include "helpers.pxi"\ndef ok():\n    return 1\n')
    subprocess.run([sys.executable, "-m", "cython", "-3", "-I", str(include), "mod.pyx", "-o", "mod.c"],
                   cwd=source, check=True, capture_output=True)
    # Compiled in one place, without -g: the embedded include path is the only difference.
    build_dir.mkdir(parents=True, exist_ok=True)
    (build_dir / "mod.c").write_bytes((source / "mod.c").read_bytes())
    output = build_dir / "mod.so"
    subprocess.run(["gcc", "-O1", "-shared", "-fPIC", f"-I{sysconfig.get_paths()['include']}", "-o", str(output),
                    "mod.c"], cwd=build_dir, check=True, capture_output=True)
    return output.read_bytes()


def test_a_cython_embedded_temp_path_is_shown_from_both_wheels_in_rodata(tmp_path, cli):
    so_a = _cython_extension(tmp_path / "a", ".tmp-x-ab12", tmp_path / "build")
    so_b = _cython_extension(tmp_path / "b", ".tmp-x-cd34", tmp_path / "build")
    assert so_a != so_b
    a = make_wheel(tmp_path / "a.whl", {"pkg/mod.so": so_a})
    b = make_wheel(tmp_path / "b.whl", {"pkg/mod.so": so_b})

    text = cli("diff", a, b)
    assert text.returncode == 1
    path_a = f"var-tmp/.tmp-x-ab12/helpers.pxi"
    path_b = f"var-tmp/.tmp-x-cd34/helpers.pxi"
    (cause,) = [line for line in text.stdout.splitlines() if line.startswith("likely cause:")]
    assert "a build path is compiled into string data in .rodata" in cause
    assert path_a in cause and path_b in cause and "debug info" not in cause

    report = json.loads(cli("diff", "--json", a, b).stdout)
    (changed,) = report["changed"]
    (rodata,) = [change for change in changed["strings"] if change["section"] == ".rodata"]
    assert any(path_a in s for s in rodata["only_in_a"]) and any(path_b in s for s in rodata["only_in_b"])
    assert changed["dwarf_paths"] == []


def test_line_endings_only(tmp_path, cli):
    a = make_wheel(tmp_path / "a.whl", {"pkg/data.txt": b"one\ntwo\n"})
    b = make_wheel(tmp_path / "b.whl", {"pkg/data.txt": b"one\r\ntwo\r\n"})
    report = json.loads(cli("diff", "--json", a, b).stdout)
    (changed,) = report["changed"]
    assert changed["line_endings_only"] is True
    assert "only line endings differ" in changed["cause"]


def _record(lines: list[str], ending: str = "\n") -> bytes:
    return ending.join(lines).encode() + ending.encode()


def test_a_record_that_differs_on_its_own_is_not_blamed_on_other_files(tmp_path, cli):
    files = {"pkg/__init__.py": b"x = 1\n"}
    lines = ["pkg/__init__.py,sha256=abc,6", "pkg-1.0.dist-info/RECORD,,"]
    a = make_wheel(tmp_path / "a.whl", {**files, "pkg-1.0.dist-info/RECORD": _record(lines)})
    b = make_wheel(tmp_path / "b.whl", {**files, "pkg-1.0.dist-info/RECORD": _record(lines[::-1])})
    crlf = make_wheel(tmp_path / "c.whl", {**files, "pkg-1.0.dist-info/RECORD": _record(lines, "\r\n")})

    reordered = json.loads(cli("diff", "--json", a, b).stdout)
    (changed,) = reordered["changed"]
    assert "only RECORD differs" in changed["cause"] and "hashes of the other" not in changed["cause"]

    endings = json.loads(cli("diff", "--json", a, crlf).stdout)
    assert "only line endings differ" in endings["changed"][0]["cause"]


def test_a_record_listing_other_changed_files_says_so(tmp_path, cli):
    a = make_wheel(tmp_path / "a.whl", {"pkg/v.py": b"v = 1\n", "pkg-1.0.dist-info/RECORD":
                                        _record(["pkg/v.py,sha256=one,6", "pkg-1.0.dist-info/RECORD,,"])})
    b = make_wheel(tmp_path / "b.whl", {"pkg/v.py": b"v = 2\n", "pkg-1.0.dist-info/RECORD":
                                        _record(["pkg/v.py,sha256=two,6", "pkg-1.0.dist-info/RECORD,,"])})
    report = json.loads(cli("diff", "--json", a, b).stdout)
    record = [c for c in report["changed"] if c["name"].endswith("RECORD")][0]
    assert "lists hashes of the other changed files" in record["cause"]
