"""``.remap-backend/state.json``: which environments built this tree, and with what fingerprint.

It lives in the source tree (so it follows the build directories it describes),
in the proxy's state directory (:mod:`..statedir`).
"""

from __future__ import annotations

import json
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping, NamedTuple

from .. import log
from .files import write_atomic

FORMAT = 1
#: How many earlier environments to remember (each may still be named by some cache).
REMEMBERED_ENVIRONMENTS = 8


class State(NamedTuple):
    #: Root sets of the environments that built here, most recent first.
    environments: tuple[tuple[str, ...], ...] = ()
    #: State directory (relative to the source tree when inside it) -> fingerprint of its last build.
    fingerprints: Mapping[str, Any] = MappingProxyType({})  # read-only: the default every State() shares

    def old_roots(self) -> tuple[str, ...]:
        return tuple(root for roots in self.environments for root in roots)

    def with_environment(self, roots: tuple[str, ...]) -> "State":
        if not roots:
            return self
        kept = [roots] + [old for old in self.environments if old != roots]
        return self._replace(environments=tuple(kept[:REMEMBERED_ENVIRONMENTS]))

    def with_fingerprints(self, updates: dict[str, Any]) -> "State":
        return self._replace(fingerprints={**self.fingerprints, **updates})

    def without_missing_dirs(self, source_dir: Path) -> "State":
        """Forget fingerprints of directories that are gone (deleted build dirs)."""
        kept = {key: value for key, value in self.fingerprints.items() if (source_dir / key).is_dir()}
        return self._replace(fingerprints=kept)


def load(directory: Path) -> State:
    path = directory / "state.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return State()
    except (OSError, ValueError) as exc:
        log.warn(f"ignoring unreadable {path} ({exc}); it is rewritten after this build")
        return State()
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        log.warn(f"ignoring {path}: not a state file of this remap-backend version")
        return State()
    environments = tuple(
        tuple(str(root) for root in roots)
        for roots in data.get("environments", [])
        if isinstance(roots, list)
    )
    fingerprints = data.get("fingerprints", {})
    return State(environments=environments, fingerprints=fingerprints if isinstance(fingerprints, dict) else {})


def save(directory: Path, state: State) -> None:
    data = {
        "format": FORMAT,
        "environments": [list(roots) for roots in state.environments],
        "fingerprints": dict(state.fingerprints),
    }
    try:
        write_atomic(directory / "state.json", json.dumps(data, indent=1, sort_keys=True) + "\n")
    except OSError as exc:
        log.warn(f"cannot record build state in {directory} ({exc.strerror}); the next build repairs without it")


def key_for(state_dir: Path, source_dir: Path) -> str:
    """A state directory's key: relative inside the tree (the tree may move), absolute outside."""
    resolved, source = state_dir.resolve(), source_dir.resolve()
    try:
        return resolved.relative_to(source).as_posix()
    except ValueError:
        return str(resolved)
