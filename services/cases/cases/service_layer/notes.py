"""Notes on a case between the creditor and the agency's case handlers.

Creditors write shared notes to the case handler; case handlers answer with shared notes
and may keep internal notes that creditors never see. Each user has a read mark per case,
so both sides get unread counts.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from contracts.cases import NoteAdded
from servicekit.errors import DomainError, NotFound
from servicekit.tokens import Principal
from sqlalchemy import func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from cases.adapters.orm import cases, note_reads, notes
from cases.service_layer.clock import Clock
from cases.service_layer.unit_of_work import CasesUnitOfWork

Visibility = Literal["shared", "internal"]


class InternalNoteNotAllowed(DomainError):
    status, type, title = 403, "internal-note-not-allowed", "Internal notes are the agency's"


@dataclass(frozen=True)
class WrittenNote:
    note_id: uuid.UUID
    seq: int
    created_at: datetime


async def _creditor_of(uow: CasesUnitOfWork, principal: Principal, case_id: uuid.UUID) -> uuid.UUID:
    query = select(cases.c.creditor_id).where(cases.c.id == case_id)
    if principal.tenant is not None:
        query = query.where(cases.c.creditor_id == principal.tenant)
    creditor_id: uuid.UUID | None = await uow.session.scalar(query)
    if creditor_id is None:
        raise NotFound("No such case.")
    return creditor_id


async def add_note(
    uow: CasesUnitOfWork,
    clock: Clock,
    principal: Principal,
    case_id: uuid.UUID,
    body: str,
    visibility: Visibility,
) -> WrittenNote:
    """Write a note on a case the caller may see; the writer has read up to their own note."""
    creditor_id = await _creditor_of(uow, principal, case_id)
    agency = principal.is_agency_staff
    if visibility == "internal" and not agency:
        raise InternalNoteNotAllowed("Only case handlers can write internal notes.")
    note_id, now = uuid.uuid4(), clock.now()
    side: Literal["creditor", "agency"] = "agency" if agency else "creditor"
    seq = await uow.session.scalar(
        insert(notes)
        .values(
            id=note_id,
            case_id=case_id,
            creditor_id=creditor_id,
            author_id=principal.user_id,
            author_side=side,
            visibility=visibility,
            body=body,
            created_at=now,
        )
        .returning(notes.c.seq)
    )
    assert seq is not None
    await _mark_read(uow, principal.user_id, case_id, seq)
    uow.emit(
        NoteAdded(
            note_id=note_id,
            case_id=case_id,
            creditor_id=creditor_id,
            author_id=principal.user_id,
            author_side=side,
            visibility=visibility,
            created_at=now,
        )
    )
    return WrittenNote(note_id, seq, now)


async def _mark_read(
    uow: CasesUnitOfWork, user_id: uuid.UUID, case_id: uuid.UUID, seq: int
) -> None:
    statement = pg_insert(note_reads).values(user_id=user_id, case_id=case_id, last_read_seq=seq)
    await uow.session.execute(
        statement.on_conflict_do_update(
            index_elements=[note_reads.c.user_id, note_reads.c.case_id],
            set_={"last_read_seq": func.greatest(note_reads.c.last_read_seq, seq)},
        )
    )


async def mark_read(
    uow: CasesUnitOfWork, principal: Principal, case_id: uuid.UUID, up_to_seq: int
) -> None:
    """The caller has read the case's notes up to ``up_to_seq`` (marks never go back)."""
    await _creditor_of(uow, principal, case_id)
    await _mark_read(uow, principal.user_id, case_id, up_to_seq)
