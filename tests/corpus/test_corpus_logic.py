"""The corpus harness's pure logic: which hits count as builder paths, how causes are named."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from .test_corpus import CI_SUBSET, corpus


def test_a_needle_counts_only_where_it_starts_a_path():
    assert corpus._path_token('partitions with device == "/dev/root"', "/root") is None
    assert corpus._path_token("mounted on /rootfs", "/root") is None
    assert corpus._path_token("RUNPATH /root/.pyenv/versions/3.11.7/lib:x", "/root") == "/root/.pyenv/versions/3.11.7/lib"
    assert corpus._path_token("/root", "/root") == "/root"


def test_leak_lines_are_grouped_by_cause():
    libdir = os.path.join(sys.base_prefix, "lib")
    variations = corpus.SPACED_VARIATIONS
    builds = [corpus.Build(variations[0], Path("/w/r1/src/pkg-1.0"), Path("/w/r1/tmp")),
              corpus.Build(variations[1], Path("/w/r2/My Projects/pkg-1.0"), Path("/w/r2/t/mp with space"))]
    causes = corpus.leak_causes([
        f"pkg/_a.cpython-311-x86_64-linux-gnu.so: section .dynstr: {libdir}",
        f"pkg/_b.cpython-311-x86_64-linux-gnu.so: section .dynstr: {libdir}",
        "pkg/util/_build_config.py: raw bytes:  python_path=r\"/w/r1/tmp/build-env-abcdefgh/bin/python\",",
        "pkg/_c.so: line table include_directories: /w/r2/My Projects/pkg-1.0/src/pkg",
        "pkg/_d.so: raw bytes: /w/r1/tmp/.tmp-pkg-pep517-ab12cd34/src/pkg/_d.c",
    ], builds)
    assert causes == [
        f"interpreter rpath {libdir} in DT_RUNPATH",
        "build-info file pkg/util/_build_config.py",
        "unmapped source directory (it has a space) in pkg/_c.so (line table include_directories)",
        "temp dir made during the build in pkg/_d.so (raw bytes)",
    ]


def test_a_random_directory_under_the_mapped_tmpdir_is_recognised():
    assert corpus._MADE_DURING_BUILD.search("/remap/tmp/.tmp-frozenlist-pep517-rzd9m1zf/src/frozenlist/_frozenlist.c")
    assert not corpus._MADE_DURING_BUILD.search("/remap/source/src/frozenlist/_frozenlist.c")


def test_only_names_a_known_sdist():
    assert [s.name for s in corpus.select(["bcrypt"], ci=False)] == ["bcrypt"]
    with pytest.raises(SystemExit, match="no-such-sdist not in the corpus"):
        corpus.select(["no-such-sdist"], ci=False)


def test_the_ci_subset_covers_every_kind_of_build():
    assert len(CI_SUBSET) >= 8
    assert len(corpus.CORPUS) >= 27
    assert len({s.name for s in corpus.CORPUS}) == len(corpus.CORPUS)
    backends = {s.backend for s in CI_SUBSET}
    assert {"setuptools", "in-tree (setuptools)", "scikit-build-core", "meson-python"} <= backends, backends
