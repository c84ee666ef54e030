"""Memory and disk do not grow with data after the archive's end.

A valid sdist followed by 3 GiB of zeros after its end-of-archive blocks
(a 3 MB file): the old code read the whole tail at once (29 s, 6.2 GB peak)
after spooling all of it to disk.
"""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

from .kit import listing, make_sdist
from .test_cli_normalize import REPO

GIB = 1024**3


def sdist_with_zero_tail(path: Path, zeros: int, garbage: bytes = b"") -> Path:
    """``path``: a valid sdist, then ``zeros`` zero bytes, then ``garbage``, as gzip members.

    A gzip file may hold several members (readers join them), so the zeros are
    one small member repeated: quick to make, 3 GiB to inflate.
    """
    make_sdist(path, {"PKG-INFO": b"Name: demo\n", "demo.py": b"x = 1\n"})
    chunk = 64 * 1024**2
    zero_member = gzip.compress(bytes(chunk), compresslevel=9, mtime=0)
    with open(path, "ab") as out:
        for _ in range(zeros // chunk):
            out.write(zero_member)
        if garbage:
            out.write(gzip.compress(garbage, mtime=0))
    return path


def run_measured(*args: object) -> tuple:
    """Run the CLI in a child; return (result, the child's peak RSS in MB)."""
    code = (
        "import resource, subprocess, sys;"
        "r = subprocess.run(sys.argv[1:], capture_output=True, text=True);"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024;"
        "print(r.returncode, peak); print(r.stderr, file=sys.stderr)"
    )
    env = {"PYTHONPATH": f"{REPO / 'src'}:{REPO / 'backends'}", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", code, sys.executable, "-m", "remap_backend_cli", "normalize",
                           *map(str, args)], capture_output=True, text=True, env=env)
    status, peak = map(int, done.stdout.split())
    return status, peak, done.stderr


def test_three_gib_of_zeros_after_the_end_stay_out_of_memory_and_disk(tmp_path: Path) -> None:
    sdist = sdist_with_zero_tail(tmp_path / "demo-1.0.tar.gz", 3 * GIB)
    assert sdist.stat().st_size < 8 * 1024**2
    status, peak, stderr = run_measured(sdist)
    assert status == 0, stderr
    assert peak < 300, f"peak RSS {peak} MB"
    assert sorted(listing(tmp_path)) == ["demo-1.0.tar.gz"]


def test_garbage_after_the_zeros_is_refused_with_bounded_memory(tmp_path: Path) -> None:
    sdist = sdist_with_zero_tail(tmp_path / "demo-1.0.tar.gz", 256 * 1024**2, garbage=b"junk")
    before = listing(tmp_path)
    status, peak, stderr = run_measured(sdist)
    assert status == 2
    assert "data after the end-of-archive marker" in stderr
    assert peak < 300, f"peak RSS {peak} MB"
    assert listing(tmp_path) == before


def test_the_spool_of_a_gzip_bomb_stops_at_the_limit(tmp_path: Path) -> None:
    """Counted while inflating: with a 64 MiB limit the spool never holds more than that (of 128 MiB)."""
    sdist = sdist_with_zero_tail(tmp_path / "demo-1.0.tar.gz", 0, garbage=b"x" * (128 * 1024**2))
    before = listing(tmp_path)
    code = (
        "import sys, tempfile, os;"
        "from remap_backend.archives import sdist as s;"
        "real = s.tempfile.SpooledTemporaryFile; peak = [0];"
        "orig_write = real.write\n"
        "def write(self, data):\n"
        "    r = orig_write(self, data); peak[0] = max(peak[0], self.tell()); return r\n"
        "real.write = write\n"
        "from remap_backend.archives import Limits, normalize_path\n"
        "from remap_backend.errors import RemapError\n"
        "try:\n    normalize_path(sys.argv[1], 0, limits=Limits(max_unpacked_bytes=64 * 1024**2))\n"
        "except RemapError as e:\n    print(peak[0]); print(e, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(sdist)], capture_output=True, text=True,
                          env={"PYTHONPATH": str(REPO / "backends")})
    assert "looks like a zip bomb" in done.stderr, done.stderr
    assert int(done.stdout) <= 64 * 1024**2
    assert listing(tmp_path) == before
