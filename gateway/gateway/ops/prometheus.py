"""Prometheus's HTTP API, read by the ops pages (``/api/v1/query_range``, ``/query``,
``/alerts``).

Every call has its own timeout and a bounded answer; anything else than a good answer (no
Prometheus configured, not running, slow, an error, a body that is not what the API
documents) is :class:`PrometheusUnavailable`, which the pages show as «ingen data».
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx

OSLO = ZoneInfo("Europe/Oslo")
MAX_BODY = 4 * 1024 * 1024
MAX_SERIES = 40
MAX_POINTS = 2000
MAX_ALERTS = 200


class PrometheusUnavailable(Exception):
    """No answer to show; the word says why (``not_configured``, ``timeout``, …)."""


@dataclass(frozen=True)
class Series:
    labels: dict[str, str]
    points: list[tuple[float, float]]
    """(unix time, value); NaN and infinite values are left out."""


@dataclass(frozen=True)
class Alert:
    name: str
    severity: str
    service: str
    summary: str
    runbook_url: str
    active_at: str
    labels: dict[str, str] = field(default_factory=dict)


class Prometheus:
    """One Prometheus server, asked over the gateway's shared HTTP client."""

    def __init__(self, client: httpx.AsyncClient, url: str, *, timeout: float) -> None:
        self.client = client
        self.url = url.rstrip("/")
        self.timeout = timeout

    async def _get(self, path: str, params: dict[str, str]) -> Any:
        if not self.url:
            raise PrometheusUnavailable("not_configured")
        try:
            async with self.client.stream(
                "GET", f"{self.url}{path}", params=params, timeout=self.timeout
            ) as response:
                body = b""
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > MAX_BODY:
                        raise PrometheusUnavailable("too_large")
        except httpx.TimeoutException as exc:
            raise PrometheusUnavailable("timeout") from exc
        except httpx.HTTPError as exc:
            raise PrometheusUnavailable("connection_failed") from exc
        if response.status_code != 200:
            raise PrometheusUnavailable(f"http_{response.status_code}")
        try:
            answer = httpx.Response(200, content=body).json()
        except ValueError as exc:
            raise PrometheusUnavailable("invalid_response") from exc
        if not isinstance(answer, dict) or answer.get("status") != "success":
            raise PrometheusUnavailable("query_failed")
        return answer.get("data")

    async def range(self, expr: str, *, start: datetime, end: datetime, step: int) -> list[Series]:
        """A range query: one series per label set, its points over ``start``…``end``."""
        data = await self._get(
            "/api/v1/query_range",
            {
                "query": expr,
                "start": f"{start.timestamp():.3f}",
                "end": f"{end.timestamp():.3f}",
                "step": str(step),
            },
        )
        return [_series(item, "values") for item in _result(data, "matrix")]

    async def instant(self, expr: str) -> list[Series]:
        """An instant query: one series per label set, each with its one point."""
        data = await self._get("/api/v1/query", {"query": expr})
        return [_series(item, "value") for item in _result(data, "vector")]

    async def alerts(self) -> list[Alert]:
        """The firing alerts (pending ones are not shown)."""
        data = await self._get("/api/v1/alerts", {})
        items = data.get("alerts") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise PrometheusUnavailable("invalid_response")
        alerts = []
        for item in items[:MAX_ALERTS]:
            if not isinstance(item, dict) or item.get("state") != "firing":
                continue
            labels = _strings(item.get("labels"))
            notes = _strings(item.get("annotations"))
            alerts.append(
                Alert(
                    name=labels.get("alertname", "?"),
                    severity=labels.get("severity", ""),
                    service=labels.get("service", ""),
                    summary=notes.get("summary", notes.get("description", "")),
                    runbook_url=_safe_link(notes.get("runbook_url", "")),
                    active_at=_moment(item.get("activeAt")),
                    labels=labels,
                )
            )
        return sorted(alerts, key=lambda a: (a.severity != "critical", a.service, a.name))


def _moment(value: Any) -> str:
    """Prometheus's RFC 3339 time (nanoseconds and all) as Oslo time: ``06.12.2026 23:54``."""
    try:
        at = datetime.fromisoformat(str(value)[:19]).replace(tzinfo=UTC)
    except ValueError:
        return ""
    return at.astimezone(OSLO).strftime("%d.%m.%Y %H:%M")


def _result(data: Any, kind: str) -> list[Any]:
    if not isinstance(data, dict) or data.get("resultType") != kind:
        raise PrometheusUnavailable("invalid_response")
    result = data.get("result")
    if not isinstance(result, list):
        raise PrometheusUnavailable("invalid_response")
    return result[:MAX_SERIES]


def _strings(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k)[:100]: str(v)[:500] for k, v in value.items()}


def _safe_link(url: str) -> str:
    """Only http(s) and site-relative links become links on the page."""
    return url if url.startswith(("https://", "http://", "/")) and not url.startswith("//") else ""


def _point(pair: Any) -> tuple[float, float] | None:
    if not isinstance(pair, list | tuple) or len(pair) != 2:
        return None
    try:
        at, value = float(pair[0]), float(pair[1])
    except (TypeError, ValueError):
        return None
    return (at, value) if math.isfinite(value) else None


def _series(item: Any, key: str) -> Series:
    if not isinstance(item, dict):
        raise PrometheusUnavailable("invalid_response")
    raw = item.get(key)
    pairs = raw[:MAX_POINTS] if key == "values" and isinstance(raw, list) else [raw]
    points = [p for p in (_point(pair) for pair in pairs) if p is not None]
    return Series(labels=_strings(item.get("metric")), points=points)
