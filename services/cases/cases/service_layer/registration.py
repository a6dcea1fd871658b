"""Registering cases: one from a form or the API, or a chunk of an import file.

Every channel goes through :func:`register_chunk`: validate each registration with the
domain's rules, leave out references already registered (a re-submission is recognised,
never duplicated), insert the rest in bulk and write one ``cases.case.registered`` event per
case to the outbox, in the caller's transaction. A batch is opened per submission and
completed when the submission is (``cases.batch.registered``), so the reports service
can render its order confirmation.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from contracts import Envelope, EventData
from contracts.cases import MAX_REJECTED_ROWS, BatchRegistered, CaseRegistered, RejectedRow
from servicekit.errors import Conflict, Forbidden
from servicekit.outbox import SerialisedEvent, json_time, serialised_event
from sqlalchemy.ext.asyncio import AsyncSession

from cases.adapters import batch_store, case_store
from cases.adapters.case_store import NewCase
from cases.adapters.ids import new_ids
from cases.adapters.national_ids import NationalIdVault
from cases.domain.batches import Batch
from cases.domain.identifiers import batch_number_for, case_number_for, kid_for
from cases.domain.limitation import claim_type_of, limitation_date, period_years
from cases.domain.registration import (
    CaseRegistration,
    Channel,
    FieldError,
    RegistrationRejected,
    validated,
)
from cases.domain.rules import RuleBook
from cases.service_layer.clock import Clock


@dataclass(frozen=True)
class Submitter:
    """Who registers: a creditor organisation, through a channel, by a user (or a system)."""

    creditor_id: uuid.UUID
    channel: Channel
    user_id: uuid.UUID | None


@dataclass(frozen=True)
class Registered:
    """A case that was registered: where it came from (``index``) and its numbers."""

    index: int
    case_id: uuid.UUID
    case_number: str
    kid: str


@dataclass(frozen=True)
class Rejected:
    """A registration that was not accepted, with every reason."""

    index: int
    errors: tuple[FieldError, ...]
    existing_case_number: str | None = None


@dataclass
class ChunkOutcome:
    registered: list[Registered] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


@dataclass(frozen=True)
class RegistrationContext:
    """What registration needs besides the unit of work."""

    vault: NationalIdVault
    rule_book: RuleBook
    clock: Clock


class Turn(Protocol):
    """When a chunk may write while an earlier chunk of the same submission is still in
    flight (an importer's): the two never wait on each other in the database."""

    async def before_cases(self, references: Collection[str]) -> None:
        """Before inserting cases with these references (the earlier chunk may be inserting
        the same: then after it)."""

    async def before_batch(self) -> None:
        """Before counting into the batch: after the earlier chunk has (its row lock)."""


class RegistrationTx(Protocol):
    """The transaction registration writes in: a request's unit of work, or a consumer's."""

    @property
    def session(self) -> AsyncSession: ...

    def emit(self, payload: EventData) -> Envelope: ...

    def emit_serialised(self, events: list[SerialisedEvent]) -> None: ...


class CreditorUnknown(Conflict):
    type, title = "creditor-unknown", "Creditor not known yet"


class CreditorInactive(Forbidden):
    type, title = "creditor-inactive", "Creditor deactivated"


async def check_creditor(uow: RegistrationTx, creditor_id: uuid.UUID) -> None:
    """Cases are registered only for a known, active creditor."""
    state = await batch_store.creditor_state(uow.session, creditor_id)
    if state is None:
        raise CreditorUnknown(
            "Your organisation is not known to the cases service yet; try again in a moment."
        )
    if not state:
        raise CreditorInactive("Your organisation is deactivated; no new cases can be registered.")


async def open_batch(
    uow: RegistrationTx,
    ctx: RegistrationContext,
    who: Submitter,
    *,
    batch_id: uuid.UUID | None = None,
) -> Batch:
    """A new, open batch for a submission (in the caller's transaction); ``batch_id`` when
    the submitter named it (an ERP handover's id)."""
    await check_creditor(uow, who.creditor_id)
    sequence = await case_store.next_batch_sequence(uow.session)
    batch = Batch(
        batch_id=batch_id or uuid.uuid4(),
        batch_number=batch_number_for(sequence),
        creditor_id=who.creditor_id,
        channel=who.channel,
        created_by=who.user_id,
        created_at=ctx.clock.now(),
    )
    await batch_store.add(uow.session, batch)
    return batch


def _validate_all(
    items: Sequence[tuple[int, CaseRegistration]], ctx: RegistrationContext
) -> tuple[list[tuple[int, CaseRegistration]], list[Rejected]]:
    today = ctx.clock.today()
    good: list[tuple[int, CaseRegistration]] = []
    rejected: list[Rejected] = []
    seen: set[str] = set()
    for index, registration in items:
        try:
            valid = validated(registration, today=today)
        except RegistrationRejected as exc:
            rejected.append(Rejected(index, tuple(exc.errors)))
            continue
        if valid.creditor_reference in seen:
            reason = "appears twice in this submission (the first one was kept)"
            twice = FieldError("creditor_reference", reason, "twice_in_submission")
            rejected.append(Rejected(index, (twice,)))
            continue
        seen.add(valid.creditor_reference)
        good.append((index, valid))
    return good, rejected


def _already_registered(index: int, case_number: str) -> Rejected:
    reason = f"is already registered as case {case_number}"
    values = (("case_number", case_number),)
    error = FieldError("creditor_reference", reason, "already_registered", values)
    return Rejected(index, (error,), case_number)


async def register_chunk(
    uow: RegistrationTx,
    ctx: RegistrationContext,
    batch: Batch,
    items: Sequence[tuple[int, CaseRegistration]],
    *,
    turn: Turn | None = None,
) -> ChunkOutcome:
    """Register what is valid of ``items`` into ``batch``; report the rest.

    ``items`` pairs each registration with the index the caller knows it by (a file's
    line, a request's position). Runs in the caller's transaction; commit is theirs.
    Everything up to the writes (validation, the look-up of known references, numbers,
    ids, rows and events) is done first, in a worker thread for a large chunk; ``turn``
    orders the writes with those of an earlier chunk still in flight.
    """
    outcome = ChunkOutcome()
    good, outcome.rejected = await _python_work(len(items), _validate_all, items, ctx)
    known = (
        await case_store.existing_references(
            uow.session, batch.creditor_id, [r.creditor_reference for _, r in good]
        )
        if good
        else {}
    )
    fresh = []
    for index, registration in good:
        if registration.creditor_reference in known:
            outcome.rejected.append(
                _already_registered(index, known[registration.creditor_reference])
            )
        else:
            fresh.append((index, registration))
    if not fresh:
        if turn is not None:
            await turn.before_batch()
        outcome.rejected.sort(key=lambda r: r.index)
        return outcome
    prepared = await _prepare(uow, ctx, batch, [r for _, r in fresh])
    if turn is not None:
        await turn.before_cases([r.creditor_reference for _, r in fresh])
    new_cases, events = prepared.new_cases, prepared.events
    inserted = await case_store.insert_prepared(uow.session, prepared.rows)
    if len(inserted) < len(new_cases):  # registered concurrently by another submission
        lost = [c for c in new_cases if c.case_id not in inserted]
        known = await case_store.existing_references(
            uow.session, batch.creditor_id, [c.registration.creditor_reference for c in lost]
        )
        events = [e for e, c in zip(events, new_cases, strict=True) if c.case_id in inserted]
    for (index, _), case in zip(fresh, new_cases, strict=True):
        if case.case_id not in inserted:
            reference = case.registration.creditor_reference
            outcome.rejected.append(_already_registered(index, known.get(reference, "?")))
            continue
        outcome.registered.append(Registered(index, case.case_id, case.case_number, case.kid))
    uow.emit_serialised(events)
    kept = [c for c in new_cases if c.case_id in inserted]
    if turn is not None:
        await turn.before_batch()
    await batch_store.count(
        uow.session,
        batch.batch_id,
        cases=len(kept),
        claims=sum(len(c.registration.claims) for c in kept),
        principal_ore=sum(c.registration.principal_total_ore for c in kept),
    )
    outcome.rejected.sort(key=lambda r: r.index)
    return outcome


def rejected_rows(
    rejected: Sequence[Rejected], references: Callable[[int], str | None]
) -> list[RejectedRow]:
    """The refused registrations as the batch event lists them (row = position + 1)."""
    return [
        RejectedRow(
            row=r.index + 1,
            creditor_reference=(references(r.index) or "")[:60] or None,
            fields=sorted({e.field for e in r.errors})[:20],
        )
        for r in rejected[:MAX_REJECTED_ROWS]
    ]


@dataclass(frozen=True)
class _Prepared:
    new_cases: list[NewCase]
    rows: case_store.PreparedCases
    events: list[SerialisedEvent]


THREAD_FROM = 50
"""From this many registrations on, the Python work of a chunk (validation, then its rows
and events) runs in a worker thread: the event loop goes on driving the database
meanwhile (an importer's chunk before, whose statements would otherwise wait for it)."""

_T = TypeVar("_T")


async def _python_work(size: int, work: Callable[..., _T], *args: Any) -> _T:
    if size >= THREAD_FROM:
        return await asyncio.to_thread(work, *args)
    return work(*args)


async def _prepare(
    uow: RegistrationTx,
    ctx: RegistrationContext,
    batch: Batch,
    registrations: Sequence[CaseRegistration],
) -> _Prepared:
    """Numbers, ids, rows and ``cases.case.registered`` events for the new cases."""
    sequences = await case_store.next_case_sequences(uow.session, len(registrations))
    return await _python_work(len(registrations), _prepared, ctx, batch, registrations, sequences)


def _prepared(
    ctx: RegistrationContext,
    batch: Batch,
    registrations: Sequence[CaseRegistration],
    sequences: Sequence[int],
) -> _Prepared:
    now, today = ctx.clock.now(), ctx.clock.today()
    rule_set = ctx.rule_book.in_force(today)
    claim_count = sum(len(r.claims) for r in registrations)
    ids = iter(new_ids(3 * len(registrations) + claim_count))
    new_cases = []
    for sequence, registration in zip(sequences, registrations, strict=True):
        case_id, party_id = next(ids), next(ids)
        new_cases.append(
            NewCase(
                case_id=case_id,
                party_id=party_id,
                claim_ids=tuple(next(ids) for _ in registration.claims),
                sequence=sequence,
                case_number=case_number_for(sequence),
                kid=kid_for(sequence),
                registration=registration,
                limitation_dates=tuple(
                    limitation_date(c.due_date, period_years(rule_set, claim_type_of(c)))
                    for c in registration.claims
                ),
            )
        )
    submission = case_store.Submission(
        creditor_id=batch.creditor_id,
        batch_id=batch.batch_id,
        channel=batch.channel,
        rule_set=rule_set.name,
        next_step_on=today,
        registered_at=now,
        registered_on=today,
        registered_by=batch.created_by,
    )
    creditor, batch_id, at = str(batch.creditor_id), str(batch.batch_id), json_time(now)
    events = [
        serialised_event(
            CaseRegistered,
            registered_data(
                case, creditor_id=creditor, batch_id=batch_id, channel=batch.channel, at=at
            ),
            event_id=next(ids),
            occurred_at=at,
        )
        for case in new_cases
    ]
    rows = case_store.prepare(ctx.vault, new_cases, submission)
    return _Prepared(new_cases, rows, events)


def registered_data(
    case: NewCase, *, creditor_id: str, batch_id: str, channel: str, at: str
) -> dict[str, Any]:
    """``CaseRegistered(...).model_dump(mode="json")`` of a new case, built directly (the
    case is validated; the unit tests hold the two to the same JSON). ``at`` is the time of
    registration as :func:`servicekit.outbox.json_time` writes it."""
    registration = case.registration
    return {
        "case_id": str(case.case_id),
        "creditor_id": creditor_id,
        "case_number": case.case_number,
        "kid": case.kid,
        "creditor_reference": registration.creditor_reference,
        "batch_id": batch_id,
        "channel": channel,
        "debtor_kind": registration.debtor.kind,
        "currency": "NOK",
        "claims": [
            {
                "claim_id": str(claim_id),
                "invoice_number": claim.invoice_number,
                "invoice_date": claim.invoice_date.isoformat(),
                "due_date": claim.due_date.isoformat(),
                "principal_ore": claim.principal_ore,
                "reminder_fee_ore": claim.reminder_fee_ore,
                "limitation_date": limitation.isoformat(),
            }
            for claim_id, claim, limitation in zip(
                case.claim_ids, registration.claims, case.limitation_dates, strict=True
            )
        ],
        "registered_at": at,
        "debtor_name": registration.debtor.name,
        "interest_starts": [
            {
                "claim_id": str(claim_id),
                "demand_sent_on": claim.demand_sent_on.isoformat(),
                "interest_due_date": claim.interest_due_date.isoformat(),
            }
            for claim_id, claim in zip(case.claim_ids, registration.claims, strict=True)
            if claim.demand_sent_on is not None and claim.interest_due_date is not None
        ]
        or None,
        "reminders": [
            {"claim_id": str(claim_id), "sent_on": r.sent_on.isoformat(), "fee_ore": r.fee_ore}
            for claim_id, claim in zip(case.claim_ids, registration.claims, strict=True)
            for r in claim.reminders or ()
        ]
        if any(claim.reminders is not None for claim in registration.claims)
        else None,
    }


async def complete_batch(
    uow: RegistrationTx,
    ctx: RegistrationContext,
    batch_id: uuid.UUID,
    *,
    rejected: int,
    rejected_rows: Sequence[RejectedRow] = (),
) -> Batch:
    """Close a submission's batch and announce it (idempotent: a registered batch stays).

    ``rejected_rows`` are the refused rows the order confirmation lists apart (the first
    :data:`contracts.cases.MAX_REJECTED_ROWS`; ``rejected`` counts them all).
    """
    batch = await batch_store.get(uow.session, batch_id, lock=True)
    if batch is None:
        raise LookupError(f"no batch {batch_id}")
    if batch.status == "registered":
        return batch
    now = ctx.clock.now()
    await batch_store.complete(uow.session, batch_id, rejected=rejected, at=now)
    uow.emit(
        BatchRegistered(
            batch_id=batch.batch_id,
            batch_number=batch.batch_number,
            creditor_id=batch.creditor_id,
            channel=batch.channel,
            case_count=batch.case_count,
            claim_count=batch.claim_count,
            principal_total_ore=batch.principal_total_ore,
            rejected_count=rejected,
            registered_at=now,
            rejected_rows=list(rejected_rows[:MAX_REJECTED_ROWS]),
        )
    )
    completed = await batch_store.get(uow.session, batch_id)
    assert completed is not None
    return completed
