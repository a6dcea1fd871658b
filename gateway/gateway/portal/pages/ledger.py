"""Money: unmatched payments for case handlers to place, and settlements (avregning) with
creditors (runs by agency administrators; creditors read their own statements)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response
from servicekit.roles import Roles
from starlette.datastructures import UploadFile

from gateway.portal import bank_upload, csrf, form_errors, formatting
from gateway.portal.api import ApiProblem, new_idempotency_key
from gateway.portal.case_numbers import case_numbers
from gateway.portal.documents import documents_for
from gateway.portal.errors import error_page
from gateway.portal.form_errors import FormErrors
from gateway.portal.i18n import Translator, language_of
from gateway.portal.organisation_names import organisation_names
from gateway.portal.problems import message
from gateway.portal.relay import relay
from gateway.portal.render import page, redirect
from gateway.portal.visitor import AgencyAdminDep, CaseHandlerDep, NotAllowed, Visitor, VisitorDep

router = APIRouter()

LEDGER = "/api/v1/ledger"
UNMATCHED_NOTICES = {
    "plassert": "unmatched.notice.allocated",
    "refusjon": "unmatched.notice.refund",
}


async def _unmatched_page(
    request: Request,
    visitor: Visitor,
    *,
    errors: dict[str, str] | None = None,
    failed: str | None = None,
    status_code: int = 200,
) -> Response:
    t = Translator(language_of(request))
    payments = await visitor.backend.get(f"{LEDGER}/unmatched-payments", params={"limit": 100})
    key = UNMATCHED_NOTICES.get(request.query_params.get("melding", ""))
    return page(
        request,
        "portal/unmatched.html",
        {
            "title": t("unmatched.title"),
            "active": "unmatched",
            "payments": payments,
            "errors": errors or {},
            "failed": failed,
            "idempotency_key": new_idempotency_key(),
            "notice": t(key) if key else None,
        },
        visitor=visitor,
        status_code=status_code,
    )


@router.get("/saksbehandler/innbetalinger")
async def unmatched(request: Request, visitor: CaseHandlerDep) -> Response:
    return await _unmatched_page(request, visitor)


async def _case_id(visitor: Visitor, case_number: str) -> str | None:
    found = await visitor.backend.get(
        "/api/v1/cases", params={"case_number": case_number.strip().upper(), "limit": 1}
    )
    items: list[dict[str, Any]] = found["items"]
    return str(items[0]["case_id"]) if items else None


@router.post("/saksbehandler/innbetalinger/{payment_id}")
async def resolve(request: Request, payment_id: str, visitor: CaseHandlerDep) -> Response:
    form = await csrf.checked_form(request)
    t = Translator(language_of(request))
    if not _valid_id(payment_id):
        return error_page(request, 404, "error.not_found_title", t("error.not_found"))
    action = str(form.get("action", ""))
    body: dict[str, Any] = {"action": action}
    if action == "allocate":
        number = str(form.get("case_number", "")).strip()
        case_id = await _case_id(visitor, number) if number else None
        if case_id is None:
            errors = {"case_number": t("unmatched.error.case")}
            return await _unmatched_page(
                request, visitor, errors=errors, failed=payment_id, status_code=400
            )
        body["case_id"] = case_id
    elif action != "refund":
        return redirect("/saksbehandler/innbetalinger")
    key = str(form.get("idempotency_key", "")) or new_idempotency_key()
    try:
        await visitor.backend.post(
            f"{LEDGER}/unmatched-payments/{payment_id}/resolution", body, idempotency_key=key
        )
    except ApiProblem as problem:
        if problem.status not in (400, 404, 409, 422):
            raise
        errors = {"_": message(problem, t)}
        return await _unmatched_page(
            request, visitor, errors=errors, failed=payment_id, status_code=400
        )
    notice = "plassert" if action == "allocate" else "refusjon"
    return redirect(f"/saksbehandler/innbetalinger?melding={notice}")


@router.get("/avregning")
async def settlements(request: Request, visitor: VisitorDep) -> Response:
    return await _settlements_page(request, visitor)


async def _settlements_page(
    request: Request,
    visitor: Visitor,
    *,
    errors: dict[str, str] | None = None,
    result: dict[str, Any] | None = None,
    typed: str | None = None,
    status_code: int = 200,
) -> Response:
    t = Translator(language_of(request))
    rows = await visitor.backend.get(f"{LEDGER}/settlements", params={"limit": 50})
    names = await organisation_names(visitor, (r["creditor_id"] for r in rows))
    return page(
        request,
        "portal/settlements.html",
        {
            "title": t("settlements.title"),
            "active": "settlements",
            "settlements": rows,
            "creditor_names": names,
            "may_run": Roles.AGENCY_ADMIN in visitor.roles,
            "errors": errors or {},
            "result": result,
            "skipped": await _skipped(visitor, result, t) if result else [],
            "values": {
                "period_end": typed
                if typed is not None
                else formatting.day(formatting.today_oslo())
            },
            "idempotency_key": new_idempotency_key(),
        },
        visitor=visitor,
        status_code=status_code,
    )


SKIP_REASONS = {
    "nothing to settle": "settlements.skip.nothing",
    "the agreement has no payout account": "settlements.skip.no_payout",
}


async def _skipped(visitor: Visitor, result: dict[str, Any], t: Translator) -> list[dict[str, str]]:
    """The creditors a run skipped, by name where the identity service knows it (by id
    otherwise), and why in the page's language."""
    entries = result.get("skipped") or []
    names = await organisation_names(visitor, (e["creditor_id"] for e in entries))
    skipped: list[dict[str, str]] = []
    for entry in entries:
        creditor_id = str(entry["creditor_id"])
        key = SKIP_REASONS.get(str(entry.get("reason", "")))
        skipped.append(
            {
                "creditor_id": creditor_id,
                "name": names.get(creditor_id, creditor_id),
                "reason": t(key) if key else str(entry.get("reason", "")),
                "fixable": "yes" if key == "settlements.skip.no_payout" else "",
            }
        )
    return skipped


@router.post("/avregning/kjoring")
async def run_settlements(request: Request, visitor: VisitorDep) -> Response:
    form = await csrf.checked_form(request)
    t = Translator(language_of(request))
    if Roles.AGENCY_ADMIN not in visitor.roles:
        raise NotAllowed()
    typed = str(form.get("period_end", ""))
    errors = FormErrors({"period_end": t("settlements.period_end")})
    chosen = form_errors.day(errors, "period_end", typed, t)
    if chosen is not None and chosen > formatting.today_oslo():
        errors.add("period_end", t("reason.a_period_cannot_be_settled_before_it_has_ended"))
    if errors or chosen is None:
        return await _settlements_page(
            request, visitor, errors=errors, typed=typed, status_code=400
        )
    key = str(form.get("idempotency_key", "")) or new_idempotency_key()
    try:
        result = await visitor.backend.post(
            f"{LEDGER}/settlement-runs", {"period_end": chosen.isoformat()}, idempotency_key=key
        )
    except ApiProblem as problem:
        if problem.status not in (400, 409, 422):
            raise
        errors.merge_problem(problem, t, fields={"period_end"}, whole=problem.status == 409)
        return await _settlements_page(
            request, visitor, errors=errors, typed=typed, status_code=400
        )
    return await _settlements_page(request, visitor, result=result)


ANSWER_NOTICES = {
    "bokfort": ("settlement.notice.posted", "ok"),
    "annullert": ("settlement.notice.voided", "bad"),
    "venter": ("settlement.notice.pending", "info"),
    "ikke-denne": ("settlement.notice.not_this", "info"),
}
ANSWER_OUTCOMES = {"posted": "bokfort", "voided": "annullert", "pending": "venter"}


def _valid_id(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


async def _settlement_page(
    request: Request,
    visitor: Visitor,
    settlement_id: str,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    t = Translator(language_of(request))
    found = await visitor.backend.get(f"{LEDGER}/settlements/{settlement_id}")
    lines = await visitor.backend.get(f"{LEDGER}/settlements/{settlement_id}/lines")
    names = await organisation_names(visitor, [found["creditor_id"]])
    numbers = await case_numbers(visitor, [line["case_id"] for line in lines])
    documents = (
        await documents_for(
            visitor, settlement_id, ["settlement_statement", "credit_note", "posting_proposal"]
        )
        if found.get("status") == "posted"
        else []
    )
    notice = ANSWER_NOTICES.get(request.query_params.get("melding", ""))
    return page(
        request,
        "portal/settlement.html",
        {
            "title": t("settlement.title", number=found["number"]),
            "active": "settlements",
            "settlement": found,
            "creditor_name": names.get(str(found["creditor_id"])),
            "lines": [
                {
                    **line,
                    "case_number": numbers.get(str(line["case_id"])),
                    "paid_ore": line["principal_ore"]
                    + line["interest_ore"]
                    + line["reminder_fees_ore"]
                    + line["agency_fees_ore"],
                }
                for line in lines
            ],
            "documents": documents,
            "may_pay_out": Roles.AGENCY_ADMIN in visitor.roles,
            "errors": errors or {},
            "idempotency_key": new_idempotency_key(),
            "notice": t(notice[0]) if notice else None,
            "notice_kind": notice[1] if notice else "ok",
        },
        visitor=visitor,
        status_code=status_code,
    )


@router.get("/avregning/{settlement_id}")
async def settlement(request: Request, settlement_id: str, visitor: VisitorDep) -> Response:
    t = Translator(language_of(request))
    if not _valid_id(settlement_id):
        return error_page(request, 404, "error.not_found_title", t("error.not_found"))
    return await _settlement_page(request, visitor, settlement_id)


@router.get("/avregning/{settlement_id}/utbetalingsfil")
async def payout_file(request: Request, settlement_id: str, visitor: AgencyAdminDep) -> Response:
    """The run's pain.001 as the ledger wrote it (agency administrators send it to the bank)."""
    t = Translator(language_of(request))
    if not _valid_id(settlement_id):
        return error_page(request, 404, "error.not_found_title", t("error.not_found"))
    found = await visitor.backend.get(f"{LEDGER}/settlements/{settlement_id}")
    message_id = found.get("payout_message_id")
    if not message_id:
        return error_page(request, 404, "error.not_found_title", t("settlement.no_payout_file"))
    return await relay(visitor, f"{LEDGER}/payout-files/{quote(message_id, safe='')}")


async def _chunks(upload: UploadFile) -> AsyncIterator[bytes]:
    while chunk := await upload.read(64 * 1024):
        yield chunk


@router.post("/avregning/{settlement_id}/bankens-svar")
async def bank_answer(request: Request, settlement_id: str, visitor: AgencyAdminDep) -> Response:
    """The bank's status report (pain.002) on the payout file: posts or voids settlements."""
    form = await csrf.checked_form(request)
    t = Translator(language_of(request))
    if not _valid_id(settlement_id):
        return error_page(request, 404, "error.not_found_title", t("error.not_found"))
    upload = form.get("svar")
    if not isinstance(upload, UploadFile) or not upload.filename:
        errors = {"svar": t("settlement.error.no_file")}
        return await _settlement_page(
            request, visitor, settlement_id, errors=errors, status_code=400
        )
    key = str(form.get("idempotency_key", "")) or new_idempotency_key()
    try:
        answer = await visitor.backend.call(
            "POST",
            f"{LEDGER}/payout-answers",
            content=_chunks(upload),
            headers={"content-type": "application/xml", "idempotency-key": key},
        )
    except ApiProblem as problem:
        if problem.status >= 500 and problem.status != 503:
            raise
        text = t("settlement.error.unknown_file") if problem.status == 404 else message(problem, t)
        said = bank_upload.explained(problem, t)  # from the codes, never the ledger's English
        errors = {"svar": f"{text} {said}".strip()}
        return await _settlement_page(
            request, visitor, settlement_id, errors=errors, status_code=400
        )
    finally:
        await upload.close()
    found = await visitor.backend.get(f"{LEDGER}/settlements/{settlement_id}")
    outcome = (answer.get("outcomes") or {}).get(found.get("payout_end_to_end_id") or "")
    notice = ANSWER_OUTCOMES.get(str(outcome), "ikke-denne")
    return redirect(f"/avregning/{settlement_id}?melding={notice}")
