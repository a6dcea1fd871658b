from __future__ import annotations

import httpx
import pytest
from gateway.ratelimit import RateLimitMiddleware, TokenBucketLimiter, take
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

pytestmark = pytest.mark.unit


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_full_bucket_allows_a_burst_then_says_how_long_to_wait() -> None:
    clock = Clock()
    limiter = TokenBucketLimiter(rate=2.0, burst=3, clock=clock)

    assert [limiter.acquire("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.acquire("a") == pytest.approx(0.5)


def test_tokens_come_back_at_the_rate_up_to_the_burst() -> None:
    clock = Clock()
    limiter = TokenBucketLimiter(rate=2.0, burst=3, clock=clock)
    for _ in range(3):
        limiter.acquire("a")

    clock.now += 0.5
    assert limiter.acquire("a") == 0.0
    assert limiter.acquire("a") > 0.0

    clock.now += 3600
    assert [limiter.acquire("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.acquire("a") > 0.0


def test_a_refused_request_costs_nothing() -> None:
    clock = Clock()
    limiter = TokenBucketLimiter(rate=1.0, burst=1, clock=clock)
    limiter.acquire("a")
    for _ in range(10):
        assert limiter.acquire("a") > 0.0

    clock.now += 1.0
    assert limiter.acquire("a") == 0.0


def test_clients_have_their_own_buckets() -> None:
    limiter = TokenBucketLimiter(rate=1.0, burst=1, clock=Clock())

    assert limiter.acquire("a") == 0.0
    assert limiter.acquire("b") == 0.0
    assert limiter.acquire("a") > 0.0


def test_memory_is_bounded_by_forgetting_the_least_recently_seen() -> None:
    limiter = TokenBucketLimiter(rate=1.0, burst=1, max_keys=2, clock=Clock())
    limiter.acquire("a")
    limiter.acquire("b")
    limiter.acquire("a")  # a is now more recent than b

    limiter.acquire("c")

    assert len(limiter) == 2
    assert limiter.acquire("a") > 0.0, "a was kept, with its empty bucket"
    assert limiter.acquire("b") == 0.0, "b was forgotten and starts full"


@pytest.mark.parametrize(
    ("rate", "burst", "max_keys"), [(0.0, 1, 1), (-1.0, 1, 1), (1.0, 0, 1), (1.0, 1, 0)]
)
def test_nonsense_limits_are_refused(rate: float, burst: int, max_keys: int) -> None:
    with pytest.raises(ValueError, match="rate must be positive"):
        TokenBucketLimiter(rate=rate, burst=burst, max_keys=max_keys)


async def test_the_middleware_limits_only_its_prefix_and_answers_problem_json() -> None:
    async def ok(request: object) -> PlainTextResponse:
        return PlainTextResponse("ok")

    app = Starlette(routes=[Route("/api/x", ok), Route("/page", ok)])
    clock = Clock()
    limited = RateLimitMiddleware(
        app, limiter=TokenBucketLimiter(rate=0.4, burst=1, clock=clock), prefix="/api"
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=limited), base_url="http://t"
    ) as client:
        first = await client.get("/api/x")
        second = await client.get("/api/x")
        page = [(await client.get("/page")).status_code for _ in range(3)]

    assert first.status_code == 200
    assert second.status_code == 429
    assert second.headers["content-type"] == "application/problem+json"
    assert second.headers["retry-after"] == "3"
    assert second.json()["type"].endswith("/rate-limited")
    assert page == [200, 200, 200]


async def test_a_narrower_bucket_applies_only_to_the_requests_it_picks() -> None:
    async def ok(request: object) -> PlainTextResponse:
        return PlainTextResponse("ok")

    routes = [Route("/api/sign-in", ok, methods=["GET", "POST"]), Route("/api/x", ok)]
    app = Starlette(routes=routes)
    limited = RateLimitMiddleware(
        app,
        limiter=TokenBucketLimiter(rate=0.01, burst=1, clock=Clock()),
        prefix="/api",
        applies=lambda method, path: (method, path) == ("POST", "/api/sign-in"),
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=limited), base_url="http://t"
    ) as client:
        picked = [(await client.post("/api/sign-in")).status_code for _ in range(2)]
        others = [(await client.get("/api/sign-in")).status_code for _ in range(3)]
        others += [(await client.get("/api/x")).status_code for _ in range(3)]

    assert picked == [200, 429]
    assert others == [200] * 6


def test_a_quota_says_what_is_left_and_when_the_bucket_is_full() -> None:
    clock = Clock()
    limiter = TokenBucketLimiter(rate=2.0, burst=3, clock=clock)
    first = take(limiter, "client")
    assert (first.limit, first.remaining, first.reset_seconds, first.retry_after) == (3, 2, 1, 0)
    assert "Retry-After" not in first.headers()
    take(limiter, "client")
    take(limiter, "client")
    refused = take(limiter, "client")
    assert (refused.remaining, refused.retry_after, refused.reset_seconds) == (0, 1, 2)
    assert refused.headers() == {
        "X-RateLimit-Limit": "3",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": "2",
        "Retry-After": "1",
    }
    clock.now += 0.5
    assert take(limiter, "client").retry_after == 0
