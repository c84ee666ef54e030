"""Import the wrapped backend named by a PEP 517 object reference."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import Any

from ..errors import RemapError

_cache: dict[tuple[str, tuple[str, ...], str], Any] = {}


def resolve_backend_path(source_dir: Path, entries: tuple[str, ...], origin: str = "backend-path") -> list[str]:
    """Apply PEP 517's rules: entries are relative and stay inside the source tree (``origin``: for messages)."""
    root = source_dir.resolve()
    resolved = []
    for entry in entries:
        if os.path.isabs(entry):
            raise RemapError(
                f"{origin} entry {entry!r} is absolute; write it relative to the project root"
            )
        path = (root / entry).resolve()
        if path != root and root not in path.parents:
            raise RemapError(
                f"{origin} entry {entry!r} points outside the source tree ({path}); "
                "keep in-tree backends inside the project directory"
            )
        resolved.append(str(path))
    return resolved


def load_backend(reference: str, backend_path: tuple[str, ...], source_dir: Path,
                 origins: tuple[str, str] = ("[tool.remap-backend] backend", "backend-path")) -> Any:
    """Return the backend object; cached so hasattr probes and hook calls import it once.

    ``origins`` name where the reference and the path came from (a table key,
    a config-setting, an environment variable), so a message says what to fix.
    """
    key = (reference, tuple(backend_path), str(source_dir))
    if key not in _cache:
        _cache[key] = _import(reference, resolve_backend_path(source_dir, backend_path, origins[1]), origins[0])
    return _cache[key]


def _import(reference: str, paths: list[str], origin: str) -> Any:
    module_name, _, object_path = reference.partition(":")
    for path in reversed(paths):
        if path not in sys.path:
            sys.path.insert(0, path)
    try:
        backend = importlib.import_module(module_name)
    except ImportError as exc:
        where = f" (searched backend-path {paths})" if paths else ""
        raise RemapError(
            f"cannot import the wrapped backend {module_name!r}{where}: {exc}; add the package that "
            "provides it to build-system.requires (or [tool.remap-backend] requires), "
            f"or fix {origin}"
        ) from None
    if paths:
        _check_loaded_from(backend, module_name, paths)
    for attribute in filter(None, object_path.split(".")):
        try:
            backend = getattr(backend, attribute)
        except AttributeError:
            raise RemapError(
                f"the wrapped backend {reference!r} does not exist: module {module_name!r} has no "
                f"attribute path {object_path!r}; fix {origin}"
            ) from None
    return backend


def _check_loaded_from(module: Any, name: str, paths: list[str]) -> None:
    """Like pyproject-hooks: an in-tree backend must really come from backend-path."""
    origin = getattr(module, "__file__", None)
    if origin is None:
        return
    origin = os.path.realpath(origin)
    if not any(os.path.commonpath([origin, p]) == p for p in paths):
        raise RemapError(
            f"the wrapped backend {name!r} was imported from {origin}, not from backend-path {paths}; "
            "rename the in-tree module or remove the installed one from the build requirements"
        )
