"""``remap-backend vendor``: the proxy copied into a project, pyproject.toml edited round-trip."""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

import pytest

tomlkit = pytest.importorskip("tomlkit")

from remap_backend_cli import proxywheel
from remap_backend_cli import vendoring  # noqa: E402

from ..adopt import COMMENTED, fresh_project, index_only_env  # noqa: E402

from support.frontends import run, uv  # noqa: E402

def _project(parent: Path, pyproject: str = COMMENTED) -> Path:
    project = parent / "fresh-c"
    (project / "src" / "fresh_c").mkdir(parents=True)
    (project / "pyproject.toml").write_text(pyproject)
    return project


def test_cli_vendors_then_check_passes_and_a_second_run_changes_nothing(cli, tmp_path):
    project = _project(tmp_path)
    done = cli("vendor", project)
    assert done.returncode == 0, done.stderr
    copy = project / "_remap_backend" / "remap_backend"
    assert vendoring.differing_files(proxywheel.package_files(proxywheel.package_dir()), vendoring.read_copy(copy.parent)) == []
    assert "graft _remap_backend" in (project / "MANIFEST.in").read_text()  # a setuptools sdist carries the copy
    before = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}
    again = cli("vendor", project)
    assert again.returncode == 0 and "nothing to change" in again.stdout
    assert {p: p.read_bytes() for p in project.rglob("*") if p.is_file()} == before
    check = cli("vendor", "--check", project)
    assert check.returncode == 0, check.stdout


def test_check_detects_an_older_or_edited_copy_and_a_missing_one(cli, tmp_path):
    project = _project(tmp_path)
    assert cli("vendor", project).returncode == 0
    version_file = project / "_remap_backend" / "remap_backend" / "_version.py"
    version_file.write_text('__version__ = "0.0.1"\n')
    stale = cli("vendor", "--check", project)
    assert stale.returncode == 1
    assert "remap-backend 0.0.1 (older) and differs" in stale.stdout and "remap_backend/_version.py" in stale.stdout
    assert version_file.read_text() == '__version__ = "0.0.1"\n'  # --check writes nothing
    assert cli("vendor", project).returncode == 0
    assert cli("vendor", "--check", project).returncode == 0
    shutil.rmtree(project / "_remap_backend")
    missing = cli("vendor", "--check", project)
    assert missing.returncode == 1 and "is missing" in missing.stdout


def test_check_detects_a_pyproject_that_no_longer_points_to_the_copy(cli, tmp_path):
    project = _project(tmp_path)
    assert cli("vendor", project).returncode == 0
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('backend-path = ["_remap_backend"]', ""))
    done = cli("vendor", "--check", project)
    assert done.returncode == 1 and "backend-path" in done.stdout


@pytest.mark.parametrize("into, message", [("../outside", "inside the project"), ("/abs", "inside the project")])
def test_bad_into_is_one_error_line(cli, tmp_path, into, message):
    project = _project(tmp_path)
    done = cli("vendor", project, "--into", into)
    assert done.returncode == 2 and message in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_no_pyproject_is_one_error_line(cli, tmp_path):
    done = cli("vendor", tmp_path)
    assert done.returncode == 2 and "has no pyproject.toml" in done.stderr


def test_invalid_toml_is_one_error_line(cli, tmp_path):
    project = _project(tmp_path, "[build-system\n")
    done = cli("vendor", project)
    assert done.returncode == 2 and "is not valid TOML" in done.stderr
    assert (project / "pyproject.toml").read_text() == "[build-system\n"


# --- end to end: a fresh C project, vendored, built by three frontends with no remap-backend anywhere ---

@pytest.mark.e2e
def test_vendored_project_builds_identically_with_pip_build_and_uv(cli, tmp_path):
    project = fresh_project(tmp_path)
    env = index_only_env(tmp_path)
    # Without vendoring the declared requirement cannot be resolved: the failure this command fixes.
    plain = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", tmp_path / "none", project], env, check=False)
    assert plain.returncode != 0 and "remap-backend" in plain.stdout + plain.stderr

    assert cli("vendor", project).returncode == 0
    assert cli("vendor", "--check", project).returncode == 0
    outs = {name: tmp_path / f"out-{name}" for name in ("pip", "build", "uv")}
    log = run([sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "-w", outs["pip"], project], env)
    assert "remap-backend: setuptools.build_meta build_wheel" in log.stdout + log.stderr  # the vendored proxy ran
    run([sys.executable, "-m", "build", "--outdir", outs["build"], project], env)  # sdist, then wheel from it
    run([uv(), "build", "--out-dir", outs["uv"], project], env)
    digests = {}
    for name, out in outs.items():
        (wheel,) = out.glob("fresh_zlib-0.3.0-*.whl")
        digests[name] = hashlib.sha256(wheel.read_bytes()).hexdigest()
    assert len(set(digests.values())) == 1, digests
    assert str(tmp_path).encode() not in (outs["uv"] / wheel.name).read_bytes()

    # An upgrade of the installed proxy makes the copy stale, which --check reports.
    (project / "_remap_backend" / "remap_backend" / "errors.py").write_text("# an older proxy\n")
    stale = cli("vendor", "--check", project)
    assert stale.returncode == 1 and "remap_backend/errors.py" in stale.stdout
