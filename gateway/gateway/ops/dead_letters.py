"""Dead letters from the ops pages: list per queue, inspect one, replay one or all, purge
with a reason.

The pages call each service's own ``/api/v1/<service>/ops/dead-letters`` as the signed-in
person (ADR 0047): the service checks the ``ops`` role again, works on its own queues and
audits every inspection, replay and purge. The gateway holds no broker credentials.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.ops.pages import SERVICE_NAMES, WITH_QUEUES
from gateway.portal import csrf
from gateway.portal.api import ApiProblem
from gateway.portal.render import page, redirect
from gateway.portal.visitor import OpsDep, Visitor

router = APIRouter(include_in_schema=False)

SEGMENT = "doede-meldinger"
QUEUE = re.compile(r"^[a-z0-9_.-]{1,200}$")
NOTICES = {
    "spilt-av": "{n} døde meldinger er sendt tilbake til køen.",
    "slettet": "{n} døde meldinger er slettet.",
}
ERRORS = {
    "grunn": "Skriv en grunn (minst tre tegn) før du sletter døde meldinger.",
    "valg": "Velg en melding, eller alle.",
}


def _api(service: str, queue: str | None = None) -> str:
    base = f"/api/v1/{service}/ops/dead-letters"
    return base if queue is None else f"{base}/{queue}"


def _here(service: str) -> str:
    return f"/ops/{service}/{SEGMENT}"


def _known(service: str, queue: str | None = None) -> bool:
    return service in WITH_QUEUES and (queue is None or bool(QUEUE.match(queue)))


def _not_found(request: Request, visitor: Visitor) -> Response:
    return page(
        request,
        "portal/error.html",
        {"title": "Finnes ikke", "message": "Det finnes ingen slik kø eller melding."},
        visitor=visitor,
        status_code=404,
    )


def _notice(request: Request) -> tuple[str | None, str]:
    query = request.query_params
    count = query.get("antall", "")
    if (text := NOTICES.get(query.get("melding", ""))) and count.isdigit():
        return text.format(n=int(count)), "ok"
    if text := ERRORS.get(query.get("feil", "")):
        return text, "error"
    return None, "ok"


@router.get(f"/ops/{{service}}/{SEGMENT}")
async def listing(request: Request, service: str, visitor: OpsDep) -> Response:
    if not _known(service):
        return _not_found(request, visitor)
    unavailable = False
    queues: list[dict[str, Any]] = []
    try:
        found = await visitor.backend.get(_api(service))
        for queue in found["queues"]:
            letters = (
                await visitor.backend.get(_api(service, queue["queue"]), params={"limit": 50})
                if queue["dead_letters"]
                else {"items": [], "count": 0}
            )
            queues.append({**queue, "letters": letters["items"]})
    except ApiProblem as problem:
        if problem.status < 500:
            raise
        unavailable = True
    notice, kind = _notice(request)
    return page(
        request,
        "ops/dead_letters.html",
        {
            "title": f"Døde meldinger: {service}",
            "active": "ops",
            "service": service,
            "service_names": SERVICE_NAMES,
            "queues": queues,
            "unavailable": unavailable,
            "notice": notice,
            "notice_kind": kind,
        },
        visitor=visitor,
    )


@router.get(f"/ops/{{service}}/{SEGMENT}/{{queue}}/{{event_id}}")
async def inspect(
    request: Request, service: str, queue: str, event_id: str, visitor: OpsDep
) -> Response:
    if not _known(service, queue) or not _is_uuid(event_id):
        return _not_found(request, visitor)
    letter = await visitor.backend.get(f"{_api(service, queue)}/{event_id}")
    notice, kind = _notice(request)
    return page(
        request,
        "ops/dead_letter.html",
        {
            "title": f"Død melding {event_id}",
            "active": "ops",
            "service": service,
            "queue": queue,
            "letter": letter,
            "notice": notice,
            "notice_kind": kind,
        },
        visitor=visitor,
    )


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _selection(form: Any) -> dict[str, Any] | None:
    """``{"event_ids": [id]}`` or ``{"all": true}`` from the form, or ``None``."""
    event_id = str(form.get("event_id", "")).strip()
    if form.get("alle") == "ja" and not event_id:
        return {"all": True}
    if _is_uuid(event_id):
        return {"event_ids": [event_id]}
    return None


@router.post(f"/ops/{{service}}/{SEGMENT}/{{queue}}/spill-av")
async def replay(request: Request, service: str, queue: str, visitor: OpsDep) -> Response:
    form = await csrf.checked_form(request)
    if not _known(service, queue):
        return _not_found(request, visitor)
    selection = _selection(form)
    if selection is None:
        return redirect(f"{_here(service)}?feil=valg")
    done = await visitor.backend.post(f"{_api(service, queue)}/replay", selection)
    return redirect(f"{_here(service)}?melding=spilt-av&antall={int(done['count'])}")


@router.post(f"/ops/{{service}}/{SEGMENT}/{{queue}}/slett")
async def purge(request: Request, service: str, queue: str, visitor: OpsDep) -> Response:
    form = await csrf.checked_form(request)
    if not _known(service, queue):
        return _not_found(request, visitor)
    selection = _selection(form)
    reason = " ".join(str(form.get("grunn", "")).split())[:500]
    if selection is None:
        return redirect(f"{_here(service)}?feil=valg")
    if len(reason) < 3:
        return redirect(f"{_here(service)}?feil=grunn")
    done = await visitor.backend.post(
        f"{_api(service, queue)}/purge", {**selection, "reason": reason}
    )
    return redirect(f"{_here(service)}?melding=slettet&antall={int(done['count'])}")
