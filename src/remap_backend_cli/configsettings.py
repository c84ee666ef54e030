"""The config-settings a build passes to the backend: ``-C`` items and the proxy's strict default."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import RemapError


def parse_config_settings(items: list[str]) -> dict[str, Any]:
    """``-C KEY=VALUE`` items; a repeated key becomes a list, as in pypa/build."""
    settings: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not key:
            raise RemapError(f"-C {item!r} has no key; write it as -C KEY=VALUE")
        value = value if sep else ""
        if key in settings:
            previous = settings[key]
            settings[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            settings[key] = value
    return settings


def with_strict_default(config_settings: dict[str, Any], source_dir: Path, strict: bool) -> dict[str, Any]:
    """The proxy's config-settings with ``remap.strict=true`` added, unless the user decided.

    An explicit ``-C remap.strict=...`` or a ``strict`` key in the project's
    ``[tool.remap-backend]`` table wins over this default; ``--no-strict``
    adds nothing. Only for proxied builds: a plain backend would be handed a
    key it does not know.
    """
    if not strict or "remap.strict" in config_settings:
        return config_settings
    from remap_backend import settings as config

    table = config.read_pyproject(source_dir).get("tool", {}).get("remap-backend", {})
    if isinstance(table, dict) and "strict" in table:
        return config_settings
    return {**config_settings, "remap.strict": "true"}
