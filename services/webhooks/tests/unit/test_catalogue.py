"""Translating the owners' events into thin webhook events."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime

import pytest
from contracts import Envelope
from contracts.cases import CaseRegistered, CaseStatusChanged, ClaimRegistered, NoteAdded
from contracts.ledger import PaymentReceived
from webhooks.domain.catalogue import EVENT_TYPES, TRANSLATORS, translate
from webhooks.domain.endpoints import TargetUrl, event_filter
from webhooks.domain.errors import InvalidInput

pytestmark = pytest.mark.unit

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
CREDITOR = uuid.uuid4()


def _registered() -> CaseRegistered:
    return CaseRegistered(
        case_id=uuid.uuid4(),
        creditor_id=CREDITOR,
        case_number="2026-000123",
        kid="12345678903",
        creditor_reference="INV-1",
        batch_id=uuid.uuid4(),
        channel="api",
        debtor_kind="person",
        claims=[
            ClaimRegistered(
                claim_id=uuid.uuid4(),
                invoice_number="1001",
                invoice_date=date(2026, 10, 1),
                due_date=date(2026, 10, 15),
                principal_ore=150_000,
                reminder_fee_ore=0,
                limitation_date=date(2029, 10, 15),
            )
        ],
        registered_at=NOW,
        debtor_name="Ola Nordmann",
    )


def test_a_registered_case_is_thin_and_has_no_personal_data() -> None:
    envelope = Envelope.wrap(_registered())
    [event] = translate(envelope)
    assert event.type == "case.registered"
    assert event.organisation_id == CREDITOR
    body = json.loads(event.body())
    assert body["type"] == "case.registered"
    assert body["data"]["principal_ore"] == 150_000
    assert "Ola" not in event.body()
    assert "debtor_name" not in body["data"]


def test_the_same_source_event_gives_the_same_webhook_ids() -> None:
    envelope = Envelope.wrap(_registered())
    assert [e.id for e in translate(envelope)] == [e.id for e in translate(envelope)]
    assert translate(Envelope.wrap(_registered()))[0].id != translate(envelope)[0].id


def _status(from_status: str, to_status: str) -> Envelope:
    return Envelope.wrap(
        CaseStatusChanged(
            case_id=uuid.uuid4(),
            creditor_id=CREDITOR,
            from_status=from_status,
            to_status=to_status,
            step="objection_registered",
            effective_date=date(2026, 12, 6),
            rule_set="2026",
            debtor_kind="person",
            actor="system",
            changed_at=NOW,
        )
    )


def test_an_objection_is_a_status_change_and_an_objection_event() -> None:
    types = [e.type for e in translate(_status("notice_sent", "disputed"))]
    assert types == ["case.status_changed", "objection.registered"]
    types = [e.type for e in translate(_status("disputed", "demand_sent"))]
    assert types == ["case.status_changed", "objection.resolved"]
    assert [e.type for e in translate(_status("registered", "notice_sent"))] == [
        "case.status_changed"
    ]


def test_only_the_case_handlers_shared_notes_are_forwarded() -> None:
    def note(side: str, visibility: str) -> Envelope:
        return Envelope.wrap(
            NoteAdded(
                note_id=uuid.uuid4(),
                case_id=uuid.uuid4(),
                creditor_id=CREDITOR,
                author_id=uuid.uuid4(),
                author_side=side,  # type: ignore[arg-type]
                visibility=visibility,  # type: ignore[arg-type]
                created_at=NOW,
            )
        )

    assert [e.type for e in translate(note("agency", "shared"))] == ["note.added"]
    assert translate(note("agency", "internal")) == []
    assert translate(note("creditor", "shared")) == []


def test_a_payment_carries_its_allocation() -> None:
    payment = PaymentReceived(
        payment_id=uuid.uuid4(),
        case_id=uuid.uuid4(),
        creditor_id=CREDITOR,
        amount_ore=10_000,
        value_date=date(2026, 12, 4),
        principal_ore=7_000,
        interest_ore=1_000,
        costs_ore=2_000,
        overpaid_ore=0,
        received_at=NOW,
    )
    [event] = translate(Envelope.wrap(payment))
    assert event.data["allocation"] == {
        "principal_ore": 7_000,
        "interest_ore": 1_000,
        "costs_ore": 2_000,
        "overpaid_ore": 0,
    }


def test_every_translated_type_is_in_the_catalogue() -> None:
    assert len(TRANSLATORS) == 9
    assert "objection.registered" in EVENT_TYPES


def test_the_event_filter_knows_its_types() -> None:
    assert event_filter(["case.registered", "case.registered", "batch.completed"]) == (
        "batch.completed",
        "case.registered",
    )
    with pytest.raises(InvalidInput, match="event-type-unknown"):
        event_filter(["case.deleted"])
    with pytest.raises(InvalidInput, match="event-types-required"):
        event_filter([])


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://hooks.example.com/x", "https-required"),
        ("ftp://hooks.example.com/x", "url-invalid"),
        ("https://user:pw@hooks.example.com/x", "url-invalid"),
        ("https:///nohost", "url-invalid"),
        ("https://hooks.example.com/a b", "url-invalid"),
        ("https://hooks.example.com:99999/", "url-invalid"),
    ],
)
def test_urls_refused_for_their_form(url: str, code: str) -> None:
    with pytest.raises(InvalidInput, match=code):
        TargetUrl.parse(url, allow_http=False)


def test_http_only_where_allowed() -> None:
    assert TargetUrl.parse("http://127.0.0.1:9000/h", allow_http=True).port == 9000
    assert TargetUrl.parse("https://hooks.example.com/h", allow_http=False).port == 443
