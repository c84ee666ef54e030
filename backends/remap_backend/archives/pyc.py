"""Canonical .pyc files: marshal data that no longer depends on the compiling process.

CPython's marshal writer sets ``FLAG_REF`` on every object whose reference
count is above one when it is written, so whether a constant that occurs
*once* carries the flag (and the numbering of every later back-reference)
depends on who else held a reference at that moment (python/cpython#129724).
Sets are a second source: before 3.11 their element order follows the
(randomized) string hash.

The canonical form keeps the object graph exactly as it is (the same objects,
the same sharing, the same type codes) and only changes how it is spelled:

* ``FLAG_REF`` is set on an object iff the graph refers to it more than once;
  back-references are numbered in the order the reader meets them;
* elements of sets and frozensets are ordered by their own canonical bytes.

It unmarshals to an equal object. Broken input (an empty or truncated file,
a bad header, an unknown type code, trailing bytes, a reference CPython itself
would reject) raises :class:`CorruptPyc`; input this module may not rewrite
(an unknown magic number, a graph beyond the work limits below) raises
:class:`UnsupportedPyc`, and callers leave that file as it is with a warning.

All work is bounded: the reader stops at :data:`MAX_DEPTH`, the writer at the
same depth and at a work budget linear in the input (:func:`_work_budget`),
and nothing compares untrusted objects with Python's ``==``.
"""

from __future__ import annotations

import importlib.util
import marshal
import struct
from typing import Dict, List, Optional, Tuple, Union

from ..log import one_line
from . import bytecode

FLAG_REF = 0x80
HEADER_SIZE = 16

#: Magic numbers of final CPython releases whose code-object layout we know.
#: "old" = 3.8-3.10 (nlocals, varnames/freevars/cellvars, lnotab/linetable);
#: "new" = 3.11+ (localsplus*, qualname, exception table).
KNOWN_MAGIC = {
    3413: "old",  # 3.8
    3425: "old",  # 3.9
    3439: "old",  # 3.10
    3495: "new",  # 3.11
    3531: "new",  # 3.12
    3571: "new",  # 3.13
}

#: Deepest nesting we follow (CPython's reader allows 2000; real code stays far
#: below 100, and Python's own recursion limit must not be reached first).
MAX_DEPTH = 200

# Type codes (Python/marshal.c).
_SINGLETONS = frozenset(b"0NFTS.")
_NULL = ord("0")
_INT, _INT64, _LONG = ord("i"), ord("I"), ord("l")
_FLOAT, _BINARY_FLOAT, _COMPLEX, _BINARY_COMPLEX = ord("f"), ord("g"), ord("x"), ord("y")
_STRING_LIKE = frozenset(b"stuaA")  # int32 length + bytes
_SHORT_ASCII = frozenset(b"zZ")  # uint8 length + bytes
_TUPLE, _SMALL_TUPLE, _LIST, _DICT = ord("("), ord(")"), ord("["), ord("{")
_SET, _FROZENSET, _CODE, _REF, _SLICE = ord("<"), ord(">"), ord("c"), ord("r"), ord(":")
_SETS = frozenset((_SET, _FROZENSET))
_TUPLE_LIKE = frozenset((_TUPLE, _LIST, _SET, _FROZENSET))
#: Containers that may hold themselves: CPython registers them before their
#: children and nothing hashes or walks them while they are incomplete. A tuple
#: is registered early too, but one that holds itself crashes CPython (it
#: hashes the empty slots, or interns constants without end), so it is refused.
_MAY_HOLD_ITSELF = frozenset((_LIST, _DICT, _SET))
_TYPE_BYTES = ord("s")

_int32 = struct.Struct("<i")
_uint32 = struct.Struct("<I")


class UnsupportedPyc(ValueError):
    """This file is not marshal data we can rewrite safely; leave it untouched."""


class CorruptPyc(UnsupportedPyc):
    """This file is broken (not valid marshal data of a known format): an error, not a warning."""


def _work_budget(size: int) -> int:
    """Units of work (bytes copied, objects visited) allowed for ``size`` bytes of input.

    Real .pyc files need about twice their size (set elements are written once
    to sort them, once in place); nested sets that share members need more,
    and marshal's own writer needs exponentially more (it serializes every set
    element afresh to sort it, python/cpython#81777).
    """
    return 8 * size + (1 << 20)


class _Node:
    """An object that carries FLAG_REF in the input (so may be shared), or a set.

    Everything else is kept as raw byte spans inside its parent's ``parts``:
    an object without FLAG_REF can never be referred to again, so only its
    flagged descendants can need rewriting.
    """

    __slots__ = ("kind", "parts", "uses", "complete", "elements", "height")

    def __init__(self, kind: int) -> None:
        self.kind = kind
        self.parts: List[Union[bytes, "_Node"]] = []
        self.uses = 1
        self.complete = False
        self.elements: Optional[List[List[Union[bytes, "_Node"]]]] = None
        self.height = 0  # containers on the longest path down, back-references followed


class _Reader:
    """Parse marshal data into raw spans and :class:`_Node` objects, counting references."""

    def __init__(self, data: bytes, layout: str) -> None:
        self.data = data
        self.size = len(data)
        self.pos = 0
        self.mark = 0  # start of the raw span not yet copied into the list being filled
        self.layout = layout
        self.refs: List[_Node] = []
        self.sets: List[_Node] = []  # every set node, in the order its reading finished
        self.bytecodes: List[Optional[bytes]] = []  # each code object's co_code (None: not bytes)

    def _flush(self, parts: List[Union[bytes, _Node]], upto: int) -> None:
        if upto > self.mark:
            parts.append(self.data[self.mark:upto])

    def _need(self, end: int) -> None:
        if end > self.size:
            raise CorruptPyc("marshal data is truncated")

    def _size32(self, at: int) -> int:
        self._need(at + 4)
        value = _int32.unpack_from(self.data, at)[0]
        if value < 0:
            raise CorruptPyc("negative size in marshal data")
        return value

    def root(self) -> List[Union[bytes, _Node]]:
        parts: List[Union[bytes, _Node]] = []
        self.obj(parts, 0)
        self._flush(parts, self.pos)
        if self.pos != self.size:
            raise CorruptPyc("trailing bytes after the marshalled object")
        return parts

    def obj(self, parts: List[Union[bytes, _Node]], depth: int) -> int:
        """Parse one object at ``pos`` into ``parts`` (the list being filled); return its height."""
        if depth > MAX_DEPTH:
            raise UnsupportedPyc("marshal data nested too deeply")
        data = self.data
        start = self.pos
        self._need(start + 1)
        code = data[start]
        kind = code & 0x7F
        if code & FLAG_REF and kind != _REF:
            if kind in _SINGLETONS:  # CPython ignores the flag here; drop it
                self._flush(parts, start)
                parts.append(bytes((kind,)))
                self.pos = self.mark = start + 1
                if kind == _NULL:
                    raise CorruptPyc("NULL object outside a dict in marshal data")
                return 0
            node = _Node(kind)
            self.refs.append(node)
            self._flush(parts, start)
            parts.append(node)
            self.pos = self.mark = start + 1
            node.height = self.body(kind, node, node.parts, depth)
            self._flush(node.parts, self.pos)
            node.complete = True
            if kind in _SETS:
                self.sets.append(node)
            self.mark = self.pos
            return node.height
        if kind == _REF:
            self._need(start + 5)
            index = _int32.unpack_from(data, start + 1)[0]
            if not 0 <= index < len(self.refs):
                raise CorruptPyc("invalid back-reference in marshal data")
            target = self.refs[index]
            if not target.complete and target.kind in (_TUPLE, _SMALL_TUPLE):
                raise CorruptPyc("a tuple contains itself in marshal data")
            if not target.complete and target.kind not in _MAY_HOLD_ITSELF:
                raise CorruptPyc("back-reference to an object still being read")
            target.uses += 1
            self._flush(parts, start)
            parts.append(target)
            self.pos = self.mark = start + 5
            return target.height  # 0 for a container still being read: a cycle adds nothing
        if kind in _SETS:
            node = _Node(kind)
            node.complete = True  # unflagged: nobody can refer to it
            self._flush(parts, start)
            parts.append(node)
            self.pos = self.mark = start + 1
            node.height = self.body(kind, node, node.parts, depth)
            self._flush(node.parts, self.pos)
            self.sets.append(node)
            self.mark = self.pos
            return node.height
        self.pos = start + 1
        if kind == _NULL:
            raise CorruptPyc("NULL object outside a dict in marshal data")
        return self.body(kind, None, parts, depth)

    @staticmethod
    def _above(height: int) -> int:
        """The height of a container whose tallest child has ``height``.

        Back-references let data that nests two deep describe a graph that
        nests millions deep, and CPython's C code recurses on that graph
        (hashing a tuple, interning constants) until the stack overflows.
        """
        if height >= MAX_DEPTH:
            raise UnsupportedPyc("marshal data nested too deeply (through back-references)")
        return height + 1

    def body(self, kind: int, node: Optional[_Node], parts: List[Union[bytes, _Node]], depth: int) -> int:
        """Parse what follows the type byte (plain bytes stay in the current span); return the height."""
        pos = self.pos
        data = self.data
        if kind in _SHORT_ASCII:
            self._need(pos + 1)
            end = pos + 1 + data[pos]
        elif kind in _STRING_LIKE:
            end = pos + 4 + self._size32(pos)
        elif kind == _SMALL_TUPLE or kind in _TUPLE_LIKE:
            if kind == _SMALL_TUPLE:
                self._need(pos + 1)
                count, self.pos = data[pos], pos + 1
            else:
                count, self.pos = self._size32(pos), pos + 4
            tallest = 0
            if kind in _SETS:
                self._flush(parts, self.pos)  # the size header
                node.elements = []  # type: ignore[union-attr]
                for _ in range(count):
                    element: List[Union[bytes, _Node]] = []
                    self.mark = self.pos
                    tallest = max(tallest, self.obj(element, depth + 1))
                    self._flush(element, self.pos)
                    node.elements.append(element)  # type: ignore[union-attr]
                self.mark = self.pos
                return self._above(tallest)
            for _ in range(count):
                tallest = max(tallest, self.obj(parts, depth + 1))
            return self._above(tallest)
        elif kind == _INT:
            end = pos + 4
        elif kind == _CODE:
            return self.code(parts, depth)
        elif kind == _DICT:
            tallest = 0
            while True:
                self._need(self.pos + 1)
                terminator = data[self.pos]
                if terminator & 0x7F == _NULL:
                    if terminator != _NULL:
                        self._flush(parts, self.pos)
                        parts.append(b"0")
                        self.mark = self.pos + 1
                    self.pos += 1
                    return self._above(tallest)
                tallest = max(tallest, self.obj(parts, depth + 1), self.obj(parts, depth + 1))
        elif kind == _INT64 or kind == _BINARY_FLOAT:
            end = pos + 8
        elif kind == _BINARY_COMPLEX:
            end = pos + 16
        elif kind == _LONG:
            self._need(pos + 4)
            end = pos + 4 + 2 * abs(_int32.unpack_from(data, pos)[0])
        elif kind == _FLOAT:
            self._need(pos + 1)
            end = pos + 1 + data[pos]
        elif kind == _COMPLEX:
            self._need(pos + 1)
            middle = pos + 1 + data[pos]
            self._need(middle + 1)
            end = middle + 1 + data[middle]
        elif kind == _SLICE:
            return self._above(max(self.obj(parts, depth + 1) for _ in range(3)))
        elif kind in _SINGLETONS:
            return 0
        else:
            raise CorruptPyc(f"unknown marshal type code {kind} ({chr(kind)!r})")
        self._need(end)
        self.pos = end
        return 0

    def _bytes_at(self, at: int) -> Optional[bytes]:
        """The content of the bytes object written (or referred to) at ``at``; None if it is no bytes."""
        kind = self.data[at] & 0x7F
        if kind == _TYPE_BYTES:
            return self.data[at + 5:self.pos]
        if kind == _REF:
            target = self.refs[_int32.unpack_from(self.data, at + 1)[0]]
            if target.kind == _TYPE_BYTES:
                return b"".join(part for part in target.parts if type(part) is bytes)[4:]
        return None

    def code(self, parts: List[Union[bytes, _Node]], depth: int) -> int:
        if self.layout == "old":
            # argcount, posonlyargcount, kwonlyargcount, nlocals, stacksize, flags;
            # code, consts, names, varnames, freevars, cellvars, filename, name;
            # firstlineno; lnotab (3.8-3.9) or linetable (3.10).
            fields, before, after = 24, 8, 1
        else:
            # argcount, posonlyargcount, kwonlyargcount, stacksize, flags;
            # code, consts, names, localsplusnames, localspluskinds, filename,
            # name, qualname; firstlineno; linetable, exceptiontable.
            fields, before, after = 20, 8, 2
        self._need(self.pos + fields)
        self.pos += fields
        tallest = 0
        for field in range(before):
            at = self.pos
            tallest = max(tallest, self.obj(parts, depth + 1))
            if field == 0:  # co_code
                self.bytecodes.append(self._bytes_at(at))
        self._need(self.pos + 4)
        self.pos += 4
        for _ in range(after):
            tallest = max(tallest, self.obj(parts, depth + 1))
        return self._above(tallest)


class _Budget:
    """Work and nesting shared by every writer of one file; exceeding either is UnsupportedPyc."""

    __slots__ = ("left", "depth")

    def __init__(self, units: int) -> None:
        self.left = units
        self.depth = 0

    def spend(self, units: int) -> None:
        self.left -= units
        if self.left < 0:
            raise UnsupportedPyc("too much shared structure in nested sets to canonicalize within the work limit")


def _count_uses(parts: List[Union[bytes, _Node]], budget: _Budget) -> Dict[int, int]:
    """How often each node is reached from ``parts`` (for a set element written on its own)."""
    uses: Dict[int, int] = {}
    stack = [part for part in parts if type(part) is _Node]
    while stack:
        node = stack.pop()
        budget.spend(1)
        seen = uses.get(id(node), 0)
        uses[id(node)] = seen + 1
        if seen == 0:
            children = node.parts if node.elements is None else [p for e in node.elements for p in e]
            stack.extend(part for part in children if type(part) is _Node)
    return uses


class _Writer:
    def __init__(self, set_keys: Dict[int, Optional[bytes]], budget: _Budget,
                 uses: Optional[Dict[int, int]] = None) -> None:
        self.index: Dict[int, int] = {}
        self.out: List[bytes] = []
        self.set_keys = set_keys  # None while the key is being computed (a set inside itself)
        self.budget = budget
        self.uses = uses  # None: use the counts the reader took for the whole file

    def write(self, parts: List[Union[bytes, _Node]]) -> None:
        out = self.out
        for part in parts:
            if type(part) is bytes:
                self.budget.spend(len(part))  # type: ignore[arg-type]
                out.append(part)  # type: ignore[arg-type]
            else:
                self.node(part)  # type: ignore[arg-type]

    def node(self, node: _Node) -> None:
        key = id(node)
        known = self.index.get(key)
        if known is not None:
            self.out.append(b"r" + _uint32.pack(known))
            return
        budget = self.budget
        budget.spend(1)
        budget.depth += 1  # shared by nested writers: it is the Python stack that grows
        if budget.depth > MAX_DEPTH:
            raise UnsupportedPyc("marshal data nested too deeply (through back-references)")
        uses = node.uses if self.uses is None else self.uses[key]
        if uses > 1:
            self.index[key] = len(self.index)
            self.out.append(bytes((node.kind | FLAG_REF,)))
        else:
            self.out.append(bytes((node.kind,)))
        self.write(node.parts)
        if node.elements is not None:
            for element in sorted(node.elements, key=self.set_key):
                self.write(element)
        budget.depth -= 1

    def set_key(self, element: List[Union[bytes, _Node]]) -> bytes:
        """The element's canonical bytes on its own: independent of where it sits."""
        if id(element) in self.set_keys:
            key = self.set_keys[id(element)]
            if key is None:
                raise CorruptPyc("a set contains itself in marshal data")
            return key
        self.set_keys[id(element)] = None
        writer = _Writer(self.set_keys, self.budget, _count_uses(element, self.budget))
        writer.write(element)
        key = b"".join(writer.out)
        self.set_keys[id(element)] = key
        return key


def _canonical(data: bytes, layout: str) -> Tuple[bytes, "_Reader"]:
    reader = _Reader(data, layout)
    parts = reader.root()
    writer = _Writer({}, _Budget(_work_budget(len(data))))
    writer.write(parts)
    return b"".join(writer.out), reader


def canonical_marshal(data: bytes, layout: str = "new") -> bytes:
    """The canonical spelling of one marshalled object (``layout``: "old" before 3.11)."""
    return _canonical(data, layout)[0]


def pyc_layout(header: bytes) -> str:
    """Which code-object layout the pyc ``header`` promises, or raise UnsupportedPyc."""
    if len(header) < HEADER_SIZE or header[2:4] != b"\r\n":
        raise CorruptPyc("not a .pyc file of Python 3.8 or newer (bad header)")
    magic = struct.unpack("<H", header[:2])[0]
    layout = KNOWN_MAGIC.get(magic)
    if layout is None and header[:4] == importlib.util.MAGIC_NUMBER:
        layout = "new" if _running_layout_is_new() else "old"
    if layout is None:
        raise UnsupportedPyc(f"unknown .pyc magic number {magic} (a newer Python?)")
    return layout


def _running_layout_is_new() -> bool:
    return hasattr(compile("0", "<probe>", "eval"), "co_qualname")


def canonical_pyc(data: bytes) -> bytes:
    """Return ``data`` with its marshal part canonicalized; the 16-byte header is kept as is.

    When the file was made by this very interpreter the result is also checked
    against the interpreter's own reader and writer (:func:`_check_same_object`),
    so a bug here can never ship a broken file; for other versions the result
    must at least parse back to itself. Raises CorruptPyc for broken input and
    UnsupportedPyc for input we leave alone; never anything else.
    """
    layout = pyc_layout(data[:HEADER_SIZE])
    body = data[HEADER_SIZE:]
    try:
        canonical, reader = _canonical(body, layout)
        if canonical == body:
            return data
        if data[:4] == importlib.util.MAGIC_NUMBER:
            _check_same_object(body, canonical, layout, reader)
        elif canonical_marshal(canonical, layout) != canonical:
            raise UnsupportedPyc("canonical form is not stable (internal error)")
    except RecursionError:  # a last resort: the limits above keep well below Python's own
        raise UnsupportedPyc("marshal data nested too deeply for this interpreter") from None
    return data[:HEADER_SIZE] + canonical


def _dumps_cost(reader: "_Reader", size: int) -> int:
    """An upper bound of the work ``marshal.dumps`` does on the loaded object.

    marshal serializes every set element on its own (fresh back-references)
    to sort it, then again in place, so a set whose members share structure
    costs the whole shared part once per member, recursively: exponential in
    the nesting. Sets are costed in the order their reading finished, so the
    cost of a nested set is known when its parent needs it (no recursion).
    Raises UnsupportedPyc as soon as the total passes the work budget.
    """
    budget = _work_budget(size)
    key_cost: Dict[int, int] = {}

    def fresh(parts: List[Union[bytes, _Node]]) -> int:
        total, seen, stack = 0, set(), list(parts)
        while stack:
            part = stack.pop()
            if type(part) is bytes:
                total += len(part)  # type: ignore[arg-type]
                continue
            if id(part) in seen:
                total += 5
                continue
            seen.add(id(part))
            total += 1
            stack.extend(part.parts)  # type: ignore[union-attr]
            if part.elements is not None:  # type: ignore[union-attr]
                if id(part) not in key_cost:
                    raise UnsupportedPyc("a set contains itself in marshal data")
                total += key_cost[id(part)]
                stack.extend(p for element in part.elements for p in element)  # type: ignore[union-attr]
            if total > budget:
                raise UnsupportedPyc("too much shared structure in nested sets to verify within the work limit")
        return total

    spent = 0
    for node in reader.sets:
        cost = sum(fresh(element) for element in node.elements or ())
        key_cost[id(node)] = cost
        spent += cost
        if spent > budget:
            raise UnsupportedPyc("too much shared structure in nested sets to verify within the work limit")
    return spent


def _check_loadable(reader: "_Reader") -> None:
    """Refuse marshal data that would crash this interpreter's ``marshal`` (memory errors, in C).

    The reader already refused a tuple that holds itself and a graph nested
    too deeply through back-references; what is left is bytecode this
    interpreter's marshal writes out of bounds on (``bytecode.py``).
    """
    if not bytecode.CHECKABLE and reader.bytecodes:
        raise UnsupportedPyc("this Python's opcode tables are unknown, so its bytecode cannot be checked")
    for code in reader.bytecodes:
        problem = None if code is None else bytecode.bytecode_problem(code)
        if problem is not None:
            raise CorruptPyc(problem)


def _check_same_object(original: bytes, canonical: bytes, layout: str, reader: "_Reader") -> None:
    """Check with the interpreter's own marshal that ``canonical`` means what ``original`` means.

    Both are loaded and dumped again by this process, and the two dumps must
    have the same canonical form. This proves that CPython reads both spellings
    as graphs that CPython itself writes the same way (same objects, same
    sharing, same type codes, set members up to order), so a bug in our reader
    or writer cannot ship; it is linear in the input because the cost of
    ``marshal.dumps`` is bounded first (:func:`_dumps_cost`). It does not
    prove anything about objects marshal writes the same way but that differ
    otherwise (none are known), nor that the code runs. Python's ``==`` is not
    used: it recurses on a list that holds itself, and takes exponential time
    on nested frozensets with NaN members, in C, where no signal stops it.
    ``marshal`` itself is not safe on hostile data either, so what crashes it
    is refused first (:func:`_check_loadable`).
    """
    _check_loadable(reader)
    _dumps_cost(reader, len(original))
    try:
        before = marshal.loads(original)
    except Exception as exc:  # noqa: BLE001 - any failure means the file is broken
        raise CorruptPyc(f"the interpreter cannot load it: {one_line(str(exc))}") from None
    try:
        after = marshal.dumps(marshal.loads(canonical))
        before_dumped = marshal.dumps(before)
    except Exception as exc:  # noqa: BLE001 - our own output: leave the file alone
        raise UnsupportedPyc(f"canonical form does not load (internal error: {one_line(str(exc))})") from None
    if canonical_marshal(before_dumped, layout) != canonical_marshal(after, layout):
        raise UnsupportedPyc("canonical form does not load to an equal object (internal error)")
