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
* a build directory meson already set up (the user's persistent
  ``build-dir``) ignores a changed ``CFLAGS``: meson keeps what it read
  first. There the proxy reads the current ``<lang>_args`` and
  ``<lang>_link_args`` from ``meson-info/intro-buildoptions.json``, drops
  the maps it added before, appends the current ones and passes the result
  as ``-D`` options in ``setup-args`` (after the user's), which meson
  applies on ``--reconfigure``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from ..remap import carriers, compilers, discovery
from ..remap.builddirs import temporary_build_dir
from ..remap.cflags import prefix_map_flags, without_user_mapped
from ..context import BuildContext
from ..remap.pathmap import PathMap, is_under
from ..remap.cflags import c_family_environment
from .base import Adapter

if TYPE_CHECKING:
    from ..remap.compilercache import CompilerCache

BUILD_DIR_KEYS = ("build-dir", "builddir")
MESON_VARIABLES = ("CFLAGS", "CXXFLAGS", "OBJCFLAGS", "OBJCXXFLAGS")
#: What meson looks for on PATH to launch compilers through, in its order (mesonbuild/envconfig.py).
MESON_COMPILER_CACHES = ("sccache", "ccache")


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


_MAP_FLAG = re.compile(r"^(?:-Wp,)?-f(?:file|debug|macro)-prefix-map=[^=]+=(?P<target>.*)$")


def compiler_options(build_dir: Path) -> dict[str, list[str]]:
    """``<lang>_args``/``<lang>_link_args`` of a configured build directory, as meson reports them."""
    try:
        options = json.loads((build_dir / "meson-info" / "intro-buildoptions.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    found = {}
    for option in options if isinstance(options, list) else []:
        name, value = option.get("name", ""), option.get("value")
        if (option.get("section") == "compiler" and option.get("machine", "host") == "host"
                and name.endswith(("_args", "_link_args")) and isinstance(value, list)):
            found[name] = [str(v) for v in value]
    return found


def without_our_maps(values: Sequence[str], targets: set[str]) -> list[str]:
    """``values`` minus prefix-map flags pointing at one of the proxy's targets."""
    kept = []
    for value in values:
        match = _MAP_FLAG.match(value)
        if match is None or match.group("target") not in targets:
            kept.append(value)
    return kept


def meson_array(values: Sequence[str]) -> str:
    """An array option value for ``-D``: meson reads a leading ``[`` with ``ast.literal_eval``, so any string survives."""
    return "[" + ", ".join(repr(v) for v in values) + "]"


class MesonPythonAdapter(Adapter):
    name = "meson-python"

    def config_settings(self, ctx: BuildContext) -> dict[str, Any]:
        settings = dict(ctx.config_settings)
        if ctx.hook == "build_wheel" and given_build_dir(ctx) is None:
            settings["build-dir"] = str(temporary_build_dir(ctx.source_dir, prefix=".mesonpy-"))
        return settings

    def variable_paths(self, ctx: BuildContext) -> list[Path]:
        build_dir = given_build_dir(ctx)
        return [build_dir] if build_dir is not None else []

    def launchers(self, ctx: BuildContext) -> list[str]:
        """The compiler caches meson may launch on its own: sccache, else ccache, found on PATH.

        meson >= 1.5 records the one it picks by absolute path in every compiler
        command it reports (``meson.get_compiler('c').cmd_array()``), which
        build-info modules write into the wheel. It also does so for a ``CC``
        that starts with either name, so both are mapped whenever they are there.
        """
        found = (shutil.which(name, path=ctx.environ.get("PATH")) for name in MESON_COMPILER_CACHES)
        return [os.path.abspath(path) for path in found if path]

    def environment(self, ctx: BuildContext, maps: Sequence[PathMap]) -> dict[str, str]:
        return c_family_environment(ctx.environ, maps, c_variables=MESON_VARIABLES, carrier=carriers.MESON,
                                    map_form=ctx.map_form)

    def compiles_in_source_tree(self, ctx: BuildContext) -> bool:
        """meson compiles in its build directory, inside the tree unless you chose one elsewhere."""
        build_dir = given_build_dir(ctx)
        return build_dir is None or is_under(str(build_dir), str(ctx.source_dir))

    def cache_environment(self, ctx: BuildContext, cache: CompilerCache) -> dict[str, str]:
        return {}  # the native file of cache_config_settings launches the compilers

    def cache_config_settings(self, ctx: BuildContext, cache: CompilerCache, helper_dir: Path) -> dict[str, Any]:
        """A native file naming the compilers behind the cache, added after your setup-args.

        A language your own native files define (in setup-args or
        ``[tool.meson-python.args] setup``) is left to them.
        """
        from ..remap import cacheprobe, compilercache

        settings = dict(ctx.config_settings)
        given = settings.get("setup-args", [])
        given = [given] if isinstance(given, str) else list(given)
        table = ctx.pyproject.get("tool", {}).get("meson-python", {}).get("args", {})
        from_table = table.get("setup", []) if isinstance(table, dict) else []
        texts = []
        for name in compilercache.native_files_in_setup_args([*from_table, *given]):
            path = Path(name) if Path(name).is_absolute() else ctx.source_dir / name
            try:
                texts.append(path.read_text(encoding="utf-8"))
            except OSError:
                continue
        text = compilercache.meson_native_file(cache, ctx.environ, compilercache.languages_in_native_files(texts))
        if text is None:
            return settings
        native = cacheprobe.write_text(helper_dir / "remap-backend-compiler-cache.ini", text)
        settings["setup-args"] = [*given, f"--native-file={native}"]
        return settings

    def config_settings_with_maps(self, ctx: BuildContext, maps: Sequence[PathMap]) -> dict[str, Any]:
        """For a build directory meson set up before, the current maps as ``-D`` setup-args."""
        settings = dict(ctx.config_settings)
        build_dir = given_build_dir(ctx)
        if build_dir is None or not configured(build_dir):
            return settings
        support = compilers.probe(tuple(compilers.c_compiler(ctx.environ)), form=ctx.map_form)
        own = without_user_mapped(maps, ctx.environ)
        carriers.check(own, carriers.MESON,
                       carriers.preprocessor_option_refusal if ctx.map_form else carriers.c_option_refusal)
        flags = prefix_map_flags(own, support)
        # The build directory holds only text from an earlier setup, so earlier maps are
        # recognised by their target: this build's, or any placeholder the proxy gives.
        ours = {m.target for m in maps} | discovery.PLACEHOLDERS
        options = [
            f"-D{name}={meson_array([*without_our_maps(value, ours), *flags])}"
            for name, value in sorted(compiler_options(build_dir).items())
        ]
        if options:
            given = settings.get("setup-args", [])
            settings["setup-args"] = [*([given] if isinstance(given, str) else given), *options]
        return settings

    def state_dirs(self, ctx: BuildContext) -> list[Path]:
        build_dir = given_build_dir(ctx)
        if build_dir is None and ctx.hook == "build_editable":
            return [ctx.source_dir / "build"]  # meson-python's default build/<abi tag>
        return [build_dir] if build_dir is not None else []


ADAPTER = MesonPythonAdapter()
