"""Cases, claims, workflow steps and fees as the ledger stores them, and case ledgers loaded
with their balances for booking.

Booking on a case locks its row first (``FOR NO KEY UPDATE``, several cases in id order),
so two transactions never allocate against the same balance: the second waits and then
sees what the first booked.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import BigInteger, Date, SmallInteger, String, Uuid

from ledger.adapters.orm import case_fees, case_steps, ledger_cases, ledger_claims
from ledger.domain.case_ledger import CaseFacts, CaseLedger, Claim
from ledger.domain.fees import FeeCharge, Reminder, Step

_BOOKED = text(
    """
    SELECT p.holder, p.account_kind,
           CASE WHEN e.kind = 'reversal' THEN coalesce(e.metadata->>'reversed_kind', e.kind)
                ELSE e.kind END AS kind,  -- a reversal counts as what it reverses, negated
           e.effective_date,
           sum(p.amount_ore) AS total
      FROM postings p JOIN journal_entries e ON e.entry_id = p.entry_id
     WHERE p.holder = ANY(:ids)
     GROUP BY 1, 2, 3, 4
    """
).bindparams(bindparam("ids", type_=ARRAY(Uuid)))

_RECORD_STEPS = text(
    """
    INSERT INTO case_steps (case_id, step, effective_date, event_id, instalments)
    SELECT s.case_id, s.step, s.effective_date, s.event_id, s.instalments
      FROM unnest(:case_id, :step, :effective_date, :event_id, :instalments) WITH ORDINALITY
        AS s(case_id, step, effective_date, event_id, instalments, n)
     ORDER BY s.n
        ON CONFLICT DO NOTHING
    RETURNING case_id
    """
).bindparams(
    bindparam("case_id", type_=ARRAY(Uuid)),
    bindparam("step", type_=ARRAY(String)),
    bindparam("effective_date", type_=ARRAY(Date)),
    bindparam("event_id", type_=ARRAY(Uuid)),
    bindparam("instalments", type_=ARRAY(SmallInteger)),
)
"""A delivery's steps in one statement over arrays (compiled once, whatever the count)."""

_ADD_FEES = text(
    """
    INSERT INTO case_fees (case_id, fee_key, kind, component, amount_ore, effective_date,
                           step, rate_ids, basis, entry_id)
    SELECT f.case_id, f.fee_key, f.kind, f.component, f.amount_ore, f.effective_date,
           f.step, f.rate_ids::bigint[], f.basis::jsonb, f.entry_id
      FROM unnest(:case_id, :fee_key, :kind, :component, :amount_ore, :effective_date,
                  :step, :rate_ids, :basis, :entry_id) WITH ORDINALITY
        AS f(case_id, fee_key, kind, component, amount_ore, effective_date, step, rate_ids,
             basis, entry_id, n)
     ORDER BY f.n
    """
).bindparams(
    bindparam("case_id", type_=ARRAY(Uuid)),
    bindparam("fee_key", type_=ARRAY(String)),
    bindparam("kind", type_=ARRAY(String)),
    bindparam("component", type_=ARRAY(String)),
    bindparam("amount_ore", type_=ARRAY(BigInteger)),
    bindparam("effective_date", type_=ARRAY(Date)),
    bindparam("step", type_=ARRAY(String)),
    bindparam("rate_ids", type_=ARRAY(String)),
    bindparam("basis", type_=ARRAY(String)),
    bindparam("entry_id", type_=ARRAY(Uuid)),
)
"""The fees a delivery charged in one statement; each fee's rate ids (an array) and basis
(JSON) travel as text, cast in the statement (an array of arrays must be rectangular)."""

_SAVE_STATE = text(
    """
    UPDATE ledger_cases AS c
       SET interest_posted_to = s.interest_posted_to, settled_on = s.settled_on
      FROM unnest(:ids, :posted_to, :settled_on) AS s(case_id, interest_posted_to, settled_on)
     WHERE c.case_id = s.case_id
    """
).bindparams(
    bindparam("ids", type_=ARRAY(Uuid)),
    bindparam("posted_to", type_=ARRAY(Date)),
    bindparam("settled_on", type_=ARRAY(Date)),
)


def _facts(row: Any, claims: Sequence[Claim]) -> CaseFacts:
    return CaseFacts(
        case_id=row.case_id,
        creditor_id=row.creditor_id,
        kid=row.kid,
        debtor_kind=row.debtor_kind,
        currency=row.currency,
        claims=tuple(claims),
        closed_on=row.closed_on,
        close_reason=row.close_reason,
        settled_on=row.settled_on,
    )


class CaseStore:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def register(self, cases: Sequence[tuple[CaseFacts, str, datetime]]) -> list[CaseFacts]:
        """Store new cases (``facts, case number, registered at``); return those not known."""
        if not cases:
            return []
        # in id order: competing consumers holding overlapping batches lock keys alike
        unique = {facts.case_id: (facts, n, at) for facts, n, at in cases}
        cases = [unique[case_id] for case_id in sorted(unique)]
        rows = [
            {
                "case_id": facts.case_id,
                "creditor_id": facts.creditor_id,
                "case_number": number,
                "kid": facts.kid,
                "debtor_kind": facts.debtor_kind,
                "currency": facts.currency,
                "principal_ore": facts.principal_ore,
                "latest_due_date": facts.latest_due_date,
                "registered_at": registered_at,
            }
            for facts, number, registered_at in cases
        ]
        result = await self.session.execute(
            insert(ledger_cases).on_conflict_do_nothing().returning(ledger_cases.c.case_id),
            rows,
        )
        new = set(result.scalars())
        fresh = [facts for facts, _, _ in cases if facts.case_id in new]
        claim_rows = [
            {
                "claim_id": claim.claim_id,
                "case_id": facts.case_id,
                "due_date": claim.due_date,
                "principal_ore": claim.principal_ore,
                "reminder_fee_ore": claim.reminder_fee_ore,
                "interest_due_date": claim.interest_due_date,
                "reminders": (
                    None
                    if claim.reminders is None
                    else [
                        {"sent_on": r.sent_on.isoformat(), "fee_ore": r.fee_ore}
                        for r in claim.reminders
                    ]
                ),
            }
            for facts in fresh
            for claim in facts.claims
        ]
        if claim_rows:
            await self.session.execute(insert(ledger_claims), claim_rows)
        return fresh

    async def known(self, case_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        ids = list(set(case_ids))
        if not ids:
            return set()
        result = await self.session.execute(
            select(ledger_cases.c.case_id).where(ledger_cases.c.case_id.in_(ids))
        )
        return set(result.scalars())

    async def by_kid(self, kids: Iterable[str]) -> dict[str, list[uuid.UUID]]:
        """Cases per KID (more than one: the payment is ambiguous)."""
        wanted = list({k for k in kids if k})
        found: dict[str, list[uuid.UUID]] = {k: [] for k in wanted}
        if not wanted:
            return found
        result = await self.session.execute(
            text("SELECT kid, case_id FROM ledger_cases WHERE kid = ANY(:kids)").bindparams(
                bindparam("kids", type_=ARRAY(String))
            ),
            {"kids": wanted},
        )
        for kid, case_id in result:
            found[kid].append(case_id)
        return found

    async def creditors(self, case_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
        ids = list(set(case_ids))
        if not ids:
            return {}
        result = await self.session.execute(
            select(ledger_cases.c.case_id, ledger_cases.c.creditor_id).where(
                ledger_cases.c.case_id.in_(ids)
            )
        )
        return {case_id: creditor_id for case_id, creditor_id in result}

    async def load(
        self, case_ids: Iterable[uuid.UUID], *, lock: bool = True
    ) -> dict[uuid.UUID, CaseLedger]:
        """The ledgers of the cases (locked, in id order, unless ``lock`` is False)."""
        ids = sorted(set(case_ids))
        if not ids:
            return {}
        query = select(ledger_cases).where(ledger_cases.c.case_id.in_(ids))
        if lock:
            query = query.order_by(ledger_cases.c.case_id).with_for_update(
                key_share=True
            )  # FOR NO KEY UPDATE
        cases = (await self.session.execute(query)).all()
        claims: dict[uuid.UUID, list[Claim]] = {}
        for claim in await self.session.execute(
            select(ledger_claims)
            .where(ledger_claims.c.case_id.in_(ids))
            .order_by(ledger_claims.c.due_date, ledger_claims.c.claim_id)
        ):
            claims.setdefault(claim.case_id, []).append(
                Claim(
                    claim.claim_id,
                    claim.due_date,
                    claim.principal_ore,
                    claim.reminder_fee_ore,
                    claim.time_barred_on,
                    claim.interest_due_date,
                    _reminders(claim.reminders),
                )
            )
        ledgers = {
            row.case_id: CaseLedger(
                facts=_facts(row, claims.get(row.case_id, [])),
                interest_booked_to=row.interest_posted_to,
            )
            for row in cases
        }
        for holder, account, entry_kind, effective_date, total in await self.session.execute(
            _BOOKED, {"ids": [c.case_id for c in cases]}
        ):
            ledgers[holder].record(entry_kind, effective_date, account, int(total))
        return ledgers

    async def save_state(self, ledgers: Iterable[CaseLedger]) -> None:
        """Keep how far interest is booked and whether the case is settled."""
        changed = list(ledgers)
        if not changed:
            return
        await self.session.execute(
            _SAVE_STATE,
            {
                "ids": [lg.facts.case_id for lg in changed],
                "posted_to": [lg.interest_booked_to for lg in changed],
                "settled_on": [lg.facts.settled_on for lg in changed],
            },
        )

    async def close(self, case_id: uuid.UUID, on: date, reason: str) -> bool:
        """Record the closing (once); False when unknown or already closed."""
        result = await self.session.execute(
            update(ledger_cases)
            .where(ledger_cases.c.case_id == case_id, ledger_cases.c.closed_on.is_(None))
            .values(closed_on=on, close_reason=reason)
            .returning(ledger_cases.c.case_id)
        )
        return result.first() is not None

    async def set_time_barred(
        self, case_id: uuid.UUID, claim_id: uuid.UUID, on: date | None
    ) -> bool:
        """Record the claim's first time-barred day (None: no longer barred); False when
        the ledger does not know the claim."""
        result = await self.session.execute(
            update(ledger_claims)
            .where(ledger_claims.c.claim_id == claim_id, ledger_claims.c.case_id == case_id)
            .values(time_barred_on=on)
            .returning(ledger_claims.c.claim_id)
        )
        return result.first() is not None

    # -- workflow steps and fees -------------------------------------------------------------

    async def record_steps(
        self, steps: Sequence[tuple[uuid.UUID, Step, uuid.UUID]]
    ) -> set[uuid.UUID]:
        """Store ``(case, step, event id)``; the cases that got a step they did not have."""
        if not steps:
            return set()
        ordered = sorted(
            steps, key=lambda s: (s[0], s[1].step, s[1].effective_date)
        )  # in key order: competing consumers lock keys alike
        result = await self.session.execute(
            _RECORD_STEPS,
            {
                "case_id": [case_id for case_id, _, _ in ordered],
                "step": [step.step for _, step, _ in ordered],
                "effective_date": [step.effective_date for _, step, _ in ordered],
                "event_id": [event_id for _, _, event_id in ordered],
                "instalments": [step.instalments for _, step, _ in ordered],
            },
        )
        return set(result.scalars())

    async def steps(self, case_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[Step]]:
        ids = list(set(case_ids))
        found: dict[uuid.UUID, list[Step]] = {i: [] for i in ids}
        if not ids:
            return found
        for row in await self.session.execute(
            select(
                case_steps.c.case_id,
                case_steps.c.step,
                case_steps.c.effective_date,
                case_steps.c.instalments,
            ).where(case_steps.c.case_id.in_(ids))
        ):
            found[row.case_id].append(Step(row.step, row.effective_date, row.instalments))
        return found

    async def with_steps(self, *, after: uuid.UUID | None, limit: int) -> list[uuid.UUID]:
        """Registered cases with workflow steps, in id order, ``limit`` after ``after``."""
        query = (
            select(case_steps.c.case_id)
            .join(ledger_cases, ledger_cases.c.case_id == case_steps.c.case_id)
            .distinct()
            .order_by(case_steps.c.case_id)
            .limit(limit)
        )
        if after is not None:
            query = query.where(case_steps.c.case_id > after)
        return list((await self.session.execute(query)).scalars())

    async def fees_charged(self, case_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, dict[str, int]]:
        ids = list(set(case_ids))
        found: dict[uuid.UUID, dict[str, int]] = {i: {} for i in ids}
        if not ids:
            return found
        for row in await self.session.execute(
            select(case_fees.c.case_id, case_fees.c.fee_key, case_fees.c.amount_ore).where(
                case_fees.c.case_id.in_(ids)
            )
        ):
            found[row.case_id][row.fee_key] = row.amount_ore
        return found

    async def correct_fees(
        self, corrected: Sequence[tuple[uuid.UUID, FeeCharge, uuid.UUID]]
    ) -> None:
        """Set fees ``(case, charge, entry id)`` to what the rules now give (the entry that
        booked the difference; the journal keeps what was booked before)."""
        for case_id, charge, entry_id in corrected:
            await self.session.execute(
                update(case_fees)
                .where(case_fees.c.case_id == case_id, case_fees.c.fee_key == charge.key)
                .values(
                    amount_ore=charge.amount_ore,
                    rate_ids=list(charge.rate_ids),
                    basis=dict(charge.basis),
                    entry_id=entry_id,
                )
            )

    async def add_fees(self, charged: Sequence[tuple[uuid.UUID, FeeCharge, uuid.UUID]]) -> None:
        """Record fees ``(case, charge, entry id)`` with the rate versions they used."""
        if not charged:
            return
        await self.session.execute(
            _ADD_FEES,
            {
                "case_id": [case_id for case_id, _, _ in charged],
                "fee_key": [charge.key for _, charge, _ in charged],
                "kind": [charge.kind for _, charge, _ in charged],
                "component": [charge.component.value for _, charge, _ in charged],
                "amount_ore": [charge.amount_ore for _, charge, _ in charged],
                "effective_date": [charge.effective_date for _, charge, _ in charged],
                "step": [charge.step for _, charge, _ in charged],
                "rate_ids": [
                    "{" + ",".join(str(int(i)) for i in charge.rate_ids) + "}"
                    for _, charge, _ in charged
                ],
                "basis": [json.dumps(dict(charge.basis)) for _, charge, _ in charged],
                "entry_id": [entry_id for _, _, entry_id in charged],
            },
        )


def _reminders(stored: Any) -> tuple[Reminder, ...] | None:
    """The stored reminder events (None: the creditor gave only a total)."""
    if stored is None:
        return None
    return tuple(Reminder(date.fromisoformat(str(r["sent_on"])), int(r["fee_ore"])) for r in stored)
