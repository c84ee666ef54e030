"""Plan the compiler cache of one build: find it, let the adapter launch it, give it this build's directories.

Called by :func:`.plan.plan` once the maps are known; the hook's edge
(:mod:`..hooks.cachereport`) reports the hits and stops the proxy's sccache
server afterwards.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path
from typing import Any, Sequence

from . import cacheprobe, compilercache
from .compilercache import CacheRun, CompilerCache
from .pathmap import PathMap
from .. import log
from ..adapters.base import Adapter
from ..context import BuildContext
from .. import statedir


def find(ctx: BuildContext) -> CompilerCache | None:
    """The cache ``compiler-cache`` names, or None (a named cache that is missing raises RemapError)."""
    choice = ctx.settings.compiler_cache
    return cacheprobe.find(choice, ctx.environ, ctx.settings.origin("compiler_cache"))


def helper_directory(ctx: BuildContext) -> Path:
    """Where the cache's helper files go: the hook's private temporary directory, else the tree's state dir.

    Both are the same for every build of one tree, so the ``rustc`` script
    has the same path each time (cargo would rerun build scripts for a new one).
    """
    if ctx.temp_dir is not None:
        return ctx.temp_dir / "compiler-cache"
    state = ctx.state_dir
    if statedir.prepare(state):
        return state / "compiler-cache"
    directory = Path(tempfile.mkdtemp(prefix="remap-backend-cache-"))
    atexit.register(shutil.rmtree, str(directory), True)
    return directory


def plan_cache(
    ctx: BuildContext,
    adapter: Adapter,
    maps: Sequence[PathMap],
    environment: dict[str, str],
    config_settings: dict[str, Any],
) -> tuple[dict[str, str], dict[str, Any], CacheRun]:
    """The environment updates and config-settings that launch ``ctx.compiler_cache``, and the run to report.

    ``environment`` is what the path maps already add (the cache's settings
    go beside them); ``ctx.environ`` is the user's.
    """
    cache = ctx.compiler_cache
    assert cache is not None
    helpers = helper_directory(ctx)
    launch_ctx = _with_config_settings(ctx, config_settings)
    updates = adapter.cache_environment(launch_ctx, cache)
    config_settings = adapter.cache_config_settings(launch_ctx, cache, helpers)

    if compilercache.rustflags_args_in(environment):
        script = cacheprobe.write_rustc_wrapper(helpers)
        updates.update(compilercache.rust_environment(cache, ctx.environ, cacheprobe.real_rustc(ctx.environ), str(script)))
    else:
        updates.update(compilercache.rust_environment(cache, ctx.environ, None, None))

    base_dir = str(ctx.source_dir) if adapter.compiles_in_source_tree(launch_ctx) else None
    stats_log = str(helpers / "ccache-stats.log") if cache.kind == compilercache.CCACHE else ""
    port = None
    if cache.kind == compilercache.SCCACHE and not compilercache.owns_server_choice(ctx.environ):
        port = cacheprobe.free_port()
    updates.update(compilercache.settings_environment(cache, ctx.environ, maps, base_dir, stats_log, port))
    stats_log = updates.get("CCACHE_STATSLOG", "")  # a stats_log of yours is yours to read
    if stats_log:
        helpers.mkdir(parents=True, exist_ok=True)
        Path(stats_log).write_text("", encoding="utf-8")  # this build's calls only
    for key in sorted(updates):
        log.debug(f"compiler cache: {key}={updates[key]}")
    run = CacheRun(cache, dict(updates), stats_log=stats_log, own_server=port is not None)
    return updates, config_settings, run


def _with_config_settings(ctx: BuildContext, config_settings: dict[str, Any]) -> BuildContext:
    import dataclasses

    return dataclasses.replace(ctx, config_settings=config_settings)
