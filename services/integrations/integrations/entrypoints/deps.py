"""Dependencies shared by the integrations API's routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from servicekit.auth import require_roles
from servicekit.roles import Roles
from servicekit.tokens import Principal

from integrations.bootstrap import IntegrationsService


async def _service(request: Request) -> IntegrationsService:
    service: IntegrationsService = request.app.state.service
    return service


ServiceDep = Annotated[IntegrationsService, Depends(_service)]

CreditorAdmin = Annotated[Principal, Depends(require_roles(Roles.CREDITOR_ADMIN))]
"""A creditor's administrator: connects its organisation's ERP (its own only)."""
