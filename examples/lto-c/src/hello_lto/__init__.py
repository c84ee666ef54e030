"""A C extension built with -flto whose binary names its sources and build time."""

from ._hello import build_time, greet, source_file, user_flag

__all__ = ["build_time", "greet", "source_file", "user_flag"]
