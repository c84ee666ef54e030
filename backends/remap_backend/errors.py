"""The one exception type the proxy raises for problems the user can fix."""


class RemapError(Exception):
    """A user-facing problem: the message names what is wrong and how to fix it.

    Hooks turn it into a single ``remap-backend: error: ...`` line on stderr
    instead of a traceback from deep inside the proxy.
    """
