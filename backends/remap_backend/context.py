"""What one hook call knows about its build: passed to adapters, remapping and repair."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Mapping

from . import statedir
from .settings import Settings, read_pyproject


@dataclass(frozen=True)
class BuildContext:
    hook: str
    source_dir: Path
    backend_ref: str
    settings: Settings
    #: What the wrapped backend receives (``remap.*`` keys already removed).
    config_settings: Mapping[str, Any]
    #: ``os.environ`` as it was when the hook was called.
    environ: Mapping[str, str]
    #: The SOURCE_DATE_EPOCH in force for this build.
    epoch: int
    #: The hook's private temporary directory (:mod:`.tempnames`), mapped to /remap/tmp.
    temp_dir: Path | None = None
    #: The compiler cache this build launches its compilers through (found when planning a compiling hook).
    #: A :class:`remap.compilercache.CompilerCache` (typed loosely: a primitive names no renderer).
    compiler_cache: Any = None
    #: pyproject.toml as the hook's settings were read from it (None: read it when first asked).
    parsed_pyproject: Mapping[str, Any] | None = None

    @property
    def map_form(self) -> str:
        """How C-family maps are spelled for the compiler cache ("" or "preprocessor", remap/compilercache.py)."""
        return self.compiler_cache.map_form if self.compiler_cache is not None else ""

    @cached_property
    def pyproject(self) -> Mapping[str, Any]:
        """The project's pyproject.toml, parsed once for every adapter and step that asks."""
        return self.parsed_pyproject if self.parsed_pyproject is not None else read_pyproject(self.source_dir)

    @property
    def state_dir(self) -> Path:
        """The proxy's directory in the source tree (:mod:`.statedir`), for repair and adapters alike."""
        return statedir.path(self.source_dir)
