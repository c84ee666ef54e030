"""SOURCE_DATE_EPOCH choice and backend loading rules."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from remap_backend.epoch import DEFAULT_EPOCH, choose_epoch
from remap_backend.errors import RemapError
from remap_backend.loader import resolve_backend_path


def test_explicit_epoch_wins(tmp_path: Path) -> None:
    assert choose_epoch(tmp_path, {"SOURCE_DATE_EPOCH": "0"}) == (0, "SOURCE_DATE_EPOCH")


def test_bad_epoch_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RemapError, match="is not an integer"):
        choose_epoch(tmp_path, {"SOURCE_DATE_EPOCH": "yesterday"})


def test_git_commit_time_then_pkg_info_then_default(tmp_path: Path) -> None:
    assert choose_epoch(tmp_path, {}) == (DEFAULT_EPOCH, "default (1980-01-01)")
    (tmp_path / "PKG-INFO").write_text("Metadata-Version: 2.1\n")
    os.utime(tmp_path / "PKG-INFO", (1_600_000_000, 1_600_000_000))
    assert choose_epoch(tmp_path, {})[0] == 1_600_000_000
    env = {**os.environ, "GIT_AUTHOR_DATE": "@1700000000 +0000", "GIT_COMMITTER_DATE": "@1700000000 +0000",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@e"}
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "commit", "-qm", "x"], check=True, env=env)
    assert choose_epoch(tmp_path, {}) == (1_700_000_000, "last git commit")


def test_backend_path_rules(tmp_path: Path) -> None:
    (tmp_path / "inner").mkdir()
    assert resolve_backend_path(tmp_path, ("inner", ".")) == [str((tmp_path / "inner").resolve()), str(tmp_path.resolve())]
    with pytest.raises(RemapError, match="outside the source tree"):
        resolve_backend_path(tmp_path, ("inner/../..",))
    with pytest.raises(RemapError, match="is absolute"):
        resolve_backend_path(tmp_path, (str(tmp_path),))
