"""Real frontends build a small project through the proxy; pip and uv install the results.

Two checkouts of the same project differ the way real checkouts do (umask
022 vs 002, file mtimes, time zone); the proxy's archives are byte-identical
anyway, while the same builds with ``-C remap.normalize=false`` are not.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from support.frontends import frontend_env, run, uv

REPO = Path(__file__).resolve().parents[2]

PYPROJECT = """\
[build-system]
requires = ["remap-backend", "setuptools>=64"]
build-backend = "remap_backend"

[project]
name = "tinydemo"
version = "1.0"
requires-python = ">=3.9"

[project.scripts]
tinydemo = "tinydemo:main"

[tool.setuptools]
package-dir = { "" = "src" }
packages = ["tinydemo"]

[tool.setuptools.package-data]
tinydemo = ["*.txt"]
"""
FILES = {
    "pyproject.toml": PYPROJECT,
    "src/tinydemo/__init__.py": "from .core import answer\n\ndef main():\n    print(answer())\n",
    "src/tinydemo/core.py": "def answer():\n    return 42\n",
    "src/tinydemo/words.txt": "alpha\nbeta\n",
}


def checkout(root: Path, umask: int, mtime: int) -> Path:
    """Write the project as a checkout would: modes from the umask, mtimes of checkout time."""
    for name, text in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        os.chmod(path, 0o666 & ~umask)
        os.utime(path, (mtime, mtime))
    return root


def build(project: Path, outdir: Path, tz: str, umask: int, *settings: str) -> tuple[Path, Path]:
    """``python -m build`` (pypa/build) calling the proxy's hooks, without an isolated env."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REMAP_")}
    env.pop("SOURCE_DATE_EPOCH", None)
    env.update(TZ=tz, PYTHONPATH=str(REPO / "backends"))
    config = [f"-C{s}" for s in settings]
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--skip-dependency-check", *config,
         "--outdir", str(outdir), str(project)],
        check=True, capture_output=True, env=env, preexec_fn=lambda: os.umask(umask),
    )
    (wheel,) = outdir.glob("*.whl")
    (sdist,) = outdir.glob("*.tar.gz")
    return wheel, sdist


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.e2e
def test_checkouts_that_differ_build_identical_archives(tmp_path: Path) -> None:
    a = checkout(tmp_path / "a" / "tinydemo", umask=0o022, mtime=1600000000)
    b = checkout(tmp_path / "b" / "tinydemo", umask=0o002, mtime=1700000000)

    plain_a = build(a, tmp_path / "plain-a", "UTC", 0o022, "remap.normalize=false")
    plain_b = build(b, tmp_path / "plain-b", "Asia/Kolkata", 0o002, "remap.normalize=false")
    assert sha(plain_a[0]) != sha(plain_b[0])  # without normalization: different wheels
    assert sha(plain_a[1]) != sha(plain_b[1])  # and different sdists

    wheel_a, sdist_a = build(a, tmp_path / "out-a", "UTC", 0o022)
    wheel_b, sdist_b = build(b, tmp_path / "out-b", "Asia/Kolkata", 0o002)
    assert sha(wheel_a) == sha(wheel_b)
    assert sha(sdist_a) == sha(sdist_b)
    with zipfile.ZipFile(wheel_a) as archive:
        assert archive.namelist()[-1] == "tinydemo-1.0.dist-info/RECORD"


@pytest.fixture(scope="module")
def normalized(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("normalized")
    project = checkout(root / "tinydemo", umask=0o002, mtime=1700000000)
    return build(project, root / "dist", "UTC", 0o002)


@pytest.mark.e2e
def test_record_verifies_with_the_wheel_tool(normalized: tuple[Path, Path], tmp_path: Path) -> None:
    wheel, _ = normalized
    done = subprocess.run([sys.executable, "-m", "wheel", "unpack", "-d", str(tmp_path), str(wheel)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr  # `wheel unpack` checks every RECORD hash
    assert (tmp_path / "tinydemo-1.0" / "tinydemo" / "core.py").is_file()


@pytest.mark.e2e
@pytest.mark.parametrize("installer", ["pip", "uv"])
def test_pip_and_uv_install_the_normalized_wheel(normalized: tuple[Path, Path], tmp_path: Path, installer: str) -> None:
    wheel, _ = normalized
    target = tmp_path / "site"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_", "REMAP_"))}
    env["UV_CACHE_DIR"] = str(tmp_path / "uv-cache")
    if installer == "pip":
        cmd = [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--target", target, wheel]
    else:
        cmd = [uv(), "pip", "install", "--no-deps", "--offline", "--python", sys.executable, "--target", target, wheel]
    run(cmd, env)
    done = run([sys.executable, "-c", "import tinydemo; tinydemo.main()"], {**env, "PYTHONPATH": str(target)})
    assert done.stdout.strip() == "42"
    assert (target / "tinydemo" / "words.txt").read_text() == "alpha\nbeta\n"
    assert os.access(target / "bin" / "tinydemo", os.X_OK)


@pytest.mark.e2e
@pytest.mark.parametrize("installer", ["pip", "uv"])
def test_pip_and_uv_install_the_normalized_sdist(
    normalized: tuple[Path, Path], tmp_path: Path, installer: str, proxy_wheelhouse: Path, uv_cache: Path,
) -> None:
    _, sdist = normalized
    target = tmp_path / "site"
    env = frontend_env(proxy_wheelhouse, uv_cache=uv_cache, tmpdir=tmp_path / "tmp")
    if installer == "pip":
        cmd = [sys.executable, "-m", "pip", "install", "--no-deps", "--target", target, sdist]
    else:
        cmd = [uv(), "pip", "install", "--no-deps", "--python", sys.executable, "--target", target, sdist]
    run(cmd, env)
    done = run([sys.executable, "-c", "import tinydemo; tinydemo.main()"], {**env, "PYTHONPATH": str(target)})
    assert done.stdout.strip() == "42"


@pytest.mark.e2e
def test_uv_build_of_differing_checkouts_is_identical(tmp_path: Path, proxy_wheelhouse: Path, uv_cache: Path) -> None:
    """uv as the frontend (astral-sh/uv#13139): isolated builds, different umask/mtimes/time zone."""
    outputs: dict[str, list[dict[str, str]]] = {"plain": [], "normalized": []}
    for name, umask, mtime, zone in (("a", 0o022, 1600000000, "UTC"), ("b", 0o002, 1700000000, "Pacific/Auckland")):
        project = checkout(tmp_path / name / "tinydemo", umask=umask, mtime=mtime)
        env = frontend_env(proxy_wheelhouse, uv_cache=uv_cache, tmpdir=tmp_path / f"tmp-{name}", extra={"TZ": zone})
        for kind, settings in (("plain", ["-C", "remap.normalize=false"]), ("normalized", [])):
            outdir = tmp_path / f"dist-{name}-{kind}"
            done = subprocess.run([uv(), "build", *settings, "--out-dir", str(outdir), str(project)], env=env,
                                  capture_output=True, text=True, preexec_fn=lambda: os.umask(umask))
            assert done.returncode == 0, done.stderr[-4000:]
            assert "remap-backend" in done.stderr  # the proxy ran (its one-line log)
            archives = [p for p in outdir.iterdir() if p.name.endswith((".whl", ".tar.gz"))]
            outputs[kind].append({p.suffix: sha(p) for p in archives})
    plain, normalized = outputs["plain"], outputs["normalized"]
    assert plain[0][".whl"] != plain[1][".whl"] and plain[0][".gz"] != plain[1][".gz"]
    assert normalized[0] == normalized[1] and len(normalized[0]) == 2
