"""Creditors: their client-funds account, agreement and credit-report charges."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, status
from fastapi.responses import JSONResponse
from servicekit.auth import CurrentPrincipal
from servicekit.errors import NotFound
from servicekit.openapi import problem_responses

from ledger.adapters.agreements import AgreementStore
from ledger.domain.agreements import CreditorAgreement, InvalidAgreement, normalise_account
from ledger.domain.errors import InvalidInput
from ledger.entrypoints.deps import AgencyAdmin, IdempotencyKey, ServiceDep, run_command
from ledger.entrypoints.routers import PREFIX
from ledger.entrypoints.schemas import (
    AgreementIn,
    AgreementOut,
    ChargeIn,
    ChargeOut,
    CreditorAccountOut,
)
from ledger.service_layer import creditors as creditor_handlers
from ledger.service_layer.unit_of_work import LedgerUnitOfWork
from ledger.views import accounts as accounts_view

router = APIRouter(prefix=PREFIX, tags=["creditors"])


@router.get(
    "/creditor-accounts/{organisation_id}",
    response_model=CreditorAccountOut,
    responses=problem_responses(404),
    summary="The account a creditor's client funds are held on",
)
async def get_creditor_account(
    organisation_id: uuid.UUID, principal: AgencyAdmin, service: ServiceDep
) -> CreditorAccountOut:
    del principal
    row = await accounts_view.creditor_account(service.session_factory, organisation_id)
    if row is None:
        raise NotFound("No such creditor account.")
    return CreditorAccountOut.model_validate(row)


def _out(agreement: CreditorAgreement) -> AgreementOut:
    return AgreementOut(
        creditor_id=agreement.creditor_id,
        allocation_order=list(agreement.allocation_order),
        commission_percent=agreement.commission_percent,
        vat_deductible=agreement.vat_deductible,
        payout_account=agreement.payout_account,
        payout_name=agreement.payout_name,
    )


@router.get(
    "/creditors/{creditor_id}/agreement",
    response_model=AgreementOut,
    responses=problem_responses(404),
    summary="A creditor's agreement as the ledger applies it (its own users and agency staff)",
)
async def get_agreement(
    creditor_id: uuid.UUID, principal: CurrentPrincipal, service: ServiceDep
) -> AgreementOut:
    if principal.tenant is not None and principal.tenant != creditor_id:
        raise NotFound("No such creditor.")
    async with service.session_factory() as session:
        return _out(await AgreementStore(session).get(creditor_id))


@router.put(
    "/creditors/{creditor_id}/agreement",
    response_model=AgreementOut,
    responses=problem_responses(409, 422),
    summary="Set a creditor's allocation order, commission, VAT status and payout account",
)
async def put_agreement(
    creditor_id: uuid.UUID,
    body: AgreementIn,
    request: Request,
    principal: AgencyAdmin,
    service: ServiceDep,
    idempotency_key: IdempotencyKey,
) -> JSONResponse:
    try:
        agreement = CreditorAgreement(
            creditor_id=creditor_id,
            allocation_order=tuple(body.allocation_order),
            commission_percent=body.commission_percent,
            vat_deductible=body.vat_deductible,
            payout_account=normalise_account(body.payout_account) if body.payout_account else None,
            payout_name=body.payout_name,
        )
    except InvalidAgreement as exc:
        raise InvalidInput(exc.field, exc.reason) from exc

    async def work(uow: LedgerUnitOfWork) -> tuple[int, AgreementOut]:
        return 200, _out(await creditor_handlers.set_agreement(uow.books, agreement))

    return await run_command(service, principal, idempotency_key, request, body, work)


@router.post(
    "/creditors/{creditor_id}/credit-report-charges",
    status_code=status.HTTP_201_CREATED,
    response_model=ChargeOut,
    responses=problem_responses(409),
    summary="A credit report the creditor bought: deducted at its next settlement",
)
async def post_charge(
    creditor_id: uuid.UUID,
    body: ChargeIn,
    request: Request,
    principal: AgencyAdmin,
    service: ServiceDep,
    idempotency_key: IdempotencyKey,
) -> JSONResponse:
    async def work(uow: LedgerUnitOfWork) -> tuple[int, ChargeOut]:
        recorded = await creditor_handlers.record_credit_report_charge(
            uow.books,
            charge_id=body.charge_id,
            creditor_id=creditor_id,
            amount_ore=body.amount_ore,
            on=body.purchased_on,
        )
        return 201, ChargeOut(charge_id=body.charge_id, recorded=recorded)

    return await run_command(service, principal, idempotency_key, request, body, work)
