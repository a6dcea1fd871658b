"""``python -m devstack …``: see :mod:`devstack.cli`."""

import sys

from devstack.cli import main

sys.exit(main())
