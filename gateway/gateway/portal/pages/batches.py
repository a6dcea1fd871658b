"""Registration batches and the content of their order confirmations."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.portal.documents import documents_for
from gateway.portal.errors import error_page
from gateway.portal.i18n import Translator, language_of
from gateway.portal.render import page
from gateway.portal.visitor import VisitorDep

router = APIRouter()


@router.get("/bunter")
async def batch_list(request: Request, visitor: VisitorDep, cursor: str = "") -> Response:
    t = Translator(language_of(request))
    params = {"limit": 25, **({"cursor": cursor} if cursor else {})}
    result = await visitor.backend.get("/api/v1/cases/batches", params=params)
    return page(
        request,
        "portal/batches.html",
        {
            "title": t("batches.title"),
            "active": "batches",
            "items": result["items"],
            "next_cursor": result.get("next_cursor"),
            "paged": bool(cursor),
        },
        visitor=visitor,
    )


@router.get("/bunter/{batch_id}")
async def batch_detail(
    request: Request, batch_id: str, visitor: VisitorDep, cursor: str = ""
) -> Response:
    t = Translator(language_of(request))
    try:
        uuid.UUID(batch_id)
    except ValueError:
        return error_page(request, 404, "error.not_found_title", t("error.not_found"))
    params = {"limit": 200, **({"cursor": cursor} if cursor else {})}
    batch = await visitor.backend.get(f"/api/v1/cases/batches/{batch_id}", params=params)
    registered = batch.get("status") == "registered"
    return page(
        request,
        "portal/batch.html",
        {
            "title": t("batch.title", number=batch["batch_number"]),
            "active": "batches",
            "batch": batch,
            "paged": bool(cursor),
            "documents": (
                await documents_for(visitor, batch_id, ["order_confirmation"]) if registered else []
            ),
        },
        visitor=visitor,
    )
