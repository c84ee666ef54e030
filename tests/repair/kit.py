"""Helpers for the repair tests: venvs, plain-backend copies, frontends run twice in one tree."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Mapping, Sequence

from support.frontends import copy_project, run, uv

PROJECTS = Path(__file__).resolve().parent / "projects"


def make_venv(path: Path, env: Mapping[str, str], seed: bool = False) -> Path:
    """A fresh venv (with pip when ``seed``); returns its interpreter."""
    run([uv(), "venv", "-q", "--python", sys.executable, *(["--seed"] if seed else []), path], env)
    return path / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


def as_plain_backend(project: Path, backend: str) -> Path:
    """Make a copied project use its real backend directly (the control case)."""
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text()
    text = re.sub(r'"remap-backend",\s*', "", text)
    text = text.replace('build-backend = "remap_backend"', f'build-backend = "{backend}"')
    pyproject.write_text(text)
    return project


def install(frontend: str, project: Path, python: Path, env: Mapping[str, str], args: Sequence[str] = (), check: bool = True):
    """Install ``project`` into the venv of ``python`` the way users do: in-tree, isolated build."""
    if frontend == "uv":
        command = [uv(), "pip", "install", "--python", python, *args, project]
    elif frontend == "pip":
        command = [python, "-m", "pip", "install", *args, project]
    else:
        raise ValueError(frontend)
    return run(command, env, check=check)


def build_wheel(project: Path, outdir: Path, env: Mapping[str, str], args: Sequence[str] = (), check: bool = True):
    """``python -m build --wheel`` of the tree itself (in-tree, isolated, new random env each time)."""
    return run([sys.executable, "-m", "build", "--wheel", "--outdir", outdir, *args, project], env, check=check)


def output(done) -> str:
    return done.stdout + done.stderr


def cache_entry(cache: Path, key: str) -> str:
    for line in cache.read_text().splitlines():
        name, _, value = line.partition("=")
        if name.split(":")[0] == key:
            return value
    raise AssertionError(f"{key} not in {cache}")


HEADER = "src/hdrdep/include/hdrdep.h"


def build_hdrdep(version: str, value: int, workdir: Path, wheelhouse: Path, env) -> None:
    """A real wheel of the header-shipping dependency, at ``version`` defining ``value``."""
    project = copy_project(PROJECTS / "hdrdep", workdir / version)
    pyproject = project / "pyproject.toml"
    pyproject.write_text(re.sub(r'(?m)^version = ".*"$', f'version = "{version}"', pyproject.read_text()))
    header = project / HEADER
    header.write_text(re.sub(r"HDRDEP_VALUE \d+", f"HDRDEP_VALUE {value}", header.read_text()))
    run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", wheelhouse, project], env)


def installed_header_value(python: Path, env) -> int:
    """HDRDEP_VALUE as defined by the header now installed in the venv (the expected answer)."""
    code = "import hdrdep, pathlib; print((pathlib.Path(hdrdep.get_include()) / 'hdrdep.h').read_text())"
    return int(re.search(r"HDRDEP_VALUE (\d+)", run([python, "-c", code], env).stdout).group(1))


def compiled_files(tree: Path, patterns: Sequence[str] = ("**/*.o", "**/*.so")) -> dict[str, int]:
    """Objects and linked extensions under ``build/`` (setuptools' or CMake's), with their mtimes."""
    build = tree / "build"
    found = {p: p.stat().st_mtime_ns for pattern in patterns for p in build.glob(pattern)}
    return {
        str(p.relative_to(build)): mtime for p, mtime in found.items()
        if not any(part.startswith("bdist.") for part in p.relative_to(build).parts)  # wheel staging
    }


class Tree:
    """One persistent source tree and one venv, rebuilt with ``uv pip install --no-build-isolation``."""

    def __init__(self, tree: Path, python: Path, env, wheels: Path):
        self.tree, self.python, self.env, self.wheels = tree, python, env, wheels

    def pip(self, *args: str):
        links = ["--find-links", self.wheels, "--find-links", self.env["UV_FIND_LINKS"]]
        return run([uv(), "pip", "install", "--python", self.python, *links, *args], self.env)

    def build(self, *args: str):
        return self.pip("--no-build-isolation", "--no-cache", "--reinstall", *args, self.tree)


def make_tree(project: str, name: str, tmp_path: Path, env, wheels: Path, plain_backend: str | None = None,
              requirements: Sequence[str] = ("setuptools",)) -> Tree:
    """A copy of ``project`` (plain when ``plain_backend`` is given) and a venv with its build deps."""
    tree = copy_project(PROJECTS / project, tmp_path / name)
    if plain_backend:
        as_plain_backend(tree, plain_backend)
    python = make_venv(tmp_path / f"venv-{name}", env)
    state = Tree(tree, python, env, wheels)
    state.pip(*requirements, "remap-backend", "hdrdep==1.0")
    return state
