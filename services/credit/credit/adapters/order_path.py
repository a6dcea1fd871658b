"""The order path's three statements, on the driver (asyncpg) of a pooled connection.

An order costs three statements: what the order needs to be checked (:meth:`OrderPath.
terms`), the order recorded (:meth:`OrderPath.add`) and its outcome recorded
(:meth:`OrderPath.settle`). Each is one statement and so one transaction of its own: the
writes of each are data-modifying CTEs, all or nothing; no ``BEGIN``/``COMMIT`` round
trips. The reads of the first transaction took no locks under READ COMMITTED, so reading
them in a statement of their own changes nothing. The settlement's ``UPDATE … WHERE status
= expected`` is the guard the row lock was: a reconciliation that got there first leaves
it nothing to update, and then nothing else is written either (ADR 0067).

The statements are fixed texts with positional parameters: no SQL is compiled per call
(SQLAlchemy's statement building and execution was most of an order's CPU). Each still
gets the client span every statement gets (``servicekit.telemetry.SqlSpans``). JSON
columns go as text; the engine's connections decode them (SQLAlchemy's asyncpg codecs).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import asyncpg
from opentelemetry import trace
from opentelemetry.trace import Status, StatusCode
from servicekit.outbox import relay_waker
from servicekit.telemetry import SqlSpans
from sqlalchemy.ext.asyncio import AsyncEngine

from credit.domain.agreements import Agreement
from credit.domain.pricing import PriceItem, PriceList

_TERMS = """
SELECT o.id AS existing_id, o.request_fingerprint AS existing_fingerprint,
       c.organisation_id IS NOT NULL AS creditor_known, c.active AS creditor_active,
       c.name AS creditor_name, c.organisation_number AS creditor_organisation_number,
       a.products AS agreed_products, a.purposes AS agreed_purposes,
       coalesce(p.charge_no_match, false) AS charge_no_match,
       (SELECT array_agg(row(l.id, l.creditor_id, l.valid_from, l.valid_to, l.name,
                             i.unit_price_ore, i.vat_code))
          FROM price_lists l
          JOIN price_list_items i ON i.price_list_id = l.id AND i.product_code = $4
         WHERE (l.creditor_id = $1 OR l.creditor_id IS NULL)
           AND l.valid_from <= $5 AND (l.valid_to IS NULL OR l.valid_to > $5)) AS prices,
       (SELECT r.id
          FROM orders r JOIN reports rr ON rr.order_id = r.id
         WHERE $6::text = 'company' AND r.creditor_id = $1 AND r.subject_index = $7
           AND r.product_code = $4 AND r.subject_kind = 'company' AND r.status = 'completed'
           AND r.reused_from IS NULL AND r.created_at >= $8
           AND (rr.document -> 'copy_letter_expected')::boolean IS FALSE
         ORDER BY r.created_at DESC LIMIT 1) AS reusable
  FROM (VALUES (1)) AS one (x)
  LEFT JOIN orders o
         ON o.creditor_id = $1 AND o.ordered_by = $2 AND o.idempotency_key = $3
  LEFT JOIN creditors c ON c.organisation_id = $1
  LEFT JOIN creditor_agreements a ON a.creditor_id = $1
  LEFT JOIN products p ON p.code = $4
"""

ORDER_COLUMNS = (
    "id",
    "creditor_id",
    "ordered_by",
    "idempotency_key",
    "request_fingerprint",
    "product_code",
    "subject_kind",
    "subject_organisation_number",
    "subject_national_id_sealed",
    "subject_index",
    "subject_masked",
    "purpose_code",
    "purpose_text",
    "case_id",
    "relationship_declared",
    "price_ore",
    "vat_ore",
    "vat_code",
    "price_list_id",
    "charge_no_match",
    "status",
    "bureau",
    "reused_from",
    "settled_at",
)
_N = len(ORDER_COLUMNS)
_COPIED = (
    "as_of, fetched_at, score, risk_class, credit_limit_ore, remarks_count, "
    "remarks_total_ore, credit_block, document, payload_sha256, redact_after"
)
# a taken Idempotency-Key writes nothing (the order, its first transition, the access-log
# line of its ordering and, for a company report shown again, the report's copy)
_ADD = f"""
WITH added AS (
  INSERT INTO orders ({", ".join(ORDER_COLUMNS)})
  VALUES ({", ".join(f"${i}" for i in range(1, _N + 1))})
  ON CONFLICT (creditor_id, ordered_by, idempotency_key) DO NOTHING
  RETURNING id, creditor_id, status, failure_code, reused_from
), trail AS (
  INSERT INTO order_transitions (order_id, from_status, to_status, failure_code)
  SELECT id, NULL, status, failure_code FROM added
), logged AS (
  INSERT INTO access_log (order_id, creditor_id, action, user_id, organisation_id,
                          purpose_code, ip)
  SELECT id, creditor_id, ${_N + 1}::text, ${_N + 2}::uuid, ${_N + 3}::uuid,
         ${_N + 4}::text, ${_N + 5}::text
    FROM added
), shown AS (
  INSERT INTO reports (order_id, {_COPIED})
  SELECT a.id, {", ".join(f"r.{c.strip()}" for c in _COPIED.split(","))}
    FROM added a JOIN reports r ON r.order_id = a.reused_from
)
SELECT id FROM added
"""  # noqa: S608 (the columns and placeholders are constants)

# only from the status the caller saw; the transition, the report and the charge's outbox
# row are written only when the order moved (the relay is woken after the commit, ADR 0073)
_SETTLE = """
WITH settled AS (
  UPDATE orders
     SET status = $2::text, failure_code = $3::text,
         bureau_reference = coalesce($4::text, bureau_reference),
         allowed_purposes = coalesce($5::jsonb, allowed_purposes),
         purchased_on = coalesce($6::date, purchased_on),
         settled_at = CASE WHEN $7::boolean THEN now() ELSE settled_at END
   WHERE id = $1 AND status = $8::text
  RETURNING *
), trail AS (
  INSERT INTO order_transitions (order_id, from_status, to_status, failure_code)
  SELECT id, $8::text, $2::text, $3::text FROM settled
), report AS (
  INSERT INTO reports (order_id, as_of, fetched_at, score, risk_class, credit_limit_ore,
                       remarks_count, remarks_total_ore, credit_block, document,
                       payload_sealed, payload_sha256, redact_after)
  SELECT id, $9::date, $10::timestamptz, $11::integer, $12::text, $13::bigint,
         $14::integer, $15::bigint, $16::boolean, $17::jsonb, $18::text, $19::text,
         $20::timestamptz
    FROM settled WHERE $9::date IS NOT NULL
), event AS (
  INSERT INTO outbox (event_id, event_type, routing_key, body, trace_headers)
  SELECT $21::uuid, $22::text, $23::text, $24::text, $25::jsonb
    FROM settled WHERE $21::uuid IS NOT NULL
  RETURNING id
)
SELECT settled.*, (SELECT count(*) FROM event) AS events
  FROM settled
"""
_REPORT_COLUMNS = (
    "as_of",
    "fetched_at",
    "score",
    "risk_class",
    "credit_limit_ore",
    "remarks_count",
    "remarks_total_ore",
    "credit_block",
    "document",
    "payload_sealed",
    "payload_sha256",
    "redact_after",
)
_OUTBOX_COLUMNS = ("event_id", "event_type", "routing_key", "body", "trace_headers")


@dataclass(frozen=True, slots=True)
class Terms:
    """What an order is checked against, read in one statement."""

    existing: dict[str, Any] | None
    """The order already under this Idempotency-Key (``id``, ``request_fingerprint``)."""
    creditor: dict[str, Any] | None
    """``active``, ``name``, ``organisation_number``; None: not a known creditor."""
    agreement: Agreement
    charge_no_match: bool
    lists: list[PriceList]
    """The lists in force that price the product (each with that one item)."""
    reusable: uuid.UUID | None
    """A company report of this creditor on this subject to show again."""


class OrderPath:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.spans = SqlSpans(engine)

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[asyncpg.Connection]:
        """A pooled connection's driver; one that broke in use is not pooled again."""
        async with self.engine.connect() as conn:
            raw = await conn.get_raw_connection()
            try:
                yield raw.driver_connection
            except (OSError, asyncpg.InterfaceError, asyncpg.ConnectionDoesNotExistError):
                await conn.invalidate()
                raise

    async def _fetch(
        self, driver: asyncpg.Connection, sql: str, *args: Any
    ) -> list[asyncpg.Record]:
        name, attributes = self.spans.describe(sql)
        span = self.spans.tracer.start_span(name, kind=trace.SpanKind.CLIENT, attributes=attributes)
        try:
            rows: list[asyncpg.Record] = await driver.fetch(sql, *args)
        except Exception as exc:
            if span.is_recording():
                span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
            raise
        finally:
            span.end()
        return rows

    async def terms(
        self,
        driver: asyncpg.Connection,
        *,
        creditor_id: uuid.UUID,
        user_id: uuid.UUID,
        idempotency_key: str,
        product_code: str,
        on: date,
        subject_kind: str,
        subject_index: str,
        reuse_since: datetime,
    ) -> Terms:
        (row,) = await self._fetch(
            driver,
            _TERMS,
            creditor_id,
            user_id,
            idempotency_key,
            product_code,
            on,
            subject_kind,
            subject_index,
            reuse_since,
        )
        products, purposes = row["agreed_products"], row["agreed_purposes"]
        return Terms(
            existing=None
            if row["existing_id"] is None
            else {"id": row["existing_id"], "request_fingerprint": row["existing_fingerprint"]},
            creditor=None
            if not row["creditor_known"]
            else {
                "active": row["creditor_active"],
                "name": row["creditor_name"],
                "organisation_number": row["creditor_organisation_number"],
            },
            agreement=Agreement(
                creditor_id,
                None if products is None else frozenset(products),
                None if purposes is None else frozenset(purposes),
            ),
            charge_no_match=bool(row["charge_no_match"]),
            lists=[
                PriceList(
                    id=list_id,
                    creditor_id=owner,
                    valid_from=valid_from,
                    valid_to=valid_to,
                    items=(PriceItem(product_code, unit_price_ore, vat_code),),
                    name=name,
                )
                for list_id, owner, valid_from, valid_to, name, unit_price_ore, vat_code in (
                    row["prices"] or ()
                )
            ],
            reusable=row["reusable"],
        )

    async def add(
        self, driver: asyncpg.Connection, values: dict[str, Any], access: dict[str, Any]
    ) -> bool:
        """Record a new order (``values``: every column of :data:`ORDER_COLUMNS`) with its
        first transition, the access-log line of its ordering (``action``, ``user_id``,
        ``organisation_id``, ``purpose_code``, ``ip``) and, when it shows a report again
        (``reused_from``), that report's copy; False, and nothing written, when its
        Idempotency-Key was taken meanwhile."""
        rows = await self._fetch(
            driver,
            _ADD,
            *(values[c] for c in ORDER_COLUMNS),
            access["action"],
            access["user_id"],
            access["organisation_id"],
            access["purpose_code"],
            access["ip"],
        )
        return bool(rows)

    async def settle(
        self,
        driver: asyncpg.Connection,
        order_id: uuid.UUID,
        *,
        from_status: str,
        to_status: str,
        failure_code: str | None,
        bureau_reference: str | None,
        allowed_purposes: str | None,
        purchased_on: date | None,
        settled: bool,
        report: dict[str, Any] | None,
        event: dict[str, Any] | None,
    ) -> dict[str, Any] | None:
        """Move the order on (only from ``from_status``), with its transition, its report
        (the columns of :data:`_REPORT_COLUMNS`, ``document`` as JSON text) and the outbox
        row of its charge (``event_id``, ``event_type``, ``routing_key``, ``body``,
        ``trace_headers`` as JSON text); the order's row as it is now, or None (nothing
        written) when it was no longer ``from_status``. ``allowed_purposes``: JSON text."""
        rows = await self._fetch(
            driver,
            _SETTLE,
            order_id,
            to_status,
            failure_code,
            bureau_reference,
            allowed_purposes,
            purchased_on,
            settled,
            from_status,
            *(
                (None,) * len(_REPORT_COLUMNS)
                if report is None
                else (report[c] for c in _REPORT_COLUMNS)
            ),
            *(
                (None,) * len(_OUTBOX_COLUMNS)
                if event is None
                else (event[c] for c in _OUTBOX_COLUMNS)
            ),
        )
        if not rows:
            return None
        order = dict(rows[0])
        if order.pop("events"):
            relay_waker(self.engine).wake()
        return order
