"""Plan the path maps and environment for one build (see the remapping issue)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .adapters.base import Adapter
from .context import BuildContext
from .pathmap import PathMap


@dataclass(frozen=True)
class RemapPlan:
    maps: tuple[PathMap, ...] = ()
    environment: dict[str, str] = field(default_factory=dict)
    config_settings: dict[str, Any] = field(default_factory=dict)


def plan(ctx: BuildContext, adapter: Adapter) -> RemapPlan:
    """Scaffold until the remapping work lands: pass the user's settings through untouched."""
    return RemapPlan(config_settings=adapter.config_settings(ctx))
