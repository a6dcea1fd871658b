"""The credit reports on sale and what they cost the caller today."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path
from servicekit.errors import NotFound
from servicekit.openapi import problem_responses
from servicekit.types import Text

from credit.domain import products
from credit.domain.pricing import price_for
from credit.entrypoints.deps import AgencyAdmin, AnyUser, ServiceDep, creditor_scope
from credit.entrypoints.schemas import PriceOut, ProductOut, ProductTermsIn
from credit.service_layer.ordering import OSLO

router = APIRouter(prefix="/api/v1/credit", tags=["products"])


@router.get(
    "/products",
    response_model=list[ProductOut],
    responses=problem_responses(404),
    summary="Products and the caller's price today (shown before any purchase)",
    description=(
        "Creditor users get their organisation's price (its own list, else the agency "
        "default) and what its agreement allows; agency staff the default, or a "
        "creditor's with `creditor_id`."
    ),
)
async def list_products(
    principal: AnyUser, service: ServiceDep, creditor_id: uuid.UUID | None = None
) -> list[ProductOut]:
    scope = creditor_scope(principal, creditor_id)
    today = datetime.now(UTC).astimezone(OSLO).date()
    async with service.unit_of_work() as uow:
        lists = await uow.prices.lists([scope, None] if scope else [None], on=today)
        terms = await uow.prices.no_match_terms()
        agreement = await uow.agreements.get(scope) if scope else None
    allowed_purposes = (
        sorted(agreement.purposes) if agreement and agreement.purposes is not None else None
    )
    out = []
    for product in products.CATALOGUE.values():
        price = price_for(product.code, scope or uuid.UUID(int=0), today, lists)
        out.append(
            ProductOut(
                code=product.code,
                subject_kind=product.subject_kind.value,
                name_nb=product.name_nb,
                name_en=product.name_en,
                sections=list(product.sections),
                copy_letter=product.copy_letter,
                charge_no_match=terms.get(product.code, False),
                in_agreement=agreement is None
                or agreement.products is None
                or product.code in agreement.products,
                allowed_purposes=allowed_purposes,
                price=None
                if price is None
                else PriceOut(
                    unit_price_ore=price.unit_price_ore,
                    vat_ore=price.vat_ore,
                    total_ore=price.total_ore,
                    vat_code=price.vat_code,
                    price_list_id=price.price_list_id,
                    creditor_list=price.creditor_list,
                ),
            )
        )
    return out


@router.put(
    "/products/{code}/terms",
    response_model=ProductOut,
    responses=problem_responses(404),
    summary="Set a product's terms: whether a «no match» answer is charged",
)
async def put_product_terms(
    code: Annotated[Text, Path(max_length=40)],
    body: ProductTermsIn,
    principal: AgencyAdmin,
    service: ServiceDep,
) -> ProductOut:
    if products.product(code) is None:
        raise NotFound("No such product.")
    async with service.unit_of_work() as uow:
        await uow.prices.set_no_match_term(code, body.charge_no_match)
        await uow.commit()
    listed = await list_products(principal, service, None)
    return next(p for p in listed if p.code == code)
