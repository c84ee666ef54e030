"""The PEP 517 surface: settings for one hook call, the wrapped backend, dispatch and finishing.

This is the top layer. It may use every package below it (``remap``,
``repair``, ``adapters``, ``archives``); nothing below imports from here.
"""
