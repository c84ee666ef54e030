"""The CLI reports user-fixable problems with the proxy's own exception type.

One type for both halves means a ``RemapError`` raised by the proxy code the
CLI imports (archives, config) is shown the same way as the CLI's own.
"""

from remap_backend.errors import RemapError

EXIT_SAME = 0
EXIT_DIFFERENT = 1
EXIT_ERROR = 2

__all__ = ["RemapError", "EXIT_SAME", "EXIT_DIFFERENT", "EXIT_ERROR"]
