"""``remap-backend normalize``: make existing wheels, sdists and .pyc trees deterministic.

For archives the proxy did not build itself: a wheel after ``auditwheel
repair`` or ``delocate``, an sdist from another tool, or an installed
site-packages / Docker layer whose .pyc files came from ``UV_COMPILE_BYTECODE=1``
or ``compileall -j``.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import List

from remap_backend.archives import DEFAULT_EPOCH, Change, normalize_path, target_of
from remap_backend.epoch import epoch_from

from ..errors import EXIT_DIFFERENT, EXIT_SAME

DESCRIPTION = """\
Rewrite wheels, sdists and .pyc files in place so their bytes depend only on
their content and SOURCE_DATE_EPOCH: for archives the proxy did not build
itself (a wheel after auditwheel repair or delocate, an sdist from another
tool) and for installed .pyc trees (site-packages, a Docker layer built with
UV_COMPILE_BYTECODE=1). Each file is replaced atomically, one after the other;
a bad file is refused (exit 2) before it is touched. Details: docs/archives.md.
"""

EXAMPLES = f"""\
examples:
  remap-backend normalize wheelhouse/*.whl          # after auditwheel repair
  remap-backend normalize dist/pkg-1.0.tar.gz
  remap-backend normalize --check /app/site-packages
  SOURCE_DATE_EPOCH=0 remap-backend normalize dist/*

timestamps: --epoch, else SOURCE_DATE_EPOCH, else {DEFAULT_EPOCH} (1980-01-01);
zip entries cannot go earlier than 1980, so earlier epochs become 1980-01-01 there.

exit status: 0 nothing to change (or changed), 1 --check found something to change, 2 error
"""


def add_parser(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = subparsers.add_parser(
        "normalize",
        help="rewrite wheels, sdists and .pyc trees so their bytes are reproducible",
        description=DESCRIPTION,
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                        help="a .whl, a .tar.gz sdist, a .pyc file, or a directory holding .pyc files")
    parser.add_argument("--check", action="store_true",
                        help="only report what would change; write nothing")
    parser.add_argument("--epoch", type=int, default=None,
                        help="timestamp for archive members (default: SOURCE_DATE_EPOCH, else 1980-01-01)")
    parser.add_argument("--recompress", action="store_true",
                        help="deflate every wheel member again instead of copying deflated data as it is")
    parser.add_argument("--allow-unlisted", action="store_true",
                        help="accept wheel members RECORD does not list (added to the new RECORD) "
                             "instead of refusing the wheel")


def run(args: argparse.Namespace) -> int:
    epoch = epoch_from(os.environ, args.epoch)[0]
    for path in args.paths:  # every argument is checked before the first file is touched
        target_of(path)
    changes: List[Change] = []
    for path in args.paths:
        for change in normalize_path(path, epoch, check=args.check, recompress=args.recompress,
                                     allow_unlisted=args.allow_unlisted):
            verb = "would normalize" if args.check else "normalized"
            print(f"{verb} {change.path} ({', '.join(change.reasons)})", flush=True)
            changes.append(change)
    if args.check and changes:
        return EXIT_DIFFERENT
    if not changes:
        print("nothing to change", flush=True)
    return EXIT_SAME
