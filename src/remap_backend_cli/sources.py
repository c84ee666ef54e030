"""Turn a TARGET (source directory, sdist file, or ``name==version``) into a source tree.

Sdists are unpacked to a stable location, ``<tmp>/remap-build/<name>-<version>``,
so that building the same sdist twice compiles in the same directory even
before the proxy's path maps apply. Requirements are fetched from the
index's simple API (``index.py``), which never runs a backend.
"""

from __future__ import annotations

import os
import re
import shutil
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import RemapError

if TYPE_CHECKING:
    from .progress import Reporter

SDIST_SUFFIXES = (".tar.gz", ".tgz", ".zip", ".tar.bz2", ".tar.xz")
_SDIST_NAME = re.compile(r"^(?P<stem>.+?)(\.tar\.gz|\.tgz|\.zip|\.tar\.bz2|\.tar\.xz)$", re.IGNORECASE)
#: Build leftovers that never belong in a copy of a source tree.
COPY_IGNORE = ("build", "dist", "target", "*.egg-info", "__pycache__", ".remap-backend", ".tox", ".nox", ".venv")


@dataclass(frozen=True)
class Target:
    """What the user asked to build."""

    kind: str  # "dir", "sdist" or "requirement"
    path: Path  # the source directory or sdist file (after download)
    label: str  # how to name it in messages: "markupsafe-3.0.2", "examples/setuptools-c"


def classify_target(text: str) -> str:
    """'dir', 'sdist' or 'requirement', from the TARGET string alone."""
    path = Path(text)
    if path.is_dir():
        return "dir"
    if path.is_file():
        if text.lower().endswith(SDIST_SUFFIXES):
            return "sdist"
        raise RemapError(f"{text} is a file but not an sdist (.tar.gz or .zip); give an sdist, a directory or name==version")
    if os.sep in text or text.lower().endswith(SDIST_SUFFIXES):
        raise RemapError(f"{text} does not exist; give an existing sdist, source directory, or a requirement like name==1.0")
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        Requirement(text)
    except InvalidRequirement:
        raise RemapError(f"{text!r} is neither an existing path nor a requirement; write it like markupsafe==3.0.2") from None
    return "requirement"


def resolve(text: str, download_dir: Path) -> Target:
    """Find or fetch the TARGET (fetching runs no command, see ``index``)."""
    kind = classify_target(text)
    if kind == "dir":
        path = Path(text).resolve()
        if not (path / "pyproject.toml").is_file() and not (path / "setup.py").is_file():
            raise RemapError(f"{text} has no pyproject.toml or setup.py; point to the project's top directory")
        return Target("dir", path, text)
    if kind == "sdist":
        path = Path(text).resolve()
        return Target("sdist", path, sdist_stem(path))
    from . import index

    return Target("requirement", index.fetch_sdist(text, download_dir), text)


def fetch_target(text: str, reporter: "Reporter") -> Target:
    """:func:`resolve` with a download (one per requirement, in the user cache) shown as a step."""
    from .proxywheel import cache_root

    download_dir = cache_root() / "sdists" / download_key(text)
    if classify_target(text) == "requirement":
        with reporter.step(f"downloading the sdist of {text}"):
            return resolve(text, download_dir)
    return resolve(text, download_dir)


def download_key(requirement: str) -> str:
    """A directory name per requirement, so each download dir holds one project's sdist."""
    return re.sub(r"[^A-Za-z0-9._=~<>!-]+", "_", requirement.strip()) or "_"


def sdist_stem(sdist: Path) -> str:
    """``markupsafe-3.0.2`` for ``markupsafe-3.0.2.tar.gz``."""
    match = _SDIST_NAME.match(sdist.name)
    if not match:
        raise RemapError(f"{sdist.name} is not named like an sdist (name-version.tar.gz)")
    return match.group("stem")


def stable_unpack_root() -> Path:
    """Where ``build`` unpacks sdists: the same path on every run of this user."""
    return Path(tempfile.gettempdir()) / "remap-build"


def unpack_sdist(sdist: Path, parent: Path) -> Path:
    """Unpack into ``parent/<name>-<version>`` (replacing an old copy) and return that directory."""
    target = parent / sdist_stem(sdist)
    if target.exists():
        shutil.rmtree(target)
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".unpack-", dir=parent))
    try:
        _extract(sdist, staging)
        tops = [p for p in staging.iterdir()]
        if len(tops) != 1 or not tops[0].is_dir():
            raise RemapError(f"{sdist.name} does not hold a single top directory; it is not a valid sdist")
        os.replace(tops[0], target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if not (target / "pyproject.toml").is_file() and not (target / "setup.py").is_file():
        raise RemapError(f"{sdist.name} has no pyproject.toml or setup.py at its top; it is not a buildable sdist")
    return target


def _extract(archive_path: Path, destination: Path) -> None:
    try:
        if archive_path.name.lower().endswith(".zip"):
            with zipfile.ZipFile(archive_path) as archive:
                for name in archive.namelist():
                    if name.startswith("/") or ".." in Path(name).parts:
                        raise RemapError(f"{archive_path.name} contains an unsafe path {name!r}; refusing to unpack")
                archive.extractall(destination)
            return
        with tarfile.open(archive_path) as archive:
            data_filter = getattr(tarfile, "data_filter", None)
            if data_filter is not None:
                archive.extractall(destination, filter=data_filter)
            else:
                for member in archive.getmembers():
                    if member.name.startswith("/") or ".." in Path(member.name).parts or member.islnk() or member.isdev():
                        raise RemapError(f"{archive_path.name} contains an unsafe member {member.name!r}; refusing to unpack")
                archive.extractall(destination)
    except (tarfile.TarError, zipfile.BadZipFile, EOFError) as exc:
        raise RemapError(f"{archive_path} is not a readable sdist ({exc}); download it again") from None


def copy_tree(source: Path, destination: Path) -> Path:
    """Copy a source directory without build leftovers (for builds in varied places).

    Leftovers are skipped at the top level only, so a package that happens to
    be called ``build`` deeper in the tree is kept; ``__pycache__`` goes everywhere.
    """
    top_level = shutil.ignore_patterns(*COPY_IGNORE)
    top = os.path.abspath(source)

    def ignore(directory: str, names: list[str]) -> set[str]:
        if os.path.abspath(directory) == top:
            return set(top_level(directory, names))
        return {name for name in names if name == "__pycache__"}

    shutil.copytree(source, destination, symlinks=True, ignore=ignore)
    return destination
