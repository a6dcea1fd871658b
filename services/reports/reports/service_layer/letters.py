"""Letters to the debtor: issued from the cases service's request, then handed to the post.

Issuing runs in the consumer's transaction (``cases.debtor_letter.requested.v1``): the
letter is rendered from the request (the step, its dates, the debtor's name and address)
and the read model (the creditor, the case's claims, its balance and interest as the ledger
stated them, the forsinkelsesrente of the sending day), stored as an immutable
``debtor_letter`` document linked to its case, and queued for the post, all in one commit
with the inbox row. A redelivered request finds its letter and issues nothing (the
document's source is the letter id, unique per kind).

A letter states the ledger's balance event of its sending day (the ledger publishes one
for every workflow step, dated the step's day, with the fee the step charged, the interest
through the day and the forsinkelsesrente in force). Until that event is in the read model
the letter is **held**: its request is kept in ``held_letters`` and the letter is issued,
in the transaction that applies the event, by :func:`release_held`. It is never issued
without the rate.

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


async def issue_debtor_letter(
    session: AsyncSession, issuer: Issuer, event: DebtorLetterRequested
) -> uuid.UUID | None:
    """The letter the workflow asked for, issued once and queued for the post; ``None``
    when it is held for the forsinkelsesrente of its day."""
    store = DocumentStore(session)
    existing = await store.issued("debtor_letter", event.letter_id)
    if existing is not None:
        return uuid.UUID(str(existing.document_id))
    projections = ProjectionStore(session)
    case = await projections.case(event.case_id, None)
    if case is None:
        raise CasesNotInReadModel(1)
    booked = await projections.balance_stated_on(event.case_id, event.sent_on)
    if booked is None:
        await HeldLetters(session).hold(event.model_dump(mode="json"), reason=RATE_UNKNOWN)
        log.info("debtor letter %s held for the ledger's balance of its day", event.letter_id)
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
    check_required_content(letter)
    issued_at = issuer.clock.now()
    pdf = await asyncio.to_thread(issuer.renderer.debtor_letter, letter, issued_at=issued_at)
    document_id = uuid.uuid4()
    await store.add(
        NewDocument(
            document_id=document_id,
            organisation_id=case.creditor_id,
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
    await LetterDispatches(session).add(
        letter_id=event.letter_id,
        document_id=document_id,
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
    await HeldLetters(session).release(event.letter_id)  # if it was held
    log.info("debtor letter %s (%s) issued on case %s", letter.number, event.kind, event.case_id)
    return document_id


async def release_held(session: AsyncSession, issuer: Issuer, case_ids: Sequence[uuid.UUID]) -> int:
    """Issue the held letters of these cases whose balance of the day is now stated (after
    their balance events were applied, in the same transaction); how many were issued. A
    letter that lacks required content is not issued: it stays held, marked
    ``letter-incomplete`` for ops (the balance events are not refused for it)."""
    held = HeldLetters(session)
    issued = 0
    for request in await held.of_cases(case_ids):
        event = DebtorLetterRequested.model_validate(request)
        try:
            document = await issue_debtor_letter(session, issuer, event)
        except LetterIncomplete as exc:  # kept for ops, as the dead-letter queue would
            log.error("held debtor letter %s refused: %s", event.letter_id, exc)
            await held.refuse(event.letter_id, reason=LETTER_INCOMPLETE)
            continue
        if document is not None:
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
