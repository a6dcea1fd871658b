"""Read side of the credit service: orders, history, spend and specifications."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from credit.adapters.orm import creditors, orders, reports


async def creditor(
    session_factory: async_sessionmaker[AsyncSession], organisation_id: uuid.UUID
) -> dict[str, Any] | None:
    async with session_factory() as session:
        row = (
            (
                await session.execute(
                    select(creditors).where(creditors.c.organisation_id == organisation_id)
                )
            )
            .mappings()
            .first()
        )
    return dict(row) if row else None


def order_document(row: dict[str, Any], report: dict[str, Any] | None = None) -> dict[str, Any]:
    """An order as the API shows it (no national id, ever)."""
    return {
        "id": row["id"],
        "status": row["status"],
        "failure_code": row["failure_code"],
        "product_code": row["product_code"],
        "subject": {"kind": row["subject_kind"], "display": row["subject_masked"]},
        "purpose": {
            "code": row["purpose_code"],
            "text": row["purpose_text"],
            "case_id": row["case_id"],
            "relationship_declared": row["relationship_declared"],
        },
        "price": {
            "unit_price_ore": row["price_ore"],
            "vat_ore": row["vat_ore"],
            "total_ore": row["price_ore"] + row["vat_ore"],
            "vat_code": row["vat_code"],
        },
        "creditor_id": row["creditor_id"],
        "ordered_by": row["ordered_by"],
        "created_at": row["created_at"],
        "settled_at": row["settled_at"],
        "purchased_on": row["purchased_on"],
        "charged": row["purchased_on"] is not None and row["price_ore"] > 0,
        "reused_from": row["reused_from"],
        "allowed_purposes": row["allowed_purposes"],
        "report": None if report is None else _report(report),
    }


def _report(report: dict[str, Any]) -> dict[str, Any]:
    return {
        **report["document"],
        "fetched_at": report["fetched_at"].isoformat(),
        "redacted": report["redacted_at"] is not None,
    }


def _month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    following = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return first, following


async def history(
    session: AsyncSession,
    creditor_id: uuid.UUID | None,
    *,
    case_id: str | None = None,
    from_date: date | None = None,
    to_date: date | None = None,
    limit: int = 100,
    before: uuid.UUID | None = None,
) -> list[dict[str, Any]]:
    """Orders, newest first (of one creditor, or of all for agency staff)."""
    query = select(orders).order_by(orders.c.created_at.desc(), orders.c.id.desc()).limit(limit)
    if creditor_id is not None:
        query = query.where(orders.c.creditor_id == creditor_id)
    if case_id is not None:
        query = query.where(orders.c.case_id == case_id)
    if from_date is not None:
        query = query.where(
            func.date(func.timezone("Europe/Oslo", orders.c.created_at)) >= from_date
        )
    if to_date is not None:
        query = query.where(func.date(func.timezone("Europe/Oslo", orders.c.created_at)) <= to_date)
    if before is not None:
        pivot = select(orders.c.created_at).where(orders.c.id == before).scalar_subquery()
        query = query.where(orders.c.created_at < pivot)
    rows = (await session.execute(query)).mappings().all()
    return [order_document(dict(r)) for r in rows]


async def charged_lines(
    session: AsyncSession, creditor_id: uuid.UUID, month: date
) -> list[dict[str, Any]]:
    """The month's charged orders (completed, or a charged «no match»; priced), oldest
    first: the specification."""
    first, following = _month_bounds(month)
    rows = (
        (
            await session.execute(
                select(orders)
                .where(
                    orders.c.creditor_id == creditor_id,
                    orders.c.purchased_on.is_not(None),
                    orders.c.price_ore > 0,
                    orders.c.purchased_on >= first,
                    orders.c.purchased_on < following,
                )
                .order_by(orders.c.purchased_on, orders.c.created_at)
            )
        )
        .mappings()
        .all()
    )
    return [
        {
            "order_id": r["id"],
            "purchased_on": r["purchased_on"],
            "subject": r["subject_masked"],
            "product_code": r["product_code"],
            "purpose_code": r["purpose_code"],
            "case_id": r["case_id"],
            "ordered_by": r["ordered_by"],
            "price_ore": r["price_ore"],
            "vat_ore": r["vat_ore"],
            "no_match": r["failure_code"] == "no-match",
        }
        for r in rows
    ]


async def spend_by_creditor(session: AsyncSession, month: date) -> list[dict[str, Any]]:
    """Every known creditor's charged orders in the month, in one query (by name)."""
    first, following = _month_bounds(month)
    charged = (
        select(
            orders.c.creditor_id,
            func.count().label("orders"),
            func.sum(orders.c.price_ore).label("price_ore"),
            func.sum(orders.c.vat_ore).label("vat_ore"),
        )
        .where(
            orders.c.purchased_on.is_not(None),
            orders.c.price_ore > 0,
            orders.c.purchased_on >= first,
            orders.c.purchased_on < following,
        )
        .group_by(orders.c.creditor_id)
        .subquery()
    )
    rows = (
        await session.execute(
            select(
                creditors.c.organisation_id,
                creditors.c.name,
                func.coalesce(charged.c.orders, 0),
                func.coalesce(charged.c.price_ore, 0),
                func.coalesce(charged.c.vat_ore, 0),
            )
            .select_from(
                creditors.outerjoin(charged, charged.c.creditor_id == creditors.c.organisation_id)
            )
            .order_by(creditors.c.name, creditors.c.organisation_id)
        )
    ).all()
    return [
        {
            "creditor_id": creditor_id,
            "name": name,
            "orders": int(count),
            "price_ore": int(price),
            "vat_ore": int(vat),
            "total_ore": int(price) + int(vat),
        }
        for creditor_id, name, count, price, vat in rows
    ]


async def order_rows_for_subject(session: AsyncSession, subject_index: str) -> list[dict[str, Any]]:
    rows = (
        (
            await session.execute(
                select(orders)
                .where(orders.c.subject_index == subject_index)
                .order_by(orders.c.created_at)
            )
        )
        .mappings()
        .all()
    )
    return [dict(r) for r in rows]


async def report_row(session: AsyncSession, order_id: uuid.UUID) -> dict[str, Any] | None:
    row = (
        (await session.execute(select(reports).where(reports.c.order_id == order_id)))
        .mappings()
        .first()
    )
    return dict(row) if row else None
