"""FastAPI dependencies of the ledger API, and idempotent command execution."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from servicekit.auth import require_agency_staff, require_roles
from servicekit.errors import NotFound
from servicekit.idempotency import HEADER, fingerprint
from servicekit.roles import Roles
from servicekit.tokens import Principal

from ledger.bootstrap import LedgerService
from ledger.service_layer.unit_of_work import LedgerUnitOfWork


async def get_service(request: Request) -> LedgerService:
    service: LedgerService = request.app.state.service
    return service


ServiceDep = Annotated[LedgerService, Depends(get_service)]

AgencyStaff = Annotated[Principal, Depends(require_agency_staff)]
"""Case handlers and agency administrators (unmatched payments, bank files, payments)."""

AgencyAdmin = Annotated[Principal, Depends(require_roles(Roles.AGENCY_ADMIN))]

IdempotencyKey = Annotated[
    str,
    Header(
        alias=HEADER,
        min_length=1,
        max_length=200,
        pattern=r"^[\x20-\x7e]+$",
        description="A key the client chose for this command; sending it again with the same "
        "request replays the first answer, with another request it is refused (422)",
    ),
]


def owned(row: dict[str, Any] | None, principal: Principal, *, what: str) -> dict[str, Any]:
    """``row`` if the caller may see it (its creditor is theirs, or they are agency staff)."""
    tenant = principal.tenant
    if row is None or (tenant is not None and row.get("creditor_id") != tenant):
        raise NotFound(f"No such {what}.")
    return row


Work = Callable[[LedgerUnitOfWork], Awaitable[tuple[int, Any]]]


async def run_command(
    service: LedgerService,
    principal: Principal,
    key: str,
    request: Request,
    body: Any,
    work: Work,
) -> JSONResponse:
    """Run ``work`` once per Idempotency-Key: the key, the effects and the answer commit
    together; the same key again replays the answer; with another request it is a 422
    ``idempotency-key-reused``, as everywhere in the API."""
    scope = str(principal.organisation_id)
    digest = fingerprint(request.method, request.url.path, jsonable_encoder(body))
    async with service.unit_of_work() as uow:
        stored = await uow.keys.begin(scope, key, digest)
        if stored is not None:
            return JSONResponse(
                stored.body, status_code=stored.status_code, headers={"Idempotent-Replayed": "true"}
            )
        status, result = await work(uow)
        encoded = jsonable_encoder(result)
        await uow.keys.complete(scope, key, status, encoded)
        await uow.commit()
    return JSONResponse(encoded, status_code=status)


def actor(principal: Principal) -> uuid.UUID:
    return principal.user_id
