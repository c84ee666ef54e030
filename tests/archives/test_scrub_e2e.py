"""End to end: a meson-python project whose build writes a build-info module, built from its sdist.

``_build_config.py`` records the build environment's interpreter, the build
directory and the source directory (as numpy's ``__config__.py`` and
contourpy's ``_build_config.py`` do). No compiler flag reaches those bytes;
the proxy's text scrubbing replaces them by placeholders. Built twice with
``python -m build`` and twice with uv, each in its own random directory and
TMPDIR: identical wheels, no builder path. The plain backend, and the proxy
with ``remap.scrub-text=false``, leave the random paths in the file.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest

from support import frontends
from support.leaks import find_leaks
from support.reproducibility import commit_as_git_repository, forbidden_paths, plain_sdist

pytestmark = pytest.mark.e2e

PROJECT = Path(__file__).resolve().parent / "projects" / "meson-build-info"
BUILD_CONFIG = "buildinfo/_build_config.py"


def build_config(wheel: Path) -> str:
    with zipfile.ZipFile(wheel) as archive:
        return archive.read(BUILD_CONFIG).decode()


def test_build_info_module_is_scrubbed_and_wheels_identical(proxy_wheelhouse, uv_cache, tmp_path):
    project = frontends.copy_project(PROJECT, tmp_path / "project")
    commit_as_git_repository(project)
    sdist = frontends.build_sdist(project, tmp_path / "sdist",
                                  frontends.frontend_env(proxy_wheelhouse, uv_cache, tmp_path / "tmp-sdist"))

    def env(index: int, name: str) -> dict[str, str]:
        # TMPDIRs of different lengths, so no padding hides anything
        return frontends.frontend_env(proxy_wheelhouse, uv_cache, tmp_path / f"tmp{index}-{name}-{'x' * 3 * index}")

    uv_args = ["--python", sys.executable]
    wheels = [
        frontends.wheel_from_sdist_with_build(sdist, env(0, "build")),
        frontends.wheel_from_sdist_with_build(sdist, env(1, "build")),
        frontends.wheel_from_sdist_with_uv(sdist, env(2, "uv"), uv_args),
        frontends.wheel_from_sdist_with_uv(sdist, env(3, "uv"), uv_args),
    ]
    needles = forbidden_paths(tmp_path, uv_cache)
    config = build_config(wheels[0])
    assert 'python = "/remap/env/bin/python' in config, config
    assert 'build_dir = "/remap/build"' in config and 'source_dir = "/remap/source"' in config, config
    leaks = [leak for wheel in wheels for leak in find_leaks(frontends.wheel_members(wheel), needles)]
    assert not leaks, "\n".join(map(str, leaks[:20]))
    assert len({frontends.sha256(wheel) for wheel in wheels}) == 1, [w.name for w in wheels]
    assert frontends.run_in_wheel(wheels[0], tmp_path, "import buildinfo; print(buildinfo.answer())") == "42"

    # Without the scrubbing the same file names the random directories of each build.
    unscrubbed = frontends.wheel_from_sdist_with_uv(sdist, env(4, "noscrub"),
                                                    [*uv_args, "-C", "remap.scrub-text=false"])
    plain = frontends.wheel_from_sdist_with_uv(plain_sdist(sdist, tmp_path / "plain-sdist"), env(5, "plain"), uv_args)
    for wheel in (unscrubbed, plain):
        found = find_leaks({BUILD_CONFIG: build_config(wheel).encode()}, needles)
        assert found, build_config(wheel)
        assert "/remap/" not in build_config(wheel), build_config(wheel)


def pass_through_launcher(directory: Path) -> Path:
    """A stand-in ``sccache`` (meson's first choice on PATH): answers ``--version`` and runs the compiler."""
    directory.mkdir(parents=True)
    launcher = directory / "sccache"
    launcher.write_text('#!/bin/sh\nif [ "$1" = --version ]; then echo "sccache 0.0.0"; exit 0; fi\nexec "$@"\n')
    launcher.chmod(0o755)
    return launcher


def test_a_compiler_cache_meson_finds_on_path_is_recorded_as_a_placeholder(proxy_wheelhouse, uv_cache, tmp_path):
    """meson launches an sccache it finds on PATH and records it by absolute path (``cmd_array()``).

    Where the launcher is installed differs between machines (a venv, pyenv, /usr/local), so it
    becomes /remap/tools/sccache; the tools live outside every other mapped directory here.
    """
    project = frontends.copy_project(PROJECT, tmp_path / "project")
    commit_as_git_repository(project)
    sdist = frontends.build_sdist(project, tmp_path / "sdist",
                                  frontends.frontend_env(proxy_wheelhouse, uv_cache, tmp_path / "tmp-sdist"))
    outside = Path(tempfile.mkdtemp(prefix="remap-launchers-", dir="/var/tmp"))
    try:
        def env(index: int, tools: Path) -> dict[str, str]:
            environ = frontends.frontend_env(proxy_wheelhouse, uv_cache, tmp_path / f"tmp{index}")
            environ["PATH"] = f"{pass_through_launcher(tools).parent}{os.pathsep}{environ['PATH']}"
            return environ

        uv_args = ["--python", sys.executable]
        tool_dirs = [outside / "a" / "bin", outside / "machine-b" / "opt" / "bin", outside / "plain" / "bin"]
        wheels = [frontends.wheel_from_sdist_with_uv(sdist, env(index, tools), uv_args)
                  for index, tools in enumerate(tool_dirs[:2])]
        needles = [*forbidden_paths(tmp_path, uv_cache), str(outside)]
        configs = [build_config(wheel) for wheel in wheels]
        assert 'compiler = "/remap/tools/sccache ' in configs[0], configs[0]
        leaks = [leak for wheel in wheels for leak in find_leaks(frontends.wheel_members(wheel), needles)]
        assert not leaks, "\n".join(map(str, leaks[:20]))
        assert frontends.sha256(wheels[0]) == frontends.sha256(wheels[1])

        plain = frontends.wheel_from_sdist_with_uv(plain_sdist(sdist, tmp_path / "plain-sdist"),
                                                   env(2, tool_dirs[2]), uv_args)
        assert f'compiler = "{tool_dirs[2]}/sccache ' in build_config(plain), build_config(plain)
    finally:
        shutil.rmtree(outside, ignore_errors=True)
