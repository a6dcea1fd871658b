"""Settings the handlers need, as plain values (the settings object stays at the edge)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from ledger.adapters.bankfiles.model import PayoutBatch
from ledger.domain.interest import DayCount

OSLO = ZoneInfo("Europe/Oslo")

PayoutWriter = Callable[[PayoutBatch], bytes]
"""Writes a payout batch as the bank's file (ISO 20022 pain.001)."""


def business_date(moment: datetime) -> date:
    """The Europe/Oslo calendar date of a moment (business dates are Oslo dates)."""
    return moment.astimezone(OSLO).date()


@dataclass(frozen=True)
class LedgerPolicy:
    day_count: DayCount = "actual/actual"
    client_funds_account: str = ""
    """The client funds account (klientkonto) payouts are made from."""
    agency_name: str = "InfoCenter Inkasso AS"
    agency_organisation_number: str | None = None
