"""One module per ``remap-backend`` command: its options (``add_parser``) and what it does (``run``).

``main.COMMANDS`` names them; only the chosen one is imported. Commands use
the library modules beside this package (builder, sources, compare, members,
...); a command never imports another command, and no library module imports
a command (``tests/cli/test_layers.py`` checks both).
"""
