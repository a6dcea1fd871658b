"""Dependencies shared by the credit API's routers."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Header, Request
from servicekit.auth import require_roles
from servicekit.errors import NotFound
from servicekit.idempotency import HEADER
from servicekit.roles import Roles
from servicekit.tokens import Principal

from credit.bootstrap import CreditService
from credit.service_layer.access import Reader


async def _service(request: Request) -> CreditService:
    service: CreditService = request.app.state.service
    return service


ServiceDep = Annotated[CreditService, Depends(_service)]

AnyUser = Annotated[Principal, Depends(require_roles(*Roles.ALL))]
"""Any signed-in user (products and prices)."""

Orderer = Annotated[Principal, Depends(require_roles(Roles.CREDIT_ORDERER))]
"""A creditor user allowed to buy credit reports (a right of its own, granted by the
creditor's admin; never implied by another role)."""

ReportReader = Annotated[
    Principal,
    Depends(
        require_roles(
            Roles.CREDIT_ORDERER, Roles.CREDITOR_ADMIN, Roles.CASE_HANDLER, Roles.AGENCY_ADMIN
        )
    ),
]
"""Who may read bought reports, the history and the spend: the creditor's orderers and
admins (their own), agency staff (every creditor's)."""

AgencyAdmin = Annotated[Principal, Depends(require_roles(Roles.AGENCY_ADMIN))]

IdempotencyKey = Annotated[
    str,
    Header(
        alias=HEADER,
        min_length=1,
        max_length=200,
        pattern=r"^[\x20-\x7e]+$",
        description="Required: a key the client chose for this order; sending it again with "
        "the same body answers with the same order (bought once); with another body, 422",
    ),
]


def client_ip(request: Request) -> str | None:
    forwarded = request.headers.get("x-forwarded-for")
    if forwarded:
        return forwarded.split(",")[0].strip()[:45]
    return request.client.host[:45] if request.client else None


def reader(principal: Principal, request: Request) -> Reader:
    return Reader(
        user_id=principal.user_id,
        organisation_id=principal.organisation_id,
        tenant=principal.tenant,
        ip=client_ip(request),
    )


def creditor_scope(principal: Principal, creditor_id: uuid.UUID | None) -> uuid.UUID | None:
    """The creditor a query is limited to: a creditor user's own (a ``creditor_id`` of
    another is 404, never a hint that it exists); agency staff's choice, or all."""
    tenant = principal.tenant
    if tenant is None:
        return creditor_id
    if creditor_id is not None and creditor_id != tenant:
        raise NotFound("No such creditor.")
    return tenant
