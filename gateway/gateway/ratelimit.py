"""Per-client token buckets for ``/api``, kept in this process's memory.

Each client (by IP address) has a bucket of ``burst`` tokens that refills at ``rate``
tokens per second; a request takes one token or is answered 429 with ``Retry-After``.
With several gateway replicas each keeps its own buckets, so the effective limit is
per replica: good enough against a runaway script, not a quota system. A second,
stricter bucket guards the operations that take a password, a second factor or a refresh
token (see ``gateway.app``); throttling per account is the auth service's.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from servicekit.problems import problem
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class TokenBucketLimiter:
    """Token buckets by key, the least recently used dropped beyond ``max_keys``."""

    def __init__(
        self,
        *,
        rate: float,
        burst: int,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate <= 0 or burst < 1 or max_keys < 1:
            raise ValueError("rate must be positive, burst and max_keys at least 1")
        self.rate = rate
        self.burst = float(burst)
        self.max_keys = max_keys
        self.clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def __len__(self) -> int:
        return len(self._buckets)

    def acquire(self, key: str) -> float:
        """Take one token for ``key``: 0.0 when allowed, else the seconds until one is free."""
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = _Bucket(tokens=self.burst, updated=now)
            self._buckets[key] = bucket
            if len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(key)
            elapsed = max(0.0, now - bucket.updated)
            bucket.tokens = min(self.burst, bucket.tokens + elapsed * self.rate)
            bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self.rate


@dataclass(frozen=True, slots=True)
class Quota:
    """One request's share of a bucket, for the ``X-RateLimit-*`` headers."""

    limit: int
    remaining: int
    reset_seconds: int
    """Seconds until the bucket is full again."""
    retry_after: int
    """0 when the request may go; else the seconds until one token is free."""

    def headers(self) -> dict[str, str]:
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset_seconds),
        }
        if self.retry_after:
            headers["Retry-After"] = str(self.retry_after)
        return headers


def take(limiter: TokenBucketLimiter, key: str) -> Quota:
    """Take one token of ``key``'s bucket, and say what is left (``X-RateLimit-*``)."""
    wait = limiter.acquire(key)
    bucket = limiter._buckets[key]
    missing = max(0.0, limiter.burst - bucket.tokens)
    return Quota(
        limit=int(limiter.burst),
        remaining=max(0, math.floor(bucket.tokens)),
        reset_seconds=math.ceil(missing / limiter.rate),
        retry_after=max(1, math.ceil(wait)) if wait > 0 else 0,
    )


def too_many_requests(path: str, quota: Quota) -> Response:
    return problem(
        429,
        "rate-limited",
        "Too many requests",
        f"Slow down: try again in {quota.retry_after} s.",
        instance=path,
        headers=quota.headers(),
    )


class RateLimitMiddleware:
    """Answers 429 problem+json to a client that has used up its bucket on ``prefix``.

    ``applies`` narrows it further to some requests (``(method, path) -> bool``), for a
    stricter bucket on a few operations. ``refusal`` answers instead of the problem+json
    (the portal's forms answer with a page).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        limiter: TokenBucketLimiter,
        prefix: str = "/api",
        applies: Callable[[str, str], bool] | None = None,
        refusal: Callable[[Scope, int], Response] | None = None,
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.prefix = prefix
        self.applies = applies
        self.refusal = refusal

    def _applies(self, method: str, path: str) -> bool:
        if not (path == self.prefix or path.startswith(self.prefix + "/")):
            return False
        return self.applies is None or self.applies(method, path)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self._applies(scope["method"], scope["path"]):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        key = client[0] if client else "unknown"
        wait = self.limiter.acquire(key)
        if wait <= 0:
            await self.app(scope, receive, send)
            return
        retry_after = max(1, math.ceil(wait))
        if self.refusal is not None:
            await self.refusal(scope, retry_after)(scope, receive, send)
            return
        response = problem(
            429,
            "rate-limited",
            "Too many requests",
            f"Slow down: try again in {retry_after} s.",
            instance=scope["path"],
            headers={"Retry-After": str(retry_after)},
        )
        await response(scope, receive, send)
