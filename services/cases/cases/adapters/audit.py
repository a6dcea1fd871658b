"""The audit log of reads of debtors' personal data (append-only, kept with the case).

A read's audit rows are written in one statement, in the read's own transaction (so a
read that fails writes none, and one that answers has written them). A read endpoint,
whose transaction writes nothing but these rows, asks for ``durable_commit=False``: the
commit then returns without waiting for the WAL flush (``synchronous_commit = off`` for
that transaction only). ADR 0061 states what that can lose: the audit rows of reads
answered in the last moments (at most about three times ``wal_writer_delay``, 0.6 s by default)
before a crash of PostgreSQL itself; never a part of a transaction, never anything else.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ARRAY,
    CTE,
    FromClause,
    String,
    TextClause,
    Uuid,
    bindparam,
    func,
    insert,
    select,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from cases.adapters.orm import personal_data_access

_INSERT = """
INSERT INTO personal_data_access (actor_id, actor_organisation_id, action, case_id, detail)
SELECT :actor_id, :actor_organisation_id, :action, read.case_id, :detail
FROM unnest(:case_ids) AS read(case_id)
"""
_NO_FLUSH_WAIT = "CROSS JOIN (SELECT set_config('synchronous_commit', 'off', true)) AS relaxed"
_TYPES = (
    bindparam("actor_id", type_=Uuid),
    bindparam("actor_organisation_id", type_=Uuid),
    bindparam("action", type_=String),
    bindparam("case_ids", type_=ARRAY(Uuid)),
    bindparam("detail", type_=JSONB),
)
_RECORD: TextClause = text(_INSERT).bindparams(*_TYPES)
_RECORD_NO_FLUSH_WAIT: TextClause = text(_INSERT + _NO_FLUSH_WAIT).bindparams(*_TYPES)
"""One statement for every case of a read, however long the page (an ``executemany`` of
one row per case cost a statement each), built once; the second also sets
``synchronous_commit = off`` for its transaction (bench/README.md has the figures)."""


async def record(
    session: AsyncSession,
    *,
    actor_id: uuid.UUID,
    actor_organisation_id: uuid.UUID,
    action: str,
    case_ids: Sequence[uuid.UUID],
    detail: dict[str, Any] | None = None,
    durable_commit: bool = True,
) -> None:
    """One row per case read (in the caller's transaction; the caller commits).

    ``durable_commit=False`` only where the transaction writes nothing but this audit
    (a read endpoint): its commit does not wait for the WAL flush (ADR 0061).
    """
    if not case_ids:
        return
    await session.execute(
        _RECORD if durable_commit else _RECORD_NO_FLUSH_WAIT,
        {
            "actor_id": actor_id,
            "actor_organisation_id": actor_organisation_id,
            "action": action,
            "case_ids": list(case_ids),
            "detail": detail or {},
        },
    )


def recorded(read: FromClause) -> CTE:
    """The audit of a read written by the read's own statement: a data-modifying CTE with
    one row per ``read.c.case_id`` (the cases answered, nothing more), and the statement's
    commit not waiting for the WAL flush (ADR 0061). A statement run on its own (servicekit
    ``reads``) is its own transaction: the rows are written if and only if it answers.
    Binds ``audit_actor_id``, ``audit_actor_organisation_id``, ``audit_action`` and
    ``audit_detail`` (:func:`reader`)."""
    relaxed = select(func.set_config("synchronous_commit", "off", true())).subquery("relaxed")
    rows = select(
        bindparam("audit_actor_id", type_=Uuid),
        bindparam("audit_actor_organisation_id", type_=Uuid),
        bindparam("audit_action", type_=String),
        read.c.case_id,
        bindparam("audit_detail", type_=JSONB),
    ).select_from(read.join(relaxed, true()))
    columns = ("actor_id", "actor_organisation_id", "action", "case_id", "detail")
    return insert(personal_data_access).from_select(columns, rows).cte("audit")


def reader(
    *,
    actor_id: uuid.UUID,
    actor_organisation_id: uuid.UUID,
    action: str,
    detail: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The values :func:`recorded` binds: who read, and why."""
    return {
        "audit_actor_id": actor_id,
        "audit_actor_organisation_id": actor_organisation_id,
        "audit_action": action,
        "audit_detail": detail or {},
    }
