"""Restating the limitation dates of cases registered before the limitation rules
(ADR 0050; issue 13 point 7), dry run first.

Cases registered before those rules carry a limitation date computed the old way (three
years to the day for every claim, no move to the next business day, the due date itself
as the first barred day, loans as three years). This recomputes each claim of every open
case from its due date and claim type (:func:`cases.domain.limitation.limitation_of`), the
interruptions recorded on the case (``limitation_interruptions``, ADR 0068: backfilled from
the timeline by cases_0014; payments taken back left out) and the steps on its timeline
that interrupt (a payment plan: acknowledgement; a forliksklage, an utleggsbegjæring), and
reports every claim whose date differs. With ``apply`` it sets the new date (the old one
stays on the timeline, ``limitation_restated``), clears the claim's warning so the
scheduler gives the right one at its next visit (today), and tells the ledger when a claim
it had been told was barred runs again (``cases.claim.time_barred`` without a date).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from contracts.cases import ClaimTimeBarred
from sqlalchemy import select, update

from cases.adapters import workflow_store as store
from cases.adapters.orm import cases, claims, timeline
from cases.domain import limitation as lim
from cases.domain.rules import RuleSet
from cases.service_layer.workflow import Transaction

_STEP_INTERRUPTS: dict[str, lim.Interruption] = {
    "payment_plan_agreed": "acknowledgement",
    "legal_step_forliksklage": "forliksklage",
    "legal_step_utlegg": "utlegg",
}
"""Workflow steps on the timeline that interrupt limitation."""

_RECORDED = ("limitation_interrupted", "limitation_not_revived")
"""Timeline kinds whose step is the interruption itself (acknowledgements, part payments)."""


@dataclass(frozen=True, slots=True)
class ClaimRestated:
    case_id: uuid.UUID
    claim_id: uuid.UUID
    invoice_number: str
    due_date: date
    claim_type: str
    before: date
    after: date


def interruptions_of(
    rows: Sequence[tuple[str, str | None, date | None]],
) -> list[tuple[date, lim.Interruption]]:
    """The interruptions in a case's timeline rows ``(kind, step, effective_date)``."""
    found: list[tuple[date, lim.Interruption]] = []
    for kind, step, on in rows:
        if on is None or step is None:
            continue
        if kind == "status_changed" and step in _STEP_INTERRUPTS:
            found.append((on, _STEP_INTERRUPTS[step]))
        elif kind in _RECORDED and step in lim.INTERRUPTIONS:
            found.append((on, step))
    return found


async def open_cases(tx: Transaction, only: Sequence[uuid.UUID] = ()) -> list[uuid.UUID]:
    query = select(cases.c.id).where(cases.c.status != "closed").order_by(cases.c.id)
    if only:
        query = query.where(cases.c.id.in_(list(only)))
    return list((await tx.session.execute(query)).scalars())


async def restate_case(
    tx: Transaction, case_id: uuid.UUID, rules: RuleSet, *, today: date, now: datetime, apply: bool
) -> list[ClaimRestated]:
    """The claims of one case whose limitation date the rules now set apart (and, with
    ``apply``, those dates set)."""
    record = await store.lock_case(tx.session, case_id)
    if record is None:
        return []
    rows = (
        await tx.session.execute(
            select(timeline.c.kind, timeline.c.step, timeline.c.effective_date).where(
                timeline.c.case_id == case_id, timeline.c.kind == "status_changed"
            )
        )
    ).all()
    interruptions: list[lim.Recorded | tuple[date, lim.Interruption]] = [
        *await store.interruptions(tx.session, case_id),
        *interruptions_of([(r.kind, r.step, r.effective_date) for r in rows]),
    ]
    found = []
    warned = {}
    for claim in (
        await tx.session.execute(
            select(
                claims.c.id,
                claims.c.invoice_number,
                claims.c.due_date,
                claims.c.claim_type,
                claims.c.limitation_date,
                claims.c.limitation_warned,
            ).where(claims.c.case_id == case_id)
        )
    ).all():
        claim_type: lim.ClaimType = "loan" if claim.claim_type == "loan" else "ordinary"
        after = lim.limitation_of(claim.due_date, claim_type, interruptions, rules).limitation_date
        if after != claim.limitation_date:
            found.append(
                ClaimRestated(
                    case_id,
                    claim.id,
                    claim.invoice_number,
                    claim.due_date,
                    claim_type,
                    claim.limitation_date,
                    after,
                )
            )
            warned[claim.id] = claim.limitation_warned
    if not apply or not found:
        return found
    for change in found:
        await store.set_claim_limitation(
            tx.session, change.claim_id, limitation_date=change.after, warned=None
        )
        if warned[change.claim_id] == lim.EXPIRED and not lim.is_time_barred(change.after, today):
            tx.emit(
                ClaimTimeBarred(
                    case_id=case_id,
                    creditor_id=record.creditor_id,
                    claim_id=change.claim_id,
                    limitation_date=change.after,
                    time_barred_on=None,
                    changed_at=now,
                )
            )
    earliest = min(
        (
            await tx.session.execute(
                select(claims.c.limitation_date).where(claims.c.case_id == case_id)
            )
        ).scalars()
    )
    await tx.session.execute(
        update(cases)
        .where(cases.c.id == case_id)
        .values(limitation_date=earliest, limitation_check_on=today)
    )
    await store.append_timeline(
        tx.session,
        case_id,
        occurred_at=now,
        kind="limitation_restated",
        step=None,
        effective_date=today,
        actor_kind="system",
        actor_id=None,
        detail={
            "claims": [
                {
                    "invoice_number": c.invoice_number,
                    "limitation_date_before": c.before.isoformat(),
                    "limitation_date": c.after.isoformat(),
                }
                for c in found
            ]
        },
    )
    return found
