"""The canonicalizer over this interpreter's whole standard library, compiled into a temp copy.

Every .pyc must canonicalize (no file refused), load to an equal code object,
and every module that imported from the original .pyc files (sources removed,
so the .pyc is what runs) must import from the canonical ones too.
"""

from __future__ import annotations

import json
import marshal
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from remap_backend.archives import normalize_path
from remap_backend.archives.pyc import canonical_marshal, canonical_pyc
from support.stdlib import copy_stdlib_sources

# Importing these starts programs (GUI, browser, REPL) or is a test suite.
SKIP_IMPORTS = {"antigravity", "this", "idlelib", "turtledemo", "test", "__phello__", "__hello__"}

PROBE = """
import importlib, json, sys
tree, dynload, names = sys.argv[1], sys.argv[2], sys.argv[3:]
sys.path[:] = [tree, dynload]
imported = {}
for name in names:
    try:
        module = importlib.import_module(name)
    except BaseException:
        continue
    imported[name] = getattr(module, "__file__", None) or ""
print(json.dumps(imported))
"""


def module_names(tree: Path) -> list[str]:
    names = []
    for pyc in sorted(tree.rglob("*.pyc")):
        parts = list(pyc.relative_to(tree).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        if not parts or parts[-1] == "__main__" or parts[0] in SKIP_IMPORTS:
            continue
        if {"test", "tests", "idle_test"} & set(parts):
            continue
        names.append(".".join(parts))
    return names


def lib_dynload() -> str:
    """Where this interpreter's stdlib extension modules are, also from inside a venv.

    In a venv ``sysconfig.get_path("platstdlib")`` is the venv's own lib
    directory, which has no lib-dynload; the running interpreter's path has the real one.
    """
    for entry in sys.path:
        if Path(entry).name == "lib-dynload" and Path(entry).is_dir():
            return entry
    return sysconfig.get_config_var("DESTSHARED")


def probe_imports(tree: Path, names: list[str]) -> dict[str, str]:
    dynload = lib_dynload()
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", PROBE, str(tree), dynload, *names],
        capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def same_object(a: object, b: object) -> bool:
    if a == b:
        return True
    # NaN constants make code unequal even to itself: compare the graphs instead.
    return canonical_marshal(marshal.dumps(a)) == canonical_marshal(marshal.dumps(b))


@pytest.mark.e2e
def test_whole_stdlib(tmp_path: Path) -> None:
    tree = tmp_path / "lib"
    copy_stdlib_sources(tree)
    # legacy layout (-b): foo.pyc next to foo.py, importable once the source is gone
    subprocess.run([sys.executable, "-m", "compileall", "-q", "-b", "-j", "2", str(tree)],
                   capture_output=True, check=False)
    for source in tree.rglob("*.py"):
        source.unlink()
    originals = {p: p.read_bytes() for p in sorted(tree.rglob("*.pyc"))}
    assert len(originals) > 1000

    names = module_names(tree)
    before = probe_imports(tree, names)
    from_tree = [n for n, f in before.items() if f.startswith(str(tree))]
    assert len(from_tree) > 300  # the probe really imports from the compiled copy

    changes = normalize_path(tree, None)
    assert {c.path for c in changes} == {p for p, data in originals.items() if p.read_bytes() != data}
    for path, original in originals.items():
        canonical = path.read_bytes()
        assert canonical[:16] == original[:16]
        assert same_object(marshal.loads(canonical[16:]), marshal.loads(original[16:])), path
        assert canonical_pyc(canonical) == canonical  # raises if this file were refused
    assert normalize_path(tree, None) == []

    after = probe_imports(tree, names)
    assert after == before
