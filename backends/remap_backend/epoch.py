"""Choose SOURCE_DATE_EPOCH when the user has not: a documented, fixed constant.

Candidates such as the last git commit or the mtime of an sdist's PKG-INFO
were rejected on purpose: uv unpacks sdists without their mtimes, and a wheel
built from a checkout would then differ from one built from its sdist. A
constant makes every frontend and every route (checkout, sdist) agree.
"""

from __future__ import annotations

from typing import Mapping

from .errors import RemapError

#: 1980-01-01T00:00:00Z, the earliest time a zip entry can carry.
DEFAULT_EPOCH = 315532800


def epoch_from(environ: Mapping[str, str], given: int | None = None) -> tuple[int, str]:
    """Return (epoch, where it came from): ``given``, else ``SOURCE_DATE_EPOCH``, else the default."""
    if given is not None:
        return int(given), "command line"
    text = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not text:
        return DEFAULT_EPOCH, "default (1980-01-01, SOURCE_DATE_EPOCH unset)"
    try:
        return int(text), "SOURCE_DATE_EPOCH"
    except ValueError:
        raise RemapError(
            f"SOURCE_DATE_EPOCH={text!r} is not an integer; set it to seconds since 1970 or unset it"
        ) from None
