"""Option values in a tool's argument list, spelled ``--opt VALUE`` or ``--opt=VALUE``."""

from __future__ import annotations

from typing import Sequence


def option_values(args: Sequence[str], option: str) -> list[str]:
    """Every value given to ``option`` in ``args``, in order."""
    found = []
    for index, arg in enumerate(args):
        if arg == option and index + 1 < len(args):
            found.append(args[index + 1])
        elif arg.startswith(option + "="):
            found.append(arg.split("=", 1)[1])
    return found
