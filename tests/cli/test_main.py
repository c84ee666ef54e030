"""The command line's surface: version, help texts, one-line errors."""

from __future__ import annotations

import subprocess
import sys

import pytest

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
