"""One module per wrapped backend; adding a backend means adding a file here.

Each module defines ``ADAPTER``, an instance of :class:`~.base.Adapter` whose
``modules`` lists the top-level module names of the backends it serves.
"""

from __future__ import annotations

import importlib
import pkgutil

from .base import Adapter

_GENERIC = Adapter()


def all_adapters() -> list[Adapter]:
    found = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name == "base":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        adapter = getattr(module, "ADAPTER", None)
        if isinstance(adapter, Adapter):
            found.append(adapter)
    return found


def for_backend(reference: str) -> Adapter:
    """The adapter for a ``module:object`` reference, or the generic one."""
    top = reference.partition(":")[0].split(".")[0]
    for adapter in all_adapters():
        if top in adapter.modules:
            return adapter
    return _GENERIC
