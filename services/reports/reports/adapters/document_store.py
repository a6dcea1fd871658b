"""Issued documents, their gapless number series and the audit of their downloads."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from contracts.reports import DocumentIssued, PostingProposalIssued
from servicekit.outbox import add_to_outbox, envelope_for
from sqlalchemy import Row, and_, literal, or_, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from reports.adapters.orm import (
    document_corrections,
    document_counters,
    document_downloads,
    document_purges,
    documents,
    outbox,
)

OSLO = ZoneInfo("Europe/Oslo")
METADATA_COLUMNS = tuple(c for c in documents.c if c.name != "content")


@dataclass(frozen=True, slots=True)
class NewDocument:
    document_id: uuid.UUID
    organisation_id: uuid.UUID
    kind: str
    source_id: uuid.UUID
    number: str
    issued_at: datetime
    period_start: date | None
    period_end: date | None
    media_type: str
    file_name: str
    sha256: str
    content: bytes
    replaces_document_id: uuid.UUID | None = None
    case_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class DocumentFilter:
    """What a documents list asks for; ``tenant`` None = every creditor (agency staff).

    ``period_from``/``period_to`` are business dates (Europe/Oslo) the document was issued
    on, both included."""

    tenant: uuid.UUID | None
    creditor_id: uuid.UUID | None = None
    kinds: tuple[str, ...] = ()
    period_from: date | None = None
    period_to: date | None = None
    source_id: uuid.UUID | None = None
    document_ids: tuple[uuid.UUID, ...] = ()
    issued_since: datetime | None = None
    """Issued at or after this instant (documents never change: an integration's sync)."""


class DocumentStore:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def announce(self, document: NewDocument) -> None:
        """``reports.document.issued.v1`` for ``document``, to the outbox in the
        transaction that adds it (ids only: the identity service mails that it is ready)."""
        event = DocumentIssued(
            document_id=document.document_id,
            organisation_id=document.organisation_id,
            kind=document.kind,
            issued_at=document.issued_at,
        )
        await add_to_outbox(self.session, outbox, [envelope_for(event)])

    async def announce_posting_proposal(self, event: PostingProposalIssued) -> None:
        """``reports.posting_proposal.issued.v1``, to the outbox in the transaction that
        adds the proposal (an ERP connection posts it as a voucher)."""
        await add_to_outbox(self.session, outbox, [envelope_for(event)])

    async def issued(self, kind: str, source_id: uuid.UUID) -> Row[Any] | None:
        """The document of ``kind`` issued for ``source_id`` (not a correction), if any."""
        return (
            await self.session.execute(
                select(*METADATA_COLUMNS).where(
                    documents.c.kind == kind,
                    documents.c.source_id == source_id,
                    documents.c.replaces_document_id.is_(None),
                )
            )
        ).first()

    async def locked(self, document_id: uuid.UUID) -> Row[Any] | None:
        """A document's metadata, its row locked until the commit (one correction at a
        time; the lock is no change: the immutability trigger fires on UPDATE only)."""
        return (
            await self.session.execute(
                select(*METADATA_COLUMNS)
                .where(documents.c.document_id == document_id)
                .with_for_update()
            )
        ).first()

    async def by_number(self, kind: str, number: str) -> Row[Any] | None:
        """The document of ``kind`` numbered ``number`` (unique), with its content."""
        return (
            await self.session.execute(
                select(documents).where(documents.c.kind == kind, documents.c.number == number)
            )
        ).first()

    async def correction_of(self, document_id: uuid.UUID) -> Row[Any] | None:
        """The correction of a statement, if it was corrected."""
        return (
            await self.session.execute(
                select(document_corrections).where(
                    document_corrections.c.original_document_id == document_id
                )
            )
        ).first()

    async def add_correction(self, values: dict[str, Any]) -> None:
        await self.session.execute(insert(document_corrections).values(**values))

    async def corrections_touching(self, document_ids: Sequence[uuid.UUID]) -> list[Row[Any]]:
        """The corrections naming any of ``document_ids`` (as the statement corrected, its
        credit note or its replacement), each with the corrected statement's number."""
        if not document_ids:
            return []
        c = document_corrections.c
        ids = list(document_ids)
        result = await self.session.execute(
            select(document_corrections, documents.c.number.label("original_number"))
            .join(documents, documents.c.document_id == c.original_document_id, isouter=True)
            .where(
                or_(
                    c.original_document_id.in_(ids),
                    c.credit_note_document_id.in_(ids),
                    c.replacement_document_id.in_(ids),
                )
            )
        )
        return list(result.all())

    async def purged(self, kind: str, source_id: uuid.UUID) -> uuid.UUID | None:
        """The document of ``kind`` for ``source_id`` the retention purge deleted, if any:
        a replayed old event must not issue it again (with a new number)."""
        return await self.session.scalar(
            select(document_purges.c.document_id)
            .where(document_purges.c.kind == kind, document_purges.c.source_id == source_id)
            .limit(1)
        )

    async def next_number(self, series: str) -> int:
        """The next number of ``series``; the counter row stays locked until the commit, so
        numbers are taken one transaction at a time and a rollback leaves no gap."""
        stmt = insert(document_counters).values(series=series, last_number=1)
        result = await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=[document_counters.c.series],
                set_={"last_number": document_counters.c.last_number + 1},
            ).returning(document_counters.c.last_number)
        )
        return int(result.scalar_one())

    async def add(self, document: NewDocument) -> None:
        values = {
            **{k: getattr(document, k) for k in NewDocument.__dataclass_fields__},
            "size": len(document.content),
        }
        await self.session.execute(insert(documents).values(**values))

    async def get(self, document_id: uuid.UUID, tenant: uuid.UUID | None) -> Row[Any] | None:
        query = select(*METADATA_COLUMNS).where(documents.c.document_id == document_id)
        if tenant is not None:
            query = query.where(documents.c.organisation_id == tenant)
        return (await self.session.execute(query)).first()

    async def content(self, document_id: uuid.UUID) -> bytes:
        return bytes(
            (
                await self.session.execute(
                    select(documents.c.content).where(documents.c.document_id == document_id)
                )
            ).scalar_one()
        )

    async def page(
        self, f: DocumentFilter, *, after: tuple[datetime, uuid.UUID] | None, limit: int
    ) -> list[Row[Any]]:
        """Newest first, keyset-paginated on ``(issued_at, document_id)``."""
        d = documents.c
        query = select(*METADATA_COLUMNS)
        conditions = []
        if f.tenant is not None:
            conditions.append(d.organisation_id == f.tenant)
        if f.creditor_id is not None:
            conditions.append(d.organisation_id == f.creditor_id)
        if f.kinds:
            conditions.append(d.kind.in_(f.kinds))
        if f.source_id is not None:
            # a case's id finds the letters sent on it too
            conditions.append(or_(d.source_id == f.source_id, d.case_id == f.source_id))
        if f.document_ids:
            conditions.append(d.document_id.in_(f.document_ids))
        if f.period_from is not None:
            conditions.append(d.issued_at >= _oslo_midnight(f.period_from))
        if f.issued_since is not None:
            conditions.append(d.issued_at >= f.issued_since)
        if f.period_to is not None:
            conditions.append(d.issued_at < _oslo_midnight(_day_after(f.period_to)))
        if after is not None:
            issued_at, document_id = after
            conditions.append(
                tuple_(d.issued_at, d.document_id)
                < tuple_(literal(issued_at), literal(document_id))
            )
        query = query.where(and_(*conditions)) if conditions else query
        result = await self.session.execute(
            query.order_by(d.issued_at.desc(), d.document_id.desc()).limit(limit)
        )
        return list(result.all())

    async def record_downloads(
        self,
        document_ids: Sequence[uuid.UUID],
        *,
        user_id: uuid.UUID,
        organisation_id: uuid.UUID,
        via: str,
    ) -> None:
        """One audit row per document handed out (append-only)."""
        if not document_ids:
            return
        await self.session.execute(
            insert(document_downloads),
            [
                {
                    "document_id": document_id,
                    "user_id": user_id,
                    "organisation_id": organisation_id,
                    "via": via,
                }
                for document_id in document_ids
            ],
        )


def _day_after(day: date) -> date:
    return date.fromordinal(day.toordinal() + 1)


def _oslo_midnight(day: date) -> datetime:
    """The start of a business date (Europe/Oslo) as an aware time."""
    return datetime.combine(day, time(0), tzinfo=OSLO)
