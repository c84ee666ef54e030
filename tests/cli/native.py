"""Real shared libraries compiled with gcc, and wheels assembled around them."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path
from typing import Mapping

SOURCE = """
int answer(void) { return 42; }
const char *greeting(void) { return "hello"; }
"""


def compile_shared(build_dir: Path, source: str = SOURCE, flags: tuple[str, ...] = ("-g",)) -> Path:
    """``gcc -shared`` a C file inside ``build_dir`` (so its path lands in DWARF) and return the .so."""
    build_dir.mkdir(parents=True, exist_ok=True)
    (build_dir / "mod.c").write_text(source)
    output = build_dir / "mod.so"
    subprocess.run(["gcc", *flags, "-shared", "-fPIC", "-o", str(output), "mod.c"], cwd=build_dir, check=True)
    return output


def make_wheel(path: Path, members: Mapping[str, bytes], date_time=(2020, 1, 1, 0, 0, 0), mode: int = 0o644) -> Path:
    """A zip with the given members in the given order, times and modes."""
    # Raw zipfile on purpose: this stands in for a wheel some other tool wrote (its own times, modes, order),
    # so the normalizer is tested on input it did not write itself (see tests/archives/test_one_writer.py).
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time)
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return path
