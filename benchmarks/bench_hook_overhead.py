"""The proxy's fixed cost inside the hook, without the frontend's noise around it.

``bench_overhead.py`` times whole ``python -m build`` runs, where a few ms of
proxy cost drown in the frontend's own start-up and the machine's noise. This
script times only what the frontend's hook process does: a fresh interpreter
imports the backend and calls ``build_wheel``, once through the proxy and once
the wrapped backend directly (same venv, clean trees), in alternating order. ``--compare DIR`` adds the proxy of another checkout
(its ``backends`` directory), e.g. a ``git worktree`` of an older commit.

    python benchmarks/bench_hook_overhead.py [--example setuptools-c] [--repeats 21] [--compare DIR]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_overhead import bench_environ, clean, project_pair  # noqa: E402
from support.reproducibility import tomllib  # noqa: E402

REPO = Path(__file__).resolve().parents[1]

#: Runs in the hook's interpreter: import the backend, build, print milliseconds.
TIMED_HOOK = """
import importlib, sys, time
start = time.perf_counter()
backend = importlib.import_module(sys.argv[1])
backend.build_wheel(sys.argv[2])
print((time.perf_counter() - start) * 1000)
"""


def build_backend(project: Path) -> str:
    return tomllib.loads((project / "pyproject.toml").read_text())["build-system"]["build-backend"]


def timed_hook(python: Path, project: Path, module: str, backends: Path, env: dict, out: Path) -> float:
    clean(project)
    run_env = dict(env, PYTHONPATH=str(backends))
    done = subprocess.run([str(python), "-c", TIMED_HOOK, module, str(out)], cwd=project, env=run_env,
                          check=True, capture_output=True, text=True)
    return float(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--example", default="setuptools-c")
    parser.add_argument("--repeats", type=int, default=21)
    parser.add_argument("--compare", type=Path, help="another checkout's backends/ directory")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-hook-") as workdir:
        proxied, plain_copy, python = project_pair(args.example, Path(workdir))
        env = bench_environ(os.environ)
        variants = {"proxy": (proxied, "remap_backend", REPO / "backends"),
                    "plain": (plain_copy, build_backend(plain_copy), REPO / "backends")}
        if args.compare:
            variants["compared proxy"] = (proxied, "remap_backend", args.compare.resolve())
        times: dict = {name: [] for name in variants}
        out = Path(workdir) / "out"
        for repeat in range(args.repeats + 1):  # the first round warms caches and writes bytecode
            names = list(variants) if repeat % 2 == 0 else list(reversed(variants))
            for name in names:
                project, module, backends = variants[name]
                elapsed = timed_hook(python, project, module, backends, env, out)
                if repeat:
                    times[name].append(elapsed)

    plain = statistics.median(times["plain"])
    print(f"{args.example}: hook process (import + build_wheel), medians of {args.repeats} alternating runs")
    print(f"  plain {plain:.1f} ms")
    for name in variants:
        if name != "plain":
            median = statistics.median(times[name])
            print(f"  {name} {median:.1f} ms: ratio {median / plain:.3f}, {median - plain:+.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
