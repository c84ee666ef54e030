"""Hostile .pyc input: bounded work, no crash, a defined outcome for every limit.

The inputs are crafted byte by byte: a list that holds itself (Python's ``==``
recursed on it until RecursionError) and frozensets nested 40 deep that share
their members, with a NaN inside (marshal's own writer takes exponential time
on them, in C, where neither Ctrl-C nor SIGALRM stops it).
"""

from __future__ import annotations

import importlib.util
import marshal
import struct
from pathlib import Path

import pytest

from remap_backend.archives.pyc import CorruptPyc, UnsupportedPyc, canonical_marshal, canonical_pyc

HEADER = importlib.util.MAGIC_NUMBER + b"\0" * 12
_FROZENSET_REF = bytes((ord(">") | 0x80,))


def self_holding_list() -> bytes:
    """``l = [l, 7]`` where 7 carries a needless FLAG_REF (so the canonical form differs)."""
    return b"\xdb" + struct.pack("<i", 2) + b"r" + struct.pack("<I", 0) + b"\xe9" + struct.pack("<i", 7)


def code_holding_self_holding_list() -> bytes:
    loop: list = []
    loop.append(loop)
    code = compile("x = 1\ny = 'shared'\nz = 'shared'\n", "m.py", "exec")
    return marshal.dumps(code.replace(co_consts=code.co_consts + ((loop, 1.5),)))


def shared_frozensets(depth: int) -> bytes:
    """L0 = frozenset({nan}); Lk = frozenset({Lk-1, frozenset({Lk-1})}), Lk-1 written once."""
    data = bytearray()
    slots = 0

    def emit(level: int) -> int:
        nonlocal slots
        mine = slots
        slots += 1
        if level == 0:
            data.extend(_FROZENSET_REF + struct.pack("<i", 1) + b"g" + struct.pack("<d", float("nan")))
            return mine
        data.extend(_FROZENSET_REF + struct.pack("<i", 2))
        child = emit(level - 1)
        data.extend(_FROZENSET_REF + struct.pack("<i", 1))
        slots += 1
        data.extend(b"r" + struct.pack("<I", child))
        return mine

    emit(depth)
    return bytes(data)


@pytest.mark.parametrize("body", [self_holding_list(), code_holding_self_holding_list()],
                         ids=["top-level", "in-code-consts"])
def test_self_holding_list_is_canonicalized_without_recursing(body):
    """Old code: RecursionError from ``before == after`` (CLI: internal error; proxy: traceback)."""
    assert canonical_marshal(body) != body  # so the check against the interpreter runs
    result = canonical_pyc(HEADER + body)
    assert result[16:] == canonical_marshal(body)
    again = marshal.loads(result[16:])
    holder = again if isinstance(again, list) else again.co_consts[-1][0]
    assert holder[0] is holder


def test_nested_frozensets_with_nan_are_left_alone_quickly():
    """Old code: depth 10 took 20 s, depth 40 never finished (marshal.dumps, in C)."""
    body = shared_frozensets(40)
    assert len(body) < 700
    with pytest.raises(UnsupportedPyc, match="work limit") as caught:
        canonical_pyc(HEADER + body)
    assert not isinstance(caught.value, CorruptPyc)  # a limit: a warning, not an error
    assert "\n" not in str(caught.value)


def test_shallow_shared_frozensets_are_still_canonicalized():
    body = shared_frozensets(3)
    canonical = canonical_pyc(HEADER + body)[16:]
    assert canonical_marshal(canonical) == canonical
    assert len(marshal.dumps(marshal.loads(canonical))) == len(marshal.dumps(marshal.loads(body)))


def test_a_set_that_holds_itself_is_corrupt():
    """A mutable set registered before its members, holding a back-reference to itself."""
    body = bytes((ord("<") | 0x80,)) + struct.pack("<i", 2) + b"r" + struct.pack("<I", 0) + b"\xe9" + struct.pack("<i", 7)
    with pytest.raises(CorruptPyc):
        canonical_pyc(HEADER + body)


def back_reference_chain(length: int) -> bytes:
    """frozenset({t0, t1, ...}) with t0 = (1,) and tk = (tk-1,): each written flat, by back-reference.

    The data nests two deep, but sorting the members means writing each on its
    own, and tk on its own nests k deep.
    """
    body = bytearray(b">" + struct.pack("<i", length))
    for k in range(length):
        body += b"\xa8" + struct.pack("<i", 1)  # flagged tuple of one: slot k
        body += (b"i" + struct.pack("<i", 1)) if k == 0 else (b"r" + struct.pack("<I", k - 1))
    return bytes(body)


def test_a_long_back_reference_chain_stops_at_the_depth_limit():
    """Old code: RecursionError in our own writer (3000 nested calls)."""
    body = back_reference_chain(3000)
    assert marshal.loads(body)  # CPython reads it fine
    with pytest.raises(UnsupportedPyc, match="nested too deeply") as caught:
        canonical_pyc(HEADER + body)
    assert not isinstance(caught.value, CorruptPyc)


def test_a_short_back_reference_chain_is_canonicalized():
    body = back_reference_chain(20)
    canonical = canonical_pyc(HEADER + body)[16:]
    assert canonical != body and canonical_marshal(canonical) == canonical


def test_the_interpreters_own_error_text_stays_on_one_line():
    """Found by fuzz/run.sh: marshal's error echoed input bytes, a newline among them."""
    case = (Path(__file__).resolve().parents[2] / "fuzz" / "seeds" / "regression-newline-in-loads-error").read_bytes()
    if case[1:5] != importlib.util.MAGIC_NUMBER:
        pytest.skip("the case is a CPython 3.11 .pyc; only 3.11 loads it to compare")
    with pytest.raises(CorruptPyc) as caught:
        canonical_pyc(case[1:])
    assert "cannot load it" in str(caught.value) and "\n" not in str(caught.value)
