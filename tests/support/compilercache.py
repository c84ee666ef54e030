"""Builds launched through ccache or sccache, for the compiler-cache tests and benchmark.

One build = a wheel from an sdist, in a new random directory under a new
TMPDIR, with ``python -m build`` or ``uv build``, timed, with the cache's
count of hits and misses for that build alone:

* ccache: ``CCACHE_STATSLOG`` names a fresh file per build (the proxy keeps
  a ``stats_log`` you set, so both backends are counted the same way);
* sccache through the proxy: the proxy runs a server of its own (so the
  build's base directories apply) and prints its count (``remap-backend:
  sccache: N of M compiles hit``); with the plain backend, a server started
  here on a port of its own, as a user would run one.

A "machine" is a cache directory: two machines sharing a Redis server have
two local directories and the one ``redis://`` URL.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Mapping

from remap_backend.remap.compilercache import CacheStats, parse_ccache_stats_log, parse_sccache_stats

from . import frontends

FRONTENDS = ("build", "uv")
#: The line the proxy prints after a build through sccache.
_REPORT = re.compile(r"remap-backend: sccache: (\d+) of (\d+) compiles hit[^;]*; (\d+) not cacheable")


@dataclass
class CachedBuild:
    wheel: Path
    seconds: float
    stats: CacheStats
    output: str

    @property
    def hit_rate(self) -> float:
        total = self.stats.hits + self.stats.misses
        return self.stats.hits / total if total else 0.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def machine_env(kind: str, cache_dir: Path, redis_port: int | None = None) -> dict[str, str]:
    """The cache settings of one "machine": its own local cache directory, and the shared Redis if any."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    url = f"redis://127.0.0.1:{redis_port}" if redis_port else None
    if kind == "ccache":
        env = {"CCACHE_DIR": str(cache_dir)}
        if url:
            env["CCACHE_REMOTE_STORAGE"] = url
        return env
    env = {"SCCACHE_DIR": str(cache_dir)}
    if url:
        env["SCCACHE_REDIS_ENDPOINT"] = url
    return env


def plain_launch_env(backend: str, executable: str) -> dict[str, str]:
    """How a user launches the plain backend's compilers through a cache (the backend's documented way)."""
    if backend.startswith("setuptools"):
        return {name: f"{executable} {sysconfig.get_config_var(name)}" for name in ("CC", "CXX")}
    if backend.startswith("scikit_build_core"):
        return {"CMAKE_C_COMPILER_LAUNCHER": executable, "CMAKE_CXX_COMPILER_LAUNCHER": executable}
    if backend == "maturin":
        return {"RUSTC_WRAPPER": executable}
    raise ValueError(f"no plain launch for {backend}")


def build_wheel(
    sdist: Path, frontend: str, env: Mapping[str, str], kind: str, through_proxy: bool, parent: Path,
    map_source_in_rustflags: bool = False,
) -> CachedBuild:
    """One wheel from ``sdist`` in a new random directory under ``parent``, with the cache's count of it.

    ``map_source_in_rustflags`` (``python -m build`` only, whose source directory is made here):
    ``RUSTFLAGS`` maps that directory, as one would by hand for a reproducible Rust build.
    """
    tmpdir = Path(tempfile.mkdtemp(prefix="tmp-", dir=parent))
    env = {**env, "TMPDIR": str(tmpdir)}
    server = None
    if kind == "ccache":
        env["CCACHE_STATSLOG"] = str(tmpdir / "stats.log")
    elif not through_proxy:
        server = env["SCCACHE_SERVER_PORT"] = str(free_port())
        frontends.run([shutil.which("sccache"), "--start-server"], env)
    outdir = tmpdir / "dist"
    if frontend == "build":
        workdir = Path(tempfile.mkdtemp(prefix="build-via-sdist-", dir=tmpdir))
        source = frontends.unpack_sdist(sdist, workdir)
        if map_source_in_rustflags:
            env["RUSTFLAGS"] = f"--remap-path-prefix={source}=/source"
        command = [sys.executable, "-m", "build", "--wheel", "--outdir", outdir, source]
    else:
        command = [frontends.uv(), "build", "--wheel", "--out-dir", outdir, sdist]
    start = time.perf_counter()
    try:
        done = frontends.run(command, env)
        seconds = time.perf_counter() - start
        output = done.stdout + done.stderr
        if kind == "ccache":
            log = Path(env["CCACHE_STATSLOG"])
            stats = parse_ccache_stats_log(log.read_text()) if log.is_file() else CacheStats()
        elif server:
            shown = frontends.run([shutil.which("sccache"), "--show-stats", "--stats-format", "json"], env)
            stats = parse_sccache_stats(json.loads(shown.stdout))
        else:
            stats = proxy_report(output)
    finally:
        if server:
            frontends.run([shutil.which("sccache"), "--stop-server"], env, check=False)
    (wheel,) = outdir.glob("*.whl")
    return CachedBuild(wheel, seconds, stats, output)


def proxy_report(output: str) -> CacheStats:
    """The proxy's sccache count in a build's output (zero when nothing was compiled through sccache)."""
    found = _REPORT.findall(output)
    if not found:
        return CacheStats()
    hits, total, uncacheable = (int(n) for n in found[-1])
    return CacheStats(hits, total - hits, 0, uncacheable)


class RedisMissing(RuntimeError):
    pass


@contextlib.contextmanager
def redis_server(directory: Path) -> Iterator[int]:
    """A redis-server on loopback, on a free port, keeping nothing on disk; stopped afterwards. Yields its port."""
    executable = shutil.which("redis-server")
    if executable is None:
        raise RedisMissing("redis-server is not installed (apt-get install redis-server)")
    directory.mkdir(parents=True, exist_ok=True)
    port = free_port()
    with open(directory / "redis.log", "wb") as log:
        process = subprocess.Popen(
            [executable, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(directory),
             "--save", "", "--appendonly", "no"],
            stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        _wait_for_pong(port, process)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for_pong(port: int, process: subprocess.Popen, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"redis-server exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            if connection.recv(16).startswith(b"+PONG"):
                return
        time.sleep(0.05)
    raise RuntimeError(f"redis-server on port {port} did not answer within {seconds:.0f} s")


def redis_keys(port: int) -> int:
    """How many keys the server holds (DBSIZE), to show the cache really went there."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(b"DBSIZE\r\n")
        reply = connection.recv(64)
    return int(reply.strip().lstrip(b":"))


def available(kind: str) -> bool:
    return shutil.which(kind) is not None


def proxy_env(base: Mapping[str, str], kind: str) -> dict[str, str]:
    return {**base, "REMAP_BACKEND_COMPILER_CACHE": kind}


def without_cache_settings(environ: Mapping[str, str]) -> dict[str, str]:
    """``environ`` without the machine's own ccache/sccache settings (each test sets its own)."""
    return {k: v for k, v in environ.items()
            if not k.startswith(("CCACHE_", "SCCACHE_", "RUSTC_WRAPPER")) and k not in ("CC", "CXX")}


__all__ = ["CachedBuild", "FRONTENDS", "RedisMissing", "build_wheel", "machine_env", "plain_launch_env",
           "proxy_env", "proxy_report", "redis_keys", "redis_server", "without_cache_settings"]
