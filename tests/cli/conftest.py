"""Run the real ``remap-backend`` command line in a subprocess, as users do."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Mapping, Sequence

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "src"))
PROJECTS = Path(__file__).resolve().parent / "projects"


def cli_environ(cache: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This checkout's CLI and proxy first on the path; no proxy settings leaking in from outside."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REMAP_", "UV_"))}
    env.pop("SOURCE_DATE_EPOCH", None)
    python_path = [str(REPO / "src"), str(REPO / "backends")]
    if env.get("PYTHONPATH"):
        python_path.append(env["PYTHONPATH"])
    env.update(PYTHONPATH=os.pathsep.join(python_path), REMAP_BACKEND_CACHE=str(cache), UV_NO_PROGRESS="1")
    env.update(extra or {})
    return env


def run_cli(args: Sequence[str], env: Mapping[str, str], cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "remap_backend_cli", *map(str, args)],
        env=dict(env), cwd=cwd, capture_output=True, text=True,
    )


@pytest.fixture(scope="session")
def cli_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """remap-backend's cache (proxy wheel, downloaded sdists) for this test session only."""
    return tmp_path_factory.mktemp("remap-cache")


@pytest.fixture
def cli(cli_cache: Path):
    """``cli(args..., env_extra=..., cwd=...)`` -> CompletedProcess of ``python -m remap_backend_cli``."""

    def invoke(*args: str, env_extra: Mapping[str, str] | None = None, cwd: Path | None = None):
        return run_cli(args, cli_environ(cli_cache, env_extra), cwd)

    return invoke
