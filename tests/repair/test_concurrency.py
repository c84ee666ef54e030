"""Two builds of one tree at once (uv builds in parallel): they take turns, nothing is corrupted."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from support.frontends import EXAMPLES, REPO, copy_project, frontend_env, sha256

EXAMPLE = EXAMPLES / "pytorch-shaped"
HOLD_LOCK = textwrap.dedent("""
    import sys
    sys.path.insert(0, sys.argv[1])
    from pathlib import Path
    from remap_backend.repair import lock
    with lock.exclusive(Path(sys.argv[2])):
        print("held", flush=True)
        sys.stdin.readline()
""")


def start_build(project: Path, outdir: Path, env) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(outdir), str(project)],
        env={**env, "PYTHONPATH": str(REPO / "backends")},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def read_until(process: subprocess.Popen, marker: str) -> str:
    """Output up to the line containing ``marker`` (fails if the process ends first)."""
    seen = []
    for line in process.stdout:
        seen.append(line)
        if marker in line:
            return "".join(seen)
    raise AssertionError(f"{marker!r} never printed:\n{''.join(seen)[-3000:]}")


@pytest.mark.e2e
@pytest.mark.skipif(sys.platform == "win32", reason="the test holds the lock with a POSIX helper")
def test_parallel_builds_of_one_tree_take_turns(tmp_path, proxy_wheelhouse, uv_cache):
    env = frontend_env(proxy_wheelhouse, uv_cache, tmp_path / "tmp")
    project = copy_project(EXAMPLE, tmp_path)
    workdir = project / ".remap-backend"
    workdir.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(REPO / "backends"), str(workdir / "lock")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    builds = []
    try:
        assert holder.stdout.readline().strip() == "held"
        builds = [start_build(project, tmp_path / f"dist-{n}", env) for n in (1, 2)]
        for build in builds:  # both reached the lock while it was held: they must take turns
            read_until(build, "waiting for another build of this tree")
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.wait(timeout=60) == 0
        for build in builds:
            rest = build.stdout.read()
            assert build.wait() == 0, rest[-3000:]
    finally:
        for process in [holder, *builds]:
            if process.poll() is None:
                process.kill()

    wheels = [next((tmp_path / f"dist-{n}").glob("*.whl")) for n in (1, 2)]
    assert sha256(wheels[0]) == sha256(wheels[1])
    state = json.loads((workdir / "state.json").read_text())
    assert list(state["fingerprints"]) == ["build"]
