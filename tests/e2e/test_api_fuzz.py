"""Property-based fuzzing of the public API through the gateway (schemathesis).

Every operation of the gateway's merged OpenAPI document gets generated requests, valid
and invalid, and every answer must be no server error (any 5xx fails, a 503 of a
dependency too: nothing here should be failing), have a documented status, and match the
documented content type and schema of that status.

The module runs its own stack: fuzzing the sign-in makes many failed logins from
127.0.0.1, and the identity service then locks that address for 15 minutes, which would
break every later sign-in of the session's shared stack. The gateway's rate limits are
raised for this stack so the fuzzer meets the services, not the token bucket.

Operations that need a caller are sent with the bearer token of a signed-in demo user:
the agency administrator for most; the operations that end a session (sign-out, sign-out
everywhere, ending one session) with sessions of their own, of other demo users, so the
administrator's stays valid. Generated identifiers almost never name anything, so half
the time an identifier or e-mail address is a real one (a creditor organisation and an
invited user made for this module, the session to end, the demo users' addresses): the
requests then reach the business rules, not only the 404.

Each operation is fuzzed once more with hostile values (``hostile``): a NUL or an
unpaired surrogate in text, integers beyond a ``BIGINT``, loose money and dates, deep
nesting, each put in one query parameter, path parameter or body value of a generated
request. Every one must be refused (a 4xx), never a 500.
"""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from typing import Any

import httpx
import hypothesis
import pytest
import schemathesis
from devstack.stack import PATIENT_AUTH_CHECKS, TEST_STACK_READY_SECONDS, Stack, StackConfig
from gateway.access import PUBLIC_OPERATIONS
from schemathesis.checks import not_a_server_error
from schemathesis.hooks import GLOBAL_HOOK_DISPATCHER
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from servicekit.testing.data import organisation_number, unique_name

from .hostile import hostile_case
from .identity import Login, SignedIn, sign_in

pytestmark = pytest.mark.e2e

AGENCY_ADMIN = "admin@infocenter.example"
SESSION_PATH = "/api/v1/auth/sessions/{session_id}"
# One demo user per operation that ends its caller's session (none of them the admin).
SESSION_ENDERS = {
    ("POST", "/api/v1/auth/sign-out"): "saksbehandler@infocenter.example",
    ("POST", "/api/v1/auth/sign-out-everywhere"): "kari@nordlys.example",
    ("DELETE", SESSION_PATH): "admin@nordlys.example",
}
# Set for this stack's processes: the fuzzer sends far more than a person would (the
# buckets themselves are the gateway's own tests').
RATE_LIMITS = {
    "GATEWAY_RATE_LIMIT_PER_SECOND": "10000",
    "GATEWAY_RATE_LIMIT_BURST": "10000",
    "GATEWAY_AUTH_RATE_LIMIT_PER_MINUTE": "100000",
    "GATEWAY_AUTH_RATE_LIMIT_BURST": "10000",
}
CREDITOR = "kari@nordlys.example"
CREDITOR_PATHS = ("/api/v1/cases", "/api/v1/credit")
"""Operations fuzzed a second time as a creditor user (Kari may order credit reports), so
that requests reach the creditor's business rules (registration, notes, credit report
orders) rather than stop at the role check."""
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Few examples per operation (8, and 5 hostile ones: with some 300 operations the module
# must stay a small part of the suite), derandomised and without the example database: the
# same requests on every run (CI stays stable), a few seconds per operation at most.
# Hypothesis' health checks time the generation, which a busy 2-core CI machine can make
# look slow.
CONFIG: dict[str, Any] = {
    "seed": 20261125,
    "suppress-health-check": ["all"],
    "generation": {"max-examples": 8, "deterministic": True, "database": "none"},
    "phases": {"stateful": {"enabled": False}},
    "request-timeout": 30,
}


@pytest.fixture(scope="module")
def fuzz_stack(infrastructure: None) -> Iterator[Stack]:
    stack = Stack(
        replace(StackConfig.for_tests(), extra_env={**RATE_LIMITS, **PATIENT_AUTH_CHECKS})
    )
    stack.provision()
    try:
        stack.migrate()
        stack.start(autorestart=False)
        stack.wait_ready(timeout=TEST_STACK_READY_SECONDS)
    except Exception:
        print(stack.log_tail(lines=80))
        stack.teardown(force=True)
        raise
    yield stack
    stack.teardown()


@pytest.fixture(scope="module")
def fuzz_logins(fuzz_stack: Stack) -> dict[str, Login]:
    logins = fuzz_stack.seed_demo()
    assert logins, "the identity service's seed-demo gave no logins"
    return {
        e["email"]: Login(e["email"], e["password"], e["totp_secret"], tuple(e["roles"]))
        for e in logins
    }


@pytest.fixture(scope="module")
async def fuzz_sessions(
    fuzz_stack: Stack, fuzz_logins: dict[str, Login]
) -> AsyncIterator[dict[str, SignedIn]]:
    """Every session the module needs, signed in before any fuzzing (the fuzzed sign-in
    soon locks this client address)."""
    async with httpx.AsyncClient(base_url=fuzz_stack.url, timeout=30) as client:
        emails = [AGENCY_ADMIN, *SESSION_ENDERS.values()]
        yield {email: await sign_in(client, fuzz_logins[email]) for email in emails}


@pytest.fixture(scope="module")
async def known_values(
    fuzz_sessions: dict[str, SignedIn], fuzz_logins: dict[str, Login]
) -> dict[str, list[str]]:
    """Real values for the fuzzer to use half of the time, by parameter name. Never the
    administrator's own user id: a generated role change could end its session."""
    admin = fuzz_sessions[AGENCY_ADMIN]
    client, headers = admin.client, await admin.headers()
    created = await client.post(
        "/api/v1/auth/organisations",
        json={"name": unique_name("Fuzzfirma"), "organisation_number": organisation_number()},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    organisation_id = created.json()["id"]
    invited = await client.post(
        f"/api/v1/auth/organisations/{organisation_id}/users",
        json={"email": "fuzz@kreditor.example", "full_name": "Fuzz Test", "roles": ["creditor"]},
        headers=headers,
    )
    assert invited.status_code == 201, invited.text
    ended_by_delete = fuzz_sessions[SESSION_ENDERS[("DELETE", SESSION_PATH)]]
    return {
        "organisation_id": [organisation_id],
        "user_id": [invited.json()["id"]],
        "session_id": [ended_by_delete.session_id],
        "email": sorted(fuzz_logins),
    }


def _whole_document(stack: Stack, seconds: float = 120.0) -> dict[str, Any]:
    """The gateway's merged OpenAPI once every service's part is in it (a service that
    is ready may still be slow to answer its document on a busy machine)."""
    deadline = time.monotonic() + seconds
    while True:
        document: dict[str, Any] = httpx.get(f"{stack.url}/openapi.json", timeout=30).json()
        if document["info"]["x-unavailable"] == [] or time.monotonic() > deadline:
            break
        threading.Event().wait(1.0)
    assert document["info"]["x-unavailable"] == [], document["info"]
    return document


def _schema(
    stack: Stack, known_values: dict[str, list[str]], *, coverage: bool
) -> schemathesis.BaseSchema:
    document = _whole_document(stack)
    config = schemathesis.Config.from_dict(
        {
            **CONFIG,
            "phases": {**CONFIG["phases"], "coverage": {"enabled": coverage}},
            "base-url": stack.url,
            "dictionaries": {name: {"values": values} for name, values in known_values.items()},
            "parameters": {name: {"dictionary": name, "probability": 0.5} for name in known_values},
        }
    )
    return schemathesis.openapi.from_dict(document, config=config)


@pytest.fixture(scope="module")
def api_schema(fuzz_stack: Stack, known_values: dict[str, list[str]]) -> schemathesis.BaseSchema:
    """Every phase: the schema's examples, its coverage cases (every boundary and invalid
    value it defines, however many) and the generated examples."""
    return _schema(fuzz_stack, known_values, coverage=True)


@pytest.fixture(scope="module")
def lean_api_schema(
    fuzz_stack: Stack, known_values: dict[str, list[str]]
) -> schemathesis.BaseSchema:
    """Without the coverage phase, for the second and third pass over an operation (as a
    creditor, with hostile values): the first pass as the administrator already sent every
    coverage case, and the coverage phase is most of the module's time (it ignores
    ``max-examples``)."""
    return _schema(fuzz_stack, known_values, coverage=False)


@pytest.fixture
async def admin_headers(fuzz_sessions: dict[str, SignedIn]) -> dict[str, str]:
    return await fuzz_sessions[AGENCY_ADMIN].headers()


@pytest.fixture
async def session_ender_headers(
    fuzz_sessions: dict[str, SignedIn],
) -> dict[tuple[str, str], dict[str, str]]:
    return {
        operation: await fuzz_sessions[email].headers()
        for operation, email in SESSION_ENDERS.items()
    }


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request: pytest.FixtureRequest) -> None:
    """schemathesis 4.32 (lazy schemas) renames the test node through ``_nodeid``, an
    attribute pytest 9.2 no longer has; without it every lazy test fails at once."""
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


def _key(operation: schemathesis.APIOperation) -> tuple[str, str]:
    return operation.method.upper(), operation.path


schema = schemathesis.pytest.from_fixture("api_schema")
lean_schema = schemathesis.pytest.from_fixture("lean_api_schema")


@schema.include(lambda ctx: _key(ctx.operation) in SESSION_ENDERS).parametrize()
def test_operations_that_end_a_session(
    case: schemathesis.Case, session_ender_headers: dict[tuple[str, str], dict[str, str]]
) -> None:
    case.call_and_validate(headers=session_ender_headers[_key(case.operation)], checks=CHECKS)


@pytest.fixture(scope="module")
async def creditor_session(
    fuzz_stack: Stack, fuzz_logins: dict[str, Login]
) -> AsyncIterator[SignedIn]:
    """Signed in when first asked for: after the session enders (one of them ends every
    session of this user) and before the fuzzed sign-in locks this client address."""
    async with httpx.AsyncClient(base_url=fuzz_stack.url, timeout=30) as client:
        yield await sign_in(client, fuzz_logins[CREDITOR])


@lean_schema.include(
    lambda ctx: (
        ctx.operation.path.startswith(CREDITOR_PATHS)
        and _key(ctx.operation) not in PUBLIC_OPERATIONS
    )
).parametrize()
async def test_operations_as_a_creditor(
    case: schemathesis.Case, creditor_session: SignedIn
) -> None:
    case.call_and_validate(headers=await creditor_session.headers(), checks=CHECKS)


@schema.include(lambda ctx: _key(ctx.operation) in PUBLIC_OPERATIONS).parametrize()
def test_public_operations(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=CHECKS)


@schema.exclude(
    lambda ctx: _key(ctx.operation) in PUBLIC_OPERATIONS or _key(ctx.operation) in SESSION_ENDERS
).parametrize()
def test_signed_in_operations(case: schemathesis.Case, admin_headers: dict[str, str]) -> None:
    case.call_and_validate(headers=admin_headers, checks=CHECKS)


def flatmap_case(context: schemathesis.HookContext, case: schemathesis.Case) -> Any:
    """The schemathesis hook (by its name): one hostile value in each generated request."""
    del context
    return hostile_case(case)


hostile = GLOBAL_HOOK_DISPATCHER.apply(flatmap_case)
"""Marks a test whose generated requests carry a hostile value (a test-scoped hook)."""
HOSTILE_EXAMPLES = hypothesis.settings(max_examples=5)


@HOSTILE_EXAMPLES
@lean_schema.exclude(
    lambda ctx: _key(ctx.operation) in PUBLIC_OPERATIONS or _key(ctx.operation) in SESSION_ENDERS
).parametrize()
@hostile
def test_hostile_values_are_refused_for_the_administrator(
    case: schemathesis.Case, admin_headers: dict[str, str]
) -> None:
    case.call_and_validate(headers=admin_headers, checks=CHECKS)


@HOSTILE_EXAMPLES
@lean_schema.include(
    lambda ctx: (
        ctx.operation.path.startswith(CREDITOR_PATHS)
        and _key(ctx.operation) not in PUBLIC_OPERATIONS
    )
).parametrize()
@hostile
async def test_hostile_values_are_refused_for_a_creditor(
    case: schemathesis.Case, creditor_session: SignedIn
) -> None:
    case.call_and_validate(headers=await creditor_session.headers(), checks=CHECKS)


@HOSTILE_EXAMPLES
@lean_schema.include(lambda ctx: _key(ctx.operation) in PUBLIC_OPERATIONS).parametrize()
@hostile
def test_hostile_values_are_refused_in_public_operations(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=CHECKS)
