"""Choose SOURCE_DATE_EPOCH when the user has not: a documented, deterministic source."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Mapping

from .errors import RemapError

#: 1980-01-01T00:00:00Z, the earliest time a zip entry can carry.
DEFAULT_EPOCH = 315532800


def choose_epoch(source_dir: Path, environ: Mapping[str, str]) -> tuple[int, str]:
    """Return (epoch, where it came from).

    Order: an explicit ``SOURCE_DATE_EPOCH``; the last git commit of a checkout;
    the mtime of an sdist's ``PKG-INFO`` (normalized sdists carry the epoch
    they were made with, so a wheel built from one agrees with one built from
    the tree); else :data:`DEFAULT_EPOCH`.
    """
    given = environ.get("SOURCE_DATE_EPOCH")
    if given is not None and given.strip():
        try:
            return int(given.strip()), "SOURCE_DATE_EPOCH"
        except ValueError:
            raise RemapError(
                f"SOURCE_DATE_EPOCH={given!r} is not an integer; set it to seconds since 1970 or unset it"
            ) from None
    commit_time = _git_commit_time(source_dir)
    if commit_time is not None:
        return commit_time, "last git commit"
    pkg_info = source_dir / "PKG-INFO"
    if pkg_info.is_file():
        return int(pkg_info.stat().st_mtime), "sdist PKG-INFO mtime"
    return DEFAULT_EPOCH, "default (1980-01-01)"


def _git_commit_time(source_dir: Path) -> int | None:
    if not any((parent / ".git").exists() for parent in (source_dir, *source_dir.parents)):
        return None
    try:
        done = subprocess.run(
            ["git", "-C", str(source_dir), "log", "-1", "--format=%ct"],
            capture_output=True, text=True, timeout=30, check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = done.stdout.strip()
    return int(text) if done.returncode == 0 and text.isdigit() else None
