"""A creditor admin's connection to its ERP: connect, pause, resume, sync now, retry.

Connecting checks the credentials at the ERP first (a session and the company they act
for), then keeps them sealed. The ERP's address is the deployment's (settings), never
the caller's: no request makes the service call an address of its choosing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from servicekit.errors import Conflict, DomainError, NotFound

from integrations.adapters import connection_store, invoice_store
from integrations.service_layer.ports import Credentials, ErpError
from integrations.service_layer.sync import SyncContext

ERP = "tripletex"


class ErpRefused(DomainError):
    """The ERP did not accept the keys (or could not be asked): ``erp_code`` says which."""

    status, type, title = 422, "erp-refused", "The ERP refused the connection"

    def __init__(self, erp_code: str) -> None:
        super().__init__("The ERP did not accept these keys, or could not be reached.")
        self.extensions = {"erp_code": erp_code}


class OtherCompany(Conflict):
    type, title = "erp-other-company", "Connected to another company"


class ConnectionPaused(Conflict):
    type, title = "connection-paused", "The connection is paused"


@dataclass(frozen=True)
class Connect:
    creditor_id: uuid.UUID
    user_id: uuid.UUID | None
    consumer_token: str
    employee_token: str


async def connect(ctx: SyncContext, base_url: str, command: Connect) -> uuid.UUID:
    """Check the credentials at the ERP, then keep them (sealed); a sync is due at once.

    Connecting again replaces the credentials of the creditor's connection (a new
    employee token) and keeps what was handed over."""
    credentials = Credentials(command.consumer_token, command.employee_token)
    erp = ctx.erp_for(base_url, "0", credentials)
    try:
        company_id = await erp.company_id()
    except ErpError as exc:
        raise ErpRefused(exc.code) from None
    finally:
        await erp.aclose()
    async with ctx.uow() as uow:
        existing = await connection_store.of_creditor(uow.session, command.creditor_id, ERP)
        if existing is not None and existing.company_id != company_id:
            raise OtherCompany("Your organisation is connected to another company in the ERP.")
        connection_id = existing.connection_id if existing else uuid.uuid4()
        sealed = ctx.vault.seal(connection_id, credentials)
        if existing is None:
            await connection_store.add(
                uow.session,
                {
                    "connection_id": connection_id,
                    "creditor_id": command.creditor_id,
                    "erp": ERP,
                    "company_id": company_id,
                    "base_url": base_url,
                    "credentials": sealed,
                    "created_by": command.user_id,
                    "next_sync_at": ctx.now(),
                },
            )
        else:
            await connection_store.change(
                uow.session, connection_id, credentials=sealed, next_sync_at=ctx.now()
            )
        await uow.commit()
    return connection_id


async def set_status(ctx: SyncContext, creditor_id: uuid.UUID, status: str) -> None:
    """Pause (no more syncs, nothing handed over) or resume (a sync is due at once)."""
    async with ctx.uow() as uow:
        connection = await connection_store.of_creditor(uow.session, creditor_id, ERP)
        if connection is None:
            raise NotFound("No ERP connection.")
        values: dict[str, object] = {"status": status}
        if status == "active":
            values["next_sync_at"] = ctx.now()
        await connection_store.change(uow.session, connection.connection_id, **values)
        await uow.commit()


async def sync_now(ctx: SyncContext, creditor_id: uuid.UUID) -> None:
    async with ctx.uow() as uow:
        connection = await connection_store.of_creditor(uow.session, creditor_id, ERP)
        if connection is None:
            raise NotFound("No ERP connection.")
        if connection.status != "active":
            raise ConnectionPaused("The connection is paused.")
        await connection_store.change(uow.session, connection.connection_id, next_sync_at=ctx.now())
        await uow.commit()


async def retry_refused(ctx: SyncContext, creditor_id: uuid.UUID, invoice_id: int) -> None:
    """Hand a refused invoice over again at the next sync (the creditor fixed it in the ERP)."""
    async with ctx.uow() as uow:
        connection = await connection_store.of_creditor(uow.session, creditor_id, ERP)
        if connection is None or not await invoice_store.forget_refused(
            uow.session, connection.connection_id, invoice_id
        ):
            raise NotFound("No refused invoice with that id.")
        await connection_store.change(uow.session, connection.connection_id, next_sync_at=ctx.now())
        await uow.commit()
