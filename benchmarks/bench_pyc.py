"""How long does canonicalizing every stdlib .pyc take, next to compiling them?

Copies this interpreter's standard library sources (without site-packages)
to a temp dir, then measures side by side, round by round:

* compileall:   ``python -m compileall -q -f -j 1`` of the copy (one process);
* canonicalize: ``normalize_path`` of the compiled tree (parse, rewrite,
                load-and-compare every file with this interpreter, atomic
                replace of every file that changes);
* check:        the same with ``check=True`` on the canonical tree (nothing to write).

Usage: python benchmarks/bench_pyc.py [--rounds 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "tests"), str(REPO / "backends")]

from remap_backend.archives import normalize_path  # noqa: E402
from support.stdlib import copy_stdlib_sources  # noqa: E402



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tree = Path(folder) / "lib"
        sources = copy_stdlib_sources(tree)
        times: dict[str, list[float]] = {"compileall": [], "canonicalize": [], "check": []}
        for _ in range(args.rounds):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "compileall", "-q", "-f", "-j", "1", str(tree)],
                           capture_output=True, check=False)
            times["compileall"].append(time.perf_counter() - start)
            pycs = list(tree.rglob("*.pyc"))
            size = sum(p.stat().st_size for p in pycs)

            start = time.perf_counter()
            changed = normalize_path(tree, None)
            times["canonicalize"].append(time.perf_counter() - start)

            start = time.perf_counter()
            assert normalize_path(tree, None, check=True) == []
            times["check"].append(time.perf_counter() - start)

        print(f"{sources} sources, {len(pycs)} .pyc files, {size / 1e6:.1f} MB, {len(changed)} rewritten; "
              f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
        median = {name: statistics.median(values) for name, values in times.items()}
        for name, value in median.items():
            print(f"{name:13s} median {value:7.2f} s  ({', '.join(f'{v:.2f}' for v in times[name])})")
        print(f"canonicalize / compileall = {median['canonicalize'] / median['compileall']:.2f}x "
              f"({size / 1e6 / median['canonicalize']:.1f} MB/s)")
        print(f"check / compileall        = {median['check'] / median['compileall']:.2f}x")


if __name__ == "__main__":
    main()
