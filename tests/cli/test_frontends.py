"""frontends: which frontends ``verify --frontends`` accepts."""

from __future__ import annotations

import pytest

from remap_backend_cli import frontends
from remap_backend_cli.errors import RemapError


def test_frontends_list_is_checked():
    assert frontends.parse("pip,build,uv") == ["pip", "build", "uv"]
    for bad, message in (("pip,poetry", "unknown frontend 'poetry'"), ("pip", "two or more"), ("uv,uv", "two or more")):
        with pytest.raises(RemapError, match=message):
            frontends.parse(bad)
