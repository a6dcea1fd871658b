"""Dependencies of the webhooks API: the service, and who may manage webhooks."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from servicekit.auth import CurrentPrincipal
from servicekit.errors import Forbidden
from servicekit.idempotency import answer_once, fingerprint
from servicekit.openapi import raises
from servicekit.roles import Roles
from servicekit.tokens import Principal

from webhooks.adapters.orm import idempotency_keys
from webhooks.bootstrap import WebhooksService
from webhooks.service_layer.endpoints import EndpointContext


async def _service(request: Request) -> WebhooksService:
    service: WebhooksService = request.app.state.service
    return service


ServiceDep = Annotated[WebhooksService, Depends(_service)]


@raises(403)
async def webhook_manager(principal: CurrentPrincipal) -> uuid.UUID:
    """The organisation whose webhooks the caller manages: a creditor admin's own.

    The one place that decides who manages webhooks (a machine client's
    ``webhooks:manage`` scope is added here, beside the role)."""
    if Roles.CREDITOR_ADMIN not in principal.roles or principal.tenant is None:
        raise Forbidden("Your role does not allow this.")
    return principal.tenant


Manager = Annotated[uuid.UUID, Depends(webhook_manager)]
"""The caller's organisation, once it may manage webhooks."""

Work = Callable[[EndpointContext], Awaitable[tuple[int, Any]]]
"""A POST's work on a context whose unit of work is the answer's transaction."""


async def answer_post_once(
    service: WebhooksService,
    principal: Principal,
    request: Request,
    key: str | None,
    body: Any,
    work: Work,
    *,
    reveal: Callable[[Any], Any] = lambda body: body,
) -> JSONResponse:
    """A POST's answer, once per caller and ``Idempotency-Key`` (servicekit's mechanism).

    ``work`` runs with a context whose unit of work is this answer's transaction (the
    handler's own ``async with`` joins it), so the effect and the stored answer commit
    together; the same key again replays the answer, with another body it is refused
    (422). A stored answer holds a secret only sealed: ``reveal`` opens it for the reply.
    """
    async with service.unit_of_work() as uow:
        context = replace(service.endpoint_context(), uow=lambda: uow)
        answer = await answer_once(
            uow.session,
            idempotency_keys,
            scope=f"{principal.tenant}:{principal.user_id}",
            key=key,
            request_fingerprint=fingerprint("POST", request.url.path, body),
            work=lambda: work(context),
        )
        await uow.commit()
    return JSONResponse(reveal(answer.body), status_code=answer.status_code)


__all__ = ["Manager", "Principal", "ServiceDep", "answer_post_once"]
