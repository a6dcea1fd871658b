"""``/openapi.json``: the services' documents, fetched concurrently, merged, cached briefly."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from gateway.openapi_merge import ServiceSpec, merge_openapi
from gateway.routes import route_for_service
from gateway.upstream import Upstreams, correlation_headers

log = logging.getLogger(__name__)

DESCRIPTION = (
    "The InfoCenter REST API for creditors (oppdragsgivere), served by the gateway. "
    "Errors are RFC 9457 application/problem+json; mutating endpoints accept "
    "Idempotency-Key; every response carries X-Request-ID."
)


class OpenApiAggregator:
    """Builds the merged document at most once per ``ttl`` seconds.

    A service that does not answer is left out and named in ``info.x-unavailable``; the
    result is cached all the same (the TTL is short), so a service that is down costs
    one timeout per TTL and not one per reader.
    """

    def __init__(
        self,
        upstreams: Upstreams,
        *,
        ttl: float,
        timeout: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.upstreams = upstreams
        self.ttl = ttl
        self.timeout = timeout
        self.clock = clock
        self._document: dict[str, Any] | None = None
        self._built_at = 0.0
        self._lock = asyncio.Lock()

    def _fresh(self) -> bool:
        return self._document is not None and self.clock() - self._built_at < self.ttl

    async def document(self) -> dict[str, Any]:
        if self._fresh():
            assert self._document is not None
            return self._document
        async with self._lock:
            if not self._fresh():
                self._document = await self._build()
                self._built_at = self.clock()
            assert self._document is not None
            return self._document

    async def _fetch(self, service: str) -> dict[str, Any] | None:
        try:
            async with asyncio.timeout(self.timeout):
                response = await self.upstreams.client.get(
                    self.upstreams.url(service, "/openapi.json"),
                    headers=correlation_headers(),
                    timeout=self.timeout,
                )
                response.raise_for_status()
                document = response.json()
        except (TimeoutError, ValueError, httpx.HTTPError) as exc:
            log.warning("openapi of %s unavailable: %s", service, type(exc).__name__)
            return None
        if not isinstance(document, dict) or not isinstance(document.get("paths"), dict):
            log.warning("openapi of %s is not an OpenAPI document", service)
            return None
        return document

    async def _build(self) -> dict[str, Any]:
        services = list(self.upstreams.urls)
        documents = await asyncio.gather(*(self._fetch(s) for s in services))
        specs = [
            ServiceSpec(service, route_for_service(service).prefix, document)
            for service, document in zip(services, documents, strict=True)
            if document is not None
        ]
        unavailable = [s for s, d in zip(services, documents, strict=True) if d is None]
        return merge_openapi(
            specs, unavailable=unavailable, title="InfoCenter API", description=DESCRIPTION
        )


async def get_aggregator(request: Request) -> OpenApiAggregator:
    aggregator: OpenApiAggregator = request.app.state.openapi
    return aggregator


AggregatorDep = Annotated[OpenApiAggregator, Depends(get_aggregator)]

router = APIRouter()


@router.get("/openapi.json", include_in_schema=False)
async def openapi_json(aggregator: AggregatorDep) -> JSONResponse:
    return JSONResponse(await aggregator.document())
