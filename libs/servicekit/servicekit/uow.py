"""Unit of work: one transaction for the state change and the events it causes."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from contracts import Envelope, EventData
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from servicekit.outbox import SerialisedEvent, add_to_outbox, envelope_for


class UnitOfWork:
    """``async with uow: ...; uow.emit(event); await uow.commit()``.

    Nothing persists without an explicit :meth:`commit`; leaving the block otherwise rolls
    back. Emitted events go to the outbox in the same transaction. Services subclass this
    to add their repositories (built on :attr:`session`).

    Re-entrant: entering a unit of work that is already open *joins* its transaction (an
    ``Idempotency-Key`` answer wraps a handler that opens its own block): the inner
    :meth:`commit` only flushes, the inner exit leaves the transaction to the outer block,
    which commits the effect, its events and the stored answer together.
    """

    def __init__(self, session_factory: async_sessionmaker[AsyncSession], outbox: Table) -> None:
        self._session_factory = session_factory
        self._outbox = outbox
        self._pending: list[Envelope | SerialisedEvent] = []
        self._session: AsyncSession | None = None
        self._joined = 0

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("unit of work used outside 'async with'")
        return self._session

    async def __aenter__(self) -> Self:
        if self._session is not None:  # an outer block holds the transaction: join it
            self._joined += 1
            return self
        self._session = self._session_factory()
        self._pending = []
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._joined:
            self._joined -= 1
            return
        try:
            await self.rollback()
        finally:
            await self.session.close()
            self._session = None

    def emit(self, payload: EventData) -> Envelope:
        """Queue an event to be written to the outbox on commit; returns its envelope."""
        envelope = envelope_for(payload)
        self._pending.append(envelope)
        return envelope

    def emit_serialised(self, events: list[SerialisedEvent]) -> None:
        """Queue events already serialised (``servicekit.outbox.serialised_event``)."""
        self._pending.extend(events)

    async def commit(self) -> None:
        if self._joined:  # the outer block commits
            await self.session.flush()
            return
        await add_to_outbox(self.session, self._outbox, self._pending)
        self._pending = []
        await self.session.commit()

    async def rollback(self) -> None:
        self._pending = []
        await self.session.rollback()
