"""``python -m remap_backend_cli`` runs the same command line as ``remap-backend``."""

import sys

from .main import main

sys.exit(main())
