"""scikit-build-core: a build directory known in advance, maps through a CMake project include.

* ``build-dir``: by default scikit-build-core configures in a random
  temporary directory it makes inside the hook. For ``build_wheel`` the
  proxy makes that temporary directory itself and passes it as
  ``build-dir``, so it is mapped; a ``build-dir`` the user gives (config
  setting, ``SKBUILD_BUILD_DIR`` or ``[tool.scikit-build]``) always wins.
* flags: CMake reads ``CFLAGS`` only at the first configure, so maps are
  applied by :mod:`..cmake`'s script through ``CMAKE_PROJECT_INCLUDE`` at
  every configure; a project that sets ``CMAKE_PROJECT_INCLUDE`` itself
  gets the maps appended to ``CFLAGS``/``CXXFLAGS`` instead (first configure
  only, with a warning).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from ..remap import carriers, cmake
from .. import log, statedir
from ..remap.builddirs import temporary_build_dir
from ..remap.cflags import without_user_mapped
from ..context import BuildContext
from ..remap.pathmap import PathMap
from ..remap.cflags import c_family_environment
from .base import Adapter

if TYPE_CHECKING:
    from ..remap.compilercache import CompilerCache

BUILD_DIR_KEYS = ("build-dir", "build_dir")
PROJECT_INCLUDE = "cmake.define.CMAKE_PROJECT_INCLUDE"


def _table(ctx: BuildContext) -> Mapping[str, Any]:
    table = ctx.pyproject.get("tool", {}).get("scikit-build", {})
    return table if isinstance(table, dict) else {}


def user_build_dir(ctx: BuildContext) -> str | None:
    """The build-dir the user chose, unformatted (it may hold ``{wheel_tag}`` and such)."""
    for key in BUILD_DIR_KEYS:
        value = ctx.config_settings.get(key)
        if isinstance(value, str) and value:
            return value
    if ctx.environ.get("SKBUILD_BUILD_DIR"):
        return ctx.environ["SKBUILD_BUILD_DIR"]
    value = _table(ctx).get("build-dir")
    return value if isinstance(value, str) and value else None


def fixed_part(build_dir: str, source_dir: Path) -> Path:
    """The absolute directory above the first ``{placeholder}`` of a build-dir template."""
    head = build_dir.split("{", 1)[0]
    path = Path(head) if Path(head).is_absolute() else source_dir / head
    return path if head.endswith(("/", "\\")) or "{" not in build_dir else path.parent


def user_defines_project_include(ctx: BuildContext) -> bool:
    if PROJECT_INCLUDE in ctx.config_settings:
        return True
    if "CMAKE_PROJECT_INCLUDE" in ctx.environ.get("SKBUILD_CMAKE_DEFINE", ""):
        return True
    define = _table(ctx).get("cmake", {})
    define = define.get("define", {}) if isinstance(define, dict) else {}
    return isinstance(define, dict) and "CMAKE_PROJECT_INCLUDE" in define


class ScikitBuildCoreAdapter(Adapter):
    name = "scikit-build-core"

    def config_settings(self, ctx: BuildContext) -> dict[str, Any]:
        settings = dict(ctx.config_settings)
        if ctx.hook not in ("build_wheel", "build_editable"):
            return settings
        # The script must live as long as the build directory: in the proxy's
        # temporary build dir, else in the tree's .remap-backend/ state
        # directory (kept out of sdists and commits by its .gitignore).
        if ctx.hook == "build_wheel" and user_build_dir(ctx) is None:
            settings["build-dir"] = str(temporary_build_dir())
            script_dir = Path(settings["build-dir"])
        else:
            script_dir = ctx.state_dir
        if not user_defines_project_include(ctx):
            try:
                if script_dir == ctx.state_dir and not statedir.prepare(script_dir):
                    raise OSError("the source tree is not writable")
                settings[PROJECT_INCLUDE] = str(cmake.write_script(script_dir))
            except OSError as exc:
                log.warn(f"cannot write the CMake path-map script into {script_dir} ({exc}); "
                         "passing maps in CFLAGS/CXXFLAGS, which CMake reads at the first configure only")
        return settings

    def variable_paths(self, ctx: BuildContext) -> list[Path]:
        build_dir = next((ctx.config_settings[k] for k in BUILD_DIR_KEYS if ctx.config_settings.get(k)), None)
        build_dir = build_dir or user_build_dir(ctx)
        return [fixed_part(build_dir, ctx.source_dir)] if build_dir else []

    def environment(self, ctx: BuildContext, maps: Sequence[PathMap]) -> dict[str, str]:
        if uses_proxy_script(ctx):
            return {cmake.MAPS_VARIABLE: cmake.maps_value(without_user_mapped(maps, ctx.environ), ctx.map_form)}
        if user_defines_project_include(ctx):
            log.warn("the project sets CMAKE_PROJECT_INCLUDE itself; path maps go in CFLAGS/CXXFLAGS, "
                     "which CMake reads only when it first configures a build directory")
        return c_family_environment(ctx.environ, maps, c_variables=("CFLAGS", "CXXFLAGS"), carrier=carriers.CMAKE_FLAGS,
                                    map_form=ctx.map_form)

    def cache_environment(self, ctx: BuildContext, cache: CompilerCache) -> dict[str, str]:
        """``CMAKE_<LANG>_COMPILER_LAUNCHER``, set by the path-map script at every configure."""
        from ..remap.compilercache import cmake_environment

        return cmake_environment(cache, ctx.environ, uses_proxy_script(ctx))

    def state_dirs(self, ctx: BuildContext) -> list[Path]:
        build_dir = user_build_dir(ctx)
        return [fixed_part(build_dir, ctx.source_dir)] if build_dir else []


def uses_proxy_script(ctx: BuildContext) -> bool:
    """Whether the config-settings point CMAKE_PROJECT_INCLUDE at the script the proxy wrote."""
    value = ctx.config_settings.get(PROJECT_INCLUDE)
    return isinstance(value, str) and Path(value).name == cmake.SCRIPT_NAME


ADAPTER = ScikitBuildCoreAdapter()
