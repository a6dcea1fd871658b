"""Dependencies shared by the cases API's routers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse
from servicekit.auth import require_roles
from servicekit.idempotency import HEADER, MAX_KEY_LENGTH, answer_once, fingerprint
from servicekit.roles import Roles
from servicekit.tokens import Principal
from servicekit.types import Text

from cases.adapters.orm import idempotency_keys
from cases.bootstrap import CasesService
from cases.service_layer.unit_of_work import CasesUnitOfWork


async def _service(request: Request) -> CasesService:
    service: CasesService = request.app.state.service
    return service


ServiceDep = Annotated[CasesService, Depends(_service)]

AnyUser = Annotated[Principal, Depends(require_roles(*Roles.ALL))]
"""Any signed-in user; creditor users are scoped to their organisation by ``tenant``."""

CreditorUser = Annotated[Principal, Depends(require_roles(Roles.CREDITOR, Roles.CREDITOR_ADMIN))]
"""A user of a creditor organisation (they register cases for it)."""

IdempotencyKey = Annotated[
    Text | None,
    Header(
        alias=HEADER,
        max_length=MAX_KEY_LENGTH,
        description="Send a unique key to make a retry safe: the same key returns the first answer",
    ),
]


async def answer_post_once(
    uow: CasesUnitOfWork,
    service: CasesService,
    principal: Principal,
    request: Request,
    key: str | None,
    body: Any,
    work: Callable[[], Awaitable[tuple[int, object]]],
) -> JSONResponse:
    """A POST's answer, once per caller and Idempotency-Key: ``work`` runs in ``uow``'s
    transaction, which commits with the stored answer; the same key again returns it, and
    with another ``body`` (the request's JSON, fingerprinted) is refused."""
    answer = await answer_once(
        uow.session,
        idempotency_keys,
        scope=str(principal.user_id),
        key=key,
        request_fingerprint=fingerprint(
            "POST", request.url.path, body, secret=service.fingerprint_secret
        ),
        work=work,
    )
    await uow.commit()
    return JSONResponse(answer.body, status_code=answer.status_code)
