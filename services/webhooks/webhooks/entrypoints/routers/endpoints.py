"""``/api/v1/webhooks``: a creditor admin's endpoints, their secrets and delivery log."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response
from servicekit.openapi import problem_responses

from webhooks import views
from webhooks.domain.catalogue import EVENT_TYPES
from webhooks.domain.errors import EndpointNotFound
from webhooks.entrypoints.deps import Manager, ServiceDep
from webhooks.entrypoints.schemas import (
    AttemptOut,
    AttemptPage,
    EndpointChange,
    EndpointCreated,
    EndpointIn,
    EndpointOut,
    EventTypeOut,
    RedeliveryIn,
    RedeliveryOut,
    SecretRotated,
)
from webhooks.service_layer import endpoints as handlers

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])


async def _endpoint(
    service: ServiceDep, organisation: uuid.UUID, endpoint_id: uuid.UUID
) -> EndpointOut:
    async with service.session_factory() as session:
        row = await views.endpoint(session, organisation, endpoint_id)
    if row is None:
        raise EndpointNotFound()
    return EndpointOut.model_validate(row)


@router.get(
    "/event-types", response_model=list[EventTypeOut], summary="Event types to subscribe to"
)
async def event_types(organisation: Manager) -> list[EventTypeOut]:
    return [EventTypeOut(type=t, description=d) for t, d in EVENT_TYPES.items()]


@router.get("/endpoints", response_model=list[EndpointOut], summary="The organisation's endpoints")
async def list_endpoints(organisation: Manager, service: ServiceDep) -> list[EndpointOut]:
    async with service.session_factory() as session:
        rows = await views.list_endpoints(session, organisation)
    return [EndpointOut.model_validate(r) for r in rows]


@router.post(
    "/endpoints",
    status_code=201,
    response_model=EndpointCreated,
    responses=problem_responses(422),
    summary="Add an endpoint (its secret is shown once)",
    description="HTTPS only (plain HTTP in development). The URL's host must resolve to "
    "public addresses only: loopback, private, link-local, shared (CGNAT), multicast and "
    "metadata addresses are refused (`address-forbidden`).",
)
async def create_endpoint(
    body: EndpointIn, organisation: Manager, service: ServiceDep, response: Response
) -> EndpointCreated:
    endpoint_id, secret = await handlers.create_endpoint(
        service.endpoint_context(),
        organisation,
        url=body.url,
        event_types=body.event_types,
        description=body.description,
    )
    response.headers["Location"] = f"/api/v1/webhooks/endpoints/{endpoint_id}"
    out = await _endpoint(service, organisation, endpoint_id)
    return EndpointCreated(**out.model_dump(), secret=secret)


@router.get(
    "/endpoints/{endpoint_id}",
    response_model=EndpointOut,
    responses=problem_responses(404),
    summary="One endpoint",
)
async def get_endpoint(
    endpoint_id: uuid.UUID, organisation: Manager, service: ServiceDep
) -> EndpointOut:
    return await _endpoint(service, organisation, endpoint_id)


@router.patch(
    "/endpoints/{endpoint_id}",
    response_model=EndpointOut,
    responses=problem_responses(404, 422),
    summary="Change an endpoint: URL, event types, description; disable or enable it",
)
async def change_endpoint(
    endpoint_id: uuid.UUID, body: EndpointChange, organisation: Manager, service: ServiceDep
) -> EndpointOut:
    await handlers.change_endpoint(
        service.endpoint_context(),
        organisation,
        endpoint_id,
        url=body.url,
        event_types=body.event_types,
        description=body.description,
        enabled=body.enabled,
    )
    return await _endpoint(service, organisation, endpoint_id)


@router.post(
    "/endpoints/{endpoint_id}/rotate-secret",
    response_model=SecretRotated,
    responses=problem_responses(404),
    summary="A new secret (shown once); both sign during the overlap window",
)
async def rotate_secret(
    endpoint_id: uuid.UUID, organisation: Manager, service: ServiceDep
) -> SecretRotated:
    secret, until = await handlers.rotate_secret(
        service.endpoint_context(), organisation, endpoint_id, datetime.now(UTC)
    )
    return SecretRotated(secret=secret, previous_valid_until=until)


@router.post(
    "/endpoints/{endpoint_id}/redeliver",
    response_model=RedeliveryOut,
    status_code=202,
    responses=problem_responses(404, 422),
    summary="Send one event, or the events of a time range, again",
)
async def redeliver(
    endpoint_id: uuid.UUID, body: RedeliveryIn, organisation: Manager, service: ServiceDep
) -> RedeliveryOut:
    queued = await handlers.redeliver(
        service.endpoint_context(),
        organisation,
        endpoint_id,
        message_id=body.message_id,
        since=body.since,
        until=body.until,
    )
    return RedeliveryOut(queued=queued)


@router.get(
    "/endpoints/{endpoint_id}/attempts",
    response_model=AttemptPage,
    responses=problem_responses(404),
    summary="The delivery log: every attempt, newest first",
)
async def attempts(
    endpoint_id: uuid.UUID,
    organisation: Manager,
    service: ServiceDep,
    before: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    message_id: uuid.UUID | None = None,
) -> AttemptPage:
    await _endpoint(service, organisation, endpoint_id)
    async with service.session_factory() as session:
        rows = await views.attempts_log(
            session, endpoint_id, before=before, limit=limit, message_id=message_id
        )
    page = [AttemptOut.model_validate(r) for r in rows]
    return AttemptPage(attempts=page, next_before=page[-1].id if len(page) == limit else None)
