"""``remap-backend diff``: explain why two wheels or sdists are not identical.

The comparison is :mod:`..compare`'s, the explanations :mod:`..explain`'s
(shared with ``verify``); this module reads the arguments and prints.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..compare import diff_paths
from ..errors import EXIT_DIFFERENT, EXIT_SAME
from ..explain import format_report
from ..options import add_output_options

EXAMPLES = """\
examples:
  remap-backend diff run1/pkg-1.0-cp311-cp311-linux_x86_64.whl run2/pkg-1.0-cp311-cp311-linux_x86_64.whl
  remap-backend diff --json a.tar.gz b.tar.gz > diff.json

exit status: 0 identical, 1 different, 2 error
"""


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "diff",
        help="compare two wheels or sdists entry by entry and explain differences",
        description="Compare two wheels or sdists entry by entry: added, removed and changed files,\n"
        "ELF sections and DWARF paths, pyc marshal-equality, archive metadata.\n\n" + EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("a", metavar="A", help="first wheel, sdist, directory or file")
    parser.add_argument("b", metavar="B", help="second one, of the same kind")
    parser.add_argument("--json", action="store_true", help="print the full report as JSON")
    add_output_options(parser)


def run(args: argparse.Namespace) -> int:
    report = diff_paths(Path(args.a), Path(args.b))
    if args.json:
        from .. import jsonreport

        print(jsonreport.dumps(jsonreport.diff_document(report)))
    else:
        for line in format_report(report, limit=1_000_000 if args.verbose else 20):
            print(line)
    return EXIT_SAME if report.identical else EXIT_DIFFERENT
