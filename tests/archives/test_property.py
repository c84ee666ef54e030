"""Property-based: random and damaged archives and marshal data never crash or leak writes.

For any input the normalizer either succeeds (and a second run changes
nothing) or raises RemapError with one line and leaves the directory exactly
as it was. The marshal canonicalizer either refuses (UnsupportedPyc) or
returns data that loads to an equal object.
"""

from __future__ import annotations

import marshal
import os
import tempfile
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from remap_backend.archives import Limits, normalize_path
from remap_backend.archives.pyc import UnsupportedPyc, canonical_marshal
from remap_backend.errors import RemapError

from .kit import CONTENT, listing, make_sdist, make_wheel

LIMITS = Limits(max_unpacked_bytes=5_000_000, max_members=1000)
#: More examples for a long fuzzing run: ARCHIVES_FUZZ_EXAMPLES=5000 pytest tests/archives/test_property.py
EXAMPLES = int(os.environ.get("ARCHIVES_FUZZ_EXAMPLES", "150"))
FAST = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _valid(suffix: str) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"x{suffix}"
        if suffix == ".whl":
            make_wheel(path)
        else:
            make_sdist(path, {"PKG-INFO": b"Name: demo\n", "a.py": b"x = 1\n" * 50})
        return path.read_bytes()


VALID = {".whl": _valid(".whl"), ".tar.gz": _valid(".tar.gz")}


@st.composite
def damaged(draw: st.DrawFn, suffix: str) -> bytes:
    data = bytearray(VALID[suffix])
    for _ in range(draw(st.integers(1, 8))):
        action = draw(st.sampled_from(["flip", "cut", "insert", "overwrite"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if action == "flip" and data:
            data[at] ^= draw(st.integers(1, 255))
        elif action == "cut":
            del data[at:at + draw(st.integers(1, 64))]
        elif action == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        else:
            chunk = draw(st.binary(min_size=1, max_size=8))
            data[at:at + len(chunk)] = chunk
    return bytes(data)


def check_contract(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        target = root / f"demo-1.0{suffix}"
        target.write_bytes(data)
        before = listing(root)
        try:
            normalize_path(target, 0, limits=LIMITS)
        except RemapError as exc:
            assert "\n" not in str(exc)
            assert listing(root) == before
            return
        assert [p.name for p in root.iterdir()] == [target.name]  # no temp files left behind
        after = listing(root)
        assert normalize_path(target, 0, limits=LIMITS) == []
        assert listing(root) == after


@FAST
@given(damaged(".whl"))
def test_damaged_wheels(data: bytes) -> None:
    check_contract(data, ".whl")


@FAST
@given(damaged(".tar.gz"))
def test_damaged_sdists(data: bytes) -> None:
    check_contract(data, ".tar.gz")


@FAST
@given(st.binary(max_size=2000), st.sampled_from([".whl", ".tar.gz"]))
def test_random_bytes(data: bytes, suffix: str) -> None:
    check_contract(data, suffix)


names = st.text(st.characters(min_codepoint=32, max_codepoint=0x2FFF, exclude_characters="\\"), min_size=1, max_size=12)


@FAST
@given(st.dictionaries(st.lists(names, min_size=1, max_size=3).map("/".join), st.binary(max_size=300), max_size=6),
       st.booleans())
def test_random_member_names_and_contents(files: dict, stored: bool) -> None:
    """Any names a zip can carry: either refused cleanly or normalized with RECORD intact."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.whl"
        make_wheel(path, dict(CONTENT, **files), compression=zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)
        check_contract(path.read_bytes(), ".whl")


# --- marshal ------------------------------------------------------------------------

scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True)
    | st.complex_numbers(allow_nan=False) | st.text(max_size=20) | st.binary(max_size=20) | st.just(...)
)
hashables = st.recursive(scalars, lambda inner: st.tuples(inner, inner) | st.frozensets(inner, max_size=4), max_leaves=12)
values = st.recursive(
    hashables,
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
    | st.dictionaries(hashables, inner, max_size=3) | st.sets(hashables, max_size=3),
    max_leaves=25,
)


def equal(a: object, b: object) -> bool:
    """Equal, or (NaN is unequal to itself) the same object graph written by this process."""
    return a == b or canonical_marshal(marshal.dumps(a)) == canonical_marshal(marshal.dumps(b))


@FAST
@given(values, st.lists(st.integers(0, 20), max_size=5))
def test_marshal_values_round_trip(value: object, extra_refs: list) -> None:
    held = [value] * len(extra_refs)  # different refcounts, different FLAG_REF decisions
    raw = marshal.dumps(value)
    canonical = canonical_marshal(raw)
    assert canonical_marshal(canonical) == canonical
    assert equal(marshal.loads(canonical), marshal.loads(raw))
    del held


@FAST
@given(st.binary(max_size=300))
def test_marshal_garbage_is_refused_or_loads(data: bytes) -> None:
    try:
        canonical = canonical_marshal(data)
    except UnsupportedPyc:
        return
    try:
        original = marshal.loads(data)
    except Exception:  # noqa: BLE001 - CPython refuses some data our parser accepts (e.g. a list in a set)
        return
    assert equal(marshal.loads(canonical), original)


@FAST
@given(st.data())
def test_damaged_code_objects(data: st.DataObject) -> None:
    raw = bytearray(marshal.dumps(compile("def f(a, b=(1, 'x')):\n    return {a: b, 'k': 1.5}\n", "m.py", "exec")))
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(raw) - 1))
        raw[at] = data.draw(st.integers(0, 255))
    try:
        canonical = canonical_marshal(bytes(raw))
    except UnsupportedPyc:
        return
    assert canonical_marshal(canonical) == canonical
