"""A whole InfoCenter stack as real processes, isolated for this test run.

One stack for every test under ``tests/`` that asks for it: the end-to-end tests
(``tests/e2e``, the browser tests) and the security tests (``tests/security``).

Own ports, own databases, own bus namespace, own secrets; every process exports its
traces to a local OTLP receiver so tests can follow one trace across processes. Logs of
the run stay in ``var/e2e/<stack>/infocenter.log`` (CI keeps them as artifacts).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import replace

import httpx
import pytest
from devstack.stack import PATIENT_AUTH_CHECKS, TEST_STACK_READY_SECONDS, Stack, StackConfig
from servicekit.testing.otlp import OtlpReceiver

from .e2e.identity import Login, SignedIn, sign_in

AGENCY_ADMIN_EMAIL = "admin@infocenter.example"


@pytest.fixture(scope="session")
def otlp() -> Iterator[OtlpReceiver]:
    with OtlpReceiver() as receiver:
        yield receiver


TEST_STACK_ENV = {
    # Many people sign in from one address here; the credential rate limit itself is
    # tested in the gateway's own tests, so the test stack allows more than production.
    "GATEWAY_AUTH_RATE_LIMIT_PER_MINUTE": "600",
    "GATEWAY_AUTH_RATE_LIMIT_BURST": "200",
    # The scheduler looks for due cases every minute; a test should not wait that long.
    "CASES_SCHEDULER_PERIOD_SECONDS": "1",
    # Webhook retries in test time (seconds, not minutes and hours), a short attempt timeout.
    "WEBHOOKS_RETRY_STEPS_SECONDS": "0.5,0.5,0.5,0.5,1,1",
    "WEBHOOKS_TIMEOUT_SECONDS": "2",
    # Session checks wait longer than in production (devstack.stack.PATIENT_AUTH_CHECKS).
    **PATIENT_AUTH_CHECKS,
}


@pytest.fixture(scope="session")
def stack(infrastructure: None, otlp: OtlpReceiver) -> Iterator[Stack]:
    stack = Stack(
        replace(StackConfig.for_tests(), otlp_endpoint=otlp.endpoint, extra_env=TEST_STACK_ENV)
    )
    stack.provision()
    stack.migrate()
    stack.start(autorestart=False)
    try:
        stack.wait_ready(timeout=TEST_STACK_READY_SECONDS)
    except Exception:
        print(stack.log_tail(lines=80))
        stack.teardown(force=True)
        raise
    yield stack
    stack.teardown()


@pytest.fixture(scope="session")
def demo(stack: Stack) -> dict[str, Login]:
    """The demo users (one per role), seeded into this stack."""
    logins = stack.seed_demo()
    assert logins, "the identity service's seed-demo gave no logins"
    return {
        entry["email"]: Login(
            entry["email"], entry["password"], entry["totp_secret"], tuple(entry["roles"])
        )
        for entry in logins
    }


@pytest.fixture(scope="session")
async def gateway(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        yield client


@pytest.fixture(scope="session")
async def agency_admin(gateway: httpx.AsyncClient, demo: dict[str, Login]) -> SignedIn:
    """A signed-in agency administrator (one session for the whole run)."""
    return await sign_in(gateway, demo[AGENCY_ADMIN_EMAIL])


@pytest.fixture
async def admin(agency_admin: SignedIn) -> dict[str, str]:
    """Bearer headers of the agency administrator, refreshed when needed."""
    return await agency_admin.headers()
