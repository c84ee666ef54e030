"""A hook imports only what it uses: every hook runs in a fresh process, which pays per module."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from support.frontends import EXAMPLES, copy_project

REPO = Path(__file__).resolve().parents[2]

#: Only build_wheel/build_editable plan maps and render flags.
PLANNING_MODULES = ("remap_backend.remap.plan", "remap_backend.remap.cflags", "remap_backend.remap.rpaths",
                    "remap_backend.remap.discovery", "remap_backend.remap.tempnames")


def test_get_requires_imports_no_planner_and_no_flag_renderer(tmp_path: Path) -> None:
    project = copy_project(EXAMPLES / "setuptools-c", tmp_path)
    script = ("import json, sys, remap_backend\n"
              "requires = remap_backend.get_requires_for_build_wheel()\n"
              "print(json.dumps([requires, sorted(m for m in sys.modules if m.startswith('remap_backend'))]))\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=project, capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=str(REPO / "backends")), check=True)
    requires, loaded = json.loads(done.stdout.splitlines()[-1])
    assert isinstance(requires, list)
    assert "remap_backend.repair" in loaded  # it did repair around the hook
    assert [m for m in PLANNING_MODULES if m in loaded] == []
