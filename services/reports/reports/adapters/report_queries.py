"""The catalogue's reports as queries over the read model, columns in definition order."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, case, cast, func, literal, select
from sqlalchemy.types import BigInteger, Date, Float, Integer, Numeric

from reports.adapters.orm import cases, payments, settlement_lines, settlements
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


def payments_settled(p: ReportParameters) -> Select[Any]:
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


def _case_filters(p: ReportParameters, *, status: bool = True) -> list[Any]:
    """Scope, registration period, debtor kind, batch and (when it applies) status."""
    conditions = _scoped(cases.c.creditor_id, p) + _registered_between(p)
    if status and p.status is not None:
        conditions.append(cases.c.status == p.status)
    if p.batch_id is not None:
        conditions.append(cases.c.batch_id == p.batch_id)
    return conditions


def open_by_status(p: ReportParameters) -> Select[Any]:
    """Open cases per status: how many, their principal, what is outstanding."""
    c = cases.c
    return (
        select(
            c.status,
            func.count(),
            _total(c.principal_ore),
            _total(func.coalesce(c.principal_outstanding_ore, c.principal_ore)),
            _total(func.coalesce(c.balance_ore, c.principal_ore)),
        )
        .where(and_(*_case_filters(p), c.status != "closed"))
        .group_by(c.status)
        .order_by(c.status)
    )


def _recovered_per_case(until: date | None = None) -> Any:
    """Principal recovered and the first value date per case, from the payments booked
    (with a value date up to ``until``, if given)."""
    return (
        select(
            payments.c.case_id,
            func.sum(payments.c.principal_ore).label("principal"),
            func.min(payments.c.value_date).label("first_paid"),
        )
        .where(payments.c.value_date <= until if until is not None else literal(True))
        .group_by(payments.c.case_id)
        .subquery("recovered")
    )


def closed_cases(p: ReportParameters) -> Select[Any]:
    """Closed cases per month of closing and closing code, with the principal recovered.

    The period selects on the closing date (not the registration)."""
    c = cases.c
    recovered = _recovered_per_case()
    month = func.to_char(c.closed_on, "YYYY-MM")
    conditions = [*_scoped(c.creditor_id, p), c.closed_on.is_not(None)]
    if p.period_from is not None:
        conditions.append(c.closed_on >= p.period_from)
    if p.period_to is not None:
        conditions.append(c.closed_on <= p.period_to)
    if p.debtor_kind is not None:
        conditions.append(c.debtor_kind == p.debtor_kind)
    if p.batch_id is not None:
        conditions.append(c.batch_id == p.batch_id)
    reason = func.coalesce(c.close_reason, "")
    return (
        select(
            month,
            reason,
            func.count(),
            _total(c.principal_ore),
            _total(func.coalesce(recovered.c.principal, 0)),
        )
        .select_from(cases.outerjoin(recovered, recovered.c.case_id == c.case_id))
        .where(and_(*conditions))
        .group_by(month, reason)
        .order_by(month, reason)
    )


def _registration_month() -> Any:
    return func.to_char(func.timezone("Europe/Oslo", cases.c.registered_at), "YYYY-MM")


def recovery_rate(p: ReportParameters) -> Select[Any]:
    """Per month of registration (a cohort): principal recovered / principal registered."""
    c = cases.c
    recovered = _recovered_per_case()
    month = _registration_month()
    registered = func.sum(c.principal_ore)
    recovered_sum = func.sum(func.coalesce(recovered.c.principal, 0))
    rate = cast(
        func.round(cast(recovered_sum * 100, Numeric) / func.nullif(registered, 0), 1),
        Float,
    )
    return (
        select(
            month,
            func.count(),
            func.count(recovered.c.case_id),
            cast(registered, BigInteger),
            cast(recovered_sum, BigInteger),
            rate,
        )
        .select_from(cases.outerjoin(recovered, recovered.c.case_id == c.case_id))
        .where(and_(*_case_filters(p)))
        .group_by(month)
        .order_by(month)
    )


def time_to_first_payment(p: ReportParameters) -> Select[Any]:
    """Per month of registration: days from registration to the first payment's value date
    (mean and median, whole days; ``None`` when no case of the month has paid)."""
    c = cases.c
    recovered = _recovered_per_case()
    month = _registration_month()
    days = recovered.c.first_paid - _registered_on()
    return (
        select(
            month,
            func.count(),
            func.count(recovered.c.case_id),
            cast(func.round(func.avg(days)), Integer),
            cast(func.round(func.percentile_cont(0.5).within_group(days)), Integer),
        )
        .select_from(cases.outerjoin(recovered, recovered.c.case_id == c.case_id))
        .where(and_(*_case_filters(p)))
        .group_by(month)
        .order_by(month)
    )


def settlements_per_period(p: ReportParameters) -> Select[Any]:
    """Settlements per month of payout: how many, lines, collected, commission, paid out."""
    s = settlements.c
    day = func.coalesce(s.payout_date, s.period_end)
    month = func.to_char(day, "YYYY-MM")
    conditions = _scoped(s.creditor_id, p)
    if p.period_from is not None:
        conditions.append(day >= p.period_from)
    if p.period_to is not None:
        conditions.append(day <= p.period_to)
    return (
        select(
            month,
            func.count(),
            cast(func.sum(s.line_count), BigInteger),
            _total(s.collected_ore),
            _total(s.commission_ore),
            _total(s.credit_report_charges_ore),
            _total(s.payout_ore),
        )
        .where(and_(*conditions))
        .group_by(month)
        .order_by(month)
    )


def query_for(code: str, p: ReportParameters, today: date) -> Select[Any]:
    """The query of the report ``code`` (a catalogue code)."""
    builders = {
        "saksliste": case_list,
        "nye_saker": new_cases,
        "innbetalinger": payments_settled,
        "avregninger": settlement_list,
        "statusrapport": open_by_status,
        "avsluttede_saker": closed_cases,
        "losningsgrad": recovery_rate,
        "tid_til_forste_innbetaling": time_to_first_payment,
        "avregninger_per_periode": settlements_per_period,
    }
    if code == "aldersfordeling":
        return ageing(p, today)
    return builders[code](p)


def recovery_total(p: ReportParameters) -> Select[Any]:
    """Cases in scope registered up to ``period_to``: how many, principal registered, and
    principal recovered by payments with a value date up to ``period_to``."""
    recovered = _recovered_per_case(p.period_to)
    return (
        select(
            func.count(),
            func.coalesce(_total(cases.c.principal_ore), 0),
            func.coalesce(_total(recovered.c.principal), 0),
        )
        .select_from(cases.outerjoin(recovered, recovered.c.case_id == cases.c.case_id))
        .where(and_(*_scoped(cases.c.creditor_id, p), *_registered_between(p)))
    )


def collected_per_month(p: ReportParameters, since: date, until: date) -> Select[Any]:
    """Payments booked (their amount) per month of value date, ``since`` to ``until``."""
    month = func.to_char(payments.c.value_date, "YYYY-MM")
    v = payments.c.value_date
    return (
        select(month, _total(payments.c.amount_ore))
        .where(and_(*_scoped(payments.c.creditor_id, p), v >= since, v <= until))
        .group_by(month)
        .order_by(month)
    )
