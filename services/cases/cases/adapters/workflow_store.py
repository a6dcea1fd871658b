"""Storing the collection workflow: a case's workflow state, its timeline, objections and
payment plans, in the caller's transaction.

A case is always changed under a row lock: :func:`lock_case` (``SELECT … FOR UPDATE``) for
an action on one case, :func:`lock_due` (``FOR UPDATE SKIP LOCKED``) for the scheduler, so
several scheduler instances share the due cases without waiting on each other and without
taking a case twice. :func:`save` also bumps ``version`` and checks it, so a change that
bypassed the lock would fail loudly rather than be lost.

The scheduler works a locked batch of cases set-based: the due cases are locked and read
with their debtors' addresses in one statement (:func:`lock_due`), the claims' limitation
dates of the whole batch in one more (:func:`prefetch_batch`), and its saves and the
timeline rows it appends are written together in one statement before the commit
(:func:`flush_batch`; every save still checks the case's version). A
prefetched value is used once, by the first read of it in the transaction (the case is
locked, so nothing else changed it); any later read asks the database again.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, bindparam, func, insert, or_, select, text, type_coerce, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import Date, DateTime, Integer, NullType, String, Uuid

from cases.adapters.orm import (
    cases,
    claims,
    limitation_interruptions,
    objections,
    parties,
    payment_plan_instalments,
    payment_plans,
    timeline,
)
from cases.domain import limitation as lim
from cases.domain.workflow import CaseState, Instalment, Paused


@dataclass(frozen=True)
class CaseRecord:
    """A locked case: its identity, bookkeeping and workflow state."""

    case_id: uuid.UUID
    creditor_id: uuid.UUID
    case_number: str
    rule_set: str
    version: int
    needs_attention: str | None
    attention_since: datetime | None
    limitation_check_on: date | None
    state: CaseState


@dataclass(frozen=True)
class ClaimLimitation:
    claim_id: uuid.UUID
    position: int
    invoice_number: str
    limitation_date: date
    warned: str | None
    claim_type: str = "ordinary"
    due_date: date | None = None


@dataclass
class _Prefetched:
    """What :func:`prefetch_batch` read for a locked batch, each value used once."""

    limitations: dict[uuid.UUID, list[ClaimLimitation]]
    recipients: dict[uuid.UUID, LetterRecipient | None]


_PREFETCHED = "cases.workflow.prefetched"
_TIMELINE = "cases.workflow.timeline"
_SAVES = "cases.workflow.saves"

_SAVE_MANY = text(
    """
    WITH appended AS (
        INSERT INTO timeline (case_id, occurred_at, kind, step, from_status, to_status,
                              effective_date, deadline, actor_kind, actor_id, detail)
        SELECT t.case_id, t.occurred_at, t.kind, t.step, t.from_status, t.to_status,
               t.effective_date, t.deadline, t.actor_kind, t.actor_id, t.detail::jsonb
          FROM unnest(:t_case_id, :t_occurred_at, :t_kind, :t_step, :t_from_status,
                      :t_to_status, :t_effective_date, :t_deadline, :t_actor_kind,
                      :t_actor_id, :t_detail)
            WITH ORDINALITY
            AS t(case_id, occurred_at, kind, step, from_status, to_status, effective_date,
                 deadline, actor_kind, actor_id, detail, n)
         ORDER BY t.n
    )
    UPDATE cases AS c
       SET status = u.status, closed_reason = u.closed_reason, deadline = u.deadline,
           next_step_on = u.next_step_on, workflow_attention = u.workflow_attention,
           demand_sent_on = u.demand_sent_on, legal_step_on = u.legal_step_on,
           paused = u.paused::jsonb, limitation_date = u.limitation_date,
           limitation_check_on = u.limitation_check_on, needs_attention = u.needs_attention,
           attention_since = u.attention_since, rule_set = u.rule_set, version = u.version,
           status_since = coalesce(u.status_since, c.status_since)
      FROM unnest(:id, :read_version, :status, :closed_reason, :deadline, :next_step_on,
                  :workflow_attention, :demand_sent_on, :legal_step_on, :paused,
                  :limitation_date, :limitation_check_on, :needs_attention, :attention_since,
                  :rule_set, :version, :status_since)
        AS u(id, read_version, status, closed_reason, deadline, next_step_on,
             workflow_attention, demand_sent_on, legal_step_on, paused, limitation_date,
             limitation_check_on, needs_attention, attention_since, rule_set, version,
             status_since)
     WHERE c.id = u.id AND c.version = u.read_version
    RETURNING c.id
    """
).bindparams(
    bindparam("id", type_=ARRAY(Uuid)),
    bindparam("read_version", type_=ARRAY(Integer)),
    bindparam("status", type_=ARRAY(String)),
    bindparam("closed_reason", type_=ARRAY(String)),
    bindparam("deadline", type_=ARRAY(Date)),
    bindparam("next_step_on", type_=ARRAY(Date)),
    bindparam("workflow_attention", type_=ARRAY(String)),
    bindparam("demand_sent_on", type_=ARRAY(Date)),
    bindparam("legal_step_on", type_=ARRAY(Date)),
    bindparam("paused", type_=ARRAY(String)),
    bindparam("limitation_date", type_=ARRAY(Date)),
    bindparam("limitation_check_on", type_=ARRAY(Date)),
    bindparam("needs_attention", type_=ARRAY(String)),
    bindparam("attention_since", type_=ARRAY(DateTime(timezone=True))),
    bindparam("rule_set", type_=ARRAY(String)),
    bindparam("version", type_=ARRAY(Integer)),
    bindparam("status_since", type_=ARRAY(DateTime(timezone=True))),
    bindparam("t_case_id", type_=ARRAY(Uuid)),
    bindparam("t_occurred_at", type_=ARRAY(DateTime(timezone=True))),
    bindparam("t_kind", type_=ARRAY(String)),
    bindparam("t_step", type_=ARRAY(String)),
    bindparam("t_from_status", type_=ARRAY(String)),
    bindparam("t_to_status", type_=ARRAY(String)),
    bindparam("t_effective_date", type_=ARRAY(Date)),
    bindparam("t_deadline", type_=ARRAY(Date)),
    bindparam("t_actor_kind", type_=ARRAY(String)),
    bindparam("t_actor_id", type_=ARRAY(Uuid)),
    bindparam("t_detail", type_=ARRAY(String)),
)
"""The saves of a scheduler batch in one statement, each with its version checked, and
the timeline rows it appends, in the order they were appended (a data-modifying CTE
runs whether or not the statement reads it)."""
_SAVE_COLUMNS = tuple(n for n in _SAVE_MANY._bindparams if not n.startswith("t_"))
_TIMELINE_COLUMNS = tuple(n[2:] for n in _SAVE_MANY._bindparams if n.startswith("t_"))


class ConcurrentChange(RuntimeError):
    """The case changed under us although it was locked (a bug, not a user error)."""


_COLUMNS = (
    cases.c.id,
    cases.c.creditor_id,
    cases.c.case_number,
    cases.c.rule_set,
    cases.c.version,
    cases.c.needs_attention,
    cases.c.attention_since,
    cases.c.limitation_check_on,
    cases.c.status,
    cases.c.debtor_kind,
    cases.c.limitation_date,
    cases.c.deadline,
    cases.c.next_step_on,
    cases.c.workflow_attention,
    cases.c.demand_sent_on,
    cases.c.legal_step_on,
    cases.c.paused,
    cases.c.closed_reason,
)


def _record(row: Row[Any]) -> CaseRecord:
    return CaseRecord(
        case_id=row.id,
        creditor_id=row.creditor_id,
        case_number=row.case_number,
        rule_set=row.rule_set,
        version=row.version,
        needs_attention=row.needs_attention,
        attention_since=row.attention_since,
        limitation_check_on=row.limitation_check_on,
        state=CaseState(
            status=row.status,
            debtor_kind=row.debtor_kind,
            limitation_date=row.limitation_date,
            deadline=row.deadline,
            next_step_on=row.next_step_on,
            attention=row.workflow_attention,
            demand_sent_on=row.demand_sent_on,
            legal_step_on=row.legal_step_on,
            paused=tuple(Paused.from_dict(p) for p in row.paused or ()),
            closed_reason=row.closed_reason,
        ),
    )


async def lock_case(
    session: AsyncSession, case_id: uuid.UUID, *, creditor_id: uuid.UUID | None = None
) -> CaseRecord | None:
    """The case, locked for update; ``None`` if there is none (of ``creditor_id``, if given)."""
    query = select(*_COLUMNS).where(cases.c.id == case_id).with_for_update()
    if creditor_id is not None:
        query = query.where(cases.c.creditor_id == creditor_id)
    row = (await session.execute(query)).first()
    return _record(row) if row else None


async def read_case(
    session: AsyncSession, case_id: uuid.UUID, *, creditor_id: uuid.UUID | None = None
) -> CaseRecord | None:
    """The case without a lock (for reads)."""
    query = select(*_COLUMNS).where(cases.c.id == case_id)
    if creditor_id is not None:
        query = query.where(cases.c.creditor_id == creditor_id)
    row = (await session.execute(query)).first()
    return _record(row) if row else None


_DEBTOR_COLUMNS = (
    parties.c.name,
    # asyncpg gives the array as a list already: no per-row result processing
    type_coerce(parties.c.address_lines, NullType()).label("address_lines"),
    parties.c.postal_code,
    parties.c.city,
    parties.c.country,
)


async def lock_due(
    session: AsyncSession, today: date, limit: int
) -> tuple[list[CaseRecord], dict[uuid.UUID, LetterRecipient | None]]:
    """Up to ``limit`` open cases the scheduler must look at on ``today``, locked, with
    their debtors' names and addresses (one statement); cases another scheduler holds are
    skipped, not waited for."""
    query = (
        select(*_COLUMNS, *_DEBTOR_COLUMNS)
        .outerjoin(parties, (parties.c.case_id == cases.c.id) & (parties.c.role == "debtor"))
        .where(
            cases.c.status != "closed",
            or_(cases.c.next_step_on <= today, cases.c.limitation_check_on <= today),
        )
        .limit(limit)
        .with_for_update(of=cases, skip_locked=True)
    )
    records, recipients = [], {}
    for row in await session.execute(query):
        record = _record(row)
        records.append(record)
        recipients[record.case_id] = None if row.name is None else _recipient(row)
    return records, recipients


async def save(
    session: AsyncSession,
    record: CaseRecord,
    state: CaseState,
    *,
    rule_set: str,
    needs_attention: str | None,
    attention_since: datetime | None,
    limitation_check_on: date | None,
    status_since: datetime | None,
) -> None:
    """Write ``state`` over the case ``record`` was read as (version checked and bumped)."""
    values: dict[str, Any] = {
        "status": state.status,
        "closed_reason": state.closed_reason,
        "deadline": state.deadline,
        "next_step_on": state.next_step_on,
        "workflow_attention": state.attention,
        "demand_sent_on": state.demand_sent_on,
        "legal_step_on": state.legal_step_on,
        "paused": [p.as_dict() for p in state.paused],
        "limitation_date": state.limitation_date,
        "limitation_check_on": limitation_check_on,
        "needs_attention": needs_attention,
        "attention_since": attention_since,
        "rule_set": rule_set,
        "version": record.version + 1,
    }
    deferred: list[dict[str, Any]] | None = session.info.get(_SAVES)
    if deferred is not None:
        deferred.append(
            {**values, "id": record.case_id, "read_version": record.version,
             "status_since": status_since}
        )  # fmt: skip
        return
    if status_since is not None:
        values["status_since"] = status_since
    result = await session.execute(
        update(cases)
        .where(cases.c.id == record.case_id, cases.c.version == record.version)
        .values(**values)
        .returning(cases.c.id)
    )
    if result.first() is None:
        raise ConcurrentChange(f"case {record.case_id} changed while locked")


async def claim_limitations(session: AsyncSession, case_id: uuid.UUID) -> list[ClaimLimitation]:
    prefetched: _Prefetched | None = session.info.get(_PREFETCHED)
    if prefetched is not None and case_id in prefetched.limitations:
        return prefetched.limitations.pop(case_id)
    query = (
        select(
            claims.c.id,
            claims.c.position,
            claims.c.invoice_number,
            claims.c.limitation_date,
            claims.c.limitation_warned,
            claims.c.claim_type,
            claims.c.due_date,
        )
        .where(claims.c.case_id == case_id)
        .order_by(claims.c.position)
    )
    return [ClaimLimitation(*row) for row in await session.execute(query)]


async def set_claim_limitation(
    session: AsyncSession, claim_id: uuid.UUID, *, limitation_date: date, warned: str | None
) -> None:
    await session.execute(
        update(claims)
        .where(claims.c.id == claim_id)
        .values(limitation_date=limitation_date, limitation_warned=warned)
    )


@dataclass(frozen=True, slots=True)
class Interruption:
    """An interruption to record on a case under its key (a payment's id, an action's)."""

    source_key: str
    recorded: lim.Recorded


async def record_interruptions(
    session: AsyncSession, case_id: uuid.UUID, found: Sequence[Interruption], at: datetime
) -> None:
    """Keep interruptions as facts, one per key: a key already kept keeps its day, and a
    withdrawal is final (:func:`cases.domain.limitation.merged`, as an upsert), so the
    facts are the same whatever order a payment and its reversal arrive in."""
    if not found:
        return
    by_key: dict[str, lim.Recorded] = {}
    for f in found:  # one row per key in the statement (a payment and its reversal at once)
        by_key[f.source_key] = lim.merged(by_key.get(f.source_key), f.recorded)
    rows = [
        {
            "case_id": case_id,
            "source_key": key,
            "interruption": recorded.interruption,
            "interrupted_on": recorded.on,
            "withdrawn_at": at if recorded.withdrawn else None,
            "recorded_at": at,
        }
        for key, recorded in sorted(by_key.items())  # one lock order
    ]
    statement = pg_insert(limitation_interruptions).values(rows)
    kept = limitation_interruptions.c.withdrawn_at
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["case_id", "source_key"],
            set_={"withdrawn_at": func.coalesce(kept, statement.excluded.withdrawn_at)},
        )
    )


async def interruptions(session: AsyncSession, case_id: uuid.UUID) -> list[lim.Recorded]:
    """Every interruption recorded on a case (withdrawn ones too)."""
    query = select(
        limitation_interruptions.c.interrupted_on,
        limitation_interruptions.c.interruption,
        limitation_interruptions.c.withdrawn_at,
    ).where(limitation_interruptions.c.case_id == case_id)
    return [
        lim.Recorded(row.interrupted_on, row.interruption, row.withdrawn_at is not None)
        for row in await session.execute(query)
    ]


async def case_creditor(session: AsyncSession, case_id: uuid.UUID) -> uuid.UUID | None:
    """The creditor a case belongs to (``None``: no such case)."""
    found: uuid.UUID | None = await session.scalar(
        select(cases.c.creditor_id).where(cases.c.id == case_id)
    )
    return found


async def append_timeline(
    session: AsyncSession,
    case_id: uuid.UUID,
    *,
    occurred_at: datetime,
    kind: str,
    actor_kind: str,
    actor_id: uuid.UUID | None,
    step: str | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    effective_date: date | None = None,
    deadline: date | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    row = {
        "case_id": case_id,
        "occurred_at": occurred_at,
        "kind": kind,
        "step": step,
        "from_status": from_status,
        "to_status": to_status,
        "effective_date": effective_date,
        "deadline": deadline,
        "actor_kind": actor_kind,
        "actor_id": actor_id,
        "detail": detail or {},
    }
    deferred: list[dict[str, Any]] | None = session.info.get(_TIMELINE)
    if deferred is not None:
        deferred.append(row)
        return
    await session.execute(insert(timeline).values(**row))


async def prefetch_batch(
    session: AsyncSession,
    case_ids: Sequence[uuid.UUID],
    recipients: dict[uuid.UUID, LetterRecipient | None],
) -> None:
    """Read the claims' limitations of a locked batch of cases with one statement, keep the
    debtors' addresses :func:`lock_due` read, and hold back the batch's saves and timeline
    rows until :func:`flush_batch` (the scheduler's set-based pass)."""
    ids = list(case_ids)
    limitations: dict[uuid.UUID, list[ClaimLimitation]] = {case_id: [] for case_id in ids}
    for row in await session.execute(
        select(
            claims.c.case_id,
            claims.c.id,
            claims.c.position,
            claims.c.invoice_number,
            claims.c.limitation_date,
            claims.c.limitation_warned,
            claims.c.claim_type,
            claims.c.due_date,
        )
        .where(claims.c.case_id.in_(ids))
        .order_by(claims.c.case_id, claims.c.position)
    ):
        limitations[row[0]].append(ClaimLimitation(*row[1:]))
    session.info[_PREFETCHED] = _Prefetched(limitations, dict(recipients))
    session.info[_TIMELINE] = []
    session.info[_SAVES] = []


async def flush_batch(session: AsyncSession) -> None:
    """Write what the batch held back since :func:`prefetch_batch`: the cases' saves (every
    version checked) and the timeline rows, in one statement; forget what was prefetched."""
    session.info.pop(_PREFETCHED, None)
    saves: list[dict[str, Any]] = session.info.pop(_SAVES, None) or []
    rows: list[dict[str, Any]] = session.info.pop(_TIMELINE, None) or []
    if not saves:
        if rows:
            await session.execute(insert(timeline), rows)
        return
    columns = {name: [s[name] for s in saves] for name in _SAVE_COLUMNS}
    columns["paused"] = [json.dumps(p, default=str) for p in columns["paused"]]
    for name in _TIMELINE_COLUMNS:
        columns[f"t_{name}"] = [r[name] for r in rows]
    columns["t_detail"] = [json.dumps(r["detail"]) for r in rows]
    saved = set((await session.execute(_SAVE_MANY, columns)).scalars())
    stale = [s["id"] for s in saves if s["id"] not in saved]
    if stale or len(saved) != len(saves):
        raise ConcurrentChange(f"cases {stale} changed while locked")


# -- objections (innsigelser) ------------------------------------------------------------


async def add_objection(
    session: AsyncSession,
    case_id: uuid.UUID,
    *,
    received_on: date,
    grounds: str,
    at: datetime,
    by: uuid.UUID,
) -> uuid.UUID:
    objection_id = uuid.uuid4()
    await session.execute(
        insert(objections).values(
            id=objection_id,
            case_id=case_id,
            received_on=received_on,
            grounds=grounds,
            registered_at=at,
            registered_by=by,
        )
    )
    return objection_id


async def resolve_open_objection(
    session: AsyncSession,
    case_id: uuid.UUID,
    *,
    resolution: str,
    note: str | None,
    at: datetime,
    by: uuid.UUID | None,
) -> uuid.UUID | None:
    """Resolve the case's open objection; its id, or ``None`` if none was open."""
    result = await session.execute(
        update(objections)
        .where(objections.c.case_id == case_id, objections.c.status == "open")
        .values(
            status="resolved",
            resolution=resolution,
            resolution_note=note,
            resolved_at=at,
            resolved_by=by,
        )
        .returning(objections.c.id)
    )
    row = result.first()
    return row[0] if row else None


# -- payment plans (avdragsordninger) -----------------------------------------------------


async def add_payment_plan(
    session: AsyncSession,
    case_id: uuid.UUID,
    instalments: Sequence[Instalment],
    *,
    agreed_on: date,
    at: datetime,
    by: uuid.UUID,
) -> uuid.UUID:
    plan_id = uuid.uuid4()
    await session.execute(
        insert(payment_plans).values(
            id=plan_id,
            case_id=case_id,
            agreed_on=agreed_on,
            instalment_count=len(instalments),
            total_ore=sum(i.amount_ore for i in instalments),
            created_at=at,
            created_by=by,
        )
    )
    await session.execute(
        insert(payment_plan_instalments),
        [
            {
                "plan_id": plan_id,
                "number": n,
                "due_date": i.due_date,
                "amount_ore": i.amount_ore,
            }
            for n, i in enumerate(instalments, start=1)
        ],
    )
    return plan_id


async def end_active_payment_plan(
    session: AsyncSession,
    case_id: uuid.UUID,
    *,
    status: str,
    reason: str,
    on: date,
    by: uuid.UUID | None,
) -> uuid.UUID | None:
    """End the case's active plan (``breached`` or ``ended``); its id, or ``None``."""
    result = await session.execute(
        update(payment_plans)
        .where(payment_plans.c.case_id == case_id, payment_plans.c.status == "active")
        .values(status=status, ended_on=on, ended_reason=reason, ended_by=by)
        .returning(payment_plans.c.id)
    )
    row = result.first()
    return row[0] if row else None


@dataclass(frozen=True, slots=True)
class LetterRecipient:
    """The debtor as a letter is addressed (personal data: only for the letter event)."""

    name: str
    address_lines: tuple[str, ...]
    postal_code: str
    city: str
    country: str


async def letter_recipient(session: AsyncSession, case_id: uuid.UUID) -> LetterRecipient | None:
    """The name and postal address of the case's debtor."""
    prefetched: _Prefetched | None = session.info.get(_PREFETCHED)
    if prefetched is not None and case_id in prefetched.recipients:
        return prefetched.recipients.pop(case_id)
    row = (
        await session.execute(
            select(
                parties.c.name,
                parties.c.address_lines,
                parties.c.postal_code,
                parties.c.city,
                parties.c.country,
            ).where(parties.c.case_id == case_id, parties.c.role == "debtor")
        )
    ).first()
    if row is None:
        return None
    return _recipient(row)


def _recipient(row: Row[Any]) -> LetterRecipient:
    return LetterRecipient(
        name=row.name,
        address_lines=tuple(row.address_lines),
        postal_code=row.postal_code,
        city=row.city,
        country=row.country,
    )
