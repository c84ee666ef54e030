"""A wheel's RECORD: read it strictly, check content against it, write it canonically."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
from typing import Dict, Iterable, List, Mapping, NamedTuple, Optional, Tuple

from ..errors import RemapError

#: Hashes a RECORD may use (PEP 376/427: a hashlib algorithm, nothing weaker than sha256).
ALLOWED_ALGORITHMS = frozenset(
    name for name in hashlib.algorithms_guaranteed
    if name not in ("md5", "sha1", "sha224") and not name.startswith("shake_")
)
#: RECORD files larger than this are not plausible and are refused.
MAX_RECORD_BYTES = 256 * 1024**2


class Row(NamedTuple):
    path: str
    algorithm: Optional[str]
    digest: Optional[str]
    size: Optional[int]


def b64_digest(digest: bytes) -> str:
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def parse(content: bytes, archive: str, record_name: str) -> Dict[str, Row]:
    """Rows by path; raise RemapError on anything a strict installer would reject."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise RemapError(f"{archive}: {record_name} is not UTF-8; rebuild the wheel") from None
    rows: Dict[str, Row] = {}
    try:
        for fields in csv.reader(io.StringIO(text, newline="")):
            if not fields:
                continue
            if len(fields) != 3:
                raise RemapError(
                    f"{archive}: {record_name} has a line with {len(fields)} fields, not 3; rebuild the wheel"
                )
            path, hash_field, size_field = fields
            if path in rows:
                raise RemapError(f"{archive}: {record_name} lists {path!r} twice; rebuild the wheel")
            rows[path] = _row(path, hash_field, size_field, archive, record_name)
    except csv.Error as exc:
        raise RemapError(f"{archive}: {record_name} is not valid CSV ({exc}); rebuild the wheel") from None
    return rows


def _row(path: str, hash_field: str, size_field: str, archive: str, record_name: str) -> Row:
    algorithm = digest = None
    if hash_field:
        algorithm, _, digest = hash_field.partition("=")
        if algorithm not in ALLOWED_ALGORITHMS or not digest:
            raise RemapError(
                f"{archive}: {record_name} hashes {path!r} with {hash_field!r}; "
                "only sha256 or stronger hashlib algorithms are allowed, rebuild the wheel"
            )
    size = None
    if size_field:
        if not size_field.isdigit():
            raise RemapError(f"{archive}: {record_name} gives {path!r} the size {size_field!r}; rebuild the wheel")
        size = int(size_field)
    return Row(path, algorithm, digest, size)


def check_against(row: Optional[Row], name: str, digests: Dict[str, bytes], size: int, archive: str) -> None:
    """Raise if RECORD's claim about ``name`` disagrees with its real content."""
    if row is None:
        return
    if row.size is not None and row.size != size:
        raise _lie(archive, name, f"a size of {row.size} bytes", f"it has {size}")
    if row.algorithm is not None:
        actual = b64_digest(digests[row.algorithm])
        if actual != row.digest:
            raise _lie(archive, name, f"{row.algorithm}={row.digest}", f"its content hashes to {actual}")


def _lie(archive: str, name: str, claim: str, truth: str) -> RemapError:
    return RemapError(
        f"{archive}: RECORD claims {claim} for {name!r} but {truth}; "
        "the wheel was altered after it was built, rebuild it"
    )


def render(rows: Iterable[Tuple[str, str, int]], record_name: str) -> bytes:
    """RECORD text: one ``path,sha256=...,size`` line per member in archive order, itself last."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for path, digest, size in rows:
        writer.writerow((path, f"sha256={digest}", size))
    writer.writerow((record_name, "", ""))
    return buffer.getvalue().encode("utf-8")


def algorithms_for(row: Optional[Row]) -> List[str]:
    """Hashes to compute for a member: sha256 for the new RECORD, plus whatever the old one used."""
    if row is not None and row.algorithm and row.algorithm != "sha256":
        return ["sha256", row.algorithm]
    return ["sha256"]


def row_for(name: str, data: bytes) -> Tuple[str, str, int]:
    """The (path, sha256 digest, size) that :func:`render` writes for one member."""
    return name, b64_digest(hashlib.sha256(data).digest()), len(data)


def updated(content: bytes, changed: Mapping[str, bytes]) -> bytes:
    """RECORD ``content`` with the rows of the ``changed`` members recomputed; order and other rows kept."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in csv.reader(io.StringIO(content.decode("utf-8"), newline="")):
        if row and row[0] in changed:
            path, digest, size = row_for(row[0], changed[row[0]])
            row = [path, f"sha256={digest}", str(size)]
        writer.writerow(row)
    return buffer.getvalue().encode("utf-8")
