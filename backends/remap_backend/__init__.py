"""remap-backend: a PEP 517 backend proxy for reproducible compiled wheels.

A project declares ``build-backend = "remap_backend"``; every hook here loads the
real backend, prepares the build (path maps, SOURCE_DATE_EPOCH, repairs), calls
the real hook, and normalizes the archive it returns.

The mandatory hooks always exist. An optional hook exists exactly when the
wrapped backend has it (module ``__getattr__``, PEP 562), because frontends
probe with ``hasattr`` and treat a hook that exists but fails as a failed build.
The one exception: ``get_requires_for_build_*`` also exists when
``[tool.remap-backend] requires`` adds requirements of ours and the matching
``build_*`` hook exists, which is what a frontend would assume anyway.
"""

from __future__ import annotations

from .hooks import proxy
from ._version import __version__

__all__ = ["__version__", "build_sdist", "build_wheel"]


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return proxy.call(
        "build_wheel",
        wheel_directory=wheel_directory,
        config_settings=config_settings,
        metadata_directory=metadata_directory,
    )


def build_sdist(sdist_directory, config_settings=None):
    return proxy.call("build_sdist", sdist_directory=sdist_directory, config_settings=config_settings)


def _get_requires_for_build_wheel(config_settings=None):
    return proxy.call("get_requires_for_build_wheel", config_settings=config_settings)


def _get_requires_for_build_sdist(config_settings=None):
    return proxy.call("get_requires_for_build_sdist", config_settings=config_settings)


def _get_requires_for_build_editable(config_settings=None):
    return proxy.call("get_requires_for_build_editable", config_settings=config_settings)


def _prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    return proxy.call(
        "prepare_metadata_for_build_wheel",
        metadata_directory=metadata_directory,
        config_settings=config_settings,
    )


def _prepare_metadata_for_build_editable(metadata_directory, config_settings=None):
    return proxy.call(
        "prepare_metadata_for_build_editable",
        metadata_directory=metadata_directory,
        config_settings=config_settings,
    )


def _build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return proxy.call(
        "build_editable",
        wheel_directory=wheel_directory,
        config_settings=config_settings,
        metadata_directory=metadata_directory,
    )


_OPTIONAL_HOOKS = {
    "get_requires_for_build_wheel": _get_requires_for_build_wheel,
    "get_requires_for_build_sdist": _get_requires_for_build_sdist,
    "get_requires_for_build_editable": _get_requires_for_build_editable,
    "prepare_metadata_for_build_wheel": _prepare_metadata_for_build_wheel,
    "prepare_metadata_for_build_editable": _prepare_metadata_for_build_editable,
    "build_editable": _build_editable,
}

#: get_requires_for_build_X -> the build hook it belongs to.
_REQUIRES_FOR = {
    "get_requires_for_build_wheel": "build_wheel",
    "get_requires_for_build_sdist": "build_sdist",
    "get_requires_for_build_editable": "build_editable",
}


def _has_optional_hook(name: str) -> bool:
    if proxy.wrapped_has(name):
        return True
    build_hook = _REQUIRES_FOR.get(name)
    return bool(build_hook and proxy.wrapped_has(build_hook) and proxy.own_requirements())


def __getattr__(name: str):
    hook = _OPTIONAL_HOOKS.get(name)
    if hook is not None and _has_optional_hook(name):
        hook.__name__ = hook.__qualname__ = name
        return hook
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
