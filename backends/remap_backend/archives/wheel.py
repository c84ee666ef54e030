"""Rewrite a wheel so its bytes depend only on its content and SOURCE_DATE_EPOCH.

Members are sorted (``.dist-info`` last, RECORD the very last), get one
timestamp, mode 0644 or 0755, no extra fields and no directory entries; .pyc
members are canonicalized; RECORD is checked against the real content and
regenerated. Already-deflated members are copied raw (no recompression), but
every byte is still inflated once to check CRC, size and RECORD hash (there
is no mode that skips it: see docs/archives.md, "No trusted mode"). A member
RECORD does not list is refused unless the caller allows it (``allow_unlisted``;
then it is added to RECORD).
"""

from __future__ import annotations

import hashlib
import os
import stat
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Callable, Dict, Iterator, List, Optional, Tuple, Union

from .. import log
from ..errors import RemapError
from . import record, zipfmt
from ..atomic import atomic_path
from .digest import Digest
from .scrub import is_text_name, scrubbed
from .safety import Budget, Limits, check_link_chains, check_link_target, check_member_name, check_unique
from .sinks import CompareSink
from ..remap.varying import Matcher

if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor

#: Called with (member name, final content) for every member but RECORD, possibly from helper threads.
Observer = Callable[[str, bytes], None]

#: Helper threads that inflate and check raw-copied members (zlib and hashlib
#: release the GIL, so they run in parallel with each other and the copy).
VERIFY_THREADS = max(1, min(4, os.cpu_count() or 1))

#: Below this much deflated data the members are verified inline: starting and
#: joining the helpers (and importing concurrent.futures) costs ~1.5 ms, about
#: what two helpers save on 1 MiB (inflating and hashing it takes ~3 ms).
PARALLEL_VERIFY_BYTES = 1 << 20


def normalized_mode(unix_mode: int) -> int:
    """Regular files 0644, or 0755 if any execute bit is set; symlinks stay symlinks."""
    if stat.S_ISLNK(unix_mode):
        return stat.S_IFLNK | 0o777
    return stat.S_IFREG | (0o755 if unix_mode & 0o111 else 0o644)


class _Wheel:
    """One open wheel: its validated entries, RECORD and the order we will write."""

    def __init__(self, handle: BinaryIO, size: int, archive: str, limits: Limits) -> None:
        self.handle = handle
        self.path: Optional[Path] = None
        self.archive = archive
        self.verifiers: Optional["ThreadPoolExecutor"] = None
        self.scrub: Optional[Matcher] = None
        self.observe: Optional[Observer] = None
        self.allow_unlisted = False
        self.budget = Budget(archive, limits)
        self.entries = zipfmt.read_entries(handle, size, archive)
        self.budget.check_members(len(self.entries))
        self.budget.check_declared(sum(entry.size for entry in self.entries))
        clean = [check_member_name(archive, entry.name) for entry in self.entries]
        check_unique(archive, clean)
        self.files = [entry for entry in self.entries if not entry.is_dir]
        self.record_entry = self._find_record()
        self.record_name = self.record_entry.name
        self.dist_info = self.record_name.split("/")[0]
        record_bytes = self.read_all(self.record_entry, record.MAX_RECORD_BYTES)
        self.rows = record.parse(record_bytes, archive, self.record_name)
        self.old_record = record_bytes
        names = {entry.name for entry in self.files}
        directories = {entry.name for entry in self.entries if entry.is_dir}
        for path in self.rows:
            if path not in names and path.rstrip("/") + "/" not in directories:
                raise RemapError(
                    f"{archive}: RECORD lists {path!r}, which is not in the wheel; "
                    "the wheel was altered after it was built, rebuild it"
                )
        self.order = sorted(self.files, key=self._order_key)

    def _find_record(self) -> zipfmt.Entry:
        found = [
            entry for entry in self.files
            if entry.name.count("/") == 1 and entry.name.endswith(".dist-info/RECORD")
        ]
        if len(found) != 1:
            what = "no" if not found else f"{len(found)}"
            raise RemapError(
                f"{self.archive}: has {what} top-level *.dist-info/RECORD; "
                "not a wheel, or a broken one — rebuild it"
            )
        return found[0]

    def _order_key(self, entry: zipfmt.Entry) -> Tuple[bool, bool, List[str]]:
        parts = entry.name.split("/")
        return (entry is self.record_entry, parts[0] == self.dist_info, parts)

    def read_all(self, entry: zipfmt.Entry, limit: Optional[int] = None) -> bytes:
        """Whole content of a (small) member, CRC- and size-checked."""
        if limit is not None and entry.size > limit:
            raise RemapError(f"{self.archive}: {entry.name!r} is implausibly large ({entry.size} bytes)")
        inflater = zipfmt.Inflater(entry, self.archive)
        pieces: List[bytes] = []
        total = 0
        for chunk in zipfmt.read_raw(self.handle, entry):
            for out in inflater.feed(chunk):
                total += len(out)
                self._check_growth(entry, total)
                pieces.append(out)
        inflater.finish()
        content = b"".join(pieces)
        self._check_integrity(entry, zlib.crc32(content), len(content))
        return content

    def _check_growth(self, entry: zipfmt.Entry, total: int) -> None:
        if total > entry.size:
            raise RemapError(
                f"{self.archive}: member {entry.name!r} inflates to more than its declared "
                f"{entry.size} bytes (corrupt, or a zip bomb); rebuild the archive"
            )

    def _check_integrity(self, entry: zipfmt.Entry, crc: int, size: int) -> None:
        if size != entry.size or crc != entry.crc:
            raise RemapError(
                f"{self.archive}: member {entry.name!r} fails its CRC/size check; "
                "the archive is corrupt, rebuild or download it again"
            )

    def reasons(self, epoch: int, recompress: bool) -> List[str]:
        """Why the archive is not canonical yet, judged from metadata alone."""
        found = []
        if [e.name for e in self.entries] != [e.name for e in self.order]:
            found.append("member order" if len(self.entries) == len(self.order) else "directory entries")
        when = zipfmt.dos_datetime(epoch)
        if any(e.dos_time != when for e in self.entries):
            found.append("timestamps")
        if any(e.create_system != 3 or e.external_attr != normalized_mode(e.unix_mode) << 16 for e in self.files):
            found.append("permissions")
        if any(e.has_extras for e in self.entries):
            found.append("extra fields")
        if any(e.method != zipfmt.DEFLATED for e in self.files) or recompress:
            found.append("compression")
        return found


def normalize_wheel(
    path: Path, epoch: int, check: bool = False, recompress: bool = False, limits: Optional[Limits] = None,
    allow_unlisted: bool = False, scrub: Optional[Matcher] = None, observe: Optional[Observer] = None,
    durable: bool = True,
) -> List[str]:
    """Normalize the wheel at ``path`` in place; return why it changed ([] = already canonical).

    With ``check`` nothing is written. ``recompress`` deflates every member
    again with our settings instead of copying deflated data as it is.
    ``scrub`` replaces the build's varying paths in text members (``scrub.py``);
    ``observe`` sees every member's final content in the same pass (the leak guard).
    """
    limits = limits or Limits.from_environ()
    hooks = (scrub, observe)
    if check:
        wheel, changed_members, same = _rewrite(path, None, epoch, recompress, limits, allow_unlisted, hooks)
    else:
        # the input is closed before the rename: Windows cannot replace an open file
        with atomic_path(path, durable) as temp:
            wheel, changed_members, same = _rewrite(path, temp, epoch, recompress, limits, allow_unlisted, hooks)
            if same:
                temp.unlink()
    if same:
        return []
    reasons = wheel.reasons(epoch, recompress) + changed_members
    return reasons or ["zip metadata"]


def _rewrite(
    path: Path, temp: Optional[Path], epoch: int, recompress: bool, limits: Limits, allow_unlisted: bool,
    hooks: Tuple[Optional[Matcher], Optional[Observer]] = (None, None),
) -> Tuple[_Wheel, List[str], bool]:
    """Write the canonical wheel to ``temp`` (None: only compare); (wheel, reasons, identical?)."""
    with open(path, "rb") as handle, open(path, "rb") as original:
        wheel = _Wheel(handle, os.fstat(handle.fileno()).st_size, path.name, limits)
        wheel.path = path
        wheel.allow_unlisted = allow_unlisted
        wheel.scrub, wheel.observe = hooks
        if sum(entry.compressed_size for entry in wheel.files) >= PARALLEL_VERIFY_BYTES:
            from concurrent.futures import ThreadPoolExecutor

            wheel.verifiers = ThreadPoolExecutor(VERIFY_THREADS, thread_name_prefix="remap-verify")
        try:
            if temp is None:
                sink = CompareSink(original)
                changed_members = _write(wheel, sink, epoch, recompress)
            else:
                # unbuffered (kernel copies go straight to the fd); no O_TRUNC (ext4 flushes on close)
                with open(temp, "r+b", buffering=0) as out:
                    sink = CompareSink(original, also=out)
                    changed_members = _write(wheel, sink, epoch, recompress)
            return wheel, changed_members, sink.identical()
        finally:  # no helper may still read from ``handle`` once it is closed
            if wheel.verifiers is not None:
                wheel.verifiers.shutdown(wait=True, cancel_futures=True)


def _write(wheel: _Wheel, sink: CompareSink, epoch: int, recompress: bool) -> List[str]:
    """Stream the canonical wheel into ``sink``; return content-level reasons for a change."""
    writer = zipfmt.Writer(sink, zipfmt.dos_datetime(epoch))  # type: ignore[arg-type]
    rows: List[Tuple[str, Union[str, "Future[str]"], int]] = []
    links: Dict[str, str] = {}
    pyc_changed = False
    scrubbed_any = False
    for entry in wheel.order:
        if entry is wheel.record_entry:
            continue
        mode = normalized_mode(entry.unix_mode)
        row = wheel.rows.get(entry.name)
        if row is None and not wheel.allow_unlisted:
            raise RemapError(f"{wheel.archive}: member {entry.name!r} is not listed in RECORD (added after the "
                             "build?); rebuild the wheel, or pass --allow-unlisted to add it to RECORD")
        if wheel.scrub and not stat.S_ISLNK(mode) and is_text_name(entry.name):
            digest, changed = _scrub_text(wheel, entry, row, writer, mode, recompress)
            scrubbed_any = scrubbed_any or changed
            rows.append((entry.name, digest[0], digest[1]))
        elif stat.S_ISLNK(mode) or entry.name.endswith(".pyc"):
            content = wheel.read_all(entry)
            _check_record(wheel, entry, row, content)
            if stat.S_ISLNK(mode):
                links[entry.name] = content.decode("utf-8", "surrogateescape")
                check_link_target(wheel.archive, entry.name, links[entry.name])
            else:
                canonical = _canonical_pyc_member(wheel, entry, content)
                if canonical != content:
                    content, pyc_changed = canonical, True
            wheel.budget.spend(len(content))
            writer.add(entry.name, mode, content)
            if wheel.observe is not None:
                wheel.observe(entry.name, content)
            rows.append((entry.name, record.b64_digest(hashlib.sha256(content).digest()), len(content)))
        elif entry.method == zipfmt.DEFLATED and not recompress:
            rows.append((entry.name, _copy_raw(wheel, entry, row, writer, mode), entry.size))
        else:
            rows.append((entry.name, _recompress(wheel, entry, row, writer, mode), entry.size))
        _raise_early(rows)
    check_link_chains(wheel.archive, links)
    rows = [(name, _resolve(digest), size) for name, digest, size in rows]
    new_record = record.render(rows, wheel.record_name)
    writer.add(wheel.record_name, normalized_mode(0), new_record)
    writer.finish()
    reasons = []
    if pyc_changed:
        reasons.append(".pyc marshal data")
    if scrubbed_any:
        reasons.append("build paths in text members")
    if new_record != wheel.old_record:
        reasons.append("RECORD")
    return reasons


def _scrub_text(
    wheel: _Wheel, entry: zipfmt.Entry, row: Optional[record.Row], writer: zipfmt.Writer, mode: int,
    recompress: bool,
) -> Tuple[Tuple[str, int], bool]:
    """A text candidate, its varying paths replaced; ((sha256, size), whether it changed).

    Unchanged members keep their deflate stream (copied raw), as every other member does.
    """
    assert wheel.scrub is not None
    content = wheel.read_all(entry)
    _check_record(wheel, entry, row, content)
    new = scrubbed(entry.name, content, wheel.scrub)
    wheel.budget.spend(len(content))
    if new is not None:
        writer.add(entry.name, mode, new)
    elif entry.method == zipfmt.DEFLATED and not recompress:
        writer.begin(entry.name, mode, entry.crc, entry.compressed_size, entry.size)
        writer.copy_raw(wheel.handle, entry.data_offset, entry.compressed_size)
        writer.end()
    else:
        writer.add(entry.name, mode, content)
    final = content if new is None else new
    if wheel.observe is not None:
        wheel.observe(entry.name, final)
    return (record.b64_digest(hashlib.sha256(final).digest()), len(final)), new is not None


def _check_record(wheel: _Wheel, entry: zipfmt.Entry, row: Optional[record.Row], content: bytes) -> None:
    digests = {name: hashlib.new(name, content).digest() for name in record.algorithms_for(row)}
    record.check_against(row, entry.name, digests, len(content), wheel.archive)


def _canonical_pyc_member(wheel: _Wheel, entry: zipfmt.Entry, content: bytes) -> bytes:
    """The member's canonical bytes; the .pyc reader loads only for wheels that ship bytecode."""
    from .pyc import CorruptPyc, UnsupportedPyc, canonical_pyc

    try:
        return canonical_pyc(content)
    except CorruptPyc as exc:
        raise RemapError(f"{wheel.archive}: {entry.name!r} is a corrupt .pyc ({exc}); rebuild the wheel") from None
    except UnsupportedPyc as exc:
        log.warn(f"{wheel.archive}: {entry.name} left untouched: {exc}")
        return content


def _resolve(digest: Union[str, "Future[str]"]) -> str:
    return digest if isinstance(digest, str) else digest.result()


def _raise_early(rows: List[Tuple[str, Union[str, "Future[str]"], int]]) -> None:
    """Stop at once when a verification already failed (the usual case is the last submitted)."""
    for _, digest, _ in rows[-VERIFY_THREADS - 1:]:
        if not isinstance(digest, str) and digest.done() and digest.exception() is not None:
            digest.result()


def _copy_raw(
    wheel: _Wheel, entry: zipfmt.Entry, row: Optional[record.Row], writer: zipfmt.Writer, mode: int,
) -> Union[str, "Future[str]"]:
    """Copy deflated data as it is; return its sha256, or a future of it while a helper verifies it.

    Small wheels have no helpers (``PARALLEL_VERIFY_BYTES``): the member is verified at once.

    The bytes are copied (in the kernel where possible) while helper threads
    inflate them to check CRC, size and RECORD: the archive is only renamed
    into place after every check passed.
    """
    wheel.budget.spend(entry.size)  # declared size; the check below stops anything larger
    writer.begin(entry.name, mode, entry.crc, entry.compressed_size, entry.size)
    writer.copy_raw(wheel.handle, entry.data_offset, entry.compressed_size)
    writer.end()
    if wheel.verifiers is None:
        return _verify(wheel, entry, row)
    return wheel.verifiers.submit(_verify, wheel, entry, row)


def _verify(wheel: _Wheel, entry: zipfmt.Entry, row: Optional[record.Row]) -> str:
    """Inflate one member (with its own reads: safe on a helper thread) and check it; return its sha256."""
    digest = Digest(record.algorithms_for(row))
    inflater = zipfmt.Inflater(entry, wheel.archive)
    kept: Optional[List[bytes]] = [] if wheel.observe is not None else None
    total = 0
    for chunk in _own_reads(wheel, entry):
        for out in inflater.feed(chunk):
            total += len(out)
            if total > entry.size:
                wheel._check_growth(entry, total)
            digest.update(out)
            if kept is not None:
                kept.append(out)
    inflater.finish()
    digests, crc = digest.result()
    wheel._check_integrity(entry, crc, total)
    record.check_against(row, entry.name, digests, total, wheel.archive)
    if kept is not None and wheel.observe is not None:
        wheel.observe(entry.name, b"".join(kept))
    return record.b64_digest(digests["sha256"])


def _own_reads(wheel: _Wheel, entry: zipfmt.Entry) -> Iterator[bytes]:
    """The member's raw bytes without touching the shared file position (positioned reads, or our own handle)."""
    if hasattr(os, "pread"):
        yield from zipfmt.read_raw_at(wheel.handle.fileno(), entry)
        return
    assert wheel.path is not None
    with open(wheel.path, "rb") as own:
        yield from zipfmt.read_raw(own, entry)


def _recompress(
    wheel: _Wheel, entry: zipfmt.Entry, row: Optional[record.Row], writer: zipfmt.Writer, mode: int,
) -> str:
    """Inflate, verify and deflate one member with our settings; return its sha256."""
    digest = Digest(record.algorithms_for(row))
    inflater = zipfmt.Inflater(entry, wheel.archive)
    compressor = zlib.compressobj(zipfmt.DEFLATE_LEVEL, zlib.DEFLATED, -15)
    packed: List[bytes] = []
    kept: Optional[List[bytes]] = [] if wheel.observe is not None else None
    total = 0
    for chunk in zipfmt.read_raw(wheel.handle, entry):
        for out in inflater.feed(chunk):
            total += len(out)
            if total > entry.size:
                wheel._check_growth(entry, total)
            wheel.budget.spend(len(out))
            digest.update(out)
            packed.append(compressor.compress(out))
            if kept is not None:
                kept.append(out)
    inflater.finish()
    digests, crc = digest.result()
    wheel._check_integrity(entry, crc, total)
    record.check_against(row, entry.name, digests, total, wheel.archive)
    if kept is not None and wheel.observe is not None:
        wheel.observe(entry.name, b"".join(kept))
    packed.append(compressor.flush())
    data = b"".join(packed)
    writer.begin(entry.name, mode, crc, len(data), total)
    writer.data(data)
    writer.end()
    return record.b64_digest(digests["sha256"])
