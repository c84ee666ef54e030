"""One module per wrapped backend; adding a backend means adding a file here.

The module is named after the backend's top-level module (``setuptools.py``
serves ``setuptools.build_meta``, ``mesonpy.py`` serves ``mesonpy``) and
defines ``ADAPTER``, an instance of :class:`~.base.Adapter`. Only the one
adapter a build needs is imported: every hook runs in a fresh process.
"""

from __future__ import annotations

import importlib
import pkgutil

from .base import Adapter

_GENERIC = Adapter()


def adapter_names() -> list[str]:
    """The backends that have an adapter of their own (module names)."""
    return sorted(info.name for info in pkgutil.iter_modules(__path__) if info.name != "base")


def for_backend(reference: str) -> Adapter:
    """The adapter for a ``module:object`` reference, or the generic one."""
    top = reference.partition(":")[0].split(".")[0]
    if top == "base" or top not in adapter_names():
        return _GENERIC
    adapter = getattr(importlib.import_module(f"{__name__}.{top}"), "ADAPTER", None)
    return adapter if isinstance(adapter, Adapter) else _GENERIC
