from __future__ import annotations

import base64
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import httpx
import pytest
from credit.bootstrap import CreditService, bootstrap
from credit.settings import CreditSettings
from servicekit.testing.tokens import TestSigner

from .world import BUREAU_SECRET, Bureau

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"


@pytest.fixture(scope="session")
def bureau_process() -> Iterator[str]:
    """The bureau simulator as a real process (``python -m simulators.bureau``), for the
    session: its URL. Slow answers take 2 s and hangs 3 s (the service waits 0.8 s)."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "simulators.bureau",
            "--port",
            "0",
            "--slow-seconds",
            "2",
            "--hang-seconds",
            "3",
            "--latency-ms",
            "2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "BUREAU_CLIENT_SECRET": BUREAU_SECRET},
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if "ready" not in line:
        process.kill()
        pytest.fail(f"the bureau simulator did not start: {line!r}")
    try:
        yield line.rsplit(" ", 1)[1].strip()
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
async def bureau(bureau_process: str) -> AsyncIterator[Bureau]:
    async with httpx.AsyncClient(base_url=bureau_process, timeout=10) as http:
        await http.post("/_sim/reset")
        yield Bureau(http)


@pytest.fixture
async def service(
    service_database: Callable[[str, Path], Awaitable[str]],
    bus_namespace: str,
    signer: TestSigner,
    bureau_process: str,
) -> AsyncIterator[CreditService]:
    """The credit service on this run's migrated database, talking to the bureau process."""
    url = await service_database("credit", ALEMBIC_INI)
    service = bootstrap(
        CreditSettings(
            environment="test",
            database_url=url,
            bus_namespace=f"{bus_namespace}credit{uuid.uuid4().hex[:6]}.",
            retry_delays_seconds=(0.2, 1.0, 2.0, 5.0),  # back-off in test time
            data_keys="v1:" + base64.b64encode(os.urandom(32)).decode(),
            lookup_key=uuid.uuid4().hex,
            bureau_url=bureau_process,
            bureau_client_secret=BUREAU_SECRET,  # type: ignore[arg-type]
            bureau_read_timeout_seconds=0.8,
            bureau_max_retry_wait_seconds=2.0,
            bureau_breaker_threshold=50,
            reconcile_after_seconds=60,
            db_pool_size=20,
        )
    )
    service.token_verifier = signer.verifier()
    yield service
    await service.close()
