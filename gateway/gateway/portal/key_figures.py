"""The start page's key figures from the reports service (``/api/v1/reports/kpis``):
recovery rate, collected per month (the last twelve) and open principal by age, laid out
as the start page draws its charts (:mod:`gateway.portal.charts`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gateway.portal import charts, formatting
from gateway.portal.api import ApiProblem
from gateway.portal.i18n import Translator
from gateway.portal.visitor import Visitor

KPIS = "/api/v1/reports/kpis"
MONTHS = 12
MONTH_NAMES = {
    "nb": ("jan", "feb", "mar", "apr", "mai", "jun", "jul", "aug", "sep", "okt", "nov", "des"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}


@dataclass(frozen=True)
class KeyFigures:
    """What the start page shows of the reports service's figures."""

    rate_text: str
    """``24,2 %`` (a dash when nothing is registered)."""
    collected_ore: int
    """Collected over the months shown."""
    collected_chart: charts.Chart
    ageing_chart: charts.Chart
    open_cases: int


def month_label(month: str, lang: str) -> str:
    """``2026-03`` → ``mar 26``."""
    year, number = month.split("-")
    return f"{MONTH_NAMES[lang][int(number) - 1]} {year[2:]}"


def ageing_label(bucket: str, t: Translator) -> str:
    key = f"home.ageing.{bucket}"
    return t(key) if t.has(key) else bucket


def lay_out(figures: dict[str, Any], t: Translator, lang: str) -> KeyFigures:
    """The charts of a ``/kpis`` answer."""
    months = figures["collected_per_month"]
    collected = charts.horizontal(
        [
            (
                month_label(m["month"], lang),
                int(m["collected_ore"]),
                formatting.amount(int(m["collected_ore"]), lang),
            )
            for m in months
        ],
        value_room=115,
        label_width=90,
    )
    ageing = charts.horizontal(
        [
            (
                ageing_label(b["bucket"], t),
                int(b["outstanding_principal_ore"]),
                formatting.amount(int(b["outstanding_principal_ore"]), lang),
            )
            for b in figures["ageing"]
        ],
        value_room=115,
        label_width=120,
    )
    return KeyFigures(
        rate_text=formatting.percent(figures["recovery"]["rate_percent"], lang),
        collected_ore=sum(int(m["collected_ore"]) for m in months),
        collected_chart=collected,
        ageing_chart=ageing,
        open_cases=sum(int(b["cases"]) for b in figures["ageing"]),
    )


async def fetch(visitor: Visitor, creditor_id: str | None) -> dict[str, Any] | None:
    """The reports service's figures for the caller (agency staff: one creditor or all);
    ``None`` when the service cannot say."""
    params: list[tuple[str, str]] = [("months", str(MONTHS))]
    if creditor_id and visitor.is_agency:
        params.append(("creditor_id", creditor_id))
    try:
        found: dict[str, Any] = await visitor.backend.get(KPIS, params)
    except ApiProblem as problem:
        if problem.status == 401:
            raise
        return None
    return found
