"""Handlers of the ledger service.

They take the repository as a port (:class:`CreditorAccounts`), so that an event consumer
can run them on its own transaction and unit tests on an in-memory fake.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ledger.domain.model import CreditorAccount, holds_client_funds

log = logging.getLogger(__name__)


class CreditorAccounts(Protocol):
    async def open_if_absent(self, account: CreditorAccount) -> bool: ...

    async def deactivate(self, organisation_id: uuid.UUID) -> bool: ...


@dataclass(frozen=True)
class OpenCreditorAccount:
    organisation_id: uuid.UUID
    kind: str
    registered_at: datetime


@dataclass(frozen=True)
class DeactivateCreditorAccount:
    organisation_id: uuid.UUID


async def open_creditor_account(
    cmd: OpenCreditorAccount, accounts: CreditorAccounts
) -> CreditorAccount | None:
    """A registered creditor client gets the account its client funds are held on.

    The agency's own organisation holds no client funds and gets none. Opening an account
    that is already open changes nothing.
    """
    if not holds_client_funds(cmd.kind):
        return None
    account = CreditorAccount(organisation_id=cmd.organisation_id, opened_at=cmd.registered_at)
    await accounts.open_if_absent(account)
    return account


async def deactivate_creditor_account(
    cmd: DeactivateCreditorAccount, accounts: CreditorAccounts
) -> bool:
    """Nothing new is booked for a deactivated creditor; its account and history stay."""
    found = await accounts.deactivate(cmd.organisation_id)
    if not found:  # the agency (no account), or a registration not yet applied
        log.info(
            "no creditor account for the deactivated organisation; nothing to do",
            extra={"organisation_id": str(cmd.organisation_id)},
        )
    return found
