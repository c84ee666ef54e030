"""Whole wheels the project writes itself (the CLI's proxy wheel, maturin's rewritten members).

They go through the same zip writer (:mod:`.zipfmt`) and RECORD writer
(:mod:`.record`) as the normalizer, with the same member modes and
timestamps, so a change to the wheel layout is made in one place.
"""

from __future__ import annotations

from typing import BinaryIO, Iterable, List, Sequence, Tuple

from . import record, zipfmt
from .wheel import normalized_mode


def with_record(members: Sequence[Tuple[str, bytes]], record_name: str) -> List[Tuple[str, bytes]]:
    """``members`` followed by a RECORD that lists each of them, in order."""
    rows = (record.row_for(name, data) for name, data in members)
    return [*members, (record_name, record.render(rows, record_name))]


def write(out: BinaryIO, members: Iterable[Tuple[str, int, bytes]], epoch: int) -> None:
    """Members ``(name, unix mode, bytes)`` in the given order, deflated, all stamped ``epoch``."""
    writer = zipfmt.Writer(out, zipfmt.dos_datetime(epoch))
    for name, mode, data in members:
        writer.add(name, normalized_mode(mode), data)
    writer.finish()
