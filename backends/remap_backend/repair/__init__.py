"""Repair state that an earlier build environment left in the source tree (see the repair issue)."""

from __future__ import annotations

import contextlib
from typing import Iterator

from ..adapters.base import Adapter
from ..context import BuildContext


@contextlib.contextmanager
def session(ctx: BuildContext, adapter: Adapter, plan) -> Iterator[None]:
    """Scaffold until the repair work lands: runs the build unchanged."""
    yield
