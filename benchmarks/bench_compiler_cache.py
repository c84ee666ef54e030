"""A second build from a new random directory with a compiler cache: through the proxy (hits) vs the plain backend (misses).

For each example and cache (ccache for the C/C++ examples, sccache for all),
and each frontend (``python -m build``, ``uv build``), built from the
example's sdist, each build in a new random directory under a new TMPDIR:

* local: a build warms the cache, then a second build from another random
  directory is measured: hit rate and wall time, through the proxy
  (``compiler-cache = <cache>``) and with the plain backend launching the
  same cache the way its users do (``CC="ccache gcc"``,
  ``CMAKE_CXX_COMPILER_LAUNCHER``, ``RUSTC_WRAPPER``), side by side;
* Redis ("another machine"): a build with a local cache directory of its
  own warms a redis-server on loopback, then a build with a new, empty
  local cache directory and the same Redis is measured, the same way.

Prints each pair, then the ratios of the medians over ``--repeats``
(proxy time / plain time; target <= 0.4 for C/C++, Redis within 10 % of
local) and whether every cached wheel is byte-identical to the wheel of
the same build's cold run.

    python benchmarks/bench_compiler_cache.py [--examples setuptools-cython ...] [--caches ccache sccache]
                                              [--frontends build uv] [--no-redis] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "tests"), str(REPO / "backends")]

from support import frontends  # noqa: E402
from support.compilercache import (  # noqa: E402
    FRONTENDS, CachedBuild, RedisMissing, build_wheel, machine_env, plain_launch_env, proxy_env, redis_server,
    without_cache_settings,
)
from support.reproducibility import commit_as_git_repository, plain_sdist, real_backend, tomllib  # noqa: E402

EXAMPLES = ("setuptools-cython", "scikit-build-core-cpp", "maturin-pyo3")
CACHES = ("ccache", "sccache")


@dataclass
class Pair:
    """The measured builds of one phase, ``repeats`` of each, alternating; medians compared."""

    proxies: list
    plains: list

    @property
    def proxy(self) -> CachedBuild:
        return _median(self.proxies)

    @property
    def plain(self) -> CachedBuild:
        return _median(self.plains)

    @property
    def ratio(self) -> float:
        return self.proxy.seconds / self.plain.seconds


def _median(builds: list) -> CachedBuild:
    return sorted(builds, key=lambda build: build.seconds)[(len(builds) - 1) // 2]


@dataclass
class Case:
    example: str
    cache: str
    frontend: str
    local: Pair | None = None
    redis: Pair | None = None
    #: Every warm wheel of the proxy equals its cold one.
    identical: list = field(default_factory=list)


def applies(example: str, cache: str) -> bool:
    """ccache does not cache rustc: the Rust example is measured with sccache only."""
    return not (cache == "ccache" and example.startswith("maturin"))


def wheelhouse(directory: Path) -> Path:
    """This checkout's proxy as a wheel, for the frontends' isolated environments."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REMAP_")}
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(directory), str(REPO)],
                   check=True, capture_output=True, env=env)
    return directory


def sdists(example: str, workdir: Path, env: dict[str, str]) -> tuple[Path, Path, str]:
    """(proxy sdist, plain sdist, wrapped backend) of one example."""
    project = frontends.copy_project(REPO / "examples" / example, workdir / "project")
    if (project / "meson.build").exists():
        commit_as_git_repository(project)
    sdist = frontends.build_sdist(project, workdir / "sdist", env)
    backend = real_backend(tomllib.loads((project / "pyproject.toml").read_text()))
    return sdist, plain_sdist(sdist, workdir / "plain"), backend


def measured_pair(case: Case, sdist: Path, plain: Path, backend: str, base: dict[str, str], root: Path,
                  redis_port: int | None, repeats: int) -> Pair:
    """Warm, then measure (proxy and plain alternating); with Redis each measured build has an empty local cache."""
    cache = case.cache
    executable = shutil.which(cache)
    phase = "redis" if redis_port else "local"
    proxy_machine = proxy_env({**base, **machine_env(cache, root / f"{phase}-proxy-a", redis_port)}, cache)
    plain_machine = {**base, **machine_env(cache, root / f"{phase}-plain-a", redis_port),
                     **plain_launch_env(backend, executable)}
    cold = build_wheel(sdist, case.frontend, proxy_machine, cache, True, root)
    build_wheel(plain, case.frontend, plain_machine, cache, False, root)
    pair = Pair([], [])
    for repeat in range(repeats):
        if redis_port:  # another machine: a new, empty local cache, the same Redis
            proxy_machine = proxy_env({**base, **machine_env(cache, root / f"{phase}-proxy-{repeat}", redis_port)},
                                      cache)
            plain_machine = {**plain_machine, **machine_env(cache, root / f"{phase}-plain-{repeat}", redis_port)}
        order = [(True, sdist, proxy_machine, pair.proxies), (False, plain, plain_machine, pair.plains)]
        for through_proxy, built, env, builds in order if repeat % 2 == 0 else reversed(order):
            builds.append(build_wheel(built, case.frontend, env, cache, through_proxy, root))
        warm, plain_warm = pair.proxies[-1], pair.plains[-1]
        case.identical.append(frontends.sha256(warm.wheel) == frontends.sha256(cold.wheel))
        print(f"  {case.example} {cache} {case.frontend} {phase}: proxy {warm.seconds:.1f}s "
              f"{warm.stats.hits}/{warm.stats.hits + warm.stats.misses} hits | plain {plain_warm.seconds:.1f}s "
              f"{plain_warm.stats.hits}/{plain_warm.stats.hits + plain_warm.stats.misses} hits | "
              f"cold proxy {cold.seconds:.1f}s", flush=True)
    return pair


def run_case(case: Case, sdist: Path, plain: Path, backend: str, base: dict[str, str], root: Path,
             use_redis: bool, repeats: int) -> None:
    case.local = measured_pair(case, sdist, plain, backend, base, root, None, repeats)
    if not use_redis:
        return
    try:
        with redis_server(root / "redis") as port:
            case.redis = measured_pair(case, sdist, plain, backend, base, root, port, repeats)
    except RedisMissing as exc:
        print(f"  no Redis measurement: {exc}")


def rate(build: CachedBuild) -> str:
    return f"{100 * build.hit_rate:.0f} %"


def report(cases: list[Case]) -> None:
    print("\nexample                cache    frontend  proxy hits  plain hits  proxy/plain  Redis: hits  proxy/plain  "
          "Redis/local  cached = cold")
    for case in cases:
        local = case.local
        redis = case.redis
        redis_cols = (f"{rate(redis.proxy):>11}  {redis.ratio:>11.2f}  {redis.proxy.seconds / local.proxy.seconds:>11.2f}"
                      if redis else f"{'-':>11}  {'-':>11}  {'-':>11}")
        print(f"{case.example:<22} {case.cache:<8} {case.frontend:<8} {rate(local.proxy):>11} {rate(local.plain):>11}"
              f"  {local.ratio:>11.2f}  {redis_cols}  {all(case.identical)!s:>13}")
    print("\ntargets: C/C++ proxy hits >= 95 %, proxy/plain <= 0.4; Redis within 10 % of local")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", nargs="+", default=list(EXAMPLES))
    parser.add_argument("--caches", nargs="+", default=list(CACHES), choices=CACHES)
    parser.add_argument("--frontends", nargs="+", default=list(FRONTENDS), choices=FRONTENDS)
    parser.add_argument("--no-redis", action="store_true", help="skip the empty-local-cache, warm-Redis builds")
    parser.add_argument("--repeats", type=int, default=1, help="measured builds per phase (medians compared)")
    args = parser.parse_args()
    missing = [cache for cache in args.caches if shutil.which(cache) is None]
    if missing:
        print(f"bench_compiler_cache: {', '.join(missing)} not on PATH; install it or leave it out of --caches",
              file=sys.stderr)
        return 2

    cases: list[Case] = []
    with tempfile.TemporaryDirectory(prefix="bench-compiler-cache-") as workdir:
        root = Path(workdir)
        base = without_cache_settings(frontends.frontend_env(wheelhouse(root / "wheelhouse"), root / "uv-cache"))
        for example in args.examples:
            sdist, plain, backend = sdists(example, root / example, base)
            for cache in args.caches:
                if not applies(example, cache):
                    continue
                for frontend in args.frontends:
                    case = Case(example, cache, frontend)
                    case_dir = root / example / f"{cache}-{frontend}"
                    case_dir.mkdir(parents=True)
                    run_case(case, sdist, plain, backend, base, case_dir, not args.no_redis, args.repeats)
                    cases.append(case)
    report(cases)
    return 0


if __name__ == "__main__":
    sys.exit(main())
