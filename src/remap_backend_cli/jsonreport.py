"""One JSON schema for ``diff --json`` and ``verify --json`` (documented in README, "JSON output").

A *comparison* is one ``DiffReport`` (the same keys ``diff --json`` has always
printed, plus ``causes``). ``diff`` prints one comparison with ``schema``
added; ``verify`` prints its builds and a list of the same comparison objects,
each naming the two builds it compares. ``schema`` changes only when a key
changes meaning or goes away; new keys may be added.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any, Iterable, Optional, Sequence

from .digests import file_sha256

DIFF_SCHEMA = "remap-backend.diff/1"
VERIFY_SCHEMA = "remap-backend.verify/1"


def comparison(report: Any, between: Optional[Sequence[str]] = None) -> dict:
    """A DiffReport as a plain dict; ``between`` names the two builds (verify only)."""
    payload = asdict(report)
    payload["causes"] = report.causes
    if between is not None:
        payload["between"] = list(between)
    return payload


def diff_document(report: Any) -> dict:
    return {"schema": DIFF_SCHEMA, **comparison(report)}


def build_entry(label: str, conditions: str, plain: bool, artifacts: dict) -> dict:
    return {
        "label": label,
        "conditions": conditions,
        "plain": plain,
        "artifacts": {name: {"path": str(path), "sha256": file_sha256(path)} for name, path in sorted(artifacts.items())},
    }


def verify_document(target: str, builds: Iterable[dict], comparisons: list, plain: Optional[dict]) -> dict:
    return {
        "schema": VERIFY_SCHEMA,
        "target": target,
        "identical": not comparisons,
        "builds": list(builds),
        "comparisons": comparisons,
        "plain": plain,
    }


def dumps(document: dict) -> str:
    return json.dumps(document, indent=2, default=str)
