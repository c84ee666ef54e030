"""setuptools (and setuptools-based backends): maps travel in ``CPPFLAGS``.

Since setuptools 75.7 an environment ``CFLAGS`` *replaces* the interpreter's
own CFLAGS (``-O3 -fwrapv -DNDEBUG ...``) instead of extending them, and
``CXXFLAGS`` replaces them for C++. ``CPPFLAGS`` is appended in every
version, to the C and C++ compile lines and to both link lines (LTO needs
the maps there), so it is the one variable that adds without changing
anything else. setuptools compiles from the source tree with relative paths
and keeps its state in ``build/``, inside the source tree map.

The interpreter's ``LDSHARED`` may carry ``-Wl,-rpath,<its libdir>``
(``--enable-shared`` builds, pyenv's among them), which puts the builder's
home into every extension's ``DT_RUNPATH``. The adapter gives setuptools the
same ``LDSHARED``/``LDCXXSHARED`` without such entries (:mod:`..rpaths`),
unless the user set the variable.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from .base import Adapter

if TYPE_CHECKING:
    from ..context import BuildContext
    from ..remap.pathmap import PathMap

#: The variable appended to every compile and link line in all setuptools versions.
CARRIER = "CPPFLAGS"


class SetuptoolsAdapter(Adapter):
    name = "setuptools"

    def environment(self, ctx: BuildContext, maps: Sequence[PathMap]) -> dict[str, str]:
        # Imported here: hooks that compile nothing (get_requires_for_build_*) never render flags.
        from ..remap import carriers
        from ..remap.cflags import c_family_environment
        from ..remap.rpaths import interpreter_config_vars, setuptools_link_environment

        environment = c_family_environment(ctx.environ, maps, c_variables=(CARRIER,), fortran=False, cuda=False,
                                           carrier=carriers.SPLIT_QUOTED, map_form=ctx.map_form)
        environment.update(setuptools_link_environment(interpreter_config_vars(), ctx.environ, maps))
        return environment

    def compiles_in_source_tree(self, ctx: BuildContext) -> bool:
        """build_ext compiles from the tree, with sources relative to it.

        Not so the ``cc`` crate of a setuptools-rust build: it compiles a
        dependency's C code from that crate's directory in the cargo home.
        """
        from ..remap.crates import uses_rust

        return not uses_rust(ctx.source_dir)

    def state_dirs(self, ctx: BuildContext) -> list[Path]:
        return [ctx.source_dir / "build"]

    def intermediates(self, state_dir: Path) -> list[Path]:
        """``build/temp.*`` (objects) and ``build/lib.*`` (linked extensions).

        build_ext reuses them by timestamp against the project's own sources
        only, so headers from an upgraded build dependency never trigger a
        recompile (uv#16850).
        """
        return sorted(p for pattern in ("temp.*", "lib.*") for p in state_dir.glob(pattern) if p.is_dir())


ADAPTER = SetuptoolsAdapter()
