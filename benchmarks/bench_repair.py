"""The second isolated build of a PyTorch-shaped tree: repaired in place vs the usual workaround.

Without the proxy the second ``uv build --wheel`` of ``examples/pytorch-shaped``
fails (its CMake cache names the first, deleted environment's ninja), and the
workaround is ``rm -rf build``, which recompiles everything. Through the
proxy the cache is relocated and the build stays incremental. The C++
library is enlarged with generated translation units so compiling matters.
Both variants run alternately in one session; prints the times and the ratio
of the medians.

    python benchmarks/bench_repair.py [--units 24] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "tests")]

from support.frontends import copy_project, frontend_env, uv  # noqa: E402

UNIT = """
#include <map>
#include <string>
#include <vector>
#include <algorithm>
namespace unit{n} {{
template <int N> struct Fold {{ static long value(const std::vector<long>& v) {{
    std::map<std::string, long> seen;
    for (long x : v) seen[std::to_string(x * N)] += x;
    return Fold<N - 1>::value(v) + static_cast<long>(seen.size()); }} }};
template <> struct Fold<0> {{ static long value(const std::vector<long>&) {{ return 0; }} }};
}}
extern "C" long shaped_unit{n}(void) {{ std::vector<long> v(64, {n}); return unit{n}::Fold<24>::value(v); }}
"""


def enlarge(project: Path, units: int) -> None:
    """Add ``units`` generated translation units to the CMake library."""
    sources = []
    for n in range(units):
        path = project / "csrc" / f"unit{n}.cpp"
        path.write_text(UNIT.format(n=n))
        sources.append(f"csrc/unit{n}.cpp")
    with (project / "CMakeLists.txt").open("a") as stream:
        stream.write(f"\ntarget_sources(shaped_core PRIVATE {' '.join(sources)})\n")


def as_plain(project: Path) -> None:
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text().replace('"remap-backend", ', "")
    pyproject.write_text(text.replace('build-backend = "remap_backend"', 'build-backend = "setuptools.build_meta"'))


def uv_build(project: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([uv(), "build", "--wheel", "--out-dir", str(project / "dist"), str(project)],
                   check=True, capture_output=True, env=env)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=24)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-repair-") as workdir:
        work = Path(workdir)
        wheelhouse = work / "wheelhouse"
        clean_env = {k: v for k, v in os.environ.items() if not k.startswith("REMAP_")}
        subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(wheelhouse),
                        str(REPO)], check=True, capture_output=True, env=clean_env)
        env = frontend_env(wheelhouse, work / "uv-cache", work / "tmp")

        proxied = copy_project(REPO / "examples" / "pytorch-shaped", work / "proxy")
        plain = copy_project(REPO / "examples" / "pytorch-shaped", work / "plain")
        for project in (proxied, plain):
            enlarge(project, args.units)
        as_plain(plain)
        first = {"proxy": uv_build(proxied, env), "plain": uv_build(plain, env)}  # also warms uv's cache
        print(f"first builds: proxy {first['proxy']:.2f}s, plain {first['plain']:.2f}s ({args.units} extra units)")

        repaired, workaround = [], []
        for round_ in range(args.repeats):
            repaired.append(uv_build(proxied, env))
            shutil.rmtree(plain / "build")  # the workaround for the plain backend's failure
            workaround.append(uv_build(plain, env))
            print(f"round {round_ + 1}: proxy, repaired in place {repaired[-1]:.2f}s; "
                  f"plain after rm -rf build {workaround[-1]:.2f}s")
        ratio = statistics.median(repaired) / statistics.median(workaround)
        print(f"median second build: proxy {statistics.median(repaired):.2f}s, "
              f"plain + rm -rf build {statistics.median(workaround):.2f}s, ratio {ratio:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
