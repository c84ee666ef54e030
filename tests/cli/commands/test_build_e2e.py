"""End to end: ``remap-backend build`` with real frontends, compilers and PyPI sdists.

Each test also shows the failure without the proxy: the same sdist built by
plain ``python -m build`` in two random directories gives different wheels.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from pyproject_hooks import BuildBackendHookCaller

from support.frontends import sha256, unpack_sdist

from ..conftest import PROJECTS, REPO

pytestmark = pytest.mark.e2e

#: (requirement, sdist file name): one setuptools C extension, one maturin/PyO3 project.
MARKUPSAFE = ("markupsafe==3.0.2", "markupsafe-3.0.2.tar.gz")
JELLYFISH = ("jellyfish==1.1.0", "jellyfish-1.1.0.tar.gz")


def _random_dir(parent: Path, prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix, dir=parent))


def _built_wheel(done: subprocess.CompletedProcess, outdir: Path) -> Path:
    assert done.returncode == 0, f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    (wheel,) = outdir.glob("*.whl")
    assert f"{wheel}  sha256={sha256(wheel)}" in done.stdout
    return wheel


def _plain_wheel(sdist: Path, parent: Path) -> Path:
    """``python -m build --wheel`` of the sdist unpacked in a new random directory (no proxy)."""
    workdir = _random_dir(parent, "plain-")
    source = unpack_sdist(sdist, workdir)
    env = {k: v for k, v in os.environ.items() if not k.startswith("REMAP_")}
    done = subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(workdir / "dist"), str(source)],
                          capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (wheel,) = (workdir / "dist").glob("*.whl")
    return wheel


@pytest.mark.parametrize("requirement, sdist_name", [MARKUPSAFE, JELLYFISH], ids=["setuptools-c", "maturin-pyo3"])
def test_rebuild_pypi_sdist_twice_in_random_dirs_gives_identical_wheels(
    tmp_path, cli, cli_cache, requirement, sdist_name
):
    wheels = []
    for run in range(2):
        tmpdir = _random_dir(tmp_path, f"tmp{run}-")  # the sdist is unpacked under $TMPDIR/remap-build
        outdir = tmp_path / f"out{run}"
        done = cli("build", requirement, "-o", outdir, env_extra={"TMPDIR": str(tmpdir)})
        wheels.append(_built_wheel(done, outdir))
    assert sha256(wheels[0]) == sha256(wheels[1]), cli("diff", *wheels).stdout

    scan = cli("scan", wheels[0])
    assert scan.returncode == 0, scan.stdout

    (sdist,) = cli_cache.glob(f"sdists/*/{sdist_name}")  # what `build` downloaded
    plain = [_plain_wheel(sdist, tmp_path) for _ in range(2)]
    assert sha256(plain[0]) != sha256(plain[1])
    explained = cli("diff", *plain)
    assert explained.returncode == 1 and "likely cause:" in explained.stdout


def test_in_tree_backend_path_project_is_wrapped(tmp_path, cli):
    project = shutil.copytree(PROJECTS / "intree-backend", tmp_path / "intree-backend")
    # What does not work: handing pyproject-hooks a backend-path outside the tree.
    with pytest.raises(ValueError, match="inside source tree"):
        BuildBackendHookCaller(str(project), "remap_backend", backend_path=[os.path.relpath(REPO / "backends", project)])

    done = cli("build", project, "-o", tmp_path / "out", "--verbose")

    wheel = _built_wheel(done, tmp_path / "out")
    output = done.stdout + done.stderr
    assert "remap-backend: intree_hooks build_wheel" in output  # the proxy wrapped the in-tree backend
    import zipfile

    with zipfile.ZipFile(wheel) as archive:
        assert archive.read("intree/_backend.txt") == b"built by the in-tree backend\n"


def test_real_in_tree_backend_frozenlist(tmp_path, cli):
    """aio-libs' frozenlist keeps its backend in packaging/pep517_backend (backend-path)."""
    done = cli("build", "frozenlist==1.5.0", "-o", tmp_path / "out", "--verbose",
               env_extra={"TMPDIR": str(_random_dir(tmp_path, "tmp-"))})
    wheel = _built_wheel(done, tmp_path / "out")
    assert "remap-backend: pep517_backend.hooks build_wheel" in done.stdout + done.stderr
    scan = cli("scan", wheel)
    assert scan.returncode == 0, scan.stdout


def test_no_isolation_uses_the_current_environment(tmp_path, cli):
    project = shutil.copytree(REPO / "examples" / "setuptools-c", tmp_path / "setuptools-c",
                              ignore=shutil.ignore_patterns("build", "*.egg-info", "dist"))
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(
        'requires = ["remap-backend", "setuptools>=64"]',
        'requires = ["remap-backend", "setuptools>=64", "remap-backend-test-no-such-package==0.0.1"]'))

    isolated = cli("build", project, "-o", tmp_path / "isolated")
    assert isolated.returncode == 2
    assert "installing build requirements failed" in isolated.stderr.splitlines()[-1]

    done = cli("build", project, "--no-isolation", "-o", tmp_path / "out", "-v")
    _built_wheel(done, tmp_path / "out")
    assert "remap-backend: setuptools.build_meta build_wheel" in done.stdout + done.stderr


def _other_python() -> str | None:
    for minor in ("12", "10", "13", "9"):
        found = sorted(Path.home().glob(f".pyenv/versions/3.{minor}.*/bin/python3.{minor}"))
        if found:
            return str(found[-1])
        which = shutil.which(f"python3.{minor}")
        if which and subprocess.run([which, "-c", "pass"], capture_output=True).returncode == 0:
            return which
    return None


def test_python_option_builds_for_another_interpreter(tmp_path, cli):
    python = _other_python()
    if python is None:
        pytest.skip("no second CPython (3.9/3.10/3.12/3.13) on this machine")
    version = subprocess.run([python, "-c", "import sys; print(f'{sys.version_info[0]}{sys.version_info[1]}')"],
                             capture_output=True, text=True, check=True).stdout.strip()
    project = shutil.copytree(REPO / "examples" / "setuptools-c", tmp_path / "setuptools-c",
                              ignore=shutil.ignore_patterns("build", "*.egg-info", "dist"))
    done = cli("build", project, "--python", python, "-o", tmp_path / "out")
    wheel = _built_wheel(done, tmp_path / "out")
    assert f"-cp{version}-cp{version}-" in wheel.name
