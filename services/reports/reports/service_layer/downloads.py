"""Handing documents out: every download is audited (one append-only row per document),
in the transaction that reads it, before a byte leaves."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from reports.adapters.document_store import DocumentFilter, DocumentStore
from reports.domain.errors import DocumentNotFound, NothingSelected, TooManyDocuments
from reports.service_layer.unit_of_work import ReportsUnitOfWork


@dataclass(frozen=True)
class Downloader:
    """Who downloads: the user and the organisation in the token; ``tenant`` scopes."""

    user_id: uuid.UUID
    organisation_id: uuid.UUID
    tenant: uuid.UUID | None


async def download(
    uow: ReportsUnitOfWork, document_id: uuid.UUID, who: Downloader
) -> tuple[dict[str, Any], bytes]:
    """One document's metadata and content, the download recorded."""
    store = DocumentStore(uow.session)
    row = await store.get(document_id, who.tenant)
    if row is None:
        raise DocumentNotFound("No such document.")
    await store.record_downloads(
        [document_id], user_id=who.user_id, organisation_id=who.organisation_id, via="file"
    )
    content = await store.content(document_id)
    await uow.commit()
    return dict(row._mapping), content


async def select_for_archive(
    uow: ReportsUnitOfWork, selection: DocumentFilter, who: Downloader, *, limit: int
) -> list[dict[str, Any]]:
    """The documents a ZIP will hold (oldest first), each download recorded."""
    rows = await DocumentStore(uow.session).page(selection, after=None, limit=limit + 1)
    if len(rows) > limit:
        raise TooManyDocuments(limit)
    if not rows:
        raise NothingSelected()
    chosen = [dict(r._mapping) for r in reversed(rows)]
    await DocumentStore(uow.session).record_downloads(
        [r["document_id"] for r in chosen],
        user_id=who.user_id,
        organisation_id=who.organisation_id,
        via="zip",
    )
    await uow.commit()
    return chosen
