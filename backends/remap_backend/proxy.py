"""One hook call: settings, wrapped backend, remapping, repair, the call, normalization."""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any, Callable, Mapping

from . import adapters, config, log, remap, repair
from .context import BuildContext
from .environment import patched_environ
from .epoch import epoch_from
from .errors import RemapError
from .loader import load_backend

#: Hooks that produce an archive, and the keyword naming the directory it lands in.
ARTIFACT_DIRECTORY = {
    "build_wheel": "wheel_directory",
    "build_editable": "wheel_directory",
    "build_sdist": "sdist_directory",
}


def user_errors_as_exit(function: Callable) -> Callable:
    """Turn a RemapError into one stderr line and a failed hook, never a deep traceback."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except RemapError as exc:
            raise SystemExit(f"remap-backend: error: {exc}") from None

    return wrapper


def _settings(config_settings: Mapping[str, Any] | None) -> tuple[Path, config.Settings]:
    source_dir = Path(os.getcwd())
    return source_dir, config.load(source_dir, config_settings, os.environ)


@user_errors_as_exit
def wrapped_has(hook: str) -> bool:
    """Whether the wrapped backend (as named without config-settings) has ``hook``."""
    source_dir, settings = _settings(None)
    return hasattr(load_backend(settings.backend, settings.backend_path, source_dir), hook)


@user_errors_as_exit
def own_requirements() -> tuple[str, ...]:
    return _settings(None)[1].requires


def merge_requirements(theirs: list[str], ours: tuple[str, ...]) -> list[str]:
    """The wrapped backend's answer first, then ours, each requirement once."""
    merged: list[str] = []
    for requirement in [*theirs, *ours]:
        if requirement not in merged:
            merged.append(requirement)
    return merged


@user_errors_as_exit
def call(hook_name: str, **kwargs: Any) -> Any:
    source_dir, settings = _settings(kwargs.get("config_settings"))
    log.set_verbose(settings.verbose)
    backend = load_backend(settings.backend, settings.backend_path, source_dir)
    hook = getattr(backend, hook_name, None)
    kwargs["config_settings"] = settings.forwarded

    if hook_name.startswith("get_requires_for_build_"):
        log.info(f"{settings.backend} {hook_name}")
        theirs = hook(**kwargs) if hook is not None else []
        return merge_requirements(list(theirs), settings.requires)
    if hook is None:
        raise RemapError(
            f"the wrapped backend {settings.backend!r} has no hook {hook_name}; "
            "check [tool.remap-backend] backend"
        )

    epoch, epoch_origin = epoch_from(os.environ)
    adapter = adapters.for_backend(settings.backend)
    ctx = BuildContext(
        hook=hook_name,
        source_dir=source_dir,
        backend_ref=settings.backend,
        settings=settings,
        config_settings=settings.forwarded or {},
        environ=dict(os.environ),
        epoch=epoch,
    )
    plan = remap.plan(ctx, adapter)
    environment = {"SOURCE_DATE_EPOCH": str(epoch), **plan.environment}
    log.info(f"{settings.backend} {hook_name} ({adapter.name} adapter, {len(plan.maps)} path maps)")
    log.debug(f"SOURCE_DATE_EPOCH={epoch} from {epoch_origin}")
    for path_map in plan.maps:
        log.debug(f"map {path_map.source} -> {path_map.target} ({path_map.reason})")
    for key, value in plan.environment.items():
        log.debug(f"env {key}={value}")
    if plan.config_settings or settings.forwarded is not None:
        kwargs["config_settings"] = plan.config_settings

    with repair.session(ctx, adapter, plan), patched_environ(environment):
        result = hook(**kwargs)

    if hook_name in ARTIFACT_DIRECTORY:
        artifact = Path(kwargs[ARTIFACT_DIRECTORY[hook_name]]) / result
        adapter.after_build(ctx, artifact, plan.maps)
        if settings.normalize:
            from .archives import normalize_artifact

            if normalize_artifact(artifact, epoch):
                log.debug(f"normalized {artifact.name}")
    return result
