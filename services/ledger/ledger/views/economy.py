"""A case's economy on a date: claims, costs, interest, payments and the balance.

Everything comes from entries booked on or before the date (by business date), except
interest, which is computed to the date from the principal history (what is booked of it
is only as far as the last payment or closing): so the view is exact for any date, also
between payments and in the past.

It is bitemporal: by effective (value) date, and by what the books knew at a moment
(``known_at``, the entries' ``recorded_at``). **As known now** counts every entry recorded
so far (a late payment and its re-allocation restate the past); **as booked then** counts
only what was recorded by the end of the date (Europe/Oslo), or by a moment given.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from typing import Any, Literal

from sqlalchemy import bindparam, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import DateTime, Uuid

from ledger.adapters.orm import (
    case_fees,
    journal_entries,
    ledger_cases,
    ledger_claims,
    payment_allocations,
    payments,
)
from ledger.adapters.rate_store import RateStore
from ledger.domain.case_ledger import CaseFacts, Claim
from ledger.domain.components import Component
from ledger.domain.interest import DayCount, InterestAccrual, PrincipalMovement, accrue
from ledger.domain.journal import COMPONENT_OF, AccountKind, EntryKind
from ledger.domain.rates import RateBook, RateKind, rests_on_unconfirmed
from ledger.service_layer.policy import OSLO

CHARGE_KINDS = frozenset(
    {EntryKind.CLAIM_REGISTERED, EntryKind.FEE_CHARGED, EntryKind.INTEREST_ACCRUED}
)
PAYMENT_KINDS = frozenset(
    {
        EntryKind.PAYMENT_ALLOCATED,
        EntryKind.UNMATCHED_RESOLVED,
        EntryKind.REVERSAL,
        EntryKind.INTEREST_REFUNDED,
        EntryKind.CREDIT_APPLIED,
    }
)

_BOOKED_AS_OF = text(
    """
    SELECT p.holder, p.account_kind,
           CASE WHEN e.kind = 'reversal' THEN coalesce(e.metadata->>'reversed_kind', e.kind)
                ELSE e.kind END AS kind,  -- a reversal counts as what it reverses, negated
           e.effective_date, sum(p.amount_ore) AS total
      FROM postings p JOIN journal_entries e ON e.entry_id = p.entry_id
     WHERE p.holder = ANY(:ids) AND e.effective_date <= :as_of AND e.recorded_at <= :known_at
     GROUP BY 1, 2, 3, 4
    """
).bindparams(
    bindparam("ids", type_=ARRAY(Uuid)), bindparam("known_at", type_=DateTime(timezone=True))
)

KNOWN_NOW = datetime.max.replace(tzinfo=UTC)
"""The knowledge time of the books as known now: everything recorded."""

Basis = Literal["as_known_now", "as_booked_then"]


def end_of_business_day(on: date) -> datetime:
    """The last moment of a business date (Europe/Oslo): the books as booked then."""
    return datetime.combine(on + timedelta(days=1), time(0), tzinfo=OSLO) - timedelta(
        microseconds=1
    )


@dataclass(frozen=True)
class ComponentLine:
    component: Component
    charged_ore: int
    paid_ore: int
    written_off_ore: int

    @property
    def outstanding_ore(self) -> int:
        return self.charged_ore - self.paid_ore - self.written_off_ore


@dataclass(frozen=True)
class Economy:
    """The case's economy as of ``as_of``."""

    facts: CaseFacts
    case_number: str
    as_of: date
    lines: tuple[ComponentLine, ...]
    interest: InterestAccrual
    overpaid_ore: int
    fees: tuple[Mapping[str, Any], ...]
    payments: tuple[Mapping[str, Any], ...]

    @property
    def balance_ore(self) -> int:
        return sum(line.outstanding_ore for line in self.lines)

    @property
    def paid_ore(self) -> int:
        return sum(line.paid_ore for line in self.lines) + self.overpaid_ore


@dataclass
class _Booked:
    charged: dict[Component, int]
    paid: dict[Component, int]
    written_off: dict[Component, int]
    movements: list[PrincipalMovement]
    interest_booked: int = 0
    overpaid: int = 0


def _empty() -> _Booked:
    zero = dict.fromkeys(Component, 0)
    return _Booked(dict(zero), dict(zero), dict(zero), [])


def fold_booked(rows: Sequence[Any]) -> dict[uuid.UUID, _Booked]:
    """Aggregated postings ``(holder, account, entry kind, date, total)`` per case."""
    found: dict[uuid.UUID, _Booked] = {}
    for holder, account, entry_kind, effective_date, total in rows:
        booked = found.get(holder)
        if booked is None:
            booked = found[holder] = _empty()
        amount = int(total)
        if account == AccountKind.CASE_OVERPAID:
            booked.overpaid -= amount
            continue
        component = COMPONENT_OF.get(account)
        if component is None:
            continue
        if entry_kind in CHARGE_KINDS:
            booked.charged[component] += amount
        elif entry_kind in PAYMENT_KINDS:
            booked.paid[component] -= amount
        elif entry_kind == EntryKind.WRITE_OFF:
            booked.written_off[component] -= amount
        if component is Component.PRINCIPAL and entry_kind != EntryKind.CLAIM_REGISTERED:
            booked.movements.append(PrincipalMovement(effective_date, -amount))
        if component is Component.INTEREST and entry_kind == EntryKind.INTEREST_ACCRUED:
            booked.interest_booked += amount
    return found


def lines_of(booked: _Booked, accrual: InterestAccrual) -> tuple[ComponentLine, ...]:
    """The components; interest charged is what accrued to the date (booked or not)."""
    return tuple(
        ComponentLine(
            component=c,
            charged_ore=accrual.amount_ore if c is Component.INTEREST else booked.charged[c],
            paid_ore=booked.paid[c],
            written_off_ore=booked.written_off[c],
        )
        for c in Component
    )


async def _facts(session: AsyncSession, case_id: uuid.UUID) -> tuple[CaseFacts, str] | None:
    row = (
        await session.execute(select(ledger_cases).where(ledger_cases.c.case_id == case_id))
    ).first()
    if row is None:
        return None
    claims = [
        Claim(
            c.claim_id,
            c.due_date,
            c.principal_ore,
            c.reminder_fee_ore,
            c.time_barred_on,
            c.interest_due_date,
        )
        for c in await session.execute(
            select(ledger_claims)
            .where(ledger_claims.c.case_id == case_id)
            .order_by(ledger_claims.c.due_date, ledger_claims.c.claim_id)
        )
    ]
    facts = CaseFacts(
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
    return facts, row.case_number


async def creditor_of_case(session: AsyncSession, case_id: uuid.UUID) -> uuid.UUID | None:
    return await session.scalar(
        select(ledger_cases.c.creditor_id).where(ledger_cases.c.case_id == case_id)
    )


async def case_economy(
    session: AsyncSession,
    case_id: uuid.UUID,
    as_of: date,
    *,
    day_count: DayCount,
    rates: RateBook | None = None,
    known_at: datetime = KNOWN_NOW,
) -> Economy | None:
    """The economy on ``as_of`` from what the books knew at ``known_at`` (default: now)."""
    found = await _facts(session, case_id)
    if found is None:
        return None
    facts, case_number = found
    rows = (
        await session.execute(
            _BOOKED_AS_OF, {"ids": [case_id], "as_of": as_of, "known_at": known_at}
        )
    ).all()
    booked = fold_booked(rows).get(case_id, _empty())
    book = rates or await RateStore(session).book(RateKind.FORSINKELSESRENTE)
    known = any(row[2] == EntryKind.CLAIM_REGISTERED for row in rows)
    accrual = accrue(
        facts.claim_principals() if known else (),  # not registered by known_at (or as_of)
        sorted(booked.movements, key=lambda m: m.value_date),
        book,
        as_of,
        stop=facts.interest_stops,
        day_count=day_count,
    )
    fees = tuple(
        {
            "kind": r.kind,
            "component": r.component,
            "amount_ore": r.amount_ore,
            "effective_date": r.effective_date,
            "step": r.step,
            "rate_ids": list(r.rate_ids),
            "basis": r.basis,
        }
        for r in await session.execute(
            select(case_fees)
            .join(journal_entries, journal_entries.c.entry_id == case_fees.c.entry_id)
            .where(
                case_fees.c.case_id == case_id,
                case_fees.c.effective_date <= as_of,
                journal_entries.c.recorded_at <= known_at,
            )
            .order_by(case_fees.c.effective_date, case_fees.c.fee_key)
        )
    )
    if fees:  # a fee resting on a figure carried past an unconfirmed row is provisional
        every_row = await RateStore(session).list()
        fees = tuple(
            {
                **f,
                "provisional": rests_on_unconfirmed(f["rate_ids"], f["effective_date"], every_row),
            }
            for f in fees
        )
    paid = tuple(
        {
            "payment_id": r.payment_id,
            "kind": r.kind,
            "value_date": r.value_date,
            "amount_ore": _signed_amount(r.kind, r.amount_ore),
            "covered": {c.value: getattr(r, f"{c.value}_ore") for c in Component},
            "overpaid_ore": r.overpaid_ore,
            "allocation_order": list(r.allocation_order),
        }
        for r in await session.execute(
            select(
                payment_allocations,
                payments.c.amount_ore,
            )
            .outerjoin(payments, payments.c.payment_id == payment_allocations.c.payment_id)
            .where(
                payment_allocations.c.case_id == case_id,
                payment_allocations.c.value_date <= as_of,
                payment_allocations.c.recorded_at <= known_at,
            )
            .order_by(payment_allocations.c.value_date, payment_allocations.c.id)
        )
    )
    return Economy(
        facts=facts,
        case_number=case_number,
        as_of=as_of,
        lines=lines_of(booked, accrual),
        interest=accrual,
        overpaid_ore=booked.overpaid,
        fees=fees,
        payments=paid,
    )


def _signed_amount(kind: str, amount_ore: int | None) -> int:
    """A payment's amount as it counts on the case: taken back (or undone by a
    re-allocation) negative, booked again positive, adjustments 0."""
    if amount_ore is None or kind == "adjustment":
        return 0
    return amount_ore if kind in ("payment", "rebooked") else -amount_ore


def exact_text(value: Fraction) -> str:
    """An exact amount of øre as a decimal with four places (for showing the arithmetic)."""
    scaled = value * 10_000
    whole = scaled.numerator // scaled.denominator
    return f"{whole // 10_000}.{whole % 10_000:04d}"
