"""The front door: what InfoCenter is, in the visitor's language, and the way in.

Signed-in people go straight on to the start page. Nothing here links to the ops overview:
that is for agency staff, from inside the portal.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.portal.render import page, redirect
from gateway.portal.visitor import cookie_names

router = APIRouter()


@router.get("/")
async def landing(request: Request) -> Response:
    names = cookie_names(request)
    if request.cookies.get(names.access) or request.cookies.get(names.refresh):
        return redirect("/oversikt")
    return page(request, "portal/landing.html", {"title": None})
