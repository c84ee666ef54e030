"""End to end: a project that compiles its random build directory into a string constant.

``-DBUILD_DIR="$PWD"`` (here from the project's own setup.py) puts the
unpacked sdist's random path into ``.rodata``; no compiler path map reaches a
string constant, so the wheel differs on every build. The leak guard must say
so: a warning line naming the member and the path, and with
``remap.strict = true`` (the CLI's default) a failed build.
"""

from __future__ import annotations

import sys
import sysconfig
import tempfile
import zipfile
from pathlib import Path

import pytest

from cli.conftest import cli_environ, run_cli
from support import frontends

pytestmark = pytest.mark.e2e

PROJECT = Path(__file__).resolve().parent / "projects" / "build-dir-string"
MEMBER = f"builddir_c/_where{sysconfig.get_config_var('EXT_SUFFIX')}"


@pytest.fixture(scope="module")
def sdist(proxy_wheelhouse: Path, uv_cache: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    parent = tmp_path_factory.mktemp("build-dir-string")
    project = frontends.copy_project(PROJECT, parent / "project")
    env = frontends.frontend_env(proxy_wheelhouse, uv_cache, parent / "tmp-sdist")
    return frontends.build_sdist(project, parent / "sdist", env)


def build_from_sdist(sdist: Path, env: dict[str, str], *args: str):
    """``python -m build --wheel`` of the sdist unpacked in a new random directory; (result, source, outdir)."""
    workdir = Path(tempfile.mkdtemp(prefix="build-via-sdist-", dir=env["TMPDIR"]))
    source = frontends.unpack_sdist(sdist, workdir)
    outdir = workdir / "dist"
    done = frontends.run([sys.executable, "-m", "build", "--wheel", "--outdir", outdir, *args, source], env,
                         check=False)
    return done, source, outdir


def output_lines(done) -> list[str]:
    return (done.stdout + done.stderr).splitlines()


def test_strict_fails_with_a_line_naming_member_and_path(sdist, proxy_wheelhouse, uv_cache, tmp_path):
    env = frontends.frontend_env(proxy_wheelhouse, uv_cache, tmp_path / "tmp")
    done, source, outdir = build_from_sdist(sdist, env, "-C", "remap.strict=true")
    lines = output_lines(done)
    assert done.returncode != 0, "\n".join(lines[-40:])
    assert f"remap-backend: leak: {MEMBER}: {source} (section .rodata)" in lines, "\n".join(lines[-40:])
    errors = [line for line in lines if line.startswith("remap-backend: error: ")]
    assert len(errors) == 1 and f"{MEMBER} names {source} (section .rodata)" in errors[0], errors
    assert not list(outdir.glob("*.whl"))  # no leaky wheel left behind


def test_without_strict_it_warns_and_builds(sdist, proxy_wheelhouse, uv_cache, tmp_path):
    env = frontends.frontend_env(proxy_wheelhouse, uv_cache, tmp_path / "tmp")
    done, source, outdir = build_from_sdist(sdist, env)
    lines = output_lines(done)
    assert done.returncode == 0, "\n".join(lines[-40:])
    assert f"remap-backend: leak: {MEMBER}: {source} (section .rodata)" in lines
    assert any(line.startswith("remap-backend: warning: builddir_c-1.0.0-") and "leak finding(s)" in line
               for line in lines), lines
    (wheel,) = outdir.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        assert str(source).encode() in archive.read(MEMBER)  # the warning tells the truth
    assert frontends.run_in_wheel(wheel, tmp_path, "import builddir_c; print(builddir_c.build_dir())") == str(source)


def test_cli_build_is_strict_by_default_and_no_strict_lets_it_pass(sdist, proxy_wheelhouse, tmp_path_factory,
                                                                   tmp_path):
    (proxy,) = proxy_wheelhouse.glob("remap_backend-*.whl")
    env = cli_environ(tmp_path_factory.mktemp("remap-cache"), {"TMPDIR": str(tmp_path)})
    strict = run_cli(["build", sdist, "-o", tmp_path / "strict", "--proxy-wheel", proxy], env)
    assert strict.returncode != 0, strict.stdout + strict.stderr
    assert f"remap-backend: leak: {MEMBER}: " in strict.stdout + strict.stderr
    assert not list((tmp_path / "strict").glob("*.whl"))

    relaxed = run_cli(["build", sdist, "-o", tmp_path / "relaxed", "--no-strict", "--proxy-wheel", proxy], env)
    assert relaxed.returncode == 0, relaxed.stdout + relaxed.stderr
    assert len(list((tmp_path / "relaxed").glob("*.whl"))) == 1
