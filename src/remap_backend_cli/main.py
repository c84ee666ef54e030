"""Entry point of ``remap-backend``: one argparse parser, subcommands from modules.

Each subcommand lives in its own module exposing ``add_parser(subparsers)``
and ``run(args) -> int``; adding a command means adding its module name to
``SUBCOMMAND_MODULES``. A module that is missing (e.g. not written yet) is
skipped so the other commands keep working.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
import threading
from types import ModuleType
from typing import Callable, Sequence

from remap_backend._version import __version__
from remap_backend.log import one_line

from .errors import EXIT_ERROR, RemapError

SUBCOMMAND_MODULES = ("build", "verify", "diff", "scan", "normalize")

DESCRIPTION = """\
Make compiled Python wheels byte-for-byte reproducible, for your own
projects and for anyone's sdist.

examples:
  remap-backend build markupsafe==3.0.2 -o dist/
  remap-backend verify examples/setuptools-c
  remap-backend diff a/pkg-1.0-cp311-cp311-linux_x86_64.whl b/pkg-1.0-cp311-cp311-linux_x86_64.whl
  remap-backend scan dist/*.whl
"""


def _load_subcommands() -> list[ModuleType]:
    modules = []
    for name in SUBCOMMAND_MODULES:
        try:
            modules.append(importlib.import_module(f"{__package__}.{name}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{__package__}.{name}":
                raise
    return modules


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, Callable[[argparse.Namespace], int]]]:
    """The full parser, and which ``run`` function serves each subcommand name."""
    parser = argparse.ArgumentParser(
        prog="remap-backend",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"remap-backend {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    runners: dict[str, Callable[[argparse.Namespace], int]] = {}
    for module in _load_subcommands():
        before = set(subparsers.choices)
        module.add_parser(subparsers)
        for name in set(subparsers.choices) - before:
            runners[name] = module.run
    return parser, runners


class _Terminated(BaseException):
    """SIGTERM, raised in the main thread so every ``finally`` (temp files) runs."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise _Terminated()


def main(argv: Sequence[str] | None = None) -> int:
    if threading.current_thread() is not threading.main_thread():
        return _main(argv)
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        return _main(argv)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _main(argv: Sequence[str] | None) -> int:
    parser, runners = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_ERROR
    try:
        return runners[args.command](args)
    except RemapError as exc:
        _error(str(exc))
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except _Terminated:
        _error("terminated")
        return 128 + signal.SIGTERM
    except OSError as exc:
        _error(_describe_os_error(exc))
    except Exception as exc:  # noqa: BLE001 - the one place that turns bugs into one line
        if os.environ.get("REMAP_BACKEND_DEBUG"):
            raise
        _error(f"internal error: {type(exc).__name__}: {exc} (set REMAP_BACKEND_DEBUG=1 for a traceback)")
    return EXIT_ERROR


def _describe_os_error(exc: OSError) -> str:
    where = f": {exc.filename}" if exc.filename else ""
    return f"{exc.strerror or exc}{where}"


def _error(message: str) -> None:
    print(f"remap-backend: error: {one_line(message)}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
