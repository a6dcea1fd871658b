"""The catalogue's reports as queries over the read model, columns in definition order."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, case, cast, func, literal, select
from sqlalchemy.types import BigInteger, Date

from reports.adapters.orm import cases, settlement_lines, settlements
from reports.domain.catalogue import AGEING_BUCKETS

OSLO = ZoneInfo("Europe/Oslo")


@dataclass(frozen=True, slots=True)
class ReportParameters:
    """A run's filters; ``tenant`` (from the token) always applies, ``creditor_id`` is an
    agency user's choice."""

    tenant: uuid.UUID | None
    creditor_id: uuid.UUID | None = None
    period_from: date | None = None
    period_to: date | None = None
    status: str | None = None
    debtor_kind: str | None = None
    batch_id: uuid.UUID | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            k: str(v)
            for k, v in (
                ("creditor_id", self.creditor_id),
                ("period_from", self.period_from),
                ("period_to", self.period_to),
                ("status", self.status),
                ("debtor_kind", self.debtor_kind),
                ("batch_id", self.batch_id),
            )
            if v is not None
        }


def _total(column: Any) -> Any:
    """A sum of øre as an integer (PostgreSQL sums BIGINT as NUMERIC)."""
    return cast(func.sum(column), BigInteger)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=OSLO)


def _scoped(column: Any, p: ReportParameters) -> list[Any]:
    conditions = []
    if p.tenant is not None:
        conditions.append(column == p.tenant)
    if p.creditor_id is not None:
        conditions.append(column == p.creditor_id)
    return conditions


def _registered_between(p: ReportParameters) -> list[Any]:
    conditions = []
    if p.period_from is not None:
        conditions.append(cases.c.registered_at >= _midnight(p.period_from))
    if p.period_to is not None:
        conditions.append(cases.c.registered_at < _midnight(p.period_to + timedelta(days=1)))
    if p.debtor_kind is not None:
        conditions.append(cases.c.debtor_kind == p.debtor_kind)
    return conditions


def _registered_on() -> Any:
    return cast(func.timezone("Europe/Oslo", cases.c.registered_at), Date)


def case_list(p: ReportParameters) -> Select[Any]:
    c = cases.c
    conditions = _scoped(c.creditor_id, p) + _registered_between(p)
    if p.status is not None:
        conditions.append(c.status == p.status)
    if p.batch_id is not None:
        conditions.append(c.batch_id == p.batch_id)
    return (
        select(
            c.case_number,
            c.creditor_reference,
            func.coalesce(c.debtor_name, ""),
            c.debtor_kind,
            c.status,
            _registered_on(),
            c.due_date,
            c.principal_ore,
            func.coalesce(c.principal_outstanding_ore, c.principal_ore),
            func.coalesce(c.balance_ore, c.principal_ore),
            c.closed_on,
            func.coalesce(c.close_reason, ""),
        )
        .where(and_(*conditions))
        .order_by(c.registered_at, c.case_number)
    )


def new_cases(p: ReportParameters) -> Select[Any]:
    month = func.to_char(func.timezone("Europe/Oslo", cases.c.registered_at), "YYYY-MM")
    return (
        select(month.label("maned"), func.count(), _total(cases.c.principal_ore))
        .where(and_(*_scoped(cases.c.creditor_id, p), *_registered_between(p)))
        .group_by(month)
        .order_by(month)
    )


def ageing(p: ReportParameters, today: date) -> Select[Any]:
    c = cases.c
    as_of = p.period_to or today
    days = literal(as_of) - c.due_date
    bucket = case(
        *[
            (days <= high, code) if high is not None else (days >= low, code)
            for code, low, high in AGEING_BUCKETS
        ],
        else_=AGEING_BUCKETS[-1][0],
    )
    order = case(*[(bucket == code, i) for i, (code, _, _) in enumerate(AGEING_BUCKETS)], else_=99)
    conditions = [*_scoped(c.creditor_id, p), c.status != "closed"]
    if p.debtor_kind is not None:
        conditions.append(c.debtor_kind == p.debtor_kind)
    if p.period_from is not None:
        conditions.append(c.registered_at >= _midnight(p.period_from))
    conditions.append(c.registered_at < _midnight(as_of + timedelta(days=1)))
    return (
        select(
            bucket.label("bucket"),
            func.count(),
            _total(func.coalesce(c.principal_outstanding_ore, c.principal_ore)),
        )
        .where(and_(*conditions))
        .group_by(bucket)
        .order_by(func.min(order))
    )


def payments(p: ReportParameters) -> Select[Any]:
    line, s, c = settlement_lines.c, settlements.c, cases.c
    conditions = _scoped(s.creditor_id, p)
    if p.period_from is not None:
        conditions.append(line.value_date >= p.period_from)
    if p.period_to is not None:
        conditions.append(line.value_date <= p.period_to)
    return (
        select(
            line.value_date,
            c.case_number,
            c.creditor_reference,
            line.principal_ore,
            line.interest_ore,
            line.reminder_fees_ore,
            line.collection_fees_ore,
            line.court_fees_ore,
            line.commission_ore,
            line.net_ore,
            s.settlement_number,
        )
        .select_from(
            settlement_lines.join(settlements, s.settlement_id == line.settlement_id).join(
                cases, c.case_id == line.case_id
            )
        )
        .where(and_(*conditions))
        .order_by(line.value_date, c.case_number, line.line_id)
    )


def settlement_list(p: ReportParameters) -> Select[Any]:
    s = settlements.c
    day = func.coalesce(s.payout_date, s.period_end)
    conditions = _scoped(s.creditor_id, p)
    if p.period_from is not None:
        conditions.append(day >= p.period_from)
    if p.period_to is not None:
        conditions.append(day <= p.period_to)
    return (
        select(
            s.settlement_number,
            s.period_end,
            s.payout_date,
            s.line_count,
            s.collected_ore,
            s.commission_ore,
            s.credit_report_charges_ore,
            s.payout_ore,
        )
        .where(and_(*conditions))
        .order_by(day, s.settlement_number)
    )


def query_for(code: str, p: ReportParameters, today: date) -> Select[Any]:
    """The query of the report ``code`` (a catalogue code)."""
    builders = {
        "saksliste": case_list,
        "nye_saker": new_cases,
        "innbetalinger": payments,
        "avregninger": settlement_list,
    }
    if code == "aldersfordeling":
        return ageing(p, today)
    return builders[code](p)
