"""Ask the compiler the backend will run which prefix-map options it accepts.

``-ffile-prefix-map`` arrived in GCC 8 and clang 10; older ones know only
``-fdebug-prefix-map`` (and GCC 7 lacks ``-fmacro-prefix-map``). Version
numbers lie (vendor clangs, ``cc`` wrappers, ccache), so the proxy runs the
compiler once per option on an empty input and keeps what it accepts. The
answer is remembered per compiler file in the user cache (:mod:`..usercache`),
so a build pays for the probe only after the compiler changed.
"""

from __future__ import annotations

import functools
import os
import shlex
import shutil
import subprocess
import sysconfig
from typing import Mapping, NamedTuple

from .. import usercache

FILE_PREFIX_MAP = "-ffile-prefix-map"
DEBUG_PREFIX_MAP = "-fdebug-prefix-map"
MACRO_PREFIX_MAP = "-fmacro-prefix-map"
#: Options for the compiler proper, spelled so that sccache leaves them out of its key
#: (remap/compilercache.py); clang's driver knows ``-ffile-prefix-map`` only, so the pair.
PREPROCESSOR = "-Wp,"


class PrefixMapSupport(NamedTuple):
    """Which of the three prefix-map options a compiler accepts."""

    file_prefix_map: bool = True
    debug_prefix_map: bool = True
    macro_prefix_map: bool = True
    #: Pass the maps as ``-Wp,-fdebug-prefix-map=...`` ``-Wp,-fmacro-prefix-map=...`` (for sccache).
    preprocessor: bool = False

    @property
    def options(self) -> tuple[str, ...]:
        """The options that carry one map: the combined one if available."""
        if self.preprocessor:
            return tuple(
                PREPROCESSOR + option for option, ok in ((DEBUG_PREFIX_MAP, self.debug_prefix_map),
                                                         (MACRO_PREFIX_MAP, self.macro_prefix_map)) if ok
            )
        if self.file_prefix_map:
            return (FILE_PREFIX_MAP,)
        return tuple(
            option for option, ok in ((DEBUG_PREFIX_MAP, self.debug_prefix_map),
                                      (MACRO_PREFIX_MAP, self.macro_prefix_map)) if ok
        )


#: What to assume when the compiler can't be run (it may not exist yet, or the
#: backend finds another one): current GCC and clang.
MODERN = PrefixMapSupport()


def c_compiler(environ: Mapping[str, str]) -> list[str]:
    """The C compiler command a backend will use: ``$CC``, else Python's configured ``CC``."""
    command = environ.get("CC") or sysconfig.get_config_var("CC") or "cc"
    return shlex.split(command)


def fortran_compiler(environ: Mapping[str, str]) -> list[str] | None:
    """``$FC`` or a gfortran on PATH; None when there is no Fortran compiler."""
    if environ.get("FC"):
        return shlex.split(environ["FC"])
    found = shutil.which("gfortran", path=environ.get("PATH"))
    return [found] if found else None


def nvcc_present(environ: Mapping[str, str]) -> bool:
    return shutil.which("nvcc", path=environ.get("PATH")) is not None


def _accepts(command: tuple[str, ...], option: str, language: str) -> bool | None:
    """True/False if the compiler accepts ``option``; None if it could not be run."""
    argv = [*command, f"{option}=/remap-probe=/remap-probe", "-x", language, "-fsyntax-only", os.devnull]
    try:
        done = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.returncode == 0


#: Part of the memo key: a change to what is probed, or how, must not reuse old answers.
PROBE_VERSION = 1


@functools.lru_cache(maxsize=None)
def probe(command: tuple[str, ...], language: str = "c", form: str = "") -> PrefixMapSupport:
    """What ``command`` accepts; :data:`MODERN` if it cannot be run at all.

    ``form = "preprocessor"`` asks for the ``-Wp,`` spelling (compilercache.PREPROCESSOR_FORM).
    A compiler that ran has its answer remembered; one that could not run is asked again next time.
    """
    identity = usercache.tool_identity(command, os.environ)
    memo = usercache.Memo("compiler-probes", os.environ) if identity is not None else None
    key = usercache.Memo.key(["prefix-maps", PROBE_VERSION, identity, language, form])
    remembered = memo.get(key) if memo is not None else None
    if isinstance(remembered, dict) and set(remembered) == set(PrefixMapSupport._fields) \
            and all(isinstance(value, bool) for value in remembered.values()):
        return PrefixMapSupport(**remembered)
    measured = _measure(command, language, form)
    if measured is None:
        return PrefixMapSupport(preprocessor=True) if form else MODERN
    if memo is not None:
        memo.put(key, measured._asdict())
    return measured


def _measure(command: tuple[str, ...], language: str, form: str) -> PrefixMapSupport | None:
    """Run the compiler on each option; None when it cannot be run at all."""
    if form:
        debug = _accepts(command, PREPROCESSOR + DEBUG_PREFIX_MAP, language)
        if debug is None:
            return None
        macro = _accepts(command, PREPROCESSOR + MACRO_PREFIX_MAP, language)
        return PrefixMapSupport(False, bool(debug), bool(macro), preprocessor=True)
    first = _accepts(command, FILE_PREFIX_MAP, language)
    if first is None:
        return None
    if first:
        return PrefixMapSupport(True, True, True)
    return PrefixMapSupport(
        file_prefix_map=False,
        debug_prefix_map=bool(_accepts(command, DEBUG_PREFIX_MAP, language)),
        macro_prefix_map=bool(_accepts(command, MACRO_PREFIX_MAP, language)),
    )
