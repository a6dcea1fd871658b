"""Read side of the workflow: the case handlers' work queue and a case's next steps.

:func:`next_steps` is what a case's detail shows under "what happens next"; the work
queue lists the cases that need a case handler, longest waiting first, keyset-paginated
on ``(attention_since, id)`` (the partial index ``ix_cases_work_queue``). Neither reads a
debtor's personal data.
"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from cases.adapters import workflow_store as store
from cases.adapters.orm import cases, objections, payment_plan_instalments, payment_plans
from cases.domain import workflow as wf
from cases.domain.rules import RuleBook

CREDITOR_ACTIONS = ("withdraw",)


class InvalidCursor(ValueError):
    """A cursor the work queue did not hand out."""


def _encode(since: datetime, case_id: uuid.UUID) -> str:
    raw = json.dumps(["work-queue", since.isoformat(), str(case_id)], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        kind, since, case_id = json.loads(base64.urlsafe_b64decode(padded))
        moment = datetime.fromisoformat(since)
        if kind != "work-queue" or moment.tzinfo is None:
            raise ValueError(kind)
        return moment, uuid.UUID(str(case_id))
    except (ValueError, TypeError) as exc:
        raise InvalidCursor("the cursor is not valid") from exc


async def work_queue(
    session: AsyncSession,
    *,
    reason: str | None = None,
    creditor_id: uuid.UUID | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of cases needing a case handler, longest waiting first, and the next cursor."""
    query = (
        select(
            cases.c.id.label("case_id"),
            cases.c.case_number,
            cases.c.creditor_id,
            cases.c.status,
            cases.c.needs_attention,
            cases.c.attention_since,
            cases.c.deadline,
            cases.c.next_step_on,
            cases.c.limitation_date,
            cases.c.principal_total_ore,
            cases.c.debtor_kind,
            objections.c.received_on.label("objection_received_on"),
        )
        .outerjoin(
            objections, and_(objections.c.case_id == cases.c.id, objections.c.status == "open")
        )
        .where(cases.c.needs_attention.is_not(None))
        .order_by(cases.c.attention_since, cases.c.id)
        .limit(limit + 1)
    )
    if reason is not None:
        query = query.where(cases.c.needs_attention == reason)
    if creditor_id is not None:
        query = query.where(cases.c.creditor_id == creditor_id)
    if cursor:
        since, last_id = _decode(cursor)
        query = query.where(tuple_(cases.c.attention_since, cases.c.id) > (since, last_id))
    rows = [dict(r) for r in (await session.execute(query)).mappings()]
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = _encode(rows[-1]["attention_since"], rows[-1]["case_id"])
    return rows, next_cursor


@dataclass(frozen=True)
class NextSteps:
    """A case's workflow at a glance: where it stands and what happens next."""

    case_id: uuid.UUID
    case_number: str
    status: str
    closed_reason: str | None
    needs_attention: str | None
    deadline: date | None
    next_step_on: date | None
    limitation_date: date
    rule_set: str
    """The rule set in force today (the next step is taken under it)."""
    next: wf.NextStep
    actions: list[str]
    """What the caller may do now (a creditor: withdraw; a case handler: the actions)."""
    legal_window_ends: date | None
    payment_remark_from: date | None
    objection: dict[str, Any] | None
    payment_plan: dict[str, Any] | None
    letter_refusals: dict[str, dict[str, str]] = field(default_factory=dict)
    """Case handlers: why a collection letter may not be sent by hand today."""


async def _open_objection(session: AsyncSession, case_id: uuid.UUID) -> dict[str, Any] | None:
    row = (
        (
            await session.execute(
                select(objections.c.id, objections.c.received_on, objections.c.registered_at).where(
                    objections.c.case_id == case_id, objections.c.status == "open"
                )
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    return {
        "objection_id": row["id"],
        "received_on": row["received_on"],
        "registered_at": row["registered_at"],
    }


async def _active_plan(session: AsyncSession, case_id: uuid.UUID) -> dict[str, Any] | None:
    plan = (
        (
            await session.execute(
                select(payment_plans).where(
                    payment_plans.c.case_id == case_id, payment_plans.c.status == "active"
                )
            )
        )
        .mappings()
        .first()
    )
    if plan is None:
        return None
    instalments = await session.execute(
        select(
            payment_plan_instalments.c.number,
            payment_plan_instalments.c.due_date,
            payment_plan_instalments.c.amount_ore,
        )
        .where(payment_plan_instalments.c.plan_id == plan["id"])
        .order_by(payment_plan_instalments.c.number)
    )
    return {
        "payment_plan_id": plan["id"],
        "agreed_on": plan["agreed_on"],
        "total_ore": plan["total_ore"],
        "instalments": [dict(i) for i in instalments.mappings()],
    }


async def next_steps(
    session: AsyncSession,
    case_id: uuid.UUID,
    *,
    tenant: uuid.UUID | None,
    agency: bool,
    rule_book: RuleBook,
    today: date,
) -> NextSteps | None:
    """The case's next steps as the caller may see them (``None``: no such case for them).

    ``tenant`` scopes a creditor user to their organisation; ``agency`` lists the case
    handlers' actions instead of the creditor's.
    """
    record = await store.read_case(session, case_id, creditor_id=tenant)
    if record is None:
        return None
    state = record.state
    rules = rule_book.in_force(today)
    if agency:
        actions = wf.available_actions(state, today, rules)
    else:
        actions = list(CREDITOR_ACTIONS) if state.status != "closed" else []
    return NextSteps(
        case_id=record.case_id,
        case_number=record.case_number,
        status=state.status,
        closed_reason=state.closed_reason,
        needs_attention=record.needs_attention,
        deadline=state.deadline,
        next_step_on=state.next_step_on,
        limitation_date=state.limitation_date,
        rule_set=rules.name,
        next=wf.next_step(state, today, rules),
        actions=actions,
        legal_window_ends=wf.legal_window_ends(state, rules),
        payment_remark_from=wf.payment_remark_from(state, rules),
        objection=await _open_objection(session, case_id) if state.status == "disputed" else None,
        payment_plan=await _active_plan(session, case_id),
        letter_refusals=wf.letter_refusals(state, today, rules) if agency else {},
    )
