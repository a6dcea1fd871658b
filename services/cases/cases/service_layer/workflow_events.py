"""The workflow's step events as the outbox stores them, built without the models.

A scheduler pass writes two events per case (``cases.case.status_changed`` and
``cases.debtor_letter.requested``); building each as a pydantic payload inside a pydantic
envelope and serialising it cost about as much as the rest of the step. These functions
write the same JSON directly (``servicekit.outbox.serialised_event``): the data is what
``Model(...).model_dump(mode="json")`` gives, every field in the model's order, and the
unit tests hold the two to the same text. The values are already valid: the statuses,
step and dates come from the domain's transition, the debtor's name and address from the
parties row, which registration validated against the contract's bounds and nothing
changes afterwards.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from contracts import EventData
from contracts.cases import CaseStatusChanged, DebtorLetterRequested, LetterKind
from servicekit.outbox import SerialisedEvent, json_time, serialised_event

from cases.adapters.ids import new_ids
from cases.adapters.workflow_store import LetterRecipient


class _EventIds:
    """Time-ordered event ids (:func:`cases.adapters.ids.new_ids`), made a hundred at a time:
    one at a time they cost more than a random one; together far less."""

    def __init__(self) -> None:
        self._ids: list[uuid.UUID] = []

    def __call__(self) -> uuid.UUID:
        if not self._ids:
            self._ids = new_ids(100)
            self._ids.reverse()
        return self._ids.pop()


_event_id = _EventIds()


def _event(kind: type[EventData], data: dict[str, Any]) -> SerialisedEvent:
    """A new event of ``kind`` (a fresh id, and the time now, as ``Envelope.wrap`` gives)."""
    return serialised_event(
        kind, data, event_id=_event_id(), occurred_at=json_time(datetime.now(UTC))
    )


def status_changed(
    *,
    case_id: uuid.UUID,
    creditor_id: uuid.UUID,
    from_status: str,
    to_status: str,
    step: str,
    effective_date: date,
    deadline: date | None,
    rule_set: str,
    debtor_kind: str,
    actor: str,
    changed_at: str,
    instalments: int | None,
) -> SerialisedEvent:
    """``cases.case.status_changed``; ``changed_at`` as :func:`json_time` wrote it."""
    return _event(
        CaseStatusChanged,
        {
            "case_id": str(case_id),
            "creditor_id": str(creditor_id),
            "from_status": from_status,
            "to_status": to_status,
            "step": step,
            "effective_date": effective_date.isoformat(),
            "deadline": None if deadline is None else deadline.isoformat(),
            "rule_set": rule_set,
            "debtor_kind": debtor_kind,
            "actor": actor,
            "changed_at": changed_at,
            "instalments": instalments,
        },
    )


def letter_requested(
    *,
    letter_id: uuid.UUID,
    case_id: uuid.UUID,
    creditor_id: uuid.UUID,
    kind: LetterKind,
    step: str,
    sent_on: date,
    deadline: date,
    rule_set: str,
    debtor_kind: str,
    recipient: LetterRecipient,
    requested_at: str,
) -> SerialisedEvent:
    """``cases.debtor_letter.requested`` to ``recipient`` (the only event with the debtor's
    name and address: only the reports service binds it, ADR 0033)."""
    return _event(
        DebtorLetterRequested,
        {
            "letter_id": str(letter_id),
            "case_id": str(case_id),
            "creditor_id": str(creditor_id),
            "kind": kind,
            "step": step,
            "sent_on": sent_on.isoformat(),
            "deadline": deadline.isoformat(),
            "rule_set": rule_set,
            "debtor_kind": debtor_kind,
            "debtor_name": recipient.name,
            "address": {
                "lines": list(recipient.address_lines),
                "postal_code": recipient.postal_code,
                "city": recipient.city,
                "country": recipient.country,
            },
            "requested_at": requested_at,
        },
    )
