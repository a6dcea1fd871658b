"""Correcting an issued settlement statement: its credit note and, for master data, the
replacement statement (``reports.domain.corrections``).

One transaction: the statement's row is locked (two corrections of it run one after the
other, and the second finds the first), the credit note and the replacement take the
next numbers of the statements' series (the counter row stays locked until the commit,
so a correction that fails leaves no gap), both are rendered in a worker thread, stored
with their posting proposals, each voucher announced (``reports.document.issued.v1``,
the outbox), and the correction is recorded (append-only). The statement
itself is not touched: its bytes and SHA-256 stay as issued.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from reports.adapters.document_store import DocumentStore, NewDocument
from reports.adapters.projections import ProjectionStore
from reports.domain import documents as kinds
from reports.domain.corrections import (
    CORRECTABLE_KINDS,
    CorrectedDocument,
    Reason,
    credit_of,
    replaces_statement,
    reversed_postings,
)
from reports.domain.errors import (
    DocumentAlreadyCorrected,
    DocumentNotCorrectable,
    DocumentNotFound,
    SettlementNotInReadModel,
)
from reports.domain.layouts import parse_postings_csv, postings_csv, statement_csv
from reports.domain.postings import posting_proposal
from reports.domain.statement import StatementHeader
from reports.service_layer.issuing import (
    OSLO,
    Issuer,
    agency_of,
    creditor_of,
    settlement_statement_of,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Correction:
    """What a correction issued."""

    correction_id: uuid.UUID
    original_document_id: uuid.UUID
    reason: Reason
    credit_note_document_id: uuid.UUID
    replacement_document_id: uuid.UUID | None
    corrected_at: datetime


async def correct_statement(
    projections: ProjectionStore,
    store: DocumentStore,
    issuer: Issuer,
    *,
    document_id: uuid.UUID,
    reason: Reason,
    requested_by: uuid.UUID | None,
) -> Correction:
    """Credit the settlement statement ``document_id`` (and replace it, for master data)."""
    original = await store.locked(document_id)
    if original is None:
        raise DocumentNotFound("No such document.")
    if original.kind not in CORRECTABLE_KINDS:
        raise DocumentNotCorrectable("Only a settlement statement is corrected.")
    if await store.correction_of(document_id) is not None:
        raise DocumentAlreadyCorrected("The statement is credited already.")
    original_postings = await store.by_number("posting_proposal", original.number)
    try:
        settlement, statement = await settlement_statement_of(projections, original.source_id)
    except LookupError as exc:
        raise SettlementNotInReadModel("The statement's settlement is not available.") from exc
    renderer = issuer.renderer
    agency = await agency_of(projections, issuer)
    creditor = await creditor_of(projections, settlement.creditor_id)
    issued_at = issuer.clock.now()
    issued_on = issued_at.astimezone(OSLO).date()
    series = kinds.statement_series(issued_on.year)
    credit_number = kinds.statement_number(issued_on.year, await store.next_number(series))
    replacement_number = (
        kinds.statement_number(issued_on.year, await store.next_number(series))
        if replaces_statement(reason)
        else None
    )
    corrected = CorrectedDocument(
        number=original.number,
        issued_on=original.issued_at.astimezone(OSLO).date(),
        reason=reason,
        credit_note_number=credit_number,
        replacement_number=replacement_number,
    )

    def header(number: str) -> StatementHeader:
        return StatementHeader(
            agency_name=agency.name,
            agency_organisation_number=agency.organisation_number,
            creditor_name=creditor.name,
            creditor_organisation_number=creditor.organisation_number,
            number=number,
            issued_on=issued_on,
            period_start=original.period_start or settlement.period_end,
            period_end=original.period_end or settlement.period_end,
            settlement_number=settlement.settlement_number,
            payout_date=settlement.payout_date,
            client_account=settlement.client_account,
            payout_account=settlement.payout_account,
        )

    common: dict[str, Any] = {
        "organisation_id": original.organisation_id,
        "source_id": original.source_id,
        "issued_at": issued_at,
        "period_start": original.period_start,
        "period_end": original.period_end,
    }
    postings_id = None if original_postings is None else original_postings.document_id
    credit = credit_of(statement)
    # the credit note cancels the postings as they were issued (the file, not a recomputation)
    cancelled = (
        parse_postings_csv(bytes(original_postings.content))
        if original_postings is not None
        else posting_proposal(statement)
    )
    credit_postings = postings_csv(
        reversed_postings(cancelled), voucher=credit_number, on=issued_on
    )
    credit_pdf = await asyncio.to_thread(
        renderer.credit_note,
        header(credit_number),
        credit,
        corrects=corrected,
        issued_at=issued_at,
        lines_csv=statement_csv(credit),
        postings_csv=credit_postings,
    )
    credit_note_id = uuid.uuid4()
    await _add_voucher(
        store, common, "credit_note", credit_note_id, credit_number, credit_pdf, document_id
    )
    await _add_voucher(
        store, common, "posting_proposal", uuid.uuid4(), credit_number, credit_postings,
        postings_id,
    )  # fmt: skip
    replacement_id = None
    if replacement_number is not None:
        postings = postings_csv(
            posting_proposal(statement), voucher=replacement_number, on=issued_on
        )
        pdf = await asyncio.to_thread(
            renderer.settlement_statement,
            header(replacement_number),
            statement,
            issued_at=issued_at,
            lines_csv=statement_csv(statement),
            postings_csv=postings,
            corrects=corrected,
        )
        replacement_id = uuid.uuid4()
        await _add_voucher(
            store, common, "settlement_statement", replacement_id, replacement_number, pdf,
            document_id,
        )  # fmt: skip
        await _add_voucher(
            store, common, "posting_proposal", uuid.uuid4(), replacement_number, postings,
            postings_id,
        )  # fmt: skip
    correction = Correction(
        correction_id=uuid.uuid4(),
        original_document_id=document_id,
        reason=reason,
        credit_note_document_id=credit_note_id,
        replacement_document_id=replacement_id,
        corrected_at=issued_at,
    )
    await store.add_correction(
        {
            "correction_id": correction.correction_id,
            "original_document_id": document_id,
            "organisation_id": original.organisation_id,
            "reason": reason,
            "credit_note_document_id": credit_note_id,
            "replacement_document_id": replacement_id,
            "requested_by": requested_by,
            "corrected_at": issued_at,
        }
    )
    log.info(
        "statement %s credited by %s (%s)%s",
        original.number,
        credit_number,
        reason,
        f", replaced by {replacement_number}" if replacement_number else "",
    )
    return correction


async def _add_voucher(
    store: DocumentStore,
    common: dict[str, Any],
    kind: kinds.DocumentKind,
    document_id: uuid.UUID,
    number: str,
    content: bytes,
    replaces: uuid.UUID | None,
) -> None:
    document = NewDocument(
        document_id=document_id,
        kind=kind,
        number=number,
        media_type=kinds.CSV if kind == "posting_proposal" else kinds.PDF,
        file_name=kinds.file_name(kind, number),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        replaces_document_id=replaces,
        **common,
    )
    await store.add(document)
    if kind != "posting_proposal":  # the voucher itself is announced; its postings go with it
        await store.announce(document)
