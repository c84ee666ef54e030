"""What the leak guard (and text scrubbing) cost, next to the whole build they are part of.

Builds one example (default ``scikit-build-core-cpp``, the largest wheel of
the examples) through the proxy with ``python -m build --wheel
--no-isolation`` in a fresh venv holding its build requirements, with
``-C remap.normalize=false`` so the backend's own wheel is kept, and reads
the build's real path maps from ``-C remap.verbose=true``. Then, on copies of
that wheel, in this process, alternating:

* the normalizer alone (what every build did before the guard existed);
* the normalizer with scrubbing and the guard in the same pass (what a build does now);
* the guard's own pass (what ``remap.normalize = false`` builds run).

Prints the medians side by side with the build's wall time; the guard's cost
is the difference between the first two. ``--big MB`` repeats the three on a
generated wheel of this machine's shared libraries (``bench_normalize.py``'s
``binaries`` profile) with the same maps, to show how the cost scales.

    python benchmarks/bench_leak_guard.py [--example maturin-pyo3] [--repeats 9] [--big 300]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "tests"), str(REPO / "backends"), str(REPO / "benchmarks")]

from bench_overhead import build_venv, clean  # noqa: E402
from remap_backend.archives import normalize_artifact  # noqa: E402
from remap_backend.archives.guard import Guard  # noqa: E402
from remap_backend.remap.pathmap import PathMap  # noqa: E402
from remap_backend.remap.varying import Matcher  # noqa: E402
from support.frontends import copy_project  # noqa: E402
from support.reproducibility import plain_pyproject  # noqa: E402

_MAP_LINE = re.compile(r"^remap-backend:\s+map (\S+) -> (\S+) \((.*)\)$")
EPOCH = 1700000000


def build(python: Path, project: Path, outdir: Path, env: dict[str, str]) -> tuple[float, Path, list[PathMap]]:
    """(wall seconds, wheel, the build's maps) of one clean build through the proxy."""
    clean(project)
    start = time.perf_counter()
    done = subprocess.run(
        [str(python), "-m", "build", "--wheel", "--no-isolation", "--skip-dependency-check", "--outdir", str(outdir),
         "-C", "remap.verbose=true", "-C", "remap.normalize=false", str(project)],
        check=True, capture_output=True, text=True, env=env,
    )
    elapsed = time.perf_counter() - start
    maps = [PathMap(*m.groups()) for m in map(_MAP_LINE.match, (done.stdout + done.stderr).splitlines()) if m]
    (wheel,) = outdir.glob("*.whl")
    return elapsed, wheel, maps


def timed(action) -> tuple[float, float]:
    """(wall, CPU of this process incl. helper threads) seconds of one call."""
    start, cpu = time.perf_counter(), time.process_time()
    action()
    return time.perf_counter() - start, time.process_time() - cpu


def compare(wheel: Path, maps: list[PathMap], work: Path, repeats: int, build_time: float) -> None:
    """Median times of normalize, normalize+scrub+guard and the guard alone, on fresh copies of ``wheel``."""
    findings: list[int] = []

    def normalize_only(path: Path) -> None:
        normalize_artifact(path, EPOCH)

    def normalize_with_guard(path: Path) -> None:
        guard = Guard(maps)
        normalize_artifact(path, EPOCH, scrub=Matcher(maps), observe=guard.inspect)
        findings.append(len(guard.findings()))

    def guard_alone(path: Path) -> None:
        Guard(maps).scan_wheel(path)

    results: dict[str, list[tuple[float, float]]] = {"normalize": [], "normalize+guard": [], "guard alone": []}
    kinds = [("normalize", normalize_only), ("normalize+guard", normalize_with_guard), ("guard alone", guard_alone)]
    work.mkdir()
    for repeat in range(repeats):
        for name, action in kinds if repeat % 2 == 0 else reversed(kinds):
            copy = work / f"{name.replace('+', '-').replace(' ', '-')}-{wheel.name}"
            shutil.copyfile(wheel, copy)
            results[name].append(timed(lambda: action(copy)))
            copy.unlink()

    median = {name: (statistics.median(t[0] for t in times), statistics.median(t[1] for t in times))
              for name, times in results.items()}
    for name, (wall, cpu) in median.items():
        print(f"  {name:16s} {wall * 1000:8.1f} ms wall {cpu * 1000:8.1f} ms CPU   "
              f"({wall / build_time * 100:.2f}% of the build)")
    extra_wall = median["normalize+guard"][0] - median["normalize"][0]
    extra_cpu = median["normalize+guard"][1] - median["normalize"][1]
    print(f"guard+scrub in the normalizer's pass: {extra_wall * 1000:+.1f} ms wall, {extra_cpu * 1000:+.1f} ms CPU "
          f"vs a {build_time:.2f}s build: {extra_wall / build_time * 100:+.2f}% of the build "
          f"({findings[-1]} finding(s))")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--example", default="maturin-pyo3")
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--big", type=int, default=0, metavar="MB", help="also a generated wheel of MB megabytes")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-guard-") as workdir:
        work = Path(workdir)
        project = copy_project(REPO / "examples" / args.example, work / "project")
        plain = copy_project(REPO / "examples" / args.example, work / "plain")  # its requires, minus the proxy
        (plain / "pyproject.toml").write_text(plain_pyproject((plain / "pyproject.toml").read_text()))
        python = build_venv(work / "venv", plain)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("REMAP_", "VIRTUAL_ENV"))}
        env["PYTHONPATH"] = str(REPO / "backends")
        build(python, project, work / "warm", env)
        build_time, wheel, maps = build(python, project, work / "dist", env)
        unpacked = sum(info.file_size for info in __import__("zipfile").ZipFile(wheel).infolist())
        print(f"{args.example}: build {build_time:.2f}s, wheel {wheel.stat().st_size / 1e6:.1f} MB "
              f"({unpacked / 1e6:.1f} MB unpacked), {len(maps)} path maps, "
              f"{len(Matcher(maps).sources)} searched")

        compare(wheel, maps, work / "example", args.repeats, build_time)
        if args.big:
            from bench_normalize import make_wheel

            big = work / "big" / "big-1.0-cp311-cp311-linux_x86_64.whl"
            big.parent.mkdir()
            make_wheel(big, args.big, "binaries")
            print(f"generated wheel: {big.stat().st_size / 1e6:.0f} MB")
            compare(big, maps, work / "big-copies", max(3, args.repeats // 3), build_time)
    return 0


if __name__ == "__main__":
    sys.exit(main())
