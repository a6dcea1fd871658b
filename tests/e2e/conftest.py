"""A whole InfoCenter stack as real processes, isolated for this test run.

Own ports, own databases, own bus namespace, own secrets; every process exports its
traces to a local OTLP receiver so tests can follow one trace across processes. Logs of
the run stay in ``var/e2e/<stack>/infocenter.log`` (CI keeps them as artifacts).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest
from devstack.stack import Stack, StackConfig
from servicekit.testing.otlp import OtlpReceiver


@pytest.fixture(scope="session")
def otlp() -> Iterator[OtlpReceiver]:
    with OtlpReceiver() as receiver:
        yield receiver


@pytest.fixture(scope="session")
def stack(infrastructure: None, otlp: OtlpReceiver) -> Iterator[Stack]:
    stack = Stack(replace(StackConfig.for_tests(), otlp_endpoint=otlp.endpoint))
    stack.provision()
    stack.migrate()
    stack.start(autorestart=False)
    try:
        stack.wait_ready(timeout=120)
    except Exception:
        print(stack.log_tail(lines=80))
        stack.teardown(force=True)
        raise
    yield stack
    stack.teardown()


@pytest.fixture
async def gateway(stack: Stack) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=stack.url, timeout=30)


@pytest.fixture
def admin(stack: Stack) -> dict[str, str]:
    """Headers of the agency administrator (interim admin key, ADR 0002)."""
    return {"x-admin-key": stack.admin_key}
