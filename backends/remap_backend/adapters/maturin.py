"""maturin: Rust extensions (PyO3, cffi, uniffi) built by cargo.

maturin builds in ``target/`` inside the source tree, so the source-tree map
covers cargo's output directory too; dependencies compile from
``$CARGO_HOME/registry/src``, covered by the cargo home map. What is
maturin's own: it may pass ``--target`` to cargo (taken from its PEP 517
arguments), and recent versions (1.16 here) write a CycloneDX SBOM into ``.dist-info/sboms``
whose ``path+file://`` references name the source tree.
"""

from __future__ import annotations

import re
import shlex
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from .. import log
from ..atomic import atomic_path
from ..archives import record, wheelfile
from ..epoch import DEFAULT_EPOCH
from ..remap.pathmap import PathMap, apply, normalized_source, ordered
from ..remap.arguments import option_values
from ..remap.cargoconfig import command_line_config
from ..remap.rustflags import rust_environment
from .base import Adapter

if TYPE_CHECKING:
    from ..context import BuildContext

#: ``<name>.dist-info/sboms/<file>.json``: the SBOMs maturin (and PEP 770) put in a wheel.
_SBOM_MEMBER = re.compile(r"^[^/]+\.dist-info/sboms/[^/]+\.json$")
#: A file URI in JSON text, up to the end of the path (``#`` starts cargo's package id).
_FILE_URI = re.compile(r'file://(/[^"#?\s]*)')


def pep517_args(config_settings: Mapping[str, Any], environ: Mapping[str, str]) -> list[str]:
    """The extra maturin arguments, read the way maturin's own PEP 517 hooks read them."""
    value = config_settings.get("maturin.build-args", config_settings.get("build-args"))
    if value is None:
        return shlex.split(environ.get("MATURIN_PEP517_ARGS", ""))
    if isinstance(value, str):
        return shlex.split(value)
    return [str(item) for item in value]


def target_argument(args: Sequence[str]) -> str | None:
    """The ``--target`` maturin will hand to cargo, if any (the last one wins, as in clap)."""
    found = None
    for index, arg in enumerate(args):
        if arg == "--target" and index + 1 < len(args):
            found = args[index + 1]
        elif arg.startswith("--target="):
            found = arg.split("=", 1)[1]
    return found


def cargo_config_arguments(args: Sequence[str], pyproject: Mapping[str, Any]) -> list[str]:
    """``cargo --config`` values maturin will pass: ``[tool.maturin] config``, then ``--config`` arguments."""
    table = pyproject.get("tool", {}).get("maturin", {})
    values = table.get("config", []) if isinstance(table, dict) else []
    found = [v for v in (values if isinstance(values, list) else [values]) if isinstance(v, str)]
    return found + option_values(args, "--config")


def remap_file_uris(text: str, maps: Sequence[PathMap]) -> str:
    """Every ``file://PATH`` in ``text`` with PATH rewritten as the compilers rewrote paths.

    PATH is percent-encoded (``My%20Projects``): the maps apply to its decoded
    form, and the part after the mapped prefix keeps its encoding.
    """
    return _FILE_URI.sub(lambda m: "file://" + _remapped_uri_path(m.group(1), maps), text)


def _remapped_uri_path(encoded: str, maps: Sequence[PathMap]) -> str:
    from urllib.parse import quote, unquote

    decoded = unquote(encoded)
    matching = [m for m in maps if decoded.startswith(normalized_source(m.source))]
    if not matching:
        return encoded
    source, target = normalized_source(matching[-1].source), matching[-1].target  # the last match wins
    for cut in range(len(encoded) + 1):
        if unquote(encoded[:cut]) == source:
            return quote(target) + encoded[cut:]
    return quote(apply(maps, decoded))


def rewrite_members(wheel: Path, rewrite, epoch: int = DEFAULT_EPOCH) -> list[str]:
    """Rewrite members of ``wheel`` in place (atomically) with ``rewrite(name, data) -> data``.

    RECORD is kept true for the members that change, so the wheel stays valid
    even with normalization turned off. Returns the names that changed.
    """
    with zipfile.ZipFile(wheel) as archive:
        infos = archive.infolist()
        contents = {info.filename: archive.read(info) for info in infos}
    changed = {}
    for name, data in contents.items():
        new = rewrite(name, data)
        if new != data:
            changed[name] = new
    if not changed:
        return []
    records = [name for name in contents if name.endswith(".dist-info/RECORD")]
    for name in records:
        changed[name] = record.updated(contents[name], changed)
    with atomic_path(wheel) as temp, open(temp, "wb") as out:
        wheelfile.write(out, ((info.filename, info.external_attr >> 16, changed.get(info.filename, contents[info.filename]))
                              for info in infos), epoch)
    return sorted(set(changed) - set(records))


class MaturinAdapter(Adapter):
    name = "maturin"

    def environment(self, ctx: BuildContext, maps: Sequence[PathMap]) -> dict[str, str]:
        args = pep517_args(ctx.config_settings, ctx.environ)
        configs = [
            command_line_config(value, ctx.source_dir)
            for value in cargo_config_arguments(args, ctx.pyproject)
        ]
        from ..remap.compilercache import wraps_rustc

        return rust_environment(
            ctx.environ, ctx.source_dir, maps, target=target_argument(args), force=True,
            command_line_configs=configs, wrapped=wraps_rustc(ctx.compiler_cache, ctx.environ),
            map_form=ctx.map_form,
        )

    def after_build(self, ctx: BuildContext, artifact: Path, maps: Sequence[PathMap]) -> None:
        if artifact.suffix != ".whl":
            return
        maps = ordered(maps)

        def rewrite(name: str, data: bytes) -> bytes:
            if not _SBOM_MEMBER.match(name):
                return data
            return remap_file_uris(data.decode("utf-8"), maps).encode("utf-8")

        for name in rewrite_members(artifact, rewrite, ctx.epoch):
            log.debug(f"remapped source paths in {name}")


ADAPTER = MaturinAdapter()

__all__ = ["ADAPTER", "MaturinAdapter", "cargo_config_arguments", "pep517_args", "remap_file_uris", "target_argument"]
