"""``remap-backend scan``: find absolute build paths baked into artifacts.

What counts as a build path, and where in an ELF file it sits, is
:mod:`..pathscan`'s; this module reads the arguments and prints.
"""

from __future__ import annotations

import argparse
import json
import os
from dataclasses import asdict
from pathlib import Path

from ..errors import EXIT_DIFFERENT, EXIT_SAME
from ..options import add_output_options
from ..pathscan import Finding, scan_path

EXAMPLES = """\
examples:
  remap-backend scan dist/markupsafe-3.0.2-cp311-cp311-linux_x86_64.whl
  remap-backend scan build/ --path "$PWD"
  remap-backend scan --json dist/*.whl > leaks.json

exit status: 0 no build path found, 1 found, 2 error
"""


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "scan",
        help="find absolute build paths (temp dirs, build envs, home) in artifacts",
        description=__doc__.split("\n\n")[0] + "\n\n" + EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="wheel, sdist, directory or file")
    parser.add_argument(
        "--path", dest="given", action="append", default=[], metavar="P",
        help="also report this path (repeatable), e.g. the source checkout",
    )
    parser.add_argument("--no-home", action="store_true", help="don't report home directories (/home/*, /root, /Users/*, $HOME)")
    parser.add_argument("--json", action="store_true", help="print findings as JSON")
    add_output_options(parser)


def run(args: argparse.Namespace) -> int:
    home = None if args.no_home else os.path.expanduser("~")
    given = [str(p).rstrip("/") or "/" for p in args.given]
    findings: list[Finding] = []
    for raw in args.paths:
        findings.extend(scan_path(Path(raw), given, home))
    if args.json:
        print(json.dumps({"found": len(findings), "findings": [asdict(f) for f in findings]}, indent=2))
    else:
        for finding in findings:
            print(finding.describe())
        if not args.quiet:
            files = len({f.file for f in findings})
            summary = f"{len(findings)} build path(s) in {files} file(s)" if findings else "no build paths found"
            print(summary)
    return EXIT_DIFFERENT if findings else EXIT_SAME
