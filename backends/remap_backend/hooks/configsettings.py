"""One hook call's config-settings: what the frontend passed in, and what the wrapped backend gets.

The ``remap.*`` keys are ours and never reach the wrapped backend; every other
key and value passes unchanged. An adapter may add keys (a build directory,
map-carrying options), and a frontend's ``None`` stays ``None`` unless it does,
because some backends tell "no config-settings" from "empty ones".
"""

from __future__ import annotations

from typing import Any, Mapping, NamedTuple

from ..settings import split_config_settings


class HookConfigSettings(NamedTuple):
    #: Exactly what the frontend passed to the hook.
    given: Mapping[str, Any] | None

    @property
    def forwarded(self) -> dict[str, Any] | None:
        """The frontend's config-settings without our ``remap.*`` keys (None when it passed None)."""
        return split_config_settings(self.given)[1]

    def for_backend(self, planned: Mapping[str, Any] | None = None) -> dict[str, Any] | None:
        """What the wrapped hook receives: the plan's config-settings, else the forwarded ones."""
        forwarded = self.forwarded
        if planned is None or (not planned and forwarded is None):
            return forwarded
        return dict(planned)
