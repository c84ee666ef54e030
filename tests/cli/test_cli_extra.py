"""Without the ``cli`` extra, a command that needs it says so in one line (in a real bare venv)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from .conftest import REPO, cli_environ


@pytest.fixture(scope="module")
def bare_python(tmp_path_factory):
    """A venv with nothing installed: no packaging, build, rich, pyelftools or tomlkit."""
    venv = tmp_path_factory.mktemp("bare") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    assert subprocess.run([python, "-c", "import packaging"], capture_output=True).returncode != 0
    return python


@pytest.mark.parametrize("args, missing", [
    (["build", "examples/setuptools-c"], "packaging"),
    (["vendor", "examples/setuptools-c", "--check"], "tomlkit"),
])
def test_missing_cli_extra_is_one_line_naming_the_install(bare_python, cli_cache, args, missing):
    done = subprocess.run([bare_python, "-m", "remap_backend_cli", *args], cwd=REPO, env=cli_environ(cli_cache),
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.strip() == (f"remap-backend: error: {args[0]} needs the 'cli' extra (no module named "
                                   f"{missing!r}); install it with: pip install 'remap-backend[cli]'")


def test_version_needs_no_extra(bare_python, cli_cache):
    done = subprocess.run([bare_python, "-m", "remap_backend_cli", "--version"], env=cli_environ(cli_cache),
                          capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("remap-backend ")
