"""Coverage-guided fuzzing (atheris) of the archive code: wheels, sdists and .pyc files.

The first byte picks the target (``W`` wheel, ``S`` sdist, anything else a
.pyc); the rest is the file. Every input must end in one of the defined
outcomes: normalized, unchanged, a RemapError (one line), or for a .pyc a
warning; anything else (an exception of another type, a multi-line message,
a hang) is a finding. Run it with ``fuzz/run.sh`` (see there for options).

A crash in C (a "deadly signal") prints the Python stack of every thread
first (faulthandler, chained to libFuzzer's handler, which still saves the
input). run.sh also sets ``PYTHONMALLOC=debug``: a write past the end of a
block then aborts when the block is freed, within the case that did it,
instead of corrupting the heap and killing a later, innocent case that
replays clean (how the marshal heap overflow of bytecode.py first showed).
"""

from __future__ import annotations

import faulthandler
import os
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from remap_backend import log
    from remap_backend.archives import normalize_path
    from remap_backend.archives.pyc import UnsupportedPyc, canonical_pyc
    from remap_backend.archives.safety import Limits
    from remap_backend.errors import RemapError

#: Small limits keep every case fast; the logic under test is the same.
LIMITS = Limits(max_unpacked_bytes=64 * 1024**2, max_members=10_000)
#: Where each case is written (run.sh makes and removes it; libFuzzer exits without Python's atexit).
WORK = Path(os.environ.get("FUZZ_WORK") or tempfile.mkdtemp(prefix="remap-fuzz-"))


def one_line(message: str) -> None:
    if "\n" in message or "\r" in message:
        raise AssertionError(f"message is not one line: {message!r}")


def test_one(data: bytes) -> None:
    if not faulthandler.is_enabled():  # now, after libFuzzer installed its handlers: chain to them
        faulthandler.enable(all_threads=True)
    if not data:
        return
    kind, body = data[:1], data[1:]
    if kind not in (b"W", b"S"):
        try:
            result = canonical_pyc(body)
        except UnsupportedPyc as exc:
            one_line(str(exc))
            return
        if result != body:  # canonical output must be a fixed point
            assert canonical_pyc(result) == result, "canonical .pyc is not stable"
        return
    path = WORK / ("fuzz.whl" if kind == b"W" else "fuzz.tar.gz")
    path.write_bytes(body)
    try:
        normalize_path(path, 0, limits=LIMITS, allow_unlisted=True)
    except RemapError as exc:
        one_line(str(exc))
        return
    else:  # a normalized archive is accepted again, unchanged
        assert not normalize_path(path, 0, check=True, limits=LIMITS), "normalized archive is not stable"
    finally:
        path.unlink()
        leftovers = [p.name for p in WORK.iterdir()]
        assert not leftovers, f"files left behind: {leftovers}"


def main() -> None:
    log.warn = one_line  # warnings are expected (and must be one line); keep the output for findings
    atheris.Setup(sys.argv, test_one)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
