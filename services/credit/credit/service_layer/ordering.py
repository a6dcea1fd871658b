"""Ordering a credit report: record it, ask the bureau, record what came back.

Three steps, because the bureau is slow and outside our transaction:

1. the order is checked (creditor, product, purpose, agreement, the price the user
   accepted; read in one statement) and recorded as ``pending`` under its
   Idempotency-Key with its access-log line, in one statement (a transaction of its own);
   a key seen before answers with that order instead (the order row *is* the idempotency
   record, so a replay always tells the order's current state);
2. the bureau is asked, outside any transaction, with the order id as our reference;
3. in one statement the outcome is recorded, only if the order is still as it was seen
   (ADR 0067): ``completed`` with the normalised report (the raw answer sealed),
   ``failed`` with why, or ``unknown`` when the answer was lost after the order may have
   reached the bureau. A completed, priced order emits ``credit.report.purchased.v1``
   through the outbox (in the same statement): the charge. So does a «no match» answer on
   a product whose terms say it is charged (``charge_no_match``, fixed on the order when
   it is placed). Nothing else does.

A company report bought by the same creditor within the reuse window is shown again as a
new, free order instead of a second paid call; a person report never is. An order in
doubt is reconciled by its reference (:func:`reconcile`), never ordered again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from contracts.credit import CreditReportPurchased
from servicekit.idempotency import IdempotencyKeyReused
from servicekit.outbox import envelope_for, outbox_row

from credit.adapters.order_path import OrderPath
from credit.adapters.sealing import Vault
from credit.domain import products, purposes
from credit.domain.agreements import OutsideAgreement
from credit.domain.errors import (
    CreditorNotEnabled,
    InvalidInput,
    OutsideAgreementProblem,
    PriceChanged,
    ProductNotOffered,
)
from credit.domain.orders import FailureCode, OrderStatus, is_settled, transition
from credit.domain.pricing import price_for
from credit.domain.reports import to_document
from credit.domain.subjects import Subject, SubjectKind
from credit.service_layer.ports import (
    Bureau,
    BureauFailed,
    BureauInDoubt,
    BureauOrder,
    BureauRefused,
    BureauReport,
    BureauUnavailable,
)
from credit.service_layer.unit_of_work import CreditUnitOfWork

log = logging.getLogger(__name__)
OSLO = ZoneInfo("Europe/Oslo")

_REFUSALS = {
    "NO_MATCH": FailureCode.NO_MATCH,
    "CREDIT_BLOCKED": FailureCode.SUBJECT_BLOCKED,
    "PRODUCT_NOT_IN_CONTRACT": FailureCode.PRODUCT_NOT_IN_CONTRACT,
}


@dataclass(frozen=True, slots=True)
class OrderingPolicy:
    company_reuse_window: timedelta = timedelta(hours=24)
    raw_retention: timedelta = timedelta(days=30)
    reconcile_after: timedelta = timedelta(minutes=2)
    """How long a pending or unknown order is left alone before it is reconciled."""


@dataclass
class OrderingContext:
    uow: Callable[[], CreditUnitOfWork]
    path: OrderPath
    bureau: Bureau
    vault: Vault
    policy: OrderingPolicy
    now: Callable[[], datetime] = lambda: datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class PlaceOrder:
    creditor_id: uuid.UUID
    user_id: uuid.UUID
    organisation_id: uuid.UUID
    idempotency_key: str
    fingerprint: str
    product_code: str
    subject: Subject
    purpose: purposes.StatedPurpose
    accepted_price_ore: int
    ip: str | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the bureau's answer came to."""

    status: OrderStatus
    failure_code: FailureCode | None = None
    report: BureauReport | None = None
    allowed_purposes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Placed:
    """What :func:`place_order` did: the order, whether it was a replay, and, when this
    call settled it, the order's and its report's rows as committed (else they are read)."""

    order_id: uuid.UUID
    replayed: bool
    order: dict[str, Any] | None = None
    report: dict[str, Any] | None = None
    bureau_seconds: float | None = None
    """How long the bureau took to answer this call (``None``: the bureau was not asked)."""


async def place_order(ctx: OrderingContext, cmd: PlaceOrder) -> Placed:
    """Order a report (or replay the order under this key)."""
    order_id, request, recorded = await _record_order(ctx, cmd)
    if request is None or recorded is None:
        return Placed(order_id, replayed=True)  # a replay, or a report shown again
    asked = time.perf_counter()
    outcome = await _ask_bureau(ctx.bureau, request)
    bureau_seconds = time.perf_counter() - asked
    settled = await _record_outcome(ctx, order_id, recorded, OrderStatus.PENDING, outcome)
    if settled is None:
        return Placed(order_id, replayed=False, bureau_seconds=bureau_seconds)
    return Placed(
        order_id,
        replayed=False,
        order=settled[0],
        report=settled[1],
        bureau_seconds=bureau_seconds,
    )


async def _record_order(
    ctx: OrderingContext, cmd: PlaceOrder
) -> tuple[uuid.UUID, BureauOrder | None, dict[str, Any] | None]:
    """The order checked and recorded; its id, what to ask the bureau (None: a replay or
    a report shown again) and the order's row as recorded (None: a replay)."""
    subject = cmd.subject
    index = ctx.vault.subject_index(subject.kind.value, subject.identifier)
    now = ctx.now()
    today = now.astimezone(OSLO).date()
    async with ctx.path.connection() as driver:
        terms = await ctx.path.terms(
            driver,
            creditor_id=cmd.creditor_id,
            user_id=cmd.user_id,
            idempotency_key=cmd.idempotency_key,
            product_code=cmd.product_code,
            on=today,
            subject_kind=subject.kind.value,
            subject_index=index,
            reuse_since=now - ctx.policy.company_reuse_window,
        )
        if terms.existing is not None:
            return _replay(terms.existing, cmd), None, None
        creditor = terms.creditor
        if creditor is None or not creditor["active"]:
            raise CreditorNotEnabled("This organisation cannot order credit reports.")
        product = products.product(cmd.product_code)
        if product is None:
            raise InvalidInput("product_code", "unknown-product")
        if product.subject_kind is not subject.kind:
            raise InvalidInput("product_code", "product-not-for-subject")
        try:
            purpose = purposes.check(cmd.purpose)
        except purposes.PurposeRefused as exc:
            raise InvalidInput(exc.field, exc.code) from exc
        try:
            terms.agreement.check(product.code, purpose.code.value)
        except OutsideAgreement as exc:
            raise OutsideAgreementProblem(exc.field, exc.code) from exc
        price = price_for(product.code, cmd.creditor_id, today, terms.lists)
        if price is None:
            raise ProductNotOffered("This product has no price for your organisation.")
        if cmd.accepted_price_ore != price.unit_price_ore:
            error = PriceChanged(
                "The price changed since it was shown; look at the new price and order again.",
                errors=[
                    {
                        "field": "accepted_price_ore",
                        "reason": "price-changed",
                        "code": "price-changed",
                    }
                ],
            )
            error.extensions = {
                "unit_price_ore": price.unit_price_ore,
                "vat_ore": price.vat_ore,
                "vat_code": price.vat_code,
            }
            raise error
        order_id = uuid.uuid4()
        # a person's report is never shown again (the statement looks for companies only)
        reused = terms.reusable
        values: dict[str, Any] = {
            "id": order_id,
            "creditor_id": cmd.creditor_id,
            "ordered_by": cmd.user_id,
            "idempotency_key": cmd.idempotency_key,
            "request_fingerprint": cmd.fingerprint,
            "product_code": product.code,
            "subject_kind": subject.kind.value,
            "subject_organisation_number": (
                subject.identifier if subject.kind is SubjectKind.COMPANY else None
            ),
            "subject_national_id_sealed": (
                ctx.vault.seal_national_id(order_id, subject.identifier)
                if subject.kind is SubjectKind.PERSON
                else None
            ),
            "subject_index": index,
            "subject_masked": subject.masked,
            "purpose_code": purpose.code.value,
            "purpose_text": purpose.text,
            "case_id": purpose.case_id,
            "relationship_declared": purpose.relationship_declared,
            "price_ore": 0 if reused else price.unit_price_ore,
            "vat_ore": 0 if reused else price.vat_ore,
            "vat_code": price.vat_code,
            "price_list_id": price.price_list_id,
            "charge_no_match": terms.charge_no_match,
            "status": OrderStatus.COMPLETED.value if reused else OrderStatus.PENDING.value,
            "bureau": ctx.bureau.name,
            "reused_from": reused,
            "settled_at": now if reused else None,
        }
        access = {
            "action": "order",
            "user_id": cmd.user_id,
            "organisation_id": cmd.organisation_id,
            "purpose_code": purpose.code.value,
            "ip": cmd.ip,
        }
        if not await ctx.path.add(driver, values, access):
            # the same key, at the same time: the other request's order is the answer
            async with ctx.uow() as uow:
                existing = await uow.orders.by_key(
                    cmd.creditor_id, cmd.user_id, cmd.idempotency_key
                )
            assert existing is not None
            return _replay(existing, cmd), None, None
    if reused:
        return order_id, None, values
    return (
        order_id,
        BureauOrder(
            reference=order_id,
            product_code=product.code,
            subject=subject,
            purpose_code=purpose.code.value,
            end_user_name=creditor["name"],
            end_user_organisation_number=creditor["organisation_number"],
        ),
        values,
    )


def _replay(existing: dict[str, Any], cmd: PlaceOrder) -> uuid.UUID:
    if existing["request_fingerprint"] != cmd.fingerprint:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was used for a different order; use a new key.",
            errors=[
                {
                    "field": "Idempotency-Key",
                    "reason": "idempotency-key-reused",
                    "code": "idempotency-key-reused",
                }
            ],
        )
    order_id: uuid.UUID = existing["id"]
    return order_id


async def _ask_bureau(bureau: Bureau, request: BureauOrder) -> Outcome:
    try:
        report = await bureau.order_report(request)
    except BureauRefused as exc:
        code = _REFUSALS.get(exc.code, FailureCode.BUREAU_ERROR)
        return Outcome(OrderStatus.FAILED, code, allowed_purposes=exc.allowed_purposes)
    except BureauUnavailable:
        return Outcome(OrderStatus.FAILED, FailureCode.BUREAU_UNAVAILABLE)
    except BureauFailed:
        return Outcome(OrderStatus.FAILED, FailureCode.BUREAU_ERROR)
    except BureauInDoubt:
        return Outcome(OrderStatus.UNKNOWN, FailureCode.BUREAU_TIMEOUT)
    except Exception:  # our own bug after the request may have left: in doubt, not failed
        log.exception(
            "unexpected error ordering a credit report", extra={"order_id": str(request.reference)}
        )
        return Outcome(OrderStatus.UNKNOWN, FailureCode.BUREAU_ERROR)
    return Outcome(OrderStatus.COMPLETED, report=report)


async def _record_outcome(
    ctx: OrderingContext,
    order_id: uuid.UUID,
    order: dict[str, Any],
    expected: OrderStatus,
    outcome: Outcome,
) -> tuple[dict[str, Any], dict[str, Any] | None] | None:
    """Record the outcome of ``order`` (its row as recorded: what it costs, who ordered
    it, for what) in one statement; the order's row as committed and its report's, or
    None (nothing written) when someone else (a reconciliation) settled it first."""
    transition(expected, outcome.status)
    now = ctx.now()
    purchased_on: date | None = None
    report: dict[str, Any] | None = None
    document: dict[str, Any] | None = None
    if outcome.status is OrderStatus.COMPLETED:
        assert outcome.report is not None
        purchased_on = now.astimezone(OSLO).date()
        document, report = _report_row(ctx, order_id, outcome.report, now)
    elif charges_no_match(order, outcome):
        purchased_on = now.astimezone(OSLO).date()
    event: dict[str, Any] | None = None
    if purchased_on is not None and order["price_ore"] > 0:
        row = outbox_row(
            envelope_for(
                CreditReportPurchased(
                    order_id=order_id,
                    creditor_id=order["creditor_id"],
                    product_code=order["product_code"],
                    price_ore=order["price_ore"],
                    vat_ore=order["vat_ore"],
                    vat_code=order["vat_code"],
                    purchased_on=purchased_on,
                    purchased_at=now,
                    ordered_by=order["ordered_by"],
                    case_id=order["case_id"],
                )
            )
        )
        event = {**row, "trace_headers": json.dumps(row["trace_headers"])}
    async with ctx.path.connection() as driver:
        settled = await ctx.path.settle(
            driver,
            order_id,
            from_status=expected.value,
            to_status=outcome.status.value,
            failure_code=outcome.failure_code.value if outcome.failure_code else None,
            bureau_reference=outcome.report.bureau_reference if outcome.report else None,
            allowed_purposes=(
                json.dumps(list(outcome.allowed_purposes)) if outcome.allowed_purposes else None
            ),
            purchased_on=purchased_on,
            settled=is_settled(outcome.status),
            report=report,
            event=event,
        )
    if settled is None:
        return None  # someone else (a reconciliation) got there first
    if report is None or document is None:
        return settled, None
    return settled, {**report, "document": document, "redacted_at": None}


def charges_no_match(order: dict[str, Any], outcome: Outcome) -> bool:
    """A «no match» answer is charged only where the product's terms (stored on the order
    when it was placed) say so; every other failure is free."""
    return (
        outcome.status is OrderStatus.FAILED
        and outcome.failure_code is FailureCode.NO_MATCH
        and bool(order["charge_no_match"])
    )


def _report_row(
    ctx: OrderingContext, order_id: uuid.UUID, answer: BureauReport, now: datetime
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The report's document and its row to store (the document as JSON, the bureau's
    answer sealed once)."""
    report = answer.report
    document = to_document(report)
    return document, {
        "as_of": report.as_of,
        "fetched_at": now,
        "score": report.score,
        "risk_class": report.risk_class,
        "credit_limit_ore": report.credit_limit_ore,
        "remarks_count": report.remarks_count,
        "remarks_total_ore": report.remarks_total_ore,
        "credit_block": report.credit_block,
        "document": json.dumps(document),
        "payload_sealed": ctx.vault.seal_payload(order_id, answer.payload),
        "payload_sha256": hashlib.sha256(answer.payload).hexdigest(),
        "redact_after": now + ctx.policy.raw_retention,
    }


async def reconcile(ctx: OrderingContext, order_id: uuid.UUID, *, force: bool = False) -> str:
    """Settle an order in doubt by its reference at the bureau; returns its status after.

    A ``pending`` or ``unknown`` order younger than the policy's ``reconcile_after`` is left
    alone (it may still be on its way) unless ``force``. Found at the bureau: completed and
    charged; not found: failed, nothing charged; the bureau cannot say: left as it is.
    """
    async with ctx.uow() as uow:
        order = await uow.orders.get(order_id)
    if order is None:
        raise LookupError(order_id)
    status = OrderStatus(order["status"])
    if is_settled(status):
        return status.value
    young = order["created_at"] > ctx.now() - ctx.policy.reconcile_after
    if young and not force:
        return status.value
    try:
        found = await ctx.bureau.find_report(order_id, order["product_code"])
    except (BureauUnavailable, BureauFailed, BureauInDoubt):
        return status.value
    outcome = (
        Outcome(OrderStatus.COMPLETED, report=found)
        if found is not None
        else Outcome(OrderStatus.FAILED, FailureCode.NOT_RECEIVED)
    )
    await _record_outcome(ctx, order_id, order, status, outcome)
    async with ctx.uow() as uow:
        after = await uow.orders.get(order_id)
    assert after is not None
    result: str = after["status"]
    return result


async def reconcile_due(ctx: OrderingContext, limit: int = 100) -> dict[str, int]:
    """Reconcile every order in doubt older than the policy allows; counts by outcome."""
    async with ctx.uow() as uow:
        due = await uow.orders.in_doubt(ctx.now() - ctx.policy.reconcile_after, limit)
    counts: dict[str, int] = {}
    for order_id in due:
        status = await reconcile(ctx, order_id)
        counts[status] = counts.get(status, 0) + 1
    return counts
