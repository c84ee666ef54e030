"""Progress shows on a terminal only: spinner and ticks under a pty, nothing without one or with --quiet."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys

import pytest

from .conftest import PROJECTS, cli_environ

pytestmark = pytest.mark.e2e


def _build(tmp_path, cli_cache, *extra: str, terminal: bool) -> str:
    project = shutil.copytree(PROJECTS / "intree-backend", tmp_path / "intree-backend")
    command = [sys.executable, "-m", "remap_backend_cli", "build", str(project), "-o", str(tmp_path / "out"), *extra]
    env = cli_environ(cli_cache, {"TERM": "xterm", "COLUMNS": "120"})
    if terminal:
        # util-linux script(1) runs the command under a pseudo-terminal.
        command = ["script", "-qec", shlex.join(command), "/dev/null"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


@pytest.mark.skipif(shutil.which("script") is None, reason="needs script(1) from util-linux for a pty")
def test_spinner_only_on_a_terminal_and_never_with_quiet(tmp_path, cli_cache):
    on_terminal = _build(tmp_path / "tty", cli_cache, terminal=True)
    assert "✓" in on_terminal and "building the wheel" in on_terminal

    piped = _build(tmp_path / "pipe", cli_cache, terminal=False)
    assert "✓" not in piped and "\x1b[" not in piped
    assert "intree-1.0.0-py3-none-any.whl" in piped

    quiet = _build(tmp_path / "quiet", cli_cache, "--quiet", terminal=True)
    assert "✓" not in quiet and "building the wheel" not in quiet
