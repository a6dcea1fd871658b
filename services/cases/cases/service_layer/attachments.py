"""Files attached to notes: checked, scanned by ClamAV, sealed, and released only when clean.

A file is refused at once when its content is not a kind we take or it is too large
(:mod:`cases.domain.attachments`). Otherwise clamd scans it before it is stored: clean → kept
(sealed) and downloadable; infected → quarantined (its bytes are not kept) and the upload
refused with ``file_infected``; clamd unreachable → kept sealed but *pending*, and the
scheduler process scans it again (:func:`rescan_pending`) until clamd answers. Nobody can
download a pending or quarantined file. See docs/decisions/0054.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from servicekit.crypto import Keyring
from servicekit.errors import Conflict, DomainError, NotFound
from servicekit.tokens import Principal
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from cases.adapters import audit
from cases.adapters.clamd import Scanner, ScannerUnavailable, Verdict
from cases.adapters.orm import attachment_contents, cases, note_attachments, notes
from cases.domain import attachments as files
from cases.service_layer.clock import Clock
from cases.service_layer.unit_of_work import CasesUnitOfWork

Status = Literal["pending", "clean", "quarantined"]
RESCAN_BACKOFF_SECONDS = (10, 30, 60, 300)
"""Waits before the next scan of a held file (the last repeats)."""


class AttachmentRefused(DomainError):
    status, type, title = 422, "attachment-refused", "The file cannot be attached"

    def __init__(self, code: str) -> None:
        super().__init__(
            f"The file cannot be attached ({code}).",
            errors=[{"field": "file", "code": code, "reason": code}],
        )


class AttachmentInfected(DomainError):
    status, type, title = 422, "attachment-infected", "The file contains malware"

    def __init__(self) -> None:
        super().__init__(
            "The virus scan found malware in the file; it was not kept.",
            errors=[{"field": "file", "code": "file_infected", "reason": "file_infected"}],
        )


class AttachmentNotReleased(Conflict):
    type, title = "attachment-not-released", "The file is not released"

    def __init__(self, status: str) -> None:
        super().__init__(f"The file cannot be downloaded while it is {status}.")
        self.extensions = {"attachment_status": status}


@dataclass(frozen=True)
class StoredAttachment:
    attachment_id: uuid.UUID
    note_id: uuid.UUID
    filename: str
    media_type: str
    size_bytes: int
    status: Status
    created_at: datetime


def _aad(attachment_id: uuid.UUID) -> bytes:
    return b"note_attachment:" + attachment_id.bytes


def _visible_note(principal: Principal, case_id: uuid.UUID, note_id: uuid.UUID) -> Any:
    query = (
        select(notes.c.creditor_id, notes.c.author_id)
        .join(cases, cases.c.id == notes.c.case_id)
        .where(notes.c.id == note_id, notes.c.case_id == case_id)
    )
    if principal.tenant is not None:
        query = query.where(cases.c.creditor_id == principal.tenant)
    if not principal.is_agency_staff:
        query = query.where(notes.c.visibility == "shared")
    return query


async def _verdict(scanner: Scanner, data: bytes) -> Verdict | None:
    try:
        return await scanner.scan(data)
    except ScannerUnavailable:
        return None


async def attach(
    uow: CasesUnitOfWork,
    *,
    scanner: Scanner,
    keyring: Keyring,
    clock: Clock,
    principal: Principal,
    case_id: uuid.UUID,
    note_id: uuid.UUID,
    filename: str | None,
    data: bytes,
    max_bytes: int,
    per_note: int,
    before_commit: Callable[[StoredAttachment], Awaitable[None]] | None = None,
) -> StoredAttachment:
    """Attach a file to the caller's own note (scanned first); commits.

    Raises :class:`AttachmentRefused` (kind, size), :class:`AttachmentInfected` (after
    recording the quarantined file), ``NotFound`` for a note the caller did not write.
    ``before_commit`` runs in the transaction that keeps a clean or pending file, just
    before it commits (an ``Idempotency-Key`` stores its answer there; raising rolls the
    file back).
    """
    row = (await uow.session.execute(_visible_note(principal, case_id, note_id))).first()
    if row is None or row.author_id != principal.user_id:
        raise NotFound("No such note of yours on this case.")
    try:
        media_type = files.check(data, max_bytes=max_bytes)
    except files.FileRefused as refused:
        raise AttachmentRefused(refused.code) from None
    count = await uow.session.scalar(
        select(func.count())
        .select_from(note_attachments)
        .where(note_attachments.c.note_id == note_id)
    )
    if (count or 0) >= per_note:
        raise AttachmentRefused("too_many_files")
    await uow.session.rollback()  # no connection held while clamd scans

    verdict = await _verdict(scanner, data)
    now = clock.now()
    attachment_id = uuid.uuid4()
    status: Status = (
        "pending" if verdict is None else "clean" if verdict.outcome == "clean" else "quarantined"
    )
    name = files.clean_filename(filename, media_type)
    await uow.session.execute(
        insert(note_attachments).values(
            id=attachment_id,
            note_id=note_id,
            case_id=case_id,
            creditor_id=row.creditor_id,
            uploaded_by=principal.user_id,
            filename=name,
            media_type=media_type,
            size_bytes=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            status=status,
            signature=verdict.signature if verdict else None,
            scan_attempts=1,
            next_scan_at=now + timedelta(seconds=RESCAN_BACKOFF_SECONDS[0])
            if verdict is None
            else None,
            scanned_at=now if verdict else None,
            created_at=now,
        )
    )
    if status != "quarantined":
        await uow.session.execute(
            insert(attachment_contents).values(
                attachment_id=attachment_id,
                sealed=keyring.encrypt(data, aad=_aad(attachment_id)),
            )
        )
    stored = StoredAttachment(attachment_id, note_id, name, media_type, len(data), status, now)
    if before_commit is not None and status != "quarantined":
        await before_commit(stored)
    await uow.commit()
    if status == "quarantined":
        raise AttachmentInfected()
    return stored


@dataclass(frozen=True)
class Download:
    filename: str
    media_type: str
    content: bytes


async def download(
    session: AsyncSession,
    *,
    keyring: Keyring,
    principal: Principal,
    case_id: uuid.UUID,
    attachment_id: uuid.UUID,
) -> Download:
    """A clean file the caller may see (its note visible to them); the read is audited.

    Another creditor's file, or one on an internal note for a creditor user, is ``NotFound``;
    a pending or quarantined one is :class:`AttachmentNotReleased`. The caller commits.
    """
    query = (
        select(note_attachments, attachment_contents.c.sealed)
        .join(notes, notes.c.id == note_attachments.c.note_id)
        .join(cases, cases.c.id == note_attachments.c.case_id)
        .outerjoin(
            attachment_contents, attachment_contents.c.attachment_id == note_attachments.c.id
        )
        .where(note_attachments.c.id == attachment_id, note_attachments.c.case_id == case_id)
    )
    if principal.tenant is not None:
        query = query.where(cases.c.creditor_id == principal.tenant)
    if not principal.is_agency_staff:
        query = query.where(notes.c.visibility == "shared")
    row = (await session.execute(query)).first()
    if row is None:
        raise NotFound("No such attachment.")
    if row.status != "clean" or row.sealed is None:
        raise AttachmentNotReleased(row.status)
    content = keyring.decrypt(row.sealed, aad=_aad(attachment_id))
    await audit.record(
        session,
        actor_id=principal.user_id,
        actor_organisation_id=principal.organisation_id,
        action="download_attachment",
        case_ids=[case_id],
        detail={"attachment_id": str(attachment_id)},
    )
    return Download(row.filename, row.media_type, content)


@dataclass(frozen=True)
class RescanPass:
    released: int = 0
    quarantined: int = 0
    still_held: int = 0


async def rescan_pending(
    unit_of_work: Callable[[], CasesUnitOfWork],
    *,
    scanner: Scanner,
    keyring: Keyring,
    clock: Clock,
    batch_size: int,
) -> RescanPass:
    """Scan again the held files that are due; stops at the first that cannot be scanned.

    Several schedulers may run: each claims rows with ``FOR UPDATE SKIP LOCKED``.
    """
    released = quarantined = held = 0
    async with unit_of_work() as uow:
        now = clock.now()
        rows = (
            await uow.session.execute(
                select(
                    note_attachments.c.id,
                    note_attachments.c.scan_attempts,
                    attachment_contents.c.sealed,
                )
                .join(
                    attachment_contents,
                    attachment_contents.c.attachment_id == note_attachments.c.id,
                )
                .where(
                    note_attachments.c.status == "pending", note_attachments.c.next_scan_at <= now
                )
                .order_by(note_attachments.c.next_scan_at)
                .limit(batch_size)
                .with_for_update(of=note_attachments, skip_locked=True)
            )
        ).all()
        for index, row in enumerate(rows):
            data = keyring.decrypt(row.sealed, aad=_aad(row.id))
            verdict = await _verdict(scanner, data)
            attempts = row.scan_attempts + 1
            if verdict is None:
                wait = RESCAN_BACKOFF_SECONDS[min(attempts - 1, len(RESCAN_BACKOFF_SECONDS) - 1)]
                for later in rows[index:]:
                    await uow.session.execute(
                        update(note_attachments)
                        .where(note_attachments.c.id == later.id)
                        .values(
                            scan_attempts=note_attachments.c.scan_attempts + 1,
                            next_scan_at=now + timedelta(seconds=wait),
                        )
                    )
                held = len(rows) - index
                break
            status: Status = "clean" if verdict.outcome == "clean" else "quarantined"
            await uow.session.execute(
                update(note_attachments)
                .where(note_attachments.c.id == row.id)
                .values(
                    status=status,
                    signature=verdict.signature,
                    scan_attempts=attempts,
                    scanned_at=now,
                    next_scan_at=None,
                )
            )
            if status == "quarantined":
                await uow.session.execute(
                    delete(attachment_contents).where(attachment_contents.c.attachment_id == row.id)
                )
                quarantined += 1
            else:
                released += 1
        await uow.commit()
    return RescanPass(released, quarantined, held)
