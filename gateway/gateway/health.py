"""Readiness of every service, asked concurrently; the gateway's own health endpoints."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from gateway.upstream import Upstreams, UpstreamsDep, correlation_headers

READY, NOT_READY, UNREACHABLE = "ready", "not_ready", "unreachable"


async def service_readiness(upstreams: Upstreams, service: str) -> dict[str, Any]:
    """``{"status": ready|not_ready|unreachable, "checks": {...}, "ms": 12.3}`` of one service.

    ``error`` names what went wrong in a word (``timeout``, ``connection_failed``,
    ``http_500``…), never an exception message.
    """
    timeout = upstreams.settings.health_timeout
    started = time.perf_counter()
    result: dict[str, Any]
    try:
        async with asyncio.timeout(timeout):
            response = await upstreams.client.get(
                upstreams.url(service, "/health/ready"),
                headers=correlation_headers(),
                timeout=timeout,
            )
            body = response.json() if response.content else {}
    except (TimeoutError, httpx.TimeoutException):
        result = {"status": UNREACHABLE, "error": "timeout"}
    except httpx.TransportError:
        result = {"status": UNREACHABLE, "error": "connection_failed"}
    except (ValueError, httpx.HTTPError):  # not JSON: something else answers on that port
        result = {"status": NOT_READY, "error": "invalid_response"}
    else:
        checks = body.get("checks", {}) if isinstance(body, dict) else {}
        if response.status_code == 200 and isinstance(body, dict) and body.get("status") == READY:
            result = {"status": READY, "checks": checks}
        else:
            result = {"status": NOT_READY, "checks": checks}
            if response.status_code != 503:
                result["error"] = f"http_{response.status_code}"
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


async def readiness(upstreams: Upstreams) -> dict[str, Any]:
    """``{"status": "ready"|"not_ready", "services": {name: readiness, …}}``."""
    services = list(upstreams.urls)
    results = await asyncio.gather(*(service_readiness(upstreams, s) for s in services))
    by_service = dict(zip(services, results, strict=True))
    ready = all(r["status"] == READY for r in results)
    return {"status": READY if ready else NOT_READY, "services": by_service}


router = APIRouter(prefix="/health", tags=["health"])


@router.get("/live", summary="The gateway process is running")
async def live() -> dict[str, str]:
    return {"status": "live"}


@router.get("/ready", summary="Every service behind the gateway is ready")
async def ready(upstreams: UpstreamsDep) -> JSONResponse:
    body = await readiness(upstreams)
    return JSONResponse(body, status_code=200 if body["status"] == READY else 503)
