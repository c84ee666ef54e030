"""The adapter interface: what the proxy needs to know about one wrapped backend."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

if TYPE_CHECKING:
    from ..context import BuildContext
    from ..remap.compilercache import CompilerCache
    from ..remap.pathmap import PathMap


class Adapter:
    """Defaults fit any backend; a subclass overrides only what its backend does differently."""

    #: Short name used in log lines.
    name = "generic"

    def variable_paths(self, ctx: BuildContext) -> list[Path]:
        """Random directories this backend compiles in, beyond the ones every build has."""
        return []

    def launchers(self, ctx: BuildContext) -> list[str]:
        """Programs this backend launches compilers through on its own and records by absolute path."""
        return []

    def config_settings(self, ctx: BuildContext) -> dict[str, Any]:
        """Config-settings to pass on; by default exactly what the user gave."""
        return dict(ctx.config_settings)

    def config_settings_with_maps(self, ctx: BuildContext, maps: Sequence[PathMap]) -> dict[str, Any]:
        """Config-settings that must carry the maps themselves (known only after discovery)."""
        return dict(ctx.config_settings)

    def environment(self, ctx: BuildContext, maps: Sequence[PathMap]) -> dict[str, str]:
        """Environment variable updates carrying the maps: by default the generic C-family variables.

        Also setuptools' link commands without the builder's rpaths: an
        unknown backend is often an in-tree wrapper of setuptools (aio-libs'
        ``pep517_backend``), which links with the interpreter's ``LDSHARED``.
        """
        from ..remap.cflags import c_family_environment
        from ..remap.rpaths import interpreter_config_vars, setuptools_link_environment

        environment = c_family_environment(ctx.environ, maps, map_form=ctx.map_form)
        environment.update(setuptools_link_environment(interpreter_config_vars(), ctx.environ, maps))
        return environment

    def compiles_in_source_tree(self, ctx: BuildContext) -> bool:
        """Whether every compile runs inside the source tree (then it is ccache's ``base_dir``)."""
        return False

    def cache_environment(self, ctx: BuildContext, cache: CompilerCache) -> dict[str, str]:
        """Launch the compilers through ``cache``: by default ``CC``/``CXX`` prefixed with it.

        setuptools and the in-tree backends built on it read ``CC``/``CXX``,
        and so does a CMake that a setup.py runs.
        """
        import sysconfig

        from ..remap.compilercache import compiler_variables

        defaults = {name: sysconfig.get_config_var(name) for name in ("CC", "CXX")}
        return compiler_variables(cache, ctx.environ, defaults)

    def cache_config_settings(self, ctx: BuildContext, cache: CompilerCache, helper_dir: Path) -> dict[str, Any]:
        """Config-settings that launch the compilers through ``cache`` (meson's native file)."""
        return dict(ctx.config_settings)

    def state_dirs(self, ctx: BuildContext) -> list[Path]:
        """Persistent directories in the source tree where this backend keeps state."""
        return []

    def intermediates(self, state_dir: Path) -> list[Path]:
        """Artifacts in ``state_dir`` the backend reuses by timestamp alone: dropped when the environment changed."""
        return []

    def after_build(self, ctx: BuildContext, artifact: Path, maps: Sequence[PathMap]) -> None:
        """Fix up the archive the backend produced, before normalization."""
