"""Credit reports (kredittopplysninger) for a creditor's users with the right to order.

``/kreditt`` shows the organisation's searches (``GET /api/v1/credit/orders``) and this
month's spend (``GET …/spend``) to its orderers and administrators. Ordering is two
steps, both POSTs (a person's number never goes in a URL): the form (subject, product,
purpose, case) is checked and answered with the price from ``GET …/products`` on a page
that asks to buy; that page carries the price it showed (``accepted_price_ore``) and an
Idempotency-Key made when it was drawn, so a double click buys once. A price that changed
meanwhile (409 ``price-changed``) shows the new price and asks again. A bought report is
read at ``/kreditt/{order_id}``. ``/kreditt/bestill?sak=`` fills the form from a case (by
the case's id: the page asks the cases service for the debtor).
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.portal import credit_form, csrf
from gateway.portal.api import ApiProblem, new_idempotency_key
from gateway.portal.credit_form import CreditOrderForm
from gateway.portal.credit_views import (
    ORDERS,
    PRODUCTS,
    coded,
    credit_message,
    month_or_this,
    offered,
    product_names,
)
from gateway.portal.errors import error_page
from gateway.portal.form_errors import FormErrors
from gateway.portal.i18n import Translator, language_of
from gateway.portal.problems import field_errors
from gateway.portal.relay import relay
from gateway.portal.render import page, redirect
from gateway.portal.visitor import CreditOrdererDep, CreditReaderDep, Visitor

router = APIRouter()

HISTORY_LIMIT = 50
SEARCHES = "/api/v1/credit/company-searches"
MAX_SEARCH = 100
NOTICES = {"kjopt": "credit.notice.bought"}


@router.get("/kreditt")
async def credit_home(request: Request, visitor: CreditReaderDep) -> Response:
    t = Translator(language_of(request))
    history = await visitor.backend.get(ORDERS, {"limit": HISTORY_LIMIT})
    spend = await visitor.backend.get("/api/v1/credit/spend")
    products = await visitor.backend.get(PRODUCTS)
    return page(
        request,
        "portal/credit.html",
        {
            "title": t("credit.title"),
            "active": "credit",
            "orders": history["orders"],
            "spend": spend,
            "names": product_names(products, t),
        },
        visitor=visitor,
    )


async def _case_values(visitor: Visitor, case_id: str) -> dict[str, str] | None:
    """The form's subject and purpose from a case the visitor may see (``None``: no such
    case). The cases service shows a person's number masked only, so a person's number is
    left for the orderer to type."""
    try:
        uuid.UUID(case_id)
    except ValueError:
        return None
    try:
        case = await visitor.backend.get(f"/api/v1/cases/{case_id}")
    except ApiProblem as problem:
        if problem.status == 404:
            return None
        raise
    debtor = case.get("debtor") or {}
    values = {"purpose.code": "CASE_ASSESSMENT", "purpose.case_id": str(case["case_number"])}
    if debtor.get("kind") == "business":
        values.update(
            {
                "subject.kind": "company",
                "subject.organisation_number": str(debtor.get("organisation_number") or ""),
                "product_code": "COMPANY_STANDARD",
            }
        )
    else:
        values.update({"subject.kind": "person", "product_code": "PERSON_STANDARD"})
    values["from_case"] = str(case["case_number"])
    values["debtor_name"] = str(debtor.get("name") or "")
    return values


async def _form_page(
    request: Request,
    visitor: Visitor,
    form: CreditOrderForm,
    *,
    status_code: int = 200,
    order_link: str | None = None,
    search: dict[str, Any] | None = None,
) -> Response:
    t = Translator(language_of(request))
    products = await visitor.backend.get(PRODUCTS)
    return page(
        request,
        "portal/credit_order.html",
        {
            "title": t("credit.order.title"),
            "active": "credit",
            "products": offered(products, t),
            "purposes": credit_form.PURPOSES,
            "values": form.values,
            "errors": form.errors,
            "order_link": order_link,
            "search": search or {"name": "", "candidates": None, "error": None},
            "coded": lambda prefix, code: coded(t, prefix, code),
        },
        visitor=visitor,
        status_code=status_code,
    )


def _price_of(products: list[dict[str, Any]], code: str) -> dict[str, Any] | None:
    for product in products:
        if product["code"] == code:
            price: dict[str, Any] | None = product.get("price")
            return price
    return None


async def _confirm_page(
    request: Request,
    visitor: Visitor,
    form: CreditOrderForm,
    *,
    price: dict[str, Any] | None = None,
    changed: bool = False,
    status_code: int = 200,
) -> Response:
    """The price, and a button that buys at it (with a new Idempotency-Key)."""
    t = Translator(language_of(request))
    products = await visitor.backend.get(PRODUCTS)
    if price is None:
        price = _price_of(products, form.product_code)
    if price is None:
        form.errors = FormErrors(form.errors.labels)
        form.errors.add("product_code", t("problem.product_not_offered"))
        return await _form_page(request, visitor, form, status_code=400)
    body = form.body or {}
    return page(
        request,
        "portal/credit_confirm.html",
        {
            "title": t("credit.confirm.title"),
            "active": "credit",
            "values": form.values,
            "body": body,
            "masked": _shown_subject(body),
            "product_name": product_names(products, t).get(form.product_code, form.product_code),
            "price": price,
            "changed": changed,
            "idempotency_key": new_idempotency_key(),
            "errors": {"_": t("problem.price_changed")} if changed else {},
        },
        visitor=visitor,
        status_code=status_code,
    )


def _shown_subject(body: dict[str, Any]) -> str:
    """The subject as the confirmation shows it: a person's number masked."""
    subject = body.get("subject") or {}
    if subject.get("kind") == "person":
        return str(subject.get("national_id", ""))[:6] + "*****"
    return str(subject.get("organisation_number", ""))


@router.get("/kreditt/bestill")
async def order_form(request: Request, visitor: CreditOrdererDep) -> Response:
    t = Translator(language_of(request))
    case_id = request.query_params.get("sak", "")
    chosen = request.query_params.get("orgnr", "")
    if not case_id and chosen.isdigit() and len(chosen) == 9:
        # a candidate chosen from a name search (an organisation number is public)
        candidate = {
            "subject.kind": "company",
            "subject.organisation_number": chosen,
            "product_code": "COMPANY_STANDARD",
        }
        return await _form_page(request, visitor, credit_form.blank(**candidate))
    if not case_id:
        return await _form_page(request, visitor, credit_form.blank())
    values = await _case_values(visitor, case_id)
    if values is None:
        return error_page(request, 404, "error.not_found_title", t("error.not_found"))
    return await _form_page(request, visitor, credit_form.blank(**values))


@router.post("/kreditt/sok-foretak")
async def search_business(request: Request, visitor: CreditOrdererDep) -> Response:
    """A business by name: the bureau's candidates to choose from (a POST, since a sole
    proprietorship's name is a person's; free, and logged by the credit service)."""
    form = await csrf.checked_form(request)
    t = Translator(language_of(request))
    name = " ".join(str(form.get("navn", "")).split())[:MAX_SEARCH]
    search: dict[str, Any] = {"name": name, "candidates": None, "error": None}
    status_code = 200
    if len(name) < 2:
        search["error"] = t("credit.search.error.short")
        status_code = 400
    else:
        try:
            found = await visitor.backend.post(SEARCHES, {"name": name})
            search["candidates"] = found["candidates"]
        except ApiProblem as problem:
            if problem.status in (401, 403, 404):
                raise
            search["error"] = credit_message(problem, t)
            status_code = problem.status if 400 <= problem.status < 600 else 400
    return await _form_page(
        request, visitor, credit_form.blank(), search=search, status_code=status_code
    )


@router.post("/kreditt/bestill")
async def order(request: Request, visitor: CreditOrdererDep) -> Response:
    """``steg=pris``: check the form and show the price; ``steg=kjop``: buy at it."""
    form = await csrf.checked_form(request)
    t = Translator(language_of(request))
    products = await visitor.backend.get(PRODUCTS)
    kinds = {str(p["code"]): str(p["subject_kind"]) for p in products}
    typed = credit_form.read(form, t, kinds)
    if typed.errors or typed.body is None:
        return await _form_page(request, visitor, typed, status_code=400)
    if form.get("steg") != "kjop":
        return await _confirm_page(request, visitor, typed)
    accepted = credit_form.accepted_price(form)
    key = str(form.get("idempotency_key", ""))
    if accepted is None or not key:
        return await _confirm_page(request, visitor, typed, status_code=400)
    try:
        status, bought = await visitor.backend.call_with_status(
            "POST",
            ORDERS,
            json_body={**typed.body, "accepted_price_ore": accepted},
            headers={"idempotency-key": key},
        )
    except ApiProblem as problem:
        return await _refused(request, visitor, typed, problem, t)
    if status == 202:  # the same key while the first click is still at the bureau
        return redirect(f"/kreditt/{uuid.UUID(str(bought['id']))}")
    return redirect(f"/kreditt/{uuid.UUID(str(bought['id']))}?melding=kjopt")


async def _refused(
    request: Request,
    visitor: Visitor,
    typed: CreditOrderForm,
    problem: ApiProblem,
    t: Translator,
) -> Response:
    """The service said no: the new price to accept, or the form with what went wrong
    (in the page's words, never the service's sentence)."""
    kind = problem.type.rsplit("/", 1)[-1]
    if problem.status in (401, 404) or (problem.status == 403 and kind != "creditor-not-enabled"):
        raise problem
    if kind == "price-changed":
        price = None
        new_price = problem.extensions.get("unit_price_ore")
        if isinstance(new_price, int):
            vat = problem.extensions.get("vat_ore")
            vat_ore = vat if isinstance(vat, int) else 0
            price = {
                "unit_price_ore": new_price,
                "vat_ore": vat_ore,
                "total_ore": new_price + vat_ore,
                "vat_code": str(problem.extensions.get("vat_code", "")),
            }
        return await _confirm_page(
            request, visitor, typed, price=price, changed=True, status_code=409
        )
    errors = {
        name: text
        for name, text in field_errors(problem, t, set(credit_form.FIELDS)).items()
        if not name.startswith("_")
    }
    if kind == "subject-blocked":
        allowed = problem.extensions.get("allowed_purposes") or []
        names = ", ".join(t(f"credit.purpose.{code}") for code in allowed if isinstance(code, str))
        errors.setdefault("purpose.code", t("credit.error.blocked_allows", purposes=names))
    summary = credit_message(problem, t)
    if kind == "no-match" and problem.extensions.get("charged") is True:
        summary = t("problem.no_match_charged")
    found = FormErrors(typed.errors.labels)
    found.general(summary)
    for name, text in errors.items():
        found.add(name, text)
    typed.errors = found
    order_id = problem.extensions.get("order_id")
    link = None
    if problem.extensions.get("order_status") == "unknown" and isinstance(order_id, str):
        link = f"/kreditt/{uuid.UUID(order_id)}"
    status = problem.status if 400 <= problem.status < 600 else 400
    return await _form_page(request, visitor, typed, status_code=status, order_link=link)


@router.get("/kreditt/spesifikasjon")
async def specification_page(request: Request, visitor: CreditReaderDep) -> Response:
    """A month's charged reports line by line, as the settlement deducts them."""
    t = Translator(language_of(request))
    month = month_or_this(request.query_params.get("maaned", ""))
    found = await visitor.backend.get("/api/v1/credit/specification", {"month": month})
    products = await visitor.backend.get(PRODUCTS)
    return page(
        request,
        "portal/credit_specification.html",
        {
            "title": t("credit.specification.title", month=month),
            "active": "credit",
            "month": month,
            "specification": found,
            "names": product_names(products, t),
            "coded": lambda prefix, code: coded(t, prefix, code),
        },
        visitor=visitor,
    )


@router.get("/kreditt/{order_id}/pdf")
async def report_pdf(request: Request, order_id: str, visitor: CreditReaderDep) -> Response:
    """The report as PDF, made by the credit service (which logs the download as a view)."""
    t = Translator(language_of(request))
    try:
        number = uuid.UUID(order_id)
    except ValueError:
        return error_page(request, 404, "error.not_found_title", t("error.not_found"))
    return await relay(visitor, f"{ORDERS}/{number}/pdf")


@router.get("/kreditt/{order_id}")
async def report_page(request: Request, order_id: str, visitor: CreditReaderDep) -> Response:
    t = Translator(language_of(request))
    try:
        number = uuid.UUID(order_id)
    except ValueError:
        return error_page(request, 404, "error.not_found_title", t("error.not_found"))
    found = await visitor.backend.get(f"{ORDERS}/{number}")
    products = await visitor.backend.get(PRODUCTS)
    notice = NOTICES.get(request.query_params.get("melding", ""))
    return page(
        request,
        "portal/credit_report.html",
        {
            "title": t("credit.report.title"),
            "active": "credit",
            "order": found,
            "report": found.get("report"),
            "names": product_names(products, t),
            "coded": lambda prefix, code: coded(t, prefix, code),
            "notice": t(notice) if notice else None,
        },
        visitor=visitor,
    )
