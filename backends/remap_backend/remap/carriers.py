"""Which path each carrier of the maps can hold, and how to quote a flag for it.

A map reaches the compiler through text that its consumer splits into
arguments in its own way, and through the option syntax itself:

=================  ==========================================  ==============================
carrier            consumer splits with                        cannot hold
=================  ==========================================  ==============================
``SPLIT_QUOTED``   distutils ``split_quoted`` (setuptools)     (anything; backslash-escaped)
``MESON``          ``shlex.split`` (meson's env flags), then   newline, CR (ninja rules)
                   ninja; ``-D`` arrays: ``ast.literal_eval``
``CMAKE_FLAGS``    CMake copies ``CFLAGS`` verbatim into its   ``$``, newline, CR
                   rules, run by ``sh``
``GENERIC``        CMake, meson, make, ``split_quoted``        ``$``, newline, CR, ``\\``
                   (``shlex.quote``; autotools' configure      before a quote or at the end
                   fails loudly on a quoted word)
``CMAKE_LIST``     a CMake list in the include script          ``;``, ``[``, ``]``, ``$<``,
                                                               newline, CR
``WHITESPACE``     whitespace (``RUSTFLAGS``, cargo's env      whitespace
                   config, nvcc, the ``cc`` crate by default)
``ENCODED``        ``\\x1f`` (``CARGO_ENCODED_RUSTFLAGS``)     ``\\x1f``
=================  ==========================================  ==============================

and the options: GCC splits ``-ffile-prefix-map=OLD=NEW`` at the last ``=``
(GCC 12; older GCC and clang at the first), so no ``=`` on either side;
rustc splits ``--remap-path-prefix`` at the last ``=``, so none in the target.

A map a carrier cannot hold raises :class:`UnmappedPath` (one line naming the
path and the fix) instead of giving a different wheel; ``remap.allow-unmapped
= true`` turns that into a warning and leaves the path unmapped.
"""

from __future__ import annotations

import re
import shlex
import string
from typing import Callable, Iterable, NamedTuple

from ..errors import RemapError
from .pathmap import PathMap


class UnmappedPath(RemapError):
    """A varying path that one carrier cannot hold: the build would differ silently."""

    def __init__(self, path: str, carrier: str, reason: str) -> None:
        self.path, self.carrier, self.reason = path, carrier, reason
        #: The problem without the fix, for the warning under ``remap.allow-unmapped``.
        self.problem = f"cannot map {path!r} for {carrier}: {reason}"
        super().__init__(
            f"{self.problem}; build from a directory without such characters, "
            "or set remap.allow-unmapped = true to build with it unmapped"
        )


def _unsafe(characters: str, what: str) -> Callable[[str], str | None]:
    def refusal(text: str) -> str | None:
        bad = sorted(set(text) & set(characters))
        return f"{what} cannot hold {' '.join(repr(c) for c in bad)}" if bad else None

    return refusal


def _backslash_escaped(word: str) -> str:
    """For ``split_quoted``: a backslash keeps the next character literal, quotes and whitespace too."""
    return re.sub(r"([\\'\"" + re.escape(string.whitespace) + "])", r"\\\1", word)


def _cmake_list_refusal(text: str) -> str | None:
    found = [c for c in (";", "[", "]", "\n", "\r") if c in text]
    if "$<" in text:
        found.append("$<")
    if text.endswith("\\"):
        found.append("a trailing '\\'")
    return f"a CMake list cannot hold {' '.join(repr(c) for c in found)}" if found else None


class Carrier(NamedTuple):
    """How one kind of variable or option value is split by whoever reads it."""

    name: str
    #: A word as written into the carrier, so its consumer reads it back exactly.
    quote: Callable[[str], str]
    #: Why the carrier cannot hold this text, or None.
    refusal: Callable[[str], str | None]


SPLIT_QUOTED = Carrier("CPPFLAGS (setuptools splits it with split_quoted)", _backslash_escaped, lambda _: None)
MESON = Carrier("meson's CFLAGS/-D<lang>_args", shlex.quote, _unsafe("\n\r", "ninja (meson's rules)"))
CMAKE_FLAGS = Carrier(
    "CFLAGS/CXXFLAGS read by CMake", shlex.quote,
    _unsafe("$\n\r", "CMake (it copies CFLAGS into its rules unescaped)"),
)
def _generic_refusal(text: str) -> str | None:
    """What CMake, meson or distutils' ``split_quoted`` would read differently from ``sh``."""
    bad = sorted(set(text) & set("$\n\r"))
    if "\\'" in text or text.endswith("\\"):
        bad.append("'\\' before a quote or at the end")
    if not bad:
        return None
    return (f"it cannot hold {' '.join(repr(c) if len(c) == 1 else c for c in bad)} (CMake copies CFLAGS into "
            "its rules unescaped, ninja takes no newline, split_quoted no backslash before a quote)")


GENERIC = Carrier("CFLAGS/CXXFLAGS (read by CMake, meson, make or split_quoted)", shlex.quote, _generic_refusal)
CMAKE_LIST = Carrier("the CMake path-map script", lambda word: word, _cmake_list_refusal)
WHITESPACE = Carrier("a whitespace-split flags variable", lambda word: word,
                     lambda text: "it cannot hold whitespace" if any(c.isspace() for c in text) else None)
ENCODED = Carrier("CARGO_ENCODED_RUSTFLAGS", lambda word: word, _unsafe("\x1f", "its separator"))


def c_option_refusal(path_map: PathMap) -> str | None:
    """GCC and clang disagree on which ``=`` of ``-ffile-prefix-map=OLD=NEW`` separates."""
    if "=" in path_map.source or "=" in path_map.target:
        return "GCC splits -ffile-prefix-map at the last '=' and clang at the first, so neither side may hold '='"
    return None


def preprocessor_option_refusal(path_map: PathMap) -> str | None:
    """``-Wp,OPTION`` is split at every comma, so neither side of the map may hold one."""
    if "," in path_map.source or "," in path_map.target:
        return "-Wp, (the spelling sccache leaves out of its key) splits at every ',', so neither side may hold ','"
    return c_option_refusal(path_map)


def rustc_option_refusal(path_map: PathMap) -> str | None:
    if "=" in path_map.target:
        return "rustc splits --remap-path-prefix at the last '=', so the target cannot hold '='"
    return None


def check(
    maps: Iterable[PathMap],
    carrier: Carrier,
    option_refusal: Callable[[PathMap], str | None] = c_option_refusal,
) -> None:
    """Raise :class:`UnmappedPath` for the first map the option syntax or ``carrier`` cannot hold."""
    for path_map in maps:
        reason = option_refusal(path_map)
        if reason:
            raise UnmappedPath(path_map.source, "rustc" if option_refusal is rustc_option_refusal
                               else "the compiler option", reason)
        for text in (path_map.source, path_map.target):
            reason = carrier.refusal(text)
            if reason:
                raise UnmappedPath(path_map.source, carrier.name, reason)


def quoted(words: Iterable[str], carrier: Carrier) -> list[str]:
    return [carrier.quote(word) for word in words]
