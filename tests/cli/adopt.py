"""A project as a new user has it, and the machine they build it on (for the vendor and recipe tests)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

PROJECTS = Path(__file__).resolve().parent / "projects"


def fresh_project(parent: Path) -> Path:
    """A copy of tests/cli/projects/fresh-zlib: a C extension that declares its backend the old way."""
    return Path(shutil.copytree(PROJECTS / "fresh-zlib", parent / "fresh-zlib"))


def index_only_env(tmp: Path) -> dict:
    """The user's machine: the public index only, no find-links, no proxy on any import path."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("REMAP_", "PIP_FIND_LINKS", "UV_", "PYTHONPATH")) and k != "SOURCE_DATE_EPOCH"}
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", UV_NO_PROGRESS="1", UV_CACHE_DIR=str(tmp / "uv-cache"),
               PIP_NO_CACHE_DIR="1", TMPDIR=str(tmp))
    return env


#: A pyproject.toml with the project's own comments and layout, which vendoring must keep.
COMMENTED = '''\
# The project's own words, which must survive.
[build-system]
requires = [
    "setuptools>=64",  # the real backend
    "remap-backend>=0.1",
]
build-backend = "setuptools.build_meta"   # declared backend

[project]
name = "fresh-c"
version = "0.3.0"
'''
