"""How much longer a wheel build takes through remap-backend than with the plain backend.

Builds one example (default ``setuptools-c``) with ``python -m build --wheel
--no-isolation`` from two copies of the project, one through the proxy and
one with the plain backend, alternating between them so machine load hits
both alike, from a clean tree each time. The builds run in a fresh venv
holding only the example's build requirements (as an isolated build
environment would), without the cost and noise of creating one per build.
Prints each pair's times and the ratios of the medians (target: <= 1.03),
of wall time and of CPU time (user + system of the build and everything it
runs): on a machine shared with other work, CPU time is the steadier one.

    python benchmarks/bench_overhead.py [--example setuptools-c] [--repeats 15]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Mapping, Tuple

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "tests"), str(REPO / "backends")]

from support.frontends import copy_project, uv  # noqa: E402
from support.reproducibility import plain_pyproject, tomllib  # noqa: E402

LEFTOVERS = ("build", "dist", ".remap-backend", "target")


def clean(project: Path) -> None:
    for name in LEFTOVERS:
        shutil.rmtree(project / name, ignore_errors=True)
    for egg_info in project.rglob("*.egg-info"):
        shutil.rmtree(egg_info, ignore_errors=True)


def build_venv(directory: Path, project: Path) -> Path:
    """A venv with ``build`` and the project's build requirements (the proxy comes from PYTHONPATH)."""
    requires = tomllib.loads((project / "pyproject.toml").read_text())["build-system"]["requires"]
    subprocess.run([uv(), "venv", "--quiet", "--python", sys.executable, str(directory)], check=True)
    python = directory / "bin" / "python"
    subprocess.run([uv(), "pip", "install", "--quiet", "--python", str(python), "build", *requires], check=True)
    return python


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_build(python: Path, project: Path, env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one clean build."""
    clean(project)
    start, cpu = time.perf_counter(), children_cpu()
    subprocess.run(
        [str(python), "-m", "build", "--wheel", "--no-isolation", "--skip-dependency-check", str(project)],
        check=True, capture_output=True, env=env,
    )
    return time.perf_counter() - start, children_cpu() - cpu


def project_pair(example: str, workdir: Path) -> tuple[Path, Path, Path]:
    """(proxied copy, plain-backend copy, venv python) of one example, for side-by-side runs."""
    proxied = copy_project(REPO / "examples" / example, workdir / "proxy")
    plain = copy_project(REPO / "examples" / example, workdir / "plain")
    (plain / "pyproject.toml").write_text(plain_pyproject((plain / "pyproject.toml").read_text()))
    return proxied, plain, build_venv(workdir / "venv", plain)


def bench_environ(environ: Mapping[str, str]) -> dict[str, str]:
    """``environ`` without our own settings or an outer venv, with this checkout's proxy importable.

    Bytecode is written (the warm-up build writes it for both sides): pip compiles
    what it installs into a build environment, so a build imports ``.pyc`` files.
    """
    env = {k: v for k, v in environ.items()
           if not k.startswith(("REMAP_", "VIRTUAL_ENV")) and k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(REPO / "backends")
    return env


Timing = Tuple[float, float]


def interleaved(repeats: int, measure: Callable[[Path], Timing], proxied: Path, plain: Path) -> tuple[list, list]:
    """(proxy timings, plain timings), measured in alternating order so drift hits both alike."""
    proxy_times: list[Timing] = []
    plain_times: list[Timing] = []
    for repeat in range(repeats):
        order = [(proxied, proxy_times), (plain, plain_times)]
        for project, times in order if repeat % 2 == 0 else reversed(order):
            times.append(measure(project))
        print(f"repeat {repeat + 1}: proxy {proxy_times[-1][0]:.3f}s ({proxy_times[-1][1]:.3f}s CPU)  "
              f"plain {plain_times[-1][0]:.3f}s ({plain_times[-1][1]:.3f}s CPU)", flush=True)
    return proxy_times, plain_times


def medians(proxy_times: list, plain_times: list) -> list[tuple[str, float, float]]:
    """(kind, proxy median, plain median) for wall and CPU time."""
    return [(kind, statistics.median(t[index] for t in proxy_times), statistics.median(t[index] for t in plain_times))
            for index, kind in enumerate(("wall", "CPU"))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--example", default="setuptools-c")
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-overhead-") as workdir:
        proxied, plain, python = project_pair(args.example, Path(workdir))
        env = bench_environ(os.environ)

        timed_build(python, proxied, env), timed_build(python, plain, env)  # warm caches
        proxy_times, plain_times = interleaved(args.repeats, lambda project: timed_build(python, project, env),
                                               proxied, plain)

    for kind, proxy, plain_median in medians(proxy_times, plain_times):
        print(f"{args.example}: {kind} median proxy {proxy:.3f}s, plain {plain_median:.3f}s, "
              f"ratio {proxy / plain_median:.3f} (target <= 1.03), {(proxy - plain_median) * 1000:+.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
