"""The proxy's warnings reach the terminal when ``build`` hides the backend's output."""

from __future__ import annotations

import shutil

import pytest

from .conftest import REPO

WARNING = "remap-backend: warning: ignoring"


@pytest.mark.e2e
def test_a_proxy_warning_is_shown_while_backend_chatter_is_not(cli, tmp_path):
    project = shutil.copytree(REPO / "examples" / "setuptools-c", tmp_path / "setuptools-c",
                              ignore=shutil.ignore_patterns("build", "dist", "*.egg-info", ".remap-backend"))
    state = project / ".remap-backend"
    state.mkdir()
    (state / "state.json").write_text('{"version": "from another remap-backend"}')  # the proxy warns and goes on
    done = cli("build", project, "--no-isolation", "-o", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if line.startswith(WARNING)]
    assert len(warnings) == 1 and "state.json" in warnings[0]
    assert "running build_ext" not in done.stdout + done.stderr  # setuptools' chatter stays in the log

    (state / "state.json").write_text('{"version": "from another remap-backend"}')
    verbose = cli("build", project, "--no-isolation", "-v", "-o", tmp_path / "out2")
    assert verbose.returncode == 0
    assert sum(line.startswith(WARNING) for line in verbose.stderr.splitlines()) == 1  # not shown twice
    assert "running build_ext" in verbose.stdout + verbose.stderr
