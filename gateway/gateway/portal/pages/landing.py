"""The front door: what InfoCenter is, in the visitor's language, and the way in.

Signed-in people go straight on to the start page. Nothing here links to the ops overview:
that is for agency staff, from inside the portal. «Satser for <år>» shows the confirmed
rates in force today with their sources (:mod:`gateway.portal.front_rates`); without the
ledger the page is shown without them.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.portal import front_rates, rate_form, rate_names
from gateway.portal.formatting import today_oslo
from gateway.portal.i18n import Translator, language_of
from gateway.portal.render import page, redirect
from gateway.portal.visitor import cookie_names

router = APIRouter()


@router.get("/")
async def landing(request: Request) -> Response:
    names = cookie_names(request)
    if request.cookies.get(names.access) or request.cookies.get(names.refresh):
        return redirect("/oversikt")
    t = Translator(language_of(request))
    rates = await front_rates.rates_in_force(request)
    highest = rate_names.highest_limits(rates)
    return page(
        request,
        "portal/landing.html",
        {
            "title": None,
            "rates": rates,
            "year": today_oslo().year,
            "kind_name": lambda kind: rate_names.kind_name(str(kind), t),
            "parameter_name": lambda row: rate_names.parameter_name(
                str(row["kind"]), str(row.get("parameter") or ""), t, highest.get(row["kind"])
            ),
            "value_text": lambda row: rate_form.value_text(row["value"], row["unit"], t),
            "source_link": rate_form.source_link,
        },
    )
