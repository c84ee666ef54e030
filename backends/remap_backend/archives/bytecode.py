"""Bytecode this interpreter's own marshal can be handed without crashing.

``canonical_pyc`` checks its result by loading and dumping both spellings
with the running interpreter's ``marshal``, which is not safe on hostile
data. On 3.11-3.13, dumping a code object deoptimizes a copy of its bytecode
and writes the inline-cache units of the last instruction past the end of
that copy when the bytecode stops inside them (a heap overflow that crashes
the process later, at a random place); 3.12 and 3.13 already do a similar
write when loading, and they follow a NULL pointer on an instrumented or
executor opcode. CPython never writes either into a .pyc, so such a file is
corrupt. The tables come from the running interpreter's ``opcode`` module:
the check only applies to files of its own magic number.
"""

from __future__ import annotations

import opcode
import sys
from typing import FrozenSet, List, Optional, Tuple

#: Opcodes that only exist at run time, in place of the compiled instruction.
_RUNTIME_ONLY_PREFIXES = ("INSTRUMENTED_",)
_RUNTIME_ONLY = frozenset(("ENTER_EXECUTOR",))


def _tables() -> Optional[Tuple[FrozenSet[int], List[int]]]:
    """(opcodes the compiler writes, inline-cache units per opcode), or None if ``opcode`` does not say."""
    entries = getattr(opcode, "_inline_cache_entries", None)
    if entries is None:
        return None
    caches = [0] * 256
    if isinstance(entries, dict):  # 3.13+: by name
        for name, units in entries.items():
            code = opcode.opmap.get(name)
            if code is not None and code < 256:
                caches[code] = units
    else:  # 3.11-3.12: by opcode
        for code, units in enumerate(list(entries)[:256]):
            caches[code] = units
    written = frozenset(
        code for name, code in opcode.opmap.items()
        if code < 256 and not name.startswith(_RUNTIME_ONLY_PREFIXES) and name not in _RUNTIME_ONLY
    )
    return written, caches


#: Before 3.11 there are no inline caches: marshal copies co_code as it is.
NEEDED = sys.version_info >= (3, 11)
_TABLES = _tables() if NEEDED else None
#: False on a newer Python whose ``opcode`` module no longer has the tables: nothing can be checked.
CHECKABLE = not NEEDED or _TABLES is not None


def bytecode_problem(code: bytes) -> Optional[str]:
    """Why ``code`` (a code object's ``co_code``) must not reach this interpreter's marshal, or None.

    Call only when :data:`CHECKABLE`.
    """
    if _TABLES is None:
        return None
    written, caches = _TABLES
    if len(code) % 2:
        return "bytecode of odd length"
    units = len(code) // 2
    index = 0
    while index < units:
        op = code[2 * index]
        if op not in written:
            return f"bytecode holds opcode {op}, which this Python's compiler never writes"
        index += 1 + caches[op]
    if index > units:
        return "bytecode ends inside the inline cache of its last instruction"
    return None
