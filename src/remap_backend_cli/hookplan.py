"""Decide which backend to call, with what requirements and environment.

A proxied build calls ``remap_backend`` (installed from the proxy wheel, no
backend-path) and tells it what to wrap through ``REMAP_BACKEND`` and
``REMAP_BACKEND_PATH``: pyproject-hooks refuses a backend-path outside the
source tree, and the project must not be edited. A project that already
declares ``remap_backend`` keeps its own ``[tool.remap-backend]`` settings.
A plain build calls the real backend directly, the way ``python -m build``
would.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .errors import RemapError

PROXY_BACKEND = "remap_backend"
PROXY_PROJECT = "remap-backend"
#: PEP 517's fallback for projects without a [build-system] table.
LEGACY_BACKEND = "setuptools.build_meta:__legacy__"
LEGACY_REQUIRES = ("setuptools>=40.8.0",)


@dataclass(frozen=True)
class BuildSystem:
    """The ``[build-system]`` table as declared (with PEP 517 defaults)."""

    requires: tuple[str, ...]
    backend: str
    backend_path: tuple[str, ...] = ()


@dataclass(frozen=True)
class HookPlan:
    """Everything needed to call the hooks of one build."""

    backend: str
    backend_path: tuple[str, ...] | None
    requires: tuple[str, ...]  # to install before the first hook (proxy wheel not included)
    environment: dict[str, str] = field(default_factory=dict)  # set for the hook subprocess
    unset: tuple[str, ...] = ()  # removed from the hook subprocess environment
    proxied: bool = True


def read_build_system(pyproject: Mapping[str, Any]) -> BuildSystem:
    """Validate ``[build-system]``; a missing table means PEP 517's setuptools legacy default."""
    table = pyproject.get("build-system")
    if table is None:
        return BuildSystem(LEGACY_REQUIRES, LEGACY_BACKEND)
    if not isinstance(table, dict):
        raise RemapError("[build-system] in pyproject.toml must be a table; fix the project's pyproject.toml")
    requires = table.get("requires")
    if not isinstance(requires, list) or not all(isinstance(r, str) for r in requires):
        raise RemapError("[build-system] requires must be a list of strings; fix the project's pyproject.toml")
    backend = table.get("build-backend", LEGACY_BACKEND)
    if not isinstance(backend, str) or not backend:
        raise RemapError("[build-system] build-backend must be a string; fix the project's pyproject.toml")
    backend_path = table.get("backend-path", [])
    if not isinstance(backend_path, list) or not all(isinstance(p, str) for p in backend_path):
        raise RemapError("[build-system] backend-path must be a list of strings; fix the project's pyproject.toml")
    return BuildSystem(tuple(requires), backend, tuple(backend_path))


def is_proxy_requirement(requirement: str) -> bool:
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    try:
        return canonicalize_name(Requirement(requirement).name) == PROXY_PROJECT
    except InvalidRequirement:
        return False


def declares_proxy(system: BuildSystem) -> bool:
    return system.backend.split(":")[0] == PROXY_BACKEND


def proxied_plan(system: BuildSystem) -> HookPlan:
    """Call remap_backend; point it at the declared backend unless it already is the proxy."""
    requires = tuple(r for r in system.requires if not is_proxy_requirement(r))
    if declares_proxy(system):
        return HookPlan(PROXY_BACKEND, None, requires, unset=("REMAP_BACKEND", "REMAP_BACKEND_PATH"))
    environment = {"REMAP_BACKEND": system.backend, "REMAP_BACKEND_PATH": os.pathsep.join(system.backend_path)}
    return HookPlan(PROXY_BACKEND, None, requires, environment)


def plain_plan(system: BuildSystem, wrapped_backend: str | None, wrapped_path: tuple[str, ...]) -> HookPlan:
    """Call the real backend directly, as a plain frontend would.

    For a project that declares the proxy, ``wrapped_backend``/``wrapped_path``
    name what the proxy would wrap (from its settings).
    """
    unset = ("REMAP_BACKEND", "REMAP_BACKEND_PATH")
    if declares_proxy(system):
        if wrapped_backend is None:
            raise RemapError("cannot build without the proxy: the project declares remap_backend and no backend to wrap")
        requires = tuple(r for r in system.requires if not is_proxy_requirement(r))
        return HookPlan(wrapped_backend, wrapped_path or None, requires, unset=unset, proxied=False)
    return HookPlan(system.backend, system.backend_path or None, system.requires, unset=unset, proxied=False)


def plan_for(source_dir: Path, plain: bool) -> HookPlan:
    """Which backend the hooks call for ``source_dir``, proxied or plain."""
    from remap_backend import settings as config

    pyproject = config.read_pyproject(source_dir)
    system = read_build_system(pyproject)
    if not plain:
        return proxied_plan(system)
    wrapped, wrapped_path = None, ()
    if declares_proxy(system):
        settings = config.load(source_dir, None, {}, pyproject)
        wrapped, wrapped_path = settings.backend, settings.backend_path
    return plain_plan(system, wrapped, wrapped_path)
