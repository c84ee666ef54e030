"""Deterministic archives: wheels, sdists and .pyc files whose bytes depend only on content.

Entry points:

* :func:`normalize_artifact` — what the proxy calls on the wheel or sdist a
  wrapped backend just built (rewrites it in place, atomically);
* :func:`normalize_path` — what ``remap-backend normalize`` calls on a wheel,
  an sdist, a .pyc file or a directory tree of .pyc files (``check=True``
  reports without writing).

Bad input raises :class:`~remap_backend.errors.RemapError` before anything is
written; see ``docs/archives.md`` for the guarantees and limits.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import List, NamedTuple, Optional, TYPE_CHECKING, Tuple

from ..epoch import DEFAULT_EPOCH
from ..errors import RemapError
from .safety import Limits
from .wheel import Observer, normalize_wheel

if TYPE_CHECKING:
    from ..remap.varying import Matcher

# DEFAULT_EPOCH (1980-01-01T00:00:00Z, the earliest instant a zip entry can
# carry) is used when SOURCE_DATE_EPOCH is unset; one definition, in epoch.py.

SDIST_SUFFIXES = (".tar.gz", ".tgz")

__all__ = [
    "DEFAULT_EPOCH", "Change", "Limits", "kind_of", "normalize_artifact", "normalize_path", "target_of",
]


class Change(NamedTuple):
    """One file that was (or, with ``check``, would be) rewritten, and why."""

    path: Path
    reasons: Tuple[str, ...]


def kind_of(path: Path) -> Optional[str]:
    """'wheel', 'sdist', 'pyc' or 'tree' — what ``normalize_path`` will do with ``path``.

    The name decides: a directory named ``x.whl`` is a (bad) wheel, not a tree.
    """
    name = path.name.lower()
    if name.endswith(".whl"):
        return "wheel"
    if name.endswith(SDIST_SUFFIXES):
        return "sdist"
    if name.endswith(".pyc"):
        return "pyc"
    if path.is_dir():
        return "tree"
    return None


_FILE_TYPES = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
               (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def target_of(path: Path) -> Tuple[Path, str]:
    """The file ``normalize_path`` will rewrite for ``path``, and its kind; RemapError if none.

    A symlink is followed: the file it points to is rewritten and the link
    stays a link. Anything but a regular file (a FIFO would block the read
    forever, a device never ends) is refused before a temp file exists.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise RemapError(f"{path} does not exist; give a wheel, an sdist, a .pyc file or a directory") from None
    kind = kind_of(path)
    if kind is None:
        raise RemapError(
            f"{path}: not a wheel (.whl), sdist (.tar.gz), .pyc file or directory; give one of those"
        )
    if kind == "tree":
        return path, kind
    if not stat.S_ISREG(info.st_mode):
        what = next((label for test, label in _FILE_TYPES if test(info.st_mode)), "not a regular file")
        raise RemapError(f"{path}: is {what}, not a {kind} file; give the file itself")
    return Path(os.path.realpath(path)), kind


def normalize_artifact(
    path: Path, epoch: Optional[int], scrub: Optional["Matcher"] = None, observe: Optional[Observer] = None,
) -> bool:
    """Normalize a freshly built wheel or sdist in place; return whether it changed.

    ``epoch`` is SOURCE_DATE_EPOCH (None: :data:`DEFAULT_EPOCH`). Other file
    types are left alone (False): a backend may produce archives we do not know.
    For wheels, ``scrub`` replaces the build's paths in text members and
    ``observe`` sees each member's final content (sdists: neither, see docs/archives.md).
    The rewrite is atomic but not flushed to disk: the backend wrote the archive
    without a flush too, and a power cut loses the build either way.
    """
    path = Path(path)
    kind = kind_of(path)
    if kind not in ("wheel", "sdist"):
        return False
    return bool(normalize_path(path, epoch, scrub=scrub, observe=observe, durable=False))


def normalize_path(
    path: Path, epoch: Optional[int], check: bool = False, recompress: bool = False,
    limits: Optional[Limits] = None, allow_unlisted: bool = False,
    scrub: Optional["Matcher"] = None, observe: Optional[Observer] = None, durable: bool = True,
) -> List[Change]:
    """Normalize ``path`` (wheel, sdist, .pyc, or a directory of .pyc files).

    Returns the files that changed (with ``check``: would change). Raises
    RemapError for input it cannot handle, before writing anything.
    ``recompress`` and ``allow_unlisted`` only affect wheels (see ``wheel.py``).
    ``durable`` flushes a rewritten archive to disk before it replaces the original.
    """
    given = Path(path)
    when = DEFAULT_EPOCH if epoch is None else int(epoch)
    path, kind = target_of(given)
    if kind == "tree":
        from .pyc_tree import normalize_pyc_tree

        return [Change(p, r) for p, r in normalize_pyc_tree(path, check)]
    if kind == "wheel":
        reasons = normalize_wheel(path, when, check=check, recompress=recompress, limits=limits,
                                  allow_unlisted=allow_unlisted, scrub=scrub, observe=observe, durable=durable)
    elif kind == "sdist":  # each kind's module loads when one is met: a wheel build needs only its own
        from .sdist import normalize_sdist

        reasons = normalize_sdist(path, when, check=check, limits=limits, durable=durable)
    else:
        from .pyc_tree import normalize_pyc_file

        reasons = normalize_pyc_file(path, check)
    return [Change(given, tuple(reasons))] if reasons else []
