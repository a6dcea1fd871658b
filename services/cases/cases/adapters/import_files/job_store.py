"""Import jobs in the cases database: the uploaded file in pieces, progress, leases, errors.

The hot path of the importer (progress and row errors per chunk of rows) goes straight to
asyncpg on the session's connection, inside the caller's transaction, like
``case_store``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import and_, literal, select, tuple_
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from cases.adapters.orm import batches, import_jobs, import_row_errors


class ErrorRow(NamedTuple):
    """A row of the error report: where, why (the stable ``code`` and the ``values`` its
    words need; ``reason`` in English for developers) and the case's reference."""

    line: int
    column: str
    reason: str
    creditor_reference: str | None
    code: str
    values: Mapping[str, str]


@dataclass(frozen=True)
class JobView:
    """An import job as the API shows it."""

    job_id: uuid.UUID
    creditor_id: uuid.UUID
    created_by: uuid.UUID
    format: str
    filename: str | None
    size_bytes: int
    status: str
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    cases_registered: int
    cases_rejected: int
    facts: dict[str, Any]
    error: str | None
    batch_id: uuid.UUID | None
    batch_number: str | None
    attempts: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    updated_at: datetime


@dataclass(frozen=True)
class LeasedJob:
    """What the importer needs of a job it has leased."""

    job_id: uuid.UUID
    creditor_id: uuid.UUID
    created_by: uuid.UUID
    format: str
    requested_encoding: str | None
    checkpoint_records: int
    checkpoint_state: dict[str, Any] | None
    batch_id: uuid.UUID | None
    attempts: int
    stalls: int = 0
    """Leases in a row whose importer died before the checkpoint moved."""


async def _driver(session: AsyncSession) -> Any:
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    return raw.driver_connection


# -- upload --------------------------------------------------------------------------------


async def create(
    session: AsyncSession,
    *,
    job_id: uuid.UUID,
    creditor_id: uuid.UUID,
    created_by: uuid.UUID,
    fmt: str,
    filename: str | None,
    requested_encoding: str | None,
) -> None:
    """The job row, before its file (``size_bytes`` and ``sha256`` follow with :func:`sealed`)."""
    driver = await _driver(session)
    await driver.execute(
        "INSERT INTO import_jobs (id, creditor_id, created_by, format, filename, "
        "requested_encoding, size_bytes, sha256) VALUES ($1, $2, $3, $4, $5, $6, 0, '')",
        job_id,
        creditor_id,
        created_by,
        fmt,
        filename,
        requested_encoding,
    )


async def add_piece(session: AsyncSession, job_id: uuid.UUID, seq: int, data: bytes) -> None:
    driver = await _driver(session)
    await driver.execute(
        "INSERT INTO import_file_chunks (job_id, seq, data) VALUES ($1, $2, $3)", job_id, seq, data
    )


async def sealed(session: AsyncSession, job_id: uuid.UUID, *, size: int, sha256: str) -> None:
    """The whole file is stored: the job may be leased (and the importers are woken)."""
    driver = await _driver(session)
    await driver.execute(
        "UPDATE import_jobs SET size_bytes = $2, sha256 = $3 WHERE id = $1", job_id, size, sha256
    )
    await driver.execute("NOTIFY import_jobs")


async def pieces(engine: AsyncEngine, job_id: uuid.UUID) -> AsyncIterator[bytes]:
    """The stored file, piece by piece (one short query each: no long transaction)."""
    seq = 0
    while True:
        async with engine.connect() as connection:
            raw = await connection.get_raw_connection()
            data = await raw.driver_connection.fetchval(  # type: ignore[union-attr]
                "SELECT data FROM import_file_chunks WHERE job_id = $1 AND seq = $2",
                job_id,
                seq,
            )
        if data is None:
            return
        yield bytes(data)
        seq += 1


# -- the importer's lease --------------------------------------------------------------------

_LEASE = """
UPDATE import_jobs AS j
SET status = 'running', lease_owner = $1, lease_expires_at = now() + make_interval(secs => $2),
    attempts = j.attempts + 1, started_at = coalesce(j.started_at, now()), updated_at = now(),
    -- still 'running' here: its importer died (the lease ran out); a stall if it got nowhere
    stalls = CASE WHEN j.status <> 'running' THEN j.stalls
                  WHEN j.checkpoint_records = j.leased_at_records THEN j.stalls + 1
                  ELSE 0 END,
    leased_at_records = j.checkpoint_records
FROM (
    SELECT id FROM import_jobs
    WHERE (status = 'queued' OR (status = 'running' AND lease_expires_at < now()))
      AND sha256 <> ''
    ORDER BY created_at
    FOR UPDATE SKIP LOCKED
    LIMIT 1
) AS next
WHERE j.id = next.id
RETURNING j.id, j.creditor_id, j.created_by, j.format, j.requested_encoding,
          j.checkpoint_records, j.checkpoint_state, j.batch_id, j.attempts, j.stalls
"""


async def lease_next(session: AsyncSession, owner: str, seconds: float) -> LeasedJob | None:
    """The oldest job waiting (or abandoned: its lease ran out), now leased to ``owner``."""
    driver = await _driver(session)
    row = await driver.fetchrow(_LEASE, owner, seconds)
    if row is None:
        return None
    state = row["checkpoint_state"]
    return LeasedJob(
        job_id=row["id"],
        creditor_id=row["creditor_id"],
        created_by=row["created_by"],
        format=row["format"],
        requested_encoding=row["requested_encoding"],
        checkpoint_records=row["checkpoint_records"],
        checkpoint_state=json.loads(state) if isinstance(state, str) else state,
        batch_id=row["batch_id"],
        attempts=row["attempts"],
        stalls=row["stalls"],
    )


async def extend_lease(
    session: AsyncSession, job_id: uuid.UUID, owner: str, seconds: float
) -> bool:
    """Keep the lease; ``False`` when it is no longer ``owner``'s."""
    driver = await _driver(session)
    result = await driver.execute(
        "UPDATE import_jobs SET lease_expires_at = now() + make_interval(secs => $3) "
        "WHERE id = $1 AND lease_owner = $2 AND status = 'running'",
        job_id,
        owner,
        seconds,
    )
    return bool(result == "UPDATE 1")


async def hold(
    session: AsyncSession, job_id: uuid.UUID, owner: str, *, checkpoint: int | None = None
) -> bool:
    """Lock the job for this transaction; ``False`` when the lease is no longer ``owner``'s
    (or the checkpoint is not at ``checkpoint``: a chunk before this one did not commit)."""
    driver = await _driver(session)
    row = await driver.fetchrow(
        "SELECT lease_owner, status, checkpoint_records FROM import_jobs WHERE id = $1 FOR UPDATE",
        job_id,
    )
    return (
        row is not None
        and row["lease_owner"] == owner
        and row["status"] == "running"
        and (checkpoint is None or row["checkpoint_records"] == checkpoint)
    )


async def set_facts(session: AsyncSession, job_id: uuid.UUID, facts: dict[str, Any]) -> None:
    driver = await _driver(session)
    await driver.execute(
        "UPDATE import_jobs SET facts = $2::jsonb, updated_at = now() WHERE id = $1",
        job_id,
        json.dumps(facts),
    )


async def set_batch(session: AsyncSession, job_id: uuid.UUID, batch_id: uuid.UUID) -> None:
    driver = await _driver(session)
    await driver.execute("UPDATE import_jobs SET batch_id = $2 WHERE id = $1", job_id, batch_id)


@dataclass(frozen=True)
class Progress:
    """What one committed chunk of rows adds to a job."""

    rows_read: int
    rows_accepted: int
    rows_rejected: int
    cases_registered: int
    cases_rejected: int
    checkpoint_records: int
    checkpoint_state: dict[str, Any] | None


async def advance(
    session: AsyncSession, job_id: uuid.UUID, progress: Progress, lease_seconds: float
) -> None:
    """Add a chunk's counts and move the checkpoint (in the chunk's transaction)."""
    driver = await _driver(session)
    await driver.execute(
        "UPDATE import_jobs SET rows_read = rows_read + $2, rows_accepted = rows_accepted + $3, "
        "rows_rejected = rows_rejected + $4, cases_registered = cases_registered + $5, "
        "cases_rejected = cases_rejected + $6, checkpoint_records = $7, "
        "checkpoint_state = $8::jsonb, updated_at = now(), "
        "lease_expires_at = now() + make_interval(secs => $9) WHERE id = $1",
        job_id,
        progress.rows_read,
        progress.rows_accepted,
        progress.rows_rejected,
        progress.cases_registered,
        progress.cases_rejected,
        progress.checkpoint_records,
        None if progress.checkpoint_state is None else json.dumps(progress.checkpoint_state),
        lease_seconds,
    )


async def add_errors(session: AsyncSession, job_id: uuid.UUID, errors: Sequence[ErrorRow]) -> None:
    if not errors:
        return
    driver = await _driver(session)
    await driver.execute(
        'INSERT INTO import_row_errors (job_id, line, "column", reason, creditor_reference, '
        "code, code_values) SELECT $1, u.line, u.col, u.reason, u.ref, u.code, u.vals::jsonb "
        "FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) "
        "AS u(line, col, reason, ref, code, vals)",
        job_id,
        [e.line for e in errors],
        [e.column[:60] for e in errors],
        [e.reason for e in errors],
        [None if e.creditor_reference is None else e.creditor_reference[:100] for e in errors],
        [e.code for e in errors],
        [json.dumps(dict(e.values)) for e in errors],
    )


async def finish(
    session: AsyncSession, job_id: uuid.UUID, *, status: str, error: str | None = None
) -> None:
    """A final state: the lease ends and the file is deleted (the counts and errors stay)."""
    driver = await _driver(session)
    await driver.execute(
        "UPDATE import_jobs SET status = $2, error = $3, finished_at = now(), updated_at = now(), "
        "lease_owner = NULL, lease_expires_at = NULL WHERE id = $1",
        job_id,
        status,
        error,
    )
    await driver.execute("DELETE FROM import_file_chunks WHERE job_id = $1", job_id)


async def release(session: AsyncSession, job_id: uuid.UUID, owner: str) -> None:
    """Give the job back (the importer is stopping): the next importer resumes it at once."""
    driver = await _driver(session)
    await driver.execute(
        "UPDATE import_jobs SET status = 'queued', lease_owner = NULL, lease_expires_at = NULL, "
        "updated_at = now() WHERE id = $1 AND lease_owner = $2 AND status = 'running'",
        job_id,
        owner,
    )


# -- reads -------------------------------------------------------------------------------------

_JOB_COLUMNS = (
    import_jobs.c.id,
    import_jobs.c.creditor_id,
    import_jobs.c.created_by,
    import_jobs.c.format,
    import_jobs.c.filename,
    import_jobs.c.size_bytes,
    import_jobs.c.status,
    import_jobs.c.rows_read,
    import_jobs.c.rows_accepted,
    import_jobs.c.rows_rejected,
    import_jobs.c.cases_registered,
    import_jobs.c.cases_rejected,
    import_jobs.c.facts,
    import_jobs.c.error,
    import_jobs.c.batch_id,
    batches.c.batch_number,
    import_jobs.c.attempts,
    import_jobs.c.created_at,
    import_jobs.c.started_at,
    import_jobs.c.finished_at,
    import_jobs.c.updated_at,
)


def _view(row: Any) -> JobView:
    return JobView(
        job_id=row.id,
        creditor_id=row.creditor_id,
        created_by=row.created_by,
        format=row.format,
        filename=row.filename,
        size_bytes=row.size_bytes,
        status=row.status,
        rows_read=row.rows_read,
        rows_accepted=row.rows_accepted,
        rows_rejected=row.rows_rejected,
        cases_registered=row.cases_registered,
        cases_rejected=row.cases_rejected,
        facts=dict(row.facts or {}),
        error=row.error,
        batch_id=row.batch_id,
        batch_number=row.batch_number,
        attempts=row.attempts,
        created_at=row.created_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
        updated_at=row.updated_at,
    )


def _jobs() -> Any:
    return select(*_JOB_COLUMNS).select_from(
        import_jobs.outerjoin(batches, batches.c.id == import_jobs.c.batch_id)
    )


async def get(
    session: AsyncSession, job_id: uuid.UUID, *, tenant: uuid.UUID | None
) -> JobView | None:
    """One job, if ``tenant`` may see it (``None``: agency staff, any creditor's)."""
    query = _jobs().where(import_jobs.c.id == job_id, import_jobs.c.sha256 != "")
    if tenant is not None:
        query = query.where(import_jobs.c.creditor_id == tenant)
    row = (await session.execute(query)).first()
    return None if row is None else _view(row)


async def page(
    session: AsyncSession,
    *,
    tenant: uuid.UUID | None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
    status: str | None = None,
) -> list[JobView]:
    """Jobs newest first, after the keyset ``after`` (``created_at``, ``id``)."""
    query = _jobs().where(import_jobs.c.sha256 != "")
    if tenant is not None:
        query = query.where(import_jobs.c.creditor_id == tenant)
    if status is not None:
        query = query.where(import_jobs.c.status == status)
    if after is not None:
        query = query.where(
            tuple_(import_jobs.c.created_at, import_jobs.c.id)
            < tuple_(literal(after[0]), literal(after[1]))
        )
    query = query.order_by(import_jobs.c.created_at.desc(), import_jobs.c.id.desc()).limit(limit)
    return [_view(r) for r in (await session.execute(query)).all()]


async def errors(
    session: AsyncSession, job_id: uuid.UUID, *, after: int, limit: int
) -> list[tuple[int, ErrorRow]]:
    """A page of a job's error report: ``(id, row)``."""
    t = import_row_errors
    rows = (
        await session.execute(
            select(
                t.c.id,
                t.c.line,
                t.c.column,
                t.c.reason,
                t.c.creditor_reference,
                t.c.code,
                t.c.code_values,
            )
            .where(and_(t.c.job_id == job_id, t.c.id > after))
            .order_by(t.c.id)
            .limit(limit)
        )
    ).all()
    return [
        (
            r.id,
            ErrorRow(r.line, r.column, r.reason, r.creditor_reference, r.code, r.code_values or {}),
        )
        for r in rows
    ]
