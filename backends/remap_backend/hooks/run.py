"""One build hook (metadata, wheel, editable, sdist): prepare, call the wrapped hook, clean up after it.

What only a hook that plans (maps, temp dirs) or makes an archive uses is
imported by that hook: ``get_requires_for_build_*`` runs in a process of its
own under every frontend, and pays for each module it imports.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping

from .. import adapters, log, repair
from ..settings import Settings
from .configsettings import HookConfigSettings
from ..context import BuildContext
from ..epoch import epoch_from

if TYPE_CHECKING:
    from ..remap.plan import RemapPlan

#: Hooks that produce an archive, and the keyword naming the directory it lands in.
ARTIFACT_DIRECTORY = {
    "build_wheel": "wheel_directory",
    "build_editable": "wheel_directory",
    "build_sdist": "sdist_directory",
}


def _context(hook_name: str, source_dir: Path, settings: Settings, given: HookConfigSettings, epoch: int,
             pyproject: Mapping[str, Any], temp_dir: Path | None = None) -> BuildContext:
    return BuildContext(
        hook=hook_name,
        source_dir=source_dir,
        backend_ref=settings.backend,
        settings=settings,
        config_settings=given.forwarded or {},
        environ=dict(os.environ),
        epoch=epoch,
        temp_dir=temp_dir,
        parsed_pyproject=pyproject,
    )


def _cache_reporting(plan: RemapPlan):
    """The compiler cache's report after the hook, when one was launched (imported only then)."""
    if plan.compiler_cache is None:
        import contextlib

        return contextlib.nullcontext()
    from .cachereport import reporting

    return reporting(plan.compiler_cache)


def run_repaired(hook_name: str, hook: Callable[..., Any], arguments: Mapping[str, Any],
                 given: HookConfigSettings, source_dir: Path, settings: Settings, pyproject: Mapping[str, Any]) -> Any:
    """A hook that builds nothing (``get_requires_for_build_*``) but runs the project's code: repair only.

    setuptools executes setup.py there (egg_info), and a setup.py that drives
    CMake on every run would otherwise meet a cache of a vanished environment.
    """
    ctx = _context(hook_name, source_dir, settings, given, epoch_from(os.environ)[0], pyproject)
    with repair.session(ctx, adapters.for_backend(settings.backend), plan=None):
        return hook(**arguments, config_settings=given.for_backend())


def run_prepared(hook_name: str, hook: Callable[..., Any], arguments: Mapping[str, Any],
                 given: HookConfigSettings, source_dir: Path, settings: Settings, pyproject: Mapping[str, Any]) -> Any:
    """Path maps and SOURCE_DATE_EPOCH in the environment, state repaired, archive normalized."""
    from ..remap import tempnames

    with tempnames.private_directory(hook_name, source_dir) as temp_dir:
        epoch, epoch_origin = epoch_from(os.environ)
        ctx = _context(hook_name, source_dir, settings, given, epoch, pyproject, temp_dir)
        return _run_prepared(ctx, hook, arguments, given, epoch_origin)


def _run_prepared(ctx: BuildContext, hook: Callable[..., Any], arguments: Mapping[str, Any],
                  given: HookConfigSettings, epoch_origin: str) -> Any:
    from ..remap import plan as planning, tempnames
    from .environ import patched_environ

    hook_name, settings, epoch = ctx.hook, ctx.settings, ctx.epoch
    adapter = adapters.for_backend(settings.backend)
    plan = planning.plan(ctx, adapter)
    environment = {"SOURCE_DATE_EPOCH": str(epoch), **plan.environment}
    log.info(f"{settings.backend} {hook_name} ({adapter.name} adapter, {len(plan.maps)} path maps)")
    log.debug(f"SOURCE_DATE_EPOCH={epoch} from {epoch_origin}")
    for path_map in plan.maps:
        log.debug(f"map {path_map.source} -> {path_map.target} ({path_map.reason})")
    for key, value in plan.environment.items():
        log.debug(f"env {key}={value}")

    with repair.session(ctx, adapter, plan), patched_environ(environment):
        with _cache_reporting(plan), tempnames.deterministic(ctx.temp_dir, hook_name):  # innermost: the hook's names only
            result = hook(**arguments, config_settings=given.for_backend(plan.config_settings))

    if hook_name in ARTIFACT_DIRECTORY:
        artifact = Path(arguments[ARTIFACT_DIRECTORY[hook_name]]) / result
        adapter.after_build(ctx, artifact, plan.maps)
        from .finish import finish_artifact

        finish_artifact(hook_name, artifact, plan.maps, settings, epoch)
    return result
