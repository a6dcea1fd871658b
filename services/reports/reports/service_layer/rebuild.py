"""Rebuilding the read model from nothing: empty it and ask the producers to replay.

The read-model tables are emptied and a ``reports.replay.requested.v1`` is written to the
outbox in one transaction, with the replay queue's inbox rows (so the replayed events are
not taken for ones already replayed once). The producers re-publish their outbox history
to ``replay.reports.*`` (``servicekit.replay``), which the consumer applies from the
``reports.replay`` queue with the live handlers.

Documents are not touched: issuing is idempotent by source, so a replayed batch or
settlement finds its document (or its purge) and issues nothing, and no number is taken.
Live events keep flowing meanwhile; every projection is idempotent and order-independent
(newest wins, inserts ignore what is there, changes to unknown cases are parked), so a
live event and its replay meet without harm.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from contracts.reports import ReplayRequested
from sqlalchemy import delete

from reports.adapters import orm
from reports.service_layer.unit_of_work import ReportsUnitOfWork

READ_MODEL_TABLES = (
    orm.settlement_lines,
    orm.settlements,
    orm.payments,
    orm.case_balances,
    orm.parked_case_events,
    orm.cases,
    orm.batch_progress,
    orm.batches,
    orm.organisations,
    orm.projection_progress,
)
"""Emptied by a rebuild. Never: documents, their counters, purges, the audits, the outbox."""

REPLAY_QUEUE = "reports.replay"


async def request_rebuild(uow: ReportsUnitOfWork, routing_keys: Sequence[str]) -> uuid.UUID:
    """Empty the read model and ask the producers for ``routing_keys``; the replay's id."""
    replay_id = uuid.uuid4()
    async with uow:
        for table in READ_MODEL_TABLES:
            await uow.session.execute(delete(table))
        await uow.session.execute(
            delete(orm.inbox).where(orm.inbox.c.handler.startswith(f"{REPLAY_QUEUE}:"))
        )
        keys = list(routing_keys)
        uow.emit(ReplayRequested(replay_id=replay_id, reply_to="reports", routing_keys=keys))
        await uow.commit()
    return replay_id
