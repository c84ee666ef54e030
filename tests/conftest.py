"""Shared fixtures: this project's own wheel, for frontends' isolated build environments."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "backends"))
sys.path.insert(0, str(REPO / "tests"))


@pytest.fixture(scope="session")
def proxy_wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding remap-backend's wheel, built from this checkout through its own proxy."""
    wheelhouse = tmp_path_factory.mktemp("wheelhouse")
    env = {k: v for k, v in os.environ.items() if not k.startswith("REMAP_")}
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(wheelhouse), str(REPO)],
        check=True, capture_output=True, env=env,
    )
    assert len(list(wheelhouse.glob("remap_backend-*.whl"))) == 1
    return wheelhouse


@pytest.fixture(scope="session")
def uv_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A uv cache of this session only, so no wheel of an earlier remap-backend build is reused."""
    return tmp_path_factory.mktemp("uv-cache")


@pytest.fixture(autouse=True, scope="session")
def _user_cache_of_the_session(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Probes of the suite's stand-in compilers go to a cache of the suite's own, not the user's.

    Frontend builds strip ``REMAP_*`` from their environment (support.frontends), so they use
    the real per-user cache, as a user's builds would.
    """
    if "REMAP_BACKEND_CACHE" not in os.environ:
        os.environ["REMAP_BACKEND_CACHE"] = str(tmp_path_factory.mktemp("user-cache"))
