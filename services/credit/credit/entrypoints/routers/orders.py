"""Credit report orders: buy one (once per Idempotency-Key), read it, list them."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.responses import Response
from servicekit.errors import Forbidden, NotFound
from servicekit.idempotency import fingerprint
from servicekit.openapi import problem_responses
from servicekit.scopes import Scopes, client_scope
from servicekit.types import Text

from credit import views
from credit.adapters import report_pdf
from credit.domain import subjects
from credit.domain.errors import InvalidInput, OrderProblem, ReportNotAvailable
from credit.domain.orders import FailureCode
from credit.domain.purposes import StatedPurpose
from credit.entrypoints.deps import (
    IdempotencyKey,
    Orderer,
    ReportReader,
    ServiceDep,
    client_ip,
    creditor_scope,
    reader,
)
from credit.entrypoints.schemas import (
    OrderIn,
    OrderListOut,
    OrderOut,
    ReconciliationOut,
    SubjectIn,
)
from credit.service_layer import access, ordering

router = APIRouter(prefix="/api/v1/credit", tags=["orders"])

# failure code → (HTTP status, title) of the problem an order that failed answers with
_FAILURES: dict[str, tuple[int, str]] = {
    FailureCode.NO_MATCH: (422, "No match at the bureau"),
    FailureCode.SUBJECT_BLOCKED: (423, "The subject has a credit block"),
    FailureCode.PRODUCT_NOT_IN_CONTRACT: (502, "The bureau does not sell this product to us"),
    FailureCode.BUREAU_UNAVAILABLE: (503, "The bureau is unavailable"),
    FailureCode.BUREAU_ERROR: (502, "The bureau failed"),
    FailureCode.BUREAU_TIMEOUT: (504, "No answer from the bureau in time"),
    FailureCode.NOT_RECEIVED: (502, "The bureau did not receive the order"),
}


def parse_subject(subject: SubjectIn) -> subjects.Subject:
    try:
        if subject.kind == "company":
            return subjects.company(subject.organisation_number or "")
        return subjects.person(subject.national_id or "")
    except subjects.InvalidSubject as exc:
        raise InvalidInput(exc.field, exc.code) from exc


def _subject_field(order: dict[str, Any]) -> str:
    kind = order["subject_kind"]
    return "subject.organisation_number" if kind == "company" else "subject.national_id"


def answer(
    order: dict[str, Any],
    report: dict[str, Any] | None,
    replayed: bool,
    bureau_seconds: float | None = None,
) -> Response:
    """The order's answer by its state: 201 completed, 202 on its way, else a problem.

    When this call asked the bureau, ``Server-Timing: bureau;dur=<ms>`` says how long the
    bureau took (W3C Server Timing), so a client or a benchmark can tell the bureau's
    time from ours.
    """
    headers = {"Location": f"/api/v1/credit/orders/{order['id']}"}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    if bureau_seconds is not None:
        headers["Server-Timing"] = f"bureau;dur={bureau_seconds * 1000:.1f}"
    if order["status"] in ("completed", "pending"):
        # validated against the schema and serialised once (pydantic-core)
        body = OrderOut.model_validate(views.order_document(order, report)).model_dump_json(
            by_alias=True
        )
        return Response(
            body,
            status_code=(
                status.HTTP_201_CREATED
                if order["status"] == "completed"
                else status.HTTP_202_ACCEPTED
            ),
            headers=headers,
            media_type="application/json",
        )
    code = order["failure_code"] or FailureCode.BUREAU_ERROR.value
    http_status, title = _FAILURES.get(code, (502, "The bureau failed"))
    errors = None
    if code == FailureCode.NO_MATCH:
        errors = [{"field": _subject_field(order), "reason": code, "code": code}]
    if http_status == 503:
        headers["Retry-After"] = "30"
    extensions: dict[str, Any] = {"order_id": str(order["id"]), "order_status": order["status"]}
    if code == FailureCode.SUBJECT_BLOCKED:
        extensions["allowed_purposes"] = order["allowed_purposes"] or []
    charged = order["purchased_on"] is not None and order["price_ore"] > 0
    if code == FailureCode.NO_MATCH:
        extensions["charged"] = charged  # a «no match» the product's terms charge
    if order["status"] == "unknown":
        detail = (
            "The order is in doubt: it is settled with the bureau later, and charged only if "
            "a report was made."
        )
    elif charged:
        detail = "No match; under the product's terms the search is charged."
    else:
        detail = "Nothing was bought and nothing is charged."
    raise OrderProblem(http_status, code, title, detail, extensions, headers, errors)


@router.post(
    "/orders",
    dependencies=[client_scope(Scopes.CREDIT_ORDER)],
    status_code=status.HTTP_201_CREATED,
    response_model=OrderOut,
    responses={
        202: {"model": OrderOut, "description": "Still on its way (the same key, meanwhile)"},
        **problem_responses(403, 409, 423, 502, 503, 504),
    },
    summary="Buy a credit report at the price shown",
    description=(
        "Send the unit price ex. VAT from `GET /products` as `accepted_price_ore`: a "
        "changed price is refused (409 `price-changed`, with the new price), never charged. "
        "The same Idempotency-Key again answers with the same order; with another body, "
        "422. A bureau failure answers with a problem naming the order (`order_id`) and "
        "charges nothing; a timeout leaves the order `unknown` (504) until it is settled "
        "with the bureau. A kredittsperre answers 423 with the purposes it allows. An "
        "answer to a call that asked the bureau carries `Server-Timing: bureau;dur=<ms>`."
    ),
)
async def place_order(
    body: OrderIn,
    request: Request,
    principal: Orderer,
    service: ServiceDep,
    idempotency_key: IdempotencyKey,
) -> Response:
    if principal.tenant is None:
        raise Forbidden("Credit reports are ordered by a creditor's users.")
    vault = service.vault
    subject = parse_subject(body.subject)
    cmd = ordering.PlaceOrder(
        creditor_id=principal.tenant,
        user_id=principal.user_id,
        organisation_id=principal.organisation_id,
        idempotency_key=idempotency_key,
        fingerprint=fingerprint(
            "POST",
            request.url.path,
            body.model_dump(mode="json"),
            secret=vault.fingerprint_secret,
        ),
        product_code=body.product_code,
        subject=subject,
        purpose=StatedPurpose(
            code=body.purpose.code,
            text=body.purpose.text,
            case_id=body.purpose.case_id,
            relationship_declared=body.purpose.relationship_declared,
        ),
        accepted_price_ore=body.accepted_price_ore,
        ip=client_ip(request),
    )
    placed = await ordering.place_order(service.ordering(), cmd)
    order, report = placed.order, placed.report
    if order is None:  # a replay, a re-shown report, or settled by someone else meanwhile
        async with service.unit_of_work() as uow:
            order = await uow.orders.get(placed.order_id)
            report = await uow.orders.report(placed.order_id)
    assert order is not None
    return answer(order, report, placed.replayed, placed.bureau_seconds)


@router.get(
    "/orders",
    dependencies=[client_scope(Scopes.CREDIT_ORDER)],
    response_model=OrderListOut,
    responses=problem_responses(404),
    summary="The organisation's credit report orders, newest first",
    description="Agency staff see every creditor's (or one's, with `creditor_id`).",
)
async def list_orders(
    principal: ReportReader,
    service: ServiceDep,
    creditor_id: uuid.UUID | None = None,
    case_id: Annotated[Text | None, Query(max_length=64)] = None,
    from_date: Annotated[date | None, Query(alias="from")] = None,
    to_date: Annotated[date | None, Query(alias="to")] = None,
    before: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> OrderListOut:
    scope = creditor_scope(principal, creditor_id)
    if case_id is not None and "\x00" in case_id:
        raise InvalidInput("case_id", "not-storable")
    async with service.session_factory() as session:
        rows = await views.history(
            session,
            scope,
            case_id=case_id,
            from_date=from_date,
            to_date=to_date,
            limit=limit,
            before=before,
        )
    return OrderListOut(orders=[OrderOut.model_validate(r) for r in rows])


@router.get(
    "/orders/{order_id}",
    dependencies=[client_scope(Scopes.CREDIT_ORDER)],
    response_model=OrderOut,
    responses=problem_responses(404),
    summary="One order and its report (the view is logged)",
)
async def get_order(
    order_id: uuid.UUID, request: Request, principal: ReportReader, service: ServiceDep
) -> OrderOut:
    found = await access.read_order(service.unit_of_work(), order_id, reader(principal, request))
    if found is None:
        raise NotFound("No such order.")
    return OrderOut.model_validate(views.order_document(*found))


@router.get(
    "/orders/{order_id}/pdf",
    dependencies=[client_scope(Scopes.CREDIT_ORDER)],
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}}, "description": "The report as PDF/A-3b"},
        **problem_responses(404, 409),
    },
    summary="One bought report as PDF (the download is logged as a view)",
)
async def get_order_pdf(
    order_id: uuid.UUID, request: Request, principal: ReportReader, service: ServiceDep
) -> Response:
    found = await access.read_order(service.unit_of_work(), order_id, reader(principal, request))
    if found is None:
        raise NotFound("No such order.")
    order, report = found
    if report is None:
        raise ReportNotAvailable("The order has no report to print.")
    document = jsonable_encoder(views.order_document(order, report))
    pdf = await asyncio.to_thread(report_pdf.render, document, printed_at=datetime.now(UTC))
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="kredittopplysning-{order_id}.pdf"',
            "Cache-Control": "no-store",
        },
    )


@router.post(
    "/orders/{order_id}/reconciliation",
    response_model=ReconciliationOut,
    responses=problem_responses(404),
    summary="Settle an order in doubt with the bureau now",
    description=(
        "An `unknown` (or long `pending`) order is looked up at the bureau by its reference: "
        "found, it completes (and is charged); not found, it fails. Never ordered again."
    ),
)
async def reconcile_order(
    order_id: uuid.UUID, principal: ReportReader, service: ServiceDep
) -> ReconciliationOut:
    async with service.unit_of_work() as uow:
        order = await uow.orders.get(order_id)
    if order is None or (principal.tenant is not None and order["creditor_id"] != principal.tenant):
        raise NotFound("No such order.")
    after = await ordering.reconcile(
        service.ordering(), order_id, force=order["status"] == "unknown"
    )
    return ReconciliationOut(order_id=order_id, status=after)
