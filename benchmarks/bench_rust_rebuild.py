"""A second in-tree build of a Rust example: through the proxy vs plain maturin.

Cargo fingerprints rustflags, so path maps that change from build to build
(an isolated environment's random prefix) would recompile every crate on
every ``pip install .``/``python -m build`` of a checkout. The proxy keeps
those maps out of rustflags; this measures that the second build is as cheap
through the proxy as without it. Both projects are built with ``python -m
build --wheel`` (isolated, as users do) twice, alternating, each keeping its
``target/``; prints the times and the ratio of the second builds.

    python benchmarks/bench_rust_rebuild.py [--example maturin-pyo3]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "tests"), str(REPO / "backends")]

from support.frontends import copy_project, frontend_env  # noqa: E402
from support.reproducibility import plain_pyproject  # noqa: E402


def proxy_wheelhouse(directory: Path) -> Path:
    """remap-backend's own wheel, built from this checkout (as tests/conftest.py does)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REMAP_")}
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(directory), str(REPO)],
                   check=True, capture_output=True, env=env)
    return directory


def timed_build(project: Path, outdir: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(outdir), str(project)],
                   check=True, capture_output=True, env=env)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--example", default="maturin-pyo3")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-rust-rebuild-") as workdir:
        work = Path(workdir)
        env = frontend_env(proxy_wheelhouse(work / "wheelhouse"))
        proxied = copy_project(REPO / "examples" / args.example, work / "proxy")
        plain = copy_project(REPO / "examples" / args.example, work / "plain")
        (plain / "pyproject.toml").write_text(plain_pyproject((plain / "pyproject.toml").read_text()))

        times: dict[str, list[float]] = {"proxy": [], "plain": []}
        for build in (1, 2):
            for name, project in (("proxy", proxied), ("plain", plain)):
                times[name].append(timed_build(project, work / f"out-{name}-{build}", env))
                print(f"{name} build {build}: {times[name][-1]:.1f}s", flush=True)

    ratio = times["proxy"][1] / times["plain"][1]
    print(f"{args.example}: second build proxy {times['proxy'][1]:.1f}s, plain {times['plain'][1]:.1f}s, "
          f"ratio {ratio:.2f} (first builds: proxy {times['proxy'][0]:.1f}s, plain {times['plain'][0]:.1f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
