"""Letters to the debtor: issued from the cases service's request, then handed to the post.

The consumer (``cases.debtor_letter.requested.v1``) builds the letter from the request (the
step, its dates, the debtor's name and address) and the read model (the creditor, the
case's claims, its balance and interest as the ledger stated them, the forsinkelsesrente of
the sending day), checks the content the law requires and records a document job with the
inbox row (ADR 0066). The renderer renders it (:func:`render_debtor_letters`, several
letters to one worker thread), stores it as an immutable ``debtor_letter`` document linked
to its case and queues it for the post, in one commit with the job's end. A redelivered
request finds its job or its letter and records nothing (the document's source is the
letter id, unique per kind; so is the job's).

A letter states the ledger's balance event of its sending day (the ledger publishes one
for every workflow step, dated the step's day, with the fee the step charged, the interest
through the day and the forsinkelsesrente in force). Until that event is in the read model
the letter is **held**: its request is kept in ``held_letters`` and the letter is recorded
for the renderer, in the transaction that applies the event, by :func:`release_held`. It
is never issued without the rate.

Sending (:func:`send_due`) is a separate loop (the ``poster`` worker): at least once, with
the letter id as the post's deduplication key; a failed send is kept and tried again with
back-off, never dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from contracts.cases import DebtorLetterRequested
from servicekit.metrics import worker_pass
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reports.adapters.document_jobs import DEBTOR_LETTER, DocumentJobs
from reports.adapters.document_store import DocumentStore, NewDocument
from reports.adapters.held_letters import LETTER_INCOMPLETE, RATE_UNKNOWN, HeldLetters
from reports.adapters.letter_dispatches import LetterDispatches
from reports.adapters.projections import ProjectionStore, interest_of
from reports.domain import documents as kinds
from reports.domain.case_statement import StatementClaim
from reports.domain.errors import CasesNotInReadModel
from reports.domain.letters import (
    DebtorLetter,
    LetterIncomplete,
    Recipient,
    check_required_content,
    letter_amounts,
)
from reports.service_layer.issuing import Clock, Issuer, agency_of, creditor_of

log = logging.getLogger(__name__)
OSLO = ZoneInfo("Europe/Oslo")

RETRY_DELAYS: tuple[timedelta, ...] = (
    timedelta(seconds=5),
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(hours=1),
)
"""How long a letter the post refused waits before the next try (the last one repeats:
a letter is never given up; ops see the backlog in ``reports_letters_unsent``)."""


class PostUnavailable(Exception):
    """The post did not take the letter (down, refused, timed out): try again later."""


@dataclass(frozen=True, slots=True)
class LetterToPost:
    letter_id: uuid.UUID
    kind: str
    recipient: dict[str, Any]
    pdf: bytes


class Post(Protocol):
    """The sending port: print-and-post or the debtor's digital mailbox."""

    async def send(self, letter: LetterToPost) -> str:
        """Hand the letter over; returns the post's reference. Idempotent by letter id."""
        ...


def _recipient(event: DebtorLetterRequested) -> Recipient:
    return Recipient(
        name=event.debtor_name,
        address_lines=tuple(event.address.lines),
        postal_code=event.address.postal_code,
        city=event.address.city,
        country=event.address.country,
    )


class LetterNotReady(Exception):
    """The read model no longer states what a recorded letter needs (its case or the
    balance of its day): the render is tried again later."""


async def _letter_of(
    session: AsyncSession, issuer: Issuer, event: DebtorLetterRequested
) -> tuple[DebtorLetter, uuid.UUID] | None:
    """The letter as it prints, and the creditor it is for; ``None`` while the ledger's
    balance of its day is not in the read model (a case not there yet is refused)."""
    projections = ProjectionStore(session)
    case = await projections.case(event.case_id, None)
    if case is None:
        raise CasesNotInReadModel(1)
    booked = await projections.balance_stated_on(event.case_id, event.sent_on)
    if booked is None:
        return None
    interest = interest_of(booked.interest)
    claims = tuple(
        StatementClaim(
            invoice_number=c["invoice_number"],
            invoice_date=date.fromisoformat(c["invoice_date"]),
            due_date=date.fromisoformat(c["due_date"]),
            principal_ore=int(c["principal_ore"]),
        )
        for c in case.claims
    )
    letter = DebtorLetter(
        letter_id=event.letter_id,
        kind=event.kind,
        agency=await agency_of(projections, issuer),
        creditor=await creditor_of(projections, case.creditor_id),
        case_number=case.case_number,
        creditor_reference=case.creditor_reference,
        kid=case.kid,
        pay_to_account=issuer.client_account,
        recipient=_recipient(event),
        sent_on=event.sent_on,
        deadline=event.deadline,
        claims=claims,
        amounts=letter_amounts(
            case.principal_ore,
            (
                booked.principal_ore,
                booked.interest_ore if interest is None else interest.outstanding_ore,
                booked.costs_ore,
            ),
        ),
        amounts_as_of=booked.effective_date if interest is None else interest.through,
        interest_from=min((c.due_date for c in claims), default=case.due_date),
        interest_rate_percent=booked.interest_rate_percent,
    )
    return letter, case.creditor_id


async def issue_debtor_letter(
    session: AsyncSession, issuer: Issuer, event: DebtorLetterRequested
) -> bool:
    """The letter the workflow asked for, checked and recorded for the renderer (once);
    ``False`` when it is held for the forsinkelsesrente of its day. A letter lacking
    content the law requires is refused here (``LetterIncomplete``), never recorded."""
    if await DocumentStore(session).issued("debtor_letter", event.letter_id) is not None:
        return True
    made = await _letter_of(session, issuer, event)
    if made is None:
        await HeldLetters(session).hold(event.model_dump(mode="json"), reason=RATE_UNKNOWN)
        log.info("debtor letter %s held for the ledger's balance of its day", event.letter_id)
        return False
    check_required_content(made[0])
    await DocumentJobs(session).request(
        DEBTOR_LETTER, event.letter_id, request=event.model_dump(mode="json")
    )
    await HeldLetters(session).release(event.letter_id)  # if it was held
    return True


@dataclass(frozen=True, slots=True)
class LetterToRender:
    """A recorded letter as the renderer claimed it."""

    event: DebtorLetterRequested
    document_id: uuid.UUID


async def render_debtor_letters(
    session: AsyncSession, issuer: Issuer, jobs: Sequence[LetterToRender]
) -> list[uuid.UUID]:
    """Render recorded letters (all in one worker thread, each its own PDF), store each as
    a ``debtor_letter`` document and queue it for the post, in the caller's transaction;
    the documents' ids (a letter issued already is not issued again)."""
    store = DocumentStore(session)
    todo: list[tuple[LetterToRender, DebtorLetter, uuid.UUID]] = []
    issued: list[uuid.UUID] = []
    for job in jobs:
        existing = await store.issued("debtor_letter", job.event.letter_id)
        if existing is not None:
            issued.append(uuid.UUID(str(existing.document_id)))
            continue
        made = await _letter_of(session, issuer, job.event)
        if made is None:
            raise LetterNotReady(str(job.event.letter_id))
        letter, creditor_id = made
        check_required_content(letter)
        todo.append((job, letter, creditor_id))
    if not todo:
        return issued
    issued_at = issuer.clock.now()
    pdfs = await asyncio.to_thread(
        issuer.renderer.debtor_letters, [letter for _, letter, _ in todo], issued_at=issued_at
    )
    dispatches = LetterDispatches(session)
    for (job, letter, creditor_id), pdf in zip(todo, pdfs, strict=True):
        event = job.event
        await store.add(
            NewDocument(
                document_id=job.document_id,
                organisation_id=creditor_id,
                kind="debtor_letter",
                source_id=event.letter_id,
                number=letter.number,
                issued_at=issued_at,
                period_start=event.sent_on,
                period_end=event.deadline,
                media_type=kinds.PDF,
                file_name=kinds.file_name("debtor_letter", letter.number),
                sha256=hashlib.sha256(pdf).hexdigest(),
                content=pdf,
                case_id=event.case_id,
            )
        )
        await dispatches.add(
            letter_id=event.letter_id,
            document_id=job.document_id,
            case_id=event.case_id,
            kind=event.kind,
            recipient={
                "name": event.debtor_name,
                "address_lines": list(event.address.lines),
                "postal_code": event.address.postal_code,
                "city": event.address.city,
                "country": event.address.country,
            },
        )
        issued.append(job.document_id)
        log.info(
            "debtor letter %s (%s) issued on case %s", letter.number, event.kind, event.case_id
        )
    return issued


async def release_held(session: AsyncSession, issuer: Issuer, case_ids: Sequence[uuid.UUID]) -> int:
    """Record the held letters of these cases whose balance of the day is now stated (after
    their balance events were applied, in the same transaction); how many were recorded. A
    letter that lacks required content is not issued: it stays held, marked
    ``letter-incomplete`` for ops (the balance events are not refused for it)."""
    held = HeldLetters(session)
    issued = 0
    for request in await held.of_cases(case_ids):
        event = DebtorLetterRequested.model_validate(request)
        try:
            recorded = await issue_debtor_letter(session, issuer, event)
        except LetterIncomplete as exc:  # kept for ops, as the dead-letter queue would
            log.error("held debtor letter %s refused: %s", event.letter_id, exc)
            await held.refuse(event.letter_id, reason=LETTER_INCOMPLETE)
            continue
        if recorded:
            issued += 1
    return issued


def retry_delay(attempts: int, delays: Sequence[timedelta] = RETRY_DELAYS) -> timedelta:
    """The wait after the ``attempts``-th failed try (1-based)."""
    return delays[min(max(attempts, 1), len(delays)) - 1]


async def send_due(
    session_factory: async_sessionmaker[AsyncSession],
    post: Post,
    clock: Clock,
    *,
    limit: int = 20,
    delays: Sequence[timedelta] = RETRY_DELAYS,
) -> int:
    """Hand the due letters to the post; returns how many it took. Each letter is claimed
    and its outcome committed in one transaction (the row stays locked while the post is
    asked, so a second poster skips it)."""
    sent = 0
    async with session_factory() as session, session.begin():
        dispatches = LetterDispatches(session)
        for due in await dispatches.claim_due(clock.now(), limit):
            letter = LetterToPost(due.letter_id, due.kind, due.recipient, due.pdf)
            try:
                reference = await post.send(letter)
            except PostUnavailable as exc:
                wait = retry_delay(due.attempts + 1, delays)
                log.warning("post refused letter %s (%s); retry in %s", due.letter_id, exc, wait)
                await dispatches.mark_failed(
                    due.letter_id, at=clock.now(), retry_in=wait, error=str(exc)
                )
                continue
            await dispatches.mark_sent(due.letter_id, at=clock.now(), reference=reference)
            sent += 1
    return sent


async def run_poster(
    session_factory: async_sessionmaker[AsyncSession],
    post: Post,
    clock: Clock,
    stop: asyncio.Event,
    *,
    poll_seconds: float = 1.0,
) -> None:
    """The poster worker's loop: send what is due until ``stop``."""
    while not stop.is_set():
        try:
            sent = await send_due(session_factory, post, clock)
        except Exception:  # the database is down: wait, never crash-loop
            log.exception("sending letters failed; retrying")
            sent = 0
        else:
            worker_pass("reports", "poster", sent)
        if sent:
            continue
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=poll_seconds)
