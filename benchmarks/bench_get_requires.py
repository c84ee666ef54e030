"""How much a ``get_requires_for_build_wheel`` call costs through the proxy, now that it repairs.

The proxy runs the repair session (lock, state file, CMake cache check) around
every hook, ``get_requires_for_build_*`` included, because setuptools executes
setup.py there. This times that hook the way frontends call it (a fresh
process per call, through pyproject-hooks), through the proxy and with the
plain backend, on one example (default ``setuptools-c``) with nothing to
repair: the tree is cleaned before each call, as a freshly unpacked sdist
would be, which is the proxy's worst case (it creates its state directory
and writes the state file). Calls alternate so machine load hits both alike;
prints each pair and the ratio of the medians, of wall and of CPU time.

    python benchmarks/bench_get_requires.py [--example setuptools-c] [--repeats 21]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from bench_overhead import (  # also puts tests/ and backends/ on sys.path
    bench_environ, children_cpu, clean, interleaved, medians, project_pair,
)

from pyproject_hooks import BuildBackendHookCaller, quiet_subprocess_runner

from support.reproducibility import tomllib  # noqa: E402


def timed_call(python: Path, project: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one get_requires_for_build_wheel call on a clean tree."""
    clean(project)
    backend = tomllib.loads((project / "pyproject.toml").read_text())["build-system"]["build-backend"]
    caller = BuildBackendHookCaller(str(project), backend, python_executable=str(python),
                                    runner=quiet_subprocess_runner)
    start, cpu = time.perf_counter(), children_cpu()
    caller.get_requires_for_build_wheel()
    return time.perf_counter() - start, children_cpu() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--example", default="setuptools-c")
    parser.add_argument("--repeats", type=int, default=21)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-get-requires-") as workdir:
        proxied, plain, python = project_pair(args.example, Path(workdir))
        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update(bench_environ(saved))  # the hook subprocess inherits os.environ
        try:
            timed_call(python, proxied), timed_call(python, plain)  # warm caches
            proxy_times, plain_times = interleaved(args.repeats, lambda project: timed_call(python, project),
                                                   proxied, plain)
        finally:
            os.environ.clear()
            os.environ.update(saved)

    for kind, proxy, plain_median in medians(proxy_times, plain_times):
        print(f"{args.example} get_requires_for_build_wheel: {kind} median proxy {proxy * 1000:.1f} ms, "
              f"plain {plain_median * 1000:.1f} ms, ratio {proxy / plain_median:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
