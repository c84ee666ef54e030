"""Command-line options that several commands share, defined once so they read the same everywhere."""

from __future__ import annotations

import argparse


def add_output_options(parser: argparse.ArgumentParser) -> None:
    """``--quiet`` / ``--verbose`` for a subcommand."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("-q", "--quiet", action="store_true", help="no progress display")
    group.add_argument(
        "-v", "--verbose", action="store_true", help="stream the output of backends and installers"
    )


def add_build_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by ``build`` and ``verify``."""
    parser.add_argument("target", metavar="TARGET", help="source directory, sdist file, or name==version")
    parser.add_argument(
        "-C", "--config-setting", dest="config_settings", action="append", default=[], metavar="KEY[=VALUE]",
        help="config-setting passed to the backend (repeatable)",
    )
    parser.add_argument("--no-isolation", action="store_true", help="build in the current environment")
    parser.add_argument("--python", metavar="PYTHON", help="interpreter to build for (default: this one)")
    parser.add_argument(
        "--no-strict", dest="strict", action="store_false",
        help="let the proxy's leak guard only warn (by default a builder path left in the wheel fails the build)",
    )
    parser.add_argument(
        "--proxy-wheel", metavar="WHEEL", help="install this remap_backend wheel instead of packing the installed proxy"
    )
    add_output_options(parser)
