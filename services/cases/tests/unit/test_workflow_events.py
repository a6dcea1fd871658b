"""The workflow's step events built without the models: the same JSON as the pydantic
models write (``Envelope.wrap`` of the payload), and read back by them."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from cases.adapters.workflow_store import LetterRecipient
from cases.service_layer import workflow_events
from contracts import Envelope
from contracts.cases import CaseStatusChanged, DebtorLetterRequested, PostalAddress
from hypothesis import given
from hypothesis import strategies as st
from servicekit import context
from servicekit.outbox import json_time

pytestmark = pytest.mark.unit

_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)


def _same_envelope(fast_body: str, payload: CaseStatusChanged | DebtorLetterRequested) -> None:
    """The fast body is the body ``Envelope.wrap`` gives the model, with its id and time."""
    fast = Envelope.model_validate_json(fast_body)
    model = Envelope.wrap(
        payload,
        correlation_id=context.correlation_id.get(),
        causation_id=context.causation_id.get(),
        event_id=fast.event_id,
        occurred_at=fast.occurred_at,
    )
    assert fast_body == model.model_dump_json()
    assert fast.payload(type(payload)) == payload


@given(
    deadline=st.one_of(st.none(), st.dates(date(2020, 1, 1), date(2040, 1, 1))),
    instalments=st.one_of(st.none(), st.integers(1, 1000)),
    microsecond=st.integers(0, 999_999),
    actor=st.sampled_from(["scheduler", "system", str(uuid.uuid4())]),
    correlated=st.booleans(),
)
def test_status_changed_is_the_one_the_models_write(
    deadline: date | None, instalments: int | None, microsecond: int, actor: str, correlated: bool
) -> None:
    now = datetime(2026, 11, 25, 11, 0, 1, microsecond, tzinfo=UTC)
    fields = {
        "case_id": uuid.uuid4(),
        "creditor_id": uuid.uuid4(),
        "from_status": "registered",
        "to_status": "notice_sent",
        "step": "inkassovarsel_sent",
        "effective_date": date(2026, 11, 25),
        "deadline": deadline,
        "rule_set": "inkassoloven-1988",
        "debtor_kind": "person",
        "actor": actor,
        "instalments": instalments,
    }
    token = context.correlation_id.set(uuid.uuid4() if correlated else None)
    try:
        fast = workflow_events.status_changed(**fields, changed_at=json_time(now))  # type: ignore[arg-type]
        _same_envelope(fast.body, CaseStatusChanged(**fields, changed_at=now))  # type: ignore[arg-type]
    finally:
        context.correlation_id.reset(token)
    assert fast.event_type == CaseStatusChanged.event_type
    assert fast.routing_key == CaseStatusChanged.routing_key()


@given(
    name=_TEXT,
    lines=st.lists(_TEXT, min_size=1, max_size=3),
    postal_code=st.text(alphabet="0123456789", min_size=4, max_size=4),
    city=_TEXT,
    country=st.sampled_from(["NO", "SE", "DK"]),
    kind=st.sampled_from(["inkassovarsel", "betalingsoppfordring"]),
    microsecond=st.integers(0, 999_999),
)
def test_letter_requested_is_the_one_the_models_write(
    name: str, lines: list[str], postal_code: str, city: str, country: str, kind: str,
    microsecond: int,
) -> None:  # fmt: skip
    now = datetime(2026, 11, 25, 11, 0, 1, microsecond, tzinfo=UTC)
    recipient = LetterRecipient(name, tuple(lines), postal_code, city, country)
    fields = {
        "letter_id": uuid.uuid4(),
        "case_id": uuid.uuid4(),
        "creditor_id": uuid.uuid4(),
        "kind": kind,
        "step": f"{kind}_sent",
        "sent_on": date(2026, 11, 25),
        "deadline": date(2026, 12, 9),
        "rule_set": "inkassoloven-1988",
        "debtor_kind": "business",
    }
    fast = workflow_events.letter_requested(
        **fields,
        recipient=recipient,
        requested_at=json_time(now),  # type: ignore[arg-type]
    )
    model = DebtorLetterRequested(
        **fields,  # type: ignore[arg-type]
        debtor_name=name,
        address=PostalAddress(lines=lines, postal_code=postal_code, city=city, country=country),
        requested_at=now,
    )
    _same_envelope(fast.body, model)
    assert fast.routing_key == DebtorLetterRequested.routing_key()
