"""A time-bounded coverage-guided fuzzing run (atheris) over wheels, sdists and .pyc files.

``fuzz/run.sh`` starts from the seed corpus in ``fuzz/seeds`` (CPython 3.8-3.13
.pyc files, wheels, an sdist); any input that crashes (an exception other than
RemapError, a multi-line message, a file left behind, an unstable result) or
hangs (10 s) fails the run. Needs ``pip install atheris``.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SECONDS = int(os.environ.get("REMAP_FUZZ_SECONDS", "120"))


@pytest.mark.e2e
def test_fuzzing_finds_no_crash_and_no_hang(tmp_path: Path) -> None:
    pytest.importorskip("atheris", reason="pip install atheris to run the fuzzing harness")
    env = dict(os.environ, FUZZ_CORPUS=str(tmp_path / "corpus"), FUZZ_ARTIFACTS=str(tmp_path / "findings"),
               FUZZ_TMP=str(tmp_path))
    done = subprocess.run([str(REPO / "fuzz" / "run.sh"), str(SECONDS)], capture_output=True, text=True, env=env,
                          timeout=SECONDS + 300)
    findings = sorted(p.name for p in (tmp_path / "findings").iterdir())
    tail = done.stderr[-3000:]
    assert done.returncode == 0 and not findings, f"findings {findings}:\n{tail}"
    runs = int(re.search(r"stat::number_of_executed_units: (\d+)", done.stderr).group(1))
    assert runs > 1000, tail
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "findings"]  # the work dir is gone too
