"""The start page: the portfolio at a glance (cases by status, amounts, activity, notes)
and the reports service's key figures (recovery rate, collected per month, ageing; agency
staff: all creditors or the one chosen)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.portal import charts, formatting, key_figures
from gateway.portal.documents import creditor_choices, valid_id
from gateway.portal.i18n import Translator, language_of
from gateway.portal.portfolio import SAMPLE, summarise
from gateway.portal.render import page
from gateway.portal.visitor import VisitorDep

router = APIRouter()

_MONTHS = key_figures.MONTH_NAMES
MONTHS = 6


@router.get("/oversikt")
async def overview(request: Request, visitor: VisitorDep) -> Response:
    lang = language_of(request)
    t = Translator(lang)
    backend = visitor.backend
    me = await backend.get("/api/v1/auth/me")
    summary = await backend.get("/api/v1/cases/summary", params={"months": MONTHS})
    listed = await backend.get(
        "/api/v1/cases", params={"limit": SAMPLE, "sort": "registered", "order": "desc"}
    )
    unread = await backend.get("/api/v1/cases/notes/unread", params={"limit": 10})
    chosen = request.query_params.get("oppdragsgiver", "").strip()
    creditor_id = chosen if visitor.is_agency and valid_id(chosen) else None
    figures = await key_figures.fetch(visitor, creditor_id)
    kpis = key_figures.lay_out(figures, t, lang) if figures is not None else None
    creditors = await creditor_choices(visitor) if visitor.is_agency else []
    portfolio = summarise(summary, listed["items"], today=formatting.today_oslo(), months=MONTHS)

    def status_name(status: str) -> str:
        key = f"status.{status}"
        return t(key) if t.has(key) else status

    status_chart = charts.horizontal([(status_name(s), n, str(n)) for s, n in portfolio.by_status])
    amount_chart = charts.horizontal(
        [
            (status_name(s), ore, formatting.amount(ore, lang))
            for s, ore in portfolio.principal_by_status
        ],
        value_room=115,
    )
    month_chart = charts.columns(
        [
            (f"{_MONTHS[lang][m.month - 1]} {m.year % 100:02d}", n, str(n))
            for m, n in portfolio.per_month
        ]
    )
    return page(
        request,
        "portal/home.html",
        {
            "title": t("home.title"),
            "active": "home",
            "me": me,
            "portfolio": portfolio,
            "kpis": kpis,
            "creditors": creditors,
            "chosen_creditor": creditor_id or "",
            "unread": unread,
            "status_chart": status_chart,
            "amount_chart": amount_chart,
            "month_chart": month_chart,
        },
        visitor=visitor,
    )
