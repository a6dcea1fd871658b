"""``/health/live`` (the process runs) and ``/health/ready`` (database and broker)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

Check = Callable[[], Awaitable[None]]


def database_check(engine: AsyncEngine) -> Check:
    async def check() -> None:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    return check


def broker_check(connection_getter: Callable[[], Any]) -> Check:
    """Ready when the process's robust connection is open."""

    async def check() -> None:
        connection = connection_getter()
        if connection is None or connection.is_closed:
            raise ConnectionError("broker connection closed")

    return check


def health_router(checks: dict[str, Check], *, timeout: float = 2.0) -> APIRouter:
    router = APIRouter(prefix="/health", tags=["health"])

    @router.get("/live", summary="The process is running")
    async def live() -> dict[str, str]:
        return {"status": "live"}

    @router.get("/ready", summary="Ready to serve: every dependency answers")
    async def ready() -> JSONResponse:
        results: dict[str, dict[str, Any]] = {}

        async def run(name: str, check: Check) -> None:
            started = time.perf_counter()
            try:
                await asyncio.wait_for(check(), timeout=timeout)
                results[name] = {"status": "up"}
            except Exception as exc:
                results[name] = {"status": "down", "error": type(exc).__name__}
            results[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)

        await asyncio.gather(*(run(n, c) for n, c in checks.items()))
        ok = all(r["status"] == "up" for r in results.values())
        return JSONResponse(
            {"status": "ready" if ok else "not_ready", "checks": results},
            status_code=200 if ok else 503,
        )

    return router
