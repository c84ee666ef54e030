"""The CI subset of the real-world corpus (benchmarks/corpus.py): real PyPI sdists, rebuilt twice.

Each sdist marked ``ci=True`` in ``benchmarks.corpus.CORPUS`` is built twice
with ``remap-backend build`` from two copies in different directories, with
different TMPDIRs, working directories, umasks (022 / 077) and time zones
(UTC / Asia/Tokyo). Both wheels must be byte-identical and free of every
path of both builds, of the home directory and of the interpreter's prefix
(the pyenv interpreter's ``-Wl,-rpath`` included: no allowance). The
sdists are downloaded once into ``~/.cache/remap-corpus`` (or
``$REMAP_CORPUS_CACHE``). The full corpus and its table: ``docs/corpus.md``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.e2e


def _load_corpus():
    spec = importlib.util.spec_from_file_location("corpus", REPO / "benchmarks" / "corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("corpus", module)
    spec.loader.exec_module(module)
    return module


corpus = _load_corpus()
CI_SUBSET = [sdist for sdist in corpus.CORPUS if sdist.ci]


def test_the_ci_subset_covers_every_kind_of_build():
    assert len(CI_SUBSET) >= 8
    assert len(corpus.CORPUS) >= 27
    assert len({s.name for s in corpus.CORPUS}) == len(corpus.CORPUS)
    backends = {s.backend for s in CI_SUBSET}
    assert {"setuptools", "in-tree (setuptools)"} <= backends, backends


@pytest.mark.parametrize("sdist", CI_SUBSET, ids=[s.name for s in CI_SUBSET])
def test_rebuilt_twice_identical_and_leak_free(sdist, tmp_path):
    result = corpus.rebuild(sdist, corpus.DEFAULT_CACHE, tmp_path, timeout=900)

    assert result.status != "build failed", result.cause
    assert not result.leaks, f"{sdist.requirement} leaks builder paths:\n" + "\n".join(result.leaks[:20])
    first, second = (build.wheel for build in result.builds)
    assert corpus.sha256(first) == corpus.sha256(second), "\n".join(result.differences)
    assert result.status == "identical"
