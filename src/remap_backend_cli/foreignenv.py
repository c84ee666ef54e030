"""An isolated build environment for an interpreter other than the running one.

pypa/build's ``DefaultIsolatedEnv`` always creates the venv with the Python
that runs it. ``--python`` needs a venv of another interpreter, so this
implements build's ``IsolatedEnv`` protocol with the same two tools: uv
(``uv venv --python`` / ``uv pip install``) when present, else that
interpreter's own ``venv`` and ``pip``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from typing import Collection

from build.env import IsolatedEnv

from .uvlocate import find_uv


class ForeignPythonEnv(IsolatedEnv):
    def __init__(self, python: str, path: str | None = None) -> None:
        self._base_python = python
        self._requested_path = path
        self._path = ""
        self._uv: str | None = None

    def __enter__(self) -> "ForeignPythonEnv":
        self._path = self._requested_path or tempfile.mkdtemp(prefix="build-env-")
        self._uv = find_uv()
        if self._uv:
            _run([self._uv, "venv", "--quiet", "--python", self._base_python, self._path])
        else:
            _run([self._base_python, "-m", "venv", self._path])
        return self

    def __exit__(self, *args: object) -> None:
        shutil.rmtree(self._path, ignore_errors=True)

    @property
    def path(self) -> str:
        return self._path

    @property
    def _scripts(self) -> str:
        return os.path.join(self._path, "Scripts" if os.name == "nt" else "bin")

    @property
    def python_executable(self) -> str:
        return os.path.join(self._scripts, "python.exe" if os.name == "nt" else "python")

    def make_extra_environ(self) -> dict[str, str]:
        path = os.environ.get("PATH")
        return {"PATH": os.pathsep.join([self._scripts, path]) if path else self._scripts, "PYTHONPATH": ""}

    def install(self, requirements: Collection[str]) -> None:
        if not requirements:
            return
        if self._uv:
            env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
            env["VIRTUAL_ENV"] = self._path
            _run([self._uv, "pip", "install", "--python", self.python_executable, *requirements], env=env)
        else:
            _run([self.python_executable, "-m", "pip", "install", "--no-input", *requirements])


def _run(cmd: list[str], env: dict[str, str] | None = None) -> None:
    subprocess.run(cmd, check=True, capture_output=True, env=env)


__all__ = ["ForeignPythonEnv"]
