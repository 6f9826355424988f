"""``python -m cypsxl``: the same as the ``cypsxl`` command."""

import sys

from .cli import main

sys.exit(main())
