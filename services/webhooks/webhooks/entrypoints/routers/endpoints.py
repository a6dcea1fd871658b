"""``/api/v1/webhooks``: a creditor admin's endpoints, their secrets and delivery log."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from servicekit.auth import CurrentPrincipal
from servicekit.idempotency import IdempotencyKeyHeader
from servicekit.openapi import problem_responses

from webhooks import views
from webhooks.domain.catalogue import EVENT_TYPES
from webhooks.domain.errors import EndpointNotFound
from webhooks.entrypoints.deps import Manager, ServiceDep, answer_post_once
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
from webhooks.service_layer.endpoints import EndpointContext

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])

IDEMPOTENT = (
    " Send an `Idempotency-Key` to make a retry safe: the same key with the same body "
    "replays the first answer (a secret in it included), with another body it is 422 "
    "`idempotency-key-reused`."
)


def answer_id(answer: JSONResponse) -> str:
    """The created endpoint's id, from the answer's body."""
    return str(json.loads(bytes(answer.body))["id"])


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
    rows = await views.list_endpoints(service.engine, organisation)
    return [EndpointOut.model_validate(r) for r in rows]


@router.post(
    "/endpoints",
    status_code=201,
    response_model=EndpointCreated,
    responses=problem_responses(422),
    summary="Add an endpoint (its secret is shown once)",
    description="HTTPS only (plain HTTP in development). The URL's host must resolve to "
    "public addresses only: loopback, private, link-local, shared (CGNAT), multicast and "
    "metadata addresses are refused (`address-forbidden`)." + IDEMPOTENT,
)
async def create_endpoint(
    body: EndpointIn,
    organisation: Manager,
    principal: CurrentPrincipal,
    service: ServiceDep,
    request: Request,
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    vault = service.vault

    async def work(context: EndpointContext) -> tuple[int, Any]:
        endpoint_id, secret = await handlers.create_endpoint(
            context,
            organisation,
            url=body.url,
            event_types=body.event_types,
            description=body.description,
        )
        async with context.uow() as uow:
            row = await views.endpoint(uow.session, organisation, endpoint_id)
        out = EndpointOut.model_validate(row).model_dump(mode="json")
        return 201, {**out, "secret": vault.seal(endpoint_id, secret)}

    def reveal(stored: dict[str, Any]) -> dict[str, Any]:
        return {**stored, "secret": vault.open(uuid.UUID(stored["id"]), stored["secret"])}

    answer = await answer_post_once(
        service,
        principal,
        request,
        idempotency_key,
        body.model_dump(mode="json"),
        work,
        reveal=reveal,
    )
    answer.headers["Location"] = f"/api/v1/webhooks/endpoints/{answer_id(answer)}"
    return answer


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
    responses=problem_responses(404, 422),
    summary="A new secret (shown once); both sign during the overlap window",
    description="The previous secret signs too for the overlap window." + IDEMPOTENT,
)
async def rotate_secret(
    endpoint_id: uuid.UUID,
    organisation: Manager,
    principal: CurrentPrincipal,
    service: ServiceDep,
    request: Request,
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    vault = service.vault

    async def work(context: EndpointContext) -> tuple[int, Any]:
        secret, until = await handlers.rotate_secret(
            context, organisation, endpoint_id, datetime.now(UTC)
        )
        rotated = SecretRotated(secret=vault.seal(endpoint_id, secret), previous_valid_until=until)
        return 200, rotated.model_dump(mode="json")

    def reveal(stored: dict[str, Any]) -> dict[str, Any]:
        return {**stored, "secret": vault.open(endpoint_id, stored["secret"])}

    return await answer_post_once(
        service, principal, request, idempotency_key, None, work, reveal=reveal
    )


@router.post(
    "/endpoints/{endpoint_id}/redeliver",
    response_model=RedeliveryOut,
    status_code=202,
    responses=problem_responses(404, 422),
    summary="Send one event, or the events of a time range, again",
    description="Queues the deliveries again; the events keep their `webhook-id`." + IDEMPOTENT,
)
async def redeliver(
    endpoint_id: uuid.UUID,
    body: RedeliveryIn,
    organisation: Manager,
    principal: CurrentPrincipal,
    service: ServiceDep,
    request: Request,
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    async def work(context: EndpointContext) -> tuple[int, Any]:
        queued = await handlers.redeliver(
            context,
            organisation,
            endpoint_id,
            message_id=body.message_id,
            since=body.since,
            until=body.until,
        )
        return 202, RedeliveryOut(queued=queued).model_dump(mode="json")

    return await answer_post_once(
        service, principal, request, idempotency_key, body.model_dump(mode="json"), work
    )


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
