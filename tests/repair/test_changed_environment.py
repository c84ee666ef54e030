"""Seed 003: a build dependency upgraded in place; setuptools reuses objects built against the old one.

An extension compiles against a header shipped by a build dependency and is
installed with ``--no-build-isolation`` from a persistent tree. After the
dependency goes from 1.0 to 2.0 the plain backend still ships the extension
built against 1.0; through the proxy it is rebuilt against 2.0, and a third
build with nothing changed recompiles nothing.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from support.frontends import copy_project, frontend_env, run, uv

from .kit import PROJECTS, as_plain_backend, make_venv, output

HEADER = "src/hdrdep/include/hdrdep.h"


def build_hdrdep(version: str, value: int, workdir: Path, wheelhouse: Path, env) -> None:
    """A real wheel of the header-shipping dependency, at ``version`` defining ``value``."""
    project = copy_project(PROJECTS / "hdrdep", workdir / version)
    pyproject = project / "pyproject.toml"
    pyproject.write_text(re.sub(r'(?m)^version = ".*"$', f'version = "{version}"', pyproject.read_text()))
    header = project / HEADER
    header.write_text(re.sub(r"HDRDEP_VALUE \d+", f"HDRDEP_VALUE {value}", header.read_text()))
    run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", wheelhouse, project], env)


@pytest.fixture(scope="module")
def hdrdep_wheels(tmp_path_factory) -> Path:
    workdir = tmp_path_factory.mktemp("hdrdep")
    wheelhouse = workdir / "wheels"
    env = frontend_env(workdir)
    build_hdrdep("1.0", 1, workdir, wheelhouse, env)
    build_hdrdep("2.0", 2, workdir, wheelhouse, env)
    return wheelhouse


def installed_header_value(python: Path, env) -> int:
    """HDRDEP_VALUE as defined by the header now installed in the venv (the expected answer)."""
    code = "import hdrdep, pathlib; print((pathlib.Path(hdrdep.get_include()) / 'hdrdep.h').read_text())"
    return int(re.search(r"HDRDEP_VALUE (\d+)", run([python, "-c", code], env).stdout).group(1))


def built_against(python: Path, env) -> int:
    return int(run([python, "-c", "import uses_header; print(uses_header.built_against())"], env).stdout)


def compiled_files(tree: Path) -> dict[str, int]:
    """setuptools' intermediate objects and linked extensions, with their mtimes."""
    build = tree / "build"
    found = {p: p.stat().st_mtime_ns for pattern in ("temp.*/**/*.o", "lib.*/**/*.so") for p in build.glob(pattern)}
    return {str(p.relative_to(build)): mtime for p, mtime in found.items()}


class Tree:
    """One persistent source tree and one venv, rebuilt with ``uv pip install --no-build-isolation``."""

    def __init__(self, tree: Path, python: Path, env, wheels: Path):
        self.tree, self.python, self.env, self.wheels = tree, python, env, wheels

    def pip(self, *args: str):
        links = ["--find-links", self.wheels, "--find-links", self.env["UV_FIND_LINKS"]]
        return run([uv(), "pip", "install", "--python", self.python, *links, *args], self.env)

    def build(self):
        done = self.pip("--no-build-isolation", "--no-cache", "--reinstall-package", "uses-header", self.tree)
        assert "uses-header" in output(done)
        return done


def make_tree(name: str, tmp_path: Path, env, wheels: Path, plain: bool) -> Tree:
    tree = copy_project(PROJECTS / "uses-header", tmp_path / name)
    if plain:
        as_plain_backend(tree, "setuptools.build_meta")
    python = make_venv(tmp_path / f"venv-{name}", env)
    state = Tree(tree, python, env, wheels)
    state.pip("setuptools", "remap-backend", "hdrdep==1.0")
    return state


@pytest.mark.e2e
def test_upgraded_build_dependency_is_compiled_against(tmp_path, proxy_wheelhouse, uv_cache, hdrdep_wheels):
    env = frontend_env(proxy_wheelhouse, uv_cache, tmp_path / "tmp")

    # Plain setuptools: the extension still reports 1 after the switch to 2.
    plain = make_tree("plain", tmp_path, env, hdrdep_wheels, plain=True)
    plain.build()
    assert built_against(plain.python, env) == installed_header_value(plain.python, env) == 1
    plain.pip("hdrdep==2.0")
    plain.build()
    assert installed_header_value(plain.python, env) == 2
    assert built_against(plain.python, env) == 1, "plain setuptools was expected to reuse the stale object"

    # Through the proxy: rebuilt against 2.
    proxied = make_tree("proxied", tmp_path, env, hdrdep_wheels, plain=False)
    proxied.build()
    assert built_against(proxied.python, env) == installed_header_value(proxied.python, env) == 1
    before_upgrade = compiled_files(proxied.tree)
    assert before_upgrade, "setuptools should have left objects in build/temp.*"
    proxied.pip("hdrdep==2.0")
    proxied.build()
    assert built_against(proxied.python, env) == installed_header_value(proxied.python, env) == 2
    rebuilt = compiled_files(proxied.tree)
    assert rebuilt.keys() == before_upgrade.keys()
    assert all(rebuilt[name] != mtime for name, mtime in before_upgrade.items())

    # Nothing changed: an incremental build stays incremental (no object or extension rewritten).
    after_upgrade = compiled_files(proxied.tree)
    proxied.build()
    assert compiled_files(proxied.tree) == after_upgrade
    assert built_against(proxied.python, env) == 2
