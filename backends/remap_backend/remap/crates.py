"""Whether a tree builds Rust at all: the one question every build asks before loading the Rust half.

Kept apart from :mod:`.rustflags` so that C-only builds answer it without
importing the cargo configuration reader and the rustc probes.
"""

from __future__ import annotations

from pathlib import Path


def uses_rust(source_dir: Path, depth: int = 3) -> bool:
    """Whether the tree has a ``Cargo.toml`` near the top (where setuptools-rust or CMake keep crates)."""
    skip = {"target", "build", "dist", "node_modules", "__pycache__"}
    level = [source_dir]
    for _ in range(depth + 1):
        following = []
        for directory in level:
            if (directory / "Cargo.toml").is_file():
                return True
            try:
                following += [
                    entry for entry in directory.iterdir()
                    if entry.is_dir() and not entry.name.startswith(".") and entry.name not in skip
                ]
            except OSError:
                continue
        level = following
    return False
