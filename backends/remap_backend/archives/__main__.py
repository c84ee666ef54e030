"""``python -m remap_backend.archives PATH...``: normalize wheels without the command line.

For a vendored proxy (``remap-backend vendor``) in a place where the ``cli``
extra is not installed, such as cibuildwheel's ``repair-wheel-command``
after ``auditwheel repair``: the same rewrite as ``remap-backend normalize``,
standard library only.
"""

import os
import sys
from pathlib import Path

from ..epoch import epoch_from
from ..errors import RemapError
from . import normalize_path


def main(argv=None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    check = "--check" in args
    paths = [Path(arg) for arg in args if arg != "--check"]
    if not paths or any(arg.startswith("-") and arg != "--check" for arg in args):
        print("usage: python -m remap_backend.archives [--check] PATH...", file=sys.stderr)
        return 2
    try:
        epoch = epoch_from(os.environ)[0]
        changed = [change for path in paths for change in normalize_path(path, epoch, check=check)]
    except RemapError as exc:
        print(f"remap-backend: error: {exc}", file=sys.stderr)
        return 2
    for change in changed:
        print(f"{'would normalize' if check else 'normalized'} {change.path} ({', '.join(change.reasons)})")
    return 1 if check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
