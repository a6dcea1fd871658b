"""Credit reports for agency administrators: products, price lists, spend per creditor.

``/kreditt/priser`` lists the products with the agency's default price today
(``GET /api/v1/credit/products``) and every price list, the default and per creditor
(``GET …/price-lists``), and adds a dated price: a new list from a date with one product
(``POST …/price-lists`` with an Idempotency-Key; a list in force never changes, so a new
price is a new list, and the newest list in force that prices a product wins).
``/kreditt/forbruk`` shows each creditor's charged reports in a month, in one call
(``GET …/spend/creditors``). ``/kreditt/avtaler/{creditor_id}`` shows and sets a
creditor's agreement: the products and purposes it may use (``GET``/``PUT
…/creditors/{id}/agreement``; nothing ticked in a group: all of it).

Registered before :mod:`gateway.portal.pages.credit`, whose ``/kreditt/{order_id}``
would otherwise take these paths.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from gateway.portal import csrf, form_errors, formatting
from gateway.portal.api import ApiProblem, new_idempotency_key
from gateway.portal.credit_form import PURPOSES
from gateway.portal.credit_views import (
    CREDIT,
    PRICE_LISTS,
    PRODUCTS,
    credit_message,
    month_or_this,
    product_names,
)
from gateway.portal.errors import error_page
from gateway.portal.form_errors import FormErrors
from gateway.portal.formatting import InvalidInput, form_text
from gateway.portal.i18n import Translator, language_of
from gateway.portal.problems import field_errors
from gateway.portal.render import page, redirect
from gateway.portal.visitor import AgencyAdminDep, Visitor

router = APIRouter()

ORGANISATIONS = "/api/v1/auth/organisations"
MAX_CREDITORS = 200
VAT_CODES = ("3", "6")
"""SAF-T standard VAT codes the credit service prices with: 3 (25 %), 6 (0 %)."""
PRICE_FIELDS = ("creditor_id", "product_code", "valid_from", "price", "vat_code")
NOTICES = {
    "lagt-til": "credit.prices.notice.added",
    "avtale-lagret": "credit.agreement.notice.saved",
}


async def _creditors(visitor: Visitor) -> list[dict[str, Any]]:
    """The creditor organisations by name (the first ``MAX_CREDITORS``)."""
    found: list[dict[str, Any]] = await visitor.backend.get(
        ORGANISATIONS, {"kind": "creditor", "limit": MAX_CREDITORS}
    )
    return found


def _read_price(
    form: FormData, t: Translator, products: set[str]
) -> tuple[dict[str, str], dict[str, str], dict[str, Any] | None]:
    """The typed values, their errors, and the price list's body when nothing is wrong."""
    values = {name: form_text(form, name) for name in PRICE_FIELDS}
    errors = FormErrors(
        {
            "creditor_id": t("credit.prices.creditor"),
            "product_code": t("credit.col.product"),
            "valid_from": t("credit.prices.valid_from"),
            "price": t("credit.prices.price"),
            "vat_code": t("credit.prices.vat_code"),
        }
    )
    creditor = values["creditor_id"]
    if creditor:
        try:
            creditor = str(uuid.UUID(creditor))
        except ValueError:
            errors["creditor_id"] = t("credit.prices.error.creditor")
    if values["product_code"] not in products:
        errors["product_code"] = t("credit.error.product")
    valid_from: date | None = None
    try:
        valid_from = formatting.parse_day(values["valid_from"])
    except InvalidInput:
        errors["valid_from"] = t("credit.prices.error.date")
    if valid_from is not None and valid_from < formatting.today_oslo():
        errors["valid_from"] = t("reason.valid_from_in_the_past")
    price = form_errors.amount(errors, "price", values["price"], t) or 0
    if values["vat_code"] not in VAT_CODES:
        errors["vat_code"] = t("credit.prices.error.vat")
    if errors or valid_from is None:
        return values, errors, None
    body = {
        "creditor_id": creditor or None,
        "name": "",
        "valid_from": valid_from.isoformat(),
        "items": [
            {
                "product_code": values["product_code"],
                "unit_price_ore": price,
                "vat_code": values["vat_code"],
            }
        ],
    }
    return values, errors, body


_API_FIELDS = {
    "items.0.unit_price_ore": "price",
    "items.0.product_code": "product_code",
    "items.0.vat_code": "vat_code",
}


async def _prices_page(
    request: Request,
    visitor: Visitor,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    t = Translator(language_of(request))
    products: list[dict[str, Any]] = await visitor.backend.get(PRODUCTS)
    lists: list[dict[str, Any]] = await visitor.backend.get(PRICE_LISTS)
    creditors = await _creditors(visitor)
    names = {str(c["id"]): str(c["name"]) for c in creditors}
    today = formatting.today_oslo().isoformat()
    rows = sorted(lists, key=lambda pl: (str(pl["valid_from"]), str(pl["id"])), reverse=True)
    notice = NOTICES.get(request.query_params.get("melding", ""))
    return page(
        request,
        "portal/credit_prices.html",
        {
            "title": t("credit.prices.title"),
            "active": "credit_agency",
            "products": products,
            "product_names": product_names(products, t),
            "lists": rows,
            "creditors": creditors,
            "creditor_names": names,
            "today": today,
            "vat_codes": VAT_CODES,
            "values": values or {"valid_from": formatting.day(formatting.today_oslo())},
            "errors": errors or {},
            "idempotency_key": new_idempotency_key(),
            "notice": t(notice) if notice else None,
        },
        visitor=visitor,
        status_code=status_code,
    )


@router.get("/kreditt/priser")
async def prices_page(request: Request, visitor: AgencyAdminDep) -> Response:
    return await _prices_page(request, visitor)


@router.post("/kreditt/priser")
async def add_price(request: Request, visitor: AgencyAdminDep) -> Response:
    form = await csrf.checked_form(request)
    t = Translator(language_of(request))
    products: list[dict[str, Any]] = await visitor.backend.get(PRODUCTS)
    values, errors, body = _read_price(form, t, {str(p["code"]) for p in products})
    if errors or body is None:
        return await _prices_page(request, visitor, values=values, errors=errors, status_code=400)
    key = form_text(form, "idempotency_key") or new_idempotency_key()
    try:
        await visitor.backend.post(PRICE_LISTS, body, idempotency_key=key)
    except ApiProblem as problem:
        if problem.status not in (400, 409, 422):
            raise
        raw = field_errors(problem, t)
        shown = {_API_FIELDS.get(name, name): text for name, text in raw.items()}
        shown = {
            (name if name in PRICE_FIELDS else f"_{number}"): text
            for number, (name, text) in enumerate(shown.items())
        }
        errors = {"_": credit_message(problem, t), **shown}
        return await _prices_page(request, visitor, values=values, errors=errors, status_code=400)
    return redirect("/kreditt/priser?melding=lagt-til")


@router.get("/kreditt/forbruk")
async def spend_page(request: Request, visitor: AgencyAdminDep) -> Response:
    t = Translator(language_of(request))
    month = month_or_this(request.query_params.get("maaned", ""))
    found = await visitor.backend.get(f"{CREDIT}/spend/creditors", {"month": month})
    rows = [
        {"creditor": {"id": c["creditor_id"], "name": c["name"]}, "spend": c}
        for c in found["creditors"]
    ]
    total = {
        key: sum(int(r["spend"][key]) for r in rows)
        for key in ("orders", "price_ore", "vat_ore", "total_ore")
    }
    return page(
        request,
        "portal/credit_spend.html",
        {
            "title": t("credit.spend.title"),
            "active": "credit_agency",
            "month": month,
            "rows": rows,
            "total": total,
        },
        visitor=visitor,
    )


def _creditor_id(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


async def _agreement_page(
    request: Request,
    visitor: Visitor,
    creditor_id: uuid.UUID,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    t = Translator(language_of(request))
    try:
        creditor = await visitor.backend.get(f"{CREDIT}/creditors/{creditor_id}")
        agreement = await visitor.backend.get(f"{CREDIT}/creditors/{creditor_id}/agreement")
    except ApiProblem as problem:
        if problem.status != 404:
            raise
        return error_page(request, 404, "error.not_found_title", t("error.not_found"))
    products: list[dict[str, Any]] = await visitor.backend.get(PRODUCTS)
    notice = NOTICES.get(request.query_params.get("melding", ""))
    return page(
        request,
        "portal/credit_agreement.html",
        {
            "title": t("credit.agreement.title", name=creditor["name"]),
            "active": "credit_agency",
            "creditor": creditor,
            "agreement": agreement,
            "products": products,
            "product_names": product_names(products, t),
            "purposes": PURPOSES,
            "errors": errors or {},
            "notice": t(notice) if notice else None,
        },
        visitor=visitor,
        status_code=status_code,
    )


@router.get("/kreditt/avtaler/{creditor_id}")
async def agreement_page(request: Request, creditor_id: str, visitor: AgencyAdminDep) -> Response:
    t = Translator(language_of(request))
    chosen = _creditor_id(creditor_id)
    if chosen is None:
        return error_page(request, 404, "error.not_found_title", t("error.not_found"))
    return await _agreement_page(request, visitor, chosen)


@router.post("/kreditt/avtaler/{creditor_id}")
async def save_agreement(request: Request, creditor_id: str, visitor: AgencyAdminDep) -> Response:
    """Nothing ticked in a group means all of it (the defaults): the service's ``null``."""
    form = await csrf.checked_form(request)
    t = Translator(language_of(request))
    chosen = _creditor_id(creditor_id)
    if chosen is None:
        return error_page(request, 404, "error.not_found_title", t("error.not_found"))
    products = [str(v) for v in form.getlist("products")]
    purposes = [str(v) for v in form.getlist("purposes")]
    body = {"products": products or None, "purposes": purposes or None}
    try:
        await visitor.backend.call("PUT", f"{CREDIT}/creditors/{chosen}/agreement", json_body=body)
    except ApiProblem as problem:
        if problem.status not in (400, 422):
            raise
        errors = {"_": credit_message(problem, t), **field_errors(problem, t)}
        return await _agreement_page(request, visitor, chosen, errors=errors, status_code=400)
    return redirect(f"/kreditt/avtaler/{chosen}?melding=avtale-lagret")
