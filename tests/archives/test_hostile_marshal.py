"""Hostile .pyc input that crashes CPython's own ``marshal``: refused before it is loaded.

``canonical_pyc`` checks its result against the running interpreter by
loading and dumping both spellings, and ``marshal`` is not safe on hostile
data. Each case runs in a child process, with CPython's debug allocator
(``PYTHONMALLOC=debug``, which aborts on a write past the end of a block when
the block is freed): the old code died there, with SIGSEGV or SIGABRT, and the
fuzzing run saw the heap overflow as a "deadly signal" on a later, innocent input.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from .test_hostile_pyc import code_holding_self_holding_list
from .test_pyc_versions import find_python

BACKENDS = Path(__file__).resolve().parents[2] / "backends"

OUTCOME = """
import importlib.util, sys
from remap_backend.archives.pyc import canonical_pyc, UnsupportedPyc
data = open(sys.argv[1], "rb").read()
if sys.argv[2] == "body":
    data = importlib.util.MAGIC_NUMBER + b"\\0" * 12 + data
try:
    canonical_pyc(data)
    print("canonicalized")
except UnsupportedPyc as exc:
    print(type(exc).__name__ + ": " + str(exc))
import gc; gc.collect()
"""

#: Built by the interpreter under test: its magic number, its opcodes.
PATCHED_BYTECODE = """
import dis, importlib.util, marshal, sys
code = compile("x = 'shared'\\ny = 'shared'\\n", "m.py", "exec")  # FLAG_REF on a string used once
body = bytearray(marshal.dumps(code))
at = body.index(code.co_code) + len(code.co_code) - 2
body[at] = dis.opmap[sys.argv[1]]  # the last instruction, RETURN_*, becomes this opcode
open(sys.argv[2], "wb").write(importlib.util.MAGIC_NUMBER + b"\\0" * 12 + bytes(body))
"""


def outcome(tmp_path: Path, data: bytes, kind: str = "body", python: str = sys.executable) -> str:
    """What ``canonical_pyc`` does with ``data`` in a child process under the debug allocator."""
    case = tmp_path / "case.pyc"
    case.write_bytes(data)
    env = dict(os.environ, PYTHONPATH=str(BACKENDS), PYTHONMALLOC="debug")
    done = subprocess.run([python, "-c", OUTCOME, str(case), kind], capture_output=True, text=True, env=env,
                          timeout=120)
    assert done.returncode == 0, f"exit {done.returncode}: {done.stdout}{done.stderr[-1500:]}"
    return done.stdout.strip()


def test_a_tuple_that_holds_itself_as_a_dict_key_is_corrupt(tmp_path: Path) -> None:
    """``t = ({t: 7},)``: CPython hashes the tuple while its slot is still empty (old code: SIGSEGV)."""
    body = b"\xa8" + struct.pack("<i", 1) + b"{" + b"r" + struct.pack("<I", 0) + b"\xe9" + struct.pack("<i", 7) + b"0"
    assert outcome(tmp_path, body) == "CorruptPyc: a tuple contains itself in marshal data"


def test_a_tuple_that_holds_itself_among_code_constants_is_corrupt(tmp_path: Path) -> None:
    """CPython interns the constants of a new code object, recursing into the tuple forever (old code: SIGSEGV)."""
    loop_as_list = code_holding_self_holding_list()
    list_start = b"\xdb" + struct.pack("<i", 1) + b"r"
    assert loop_as_list.count(list_start) == 1
    body = loop_as_list.replace(list_start, b"\xa8" + list_start[1:])  # the same list, spelled as a tuple
    assert outcome(tmp_path, body) == "CorruptPyc: a tuple contains itself in marshal data"


def test_a_graph_nested_millions_deep_through_back_references_is_left_alone(tmp_path: Path) -> None:
    """21 MB that nests two deep in the data: t0 = (1,), tk = (tk-1,), then {t_last: 1} hashes down them all.

    The old code handed it to ``marshal.loads``, whose C code recursed
    3,000,000 deep until the stack overflowed (SIGSEGV). A limit, so a warning.
    """
    links = 3_000_000
    body = bytearray(b")\x02(" + struct.pack("<i", links))
    body += b"\xa9\x01i" + struct.pack("<i", 1)
    for k in range(1, links):
        body += b"\xa9\x01r" + struct.pack("<I", k - 1)
    body += b"\xfbr" + struct.pack("<I", links - 1) + b"i" + struct.pack("<i", 1) + b"0"  # a needless FLAG_REF
    result = outcome(tmp_path, bytes(body))
    assert result == "UnsupportedPyc: marshal data nested too deeply (through back-references)"


CASES = [
    ("3.11", "LOAD_GLOBAL", "bytecode ends inside the inline cache of its last instruction"),
    ("3.12", "LOAD_GLOBAL", "bytecode ends inside the inline cache of its last instruction"),
    ("3.13", "LOAD_GLOBAL", "bytecode ends inside the inline cache of its last instruction"),
    ("3.12", "INSTRUMENTED_LINE", "bytecode holds opcode 254, which this Python's compiler never writes"),
    ("3.13", "INSTRUMENTED_LINE", "bytecode holds opcode 254, which this Python's compiler never writes"),
    ("3.13", "ENTER_EXECUTOR", "bytecode holds opcode 70, which this Python's compiler never writes"),
]


@pytest.mark.parametrize("version, opcode, message", CASES, ids=[f"{v}-{o}" for v, o, _ in CASES])
def test_bytecode_marshal_cannot_handle_is_corrupt(tmp_path: Path, version: str, opcode: str, message: str) -> None:
    """Each interpreter checks its own .pyc files against its own marshal.

    LOAD_GLOBAL as the last instruction: its inline caches would follow it, and
    dumping the code object writes them past the end of the copy (a heap
    overflow on 3.11-3.13; old code: "bad trailing pad byte", SIGABRT).
    INSTRUMENTED_LINE and ENTER_EXECUTOR exist only at run time; loading them
    follows a NULL pointer (old code: SIGSEGV).
    """
    python = find_python(version)
    if python is None:
        pytest.skip(f"python{version} is not installed")
    case = tmp_path / "built.pyc"
    subprocess.run([python, "-c", PATCHED_BYTECODE, opcode, str(case)], check=True, timeout=60)
    assert outcome(tmp_path, case.read_bytes(), kind="pyc", python=python) == f"CorruptPyc: {message}"
