"""One hook call: settings, the wrapped backend, and dispatch to it (builds via :mod:`.run`)."""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any, Callable, Mapping

from .. import log, settings as configuration
from ..errors import RemapError
from .configsettings import HookConfigSettings
from .loader import load_backend

def user_errors_as_exit(function: Callable) -> Callable:
    """Turn a RemapError into one stderr line and a failed hook, never a deep traceback."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except RemapError as exc:
            raise SystemExit(f"remap-backend: error: {log.one_line(str(exc))}") from None

    return wrapper


def _settings(config_settings: Mapping[str, Any] | None) -> tuple[Path, configuration.Settings, dict]:
    """(source tree, settings, pyproject.toml): the file is parsed once for the whole hook call."""
    source_dir = Path(os.getcwd())
    pyproject = configuration.read_pyproject(source_dir)
    return source_dir, configuration.load(source_dir, config_settings, os.environ, pyproject), pyproject


@user_errors_as_exit
def wrapped_has(hook: str) -> bool:
    """Whether the wrapped backend (as named without config-settings) has ``hook``."""
    source_dir, settings, _ = _settings(None)
    return hasattr(load_backend(settings.backend, settings.backend_path, source_dir,
                         (settings.origin("backend"), settings.origin("backend_path"))), hook)


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
def call(hook_name: str, config_settings: Mapping[str, Any] | None = None, **arguments: Any) -> Any:
    """Run ``hook_name`` of the wrapped backend; ``arguments`` are the hook's other keyword arguments."""
    given = HookConfigSettings(config_settings)
    source_dir, settings, pyproject = _settings(config_settings)
    log.set_verbose(settings.verbose)
    backend = load_backend(settings.backend, settings.backend_path, source_dir,
                         (settings.origin("backend"), settings.origin("backend_path")))
    hook = getattr(backend, hook_name, None)

    if hook_name.startswith("get_requires_for_build_"):
        log.info(f"{settings.backend} {hook_name}")
        if hook is None:
            return merge_requirements([], settings.requires)
        from .run import run_repaired

        found = run_repaired(hook_name, hook, arguments, given, source_dir, settings, pyproject)
        return merge_requirements(list(found), settings.requires)
    if hook is None:
        raise RemapError(
            f"the wrapped backend {settings.backend!r} has no hook {hook_name}; "
            f"check {settings.origin('backend')}"
        )

    from .run import run_prepared

    return run_prepared(hook_name, hook, arguments, given, source_dir, settings, pyproject)
