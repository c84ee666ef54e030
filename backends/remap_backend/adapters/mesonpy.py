"""meson-python: a build directory known in advance, maps in the variables meson reads.

* ``build-dir``: for ``build_wheel`` meson-python configures in a random
  ``.mesonpy-XXXXXXXX`` directory inside the source tree. The proxy makes
  that directory itself (same place, same kind of name, removed when the
  hook's process exits) and passes it as ``build-dir``, so its path is known
  and mapped. It must stay inside the source tree: meson names sources
  relative to the build directory (``../src/x.c``), and only a fixed depth
  keeps those names the same. A ``build-dir`` the user gives always wins;
  ``build_editable`` keeps meson-python's persistent ``build/<abi>``.
* flags: meson reads ``CFLAGS``/``CXXFLAGS``/``OBJCFLAGS``/``FFLAGS`` into
  ``<lang>_args`` and also passes them to the link line (where LTO needs
  the maps), after ``LDFLAGS``; so ``LDFLAGS`` is left alone, or every map
  would be given twice when linking.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from .. import log
from ..builddirs import temporary_build_dir
from ..context import BuildContext
from ..pathmap import PathMap
from ..remap import c_family_environment
from .base import Adapter

BUILD_DIR_KEYS = ("build-dir", "builddir")
MESON_VARIABLES = ("CFLAGS", "CXXFLAGS", "OBJCFLAGS", "OBJCXXFLAGS")


def given_build_dir(ctx: BuildContext) -> Path | None:
    for key in BUILD_DIR_KEYS:
        value = ctx.config_settings.get(key)
        if isinstance(value, str) and value:
            path = Path(value)
            return path if path.is_absolute() else ctx.source_dir / path
    return None


def configured(build_dir: Path) -> bool:
    """Whether meson already set this directory up (it then ignores CFLAGS and friends)."""
    return (build_dir / "meson-private" / "coredata.dat").is_file()


class MesonPythonAdapter(Adapter):
    name = "meson-python"
    modules = ("mesonpy",)

    def config_settings(self, ctx: BuildContext) -> dict[str, Any]:
        settings = dict(ctx.config_settings)
        if ctx.hook == "build_wheel" and given_build_dir(ctx) is None:
            settings["build-dir"] = str(temporary_build_dir(ctx.source_dir, prefix=".mesonpy-"))
        return settings

    def variable_paths(self, ctx: BuildContext) -> list[Path]:
        build_dir = given_build_dir(ctx)
        return [build_dir] if build_dir is not None else []

    def environment(self, ctx: BuildContext, maps: Sequence[PathMap]) -> dict[str, str]:
        build_dir = given_build_dir(ctx)
        if build_dir is not None and configured(build_dir):
            log.warn(f"meson reads CFLAGS/LDFLAGS only when it first sets up {build_dir}; new build "
                     "environments there are not remapped (use a fresh build-dir for release wheels)")
        return c_family_environment(ctx.environ, maps, c_variables=MESON_VARIABLES)

    def state_dirs(self, ctx: BuildContext) -> list[Path]:
        build_dir = given_build_dir(ctx)
        return [build_dir] if build_dir is not None else []


ADAPTER = MesonPythonAdapter()
