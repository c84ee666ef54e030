from ._ext import configured_version, header_value

__all__ = ["configured_version", "header_value"]
