from ._where import build_dir

__all__ = ["build_dir"]
