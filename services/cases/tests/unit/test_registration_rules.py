"""The rules every registration channel shares."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from cases.domain.registration import (
    Address,
    CaseRegistration,
    Claim,
    RegistrationRejected,
    validated,
)

from ..conftest import make_registration

pytestmark = pytest.mark.unit
TODAY = date(2026, 11, 25)


def fields(registration: CaseRegistration) -> set[str]:
    with pytest.raises(RegistrationRejected) as caught:
        validated(registration, today=TODAY)
    return {e.field for e in caught.value.errors}


def test_a_valid_registration_is_normalised() -> None:
    case = make_registration(today=TODAY, creditor_reference="  A-1  ")
    case = replace(
        case,
        debtor=replace(
            case.debtor, national_id=case.debtor.national_id[:6] + " " + case.debtor.national_id[6:]
        ),
    )  # type: ignore[index]
    valid = validated(case, today=TODAY)
    assert valid.creditor_reference == "A-1"
    assert valid.debtor.national_id is not None
    assert " " not in valid.debtor.national_id


def test_person_and_business_identifiers_belong_to_their_kind() -> None:
    person = make_registration(today=TODAY)
    assert fields(replace(person, debtor=replace(person.debtor, national_id=None))) == {
        "debtor.national_id"
    }
    business = make_registration(business=True, today=TODAY)
    assert fields(
        replace(business, debtor=replace(business.debtor, national_id="31129956715"))
    ) == {"debtor.national_id"}
    assert fields(
        replace(business, debtor=replace(business.debtor, organisation_number="123456789"))
    ) == {"debtor.organisation_number"}


def test_claims_are_overdue_positive_and_not_repeated() -> None:
    case = make_registration(today=TODAY, claims=2)
    first, second = case.claims
    assert fields(replace(case, claims=(replace(first, due_date=TODAY),))) == {"claims[0].due_date"}
    assert fields(replace(case, claims=(replace(first, principal_ore=0),))) == {
        "claims[0].principal_ore"
    }
    assert fields(replace(case, claims=(replace(first, reminder_fee_ore=-1),))) == {
        "claims[0].reminder_fee_ore"
    }
    assert fields(
        replace(case, claims=(first, replace(second, invoice_number=first.invoice_number)))
    ) == {"claims[1].invoice_number"}
    assert fields(replace(case, claims=())) == {"claims"}
    late = Claim("X", TODAY - timedelta(days=1), TODAY - timedelta(days=5), 100, 0)
    assert fields(replace(case, claims=(late,))) == {"claims[0].due_date"}


def test_addresses_text_and_contact_details() -> None:
    case = make_registration(today=TODAY)
    debtor = case.debtor
    bad = replace(
        debtor,
        name="x" * 201,
        address=Address(lines=("Gate 1\x07",), postal_code="123", city="Oslo"),
        email="not-an-email",
        phone="12",
    )
    assert fields(replace(case, debtor=bad)) == {
        "debtor.name",
        "debtor.address.lines[0]",
        "debtor.address.postal_code",
        "debtor.email",
        "debtor.phone",
    }
    abroad = replace(debtor, address=Address(("Main St 1",), "SW1A 1AA", "London", "GB"))
    assert validated(replace(case, debtor=abroad), today=TODAY).debtor.address.country == "GB"
    assert fields(replace(case, creditor_reference="=cmd|' /C calc'!A0")) == {"creditor_reference"}


@pytest.mark.parametrize("bad", ["\x00", "\ud800", "a\udfffb"])
def test_text_the_database_cannot_hold_is_named_whatever_the_channel(bad: str) -> None:
    """A file import reaches these rules without the API's schema: a NUL, or an unpaired
    surrogate from a JSON file's ``\\ud800``, in any text is a field error, not a crash."""
    case = make_registration(today=TODAY)
    debtor, claim = case.debtor, case.claims[0]
    changed = replace(
        case,
        debtor=replace(
            debtor,
            name=f"Kari{bad}",
            email=f"kari{bad}@example.no",
            address=replace(debtor.address, lines=(f"Gate 1{bad}",), city=f"Oslo{bad}"),
        ),
        claims=(replace(claim, invoice_number=f"F-1{bad}"),),
    )
    assert fields(changed) == {
        "debtor.name",
        "debtor.email",
        "debtor.address.lines[0]",
        "debtor.address.city",
        "claims[0].invoice_number",
    }
    assert fields(replace(case, creditor_reference=f"REF{bad}")) == {"creditor_reference"}


def test_the_claim_type_and_the_demand_date_are_checked() -> None:
    case = make_registration(today=TODAY)
    (claim,) = case.claims[:1]
    assert fields(replace(case, claims=(replace(claim, claim_type="gjeld"),))) == {
        "claims[0].claim_type"
    }
    assert fields(
        replace(
            case,
            claims=(replace(claim, demand_sent_on=claim.invoice_date - timedelta(days=1)),),
        )
    ) == {"claims[0].demand_sent_on"}
    assert fields(
        replace(case, claims=(replace(claim, demand_sent_on=TODAY + timedelta(days=1)),))
    ) == {"claims[0].demand_sent_on"}
    loan = replace(claim, claim_type="loan", demand_sent_on=claim.invoice_date)
    assert validated(replace(case, claims=(loan,)), today=TODAY).claims[0] == loan


def test_reminders_as_events_are_checked_and_add_up_to_the_reminder_fee() -> None:
    from cases.domain.registration import ReminderSent

    case = make_registration(today=TODAY)
    claim = replace(case.claims[0], reminder_fee_ore=0)
    one = (ReminderSent(claim.invoice_date, 3_500),)
    good = replace(claim, reminder_fee_ore=3_500, reminders=one)
    assert validated(replace(case, claims=(good,)), today=TODAY).claims[0] == good
    assert fields(replace(case, claims=(replace(good, reminder_fee_ore=7_000),))) == {
        "claims[0].reminder_fee_ore"
    }
    early = (ReminderSent(claim.invoice_date - timedelta(days=1), 0),)
    late = (ReminderSent(TODAY + timedelta(days=1), 0),)
    negative = (ReminderSent(claim.invoice_date, -100),)
    assert fields(replace(case, claims=(replace(claim, reminders=early),))) == {
        "claims[0].reminders[0].sent_on"
    }
    assert fields(replace(case, claims=(replace(claim, reminders=late),))) == {
        "claims[0].reminders[0].sent_on"
    }
    assert fields(
        replace(case, claims=(replace(claim, reminder_fee_ore=-100, reminders=negative),))
    ) == {"claims[0].reminders[0].fee_ore", "claims[0].reminder_fee_ore"}
