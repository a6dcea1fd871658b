"""Every POST of the merged OpenAPI document declares ``Idempotency-Key`` (issue 14 §1).

A client retries a POST after a timeout; with the key, the retry answers the first request
and does nothing twice. The exceptions are listed here and, with the same reasons, in
``docs/api.md`` ("Which POSTs take Idempotency-Key"): a new POST either takes the header or
is added to both, on purpose.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from servicekit.testing.idempotency import posts, posts_without_idempotency_key
from servicekit.testing.wait import wait_for

pytestmark = pytest.mark.e2e

CREDENTIAL_STEPS = "a credential ceremony: its answer is a new secret, never stored for replay"
QUERY = "a query sent as POST to keep personal data out of URLs: nothing to do twice"
DEAD_LETTERS = (
    "ops work on the broker's dead-letter queue, not the service's database (no transaction "
    "to keep a key in); by event ids a retry finds nothing left (count 0), and a consumer's "
    "inbox ignores an event replayed twice"
)
SERVICES = ("auth", "cases", "ledger", "reports", "credit", "integrations", "webhooks")

EXEMPT: dict[str, str] = {
    "POST /api/v1/auth/sign-in": CREDENTIAL_STEPS,
    "POST /api/v1/auth/sign-in/second-factor": CREDENTIAL_STEPS,
    "POST /api/v1/auth/token": CREDENTIAL_STEPS + " (a refresh token is single-use)",
    "POST /api/v1/auth/oauth/token": CREDENTIAL_STEPS,
    "POST /api/v1/auth/sign-out": "ends the caller's own session; again ends nothing more",
    "POST /api/v1/auth/sign-out-everywhere": "ends the caller's sessions; again ends nothing",
    "POST /api/v1/auth/invitations/accept": CREDENTIAL_STEPS + " (the link is single-use)",
    "POST /api/v1/auth/invitations/confirm": CREDENTIAL_STEPS + " (the link is single-use)",
    "POST /api/v1/auth/password-reset": "answers the same whatever happens (no enumeration)",
    "POST /api/v1/auth/password-reset/confirm": CREDENTIAL_STEPS + " (the link is single-use)",
    "POST /api/v1/auth/me/password": CREDENTIAL_STEPS,
    "POST /api/v1/auth/me/totp": CREDENTIAL_STEPS,
    "POST /api/v1/auth/me/totp/confirm": CREDENTIAL_STEPS,
    "POST /api/v1/auth/me/recovery-codes": CREDENTIAL_STEPS,
    "POST /api/v1/cases/validation": QUERY,
    "POST /api/v1/credit/company-searches": QUERY,
    "POST /api/v1/credit/subject-lookups": QUERY,
    "POST /api/v1/ledger/cases/{case_id}/payment-plan-check": QUERY,
    "POST /api/v1/credit/orders/{order_id}/reconciliation": "settles an order in doubt at the "
    "bureau between transactions; never orders or charges again, so asking twice is safe",
} | {
    f"POST /api/v1/{service}/ops/dead-letters/{{queue}}/{action}": DEAD_LETTERS
    for service in SERVICES
    for action in ("replay", "purge")
}


async def test_every_post_declares_idempotency_key_or_is_exempt(
    gateway: httpx.AsyncClient,
) -> None:
    async def whole() -> dict[str, Any] | None:
        """The merged document once every service's part is in it: a ready service may
        be slow to build its document on a busy machine, and the gateway then leaves it
        out of the merged one for a few seconds (``info.x-unavailable``)."""
        document: dict[str, Any] = (await gateway.get("/openapi.json")).json()
        return document if document["info"].get("x-unavailable") == [] else None

    document = await wait_for(
        whole, what="every service's part of /openapi.json", seconds=120, every=1.0
    )

    assert posts_without_idempotency_key(document, EXEMPT) == []
    assert sorted(set(EXEMPT) - set(posts(document))) == []  # no stale exemption
    assert len(posts(document)) >= 60
