"""Run real build frontends (pip, pypa/build, uv) against a project, the way users do."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path
from typing import Mapping, Sequence

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"


def frontend_env(
    wheelhouse: Path,
    uv_cache: Path | None = None,
    tmpdir: Path | None = None,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """An environment in which pip and uv find remap-backend in ``wheelhouse``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REMAP_", "PIP_", "UV_"))}
    env.pop("SOURCE_DATE_EPOCH", None)
    env.update(
        PIP_FIND_LINKS=str(wheelhouse),
        UV_FIND_LINKS=str(wheelhouse),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        UV_NO_PROGRESS="1",
    )
    if uv_cache is not None:
        env["UV_CACHE_DIR"] = str(uv_cache)
    if tmpdir is not None:
        tmpdir.mkdir(parents=True, exist_ok=True)
        env["TMPDIR"] = str(tmpdir)
    env.update(extra or {})
    return env


def run(cmd: Sequence[str], env: Mapping[str, str], cwd: Path | None = None, check: bool = True) -> subprocess.CompletedProcess:
    """Run a command; on failure show its output, which is where the frontend's error is."""
    done = subprocess.run([str(c) for c in cmd], cwd=cwd, env=dict(env), capture_output=True, text=True)
    if check and done.returncode != 0:
        raise AssertionError(
            f"command failed ({done.returncode}): {' '.join(map(str, cmd))}\n"
            f"--- stdout ---\n{done.stdout[-6000:]}\n--- stderr ---\n{done.stderr[-6000:]}"
        )
    return done


def uv() -> str:
    found = shutil.which("uv")
    if found is None:
        raise RuntimeError("uv is not installed; pip install uv")
    return found


def copy_project(source: Path, parent: Path) -> Path:
    """Copy an example into a fresh directory, leaving out build leftovers."""
    target = parent / source.name
    shutil.copytree(
        source, target,
        ignore=shutil.ignore_patterns("build", "dist", "target", "*.egg-info", "__pycache__", ".remap-backend", "*.so"),
    )
    return target


def build_sdist(project: Path, outdir: Path, env: Mapping[str, str]) -> Path:
    run([sys.executable, "-m", "build", "--sdist", "--outdir", outdir, project], env)
    (sdist,) = outdir.glob("*.tar.gz")
    return sdist


def unpack_sdist(sdist: Path, parent: Path) -> Path:
    """Unpack an sdist (as a frontend would) and return its single top directory."""
    with tarfile.open(sdist) as archive:
        if sys.version_info >= (3, 12):
            archive.extractall(parent, filter="data")
        else:
            archive.extractall(parent)
    (top,) = [p for p in parent.iterdir() if p.is_dir()]
    return top


def wheel_from_sdist_with_build(sdist: Path, env: Mapping[str, str], args: Sequence[str] = ()) -> Path:
    """``python -m build --wheel`` of the sdist unpacked in a new random directory."""
    workdir = Path(tempfile.mkdtemp(prefix="build-via-sdist-", dir=env.get("TMPDIR")))
    source = unpack_sdist(sdist, workdir)
    outdir = workdir / "dist"
    run([sys.executable, "-m", "build", "--wheel", "--outdir", outdir, *args, source], env)
    (wheel,) = outdir.glob("*.whl")
    return wheel


def wheel_from_sdist_with_uv(sdist: Path, env: Mapping[str, str], args: Sequence[str] = ()) -> Path:
    """``uv build --wheel`` straight from the sdist file (uv unpacks it to a random ``.tmpXXXX``)."""
    outdir = Path(tempfile.mkdtemp(prefix="uv-out-", dir=env.get("TMPDIR")))
    run([uv(), "build", "--wheel", "--out-dir", outdir, *args, sdist], env)
    (wheel,) = outdir.glob("*.whl")
    return wheel


def wheel_from_sdist_with_pip(sdist: Path, env: Mapping[str, str]) -> Path:
    """``pip wheel`` of the sdist file: pip unpacks it into a random ``pip-req-build-*`` directory
    and installs the build requirements into ``pip-build-env-*/overlay`` (not a venv)."""
    outdir = Path(tempfile.mkdtemp(prefix="pip-out-", dir=env.get("TMPDIR")))
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", outdir, sdist], env)
    (wheel,) = outdir.glob("*.whl")
    return wheel


def remap_backend_scan(paths: Sequence[Path], given: Sequence[str] = ()) -> list[dict]:
    """``remap-backend scan --json`` of this checkout (not an installed copy) over ``paths``: its findings."""
    import json

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), str(REPO / "backends"), env.get("PYTHONPATH", "")])
    given_args = [arg for path in given for arg in ("--path", path)]
    done = run([sys.executable, "-m", "remap_backend_cli", "scan", "--json", *given_args, *paths], env, check=False)
    if done.returncode not in (0, 1):
        raise AssertionError(f"remap-backend scan failed ({done.returncode}):\n{done.stderr[-4000:]}")
    findings = json.loads(done.stdout)["findings"]
    assert (done.returncode == 1) == bool(findings), done.stdout[-2000:]
    return findings


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def wheel_members(wheel: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(wheel) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def compiled_members(wheel: Path) -> dict[str, bytes]:
    """The native libraries inside a wheel (.so / .pyd / .dylib)."""
    return {
        name: data for name, data in wheel_members(wheel).items()
        if name.endswith((".so", ".pyd", ".dylib")) or ".so." in name
    }


def run_in_wheel(wheel: Path, parent: Path, code: str) -> str:
    """Run Python ``code`` beside the wheel's unpacked contents (its packages import); return stdout."""
    target = Path(tempfile.mkdtemp(prefix="unpacked-", dir=parent))
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    done = subprocess.run([sys.executable, "-c", code], cwd=target, capture_output=True, text=True, check=True)
    return done.stdout.strip()
