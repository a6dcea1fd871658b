"""Electronic import of case files: the upload, and the importer that registers its cases.

**Upload** (:func:`store_upload`): the request body is streamed into
``import_file_chunks`` in pieces (never held whole in memory) in one transaction with the
job row, so a job exists only with its whole file, and that survives any process.

**Importer** (:class:`Importer`, the ``cases-importer`` process): leases the oldest job
(``FOR UPDATE SKIP LOCKED``, a lease that runs out if the importer dies), copies the file
to a local scratch file, reads it in a thread (so parsing the next rows overlaps the
database work of the last), and registers it chunk by chunk. Each chunk (about
``import_chunk_rows`` rows, always whole cases) is **one transaction**: the job is
locked (the lease is checked: a worker that lost it writes nothing), the cases are
registered (``register_chunk``: cases, parties, claims, timeline, outbox events), the
refused rows' errors are stored, and the checkpoint moves to the end of the chunk. A
killed importer therefore loses at most the chunk it was in the middle of, which rolled
back; the next lease resumes after the checkpoint, and the creditor reference's
uniqueness is the second line of defence. At the end the job's batch is completed
(``cases.batch.registered``) in the same transaction as the job.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import queue
import socket
import tempfile
import threading
import uuid
from collections import deque
from collections.abc import AsyncIterator, Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contracts.cases import MAX_REJECTED_ROWS, RejectedRow
from servicekit.db import is_database_unavailable
from servicekit.errors import DomainError
from servicekit.metrics import WORKER_ITEMS, worker_pass
from sqlalchemy.ext.asyncio import AsyncEngine

from cases.adapters import batch_store
from cases.adapters.import_files import job_store
from cases.adapters.import_files.csv_file import ENCODINGS
from cases.adapters.import_files.job_store import ErrorRow, LeasedJob, Progress
from cases.adapters.import_files.source import OpenedFile, Resume
from cases.domain.batches import Batch
from cases.domain.import_layout import (
    FORMATS,
    ImportFormat,
    LayoutError,
    ParsedCase,
    RowError,
    json_error,
    tabular_error,
    with_siblings,
)
from cases.service_layer.registration import (
    ChunkOutcome,
    CreditorInactive,
    CreditorUnknown,
    RegistrationContext,
    Submitter,
    check_creditor,
    complete_batch,
    open_batch,
    register_chunk,
)
from cases.service_layer.unit_of_work import CasesUnitOfWork

log = logging.getLogger(__name__)

PIECE_BYTES = 1024 * 1024
"""The uploaded file is stored in pieces of this size."""

MEDIA_TYPES: dict[str, ImportFormat] = {
    "text/csv": "csv",
    "application/csv": "csv",
    "text/plain": "csv",
    "application/vnd.ms-excel": "csv",  # what some browsers call a .csv
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/json": "json",
}


class UnsupportedFormat(DomainError):
    status, type, title = 415, "unsupported-format", "Unsupported file format"


class FileTooLarge(DomainError):
    status, type, title = 413, "file-too-large", "File too large"


class EmptyFile(DomainError):
    status, type, title = 422, "empty-file", "Empty file"


class InvalidUpload(DomainError):
    status, type, title = 422, "invalid-upload", "Invalid upload"


@dataclass(frozen=True)
class Upload:
    """What came with the file."""

    creditor_id: uuid.UUID
    user_id: uuid.UUID
    format: str | None
    media_type: str | None
    filename: str | None
    encoding: str | None


def resolve_format(declared: str | None, media_type: str | None, head: bytes) -> ImportFormat:
    """The file's format: as named (``format=``), else by its media type, else by its start."""
    if declared:
        name = declared.lower()
        if name not in FORMATS:
            raise UnsupportedFormat(
                f"format must be one of {', '.join(FORMATS)}.",
                errors=[{"field": "format", "reason": "must be csv, xlsx or json"}],
            )
        return name
    media = (media_type or "").split(";", 1)[0].strip().lower()
    if media in MEDIA_TYPES:
        return MEDIA_TYPES[media]
    if media and media not in ("application/octet-stream", "multipart/form-data"):
        raise UnsupportedFormat(
            f"Files of type {media[:100]!r} cannot be imported: send CSV "
            "(text/csv), XLSX or JSON (application/json)."
        )
    if media == "multipart/form-data":
        raise UnsupportedFormat("Send the file itself as the request body (not a multipart form).")
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if start in (b"[", b"{"):
        return "json"
    return "csv"


async def store_upload(
    uow: CasesUnitOfWork,
    upload: Upload,
    body: AsyncIterator[bytes],
    *,
    max_bytes: int,
) -> tuple[uuid.UUID, int, str]:
    """Stream ``body`` into a new job's file, in the unit of work's transaction.

    Returns the job id, the size and the SHA-256 of the file. The caller commits.
    """
    await check_creditor(uow, upload.creditor_id)
    if upload.encoding is not None and upload.encoding.lower() not in ENCODINGS:
        raise InvalidUpload(
            "Unknown encoding.",
            errors=[{"field": "encoding", "reason": "must be utf-8, windows-1252 or iso-8859-1"}],
        )
    job_id = uuid.uuid4()
    digest = hashlib.sha256()
    size = seq = 0
    buffer = bytearray()
    created = False

    async def create() -> None:
        await job_store.create(
            uow.session,
            job_id=job_id,
            creditor_id=upload.creditor_id,
            created_by=upload.user_id,
            fmt=resolve_format(upload.format, upload.media_type, bytes(buffer[:8])),
            filename=upload.filename[:255] if upload.filename else None,
            requested_encoding=upload.encoding,
        )

    async for data in body:
        size += len(data)
        if size > max_bytes:
            raise FileTooLarge(f"A file may have at most {max_bytes // 2**20} MiB.")
        digest.update(data)
        buffer += data
        if not created and len(buffer) >= 8:
            await create()
            created = True
        while created and len(buffer) >= PIECE_BYTES:
            await job_store.add_piece(uow.session, job_id, seq, bytes(buffer[:PIECE_BYTES]))
            del buffer[:PIECE_BYTES]
            seq += 1
    if size == 0:
        raise EmptyFile("The file is empty.")
    if not created:
        await create()
    if buffer:
        await job_store.add_piece(uow.session, job_id, seq, bytes(buffer))
    sha256 = digest.hexdigest()
    await job_store.sealed(uow.session, job_id, size=size, sha256=sha256)
    return job_id, size, sha256


# -- the importer ----------------------------------------------------------------------------


class LeaseLost(Exception):
    """Another importer has the job now (ours ran out); stop without writing."""


class _Failed(Exception):
    """The file cannot be read further; the job fails with this message."""


@dataclass(frozen=True)
class ImporterConfig:
    chunk_rows: int = 2000
    chunks_in_flight: int = 3
    lease_seconds: float = 60.0
    poll_seconds: float = 0.5
    max_attempts: int = 5
    max_stalls: int = 2
    """Times an importer may die on a job without its checkpoint moving before it fails."""
    max_uncompressed_bytes: int = 1024 * 1024 * 1024


_DONE = object()

READ_TOO_COSTLY = (
    "The file needs more memory to read than an import may use; it is not imported. "
    "Split it into smaller files, or check that it is a case file of the import layout."
)
STOPPED_WHILE_READING = (
    "The importer stopped while reading this file, more than once at the same place; "
    "it is not tried again. Check that it is a case file of the import layout."
)


class _Reader:
    """Reads a file's cases in a thread and hands them over in chunks of about N rows."""

    def __init__(self, opened: OpenedFile, resume: Resume, chunk_rows: int) -> None:
        self._opened = opened
        self._resume = resume
        self._chunk_rows = chunk_rows
        self._queue: queue.Queue[object] = queue.Queue(maxsize=2)
        self._cancelled = threading.Event()
        self._thread = threading.Thread(target=self._run, name="import-reader", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _put(self, item: object) -> bool:
        while not self._cancelled.is_set():
            try:
                self._queue.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        chunk: list[ParsedCase] = []
        rows = 0
        try:
            for case in self._opened.cases(self._resume):
                chunk.append(case)
                rows += len(case.lines)
                if rows >= self._chunk_rows:
                    if not self._put(chunk):
                        return
                    chunk, rows = [], 0
            if chunk and not self._put(chunk):
                return
            self._put(_DONE)
        except LayoutError as exc:
            if chunk and not self._put(chunk):
                return
            self._put(_Failed(str(exc)))
        except (MemoryError, RecursionError):
            # The file asks more of the importer than a job may have (its memory limit,
            # IMPORT_MEMORY_LIMIT_BYTES): the same file would do it again, so it fails now.
            chunk = []
            self._put(_Failed(READ_TOO_COSTLY))
        except BaseException as exc:  # handed over; the importer decides
            self._put(exc)

    async def next(self) -> list[ParsedCase] | None:
        """The next chunk; ``None`` at the end. Raises what the reader met."""
        item = await asyncio.to_thread(self._queue.get)
        if item is _DONE:
            return None
        if isinstance(item, BaseException):
            raise item
        assert isinstance(item, list)
        return item

    def cancel(self) -> None:
        self._cancelled.set()


@dataclass
class _InFlight:
    """A chunk being committed in the background, and whether it has registered yet.

    The next chunk's writes wait for it (:class:`~cases.service_layer.registration.Turn`)
    only where they could meet in the database: cases with a reference of this chunk or
    of one before it still in flight (a file may repeat one further down), and the
    batch's counts (its row lock).
    """

    references: frozenset[str]
    previous: _InFlight | None = None
    """The chunk before, while this one has not committed."""
    registered: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[uuid.UUID] | None = None

    async def wait_registered(self) -> None:
        """Until the chunk has registered its cases (or failed: then raise)."""
        assert self.task is not None
        waiter = asyncio.ensure_future(self.registered.wait())
        try:
            await asyncio.wait({waiter, self.task}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
        if self.task.done() and not self.registered.is_set():
            await self.task  # raises its failure

    async def before_cases(self, references: Collection[str]) -> None:
        # every earlier chunk that has not registered yet (they register in file order)
        chunk: _InFlight | None = self
        while chunk is not None and not chunk.registered.is_set():
            if not chunk.references.isdisjoint(references):
                await chunk.wait_registered()
            chunk = chunk.previous

    async def before_batch(self) -> None:
        await self.wait_registered()


def _worker_name() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Importer:
    """One importer: leases jobs one at a time and registers their cases."""

    def __init__(
        self,
        *,
        unit_of_work: Callable[[], CasesUnitOfWork],
        engine: AsyncEngine,
        registration: RegistrationContext,
        config: ImporterConfig,
        scratch: Path | None = None,
    ) -> None:
        self.unit_of_work = unit_of_work
        self.engine = engine
        self.registration = registration
        self.config = config
        self.scratch = scratch
        self.owner = _worker_name()

    async def run(self, stop: asyncio.Event) -> None:
        """Work until ``stop`` is set (then finish the chunk at hand and give the job back)."""
        log.info("importer %s started", self.owner)
        while not stop.is_set():
            worked = await self.run_once(stop)
            worker_pass("cases", "importer")
            if not worked:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self.config.poll_seconds)

    async def run_once(self, stop: asyncio.Event | None = None) -> bool:
        """Lease one job and work on it; ``False`` when none is waiting."""
        async with self.unit_of_work() as uow:
            job = await job_store.lease_next(uow.session, self.owner, self.config.lease_seconds)
            await uow.commit()
        if job is None:
            return False
        log.info("import job %s leased (attempt %d)", job.job_id, job.attempts)
        if job.stalls >= self.config.max_stalls:
            # Its importers died on it (killed, out of memory) without getting further:
            # the file is what kills them, and it must not take the next one down too.
            log.warning("import job %s: importers died on it %d times", job.job_id, job.stalls)
            await self._fail(job, None, STOPPED_WHILE_READING)
            return True
        if job.attempts > self.config.max_attempts:
            await self._fail(job, None, f"Gave up after {job.attempts - 1} attempts; see the logs.")
            return True
        heartbeat = asyncio.create_task(self._heartbeat(job.job_id))
        try:
            await self._process(job, stop or asyncio.Event())
        except LeaseLost:
            log.warning("import job %s: lease lost to another importer", job.job_id)
        except _Failed as exc:
            await self._fail(job, None, str(exc))
        except Exception as exc:
            if is_database_unavailable(exc):
                log.warning("import job %s: database unavailable; will resume", job.job_id)
            else:
                log.exception("import job %s failed unexpectedly; will retry", job.job_id)
                with contextlib.suppress(Exception):
                    await self._release(job)
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
        return True

    async def _heartbeat(self, job_id: uuid.UUID) -> None:
        every = max(self.config.lease_seconds / 3, 0.1)
        while True:
            await asyncio.sleep(every)
            with contextlib.suppress(Exception):
                async with self.unit_of_work() as uow:
                    if not await job_store.extend_lease(
                        uow.session, job_id, self.owner, self.config.lease_seconds
                    ):
                        return
                    await uow.commit()

    async def _release(self, job: LeasedJob) -> None:
        async with self.unit_of_work() as uow:
            await job_store.release(uow.session, job.job_id, self.owner)
            await uow.commit()

    async def _download(self, job: LeasedJob, directory: Path) -> Path:
        path = directory / f"upload.{job.format}"
        with path.open("wb") as f:
            async for piece in job_store.pieces(self.engine, job.job_id):
                f.write(piece)
        return path

    async def _process(self, job: LeasedJob, stop: asyncio.Event) -> None:
        with tempfile.TemporaryDirectory(prefix="cases-import-", dir=self.scratch) as directory:
            path = await self._download(job, Path(directory))
            try:
                opened = await asyncio.to_thread(
                    OpenedFile,
                    job.format,  # type: ignore[arg-type]
                    path,
                    encoding=job.requested_encoding,
                )
            except LayoutError as exc:
                await self._fail(job, None, str(exc))
                return
            if job.checkpoint_records == 0:
                await self._record_facts(job, opened)
            state = job.checkpoint_state or {}
            draining = state.get("draining")
            resume = Resume(
                records=job.checkpoint_records,
                draining=(draining[0], int(draining[1])) if draining else None,
            )
            reader = _Reader(opened, resume, self.config.chunk_rows)
            reader.start()
            batch_id = job.batch_id
            start = job.checkpoint_records
            read_any = start > 0
            # Several chunks in flight (chunks_in_flight): while some are written, the
            # next one's Python work (validation, building the rows) goes on. Each commits
            # only after the one before it (see _commit_chunk), so the checkpoint stays
            # exact.
            in_flight: deque[_InFlight] = deque()
            try:
                while True:
                    if stop.is_set():
                        await self._settle_all(in_flight)
                        await self._release(job)
                        return
                    try:
                        chunk = await reader.next()
                    except _Failed as exc:
                        await self._settle_all(in_flight)
                        await self._fail(job, batch_id, str(exc))
                        return
                    if chunk is None:
                        break
                    read_any = True
                    if batch_id is None:  # the first chunk opens the batch: alone
                        batch_id = await self._commit_chunk(job, None, chunk, start)
                    else:
                        previous = in_flight[-1] if in_flight else None
                        current = _InFlight(_references(chunk), previous)
                        current.task = asyncio.create_task(
                            self._commit_chunk(job, batch_id, chunk, start, current, previous)
                        )
                        in_flight.append(current)
                        if len(in_flight) >= self.config.chunks_in_flight:
                            await self._settle(in_flight.popleft())
                    start = chunk[-1].end_record
                await self._settle_all(in_flight)
            except BaseException:
                for pending in in_flight:
                    if pending.task is not None:
                        pending.task.cancel()
                for pending in in_flight:
                    if pending.task is not None:
                        with contextlib.suppress(BaseException):
                            await pending.task
                raise
            finally:
                reader.cancel()
            if not read_any:
                await self._fail(job, None, "The file has no rows below the header.")
                return
            await self._complete(job, batch_id)

    @staticmethod
    async def _settle(chunk: _InFlight | None) -> None:
        """Wait for a chunk in flight to commit; its failure is raised here."""
        if chunk is not None and chunk.task is not None:
            await chunk.task

    async def _settle_all(self, chunks: deque[_InFlight]) -> None:
        """Wait for the chunks in flight to commit, in order."""
        while chunks:
            await self._settle(chunks[0])
            chunks.popleft()

    async def _record_facts(self, job: LeasedJob, opened: OpenedFile) -> None:
        facts: dict[str, Any] = {"format": opened.format}
        if opened.facts.encoding:
            facts["encoding"] = opened.facts.encoding
        if opened.facts.delimiter:
            facts["delimiter"] = opened.facts.delimiter
        if opened.facts.ignored_columns:
            facts["ignored_columns"] = list(opened.facts.ignored_columns)
        async with self.unit_of_work() as uow:
            if not await job_store.hold(uow.session, job.job_id, self.owner):
                raise LeaseLost
            await job_store.set_facts(uow.session, job.job_id, facts)
            await uow.commit()

    async def _batch(
        self, uow: CasesUnitOfWork, job: LeasedJob, batch_id: uuid.UUID | None
    ) -> Batch:
        if batch_id is not None:
            batch = await batch_store.get(uow.session, batch_id)
            assert batch is not None
            return batch
        who = Submitter(creditor_id=job.creditor_id, channel="import", user_id=job.created_by)
        batch = await open_batch(uow, self.registration, who)
        await job_store.set_batch(uow.session, job.job_id, batch.batch_id)
        return batch

    async def _commit_chunk(
        self,
        job: LeasedJob,
        batch_id: uuid.UUID | None,
        chunk: list[ParsedCase],
        start: int,
        me: _InFlight | None = None,
        previous: _InFlight | None = None,
    ) -> uuid.UUID:
        """Register one chunk, store its errors and move the checkpoint: one transaction.

        ``start`` is the checkpoint the chunk follows. With a ``previous`` chunk in flight,
        this one validates, builds and inserts its rows beside it, but counts into the
        batch only after it (and inserts a case with a reference of it only after it has
        registered), so the two never wait on each other in the database, and commits
        only after it has committed. The job row is locked (the lease and the checkpoint
        checked) last, before the commit: a chunk whose predecessor did not commit, or
        whose importer lost the lease, rolls back.
        """
        try:
            async with self.unit_of_work() as uow:
                try:
                    batch = await self._batch(uow, job, batch_id)
                except (CreditorUnknown, CreditorInactive) as exc:
                    raise _Failed(exc.detail) from None
                items = [(i, c.registration) for i, c in enumerate(chunk) if c.registration]
                if items:
                    outcome = await register_chunk(
                        uow, self.registration, batch, items, turn=previous
                    )
                else:
                    if previous is not None:
                        await previous.before_batch()
                    outcome = ChunkOutcome()
                if me is not None:
                    me.registered.set()
                errors, progress = _chunk_results(job.format, chunk, outcome)
                await job_store.add_errors(uow.session, job.job_id, errors)
                await self._settle(previous)
                if not await job_store.hold(uow.session, job.job_id, self.owner, checkpoint=start):
                    raise LeaseLost
                await job_store.advance(
                    uow.session, job.job_id, progress, self.config.lease_seconds
                )
                await uow.commit()
            WORKER_ITEMS.labels("cases", "importer").inc(len(chunk))
        finally:
            if me is not None:
                me.registered.set()
                me.previous = None  # committed (or failed): nothing to wait for behind it
        return batch.batch_id

    async def _complete(self, job: LeasedJob, batch_id: uuid.UUID | None) -> None:
        async with self.unit_of_work() as uow:
            if not await job_store.hold(uow.session, job.job_id, self.owner):
                raise LeaseLost
            await self._close_batch(uow, job.job_id, batch_id)
            await job_store.finish(uow.session, job.job_id, status="completed")
            await uow.commit()
        log.info("import job %s completed", job.job_id)

    async def _fail(self, job: LeasedJob, batch_id: uuid.UUID | None, reason: str) -> None:
        async with self.unit_of_work() as uow:
            if not await job_store.hold(uow.session, job.job_id, self.owner):
                raise LeaseLost
            if batch_id is None:
                current = await job_store.get(uow.session, job.job_id, tenant=None)
                batch_id = current.batch_id if current else None
            await self._close_batch(uow, job.job_id, batch_id)
            await job_store.finish(uow.session, job.job_id, status="failed", error=reason[:2000])
            await uow.commit()
        log.info("import job %s failed: %s", job.job_id, reason)

    async def _close_batch(
        self, uow: CasesUnitOfWork, job_id: uuid.UUID, batch_id: uuid.UUID | None
    ) -> None:
        if batch_id is None:
            return
        current = await job_store.get(uow.session, job_id, tenant=None)
        rejected = current.cases_rejected if current else 0
        rows = await refused_rows(uow, job_id)
        await complete_batch(
            uow, self.registration, batch_id, rejected=rejected, rejected_rows=rows
        )


async def refused_rows(uow: CasesUnitOfWork, job_id: uuid.UUID) -> list[RejectedRow]:
    """The first refused rows of an import (its error report grouped by line) for the
    batch event: the order confirmation lists them apart."""
    grouped: dict[int, tuple[str | None, set[str]]] = {}
    after = 0
    while len(grouped) <= MAX_REJECTED_ROWS:
        page = await job_store.errors(uow.session, job_id, after=after, limit=2000)
        if not page:
            break
        for error_id, error in page:
            after = error_id
            line, column, reference = error.line, error.column, error.creditor_reference
            _, columns = grouped.setdefault(line, (reference, set()))
            if column:
                columns.add(column)
    return [
        RejectedRow(
            row=line,
            creditor_reference=(reference or "")[:60] or None,
            fields=sorted(columns)[:20],
        )
        for line, (reference, columns) in sorted(grouped.items())[:MAX_REJECTED_ROWS]
    ]


def _references(chunk: list[ParsedCase]) -> frozenset[str]:
    """The references a chunk may insert cases with (the later may repeat them)."""
    return frozenset(c.registration.creditor_reference.strip() for c in chunk if c.registration)


def _chunk_results(
    fmt: str, chunk: list[ParsedCase], outcome: ChunkOutcome
) -> tuple[list[ErrorRow], Progress]:
    """The error report rows and the counts of one chunk."""
    to_row = json_error if fmt == "json" else tabular_error
    refused: dict[int, list[RowError]] = {}
    for rejected in outcome.rejected:
        case = chunk[rejected.index]
        refused[rejected.index] = [to_row(case, e) for e in rejected.errors]
    for index, case in enumerate(chunk):
        if case.registration is None:
            refused[index] = case.errors
    errors: list[ErrorRow] = []
    rows_rejected = cases_rejected = 0
    for index in sorted(refused):
        case = chunk[index]
        found = refused[index]
        if fmt != "json":
            found = with_siblings(case, found)
        errors.extend(
            ErrorRow(e.line, e.column, e.reason, case.reference or None, e.code, dict(e.values))
            for e in found
        )
        rows_rejected += len(case.lines)
        cases_rejected += int(case.counts_as_case)
    registered = {r.index for r in outcome.registered}
    rows_accepted = sum(len(chunk[i].lines) for i in registered)
    last = chunk[-1]
    return errors, Progress(
        rows_read=sum(len(c.lines) for c in chunk),
        rows_accepted=rows_accepted,
        rows_rejected=rows_rejected,
        cases_registered=len(registered),
        cases_rejected=cases_rejected,
        checkpoint_records=last.end_record,
        checkpoint_state={"draining": list(last.draining)} if last.draining else None,
    )
