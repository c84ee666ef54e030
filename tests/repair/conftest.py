"""Fixtures of the repair tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.frontends import frontend_env

from .kit import build_hdrdep


@pytest.fixture(scope="session")
def hdrdep_wheels(tmp_path_factory) -> Path:
    """Real wheels of the header-shipping build dependency, versions 1.0 and 2.0."""
    workdir = tmp_path_factory.mktemp("hdrdep")
    wheelhouse = workdir / "wheels"
    env = frontend_env(workdir)
    build_hdrdep("1.0", 1, workdir, wheelhouse, env)
    build_hdrdep("2.0", 2, workdir, wheelhouse, env)
    return wheelhouse
