"""Venvs with a real torch from the index, and builds of the torch example without isolation.

torch's wheel with its dependencies is about 5 GB. It is installed with uv from
uv's default cache (not the session's fresh ``uv_cache``): the first run on a
machine downloads it, later ones hardlink it from the cache in seconds.
remap-backend itself comes from the session's wheelhouse, never a cache.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Mapping

from support.frontends import run, uv

#: Two torch releases for CPython 3.11 with the same CUDA dependencies (so B
#: costs one more torch and triton wheel, not another 5 GB) and the same
#: BuildExtension compile line. 2.8.0 -> 2.9.0 would not do for the control
#: case: 2.9 dropped the -DPYBIND11_* flags, so ninja's command check alone
#: recompiles there even under the plain backend.
TORCH_A = "2.9.0"
TORCH_B = "2.9.1"

EXAMPLE = "torch-cpp-extension"
#: The build requirements of the example, besides torch and remap-backend.
BUILD_TOOLS = ("setuptools>=64", "ninja", "build")


def _bin(venv: Path) -> Path:
    return venv / ("Scripts" if sys.platform == "win32" else "bin")


def venv_env(venv: Path, env: Mapping[str, str]) -> dict[str, str]:
    """``env`` as an activated venv has it: its ``bin`` first on PATH (torch looks for ninja there)."""
    return {**env, "VIRTUAL_ENV": str(venv), "PATH": f"{_bin(venv)}{os.pathsep}{env.get('PATH', '')}"}


def torch_install(python: Path, version: str, env: Mapping[str, str]) -> None:
    """Install ``torch==version`` (and its dependencies) from the index through uv's default cache."""
    cached = {k: v for k, v in env.items() if k not in ("UV_CACHE_DIR", "UV_FIND_LINKS")}
    run([uv(), "pip", "install", "-q", "--python", python, f"torch=={version}"], cached)


def cache_torch(venv: Path, version: str, env: Mapping[str, str]) -> None:
    """Put torch ``version`` into uv's cache now, by installing it into a scratch venv.

    uv hardlinks installed files from its cache, so they keep the time they were
    cached: a torch cached before the extension was built installs headers
    *older* than its objects, and ninja's timestamp check then sees nothing to
    rebuild (the usual case on a machine that had that torch before).
    """
    run([uv(), "venv", "-q", "--python", sys.executable, venv], env)
    torch_install(_bin(venv) / "python", version, env)


def torch_venv(venv: Path, env: Mapping[str, str], version: str = TORCH_A) -> Path:
    """A venv with torch ``version``, the example's build tools and this checkout's remap-backend."""
    run([uv(), "venv", "-q", "--python", sys.executable, venv], env)
    python = _bin(venv) / "python"
    torch_install(python, version, env)
    run([uv(), "pip", "install", "-q", "--python", python, "--no-cache", *BUILD_TOOLS, "remap-backend"], env)
    return python


def installed_torch(python: Path, env: Mapping[str, str]) -> str:
    return run([python, "-c", "import torch; print(torch.__version__)"], env).stdout.strip()


def base_version(version: str) -> str:
    """``2.8.0+cu128`` -> ``2.8.0`` (TORCH_VERSION in the headers has no local part)."""
    return re.sub(r"\+.*$", "", version)


def ninja_compile_lines(done) -> list[str]:
    """The compile commands ninja ran (torch runs ``ninja -v``; without ninja it warns and falls back)."""
    return re.findall(r"(?m)^\[\d+/\d+\] (\S*c\+\+ -MMD -MF .*)$", done.stdout + done.stderr)
