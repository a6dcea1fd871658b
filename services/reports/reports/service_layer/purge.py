"""The retention purge: deletes documents and read-model rows past retention.

Documents may be deleted by nothing else: a trigger refuses ``DELETE`` on ``documents``
unless the transaction set ``reports.purge = 'retention'`` (``SET LOCAL``, so the setting
ends with the transaction), and each deleted document is written to ``document_purges``
(append-only) in the same transaction. A document a retained document corrects
(``replaces_document_id``) is kept as long as its correction is.

Read-model rows go with them: settlements (and their lines) completed before the cutoff
whose documents are gone, closed cases (with their payments and balance history) closed
before the cutoff, and batches registered before the cutoff with none of their cases left.
An open case keeps everything: its case statement needs it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reports.adapters.orm import document_purges
from reports.domain.retention import accounting_year, purge_cutoff, retained_until

logger = logging.getLogger(__name__)

PURGE_BATCH = 500
"""Documents deleted per transaction: a big first purge does not hold one huge transaction."""

_DELETE_DOCUMENTS = text(
    """
    WITH RECURSIVE kept AS (
        SELECT document_id, replaces_document_id FROM documents WHERE issued_at >= :cutoff
        UNION
        SELECT d.document_id, d.replaces_document_id
          FROM documents d JOIN kept k ON d.document_id = k.replaces_document_id
    ), chosen AS (
        SELECT d.document_id FROM documents d
         WHERE d.issued_at < :cutoff
           AND d.document_id NOT IN (SELECT document_id FROM kept)
           AND NOT EXISTS (  -- a letter the post has not taken yet stays until it has
               SELECT 1 FROM letter_dispatches l
                WHERE l.document_id = d.document_id AND l.sent_at IS NULL)
         ORDER BY d.issued_at DESC
         LIMIT :batch
    ), posted AS (
        DELETE FROM letter_dispatches WHERE document_id IN (SELECT document_id FROM chosen)
    ), runs AS (
        UPDATE report_runs SET document_id = NULL
         WHERE document_id IN (SELECT document_id FROM chosen)
    )
    DELETE FROM documents WHERE document_id IN (SELECT document_id FROM chosen)
    RETURNING document_id, organisation_id, kind, source_id, number, issued_at, sha256
    """
)
"""Newest first, so a correction goes in a batch no later than the document it corrects."""

_READ_MODEL = (
    (
        "settlement_lines",
        """
        DELETE FROM settlement_lines l USING settlements s
         WHERE l.settlement_id = s.settlement_id AND s.completed_at < :cutoff
           AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.source_id = s.settlement_id)
        """,
    ),
    (
        "settlements",
        """
        DELETE FROM settlements s WHERE s.completed_at < :cutoff
           AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.source_id = s.settlement_id)
        """,
    ),
    (
        "payments",
        """
        DELETE FROM payments p USING cases c
         WHERE p.case_id = c.case_id AND c.closed_on < CAST(:cutoff_date AS date)
        """,
    ),
    (
        "case_balances",
        """
        DELETE FROM case_balances b USING cases c
         WHERE b.case_id = c.case_id AND c.closed_on < CAST(:cutoff_date AS date)
        """,
    ),
    (
        "held_letters",
        """
        DELETE FROM held_letters h USING cases c
         WHERE h.case_id = c.case_id AND c.closed_on < CAST(:cutoff_date AS date)
        """,
    ),
    ("cases", "DELETE FROM cases WHERE closed_on < CAST(:cutoff_date AS date)"),
    (
        "batches",
        """
        DELETE FROM batches b WHERE b.registered_at < :cutoff
           AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.batch_id = b.batch_id)
           AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.source_id = b.batch_id)
        """,
    ),
    (
        "batch_progress",
        """
        DELETE FROM batch_progress p
         WHERE NOT EXISTS (SELECT 1 FROM batches b WHERE b.batch_id = p.batch_id)
        """,
    ),
)


@dataclass(frozen=True)
class PurgeResult:
    """What one purge deleted: documents, and rows per read-model table."""

    documents: int
    rows: dict[str, int]


async def _purge_documents(session: AsyncSession, today: date) -> int:
    cutoff = purge_cutoff(today)
    await session.execute(text("SET LOCAL reports.purge = 'retention'"))
    deleted = (
        await session.execute(_DELETE_DOCUMENTS, {"cutoff": cutoff, "batch": PURGE_BATCH})
    ).all()
    if deleted:
        await session.execute(
            document_purges.insert(),
            [
                {
                    "document_id": row.document_id,
                    "organisation_id": row.organisation_id,
                    "kind": row.kind,
                    "source_id": row.source_id,
                    "number": row.number,
                    "issued_at": row.issued_at,
                    "sha256": row.sha256,
                    "retained_until": retained_until(accounting_year(row.issued_at)),
                    "purged_on": today,
                }
                for row in deleted
            ],
        )
    return len(deleted)


async def purge(sessions: async_sessionmaker[AsyncSession], today: date) -> PurgeResult:
    """Delete what is past retention on ``today`` (the purge's clock, Europe/Oslo)."""
    total = 0
    while True:
        async with sessions() as session, session.begin():
            count = await _purge_documents(session, today)
        total += count
        if count < PURGE_BATCH:
            break
    cutoff = purge_cutoff(today)
    rows: dict[str, int] = {}
    async with sessions() as session, session.begin():
        for table, statement in _READ_MODEL:
            result = await session.execute(
                text(statement), {"cutoff": cutoff, "cutoff_date": cutoff.date()}
            )
            rows[table] = int(getattr(result, "rowcount", 0) or 0)
    logger.info(
        "retention purge", extra={"documents": total, "rows": rows, "on": today.isoformat()}
    )
    return PurgeResult(documents=total, rows=rows)
