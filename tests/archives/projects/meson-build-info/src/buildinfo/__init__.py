from . import _build_config
from ._native import answer

__all__ = ["_build_config", "answer"]
