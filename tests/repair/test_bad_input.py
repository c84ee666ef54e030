"""Odd build directories: one clear error line naming the fix, and every file left as it was."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support.frontends import EXAMPLES, REPO, copy_project, frontend_env, run

from .kit import build_wheel, cache_entry, output

EXAMPLE = EXAMPLES / "pytorch-shaped"


def snapshot(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def no_isolation_build(project: Path, outdir: Path, env, check: bool):
    """The proxy from this checkout, run by pypa/build in the current interpreter (cmake/ninja from PATH)."""
    env = {**env, "PYTHONPATH": str(REPO / "backends")}
    return build_wheel(project, outdir, env, ["--no-isolation"], check=check)


def assert_one_clear_error(done, *fragments: str) -> None:
    assert done.returncode != 0
    text = output(done)
    errors = [line for line in text.splitlines() if "remap-backend: error:" in line]
    assert len(errors) == 1, text[-3000:]
    assert all(fragment in errors[0] for fragment in fragments), errors[0]
    assert "Traceback" not in text


@pytest.fixture
def env(tmp_path, proxy_wheelhouse, uv_cache):
    return frontend_env(proxy_wheelhouse, uv_cache, tmp_path / "tmp")


@pytest.mark.e2e
def test_corrupt_cache(tmp_path, env):
    project = copy_project(EXAMPLE, tmp_path)
    no_isolation_build(project, tmp_path / "dist", env, check=True)
    cache = project / "build" / "CMakeCache.txt"
    with cache.open("ab") as stream:
        stream.write(b"\x00\x17 garbage from a crashed editor\n")
    before = snapshot(project / "build")
    done = no_isolation_build(project, tmp_path / "dist", env, check=False)
    assert_one_clear_error(done, str(cache), "corrupt", "delete")
    assert snapshot(project / "build") == before


@pytest.mark.e2e
def test_cache_of_another_source_tree(tmp_path, env):
    original = copy_project(EXAMPLE, tmp_path / "original")
    no_isolation_build(original, tmp_path / "dist", env, check=True)
    copied = tmp_path / "copied" / original.name
    shutil.copytree(original, copied, symlinks=True)
    before = snapshot(copied / "build")
    done = no_isolation_build(copied, tmp_path / "dist", env, check=False)
    assert_one_clear_error(done, "belongs to another build tree", str(original / "build"), "delete")
    assert snapshot(copied / "build") == before


def make_read_only(directory: Path) -> None:
    """chmod for users; root ignores modes, so as root the directory is made immutable instead."""
    if os.geteuid() != 0:
        directory.chmod(0o555)
        return
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(directory)]).returncode != 0:
        pytest.skip("running as root and cannot make a directory immutable (chattr +i) on this filesystem")


def make_writable(directory: Path) -> None:
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(directory)], check=False)
    else:
        directory.chmod(0o755)


@pytest.mark.e2e
@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_read_only_build_directory_needing_repair(tmp_path, env):
    project = copy_project(EXAMPLE, tmp_path)
    build_wheel(project, tmp_path / "dist", env)  # isolated: its environment is gone afterwards
    cache = project / "build" / "CMakeCache.txt"
    assert not Path(cache_entry(cache, "CMAKE_MAKE_PROGRAM")).exists()
    before = snapshot(project / "build")
    make_read_only(project / "build")
    try:
        done = build_wheel(project, tmp_path / "dist", env, check=False)
    finally:
        make_writable(project / "build")
    assert_one_clear_error(done, str(project / "build"), "writable")
    assert snapshot(project / "build") == before
