"""Canonical .pyc: bytes independent of the compiling process's refcounts, same code object."""

from __future__ import annotations

import importlib.util
import marshal
import os
import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from remap_backend.archives import normalize_path
from remap_backend.archives.pyc import UnsupportedPyc, canonical_marshal, canonical_pyc

from .kit import listing

SOURCE = textwrap.dedent(
    """\
    import os
    LIMITS = (1000, 2000, 'shared text', frozenset({'randint', 'nchypergeom_fisher', 'nchypergeom_wallenius'}))
    BIG = 12345678901234567890123
    RATIO = 2.5
    def scale(value, factor=RATIO):
        return value * factor + BIG
    class Thing:
        name = 'shared text'
        def method(self, other):
            return (self, other, 'shared text', 1000)
    """
)

# Compile SOURCE and write a hash-based (unchecked) pyc; with HOLD, keep an extra
# reference to every constant first, which makes marshal set FLAG_REF on them.
COMPILER = textwrap.dedent(
    """\
    import importlib.util, marshal, sys
    source, target, hold = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
    code = compile(open(source).read(), source, "exec")
    held = []
    def walk(co):
        for const in co.co_consts:
            held.append(const)
            if hasattr(const, "co_consts"):
                walk(const)
    if hold:
        walk(code)
    header = importlib.util.MAGIC_NUMBER + (1).to_bytes(4, "little") + importlib.util.source_hash(open(source, "rb").read())
    open(target, "wb").write(header + marshal.dumps(code))
    """
)


def compile_in_subprocess(source: Path, target: Path, hold: bool) -> bytes:
    subprocess.run(
        [sys.executable, "-c", COMPILER, str(source), str(target), "1" if hold else "0"],
        check=True, env={**os.environ, "PYTHONHASHSEED": "0" if hold else "1"},
    )
    return target.read_bytes()


def test_two_processes_with_different_refcounts(tmp_path: Path) -> None:
    source = tmp_path / "mod.py"
    source.write_text(SOURCE)
    plain = compile_in_subprocess(source, tmp_path / "plain.pyc", hold=False)
    held = compile_in_subprocess(source, tmp_path / "held.pyc", hold=True)
    assert plain != held  # the bug: same source, same interpreter, different bytes
    assert marshal.loads(plain[16:]) == marshal.loads(held[16:])

    a, b = canonical_pyc(plain), canonical_pyc(held)
    assert a == b
    assert a[:16] == plain[:16]  # header untouched
    assert marshal.loads(a[16:]) == marshal.loads(plain[16:])
    assert canonical_pyc(a) == a


def test_canonical_pyc_still_imports_without_its_source(tmp_path: Path) -> None:
    source = tmp_path / "mod.py"
    source.write_text(SOURCE)
    pyc = tmp_path / "pkg" / "mod.pyc"
    pyc.parent.mkdir()
    compile_in_subprocess(source, pyc, hold=True)
    changes = normalize_path(pyc.parent, None)
    assert [c.path for c in changes] == [pyc]
    done = subprocess.run(
        [sys.executable, "-c", "import mod; print(mod.scale(2), mod.Thing().method(1)[2], sorted(mod.LIMITS[3]))"],
        cwd=pyc.parent, capture_output=True, text=True, check=True,
    )
    assert done.stdout.split()[0] == str(2 * 2.5 + 12345678901234567890123)
    assert "shared" in done.stdout


def test_tree_keeps_mode_and_mtime_and_is_idempotent(tmp_path: Path) -> None:
    source = tmp_path / "mod.py"
    source.write_text(SOURCE)
    pyc = tmp_path / "tree" / "__pycache__" / "mod.cpython-311.pyc"
    pyc.parent.mkdir(parents=True)
    compile_in_subprocess(source, pyc, hold=True)
    os.chmod(pyc, 0o640)
    os.utime(pyc, ns=(1_000_000_000, 2_000_000_000))
    assert normalize_path(tmp_path / "tree", None, check=True)
    assert pyc.read_bytes() == (tmp_path / "tree" / "__pycache__" / "mod.cpython-311.pyc").read_bytes()
    assert normalize_path(tmp_path / "tree", None)
    info = os.stat(pyc)
    assert (info.st_mode & 0o777, info.st_mtime_ns) == (0o640, 2_000_000_000)
    before = listing(tmp_path)
    assert normalize_path(tmp_path / "tree", None) == []
    assert listing(tmp_path) == before


def test_symlinks_in_a_tree_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    source = tmp_path / "mod.py"
    source.write_text(SOURCE)
    target = outside / "mod.pyc"
    compile_in_subprocess(source, target, hold=True)
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "mod.pyc").symlink_to(target)
    (tree / "linked-dir").symlink_to(outside, target_is_directory=True)
    before = target.read_bytes()
    assert normalize_path(tree, None) == []
    assert target.read_bytes() == before


def test_set_element_order_is_canonical() -> None:
    """Before 3.11 set order followed the string hash: the same set could be written two ways."""
    elements = [marshal.dumps(word) for word in ("alpha", "beta", "gamma")]
    forward = b">" + struct.pack("<i", 3) + b"".join(elements)
    backward = b">" + struct.pack("<i", 3) + b"".join(reversed(elements))
    assert forward != backward
    assert marshal.loads(forward) == marshal.loads(backward)
    assert canonical_marshal(forward) == canonical_marshal(backward)
    assert marshal.loads(canonical_marshal(forward)) == frozenset({"alpha", "beta", "gamma"})


def test_references_are_renumbered() -> None:
    shared = "x" * 300
    value = (shared, ("other",), shared)
    raw = marshal.dumps(value)
    canonical = canonical_marshal(raw)
    assert marshal.loads(canonical) == value
    # only the string used twice keeps FLAG_REF; the tuples and "other" lose it
    assert canonical.count(b"r\x00\x00\x00\x00") == 1
    assert canonical[0] == ord("(") or canonical[0] == ord(")")


def test_self_referencing_list() -> None:
    value: list = [1, 2]
    value.append(value)
    canonical = canonical_marshal(marshal.dumps(value))
    loaded = marshal.loads(canonical)
    assert loaded[2] is loaded and loaded[:2] == [1, 2]


def test_old_layout_code_object_parses() -> None:
    """3.8-3.10 code objects: 6 int fields, 8 objects, firstlineno, then one table."""
    interned = b"\xda\x01f"  # 'Z' | FLAG_REF, "f"
    body = (
        b"\xe3" + struct.pack("<6i", 1, 0, 0, 1, 2, 67)
        + b"s" + struct.pack("<i", 4) + b"d\x01S\x00"  # co_code
        + b")\x02N\xe9\xe8\x03\x00\x00"  # consts: (None, 1000 flagged)
        + b")\x00" + b")\x01" + interned + b")\x00" + b")\x00"  # names, varnames, freevars, cellvars
        + b"z\x04m.py" + b"r\x02\x00\x00\x00"  # filename, name (a reference to "f")
        + struct.pack("<i", 1) + b"s" + struct.pack("<i", 0)
    )
    canonical = canonical_marshal(body, layout="old")
    assert canonical != body
    assert canonical_marshal(canonical, layout="old") == canonical
    assert canonical[0] == ord("c")  # the code object is used once: flag dropped
    assert b"\xe9" not in canonical[:60] and b"\xda\x01f" in canonical  # 1000 once, "f" twice
    assert canonical.endswith(b"r\x00\x00\x00\x00" + struct.pack("<i", 1) + b"s" + struct.pack("<i", 0))


@pytest.mark.parametrize(
    "mutate, fragment",
    [
        (lambda b: b[:16] + b"\x01" + b[17:], "unknown marshal type"),
        (lambda b: b[:-3], "truncated"),
        (lambda b: b + b"\x00", "trailing"),
        (lambda b: b"\x00\x0d" + b[2:], "magic"),
        (lambda b: b"XXXX" + b[4:], "header"),
    ],
)
def test_unsupported_input_is_refused(tmp_path: Path, mutate, fragment: str) -> None:
    source = tmp_path / "mod.py"
    source.write_text(SOURCE)
    good = compile_in_subprocess(source, tmp_path / "m.pyc", hold=True)
    with pytest.raises(UnsupportedPyc, match=fragment):
        canonical_pyc(mutate(good))


def test_unsupported_file_is_left_untouched_with_a_warning(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    pyc = tmp_path / "future.pyc"
    data = struct.pack("<H", 9999) + b"\r\n" + b"\x00" * 12 + b"\xe3garbage"
    pyc.write_bytes(data)
    before = listing(tmp_path)
    assert normalize_path(tmp_path, None) == []
    assert listing(tmp_path) == before
    assert "future.pyc: left untouched: unknown .pyc magic number 9999" in capsys.readouterr().err


def test_magic_of_this_interpreter_is_known() -> None:
    assert canonical_pyc(importlib.util.MAGIC_NUMBER + b"\x00" * 12 + marshal.dumps(compile("1", "x", "eval")))
