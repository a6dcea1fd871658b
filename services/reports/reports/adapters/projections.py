"""The read model of cases and ledger events: batches, cases, settlements and their lines."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from contracts import Envelope
from sqlalchemy import (
    ARRAY,
    BigInteger,
    Date,
    DateTime,
    Row,
    String,
    Uuid,
    bindparam,
    delete,
    func,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from reports.adapters.orm import (
    batch_progress,
    batches,
    case_balances,
    cases,
    documents,
    organisations,
    parked_case_events,
    payments,
    projection_progress,
    settlement_lines,
    settlements,
)
from reports.domain.case_statement import InterestPeriod, InterestStatement

PARKING_LOCK = 0x7265706F72747301
"""The advisory lock key of parked case changes ("reports" + 1)."""

# The batch handlers' statements are built once and take their rows as parameters (an
# executemany, or arrays unnested by PostgreSQL), so SQLAlchemy compiles each once instead
# of once per batch (a multi-row VALUES differs with every batch size: that compiling was
# most of a batch's CPU, bench/reports_projection.py).
_ADD_CASES = insert(cases).on_conflict_do_nothing().returning(cases.c.batch_id)
_progress = insert(batch_progress)
_COUNT_BATCH_CASES = _progress.on_conflict_do_update(
    index_elements=[batch_progress.c.batch_id],
    set_={"cases_projected": batch_progress.c.cases_projected + _progress.excluded.cases_projected},
)
_ADD_PAYMENTS = insert(payments).on_conflict_do_nothing()
_ADD_BALANCES = insert(case_balances).on_conflict_do_nothing()
_APPLY_STATUSES = text(
    "UPDATE cases SET status = v.status, status_changed_at = v.at "
    "FROM unnest(CAST(:ids AS uuid[]), CAST(:statuses AS text[]), CAST(:ats AS timestamptz[])) "
    "AS v(case_id, status, at) "
    "WHERE cases.case_id = v.case_id "
    "AND (cases.status_changed_at IS NULL OR cases.status_changed_at < v.at)"
).bindparams(
    bindparam("ids", type_=ARRAY(Uuid)),
    bindparam("statuses", type_=ARRAY(String)),
    bindparam("ats", type_=ARRAY(DateTime(timezone=True))),
)
"""Each case takes its newest status; an older change applied late does not overwrite."""
_CLOSE_CASES = text(
    "UPDATE cases SET closed_on = v.closed_on, close_reason = v.reason "
    "FROM unnest(CAST(:ids AS uuid[]), CAST(:days AS date[]), CAST(:reasons AS text[])) "
    "AS v(case_id, closed_on, reason) WHERE cases.case_id = v.case_id"
).bindparams(
    bindparam("ids", type_=ARRAY(Uuid)),
    bindparam("days", type_=ARRAY(Date)),
    bindparam("reasons", type_=ARRAY(String)),
)
_APPLY_BALANCES = text(
    "UPDATE cases SET principal_outstanding_ore = v.principal, "
    "interest_outstanding_ore = v.interest, costs_outstanding_ore = v.costs, "
    "balance_ore = v.balance, balance_changed_at = v.at "
    "FROM unnest(CAST(:ids AS uuid[]), CAST(:principal AS bigint[]), "
    "CAST(:interest AS bigint[]), CAST(:costs AS bigint[]), CAST(:balance AS bigint[]), "
    "CAST(:ats AS timestamptz[])) "
    "AS v(case_id, principal, interest, costs, balance, at) "
    "WHERE cases.case_id = v.case_id "
    "AND (cases.balance_changed_at IS NULL OR cases.balance_changed_at <= v.at)"
).bindparams(
    bindparam("ids", type_=ARRAY(Uuid)),
    bindparam("principal", type_=ARRAY(BigInteger)),
    bindparam("interest", type_=ARRAY(BigInteger)),
    bindparam("costs", type_=ARRAY(BigInteger)),
    bindparam("balance", type_=ARRAY(BigInteger)),
    bindparam("ats", type_=ARRAY(DateTime(timezone=True))),
)


class ProjectionStore:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_cases(self, rows: Sequence[dict[str, Any]]) -> list[uuid.UUID]:
        """Insert cases not yet known and count them into their batches' progress; the
        batches that gained cases."""
        if not rows:
            return []
        result = await self.session.execute(_ADD_CASES, list(rows))
        gained = Counter(result.scalars())
        if gained:
            await self.session.execute(
                _COUNT_BATCH_CASES,
                [{"batch_id": b, "cases_projected": n} for b, n in sorted(gained.items())],
            )
        return sorted(gained)

    async def known_cases(self, case_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        ids = list(set(case_ids))
        result = await self.session.execute(select(cases.c.case_id).where(cases.c.case_id.in_(ids)))
        return set(result.scalars())

    async def guard_parking(self, *, registering: bool) -> None:
        """Order parking against registration (a transaction-level advisory lock): a change
        checks for its case under the shared lock, a registration takes its parked changes
        under the exclusive one, so a change parked while its case was being added is
        always seen by one of the two."""
        function = "pg_advisory_xact_lock" if registering else "pg_advisory_xact_lock_shared"
        await self.session.execute(select(getattr(func, function)(PARKING_LOCK)))

    async def park(self, changes: Sequence[tuple[uuid.UUID, Envelope]]) -> None:
        """Keep changes to cases not in the read model yet, until their case arrives."""
        if changes:
            await self.session.execute(
                insert(parked_case_events)
                .values(
                    [
                        {
                            "case_id": case_id,
                            "event_id": envelope.event_id,
                            "routing_key": envelope.routing_key,
                            "envelope": envelope.model_dump(mode="json"),
                        }
                        for case_id, envelope in changes
                    ]
                )
                .on_conflict_do_nothing()
            )

    async def unpark(self, case_ids: Iterable[uuid.UUID]) -> list[Envelope]:
        """Take (delete and return) the changes parked for these cases, oldest first."""
        ids = list(set(case_ids))
        if not ids:
            return []
        result = await self.session.execute(
            delete(parked_case_events)
            .where(parked_case_events.c.case_id.in_(ids))
            .returning(parked_case_events.c.id, parked_case_events.c.envelope)
        )
        rows = sorted(result.all(), key=lambda r: r.id)
        return [Envelope.model_validate(r.envelope) for r in rows]

    async def apply_statuses(self, changes: Sequence[tuple[uuid.UUID, str, datetime]]) -> None:
        """``(case, status, changed at)``: each case takes its newest status (an older
        change applied late does not overwrite a newer one)."""
        newest = _newest(changes, key=lambda c: (c[0], c[2]))
        if not newest:
            return
        ids, statuses, times = zip(*newest, strict=True)
        await self.session.execute(
            _APPLY_STATUSES, {"ids": list(ids), "statuses": list(statuses), "ats": list(times)}
        )

    async def apply_balances(
        self, changes: Sequence[tuple[uuid.UUID, int, int, int, int, datetime]]
    ) -> None:
        """``(case, principal, interest, costs, balance, changed at)``, newest wins."""
        newest = _newest(changes, key=lambda c: (c[0], c[5]))
        if not newest:
            return
        ids, principal, interest, costs, balance, times = zip(*newest, strict=True)
        await self.session.execute(
            _APPLY_BALANCES,
            {
                "ids": list(ids),
                "principal": list(principal),
                "interest": list(interest),
                "costs": list(costs),
                "balance": list(balance),
                "ats": list(times),
            },
        )

    async def add_payments(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            await self.session.execute(_ADD_PAYMENTS, list(rows))

    async def add_balance_history(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            await self.session.execute(_ADD_BALANCES, list(rows))

    async def case(self, case_id: uuid.UUID, tenant: uuid.UUID | None) -> Row[Any] | None:
        query = select(cases).where(cases.c.case_id == case_id)
        if tenant is not None:
            query = query.where(cases.c.creditor_id == tenant)
        return (await self.session.execute(query)).first()

    async def payments_until(self, case_id: uuid.UUID, as_of: date) -> list[Row[Any]]:
        result = await self.session.execute(
            select(payments)
            .where(payments.c.case_id == case_id, payments.c.value_date <= as_of)
            .order_by(payments.c.value_date, payments.c.received_at)
        )
        return list(result.all())

    async def balance_on(self, case_id: uuid.UUID, as_of: date) -> Row[Any] | None:
        """The newest booking of the case's balance effective on or before ``as_of``."""
        b = case_balances.c
        return (
            await self.session.execute(
                select(case_balances)
                .where(b.case_id == case_id, b.effective_date <= as_of)
                .order_by(b.effective_date.desc(), b.changed_at.desc())
                .limit(1)
            )
        ).first()

    async def balance_stated_on(self, case_id: uuid.UUID, day: date) -> Row[Any] | None:
        """The ledger's newest balance of the case effective on ``day`` that states the
        forsinkelsesrente (the ledger sends one dated each workflow step's day)."""
        b = case_balances.c
        return (
            await self.session.execute(
                select(case_balances)
                .where(
                    b.case_id == case_id,
                    b.effective_date == day,
                    b.interest_rate_percent.is_not(None),
                )
                .order_by(b.changed_at.desc())
                .limit(1)
            )
        ).first()

    async def close_cases(self, closings: Sequence[tuple[uuid.UUID, date, str]]) -> None:
        """``(case, closed on, reason)``; a case closed twice in one batch keeps the last."""
        last = {case_id: (case_id, on, reason) for case_id, on, reason in closings}
        if last:
            ids, days, reasons = zip(*last.values(), strict=True)
            await self.session.execute(
                _CLOSE_CASES, {"ids": list(ids), "days": list(days), "reasons": list(reasons)}
            )

    async def add_batch(self, row: dict[str, Any]) -> None:
        await self.session.execute(insert(batches).values(**row).on_conflict_do_nothing())

    async def add_settlement(self, row: dict[str, Any], lines: Sequence[dict[str, Any]]) -> bool:
        """Insert a settlement and its lines; False when it was known already."""
        result = await self.session.execute(
            insert(settlements)
            .values(**row)
            .on_conflict_do_nothing()
            .returning(settlements.c.settlement_id)
        )
        if result.first() is None:
            return False
        if lines:
            await self.session.execute(insert(settlement_lines), list(lines))
        return True

    async def batches_ready(self, batch_ids: Iterable[uuid.UUID]) -> list[uuid.UUID]:
        """Of these batches, those whose every case is in the read model and that have no
        order confirmation yet."""
        ids = list(batch_ids)
        if not ids:
            return []
        issued = (
            select(documents.c.document_id)
            .where(
                documents.c.kind == "order_confirmation",
                documents.c.source_id == batches.c.batch_id,
            )
            .exists()
        )
        projected = func.coalesce(batch_progress.c.cases_projected, 0)
        result = await self.session.execute(
            select(batches.c.batch_id)
            .select_from(
                batches.outerjoin(batch_progress, batch_progress.c.batch_id == batches.c.batch_id)
            )
            .where(batches.c.batch_id.in_(ids), projected >= batches.c.case_count, ~issued)
        )
        return sorted(result.scalars())

    async def batch(self, batch_id: uuid.UUID) -> Row[Any] | None:
        return (
            await self.session.execute(select(batches).where(batches.c.batch_id == batch_id))
        ).first()

    async def cases_of_batch(self, batch_id: uuid.UUID) -> list[Row[Any]]:
        result = await self.session.execute(
            select(cases).where(cases.c.batch_id == batch_id).order_by(cases.c.case_number)
        )
        return list(result.all())

    async def cases_by_id(self, case_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Row[Any]]:
        ids = list(set(case_ids))
        if not ids:
            return {}
        result = await self.session.execute(select(cases).where(cases.c.case_id.in_(ids)))
        return {row.case_id: row for row in result}

    async def settlement(self, settlement_id: uuid.UUID) -> Row[Any] | None:
        return (
            await self.session.execute(
                select(settlements).where(settlements.c.settlement_id == settlement_id)
            )
        ).first()

    async def lines_of(self, settlement_id: uuid.UUID) -> list[Row[Any]]:
        result = await self.session.execute(
            select(settlement_lines)
            .where(settlement_lines.c.settlement_id == settlement_id)
            .order_by(settlement_lines.c.line_id)
        )
        return list(result.all())

    async def organisation(self, organisation_id: uuid.UUID) -> Row[Any] | None:
        return (
            await self.session.execute(
                select(organisations).where(organisations.c.organisation_id == organisation_id)
            )
        ).first()

    async def agency(self) -> Row[Any] | None:
        """The agency's organisation (the oldest registered, should there be several)."""
        return (
            await self.session.execute(
                select(organisations)
                .where(organisations.c.kind == "agency")
                .order_by(organisations.c.registered_at)
                .limit(1)
            )
        ).first()

    async def record_progress(self, projection: str, occurred_at: datetime) -> None:
        """Note the newest event a projection applied (for its lag metric)."""
        stmt = insert(projection_progress).values(
            projection=projection, last_occurred_at=occurred_at, last_applied_at=func.now()
        )
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=[projection_progress.c.projection],
                set_={
                    "last_occurred_at": func.greatest(
                        projection_progress.c.last_occurred_at, stmt.excluded.last_occurred_at
                    ),
                    "last_applied_at": stmt.excluded.last_applied_at,
                },
            )
        )


T = TypeVar("T", bound=tuple[Any, ...])


def _newest(changes: Sequence[T], *, key: Any) -> list[T]:
    """One change per case (the first element): the one with the greatest ``key``."""
    newest: dict[Any, T] = {}
    for change in changes:
        held = newest.get(change[0])
        if held is None or key(change) > key(held):
            newest[change[0]] = change
    return list(newest.values())


def interest_of(stored: Mapping[str, Any] | None) -> InterestStatement | None:
    """The ledger's interest statement as a balance row keeps it (``CaseInterest`` as JSON)."""
    if stored is None:
        return None
    return InterestStatement(
        through=date.fromisoformat(stored["through"]),
        accrued_ore=int(stored["accrued_ore"]),
        outstanding_ore=int(stored["outstanding_ore"]),
        balance_ore=int(stored["balance_ore"]),
        periods=tuple(
            InterestPeriod(
                first=date.fromisoformat(p["first"]),
                last=date.fromisoformat(p["last"]),
                days=int(p["days"]),
                principal_ore=int(p["principal_ore"]),
                rate_percent=Decimal(p["rate_percent"]),
                interest_ore=int(p["interest_ore"]),
            )
            for p in stored["periods"]
        ),
    )
