"""Server-rendered pages: the API reference (and what the ops
overview shows: ``gateway.ops`` serves it to agency staff).

No third-party JavaScript or CSS: one stylesheet and one small script, both served by the
gateway from ``/static`` (the Content-Security-Policy allows nothing else).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.templating import Jinja2Templates

from gateway.health import readiness
from gateway.openapi import AggregatorDep
from gateway.openapi_merge import operations_by_tag
from gateway.upstream import Upstreams

PACKAGE_DIR = Path(__file__).parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
STATIC_DIR = PACKAGE_DIR / "static"
OSLO = ZoneInfo("Europe/Oslo")

templates = Jinja2Templates(directory=TEMPLATES_DIR)

STATUS_TEXT = {"ready": "Klar", "not_ready": "Ikke klar", "unreachable": "Utilgjengelig"}
CHECK_TEXT = {"up": "oppe", "down": "nede"}
SERVICE_TEXT = {
    "auth": "Identitet og tilgang",
    "cases": "Saker",
    "ledger": "Regnskap og innbetalinger",
    "reports": "Rapporter og dokumenter",
    "credit": "Kredittopplysninger",
    "webhooks": "Webhooker",
}

router = APIRouter(include_in_schema=False)


def _now_oslo() -> str:
    return datetime.now(UTC).astimezone(OSLO).strftime("%d.%m.%Y %H:%M:%S")


async def ops_context(upstreams: Upstreams) -> dict[str, Any]:
    """What the ops overview shows: every service's readiness, checked now."""
    health = await readiness(upstreams)
    return {
        "health": health,
        "checked_at": _now_oslo(),
        "status_text": STATUS_TEXT,
        "check_text": CHECK_TEXT,
        "service_text": SERVICE_TEXT,
        "refresh_seconds": upstreams.settings.ops_refresh_seconds,
    }


@router.get("/docs", response_class=HTMLResponse)
async def docs(request: Request, aggregator: AggregatorDep) -> HTMLResponse:
    document = await aggregator.document()
    tags = {t["name"]: t.get("description", "") for t in document.get("tags", [])}
    return templates.TemplateResponse(
        request,
        "docs.html",
        {
            "page": "docs",
            "groups": operations_by_tag(document),
            "tag_descriptions": tags,
            "unavailable": document.get("info", {}).get("x-unavailable", []),
            "service_text": SERVICE_TEXT,
        },
    )


@router.get("/favicon.ico")
async def favicon() -> RedirectResponse:
    """Browsers that ask for the old name get the icon the pages link to."""
    return RedirectResponse("/static/favicon.svg", status_code=301)


def no_store() -> dict[str, str]:
    """Headers that keep a page out of every cache."""
    return {"Cache-Control": "no-store"}
