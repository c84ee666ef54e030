"""Where uv is: the ``uv`` package's binary first (what ``pip install uv`` gives), then ``$UV`` or PATH."""

from __future__ import annotations

import os
import shutil


def find_uv() -> str | None:
    try:
        import uv

        return uv.find_uv_bin()
    except (ImportError, FileNotFoundError):
        return shutil.which(os.environ.get("UV") or "uv")
