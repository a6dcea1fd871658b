"""Which organisations get a client-funds account, and what deactivation does (no I/O)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from ledger.domain.model import CreditorAccount
from ledger.service_layer.handlers import (
    DeactivateCreditorAccount,
    OpenCreditorAccount,
    deactivate_creditor_account,
    open_creditor_account,
)

pytestmark = pytest.mark.unit

REGISTERED_AT = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


class FakeCreditorAccounts:
    """In-memory :class:`ledger.service_layer.handlers.CreditorAccounts`, same semantics."""

    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, CreditorAccount] = {}

    async def open_if_absent(self, account: CreditorAccount) -> bool:
        if account.organisation_id in self.rows:
            return False
        self.rows[account.organisation_id] = account
        return True

    async def deactivate(self, organisation_id: uuid.UUID) -> bool:
        known = self.rows.get(organisation_id)
        if known is None:
            return False
        self.rows[organisation_id] = replace(known, active=False)
        return True


def opening(kind: str = "creditor") -> OpenCreditorAccount:
    return OpenCreditorAccount(organisation_id=uuid.uuid4(), kind=kind, registered_at=REGISTERED_AT)


async def test_a_registered_creditor_client_gets_an_active_account() -> None:
    accounts = FakeCreditorAccounts()
    cmd = opening()

    await open_creditor_account(cmd, accounts)

    assert accounts.rows == {
        cmd.organisation_id: CreditorAccount(
            organisation_id=cmd.organisation_id, opened_at=REGISTERED_AT, active=True
        )
    }


async def test_the_agency_holds_no_client_funds() -> None:
    accounts = FakeCreditorAccounts()

    assert await open_creditor_account(opening(kind="agency"), accounts) is None
    assert accounts.rows == {}


async def test_opening_again_does_not_reactivate_or_move_the_opening_time() -> None:
    accounts = FakeCreditorAccounts()
    cmd = opening()
    await open_creditor_account(cmd, accounts)
    await deactivate_creditor_account(DeactivateCreditorAccount(cmd.organisation_id), accounts)

    await open_creditor_account(replace(cmd, registered_at=datetime.now(UTC)), accounts)

    assert accounts.rows[cmd.organisation_id] == CreditorAccount(
        organisation_id=cmd.organisation_id, opened_at=REGISTERED_AT, active=False
    )


async def test_deactivating_an_unknown_organisation_changes_nothing() -> None:
    accounts = FakeCreditorAccounts()

    assert (
        await deactivate_creditor_account(DeactivateCreditorAccount(uuid.uuid4()), accounts)
        is False
    )
    assert accounts.rows == {}


def test_an_account_needs_a_timezone_aware_opening_time() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        CreditorAccount(organisation_id=uuid.uuid4(), opened_at=datetime(2025, 3, 1))  # naive
