"""Take the builder's directories out of the run-time search paths a link command writes.

A Python built with ``--enable-shared`` (pyenv, some distributions) links
every extension with ``-Wl,-rpath,<its libdir>`` from its own ``LDSHARED``:
the linker writes that directory into ``DT_RUNPATH``, so the wheel names the
builder's home. An extension never needs it (the interpreter that imports it
has libpython loaded already). The entries are removed from the command
before the link, not from the ELF file afterwards: the linker lays out the
sections and computes the GNU build-id over the rpath string, so only a link
without it gives the same bytes on machines whose homes differ.

Pure functions, but for :func:`interpreter_config_vars`. A directory is *varying* when it lies under the source of
one of the build's path maps (interpreter prefix, build environment, source
tree, TMPDIR, home, ...). Relative (``$ORIGIN/../lib``) and other absolute
entries are the project's or the system's and stay.
"""

from __future__ import annotations

import os
import shlex
import sys
import sysconfig
from typing import Callable, Mapping, Sequence

from .pathmap import PathMap, is_under, normalized_source

#: Linker options whose next argument is a run-time search path.
_SEPARATE = ("-rpath", "--rpath", "-R")
#: Linker options that carry it after ``=``.
_JOINED = ("-rpath=", "--rpath=")


def is_varying(directory: str, maps: Sequence[PathMap]) -> bool:
    """True if ``directory`` is absolute and lies under (or is) one of the maps' sources."""
    if not os.path.isabs(directory):
        return False
    return any(normalized_source(m.source) != os.sep and is_under(directory, m.source) for m in maps)


def _kept_entries(value: str, maps: Sequence[PathMap]) -> str | None:
    """``value`` (a ``:``-separated search path) without its varying entries; None if none is left."""
    kept = [entry for entry in value.split(":") if not is_varying(entry, maps)]
    return ":".join(kept) if kept else None


def ldshared_without_varying_rpaths(
    command: str,
    maps: Sequence[PathMap],
    is_file: Callable[[str], bool] = os.path.isfile,
) -> str:
    """``command`` (an ``LDSHARED``-style link command) without rpath entries into varying directories.

    Understands ``-Wl,-rpath,DIR``, ``-Wl,-rpath=DIR``, ``-Wl,--rpath,DIR``,
    ``-Wl,-R,DIR``, ``-Wl,-RDIR``, a driver-level ``-RDIR``, the two-word
    ``-Wl,-rpath -Wl,DIR`` and ``-Xlinker -rpath -Xlinker DIR``, several
    options in one ``-Wl,`` word, and ``DIR1:DIR2`` lists (only the varying
    entries go). ``-R FILE`` naming an existing file is ld's ``--just-symbols``
    and stays. The command comes back unchanged, byte for byte, when there is
    nothing to remove.
    """
    try:
        words = shlex.split(command)
    except ValueError:
        return command
    # The linker's own arguments, in order, each with the word (and part) it came from.
    slots: list[tuple[int, int]] = []
    parts: dict[int, list[str | None]] = {}
    xlinker_values: set[int] = set()
    index = 0
    while index < len(words):
        word = words[index]
        if word.startswith("-Wl,"):
            parts[index] = list(word[4:].split(","))
            slots.extend((index, position) for position in range(len(parts[index])))
        elif word == "-Xlinker" and index + 1 < len(words):
            index += 1
            parts[index] = [words[index]]
            xlinker_values.add(index)
            slots.append((index, 0))
        index += 1

    def text(slot: tuple[int, int]) -> str | None:
        return parts[slot[0]][slot[1]]

    def replace(slot: tuple[int, int], value: str | None) -> None:
        parts[slot[0]][slot[1]] = value

    changed = False
    position = 0
    while position < len(slots):
        option, slot = text(slots[position]), slots[position]
        if option in _SEPARATE and position + 1 < len(slots):
            value_slot = slots[position + 1]
            value = text(value_slot) or ""
            if not (option == "-R" and is_file(value)):
                kept = _kept_entries(value, maps)
                if kept != value:
                    changed = True
                    replace(value_slot, kept)
                    if kept is None:
                        replace(slot, None)
            position += 2
            continue
        for prefix in (*_JOINED, "-R"):
            if option and option.startswith(prefix) and len(option) > len(prefix):
                value = option[len(prefix):]
                if prefix == "-R" and (not value.startswith("/") or is_file(value)):
                    break
                kept = _kept_entries(value, maps)
                if kept != value:
                    changed = True
                    replace(slot, None if kept is None else prefix + kept)
                break
        position += 1

    result: list[str] = []
    for index, word in enumerate(words):
        if index in parts:
            remaining = [part for part in parts[index] if part is not None]
            if index in xlinker_values:
                if remaining:
                    result.extend(["-Xlinker", remaining[0]])
            elif remaining:
                result.append("-Wl," + ",".join(remaining))
        elif word == "-Xlinker" and index + 1 in xlinker_values:
            continue  # written with its value above
        elif word.startswith("-R/") and not is_file(word[2:]):
            kept = _kept_entries(word[2:], maps)
            changed = changed or kept != word[2:]
            if kept is not None:
                result.append("-R" + kept)
        else:
            result.append(word)
    if not changed:
        return command
    return " ".join(shlex.quote(word) for word in result)


def setuptools_link_commands(config_vars: Mapping[str, object], environ: Mapping[str, str]) -> dict[str, str]:
    """``LDSHARED`` and ``LDCXXSHARED`` as setuptools takes them, before it appends the flag variables.

    setuptools' ``customize_compiler`` (``compilers/C/unix.py`` in its
    vendored distutils) starts from the interpreter's ``LDSHARED`` and, when
    ``$CC`` is set and ``$LDSHARED`` is not, replaces a leading config ``CC``
    with ``$CC``; an environment ``LDSHARED``/``LDCXXSHARED`` replaces the
    value. Only then it appends ``$LDFLAGS``, ``$CFLAGS`` (``$CXXFLAGS``)
    and ``$CPPFLAGS``, which it still does when the value came from the
    environment, so what is returned here is what may be put back there.
    """
    cc = str(config_vars.get("CC") or "")
    ldshared = str(config_vars.get("LDSHARED") or "")
    if "CC" in environ and "LDSHARED" not in environ and ldshared.startswith(cc):
        ldshared = environ["CC"] + ldshared[len(cc):]
    return {
        "LDSHARED": environ.get("LDSHARED", ldshared),
        "LDCXXSHARED": environ.get("LDCXXSHARED", str(config_vars.get("LDCXXSHARED") or "")),
    }


def setuptools_link_environment(
    config_vars: Mapping[str, object],
    environ: Mapping[str, str],
    maps: Sequence[PathMap],
    is_file: Callable[[str], bool] = os.path.isfile,
) -> dict[str, str]:
    """``{LDSHARED, LDCXXSHARED: setuptools' value minus varying rpaths}``, only for what changes.

    A variable the user set is theirs and is never replaced (a leak it causes
    is theirs to see).
    """
    environment = {}
    for variable, command in setuptools_link_commands(config_vars, environ).items():
        if variable in environ or not command:
            continue
        cleaned = ldshared_without_varying_rpaths(command, maps, is_file)
        if cleaned != command:
            environment[variable] = cleaned
    return environment


def interpreter_config_vars() -> Mapping[str, object]:
    """The interpreter's build configuration as setuptools' compiler sees it.

    On macOS setuptools first lets ``_osx_support`` adjust ``LDSHARED``
    (``ARCHFLAGS``, SDKs that are missing); an ``LDSHARED`` we put in the
    environment replaces that result, so it must start from the same value.
    """
    config_vars = sysconfig.get_config_vars()
    if sys.platform == "darwin":  # pragma: no cover - exercised on macOS only
        import _osx_support

        config_vars = _osx_support.customize_compiler(dict(config_vars))
    return config_vars


__all__ = ["interpreter_config_vars", "is_varying", "ldshared_without_varying_rpaths", "setuptools_link_commands",
           "setuptools_link_environment"]
