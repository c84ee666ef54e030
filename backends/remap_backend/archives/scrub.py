"""Which wheel members are text, and their bytes with this build's varying paths replaced.

Build-info files (``_build_config.py`` with ``sys.executable`` and the build
directory, a ``.pc`` file or a CMake config naming the prefix it was built in)
carry paths no compiler flag reaches. The normalizer hands each text member
to :func:`scrubbed`, which replaces every varying path of the build by its
placeholder (``/tmp/build-env-x/bin/python`` -> ``/remap/env/bin/python``),
longest first and only at path boundaries (see :mod:`remap_backend.varying`).

A member is text when its name says so and its content agrees:

* the name ends in one of :data:`TEXT_SUFFIXES`, or lies in ``*.dist-info/``
  (METADATA, WHEEL, entry_points.txt, licenses; RECORD is regenerated
  anyway), or its last component has no suffix at all (scripts, ``py.typed``);
* and the content decodes as UTF-8 and holds no NUL byte.

Everything else (``.so``, ``.pyc``, images, data files, a ``.txt`` that is
not UTF-8) is binary and never edited: the leak guard reports what it holds.
"""

from __future__ import annotations

import posixpath
from typing import Optional

from ..remap.varying import Matcher

TEXT_SUFFIXES = frozenset({
    ".py", ".pyi", ".pyx", ".pxd", ".pxi", ".pth", ".txt", ".json", ".cfg", ".ini", ".toml", ".pc",
    ".cmake", ".h", ".hpp", ".hh", ".hxx", ".c", ".cc", ".cpp", ".cxx", ".md", ".rst", ".csv",
    ".yaml", ".yml", ".sh",
})
#: Members under *.dist-info/ that must stay byte-exact (RECORD is rewritten from the content; signatures).
_UNTOUCHABLE = frozenset({"RECORD", "RECORD.jws", "RECORD.p7s"})


def is_text_name(name: str) -> bool:
    """Whether a member's name makes it a text candidate (its content is checked by :func:`is_text`)."""
    top, _, rest = name.partition("/")
    base = posixpath.basename(name)
    if top.endswith(".dist-info") and rest:
        return rest not in _UNTOUCHABLE
    suffix = posixpath.splitext(base)[1].lower()
    return suffix in TEXT_SUFFIXES or (not suffix and not base.startswith("."))


def is_text(content: bytes) -> bool:
    """UTF-8 without NUL: what a text member must be before we edit it."""
    if b"\0" in content:
        return False
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def scrubbed(name: str, content: bytes, matcher: Matcher) -> Optional[bytes]:
    """The member's new bytes, or None when it is not text or names no varying path."""
    if not matcher or not is_text_name(name) or not is_text(content):
        return None
    result = matcher.replace(content)
    return result if result != content else None
