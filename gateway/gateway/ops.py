"""The ops overview (``/ops``): every service's readiness, for signed-in agency staff only.

The page names the services and their dependencies (database, broker) and whether each is
up: not for the public. ``/health/ready`` stays public (load balancers and probes need
it); it answers the same readiness without the page around it.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from gateway.portal.visitor import CaseHandlerDep
from gateway.upstream import UpstreamsDep
from gateway.web import no_store, ops_context, templates

router = APIRouter(include_in_schema=False)


@router.get("/ops", response_class=HTMLResponse)
async def ops(request: Request, upstreams: UpstreamsDep, _staff: CaseHandlerDep) -> HTMLResponse:
    context = await ops_context(upstreams)
    context["page"] = "ops"
    return templates.TemplateResponse(request, "ops.html", context, headers=no_store())


@router.get("/ops/status", response_class=HTMLResponse)
async def ops_status(
    request: Request, upstreams: UpstreamsDep, _staff: CaseHandlerDep
) -> HTMLResponse:
    """The status table alone, for the page's refresh script."""
    context = await ops_context(upstreams)
    return templates.TemplateResponse(request, "_ops_status.html", context, headers=no_store())
