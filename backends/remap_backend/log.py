"""One short line per hook on stderr, more when ``remap.verbose`` is on."""

import sys

_verbose = False


def set_verbose(on: bool) -> None:
    global _verbose
    _verbose = on


def info(message: str) -> None:
    print(f"remap-backend: {message}", file=sys.stderr, flush=True)


def debug(message: str) -> None:
    if _verbose:
        print(f"remap-backend:   {message}", file=sys.stderr, flush=True)


def warn(message: str) -> None:
    print(f"remap-backend: warning: {message}", file=sys.stderr, flush=True)
