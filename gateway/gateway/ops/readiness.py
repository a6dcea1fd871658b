"""The readiness table of the ops overview, alone, for the page's refresh script.

``/health/ready`` stays public (load balancers and probes need it); this is the same
readiness with the names of the services' dependencies, for the ``ops`` role only.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from gateway.portal.visitor import OpsDep
from gateway.upstream import UpstreamsDep
from gateway.web import no_store, ops_context, templates

router = APIRouter(include_in_schema=False)


@router.get("/ops/status", response_class=HTMLResponse)
async def ops_status(request: Request, upstreams: UpstreamsDep, _ops: OpsDep) -> HTMLResponse:
    """The status table alone, for the page's refresh script."""
    context = await ops_context(upstreams)
    return templates.TemplateResponse(request, "_ops_status.html", context, headers=no_store())
