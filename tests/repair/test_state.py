"""Fingerprint, state file, lock and all-or-nothing file replacement (units, real files)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from remap_backend.adapters import for_backend
from remap_backend import statedir
from remap_backend.errors import RemapError
from remap_backend.repair import fingerprint, invalidate, statefile
from remap_backend.repair.files import BACKUP_SUFFIX, replace_all

BACKENDS = Path(__file__).resolve().parents[2] / "backends"


def test_fingerprint_ignores_where_the_environment_lives():
    environ = {"CFLAGS": "-O2"}
    first = fingerprint.compute(
        environ, {"CFLAGS": "-O2 -ffile-prefix-map=/tmp/build-env-aaa=/env"}, {"x": "/tmp/build-env-aaa/y"},
        [("/tmp/build-env-aaa", "<build-env>")],
    )
    second = fingerprint.compute(
        environ, {"CFLAGS": "-O2 -ffile-prefix-map=/tmp/build-env-bbb=/env"}, {"x": "/tmp/build-env-bbb/y"},
        [("/tmp/build-env-bbb", "<build-env>")],
    )
    assert first == second
    assert fingerprint.changed_parts(first, second) == []


def test_stable_text_replaces_each_path_once_and_whole_components_only():
    replacements = [("/tmp", "/remap/tmp"), ("/tmp/src", "/remap/source")]
    text = "-ffile-prefix-map=/tmp=/remap/tmp -I/tmp/src/inc /tmp/srcx /tmpx"
    assert fingerprint.stable_text(text, replacements) == (
        "-ffile-prefix-map=/remap/tmp=/remap/tmp -I/remap/source/inc /remap/tmp/srcx /tmpx"
    )


def test_fingerprint_sees_flags_settings_and_distributions():
    base = fingerprint.compute({"CFLAGS": "-O2"}, {}, {}, [])
    flags = fingerprint.compute({"CFLAGS": "-O3"}, {}, {}, [])
    maps = fingerprint.compute({"CFLAGS": "-O2"}, {"CPPFLAGS": "-ffile-prefix-map=/a=/b"}, {}, [])
    settings = fingerprint.compute({"CFLAGS": "-O2"}, {}, {"build-dir": "b"}, [])
    assert fingerprint.changed_parts(base, flags) == ["toolchain"]
    assert fingerprint.changed_parts(base, maps) == ["injected"]
    assert fingerprint.changed_parts(base, settings) == ["config-settings"]
    upgraded = json.loads(json.dumps(base))
    upgraded["distributions"]["hdrdep"] = "2.0"
    assert fingerprint.changed_parts(base, upgraded) == ["distributions"]
    assert "hdrdep - -> 2.0" in fingerprint.describe_change(base, upgraded)
    assert fingerprint.changed_parts(None, base) == list(fingerprint.PARTS)


def test_distributions_are_read_from_the_path_and_exclude_installers_and_self(tmp_path):
    for name, version in [("hdrdep", "1.0"), ("pip", "25.0"), ("my_project", "3.0")]:
        info = tmp_path / f"{name}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    assert fingerprint.distributions([str(tmp_path)], exclude=["My-Project"]) == {"hdrdep": "1.0"}


def test_setuptools_and_cmake_invalidation_policy(tmp_path):
    build = tmp_path / "build"
    for name in ("temp.linux-x86_64-cpython-311", "lib.linux-x86_64-cpython-311", "bdist.linux-x86_64", "CMakeFiles"):
        (build / name).mkdir(parents=True)
    cache = build / "CMakeCache.txt"
    cache.write_text("")
    caches = [cache]
    setuptools_dirs = {build / "temp.linux-x86_64-cpython-311", build / "lib.linux-x86_64-cpython-311"}
    assert set(for_backend("setuptools.build_meta").intermediates(build)) == setuptools_dirs
    assert invalidate.stale_artifacts(build, caches, [], known=True, intermediates=setuptools_dirs) == []
    cmake_build = {cache, build / "CMakeFiles"}
    assert set(invalidate.stale_artifacts(build, caches, ["distributions"], known=True, intermediates=setuptools_dirs)) == setuptools_dirs | cmake_build
    assert set(invalidate.stale_artifacts(build, caches, ["toolchain"], known=True, intermediates=[])) == cmake_build
    assert set(invalidate.stale_artifacts(build, caches, ["injected"], known=True, intermediates=setuptools_dirs)) == setuptools_dirs
    assert set(invalidate.stale_artifacts(build, caches, list(fingerprint.PARTS), known=False, intermediates=setuptools_dirs)) == setuptools_dirs


def test_state_round_trip_and_corrupt_state_is_ignored(tmp_path, capsys):
    workdir = statedir.path(tmp_path)
    assert statedir.prepare(workdir)
    assert (workdir / ".gitignore").read_text().splitlines()[-1] == "*"
    state = statefile.State().with_environment(("/a",)).with_environment(("/b",)).with_environment(("/a",))
    state = state.with_fingerprints({"build": {"interpreter": {"version": "3"}}})
    statefile.save(workdir, state)
    assert statefile.load(workdir) == state
    assert state.old_roots() == ("/a", "/b")
    (workdir / "state.json").write_text("{not json")
    assert statefile.load(workdir) == statefile.State()
    assert "ignoring unreadable" in capsys.readouterr().err


def test_state_key_is_relative_inside_the_tree(tmp_path):
    (tmp_path / "build").mkdir()
    assert statefile.key_for(tmp_path / "build", tmp_path) == "build"
    assert statefile.key_for(tmp_path, tmp_path / "sub") == str(tmp_path.resolve())


def test_replace_all_is_all_or_nothing(tmp_path):
    writable, missing_dir = tmp_path / "a.txt", tmp_path / "gone" / "b.txt"
    writable.write_text("old")
    with pytest.raises(RemapError, match="make the directory writable"):
        replace_all([(writable, "new"), (missing_dir, "new")], backup=[writable])
    assert writable.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]  # no temp or backup left
    replace_all([(writable, "new")], backup=[writable])
    assert writable.read_text() == "new"
    assert (tmp_path / ("a.txt" + BACKUP_SUFFIX)).read_text() == "old"


HOLD_LOCK = textwrap.dedent("""
    import sys
    sys.path.insert(0, sys.argv[1])
    from pathlib import Path
    from remap_backend.repair import lock
    with lock.exclusive(Path(sys.argv[2])):
        print("held", flush=True)
        sys.stdin.readline()
""")


@pytest.mark.skipif(sys.platform == "win32", reason="probes the lock with fcntl")
def test_lock_excludes_a_second_build_until_released(tmp_path):
    import fcntl

    lock_file = tmp_path / "lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(BACKENDS), str(lock_file)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        probe = os.open(lock_file, os.O_RDWR)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
            holder.stdin.write("\n")
            holder.stdin.flush()
            assert holder.wait(timeout=60) == 0
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free once the holder is done
        finally:
            os.close(probe)
    finally:
        if holder.poll() is None:
            holder.kill()
