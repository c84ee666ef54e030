"""The proxy under every real frontend: pip, pypa/build, uv, editable installs, vendoring, self-build."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from support.frontends import EXAMPLES, REPO, copy_project, frontend_env, run, uv

pytestmark = pytest.mark.e2e

HOOK_LINE = "remap-backend: setuptools.build_meta build_wheel"
EDITABLE_LINE = "remap-backend: setuptools.build_meta build_editable"


def output(done: subprocess.CompletedProcess) -> str:
    return done.stdout + done.stderr


def assert_extension_wheel(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert any(n.startswith("hello_c/_hello.") and n.endswith(".so") for n in names), names


def new_venv(path: Path, env: dict[str, str]) -> Path:
    run([uv(), "venv", "--quiet", "--python", sys.executable, path], env)
    return path / "bin" / "python"


@pytest.fixture()
def example(tmp_path: Path) -> Path:
    return copy_project(EXAMPLES / "setuptools-c", tmp_path / "src")


@pytest.fixture()
def env(proxy_wheelhouse: Path, uv_cache: Path, tmp_path: Path) -> dict[str, str]:
    return frontend_env(proxy_wheelhouse, uv_cache, tmpdir=tmp_path / "tmp")


def test_pip_wheel(example: Path, env: dict[str, str], tmp_path: Path) -> None:
    done = run([sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "-w", tmp_path / "w", example], env)
    assert HOOK_LINE in output(done)
    (wheel,) = (tmp_path / "w").glob("hello_c-*.whl")
    assert_extension_wheel(wheel)


def test_build_sdist_then_wheel_from_it(example: Path, env: dict[str, str], tmp_path: Path) -> None:
    done = run([sys.executable, "-m", "build", "--outdir", tmp_path / "d", example], env)
    assert "remap-backend: setuptools.build_meta build_sdist" in output(done)
    assert HOOK_LINE in output(done)
    (sdist,) = (tmp_path / "d").glob("hello_c-*.tar.gz")
    (wheel,) = (tmp_path / "d").glob("hello_c-*.whl")
    assert_extension_wheel(wheel)


def test_uv_build(example: Path, env: dict[str, str], tmp_path: Path) -> None:
    done = run([uv(), "build", "--out-dir", tmp_path / "d", example], env)
    assert HOOK_LINE in output(done)
    (wheel,) = (tmp_path / "d").glob("hello_c-*.whl")
    assert_extension_wheel(wheel)


@pytest.mark.parametrize("installer", ["pip", "uv"])
def test_editable_install(example: Path, env: dict[str, str], tmp_path: Path, installer: str) -> None:
    python = new_venv(tmp_path / "venv", env)
    if installer == "pip":
        run([uv(), "pip", "install", "--quiet", "--python", python, "pip"], env)
        done = run([python, "-m", "pip", "install", "-v", "-e", example], env)
    else:
        done = run([uv(), "pip", "install", "-v", "--python", python, "-e", example], env)
    assert EDITABLE_LINE in output(done)
    probe = run([python, "-c", "import hello_c, sys; print(hello_c.greet('x')); print(hello_c.__file__)"],
                env, cwd=tmp_path)
    lines = probe.stdout.splitlines()
    assert lines[0] == "hello, x"
    assert lines[1].startswith(str(example)), "an editable install imports from the source tree"


def test_vendored_proxy_with_backend_path(example: Path, tmp_path: Path) -> None:
    """A project copies backends/remap_backend into its tree; no remap-backend wheel anywhere."""
    shutil.copytree(REPO / "backends" / "remap_backend", example / "_build" / "remap_backend",
                    ignore=shutil.ignore_patterns("__pycache__"))
    pyproject = example / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text()
        .replace('requires = ["remap-backend", "setuptools>=64"]', 'requires = ["setuptools>=64"]')
        .replace('build-backend = "remap_backend"', 'build-backend = "remap_backend"\nbackend-path = ["_build"]')
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REMAP_", "PIP_FIND", "UV_FIND"))}
    done = run([sys.executable, "-m", "build", "--wheel", "--outdir", tmp_path / "d", example], env)
    assert HOOK_LINE in output(done)
    (wheel,) = (tmp_path / "d").glob("hello_c-*.whl")
    assert_extension_wheel(wheel)


def installed_version(python: Path, env: dict[str, str]) -> str:
    code = "import importlib.metadata as m; print(m.version('remap-backend'))"
    return run([python, "-c", code], env).stdout.strip()


def self_copy(tmp_path: Path) -> Path:
    """This repository as a fresh clone would have it (tracked and new files, nothing built)."""
    return copy_project(REPO, tmp_path / "clone")


@pytest.mark.parametrize("frontend", ["pip install", "python -m build", "uv build"])
def test_self_build_goes_through_in_tree_proxy(frontend: str, tmp_path: Path, uv_cache: Path) -> None:
    source = self_copy(tmp_path)
    shutil.rmtree(source / "examples")  # not needed to build the tool; keeps the copy small
    env = frontend_env(tmp_path / "empty-wheelhouse", uv_cache)
    (tmp_path / "empty-wheelhouse").mkdir()
    if frontend == "pip install":
        python = new_venv(tmp_path / "venv", env)
        run([uv(), "pip", "install", "--quiet", "--python", python, "pip"], env)
        done = run([python, "-m", "pip", "install", "-v", f"{source}[cli]"], env)
        version = run([tmp_path / "venv" / "bin" / "remap-backend", "--version"], env)
        assert version.stdout.strip() == f"remap-backend {installed_version(python, env)}"
        help_text = run([python, "-m", "remap_backend", "--help"], env).stdout
        assert "usage: remap-backend" in help_text and "examples:" in help_text
    elif frontend == "python -m build":
        done = run([sys.executable, "-m", "build", "--outdir", tmp_path / "d", source], env)
    else:
        done = run([uv(), "build", "--out-dir", tmp_path / "d", source], env)
    assert HOOK_LINE in output(done)


def oldest_python() -> Path | None:
    """A CPython 3.9 on this machine (pyenv's, or on PATH), for the proxy's lower bound."""
    candidates = sorted(Path.home().glob(".pyenv/versions/3.9*/bin/python3.9"))
    on_path = shutil.which("python3.9")
    return candidates[0] if candidates else (Path(on_path) if on_path else None)


@pytest.mark.skipif(oldest_python() is None, reason="needs a CPython 3.9 interpreter")
def test_proxy_runs_on_python_3_9(example: Path, env: dict[str, str], tmp_path: Path) -> None:
    """The proxy (and its tomli fallback) under the oldest supported Python, through uv."""
    python = oldest_python()
    done = run([uv(), "build", "--python", python, "--out-dir", tmp_path / "d", example], env)
    assert HOOK_LINE in output(done)
    (wheel,) = (tmp_path / "d").glob("hello_c-*.whl")
    assert "-cp39-cp39-" in wheel.name
    assert_extension_wheel(wheel)
