"""What the service layer needs of an ERP (one adapter per ERP, picked in bootstrap)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from integrations.domain.invoices import ErpCustomer, ErpInvoice


class ErpError(Exception):
    """The ERP could not be used; ``code`` is stable (the portal translates it)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code


@dataclass(frozen=True)
class Credentials:
    """What a connection authenticates with (Tripletex: consumer and employee token)."""

    consumer_token: str
    employee_token: str


@dataclass(frozen=True)
class VoucherPosting:
    account: int
    amount_ore: int
    description: str


class Erp(Protocol):
    """One connection's ERP session."""

    async def company_id(self) -> str:
        """The company the credentials act for (checks them, too)."""

    async def invoices(self, date_from: date, date_to: date) -> Sequence[ErpInvoice]:
        """Every invoice (and credit note) dated in ``[date_from, date_to)``, all pages."""

    async def customers(self, ids: Collection[int]) -> Mapping[int, ErpCustomer]:
        """The customers with these ids."""

    async def post_voucher(
        self, on: date, description: str, postings: Sequence[VoucherPosting]
    ) -> int:
        """Import a voucher (bilag); its id in the ERP."""

    async def aclose(self) -> None: ...


class ErpFactory(Protocol):
    def __call__(self, base_url: str, company_id: str, credentials: Credentials) -> Erp: ...
