"""One module per ``remap-backend`` command: its options (``add_parser``) and what it does (``run``).

``main.COMMANDS`` names them; only the chosen one is imported. The library
modules they use (builder, sources, members, ...) sit beside this package.
"""
