"""After a build launched through a compiler cache: one line of hits, and the proxy's sccache server stopped."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
from typing import Iterator

from .. import log
from ..remap.compilercache import CCACHE, CacheRun, parse_ccache_stats_log, parse_sccache_stats


@contextlib.contextmanager
def reporting(run: CacheRun | None) -> Iterator[None]:
    """Around the wrapped hook (inside its environment): report the cache's work, stop what the proxy started."""
    try:
        yield
    finally:
        if run is not None:
            try:
                report(run)
            except (OSError, ValueError, subprocess.SubprocessError) as exc:
                log.debug(f"compiler cache: no report ({exc})")


def report(run: CacheRun) -> None:
    if run.cache.kind == CCACHE:
        if run.stats_log:
            with open(run.stats_log, encoding="utf-8", errors="replace") as stream:
                log.info(parse_ccache_stats_log(stream.read()).summary(CCACHE))
        return
    if not run.own_server:
        log.debug("compiler cache: the sccache server is yours (SCCACHE_SERVER_PORT/UDS); not reporting its totals")
        return
    port = int(run.environment["SCCACHE_SERVER_PORT"])
    if not _listening(port):
        return  # nothing was compiled through sccache: no server was started
    environ = dict(os.environ)
    shown = subprocess.run([run.cache.executable, "--show-stats", "--stats-format", "json"], env=environ,
                           capture_output=True, text=True, timeout=60, check=False)
    subprocess.run([run.cache.executable, "--stop-server"], env=environ, capture_output=True, timeout=60, check=False)
    if shown.returncode == 0:
        log.info(parse_sccache_stats(json.loads(shown.stdout)).summary("sccache"))


def _listening(port: int) -> bool:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        probe.settimeout(1.0)
        return probe.connect_ex(("127.0.0.1", port)) == 0
