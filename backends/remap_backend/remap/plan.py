"""Plan the path maps and environment for one build.

The plan is made in three steps, each with one owner:

1. the adapter picks config-settings (for example a build directory whose
   path is known in advance) and names the directories its backend compiles
   in (:meth:`Adapter.config_settings`, :meth:`Adapter.variable_paths`);
2. :mod:`.discovery` finds every varying path and orders the maps;
3. renderers turn the maps into what each toolchain reads: the adapter's
   :meth:`Adapter.environment` (by default the generic C-family variables,
   :func:`.cflags.c_family_environment`);
   then Rust flags for every backend (:func:`.rustflags.rust_environment`), given
   the environment as the C flags left it.
"""

from __future__ import annotations

import dataclasses
from types import MappingProxyType
from typing import Any, Mapping, NamedTuple, Sequence

from . import carriers, discovery
from .. import log
from ..adapters.base import Adapter
from ..context import BuildContext
from .crates import uses_rust
from .pathmap import PathMap

#: Hooks that compile; the others get the adapter's config-settings only.
COMPILING_HOOKS = ("build_wheel", "build_editable")

#: The default of a plan's mappings: read-only, since every plan made without them shares it.
_NOTHING: Mapping[str, Any] = MappingProxyType({})


class RemapPlan(NamedTuple):
    maps: tuple[PathMap, ...] = ()
    environment: Mapping[str, str] = _NOTHING
    config_settings: Mapping[str, Any] = _NOTHING
    #: The compiler cache launched for this build (remap/cacheplan.py), reported after the hook.
    compiler_cache: Any = None


def plan(ctx: BuildContext, adapter: Adapter) -> RemapPlan:
    """Maps, environment updates and config-settings for one hook call."""
    config_settings = adapter.config_settings(ctx)
    if ctx.hook not in COMPILING_HOOKS:
        return RemapPlan(config_settings=config_settings)
    cache = None
    if ctx.settings.compiler_cache != "none":
        from . import cacheplan

        cache = cacheplan.find(ctx)
    build_ctx = dataclasses.replace(ctx, config_settings=config_settings, compiler_cache=cache)
    launchers = adapter.launchers(build_ctx) + ([cache.executable] if cache is not None else [])
    found = discovery.discover(
        ctx.source_dir, adapter.variable_paths(build_ctx), ctx.environ, ctx.settings.path_map,
        temp_dirs=[str(ctx.temp_dir)] if ctx.temp_dir else [], launchers=list(dict.fromkeys(launchers)),
    )
    for path, reason in found.skipped:
        log.warn(f"not remapping {path}: {reason}; rename it or build elsewhere for a reproducible wheel")
    maps = found.maps
    while True:
        try:
            environment, config_settings = _render(ctx, build_ctx, adapter, maps)
            run = None
            if cache is not None:
                from . import cacheplan

                updates, config_settings, run = cacheplan.plan_cache(build_ctx, adapter, maps, environment,
                                                                     config_settings)
                environment.update(updates)
            return RemapPlan(maps=maps, environment=environment, config_settings=config_settings,
                             compiler_cache=run)
        except carriers.UnmappedPath as exc:
            if not ctx.settings.allow_unmapped:
                raise
            # The user accepts a differing wheel: drop that map (for every
            # carrier, so no carrier gets half of it) and render again.
            log.warn(f"{exc.problem}; left unmapped (remap.allow-unmapped = true)")
            maps = tuple(m for m in maps if m.source != exc.path)


def _render(
    ctx: BuildContext, build_ctx: BuildContext, adapter: Adapter, maps: Sequence[PathMap]
) -> tuple[dict[str, str], dict[str, Any]]:
    """The adapter's environment, the Rust flags and the map-carrying config-settings for ``maps``."""
    environment = adapter.environment(build_ctx, maps)
    # Rust last, seeing the C flags already planned: it leaves alone a CFLAGS
    # that carries the maps (the cc crate would join both and map twice) and
    # adds nothing when the adapter already rendered the Rust flags.
    if maps and uses_rust(ctx.source_dir):
        from . import rustflags  # imported only by builds that compile Rust
        from .compilercache import wraps_rustc

        rust_environ = {**ctx.environ, **environment}
        environment.update(rustflags.rust_environment(
            rust_environ, ctx.source_dir, maps, force=True,  # the tree was walked for a Cargo.toml just above
            wrapped=wraps_rustc(build_ctx.compiler_cache, ctx.environ), map_form=build_ctx.map_form,
        ))
    # Config-settings that carry the maps themselves (meson's -D options for a
    # build directory set up before) can only be made once the maps are known.
    config_settings = adapter.config_settings_with_maps(build_ctx, maps)
    return environment, config_settings
