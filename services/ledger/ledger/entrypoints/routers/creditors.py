"""Creditors: their client-funds account and agreement.

Credit-report charges arrive as ``credit.report.purchased.v1`` events (the consumer)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from servicekit.auth import CurrentPrincipal
from servicekit.errors import NotFound
from servicekit.openapi import problem_responses

from ledger.adapters.agreements import AgreementStore
from ledger.domain.agreements import CreditorAgreement, InvalidAgreement, normalise_account
from ledger.domain.errors import InvalidInput
from ledger.entrypoints.deps import (
    AgencyAdmin,
    AgencyStaff,
    IdempotencyKey,
    ServiceDep,
    run_command,
)
from ledger.entrypoints.routers import PREFIX
from ledger.entrypoints.schemas import (
    AgreementIn,
    AgreementOut,
    CreditorAccountOut,
    CreditReportChargeOut,
    CreditReportChargesOut,
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


def _out(agreement: CreditorAgreement, updated_at: datetime | None) -> AgreementOut:
    return AgreementOut(
        creditor_id=agreement.creditor_id,
        allocation_order=list(agreement.allocation_order),
        commission_percent=agreement.commission_percent,
        vat_deductible=agreement.vat_deductible,
        claims_standardkompensasjon=agreement.claims_standardkompensasjon,
        payout_account=agreement.payout_account,
        payout_name=agreement.payout_name,
        updated_at=updated_at,
    )


@router.get(
    "/creditor-agreements",
    response_model=list[AgreementOut],
    summary="The agreements stored for these creditors (agency staff); one not listed has none",
)
async def list_agreements(
    principal: AgencyStaff,
    service: ServiceDep,
    creditor_id: Annotated[list[uuid.UUID], Query(min_length=1, max_length=200)],
) -> list[AgreementOut]:
    del principal
    async with service.session_factory() as session:
        stored = await AgreementStore(session).stored(creditor_id)
    return [_out(*stored[i]) for i in sorted(stored)]


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
        stored = await AgreementStore(session).stored([creditor_id])
    agreement, updated_at = stored.get(creditor_id, (CreditorAgreement(creditor_id), None))
    return _out(agreement, updated_at)


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
            claims_standardkompensasjon=body.claims_standardkompensasjon,
            payout_account=normalise_account(body.payout_account) if body.payout_account else None,
            payout_name=body.payout_name,
        )
    except InvalidAgreement as exc:
        raise InvalidInput(exc.field, exc.reason) from exc

    async def work(uow: LedgerUnitOfWork) -> tuple[int, AgreementOut]:
        await creditor_handlers.set_agreement(uow.books, agreement)
        stored = await uow.books.agreements.stored([creditor_id])
        return 200, _out(*stored[creditor_id])

    return await run_command(service, principal, idempotency_key, request, body, work)


@router.get(
    "/creditors/{creditor_id}/credit-report-charges",
    response_model=CreditReportChargesOut,
    responses=problem_responses(404),
    summary="The credit reports a creditor bought (its own users and agency staff)",
    description=(
        "Booked from the credit service's `credit.report.purchased.v1` events; each is "
        "deducted at the creditor's next settlement."
    ),
)
async def get_credit_report_charges(
    creditor_id: uuid.UUID, principal: CurrentPrincipal, service: ServiceDep
) -> CreditReportChargesOut:
    if principal.tenant is not None and principal.tenant != creditor_id:
        raise NotFound("No such creditor.")
    rows = await accounts_view.credit_report_charges(service.session_factory, creditor_id)
    charges = [CreditReportChargeOut.model_validate(r) for r in rows]
    return CreditReportChargesOut(
        creditor_id=creditor_id,
        charges=charges,
        pending_ore=sum(c.amount_ore for c in charges if c.settlement_id is None),
        total_ore=sum(c.amount_ore for c in charges),
    )
