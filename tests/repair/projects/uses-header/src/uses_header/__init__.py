from ._ext import built_against

__all__ = ["built_against"]
