"""The compiler probe is remembered per compiler file, and learnt again when the compiler changes."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest

from remap_backend import usercache
from remap_backend.remap import compilers
from remap_backend.remap.compilers import PrefixMapSupport

pytestmark = pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")


def counting_compiler(tmp_path: Path, rejects: str = "") -> Path:
    """gcc behind a script that logs each start (and rejects one option, as an old compiler would)."""
    script = tmp_path / "bin" / "cc-counted"
    script.parent.mkdir(exist_ok=True)
    reject = f'  case "$a" in {rejects}=*) exit 1;; esac\n' if rejects else ""
    script.write_text(f'#!/bin/sh\necho run >> "{tmp_path}/runs"\nfor a in "$@"; do\n{reject}  :\ndone\n'
                      f'exec {shutil.which("gcc")} "$@"\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def runs(tmp_path: Path) -> int:
    log = tmp_path / "runs"
    return len(log.read_text().splitlines()) if log.exists() else 0


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "user cache"
    monkeypatch.setenv("REMAP_BACKEND_CACHE", str(root))
    compilers.probe.cache_clear()
    yield root
    compilers.probe.cache_clear()


def probe_afresh(command: tuple[str, ...]) -> PrefixMapSupport:
    """As a new build process would: nothing remembered in memory."""
    compilers.probe.cache_clear()
    return compilers.probe(command)


def test_a_second_build_does_not_start_the_compiler(tmp_path, cache):
    compiler = (str(counting_compiler(tmp_path)),)
    assert probe_afresh(compiler) == PrefixMapSupport(True, True, True)
    assert runs(tmp_path) == 1
    assert probe_afresh(compiler) == PrefixMapSupport(True, True, True)
    assert runs(tmp_path) == 1
    assert (cache / "compiler-probes.json").is_file()


def test_a_changed_compiler_is_probed_again(tmp_path, cache):
    script = counting_compiler(tmp_path)
    assert probe_afresh((str(script),)).file_prefix_map
    counting_compiler(tmp_path, rejects="-ffile-prefix-map")  # "upgraded" in place: new size and mtime
    os.utime(script, ns=(0, script.stat().st_mtime_ns + 1_000_000_000))
    support = probe_afresh((str(script),))
    assert not support.file_prefix_map and support.debug_prefix_map
    assert runs(tmp_path) == 1 + 3


def test_the_same_compiler_by_another_name_shares_the_answer(tmp_path, cache):
    script = counting_compiler(tmp_path)
    link = tmp_path / "bin" / "cc-link"
    link.symlink_to(script)
    probe_afresh((str(script),))
    # A different word is a different command line (a wrapper may look at argv[0]): probed again.
    probe_afresh((str(link),))
    assert runs(tmp_path) == 2
    assert probe_afresh((str(link),)).file_prefix_map and runs(tmp_path) == 2


@pytest.mark.parametrize("content", [b"", b"{not json", b'{"format": 1, "entries": []}', b'[1, 2]',
                                     b'{"format": 1, "entries": {"x": {"bogus": true}}}'])
def test_a_corrupt_cache_file_is_probed_over(tmp_path, cache, content):
    cache.mkdir(parents=True)
    (cache / "compiler-probes.json").write_bytes(content)
    compiler = (str(counting_compiler(tmp_path)),)
    assert probe_afresh(compiler) == PrefixMapSupport(True, True, True)
    assert runs(tmp_path) == 1
    assert json.loads((cache / "compiler-probes.json").read_bytes())["format"] == usercache.FORMAT


def test_remembered_fields_of_another_version_are_measured_again(tmp_path, cache):
    compiler = (str(counting_compiler(tmp_path)),)
    probe_afresh(compiler)
    path = cache / "compiler-probes.json"
    data = json.loads(path.read_bytes())
    data["entries"] = {key: {"renamed_field": True} for key in data["entries"]}
    path.write_text(json.dumps(data))
    assert probe_afresh(compiler) == PrefixMapSupport(True, True, True)
    assert runs(tmp_path) == 2


def test_a_cache_that_is_a_file_only_costs_the_probe(tmp_path, cache):
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text("not a directory")
    compiler = (str(counting_compiler(tmp_path)),)
    assert probe_afresh(compiler) == PrefixMapSupport(True, True, True)
    assert probe_afresh(compiler) == PrefixMapSupport(True, True, True)
    assert runs(tmp_path) == 2


def test_a_compiler_that_cannot_run_is_not_remembered(tmp_path, cache):
    broken = tmp_path / "bin" / "cc-broken"
    broken.parent.mkdir()
    broken.write_text("#!/nonexistent/interpreter\n")
    broken.chmod(0o755)
    assert probe_afresh((str(broken),)) == compilers.MODERN
    assert not (cache / "compiler-probes.json").exists()


def test_the_identity_names_every_tool_of_a_wrapped_command(tmp_path):
    script = counting_compiler(tmp_path)
    identity = usercache.tool_identity(("env", str(script), "-O2"), {"PATH": os.environ["PATH"]})
    assert [part[0] if isinstance(part, list) else part for part in identity] == ["env", str(script), "-O2"]
    assert identity[0][1] == os.path.realpath(shutil.which("env"))
    assert identity[1][1] == str(script)
    assert usercache.tool_identity(("/nonexistent/cc",), {"PATH": ""}) is None
