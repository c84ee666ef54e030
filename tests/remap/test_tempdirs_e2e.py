"""Issue 9 item 3: an in-tree backend that builds in ``tempfile.TemporaryDirectory``.

Like aio-libs' backends, ``projects/intree-tempdir`` copies the project into
``.tmp-intree-tempdir-pep517-XXXXXXXX`` under TMPDIR and compiles there, so
``__FILE__`` and DWARF name that random directory. Built from its sdist by
``python -m build`` and uv, each in its own random TMPDIR, through the proxy
the wheels are identical and name only the proxy's seeded directory under
``/remap/tmp``; with the plain backend every wheel names another random one.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from support.frontends import (
    build_sdist, copy_project, frontend_env, run_in_wheel, sha256, wheel_from_sdist_with_build,
    wheel_from_sdist_with_uv, wheel_members,
)
from support.reproducibility import forbidden_paths, leaks_in_wheel

PROJECT = Path(__file__).resolve().parent / "projects" / "intree-tempdir"
TEMP_NAME = re.compile(rb"\.tmp-intree-tempdir-pep517-([a-z0-9_]{8})")


def plain(project: Path) -> Path:
    """The same project with its in-tree backend declared directly (the control case)."""
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text().replace('"remap-backend", ', "")
    text = text.replace('build-backend = "remap_backend"',
                        'build-backend = "pep517_backend.hooks"\nbackend-path = ["packaging"]')
    pyproject.write_text(text.split("[tool.remap-backend]")[0])
    return project


def temp_names(wheel: Path) -> set[bytes]:
    return {name for data in wheel_members(wheel).values() for name in TEMP_NAME.findall(data)}


def build_four(sdist: Path, tmp_path: Path, label: str, wheelhouse: Path, uv_cache: Path) -> list[Path]:
    wheels = []
    for index, builder in enumerate((wheel_from_sdist_with_build, wheel_from_sdist_with_build,
                                     wheel_from_sdist_with_uv, wheel_from_sdist_with_uv)):
        env = frontend_env(wheelhouse, uv_cache, tmp_path / f"tmp-{label}-{index}-{'x' * 3 * index}")
        args = ["--python", sys.executable] if builder is wheel_from_sdist_with_uv else []
        wheels.append(builder(sdist, env, args))
    return wheels


@pytest.mark.e2e
def test_in_tree_backend_temporary_directory_is_deterministic(tmp_path, proxy_wheelhouse, uv_cache):
    env = frontend_env(proxy_wheelhouse, uv_cache, tmp_path / "tmp-sdist")
    sdist = build_sdist(copy_project(PROJECT, tmp_path / "proxied"), tmp_path / "sdist", env)
    wheels = build_four(sdist, tmp_path, "proxy", proxy_wheelhouse, uv_cache)

    assert len({sha256(wheel) for wheel in wheels}) == 1, [str(wheel) for wheel in wheels]
    (name,) = temp_names(wheels[0])  # one seeded name, the same in every wheel
    where = run_in_wheel(wheels[0], tmp_path, "import tmpdemo._where as w; print(w.where())")
    assert where == f"/remap/tmp/.tmp-intree-tempdir-pep517-{name.decode()}/src/src/tmpdemo/where.h"
    needles = forbidden_paths(tmp_path, uv_cache)  # and the proxy's private dir (support.leaks patterns)
    for wheel in wheels:
        assert not leaks_in_wheel(wheel, needles), wheel

    # Control: the plain backend names a new random directory in every wheel.
    plain_sdist = build_sdist(plain(copy_project(PROJECT, tmp_path / "plain")), tmp_path / "plain-sdist", env)
    plain_wheels = build_four(plain_sdist, tmp_path, "plain", proxy_wheelhouse, uv_cache)
    assert len({sha256(wheel) for wheel in plain_wheels}) == 4
    names = [temp_names(wheel) for wheel in plain_wheels]
    assert all(len(found) == 1 for found in names) and len(set().union(*names)) == 4, names
