"""Where the build environment lives: the install roots of this interpreter's build deps.

A root is a directory holding an install scheme (``bin/``, ``lib/pythonX.Y/site-packages``):
a venv's prefix (uv, pypa/build, a user's venv) or one of pip's ``overlay``/``normal``
prefixes. Roots are what moves when a frontend creates a new random build environment.
"""

from __future__ import annotations

import os
import re
import sys
from typing import Callable, Iterable, NamedTuple, Sequence

_SITE_PACKAGES = re.compile(r"^(?P<root>.+?)[/\\](?:lib(?:64)?[/\\]python[^/\\]*|Lib)[/\\]site-packages[/\\]?$")

#: Random build environments of known frontends: (pattern whose group "root" is the root).
_KNOWN_ENVIRONMENTS = (
    re.compile(r"^(?P<root>.*[/\\]pip-build-env-[^/\\]+[/\\](?:overlay|normal))(?=[/\\]|$)"),  # pip
    re.compile(r"^(?P<root>.*[/\\]builds-v\d+[/\\]\.tmp[^/\\]+)(?=[/\\]|$)"),  # uv
    re.compile(r"^(?P<root>.*[/\\]build-env-[^/\\]+)(?=[/\\]|$)"),  # pypa/build
)
#: Any environment: a scheme directory below the root.
_ANY_ENVIRONMENT = (
    re.compile(r"^(?P<root>.+?)[/\\](?:bin|Scripts)[/\\][^/\\]+$"),
    re.compile(r"^(?P<root>.+?)[/\\](?:lib(?:64)?[/\\]python\d[^/\\]*|Lib)[/\\]site-packages(?=[/\\]|$)"),
)


class Environment(NamedTuple):
    """The build environment of this hook call, by location."""

    #: Install roots, most specific first; empty when building in the base interpreter.
    roots: tuple[str, ...]
    #: The interpreter running the hook (what ``Python_EXECUTABLE`` should be).
    executable: str


def roots_from(prefix: str, base_prefix: str, path: Sequence[str]) -> tuple[str, ...]:
    """Install roots of a build environment, given ``sys.prefix``/``sys.base_prefix``/``sys.path``.

    Roots whose site-packages is on ``path`` come first, in path order (pip's
    overlay before its normal prefix); a venv prefix that is not on ``path``
    (pip running from a venv, with isolation) comes last.
    """
    roots: list[str] = []
    seen = {os.path.normcase(base_prefix)}
    for entry in path:
        match = _SITE_PACKAGES.match(entry or "")
        if match and os.path.normcase(match.group("root")) not in seen:
            seen.add(os.path.normcase(match.group("root")))
            roots.append(match.group("root"))
    if os.path.normcase(prefix) not in seen:
        roots.append(prefix)
    return tuple(roots)


def current() -> Environment:
    return Environment(roots=roots_from(sys.prefix, sys.base_prefix, sys.path), executable=sys.executable)


def infer_roots(paths: Iterable[str], exists: Callable[[str], bool] = os.path.exists) -> list[str]:
    """Roots of vanished build environments that ``paths`` point into.

    Frontends' random environments are recognised by name; any other root is
    accepted only when the root directory itself no longer exists.
    """
    found: list[str] = []
    for path in paths:
        if exists(path):
            continue
        root = _known_root(path)
        if root is None:
            for pattern in _ANY_ENVIRONMENT:
                match = pattern.match(path)
                if match and not exists(match.group("root")):
                    root = match.group("root")
                    break
        if root is not None and root not in found:
            found.append(root)
    return found


def _known_root(path: str) -> str | None:
    for pattern in _KNOWN_ENVIRONMENTS:
        match = pattern.match(path)
        if match:
            return match.group("root")
    return None
