"""Make ``import gateway`` mean the gateway package while pytest collects these tests.

With ``--import-mode=importlib`` pytest names a test module after its path from the
repository root (``gateway.tests.unit.test_routes``) and first imports the parent
directories as namespace packages; ``gateway/`` would then become a namespace package
``gateway`` that shadows the real one in ``gateway/gateway/``. Put the real one back
before any test module imports it (harmless when it is already the real one).
"""

from __future__ import annotations

import importlib
import sys

_loaded = sys.modules.get("gateway")
if _loaded is not None and getattr(_loaded, "__file__", None) is None:
    del sys.modules["gateway"]
    importlib.import_module("gateway")
