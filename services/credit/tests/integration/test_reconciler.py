"""The reconciler process's round: orders in doubt settled, old reports redacted."""

from __future__ import annotations

import subprocess
import sys

import pytest
from credit.bootstrap import CreditService

pytestmark = pytest.mark.integration


def test_one_round_as_a_process(service: CreditService) -> None:
    settings = service.settings
    env = {
        "CREDIT_DATABASE_URL": settings.database_url,
        "CREDIT_DATA_KEYS": settings.data_keys or "",
        "CREDIT_LOOKUP_KEY": settings.lookup_key or "",
        "CREDIT_BUREAU_URL": settings.bureau_url,
        "CREDIT_BUREAU_CLIENT_SECRET": settings.bureau_client_secret.get_secret_value()
        if settings.bureau_client_secret
        else "",
        "CREDIT_RECONCILE_AFTER_SECONDS": "3600",
        "PATH": "/usr/bin:/bin",
    }
    done = subprocess.run(
        [sys.executable, "-m", "credit.entrypoints.reconciler", "--once"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().startswith('{"reconciled": {')
