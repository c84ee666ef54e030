"""SOURCE_DATE_EPOCH choice and backend loading rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from remap_backend.epoch import DEFAULT_EPOCH, epoch_from
from remap_backend.errors import RemapError
from remap_backend.hooks.loader import resolve_backend_path


def test_explicit_epoch_wins() -> None:
    assert epoch_from({"SOURCE_DATE_EPOCH": "0"}) == (0, "SOURCE_DATE_EPOCH")
    assert epoch_from({"SOURCE_DATE_EPOCH": "0"}, given=7) == (7, "command line")


def test_default_is_the_zip_epoch() -> None:
    assert epoch_from({})[0] == DEFAULT_EPOCH == 315532800
    assert epoch_from({"SOURCE_DATE_EPOCH": "  "})[0] == DEFAULT_EPOCH


def test_bad_epoch_is_a_clear_error() -> None:
    with pytest.raises(RemapError, match="is not an integer"):
        epoch_from({"SOURCE_DATE_EPOCH": "yesterday"})


def test_backend_path_rules(tmp_path: Path) -> None:
    (tmp_path / "inner").mkdir()
    assert resolve_backend_path(tmp_path, ("inner", ".")) == [str((tmp_path / "inner").resolve()), str(tmp_path.resolve())]
    with pytest.raises(RemapError, match="outside the source tree"):
        resolve_backend_path(tmp_path, ("inner/../..",))
    with pytest.raises(RemapError, match="is absolute"):
        resolve_backend_path(tmp_path, (str(tmp_path),))
