"""Dependencies shared by the cases API's routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request
from servicekit.auth import require_roles
from servicekit.idempotency import HEADER
from servicekit.roles import Roles
from servicekit.tokens import Principal

from cases.bootstrap import CasesService


def _service(request: Request) -> CasesService:
    service: CasesService = request.app.state.service
    return service


ServiceDep = Annotated[CasesService, Depends(_service)]

AnyUser = Annotated[Principal, Depends(require_roles(*Roles.ALL))]
"""Any signed-in user; creditor users are scoped to their organisation by ``tenant``."""

CreditorUser = Annotated[Principal, Depends(require_roles(Roles.CREDITOR, Roles.CREDITOR_ADMIN))]
"""A user of a creditor organisation (they register cases for it)."""

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias=HEADER,
        description="Send a unique key to make a retry safe: the same key returns the first answer",
    ),
]
