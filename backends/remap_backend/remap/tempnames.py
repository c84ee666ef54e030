"""The same temporary names on every build, for Python code that runs in the hook's process.

An in-tree backend (aio-libs' ``packaging/pep517_backend``) copies the project
into ``tempfile.TemporaryDirectory(prefix=".tmp-<name>-pep517-")`` and builds
there, so the wheel's ``__FILE__`` strings and DWARF name
``/remap/tmp/.tmp-<name>-pep517-XXXXXXXX/...`` with a new ``XXXXXXXX`` each time.
Around a compiling hook the proxy therefore

* creates a private directory (new, empty, mode 0700) in the user's
  temporary directory and maps it to ``/remap/tmp``; it is more specific
  than the map of the temporary directory itself, so it wins. Its name is
  the same for every build of one source tree (``remap-backend-tmp-<uid>-<hash
  of the tree's path>``), so the map flag does not change the compile lines
  of a persistent build directory (CMake and meson would recompile
  everything); a lock beside it keeps a second build of that tree out, which
  then takes a random ``mkdtemp`` one instead, as does a tree whose stable
  directory belongs to someone else;
* makes it the default directory of ``tempfile`` (``tempfile.tempdir``) for
  the hook, so nothing left there by another build can take a name, and two
  builds at once never share one. ``TMPDIR`` in the environment stays the
  user's: a daemon the build starts (an sccache server) outlives the hook and
  would keep a removed directory, and programs gain nothing from it, since
  the user's temporary directory is mapped to ``/remap/tmp`` too;
* installs :class:`SeededNames` as ``tempfile``'s candidate-name sequence, so
  the n-th name asked for is the same on every build.

Predictable names are no symlink-race hole here: ``mkdtemp``, ``mkstemp`` and
``NamedTemporaryFile`` still create with ``mkdir``/``O_CREAT | O_EXCL`` and try
the next name when one exists, and inside a fresh 0700 directory nobody else
can have placed anything. (``tempfile.mktemp`` was never safe and is not
made worse.) Everything is restored after the hook, and the private
directory removed. Only ``build_wheel`` is covered: an editable install may
refer to what its backend leaves in a temporary directory.

What stays random (docs/remapping.md): programs started by the hook draw
their own names (a compiler driver's temporary files, ``mktemp`` in a shell
script, another Python process); they land in the user's temporary
directory, which is mapped, so only their random component remains. Names drawn by several
threads at once are unique but may go to the threads in any order.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

from .. import log

#: tempfile's own alphabet and length, so the names look like the ones code expects.
CHARACTERS = "abcdefghijklmnopqrstuvwxyz0123456789_"
NAME_LENGTH = 8
#: The private directory's prefix (its own name is random: it is mapped).
PRIVATE_PREFIX = "remap-backend-tmp-"
#: Hooks whose temporary names are made deterministic.
HOOKS = frozenset({"build_wheel"})


def candidate_name(seed: str, index: int) -> str:
    """The ``index``-th name of the sequence ``seed``: a pure function, the same in every Python."""
    digest = hashlib.sha256(f"{seed}\0{index}".encode()).digest()
    return "".join(CHARACTERS[byte % len(CHARACTERS)] for byte in digest[:NAME_LENGTH])


def child_seed(seed: str, fork: int) -> str:
    """The sequence of the ``fork``-th child forked from sequence ``seed`` (siblings differ)."""
    return f"{seed}/fork-{fork}"


class SeededNames:
    """An iterator like ``tempfile._RandomNameSequence`` whose n-th name depends on the seed only.

    ``next`` on an ``itertools.count`` is atomic, so threads never get the
    same index. A forked child continues with a sequence of its own, derived
    from the parent's seed and how many forks came before (os.register_at_fork),
    so parent and children do not draw the same names.
    """

    characters = CHARACTERS

    def __init__(self, seed: str) -> None:
        self.seed = seed
        self.forks = 0
        self._indices = itertools.count()

    def __iter__(self) -> SeededNames:
        return self

    def __next__(self) -> str:
        return candidate_name(self.seed, next(self._indices))

    def before_fork(self) -> None:
        self.forks += 1

    def after_fork_in_child(self) -> None:
        self.seed, self.forks, self._indices = child_seed(self.seed, self.forks), 0, itertools.count()


#: The sequence installed in tempfile now, if any (read by the fork handlers).
_active: SeededNames | None = None
_fork_handlers_registered = False


def _before_fork() -> None:
    if _active is not None:
        _active.before_fork()


def _after_fork_in_child() -> None:
    if _active is not None:
        _active.after_fork_in_child()


def _register_fork_handlers() -> None:
    """Once per process: handlers cannot be removed, so they act only while a sequence is installed."""
    global _fork_handlers_registered
    if not _fork_handlers_registered and hasattr(os, "register_at_fork"):
        os.register_at_fork(before=_before_fork, after_in_child=_after_fork_in_child)
        _fork_handlers_registered = True


@contextlib.contextmanager
def seeded_names(seed: str) -> Iterator[SeededNames]:
    """``tempfile`` draws candidate names from ``SeededNames(seed)``; its own sequence afterwards."""
    global _active
    if not hasattr(tempfile, "_name_sequence") or not hasattr(tempfile, "_get_candidate_names"):
        log.debug("this Python's tempfile has no _name_sequence: temporary names stay random")
        yield SeededNames(seed)
        return
    _register_fork_handlers()
    saved, saved_active = tempfile._name_sequence, _active  # type: ignore[attr-defined]
    names = SeededNames(seed)
    tempfile._name_sequence = _active = names  # type: ignore[attr-defined]
    try:
        yield names
    finally:
        tempfile._name_sequence, _active = saved, saved_active  # type: ignore[attr-defined]


@contextlib.contextmanager
def default_directory(directory: Path) -> Iterator[None]:
    """``directory`` is tempfile's default in this process (``TMPDIR`` stays: see the module docstring)."""
    saved = tempfile.tempdir
    tempfile.tempdir = str(directory)
    try:
        yield
    finally:
        tempfile.tempdir = saved


def stable_name(source_dir: Path) -> str:
    """The private directory's name for one source tree and user."""
    uid = os.getuid() if hasattr(os, "getuid") else 0
    return f"{PRIVATE_PREFIX}{uid}-{hashlib.sha256(str(source_dir).encode()).hexdigest()[:16]}"


def _claim(directory: Path) -> int | None:
    """Lock ``directory``'s lock file and make it anew, empty and ours; the lock's descriptor, or None."""
    try:
        import fcntl
    except ImportError:  # Windows: no flock; a random directory instead
        return None
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
    try:
        descriptor = os.open(f"{directory}.lock", flags, 0o600)
    except OSError:
        return None
    try:
        if os.fstat(descriptor).st_uid != os.getuid():
            raise OSError("the lock file belongs to another user")
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)  # busy: another build of this tree
        if os.path.lexists(directory):
            status = os.lstat(directory)
            if os.path.islink(directory) or not os.path.isdir(directory) or status.st_uid != os.getuid():
                raise OSError(f"{directory} is not a directory of ours")
            shutil.rmtree(directory)  # left by a build that was killed
        os.mkdir(directory, 0o700)
    except OSError:
        os.close(descriptor)
        return None
    return descriptor


@contextlib.contextmanager
def private_directory(hook: str, source_dir: Path) -> Iterator[Path | None]:
    """A new private directory for ``hook`` in :data:`HOOKS` (None for others), removed afterwards.

    Made before the build is planned, so that its path can be mapped.
    """
    if hook not in HOOKS:
        yield None
        return
    try:
        directory = Path(tempfile.gettempdir()) / stable_name(source_dir)
        descriptor = _claim(directory)
        if descriptor is None:
            directory = Path(tempfile.mkdtemp(prefix=PRIVATE_PREFIX))
    except OSError as exc:
        log.warn(f"cannot create a private temporary directory ({exc}); temporary names stay random. "
                 "Set TMPDIR to a writable directory")
        yield None
        return
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)
        if descriptor is not None:
            os.close(descriptor)  # releases the lock


@contextlib.contextmanager
def deterministic(directory: Path | None, hook: str) -> Iterator[None]:
    """Around the wrapped hook: temporary files go to ``directory``, with the same names every build."""
    if directory is None:
        yield
        return
    with default_directory(directory), seeded_names(f"remap-backend/{hook}"):
        yield
