"""A build dependency shipping a header; extensions compile against ``get_include()``."""

from pathlib import Path


def get_include() -> str:
    return str(Path(__file__).resolve().parent / "include")
