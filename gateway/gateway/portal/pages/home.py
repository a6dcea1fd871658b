"""The start page: the portfolio at a glance (cases by status, amounts, activity, notes)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.portal import charts, formatting
from gateway.portal.api import ApiProblem
from gateway.portal.i18n import Translator, language_of
from gateway.portal.portfolio import SAMPLE, summarise
from gateway.portal.render import page
from gateway.portal.visitor import Visitor, VisitorDep

router = APIRouter()

_MONTHS = {
    "nb": ("jan", "feb", "mar", "apr", "mai", "jun", "jul", "aug", "sep", "okt", "nov", "des"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}


PAYMENTS_SAMPLE = 1000
MONTHS = 6


async def _collected(visitor: Visitor) -> tuple[int | None, bool]:
    """What the ledger has collected on the caller's cases (allocated payments), and
    whether there were more payments than were read; ``None`` when the ledger cannot say."""
    try:
        rows = await visitor.backend.get(
            "/api/v1/ledger/payments", params={"status": "allocated", "limit": PAYMENTS_SAMPLE}
        )
    except ApiProblem as problem:
        if problem.status >= 500 or problem.status in (403, 404):
            return None, False
        raise
    return sum(int(r["amount_ore"]) for r in rows), len(rows) >= PAYMENTS_SAMPLE


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
    collected, collected_capped = await _collected(visitor)
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
            "collected": collected,
            "collected_capped": collected_capped,
            "unread": unread,
            "status_chart": status_chart,
            "amount_chart": amount_chart,
            "month_chart": month_chart,
        },
        visitor=visitor,
    )
