"""Path maps for CMake builds, re-applied at every configure.

CMake reads ``CFLAGS``/``CXXFLAGS`` only when it first creates a cache, so a
persistent build directory keeps the maps (and the random paths) of the
build that created it. Instead, the proxy passes the current maps in the
environment variable :data:`MAPS_VARIABLE` and points
``CMAKE_PROJECT_INCLUDE`` at a small fixed script that runs after the
top-level ``project()``: it stores the maps in the cache (so a later
re-configure outside the proxy keeps them) and adds them with
``add_compile_options``/``add_link_options``, choosing the option each
enabled language's compiler accepts. ``CMAKE_<LANG>_FLAGS`` (the user's
flags) are never touched.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from . import carriers
from ..atomic import atomic_write_bytes
from .pathmap import PathMap

MAPS_VARIABLE = "REMAP_BACKEND_CMAKE_PATH_MAPS"
SCRIPT_NAME = "remap-backend-path-maps.cmake"

SCRIPT = """\
# Written by remap-backend (see docs/remapping.md). Included through
# CMAKE_PROJECT_INCLUDE after project(): adds the path maps the proxy passes in
# $ENV{REMAP_BACKEND_CMAKE_PATH_MAPS} ("FROM=TO;FROM=TO", general first) to
# every C-family target, on compile and link lines. User flags are untouched.
include_guard(GLOBAL)
# A build-tree RPATH spells the random build directory; CMake rewrites it at
# install but keeps the old string's length in .dynstr, so the wheel's bytes
# would depend on that path's length. $ORIGIN-relative build RPATHs do not.
if(NOT DEFINED CMAKE_BUILD_RPATH_USE_ORIGIN)
  set(CMAKE_BUILD_RPATH_USE_ORIGIN ON)
endif()
get_property(_remap_languages GLOBAL PROPERTY ENABLED_LANGUAGES)
# remap.compiler-cache: launch the compilers through the cache (at every configure), unless a
# launcher is set already or the compiler is a cache itself (CC="ccache gcc").
if(DEFINED ENV{REMAP_BACKEND_CMAKE_LAUNCHER})
  foreach(_remap_lang IN ITEMS C CXX OBJC OBJCXX CUDA)
    get_filename_component(_remap_compiler "${CMAKE_${_remap_lang}_COMPILER}" NAME_WE)
    if(_remap_lang IN_LIST _remap_languages AND NOT CMAKE_${_remap_lang}_COMPILER_LAUNCHER
       AND NOT DEFINED ENV{CMAKE_${_remap_lang}_COMPILER_LAUNCHER}
       AND NOT _remap_compiler MATCHES "^(ccache|sccache|buildcache|distcc)$")
      set(CMAKE_${_remap_lang}_COMPILER_LAUNCHER "$ENV{REMAP_BACKEND_CMAKE_LAUNCHER}")
    endif()
  endforeach()
endif()
if(DEFINED ENV{REMAP_BACKEND_CMAKE_PATH_MAPS})
  set(REMAP_BACKEND_PATH_MAPS "$ENV{REMAP_BACKEND_CMAKE_PATH_MAPS}" CACHE INTERNAL
      "Path maps remap-backend passed at the last configure")
endif()
if(REMAP_BACKEND_PATH_MAPS)
  foreach(_remap_lang IN ITEMS C CXX OBJC OBJCXX Fortran CUDA)
    if(NOT _remap_lang IN_LIST _remap_languages)
      continue()
    endif()
    set(_remap_compiler_lang "${_remap_lang}")
    if(_remap_lang STREQUAL "CUDA")
      set(_remap_compiler_lang CXX)
    endif()
    set(_remap_id "${CMAKE_${_remap_compiler_lang}_COMPILER_ID}")
    set(_remap_version "${CMAKE_${_remap_compiler_lang}_COMPILER_VERSION}")
    if((_remap_id STREQUAL "GNU" AND _remap_version VERSION_LESS 8)
       OR (_remap_id STREQUAL "Clang" AND _remap_version VERSION_LESS 10)
       OR (_remap_id STREQUAL "AppleClang" AND _remap_version VERSION_LESS 12))
      set(_remap_options -fdebug-prefix-map)
    elseif(_remap_id MATCHES "^(GNU|Clang|AppleClang|IntelLLVM)$")
      set(_remap_options -ffile-prefix-map)
    else()
      continue()
    endif()
    # sccache hashes every option but the preprocessor's: the maps go to the compiler proper
    # through -Wp, (the same objects); link lines, which it does not cache, keep the usual spelling.
    set(_remap_link_options ${_remap_options})
    if("$ENV{REMAP_BACKEND_CMAKE_MAP_FORM}" STREQUAL "preprocessor" AND NOT _remap_lang STREQUAL "CUDA")
      set(_remap_options "-Wp$<COMMA>-fdebug-prefix-map" "-Wp$<COMMA>-fmacro-prefix-map")
      if(_remap_id STREQUAL "GNU" AND _remap_version VERSION_LESS 8)
        set(_remap_options "-Wp$<COMMA>-fdebug-prefix-map")
      endif()
    endif()
    foreach(_remap_map IN LISTS REMAP_BACKEND_PATH_MAPS)
      # '>' would end the generator expression early.
      string(REPLACE ">" "$<ANGLE-R>" _remap_map "${_remap_map}")
      foreach(_remap_option IN LISTS _remap_options)
        if(_remap_lang STREQUAL "CUDA")
          # SHELL: splits like a shell: one double-quoted word, its \\ and " escaped.
          string(REPLACE "\\\\" "\\\\\\\\" _remap_word "${_remap_option}=${_remap_map}")
          string(REPLACE "\\"" "\\\\\\"" _remap_word "${_remap_word}")
          add_compile_options("$<$<COMPILE_LANGUAGE:CUDA>:SHELL:\\"-Xcompiler=${_remap_word}\\">")
        else()
          add_compile_options("$<$<COMPILE_LANGUAGE:${_remap_lang}>:${_remap_option}=${_remap_map}>")
        endif()
      endforeach()
      foreach(_remap_option IN LISTS _remap_link_options)
        if(NOT _remap_lang STREQUAL "CUDA" AND NOT CMAKE_VERSION VERSION_LESS 3.18)
          add_link_options("$<$<LINK_LANGUAGE:${_remap_lang}>:${_remap_option}=${_remap_map}>")
        endif()
      endforeach()
    endforeach()
  endforeach()
endif()
"""


def maps_value(maps: Sequence[PathMap], map_form: str = "") -> str:
    """The maps as a CMake list, in emit order; raises UnmappedPath for a path the list cannot hold.

    Spaces, quotes, ``$`` and ``\\`` survive: the script passes each item as
    one quoted argument and CMake quotes it for the shell. ``>`` is escaped by
    the script. A ``;`` or bracket breaks the list (and ``$<SEMICOLON>`` is
    split again in COMPILE_OPTIONS), so those are refused.
    """
    carriers.check(maps, carriers.CMAKE_LIST,
                   carriers.preprocessor_option_refusal if map_form else carriers.c_option_refusal)
    return ";".join(f"{m.source}={m.target}" for m in maps)


def write_script(directory: Path) -> Path:
    """Write :data:`SCRIPT` into ``directory`` atomically (unchanged content is not rewritten)."""
    path = directory / SCRIPT_NAME
    if path.is_file() and path.read_text(encoding="utf-8") == SCRIPT:
        return path
    directory.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, SCRIPT.encode("utf-8"), durable=False)
    return path
