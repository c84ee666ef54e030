"""A PyO3 extension built by maturin through remap-backend."""

from ._native import fail, greet, project_flag, source_file

__all__ = ["fail", "greet", "project_flag", "source_file"]
