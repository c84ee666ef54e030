"""One short line per hook on stderr, more when ``remap.verbose`` is on."""

import sys

#: Control characters (a newline in a file name...) would split a message; shown escaped instead.
_ESCAPES = {code: f"\\x{code:02x}" for code in (*range(0x20), 0x7F)}
_ESCAPES.update({ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"})


def one_line(message: str) -> str:
    """``message`` with control characters escaped: every message is exactly one line."""
    return message.translate(_ESCAPES)

_verbose = False


def set_verbose(on: bool) -> None:
    global _verbose
    _verbose = on


def info(message: str) -> None:
    print(f"remap-backend: {one_line(message)}", file=sys.stderr, flush=True)


def debug(message: str) -> None:
    if _verbose:
        print(f"remap-backend:   {one_line(message)}", file=sys.stderr, flush=True)


def warn(message: str) -> None:
    print(f"remap-backend: warning: {one_line(message)}", file=sys.stderr, flush=True)
