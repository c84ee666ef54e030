"""``python -m remap_backend``: the command line, which lives in the ``cli`` extra."""

import importlib
import sys


def main() -> int:
    try:
        cli = importlib.import_module("remap_backend_cli.main")
    except ImportError as exc:
        print(
            f"remap-backend: error: the command line is not installed ({exc}); "
            "install it with: pip install 'remap-backend[cli]'",
            file=sys.stderr,
        )
        return 2
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
