"""The agency's price lists for credit reports (agency administrators)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime

from fastapi import APIRouter, Request, Response, status
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from servicekit.errors import NotFound
from servicekit.idempotency import answer_once, fingerprint
from servicekit.openapi import problem_responses

from credit.adapters.orm import idempotency_keys
from credit.domain.pricing import PriceItem, PriceList
from credit.entrypoints.deps import AgencyAdmin, IdempotencyKey, ServiceDep
from credit.entrypoints.schemas import PriceItemOut, PriceListEndIn, PriceListIn, PriceListOut
from credit.service_layer import price_lists
from credit.service_layer.ordering import OSLO
from credit.service_layer.unit_of_work import CreditUnitOfWork

router = APIRouter(prefix="/api/v1/credit", tags=["price lists"])


def _today() -> date:
    return datetime.now(UTC).astimezone(OSLO).date()


def _out(price_list: PriceList) -> PriceListOut:
    return PriceListOut(
        id=price_list.id,
        creditor_id=price_list.creditor_id,
        name=price_list.name,
        valid_from=price_list.valid_from,
        valid_to=price_list.valid_to,
        items=[
            PriceItemOut(
                product_code=i.product_code,
                unit_price_ore=i.unit_price_ore,
                vat_ore=i.vat_ore,
                vat_code=i.vat_code,
            )
            for i in price_list.items
        ],
    )


def _draft(body: PriceListIn) -> price_lists.PriceListDraft:
    return price_lists.PriceListDraft(
        creditor_id=body.creditor_id,
        name=body.name,
        valid_from=body.valid_from,
        valid_to=body.valid_to,
        items=tuple(PriceItem(i.product_code, i.unit_price_ore, i.vat_code) for i in body.items),
    )


async def _once(
    service: ServiceDep,
    principal: AgencyAdmin,
    request: Request,
    key: str,
    body: object,
    work: Callable[[CreditUnitOfWork], Awaitable[tuple[int, object]]],
) -> JSONResponse:
    async with service.unit_of_work() as uow:

        async def run() -> tuple[int, object]:
            status_code, result = await work(uow)
            return status_code, jsonable_encoder(result)

        stored = await answer_once(
            uow.session,
            idempotency_keys,
            scope=str(principal.user_id),
            key=key,
            request_fingerprint=fingerprint(
                request.method, request.url.path, jsonable_encoder(body)
            ),
            work=run,
        )
        await uow.commit()
    return JSONResponse(stored.body, status_code=stored.status_code)


@router.get(
    "/price-lists",
    response_model=list[PriceListOut],
    summary="Every price list (the agency default and per creditor), oldest first",
)
async def list_price_lists(
    principal: AgencyAdmin, service: ServiceDep, creditor_id: uuid.UUID | None = None
) -> list[PriceListOut]:
    async with service.unit_of_work() as uow:
        lists = await uow.prices.lists(None if creditor_id is None else [creditor_id])
    return [_out(pl) for pl in lists]


@router.post(
    "/price-lists",
    status_code=status.HTTP_201_CREATED,
    response_model=PriceListOut,
    responses=problem_responses(),
    summary="A new price list, in force from a date (today or later)",
)
async def create_price_list(
    body: PriceListIn,
    request: Request,
    principal: AgencyAdmin,
    service: ServiceDep,
    idempotency_key: IdempotencyKey,
) -> JSONResponse:
    async def work(uow: CreditUnitOfWork) -> tuple[int, PriceListOut]:
        made = await price_lists.create(uow, _draft(body), principal.user_id, _today())
        return 201, _out(made)

    return await _once(service, principal, request, idempotency_key, body, work)


@router.get(
    "/price-lists/{price_list_id}",
    response_model=PriceListOut,
    responses=problem_responses(404),
    summary="One price list",
)
async def get_price_list(
    price_list_id: uuid.UUID, principal: AgencyAdmin, service: ServiceDep
) -> PriceListOut:
    async with service.unit_of_work() as uow:
        found = await uow.prices.get(price_list_id)
    if found is None:
        raise NotFound("No such price list.")
    return _out(found)


@router.put(
    "/price-lists/{price_list_id}",
    response_model=PriceListOut,
    responses=problem_responses(404, 409),
    summary="Change a price list not yet in force",
)
async def change_price_list(
    price_list_id: uuid.UUID,
    body: PriceListIn,
    request: Request,
    principal: AgencyAdmin,
    service: ServiceDep,
    idempotency_key: IdempotencyKey,
) -> JSONResponse:
    async def work(uow: CreditUnitOfWork) -> tuple[int, PriceListOut]:
        changed = await price_lists.change(uow, price_list_id, _draft(body), _today())
        return 200, _out(changed)

    return await _once(service, principal, request, idempotency_key, body, work)


@router.post(
    "/price-lists/{price_list_id}/ending",
    response_model=PriceListOut,
    responses=problem_responses(404),
    summary="End a price list on a date (exclusive); a new list takes over",
)
async def end_price_list(
    price_list_id: uuid.UUID,
    body: PriceListEndIn,
    request: Request,
    principal: AgencyAdmin,
    service: ServiceDep,
    idempotency_key: IdempotencyKey,
) -> JSONResponse:
    async def work(uow: CreditUnitOfWork) -> tuple[int, PriceListOut]:
        ended = await price_lists.end(uow, price_list_id, body.valid_to, _today())
        return 200, _out(ended)

    return await _once(service, principal, request, idempotency_key, body, work)


@router.delete(
    "/price-lists/{price_list_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(404, 409),
    summary="Remove a price list that was never in force",
)
async def remove_price_list(
    price_list_id: uuid.UUID, principal: AgencyAdmin, service: ServiceDep
) -> Response:
    async with service.unit_of_work() as uow:
        await price_lists.remove(uow, price_list_id, _today())
        await uow.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
