"""The per-user cache: facts about tools that are slow to learn and change only when the tool does.

A compiler probe costs a compiler start (about 15 ms) in every build; the
answer depends only on the compiler's files, so it is remembered here, keyed
by each resolved executable's real path, size and modification time (the
test ccache's ``compiler_check = mtime`` makes). The command line keeps its
proxy wheels under the same root. Everything here is best effort: an
unreadable, corrupt or read-only cache means the fact is learnt again, never
a failed build.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any, Mapping, Sequence

from .atomic import atomic_write_bytes

#: A new layout of a memo file must not read entries written the old way.
FORMAT = 1
#: Oldest entries go first beyond this many, so a machine with many compilers keeps a small file.
MAX_ENTRIES = 256


def root(environ: Mapping[str, str]) -> Path:
    """``$REMAP_BACKEND_CACHE``, else ``$XDG_CACHE_HOME/remap-backend``, else ``~/.cache/remap-backend``."""
    if environ.get("REMAP_BACKEND_CACHE"):
        return Path(environ["REMAP_BACKEND_CACHE"])
    base = environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "remap-backend"


def tool_identity(command: Sequence[str], environ: Mapping[str, str]) -> list[Any] | None:
    """The command's words, each executable among them as (real path, size, mtime); None if none resolves.

    ``ccache gcc`` names two tools, and either changing must change the key.
    """
    identity: list[Any] = []
    resolved_any = False
    for word in command:
        found = shutil.which(word, path=environ.get("PATH")) if not word.startswith("-") else None
        if found is None:
            identity.append(word)
            continue
        real = os.path.realpath(found)
        try:
            status = os.stat(real)
        except OSError:
            return None
        identity.append([word, real, status.st_size, status.st_mtime_ns])
        resolved_any = True
    return identity if resolved_any else None


class Memo:
    """One JSON file of ``key -> value`` under :func:`root`, read once and written atomically."""

    def __init__(self, name: str, environ: Mapping[str, str]) -> None:
        self.path = root(environ) / f"{name}.json"
        self._entries: dict[str, Any] | None = None

    def _load(self) -> dict[str, Any]:
        if self._entries is None:
            try:
                data = json.loads(self.path.read_bytes())
                entries = data["entries"] if data.get("format") == FORMAT else {}
                self._entries = entries if isinstance(entries, dict) else {}
            except (OSError, ValueError, TypeError, KeyError, AttributeError):
                self._entries = {}
        return self._entries

    @staticmethod
    def key(parts: Any) -> str:
        return json.dumps(parts, sort_keys=True, separators=(",", ":"))

    def get(self, key: str) -> Any:
        return self._load().get(key)

    def put(self, key: str, value: Any) -> None:
        """Remember ``value``; concurrent writers each leave a whole file (the last one wins)."""
        entries = self._load()
        entries.pop(key, None)
        entries[key] = value
        while len(entries) > MAX_ENTRIES:
            entries.pop(next(iter(entries)))
        payload = json.dumps({"format": FORMAT, "entries": entries}, sort_keys=False).encode()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(self.path, payload, durable=False)
        except OSError:
            pass  # a read-only home: probe again next time
