"""One HTTP attempt of a delivery: sign (Standard Webhooks 1.0), POST, classify the answer.

Only a 2xx counts; a redirect is not followed (it is a failure, like any other 3xx); the
whole attempt is bounded by the timeout; at most ``EXCERPT_BYTES`` of the answer are read
and kept, with control characters replaced (the delivery log shows it to the creditor).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import httpx
from standardwebhooks.webhooks import Webhook

from webhooks.adapters.guarded_network import AddressRefused, GuardedTransport, Resolver, resolve
from webhooks.domain.addresses import AddressPolicy

EXCERPT_BYTES = 500
USER_AGENT = "InfoCenter-Webhooks/1.0"


def signature_header(
    webhook_id: str, timestamp: datetime, body: bytes, secrets: Sequence[str]
) -> str:
    """``webhook-signature``: one ``v1,<base64>`` per secret, space-separated (rotation)."""
    return " ".join(Webhook(s).sign(webhook_id, timestamp, body) for s in secrets)


def sanitise(raw: bytes) -> str:
    text = raw[:EXCERPT_BYTES].decode("utf-8", errors="replace")
    return "".join(c if c.isprintable() else " " for c in text).strip()


@dataclass(frozen=True)
class AttemptResult:
    outcome: str
    """delivered, http-error, redirect, timeout, connection-error, address-refused"""
    status_code: int | None
    latency_ms: int
    excerpt: str | None = None
    retry_after: str | None = None

    @property
    def delivered(self) -> bool:
        return self.outcome == "delivered"

    @property
    def gone(self) -> bool:
        return self.status_code == 410


class WebhookSender:
    """Posts signed webhooks through the SSRF-guarded transport (one per process)."""

    def __init__(
        self,
        policy: AddressPolicy,
        *,
        timeout_seconds: float = 15.0,
        resolver: Resolver = resolve,
        max_connections: int = 200,
    ) -> None:
        self.timeout_seconds = timeout_seconds
        self.client = httpx.AsyncClient(
            transport=GuardedTransport(policy, resolver=resolver, max_connections=max_connections),
            timeout=httpx.Timeout(timeout_seconds),
            follow_redirects=False,
            trust_env=False,
            headers={"user-agent": USER_AGENT},
        )

    async def aclose(self) -> None:
        await self.client.aclose()

    async def send(
        self,
        url: str,
        webhook_id: str,
        body: bytes,
        secrets: Sequence[str],
        now: datetime,
    ) -> AttemptResult:
        headers = {
            "content-type": "application/json",
            "webhook-id": webhook_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": signature_header(webhook_id, now, body, secrets),
        }
        started = time.perf_counter()

        def elapsed() -> int:
            return int((time.perf_counter() - started) * 1000)

        try:
            async with asyncio.timeout(self.timeout_seconds):
                async with self.client.stream("POST", url, content=body, headers=headers) as r:
                    excerpt = b""
                    async for chunk in r.aiter_raw():
                        excerpt += chunk
                        if len(excerpt) >= EXCERPT_BYTES:
                            break
        except AddressRefused as exc:
            return AttemptResult("address-refused", None, elapsed(), exc.reason)
        except (TimeoutError, httpx.TimeoutException):
            return AttemptResult("timeout", None, elapsed())
        except httpx.HTTPError as exc:
            return AttemptResult("connection-error", None, elapsed(), type(exc).__name__)
        code = r.status_code
        if 200 <= code < 300:
            outcome = "delivered"
        elif 300 <= code < 400:
            outcome = "redirect"
        else:
            outcome = "http-error"
        return AttemptResult(
            outcome, code, elapsed(), sanitise(excerpt) or None, r.headers.get("retry-after")
        )
