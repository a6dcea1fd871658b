"""Test data of the cases service's tests: valid registrations to vary."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from cases.domain.registration import Address, CaseRegistration, Claim, Debtor
from servicekit.testing.data import national_identity_number, organisation_number


def make_registration(
    *, business: bool = False, claims: int = 1, today: date | None = None, **changes: Any
) -> CaseRegistration:
    """A valid registration with a unique creditor reference (override any field)."""
    today = today or date.today()
    debtor = Debtor(
        kind="business" if business else "person",
        name="Skyldner Bedrift AS" if business else "Ola Nordmann",
        address=Address(lines=("Storgata 1",), postal_code="0155", city="Oslo"),
        national_id=None if business else national_identity_number(),
        organisation_number=organisation_number() if business else None,
        email="ola@example.no",
        phone="+4791234567",
    )
    registration = CaseRegistration(
        creditor_reference=f"REF-{secrets.token_hex(5)}",
        debtor=debtor,
        claims=tuple(
            Claim(
                invoice_number=f"F{i + 1}-{secrets.token_hex(3)}",
                invoice_date=today - timedelta(days=60),
                due_date=today - timedelta(days=30),
                principal_ore=125_050 * (i + 1),
                reminder_fee_ore=3_500,
            )
            for i in range(claims)
        ),
    )
    return replace(registration, **changes)


@pytest.fixture
def registration() -> Any:
    """The :func:`make_registration` builder."""
    return make_registration
