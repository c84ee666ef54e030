"""``remap-backend vendor``: copy the proxy into a project so any frontend builds it.

This command copies the installed proxy folder (standard library only) into
the project and points ``build-backend``/``backend-path`` at it, with
:mod:`..vendoring`'s edit. Running it again changes nothing; ``--check`` (for
a pre-commit hook) reports a copy that differs from the installed proxy.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, Optional, Tuple

from remap_backend._version import __version__
from remap_backend.atomic import atomic_write_bytes

from .. import proxywheel
from ..errors import EXIT_DIFFERENT, EXIT_SAME, RemapError
from ..vendoring import (
    DEFAULT_DIR, PROXY, differing_files, edit_pyproject, read_copy, sdist_includes, version_of, wrapped_backend,
    write_copy,
)

DESCRIPTION = """\
Copy the installed proxy (one standard-library-only folder) into the project,
by default as _remap_backend/remap_backend/, and set build-backend and
backend-path in pyproject.toml so that pip, python -m build and uv build the
project through it with no remap-backend on any index. The project's declared
backend is kept as [tool.remap-backend] backend; its own requires are kept,
a "remap-backend" requirement is dropped (the copy replaces it). Comments and
layout of pyproject.toml survive; every file is replaced atomically.
"""

EXAMPLES = """\
examples:
  remap-backend vendor                      # the project in the current directory
  remap-backend vendor path/to/project --into build_support
  remap-backend vendor --check              # pre-commit: exit 1 if the copy is stale

pre-commit (.pre-commit-config.yaml):
  - repo: local
    hooks:
      - id: remap-backend-vendored
        name: vendored remap-backend is current
        entry: remap-backend vendor --check
        language: system
        pass_filenames: false

exit status: 0 up to date (or updated), 1 --check found a stale copy or setting, 2 error
"""


def add_parser(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = subparsers.add_parser(
        "vendor",
        help="copy the proxy into a project and point its pyproject.toml at it",
        description=DESCRIPTION,
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("project", nargs="?", type=Path, default=Path("."), metavar="DIR",
                        help="the project's top directory, holding pyproject.toml (default: .)")
    parser.add_argument("--into", default=DEFAULT_DIR, metavar="SUBDIR",
                        help=f"directory inside the project for the copy (default: {DEFAULT_DIR})")
    parser.add_argument("--check", action="store_true",
                        help="only report whether the copy and pyproject.toml are current; write nothing")


def _age(vendored: Optional[str]) -> str:
    """'older', 'newer' or 'same version' than the installed proxy, by PEP 440 order."""
    from packaging.version import InvalidVersion, Version

    try:
        mine, theirs = Version(vendored or ""), Version(__version__)
    except InvalidVersion:
        return "unknown version"
    return "older" if mine < theirs else "newer" if mine > theirs else "same version, edited"


def _load(pyproject: Path) -> Tuple[Any, str]:
    import tomlkit

    text = pyproject.read_text(encoding="utf-8")
    try:
        return tomlkit.parse(text), text
    except tomlkit.exceptions.ParseError as exc:
        raise RemapError(f"{pyproject} is not valid TOML ({exc}); fix it, then run remap-backend vendor again") from None


def _check_into(into: str) -> str:
    parts = Path(into).parts
    if not parts or Path(into).is_absolute() or ".." in parts:
        raise RemapError(f"--into {into!r} must be a relative directory inside the project, like {DEFAULT_DIR}")
    return Path(into).as_posix()


def run(args: argparse.Namespace) -> int:
    project = args.project
    into = _check_into(args.into)
    pyproject = project / "pyproject.toml"
    if not pyproject.is_file():
        raise RemapError(f"{project} has no pyproject.toml; run remap-backend vendor in the project's top directory")
    installed = proxywheel.package_files(proxywheel.package_dir())
    vendored = read_copy(project / into)
    stale = differing_files(installed, vendored)
    doc, text = _load(pyproject)
    changes = [f"pyproject.toml: {change}" for change in edit_pyproject(doc, into)]
    where = f"{project / into / PROXY}"

    if args.check:
        problems = []
        if not vendored:
            problems.append(f"{where} is missing")
        elif stale:
            problems.append(f"{where} is remap-backend {version_of(vendored) or '?'} ({_age(version_of(vendored))}) "
                            f"and differs from the installed {__version__} in {len(stale)} file(s): "
                            f"{', '.join(stale[:5])}")
        problems += [f"would change {change}" for change in changes]
        for problem in problems:
            print(problem, flush=True)
        if problems:
            print("run `remap-backend vendor` to update", flush=True)
            return EXIT_DIFFERENT
        print(f"{where} is current (remap-backend {__version__})", flush=True)
        return EXIT_SAME

    if stale:
        write_copy(project / into, installed)
        print(f"copied remap-backend {__version__} to {where} ({len(stale)} file(s) changed)", flush=True)
    changes += sdist_includes(project, into, doc)
    if wrapped_backend(doc) == "mesonpy" and (stale or changes):
        print(f"note: meson-python's sdist holds the files git tracks; commit {into}/ (git add {into})", flush=True)
    new_text = doc.as_string()
    if new_text != text:
        atomic_write_bytes(pyproject, new_text.encode("utf-8"))
    for change in changes:
        print(change, flush=True)
    if not stale and not changes:
        print(f"{where} is current (remap-backend {__version__}); nothing to change", flush=True)
    return EXIT_SAME
