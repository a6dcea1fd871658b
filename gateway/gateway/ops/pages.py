"""The ops dashboards: ``/ops`` (every service side by side, readiness, firing alerts) and
``/ops/<service>`` (requests, errors, latency, outbox, queues, dead letters, restarts,
the service's alerts), for agency staff with the ``ops`` role."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response
from servicekit.promql import SERVICES, overview_panels, service_panels

from gateway.ops import dashboards
from gateway.ops.prometheus import Prometheus
from gateway.portal.render import page
from gateway.portal.visitor import OpsDep
from gateway.upstream import Upstreams, UpstreamsDep
from gateway.web import SERVICE_TEXT, ops_context

router = APIRouter(include_in_schema=False)

SERVICE_NAMES = {**SERVICE_TEXT, "gateway": "Gateway og portal"}
WITH_QUEUES = tuple(s for s in SERVICES if s != "gateway")
MISSING_TEXT = {
    "not_configured": "Prometheus er ikke satt opp for gatewayen (GATEWAY_PROMETHEUS_URL).",
    "timeout": "Prometheus svarte ikke i tide.",
    "connection_failed": "Prometheus kan ikke nås.",
}


def prometheus(upstreams: Upstreams) -> Prometheus:
    settings = upstreams.settings
    return Prometheus(
        upstreams.client, settings.prometheus_url, timeout=settings.prometheus_timeout
    )


def _common(upstreams: Upstreams) -> dict[str, object]:
    return {
        "active": "ops",
        "services": SERVICES,
        "service_names": SERVICE_NAMES,
        "with_queues": WITH_QUEUES,
        "missing_text": MISSING_TEXT,
        "prometheus_url": upstreams.settings.prometheus_url,
    }


@router.get("/ops")
async def overview(request: Request, upstreams: UpstreamsDep, visitor: OpsDep) -> Response:
    prom = prometheus(upstreams)
    now = datetime.now(UTC)
    panels = await dashboards.show_all(prom, overview_panels(), now)
    alerts = await dashboards.firing(prom)
    context = await ops_context(upstreams)
    return page(
        request,
        "ops/overview.html",
        {
            **context,
            **_common(upstreams),
            "title": "Drift",
            "panels": panels,
            "alerts": alerts,
        },
        visitor=visitor,
    )


@router.get("/ops/{service}")
async def service_page(
    request: Request, service: str, upstreams: UpstreamsDep, visitor: OpsDep
) -> Response:
    if service not in SERVICES:
        return page(
            request,
            "portal/error.html",
            {"title": "Ukjent tjeneste", "message": "Det finnes ingen tjeneste med det navnet."},
            visitor=visitor,
            status_code=404,
        )
    prom = prometheus(upstreams)
    now = datetime.now(UTC)
    panels = await dashboards.show_all(prom, service_panels(service), now)
    alerts = await dashboards.firing(prom, service)
    return page(
        request,
        "ops/service.html",
        {
            **_common(upstreams),
            "title": f"Drift: {service}",
            "service": service,
            "panels": panels,
            "alerts": alerts,
        },
        visitor=visitor,
    )
