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

#: Causes of failure no fix addresses yet: sdist name -> reason (a strict xfail).
NOT_FIXED_YET: dict = {}


def _params():
    for sdist in CI_SUBSET:
        reason = NOT_FIXED_YET.get(sdist.name)
        marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
        yield pytest.param(sdist, id=sdist.name, marks=marks)


@pytest.mark.parametrize("sdist", list(_params()))
def test_rebuilt_twice_identical_and_leak_free(sdist, tmp_path):
    result = corpus.rebuild(sdist, corpus.DEFAULT_CACHE, tmp_path, timeout=900)

    assert result.status != "build failed", result.cause
    assert not result.leaks, f"{sdist.requirement} leaks builder paths:\n" + "\n".join(result.leaks[:20])
    first, second = (build.wheel for build in result.builds)
    assert corpus.sha256(first) == corpus.sha256(second), "\n".join(result.differences)
    assert result.status == "identical"


#: One sdist that is identical in the ordinary corpus run, rebuilt with run 2 under directories with
#: a space (source copy, TMPDIR and working directory), as under ``/Users/<first> <last>``.
SPACED = next(sdist for sdist in corpus.CORPUS if sdist.name == "murmurhash")


def test_rebuilt_under_directories_with_spaces_identical_and_leak_free(tmp_path):
    result = corpus.rebuild(SPACED, corpus.DEFAULT_CACHE, tmp_path, timeout=900,
                            variations=corpus.SPACED_VARIATIONS)

    assert " " in str(result.builds[1].source) and " " in str(result.builds[1].tmpdir)
    assert result.status != "build failed", result.cause
    assert not result.leaks, f"{SPACED.requirement} leaks builder paths:\n" + "\n".join(result.leaks[:20])
    first, second = (build.wheel for build in result.builds)
    assert corpus.sha256(first) == corpus.sha256(second), "\n".join(result.differences)
