"""Render path maps as C-family compiler flags and append them to the user's flag variables.

Pure functions: which variables carry the flags is the adapter's choice
(see ``docs/remapping.md``), what the compiler accepts comes from
:mod:`.compilers`. The user's own flags always stay first and unchanged; a
map the user already gives for a path (in any flags variable) is not given
again, because the compiler would apply whichever comes last.
"""

from __future__ import annotations

import re
import shlex
from typing import Iterable, Mapping, Sequence

from . import carriers, compilers
from .carriers import Carrier
from .compilers import PrefixMapSupport
from .pathmap import PathMap, normalized_source

#: Every variable in which users commonly pass C-family flags.
USER_FLAG_VARIABLES = (
    "CFLAGS", "CXXFLAGS", "CPPFLAGS", "LDFLAGS", "OBJCFLAGS", "OBJCXXFLAGS",
    "FFLAGS", "FCFLAGS", "NVCC_APPEND_FLAGS", "NVCC_PREPEND_FLAGS",
)

#: Where the generic adapter puts C-family maps: read by CMake and meson at
#: configure time, by autotools, and by the ``cc`` crate.
GENERIC_C_VARIABLES = ("CFLAGS", "CXXFLAGS", "OBJCFLAGS", "OBJCXXFLAGS")
FORTRAN_VARIABLES = ("FFLAGS", "FCFLAGS")

_MAP_OPTION = re.compile(r"^(?:-Wp,)?-f(?:file|debug|macro)-prefix-map=(?P<source>[^=]+)=")


def sources_mapped_by(flags: str) -> set[str]:
    """Sources of the prefix maps already present in one flags string."""
    try:
        words = shlex.split(flags)
    except ValueError:
        words = flags.split()
    found = set()
    for word in words:
        match = _MAP_OPTION.match(word)
        if match:
            found.add(normalized_source(match.group("source")))
    return found


def user_mapped_sources(environ: Mapping[str, str]) -> set[str]:
    """Paths the user maps themselves, in any of the usual flags variables."""
    sources: set[str] = set()
    for variable in USER_FLAG_VARIABLES:
        if environ.get(variable):
            sources |= sources_mapped_by(environ[variable])
    return sources


def without_user_mapped(maps: Iterable[PathMap], environ: Mapping[str, str]) -> list[PathMap]:
    taken = user_mapped_sources(environ)
    return [m for m in maps if normalized_source(m.source) not in taken]


def prefix_map_flags(maps: Sequence[PathMap], support: PrefixMapSupport) -> list[str]:
    """One option per map (two on compilers without ``-ffile-prefix-map``), in the maps' order."""
    return [f"{option}={m.source}={m.target}" for m in maps for option in support.options]


def nvcc_flags(host_flags: Sequence[str]) -> list[str]:
    """nvcc passes host-compiler options on only behind ``-Xcompiler``."""
    return [word for flag in host_flags for word in ("-Xcompiler", flag)]


def appended(existing: str | None, flags: Sequence[str]) -> str:
    """``existing`` followed by ``flags``: the user's flags stay first and unchanged."""
    addition = " ".join(flags)
    if not existing or not existing.strip():
        return addition
    if not addition:
        return existing
    return f"{existing} {addition}"


def flag_environment(
    environ: Mapping[str, str],
    maps: Sequence[PathMap],
    support: PrefixMapSupport,
    variables: Sequence[str],
    carrier: Carrier = carriers.GENERIC,
) -> dict[str, str]:
    """``{variable: user value + map flags}`` for each of ``variables``; {} if nothing to add.

    Each flag is quoted the way ``carrier``'s consumer splits the variable;
    a map it cannot hold raises :class:`.carriers.UnmappedPath`.
    """
    own = without_user_mapped(maps, environ)
    carriers.check(own, carrier, carriers.preprocessor_option_refusal if support.preprocessor
                   else carriers.c_option_refusal)
    flags = carriers.quoted(prefix_map_flags(own, support), carrier)
    if not flags:
        return {}
    return {variable: appended(environ.get(variable), flags) for variable in variables}


def nvcc_environment(
    environ: Mapping[str, str], maps: Sequence[PathMap], support: PrefixMapSupport
) -> dict[str, str]:
    """``NVCC_APPEND_FLAGS`` (CUDA >= 11.5) with each map behind ``-Xcompiler`` (split at whitespace)."""
    own = without_user_mapped(maps, environ)
    carriers.check(own, carriers.Carrier("NVCC_APPEND_FLAGS", str, carriers.WHITESPACE.refusal))
    flags = prefix_map_flags(own, support)
    if not flags:
        return {}
    return {"NVCC_APPEND_FLAGS": appended(environ.get("NVCC_APPEND_FLAGS"), nvcc_flags(flags))}


def c_family_environment(
    environ: Mapping[str, str],
    maps: Sequence[PathMap],
    c_variables: Sequence[str] = GENERIC_C_VARIABLES,
    fortran: bool = True,
    cuda: bool = True,
    carrier: Carrier = carriers.GENERIC,
    map_form: str = "",
) -> dict[str, str]:
    """Map flags appended to ``c_variables`` (and Fortran/CUDA ones where those compilers exist).

    The options are the ones the compiler in ``CC`` (else Python's ``CC``)
    accepts, so an old GCC gets ``-fdebug-prefix-map`` instead. ``carrier``
    says how the variables' consumer splits them (see :mod:`.carriers`).
    ``map_form = "preprocessor"`` spells them ``-Wp,...`` for sccache's key
    (:mod:`.compilercache`), and adds the usual spelling to ``LDFLAGS``,
    where a link-time optimizer needs the maps.
    """
    command = tuple(compilers.c_compiler(environ))
    support = compilers.probe(command, form=map_form)
    environment = flag_environment(environ, maps, support, c_variables, carrier)
    if map_form:
        environment.update(flag_environment(environ, maps, compilers.probe(command), ("LDFLAGS",), carrier))
    fortran_command = compilers.fortran_compiler(environ) if fortran else None
    if fortran_command:
        fortran_support = compilers.probe(tuple(fortran_command), "f95")
        environment.update(flag_environment(environ, maps, fortran_support, FORTRAN_VARIABLES, carrier))
    if cuda and compilers.nvcc_present(environ):
        environment.update(nvcc_environment(environ, maps, support))
    return environment
