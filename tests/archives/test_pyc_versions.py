"""Other CPython versions (3.8-3.13, where installed): their .pyc files, canonicalized here.

The canonicalizer runs in this interpreter, the .pyc files come from another
one, and that other interpreter checks the result: same code object, and the
module still imports from the canonical file alone. The archive normalizer
itself, run by each of those interpreters, writes the same bytes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from remap_backend.archives.pyc import canonical_pyc

from .test_pyc import COMPILER, SOURCE

REPO = Path(__file__).resolve().parents[2]
VERSIONS = ["3.8", "3.9", "3.10", "3.11", "3.12", "3.13"]

CHECKER = """
import marshal, sys
original, canonical = (open(p, "rb").read() for p in sys.argv[1:3])
assert original[:16] == canonical[:16]
a, b = marshal.loads(original[16:]), marshal.loads(canonical[16:])
assert a == b, "not equal"
sys.path.insert(0, sys.argv[3])
import mod
print(mod.scale(2), mod.Thing.name)
"""


def find_python(version: str) -> "str | None":
    """An interpreter of ``version``: on PATH, or installed by pyenv (whose shims may refuse)."""
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates = [shutil.which(f"python{version}")]
    candidates += [str(p) for p in sorted(root.glob(f"versions/{version}.*/bin/python{version}"))]
    for candidate in candidates:
        if candidate is None:
            continue
        done = subprocess.run([candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                              capture_output=True, text=True)
        if done.returncode == 0 and done.stdout.strip() == version:
            return candidate
    return None


def interpreter(version: str) -> str:
    found = find_python(version)
    if found is None:
        pytest.skip(f"python{version} is not installed")
    return found


@pytest.mark.e2e
@pytest.mark.parametrize("version", VERSIONS)
def test_pyc_of_other_versions(tmp_path: Path, version: str) -> None:
    python = interpreter(version)
    source = tmp_path / "mod.py"
    source.write_text(SOURCE)
    pycs = {}
    for hold in (False, True):
        target = tmp_path / f"{hold}.pyc"
        subprocess.run([python, "-c", COMPILER, str(source), str(target), "1" if hold else "0"], check=True)
        pycs[hold] = target.read_bytes()
    assert pycs[False] != pycs[True]  # the refcount heuristic bites in this version too

    canonical = {hold: canonical_pyc(data) for hold, data in pycs.items()}
    assert canonical[False] == canonical[True]

    site = tmp_path / "site"
    site.mkdir()
    (site / "mod.pyc").write_bytes(canonical[True])  # sourceless: the canonical file is what runs
    (tmp_path / "canonical.pyc").write_bytes(canonical[True])
    done = subprocess.run(
        [python, "-c", CHECKER, str(tmp_path / "True.pyc"), str(tmp_path / "canonical.pyc"), str(site)],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(2 * 2.5 + 12345678901234567890123), "shared", "text"]


NORMALIZE = """
import sys
sys.path[:0] = [sys.argv[1], sys.argv[2]]
from pathlib import Path
from tests.archives.kit import make_wheel, make_sdist
from remap_backend.archives import normalize_path
wheel = make_wheel(Path(sys.argv[3]) / "demo-1.0-py3-none-any.whl", umask=0o002)
sdist = make_sdist(Path(sys.argv[3]) / "demo-1.0.tar.gz", {"PKG-INFO": b"Name: demo\\n", "caf\\u00e9.py": b"x = 1\\n"})
normalize_path(wheel, 1700000000)
normalize_path(sdist, 1700000000)
"""


@pytest.mark.e2e
def test_every_interpreter_writes_the_same_archives(tmp_path: Path) -> None:
    digests = {}
    for version in VERSIONS[1:]:  # the proxy supports 3.9+
        python = find_python(version)
        if python is None:
            continue
        out = tmp_path / version
        out.mkdir()
        subprocess.run([python, "-c", NORMALIZE, str(REPO / "backends"), str(REPO), str(out)], check=True)
        digests[version] = tuple(hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.iterdir()))
    digests["this"] = digests.get(f"{sys.version_info[0]}.{sys.version_info[1]}")
    present = {v: d for v, d in digests.items() if d is not None}
    if len(present) < 3:
        pytest.skip("fewer than two other Python versions installed")
    assert len(set(present.values())) == 1, present
