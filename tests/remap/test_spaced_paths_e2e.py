"""Projects under directories with spaces, TMPDIR with a space too: identical wheels, no builder path.

Each example is copied under ``My Projects A/``, its sdist built there, and
a wheel built from that sdist with ``python -m build`` and ``uv build`` under
``My Projects A/`` and again under ``Other Dir B/``, each with a TMPDIR and
a uv cache whose names hold a space. Every wheel must be byte-identical and
no byte, ELF section or DWARF entry may name those directories. The same
sdist with the plain backend leaks them. ``remap-backend verify`` passes
with a spaced TMPDIR (before this change it exited 1 there: the maps for
spaced paths were skipped).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from support import frontends
from support.reproducibility import commit_as_git_repository, forbidden_paths, leaks_in_wheel, plain_sdist

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
PLACES = ("My Projects A", "Other Dir B")


@pytest.fixture(scope="module")
def spaced_uv_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A uv cache (where uv unpacks the sdist it builds) whose path holds a space."""
    return tmp_path_factory.mktemp("spaced") / "uv cache dir"


def build_in_spaced_places(example: str, root: Path, wheelhouse: Path, uv_cache: Path) -> tuple[Path, list[Path]]:
    project = frontends.copy_project(frontends.EXAMPLES / example, root / PLACES[0] / "checkout")
    commit_as_git_repository(project)
    env = frontends.frontend_env(wheelhouse, uv_cache, root / PLACES[0] / "tmp for sdist")
    sdist = frontends.build_sdist(project, root / PLACES[0] / "sdist out", env)
    wheels = []
    for place in PLACES:
        for frontend in ("build", "uv"):
            env = frontends.frontend_env(wheelhouse, uv_cache, root / place / f"tmp {frontend} dir")
            if frontend == "build":
                wheels.append(frontends.wheel_from_sdist_with_build(sdist, env))
            else:
                wheels.append(frontends.wheel_from_sdist_with_uv(sdist, env, ["--python", sys.executable]))
    return sdist, wheels


@pytest.mark.parametrize("example", ["setuptools-c", "scikit-build-core-cpp", "meson-python-c", "maturin-pyo3",
                                     "rust-cc", "setuptools-rust"])
def test_spaced_directories_give_identical_path_free_wheels(example, proxy_wheelhouse, spaced_uv_cache, tmp_path):
    root = tmp_path / "x"
    sdist, wheels = build_in_spaced_places(example, root, proxy_wheelhouse, spaced_uv_cache)
    assert all(" " in str(wheel.parent) for wheel in wheels)

    needles = [*forbidden_paths(root, spaced_uv_cache), *(str(root / place) for place in PLACES)]
    leaks = [leak for wheel in wheels for leak in leaks_in_wheel(wheel, needles)]
    assert not leaks, "paths leaked into the wheels:\n" + "\n".join(map(str, leaks[:30]))
    hashes = {frontends.sha256(wheel) for wheel in wheels}
    assert len(hashes) == 1, [(w, frontends.sha256(w)) for w in wheels]

    # Without the proxy, the same sdist built in the same kind of place names it.
    plain = plain_sdist(sdist, root / PLACES[1] / "plain sdist")
    env = frontends.frontend_env(proxy_wheelhouse, spaced_uv_cache, root / PLACES[1] / "tmp plain dir")
    plain_wheel = frontends.wheel_from_sdist_with_build(plain, env)
    plain_leaks = leaks_in_wheel(plain_wheel, needles)
    assert any(" " in leak.found or " " in leak.excerpt for leak in plain_leaks), plain_leaks
    assert frontends.sha256(plain_wheel) not in hashes


def test_remap_backend_verify_passes_with_a_spaced_tmpdir(tmp_path):
    tmpdir = tmp_path / "tmp with space"
    tmpdir.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REMAP_", "UV_"))}
    env.pop("SOURCE_DATE_EPOCH", None)
    env.update(TMPDIR=str(tmpdir), REMAP_BACKEND_CACHE=str(tmp_path / "remap cache"),
               PYTHONPATH=os.pathsep.join([str(REPO / "src"), str(REPO / "backends")]))
    done = subprocess.run([sys.executable, "-m", "remap_backend_cli", "verify", REPO / "examples" / "setuptools-c",
                           "--vs-plain"], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "reproducible: hello_c-1.0.0-" in done.stdout and "identical in 2 builds" in done.stdout
    assert "without the proxy: the 2 plain builds DIFFER" in done.stdout
    assert "build paths in debug info differ" in done.stdout
