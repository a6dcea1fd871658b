"""The ``cases.case.registered`` events of a bulk registration, built without the models:
the same JSON as the pydantic models write, and read back by them."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from cases.adapters.case_store import NewCase
from cases.adapters.ids import new_ids
from cases.domain.batches import Batch
from cases.domain.identifiers import case_number_for, kid_for
from cases.domain.registration import ReminderSent
from cases.service_layer.registration import registered_data
from contracts import Envelope
from contracts.cases import CaseRegistered, ClaimInterestStart, ClaimRegistered, ClaimReminder
from hypothesis import given
from hypothesis import strategies as st
from servicekit import context
from servicekit.outbox import envelope_for, json_time, serialised_event

from ..conftest import make_registration

pytestmark = pytest.mark.unit

_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40
)  # any character a name or an invoice number may hold (no lone surrogates)


def _new_case(registration, sequence: int) -> NewCase:  # type: ignore[no-untyped-def]
    ids = new_ids(2 + len(registration.claims))
    return NewCase(
        case_id=ids[0],
        party_id=ids[1],
        claim_ids=tuple(ids[2:]),
        sequence=sequence,
        case_number=case_number_for(sequence),
        kid=kid_for(sequence),
        registration=registration,
        limitation_dates=tuple(date(2029, 1, i + 1) for i in range(len(registration.claims))),
    )


@given(
    reference=_TEXT,
    invoice_numbers=st.lists(_TEXT, min_size=1, max_size=3),
    sequence=st.integers(1, 9_999_999_999),
    microsecond=st.integers(0, 999_999),
    demand=st.booleans(),
    reminded=st.booleans(),
)
def test_the_event_is_the_one_the_models_write(
    reference: str,
    invoice_numbers: list[str],
    sequence: int,
    microsecond: int,
    demand: bool,
    reminded: bool,
) -> None:
    registration = make_registration(claims=len(invoice_numbers))
    registration = replace(
        registration,
        creditor_reference=reference,
        claims=tuple(
            replace(claim, invoice_number=number)
            for claim, number in zip(registration.claims, invoice_numbers, strict=True)
        ),
    )
    if demand:  # no due date agreed on the first claim: a påkrav 1 March 2026
        first = replace(registration.claims[0], demand_sent_on=date(2026, 3, 1))
        registration = replace(registration, claims=(first, *registration.claims[1:]))
    if reminded:  # the first claim's reminders as events: one with a fee, one without
        sent = (ReminderSent(date(2026, 3, 20), 3_500), ReminderSent(date(2026, 4, 5), 0))
        first = replace(registration.claims[0], reminder_fee_ore=3_500, reminders=sent)
        registration = replace(registration, claims=(first, *registration.claims[1:]))
    case = _new_case(registration, sequence)
    now = datetime(2026, 11, 25, 12, 30, 1, microsecond, tzinfo=UTC)
    batch = Batch(
        batch_id=uuid.uuid4(),
        batch_number="B-0000001",
        creditor_id=uuid.uuid4(),
        channel="import",
        created_by=None,
        created_at=now,
    )
    event_id = new_ids(1)[0]
    correlated = context.correlation_id.set(uuid.uuid4())  # as in a request

    at = json_time(now)
    data = registered_data(
        case,
        creditor_id=str(batch.creditor_id),
        batch_id=str(batch.batch_id),
        channel=batch.channel,
        at=at,
    )
    fast = serialised_event(CaseRegistered, data, event_id=event_id, occurred_at=at)

    model = CaseRegistered(
        case_id=case.case_id,
        creditor_id=batch.creditor_id,
        case_number=case.case_number,
        kid=case.kid,
        creditor_reference=registration.creditor_reference,
        batch_id=batch.batch_id,
        channel=batch.channel,
        debtor_kind=registration.debtor.kind,
        claims=[
            ClaimRegistered(
                claim_id=claim_id,
                invoice_number=claim.invoice_number,
                invoice_date=claim.invoice_date,
                due_date=claim.due_date,
                principal_ore=claim.principal_ore,
                reminder_fee_ore=claim.reminder_fee_ore,
                limitation_date=limitation,
            )
            for claim_id, claim, limitation in zip(
                case.claim_ids, registration.claims, case.limitation_dates, strict=True
            )
        ],
        registered_at=now,
        debtor_name=registration.debtor.name,
        # 30 days after 1 March 2026 (forsinkelsesrenteloven § 2): 31 March 2026
        interest_starts=[
            ClaimInterestStart(
                claim_id=case.claim_ids[0],
                demand_sent_on=date(2026, 3, 1),
                interest_due_date=date(2026, 3, 31),
            )
        ]
        if demand
        else None,
        reminders=[
            ClaimReminder(claim_id=case.claim_ids[0], sent_on=date(2026, 3, 20), fee_ore=3_500),
            ClaimReminder(claim_id=case.claim_ids[0], sent_on=date(2026, 4, 5), fee_ore=0),
        ]
        if reminded
        else None,
    )
    envelope = envelope_for(model).model_copy(update={"event_id": event_id, "occurred_at": now})
    context.correlation_id.reset(correlated)
    assert data == model.model_dump(mode="json")
    assert fast.body == envelope.model_dump_json()
    assert (fast.event_id, fast.event_type, fast.routing_key) == (
        envelope.event_id,
        envelope.event_type,
        envelope.routing_key,
    )
    assert Envelope.model_validate_json(fast.body).payload(CaseRegistered) == model


def test_ids_are_version_7_ascending_and_unique() -> None:
    ids = new_ids(5000)
    assert {i.version for i in ids} == {7}
    assert {i.variant for i in ids} == {uuid.RFC_4122}
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    assert all(isinstance(i, uuid.UUID) for i in ids)
    assert {i: 1 for i in ids}[uuid.UUID(str(ids[0]))] == 1  # equal to, and hash as, a UUID
