"""An ERP's invoices and customers, and what the connector makes of them.

Pure: which invoices are overdue enough to hand over, the case registration an invoice
becomes (checked by the cases service with the rules every channel shares, never here),
and what a later version of a handed-over invoice means (a direct payment, a credit
note, a changed due date or amount).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

ChangeCode = Literal["due_date_changed", "amount_increased"]


@dataclass(frozen=True)
class ErpAddress:
    line1: str
    line2: str
    postal_code: str
    city: str
    country: str
    """ISO 3166 alpha-2."""


@dataclass(frozen=True)
class ErpCustomer:
    customer_id: int
    name: str
    organisation_number: str
    private_individual: bool
    address: ErpAddress
    email: str


@dataclass(frozen=True)
class ErpInvoice:
    invoice_id: int
    version: int
    invoice_number: str
    invoice_date: date
    due_date: date
    customer_id: int
    amount_ore: int
    outstanding_ore: int
    credit_note: bool
    credited_invoice: int | None
    currency: str


def ore(kroner: float | int | str) -> int:
    """Kroner as the ERP sends them (a JSON number) → øre, rounded half up once."""
    return int((Decimal(str(kroner)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


REFERENCE_PREFIXES = ("TTX-",)
"""How the references of cases from an ERP begin (Tripletex: ``TTX-<company>-<invoice>``)."""


def creditor_reference(erp: str, company_id: str, invoice_id: int) -> str:
    """The case's reference at the creditor: unique per creditor, stable across syncs."""
    prefix = {"tripletex": "TTX"}[erp]
    return f"{prefix}-{company_id}-{invoice_id}"[:60]


def is_overdue(invoice: ErpInvoice, *, today: date, grace_days: int) -> bool:
    """An open, ordinary invoice in NOK whose due date is ``grace_days`` behind us."""
    return (
        not invoice.credit_note
        and invoice.currency == "NOK"
        and invoice.outstanding_ore > 0
        and invoice.due_date + timedelta(days=grace_days) < today
    )


def registration(reference: str, invoice: ErpInvoice, customer: ErpCustomer) -> dict[str, object]:
    """The invoice as a case registration (the cases API's body; cases validates it).

    A private individual is a ``person`` (Tripletex holds no national id number: the cases
    service refuses the case until the creditor adds it); everyone else a ``business``.
    """
    address = customer.address
    lines = [line for line in (address.line1, address.line2) if line.strip()]
    return {
        "creditor_reference": reference,
        "debtor": {
            "kind": "person" if customer.private_individual else "business",
            "name": customer.name,
            "organisation_number": customer.organisation_number or None,
            "address": {
                "lines": lines,
                "postal_code": address.postal_code,
                "city": address.city,
                "country": address.country or "NO",
            },
            "email": customer.email or None,
        },
        "claims": [
            {
                "invoice_number": invoice.invoice_number,
                "invoice_date": invoice.invoice_date.isoformat(),
                "due_date": invoice.due_date.isoformat(),
                "principal_ore": invoice.outstanding_ore,
                "reminder_fee_ore": 0,
            }
        ],
    }


@dataclass(frozen=True)
class Seen:
    """What the connector recorded of a handed-over invoice."""

    erp_version: int
    due_date: date
    outstanding_ore: int
    reported_ore: int
    handed_over_ore: int


@dataclass(frozen=True)
class Reading:
    """What a newer version of a handed-over invoice means for its case."""

    paid_directly_ore: int
    """Outstanding went down by this much (and was not reported yet): paid or credited at
    the creditor."""
    conflicts: tuple[ChangeCode, ...]
    """Changes a case handler must look at: the case keeps what was handed over."""


def read_change(seen: Seen, now: ErpInvoice) -> Reading | None:
    """``None`` when the ERP's version is the one we saw (or older: versions may skip,
    never go back)."""
    if now.version <= seen.erp_version:
        return None
    conflicts: list[ChangeCode] = []
    if now.due_date != seen.due_date:
        conflicts.append("due_date_changed")
    if now.outstanding_ore > seen.handed_over_ore:
        conflicts.append("amount_increased")
    dropped = max(seen.handed_over_ore - now.outstanding_ore, 0)
    return Reading(
        paid_directly_ore=max(dropped - seen.reported_ore, 0), conflicts=tuple(conflicts)
    )


def split_drop(drop_ore: int, credited_ore: int) -> tuple[int, int]:
    """A drop in outstanding as (paid, credited): credit notes explain what they can."""
    credited = min(drop_ore, max(credited_ore, 0))
    return drop_ore - credited, credited
