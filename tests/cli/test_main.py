"""The command line's surface: version, help texts, one-line errors, pure helpers."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest

from remap_backend_cli import hookplan, proxywheel
from remap_backend_cli.configsettings import parse_config_settings
from remap_backend_cli.errors import RemapError
from remap_backend_cli.main import main

from .conftest import REPO, cli_environ


def test_version(cli):
    done = cli("--version")
    assert done.returncode == 0
    from remap_backend import __version__

    assert done.stdout.strip() == f"remap-backend {__version__}"


@pytest.mark.parametrize("command", ["build", "verify", "diff", "scan", "vendor"])
def test_every_command_has_help_with_examples(cli, command):
    done = cli(command, "--help")
    assert done.returncode == 0
    assert "examples:" in done.stdout and f"remap-backend {command} " in done.stdout


def test_python_dash_m_remap_backend_runs_the_cli(cli_cache):
    done = subprocess.run([sys.executable, "-m", "remap_backend", "--help"], capture_output=True, text=True,
                          env=cli_environ(cli_cache))
    assert done.returncode == 0, done.stderr
    for command in ("build", "verify", "diff", "scan"):
        assert command in done.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["build", "not a requirement!!"], "is neither an existing path nor a requirement"),
        (["build", "missing-dir/"], "does not exist"),
        (["build", "README.md"], "is a file but not an sdist"),
        (["verify", "examples/setuptools-c", "--runs", "1"], "need at least 2 builds"),
        (["build", "examples/setuptools-c", "-C", "=x"], "has no key"),
        (["build", "examples/setuptools-c", "--proxy-wheel", "nope.whl"], "is not a wheel file"),
    ],
)
def test_bad_input_is_one_error_line_and_exit_2(cli, args, message):
    done = cli(*args, cwd=REPO)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith("remap-backend: error:") and message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


def test_no_command_prints_help_and_fails(capsys):
    assert main([]) == 2
    assert "examples:" in capsys.readouterr().out


def test_config_settings_repeat_into_lists():
    assert parse_config_settings(["a=1", "b", "a=2", "a=3", "c=x=y"]) == {"a": ["1", "2", "3"], "b": "", "c": "x=y"}


def test_hook_plan_wraps_declared_backend_through_environment():
    system = hookplan.read_build_system(
        {"build-system": {"requires": ["setuptools", "Remap_Backend>=0.1"], "build-backend": "pep517_backend.hooks",
                          "backend-path": ["packaging", "more"]}}
    )
    plan = hookplan.proxied_plan(system)
    assert plan.backend == "remap_backend" and plan.backend_path is None
    assert plan.requires == ("setuptools",)
    assert plan.environment == {"REMAP_BACKEND": "pep517_backend.hooks", "REMAP_BACKEND_PATH": "packaging:more"}


def test_hook_plan_keeps_projects_that_already_use_the_proxy():
    system = hookplan.read_build_system({"build-system": {"requires": ["remap-backend", "setuptools"],
                                                          "build-backend": "remap_backend"}})
    plan = hookplan.proxied_plan(system)
    assert plan.environment == {} and set(plan.unset) == {"REMAP_BACKEND", "REMAP_BACKEND_PATH"}
    plain = hookplan.plain_plan(system, "setuptools.build_meta", ())
    assert plain.backend == "setuptools.build_meta" and plain.requires == ("setuptools",) and not plain.proxied


def test_missing_build_system_means_setuptools_legacy():
    system = hookplan.read_build_system({})
    assert system.backend == "setuptools.build_meta:__legacy__" and system.requires == ("setuptools>=40.8.0",)
    with pytest.raises(RemapError, match="requires must be a list"):
        hookplan.read_build_system({"build-system": {"requires": "setuptools"}})


def test_proxy_wheel_is_deterministic_and_installable(tmp_path):
    files = proxywheel.package_files(proxywheel.package_dir())
    assert proxywheel.wheel_bytes(files) == proxywheel.wheel_bytes(files)
    wheel = proxywheel.proxy_wheel({"REMAP_BACKEND_CACHE": str(tmp_path / "cache")})
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        assert "remap_backend/__init__.py" in names and "remap_backend/hooks/proxy.py" in names
        assert not any("__pycache__" in name for name in names)
        record = archive.read(next(n for n in names if n.endswith("RECORD"))).decode()
        assert "remap_backend/__init__.py,sha256=" in record
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    subprocess.run(["uv", "pip", "install", "--offline", "--python", str(venv / "bin" / "python"),
                    proxywheel.requirement_for(wheel)], check=True, capture_output=True)
    done = subprocess.run([str(venv / "bin" / "python"), "-c", "import remap_backend, sys; print(remap_backend.__file__)"],
                          capture_output=True, text=True, check=True)
    assert done.stdout.startswith(str(venv))


def test_copy_tree_skips_leftovers_only_at_the_top(tmp_path):
    from remap_backend_cli.sources import copy_tree

    for relative in ("src/pkg/build/__init__.py", "build/x.o", "src/pkg/__pycache__/a.pyc", "a.egg-info/PKG-INFO",
                     "setup.py"):
        path = tmp_path / "proj" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    copy = copy_tree(tmp_path / "proj", tmp_path / "copy")
    copied = sorted(p.relative_to(copy).as_posix() for p in copy.rglob("*") if p.is_file())
    assert copied == ["setup.py", "src/pkg/build/__init__.py"]


def test_sdist_unpacks_to_the_same_path_every_time(tmp_path):
    import tarfile

    from remap_backend_cli.sources import unpack_sdist

    project = tmp_path / "demo-1.0"
    project.mkdir()
    (project / "pyproject.toml").write_text("[build-system]\nrequires = []\n")
    sdist = tmp_path / "demo-1.0.tar.gz"
    with tarfile.open(sdist, "w:gz") as archive:
        archive.add(project, arcname="demo-1.0")
    first = unpack_sdist(sdist, tmp_path / "root")
    (first / "stale.txt").write_text("left over from an earlier build")
    second = unpack_sdist(sdist, tmp_path / "root")
    assert first == second == tmp_path / "root" / "demo-1.0"
    assert sorted(p.name for p in second.iterdir()) == ["pyproject.toml"]


def test_verify_runs_vary_everything_but_the_epoch(tmp_path):
    from remap_backend_cli.commands.verify import Variation

    first, second = Variation.for_run(0, tmp_path / "r0"), Variation.for_run(1, tmp_path / "r1")
    env_a, env_b = first.hook_environment(1700000000), second.hook_environment(1700000000)
    assert env_a["SOURCE_DATE_EPOCH"] == env_b["SOURCE_DATE_EPOCH"] == "1700000000"
    for key in ("TMPDIR", "TZ", "LANG", "LC_ALL", "PYTHONHASHSEED"):
        assert env_a[key] != env_b[key], key
    assert first.umask != second.umask and first.mtime_shift != second.mtime_shift
    assert first.source_parent != second.source_parent and first.env_dir != second.env_dir
    assert len(first.source_parent.parts) != len(second.source_parent.parts)  # different depth, not only names
