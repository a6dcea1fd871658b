"""Dependencies of the webhooks API: the service, and who may manage webhooks."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Request
from servicekit.auth import CurrentPrincipal
from servicekit.errors import Forbidden
from servicekit.openapi import raises
from servicekit.roles import Roles
from servicekit.tokens import Principal

from webhooks.bootstrap import WebhooksService


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

__all__ = ["Manager", "Principal", "ServiceDep"]
