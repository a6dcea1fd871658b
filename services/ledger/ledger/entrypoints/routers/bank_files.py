"""Bank files in: incoming payments (OCR giro, camt.054) and the bank's payout answers
(pain.002). Sent as the raw file body; case handlers and agency administrators only."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from servicekit.errors import DomainError, NotFound
from servicekit.openapi import problem_responses
from servicekit.types import Limit

from ledger.adapters.bankfiles.codes import location_code
from ledger.adapters.bankfiles.model import BankFileError, ParsedBankFile
from ledger.domain.errors import BankFileRejected
from ledger.domain.ids import new_id
from ledger.entrypoints.deps import (
    AgencyAdmin,
    AgencyStaff,
    IdempotencyKey,
    ServiceDep,
    run_command,
)
from ledger.entrypoints.routers import PREFIX
from ledger.entrypoints.schemas import BankAnswerOut, BankFileDetailOut, BankFileOut, ImportOut
from ledger.service_layer import payments as payment_handlers
from ledger.service_layer import settlements as settlement_handlers
from ledger.service_layer.unit_of_work import LedgerUnitOfWork
from ledger.views import bank_files as bank_files_view

router = APIRouter(prefix=PREFIX, tags=["bank files"])

FILE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
            "application/xml": {"schema": {"type": "string"}},
            "text/plain": {"schema": {"type": "string"}},
        },
    }
}


class FileTooLarge(DomainError):
    status, type, title = 413, "file-too-large", "File too large"


async def read_file(request: Request, limit: int) -> bytes:
    """The request body, refused (413) beyond ``limit`` bytes, and (422) when empty."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise FileTooLarge(f"A bank file may be at most {limit} bytes.")
        chunks.append(chunk)
    data = b"".join(chunks)
    if not data:
        raise BankFileRejected(
            "The file is empty.",
            errors=[
                {"field": "body", "reason": "empty", "code": "bank-file-empty", "where": "file"}
            ],
        )
    return data


def _problems(errors: tuple[BankFileError, ...]) -> list[dict[str, str | int]]:
    """Each problem with its stable ``code``, ``line``, ``element`` and ``where`` (the
    portal translates the codes; ``reason`` and ``element`` are for developers)."""
    return [e.as_problem() for e in errors[:200]]


def _check(parsed: ParsedBankFile, partial: bool) -> None:
    mismatched = [c for c in parsed.controls if not c.matches]
    problems = _problems(parsed.errors) + [
        {
            "field": c.scope,
            "reason": f"declares {c.declared_count} payments of {c.declared_amount_ore} øre, "
            f"read {c.counted} of {c.summed_ore} øre",
            "code": "bank-file-totals",
            "element": c.scope,
            "where": location_code(c.scope),
        }
        for c in mismatched
    ]
    if problems and (not partial or not parsed.payments):
        raise BankFileRejected(
            f"The file has {len(problems)} problem(s); nothing was imported.", errors=problems
        )


@router.post(
    "/bank-files",
    status_code=201,
    response_model=ImportOut,
    responses={
        200: {"model": ImportOut, "description": "The same file was imported before"},
        **problem_responses(409, 413, 422),
    },
    openapi_extra=FILE_BODY,
    summary="Import a bank file of incoming payments (OCR giro or camt.054)",
    description="The file is the request body. Payments are matched by KID and booked; the "
    "unmatched are queued. Importing the same file (or transaction) again changes nothing. A "
    "file with problems is refused as a whole unless `partial=true`.",
)
async def post_bank_file(
    request: Request,
    principal: AgencyStaff,
    service: ServiceDep,
    idempotency_key: IdempotencyKey,
    file_format: Annotated[Literal["ocr", "camt054"], Query(alias="format")],
    partial: bool = False,
) -> JSONResponse:
    data = await read_file(request, service.settings.bank_file_max_bytes)
    digest = hashlib.sha256(data).hexdigest()
    parse = service.parse_ocr if file_format == "ocr" else service.parse_camt054
    parsed = await asyncio.to_thread(parse, data)
    _check(parsed, partial)

    async def work(uow: LedgerUnitOfWork) -> tuple[int, ImportOut]:
        books = uow.books
        before = await books.payments.bank_file(digest)
        if before is not None:
            return 200, ImportOut.model_validate(before.summary)
        file_id = new_id()
        summary = await payment_handlers.receive_payments(
            books,
            [
                payment_handlers.PaymentIn(
                    transaction_id=f"{p.source_format}:{p.transaction_id}",
                    kid=p.kid,
                    amount_ore=p.amount_ore,
                    value_date=p.value_date or p.booking_date,
                    source=p.source_format,
                    currency=p.currency,
                    payer_name=p.payer_name,
                    payer_account=p.payer_account,
                    message=p.free_text,
                )
                for p in parsed.payments
            ],
            service.policy,
            bank_file_id=file_id,
        )
        payouts = await settlement_handlers.apply_payout_bookings(
            books, parsed.payout_bookings, client_account=service.policy.client_funds_account
        )
        out = ImportOut.model_validate(
            {
                **summary.__dict__,
                "bank_file_id": file_id,
                "bank_reference": parsed.file_id,
                "payouts": payouts,
            }
        )
        await books.payments.add_bank_file(
            file_id=file_id,
            sha256=digest,
            source_format=file_format,
            bank_reference=parsed.file_id,
            received_at=datetime.now(UTC),
            uploaded_by=principal.user_id,
            summary=out.model_dump(mode="json"),
        )
        return 201, out

    return await run_command(service, principal, idempotency_key, request, {"sha256": digest}, work)


@router.get(
    "/bank-files",
    response_model=list[BankFileOut],
    summary="Bank files of incoming payments imported, newest first",
)
async def list_bank_files(
    principal: AgencyStaff,
    service: ServiceDep,
    before: Annotated[uuid.UUID | None, Query(description="a bank file id: older ones")] = None,
    limit: Annotated[Limit, Query(le=200)] = 50,
) -> list[BankFileOut]:
    del principal
    async with service.session_factory() as session:
        rows = await bank_files_view.list_bank_files(session, before=before, limit=limit)
    return [BankFileOut.model_validate(r) for r in rows]


@router.get(
    "/bank-files/{bank_file_id}",
    response_model=BankFileDetailOut,
    responses=problem_responses(404),
    summary="One imported bank file: what it did, and its payments (matched or not)",
)
async def get_bank_file(
    bank_file_id: uuid.UUID, principal: AgencyStaff, service: ServiceDep
) -> BankFileDetailOut:
    del principal
    async with service.session_factory() as session:
        row = await bank_files_view.bank_file(session, bank_file_id)
    if row is None:
        raise NotFound("No such bank file.")
    return BankFileDetailOut.model_validate(row)


@router.post(
    "/payout-answers",
    response_model=BankAnswerOut,
    responses=problem_responses(404, 409, 413, 422),
    openapi_extra=FILE_BODY,
    summary="The bank's status report (pain.002) on a payout file",
    description="Accepted payouts post their settlements; rejected ones void them.",
)
async def post_payout_answer(
    request: Request, principal: AgencyAdmin, service: ServiceDep, idempotency_key: IdempotencyKey
) -> JSONResponse:
    data = await read_file(request, service.settings.bank_file_max_bytes)
    answer = await asyncio.to_thread(service.parse_pain002, data)
    if answer.errors:
        raise BankFileRejected("The status report cannot be read.", errors=_problems(answer.errors))

    async def work(uow: LedgerUnitOfWork) -> tuple[int, BankAnswerOut]:
        outcomes = await settlement_handlers.apply_bank_answer(
            uow.books, answer, client_account=service.policy.client_funds_account
        )
        return 200, BankAnswerOut(original_message_id=answer.original_message_id, outcomes=outcomes)

    digest = hashlib.sha256(data).hexdigest()
    return await run_command(service, principal, idempotency_key, request, {"sha256": digest}, work)
