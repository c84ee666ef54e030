"""Helpers for the repair tests: venvs, plain-backend copies, frontends run twice in one tree."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Mapping, Sequence

from support.frontends import run, uv

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
