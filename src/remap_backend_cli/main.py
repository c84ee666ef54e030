"""Entry point of ``remap-backend``: one argparse parser, subcommands from modules.

Each subcommand lives in its own module of :mod:`remap_backend_cli.commands`,
exposing ``add_parser(subparsers)`` and ``run(args) -> int``; the library
modules they share sit beside this one. Adding a command means adding it to ``COMMANDS``
with the one-line help its ``add_parser`` gives (a test keeps the two equal).
Only the module of the command being run is imported: ``--help`` and
``--version`` import none of them, nor the proxy, so they start fast.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import signal
import sys
from typing import TYPE_CHECKING, Callable, Sequence

if TYPE_CHECKING:
    import argparse

EXIT_ERROR = 2  # the value of errors.EXIT_ERROR, without importing the proxy for --help

#: name -> one-line help, in the order ``--help`` lists them; the module is ``remap_backend_cli.commands.<name>``.
COMMANDS = {
    "build": "build an sdist, source tree or name==version through the proxy",
    "verify": "build TARGET several times under varied conditions and compare the wheels",
    "diff": "compare two wheels or sdists entry by entry and explain differences",
    "scan": "find absolute build paths (temp dirs, build envs, home) in artifacts",
    "normalize": "rewrite wheels, sdists and .pyc trees so their bytes are reproducible",
    "vendor": "copy the proxy into a project and point its pyproject.toml at it",
}
SUBCOMMAND_MODULES = tuple(COMMANDS)
#: Top-level modules of the ``cli`` extra's requirements; a missing one means the extra is not installed.
CLI_EXTRA_MODULES = frozenset({"build", "pyproject_hooks", "packaging", "elftools", "rich", "tomlkit"})

DESCRIPTION = """\
Make compiled Python wheels byte-for-byte reproducible, for your own
projects and for anyone's sdist.

examples:
  remap-backend build markupsafe==3.0.2 -o dist/
  remap-backend verify examples/setuptools-c
  remap-backend diff a/pkg-1.0-cp311-cp311-linux_x86_64.whl b/pkg-1.0-cp311-cp311-linux_x86_64.whl
  remap-backend scan dist/*.whl
"""


def version() -> str:
    """The proxy's version, read from ``remap_backend/_version.py`` without running the package's ``__init__``."""
    spec = importlib.util.find_spec("remap_backend")
    for location in (spec.submodule_search_locations or []) if spec else []:
        try:
            with open(os.path.join(location, "_version.py"), encoding="utf-8") as handle:
                found = re.search(r"""__version__\s*=\s*["']([^"']+)["']""", handle.read())
        except OSError:
            continue
        if found:
            return found.group(1)
    from remap_backend._version import __version__

    return __version__


def chosen_command(argv: Sequence[str]) -> str | None:
    """The subcommand named in ``argv`` (the first word that is not an option), if any."""
    for word in argv:
        if not word.startswith("-"):
            return word if word in COMMANDS else None
    return None


def build_parser(
    argv: Sequence[str] | None = None,
) -> tuple[argparse.ArgumentParser, dict[str, Callable[[argparse.Namespace], int]]]:
    """The parser, and the ``run`` function of each subcommand whose module was loaded.

    With ``argv`` only the chosen command's module is imported; the others get
    a parser that has their help line only. ``argv=None`` loads every module.
    """
    import argparse

    parser = argparse.ArgumentParser(
        prog="remap-backend",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"remap-backend {version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    wanted = set(COMMANDS) if argv is None else {chosen_command(argv)}
    runners: dict[str, Callable[[argparse.Namespace], int]] = {}
    for name, help_line in COMMANDS.items():
        if name in wanted:
            module = importlib.import_module(f"{__package__}.commands.{name}")
            module.add_parser(subparsers)
            runners[name] = module.run
        else:
            subparsers.add_parser(name, help=help_line)
    return parser, runners


class _Terminated(BaseException):
    """SIGTERM, raised in the main thread so every ``finally`` (temp files) runs."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise _Terminated()


def main(argv: Sequence[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else argv
    if list(words) == ["--version"]:  # what scripts ask most, answered before argparse loads
        print(f"remap-backend {version()}", flush=True)
        return 0
    import threading

    if threading.current_thread() is not threading.main_thread():
        return _main(argv)
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        return _main(argv)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _main(argv: Sequence[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        parser, runners = build_parser(argv)
    except ModuleNotFoundError as exc:
        return _missing_module(chosen_command(argv) or "remap-backend", exc)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_ERROR
    from .errors import RemapError

    try:
        return runners[args.command](args)
    except RemapError as exc:
        _error(str(exc))
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except ModuleNotFoundError as exc:
        return _missing_module(args.command, exc)
    except _Terminated:
        _error("terminated")
        return 128 + signal.SIGTERM
    except OSError as exc:
        _error(_describe_os_error(exc))
    except Exception as exc:  # noqa: BLE001 - the one place that turns bugs into one line
        return _internal_error(exc)
    return EXIT_ERROR


def _missing_module(command: str, exc: ModuleNotFoundError) -> int:
    if (exc.name or "").partition(".")[0] not in CLI_EXTRA_MODULES:
        return _internal_error(exc)
    _error(f"{command} needs the 'cli' extra (no module named {exc.name!r}); "
           "install it with: pip install 'remap-backend[cli]'")
    return EXIT_ERROR


def _internal_error(exc: BaseException) -> int:
    if os.environ.get("REMAP_BACKEND_DEBUG"):
        raise exc
    _error(f"internal error: {type(exc).__name__}: {exc} (set REMAP_BACKEND_DEBUG=1 for a traceback)")
    return EXIT_ERROR


def _describe_os_error(exc: OSError) -> str:
    where = f": {exc.filename}" if exc.filename else ""
    return f"{exc.strerror or exc}{where}"


def _error(message: str) -> None:
    from remap_backend.log import one_line  # here, so --help and --version stay light

    print(f"remap-backend: error: {one_line(message)}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
