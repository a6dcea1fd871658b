"""Issuing documents: the order confirmation of a batch, the statement of a settlement.

The consumer *requests* them (``request_*``) in the transaction that applied the event
that completed their data: it checks what it can check without rendering (the data is
all there, a statement's totals match the ledger's) and records a document job with the
inbox row (ADR 0066). The renderer (:mod:`reports.service_layer.renderer`) then *issues*
them (``issue_*``): renders in a worker thread and stores the document, its number and its
``reports.document.issued.v1`` (the outbox) in one transaction with the job's end.
Issuing is idempotent by its source: a document of that kind for that batch or settlement
is never made twice (a unique index backs the check, so two renderers racing cannot both
commit one, and the loser's number is rolled back with it: no gap).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from contracts.reports import PostingProposalIssued, ProposedPosting

from reports.adapters.document_jobs import ORDER_CONFIRMATION, SETTLEMENT_STATEMENT, DocumentJobs
from reports.adapters.document_store import DocumentStore, NewDocument
from reports.adapters.projections import ProjectionStore, interest_of
from reports.domain import documents as kinds
from reports.domain.case_statement import (
    BookedBalance,
    CaseStatement,
    StatementClaim,
    StatementPayment,
    case_statement_number,
)
from reports.domain.corrections import CorrectedDocument
from reports.domain.errors import (
    AgencyUnknown,
    CaseNotFound,
    CasesNotInReadModel,
    OrganisationNotInReadModel,
)
from reports.domain.layouts import postings_csv, statement_csv
from reports.domain.letters import DebtorLetter
from reports.domain.order_confirmation import (
    ConfirmedCase,
    OrderConfirmation,
    Party,
    RefusedRow,
)
from reports.domain.postings import posting_proposal
from reports.domain.statement import (
    LedgerTotals,
    Statement,
    StatementHeader,
    StatementLine,
    line_vat,
    statement_of,
)

log = logging.getLogger(__name__)
OSLO = ZoneInfo("Europe/Oslo")


class DocumentRenderer(Protocol):
    """The port that turns a document's data into its PDF."""

    def order_confirmation(
        self, confirmation: OrderConfirmation, *, issued_at: datetime
    ) -> bytes: ...

    def settlement_statement(
        self,
        header: StatementHeader,
        statement: Statement,
        *,
        issued_at: datetime,
        lines_csv: bytes,
        postings_csv: bytes,
        corrects: CorrectedDocument | None = None,
    ) -> bytes: ...

    def credit_note(
        self,
        header: StatementHeader,
        credit: Statement,
        *,
        corrects: CorrectedDocument,
        issued_at: datetime,
        lines_csv: bytes,
        postings_csv: bytes,
    ) -> bytes: ...

    def case_statement(self, statement: CaseStatement, *, issued_at: datetime) -> bytes: ...

    def debtor_letter(self, letter: DebtorLetter, *, issued_at: datetime) -> bytes: ...

    def debtor_letters(
        self, letters: Sequence[DebtorLetter], *, issued_at: datetime
    ) -> list[bytes]:
        """Each letter's own PDF, in order (a batch, rendered at once)."""
        ...


class Clock(Protocol):
    def now(self) -> datetime: ...


@dataclass(frozen=True)
class Issuer:
    """What issuing needs besides the transaction: the renderer, the clock, the agency's
    identity should the read model not hold it."""

    renderer: DocumentRenderer
    clock: Clock
    agency_name: str = ""
    agency_organisation_number: str = ""
    client_account: str = ""
    """The agency's client account (klientkonto) the debtor's letters ask payment to."""


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


async def agency_of(projections: ProjectionStore, issuer: Issuer) -> Party:
    row = await projections.agency()
    if row is not None:
        return Party(row.name, row.organisation_number)
    if issuer.agency_name and issuer.agency_organisation_number:
        return Party(issuer.agency_name, issuer.agency_organisation_number)
    raise AgencyUnknown("no agency organisation known")


async def creditor_of(projections: ProjectionStore, creditor_id: uuid.UUID) -> Party:
    row = await projections.organisation(creditor_id)
    if row is None:
        raise OrganisationNotInReadModel(creditor_id)
    return Party(row.name, row.organisation_number)


async def request_order_confirmation(
    projections: ProjectionStore, store: DocumentStore, issuer: Issuer, batch_id: uuid.UUID
) -> None:
    """Record the job that issues the order confirmation of a batch whose cases are all in
    the read model (nothing when it was issued or purged already). A creditor or agency not
    yet in the read model refuses the event for now, as issuing it here did."""
    if await store.issued("order_confirmation", batch_id) is not None:
        return
    if await store.purged("order_confirmation", batch_id) is not None:
        return
    batch = await projections.batch(batch_id)
    if batch is None:
        raise LookupError(f"batch {batch_id} is not in the read model")
    await agency_of(projections, issuer)
    await creditor_of(projections, batch.creditor_id)
    await DocumentJobs(store.session).request(ORDER_CONFIRMATION, batch_id)


async def issue_order_confirmation(
    projections: ProjectionStore,
    store: DocumentStore,
    issuer: Issuer,
    batch_id: uuid.UUID,
    *,
    document_id: uuid.UUID | None = None,
) -> uuid.UUID:
    """The order confirmation of a batch whose cases are all in the read model."""
    existing = await store.issued("order_confirmation", batch_id)
    if existing is not None:
        return uuid.UUID(str(existing.document_id))
    purged = await store.purged("order_confirmation", batch_id)
    if purged is not None:  # past retention and deleted: a replay does not issue it again
        return purged
    batch = await projections.batch(batch_id)
    if batch is None:
        raise LookupError(f"batch {batch_id} is not in the read model")
    confirmation = OrderConfirmation(
        agency=await agency_of(projections, issuer),
        creditor=await creditor_of(projections, batch.creditor_id),
        batch_number=batch.batch_number,
        channel=batch.channel,
        registered_at=batch.registered_at,
        cases=tuple(
            ConfirmedCase(
                case_number=c.case_number,
                creditor_reference=c.creditor_reference,
                debtor_name=c.debtor_name or "",
                principal_ore=c.principal_ore,
                due_date=c.due_date,
                kid=c.kid,
            )
            for c in await projections.cases_of_batch(batch_id)
        ),
        refused=tuple(
            RefusedRow(
                row=int(r["row"]),
                creditor_reference=r.get("creditor_reference") or "",
                fields=tuple(r.get("fields") or ()),
            )
            for r in batch.rejected_rows
        ),
        refused_count=batch.rejected_count,
    )
    issued_at = issuer.clock.now()
    pdf = await asyncio.to_thread(
        issuer.renderer.order_confirmation, confirmation, issued_at=issued_at
    )
    registered_on = batch.registered_at.astimezone(OSLO).date()
    document_id = document_id or uuid.uuid4()
    document = NewDocument(
        document_id=document_id,
        organisation_id=batch.creditor_id,
        kind="order_confirmation",
        source_id=batch_id,
        number=batch.batch_number,
        issued_at=issued_at,
        period_start=registered_on,
        period_end=registered_on,
        media_type=kinds.PDF,
        file_name=kinds.file_name("order_confirmation", batch.batch_number),
        sha256=_sha256(pdf),
        content=pdf,
    )
    await store.add(document)
    await store.announce(document)
    log.info("order confirmation issued for batch %s (%d cases)", batch_id, len(confirmation.cases))
    return document_id


def statement_lines(
    lines: Sequence[Any], cases: dict[uuid.UUID, Any], *, vat_deductible: bool
) -> list[StatementLine]:
    """The settlement's lines as the statement prints them, each with its VAT."""
    return [
        StatementLine(
            line_id=x.line_id,
            case_id=x.case_id,
            case_number=cases[x.case_id].case_number,
            creditor_reference=cases[x.case_id].creditor_reference,
            payment_id=x.payment_id,
            value_date=x.value_date,
            principal_ore=x.principal_ore,
            interest_ore=x.interest_ore,
            reminder_fees_ore=x.reminder_fees_ore,
            collection_fees_ore=x.collection_fees_ore,
            court_fees_ore=x.court_fees_ore,
            commission_ore=x.commission_ore,
            net_ore=x.net_ore,
            vat_ore=line_vat(
                collection_fees_ore=x.collection_fees_ore,
                commission_ore=x.commission_ore,
                vat_deductible=vat_deductible,
            ),
        )
        for x in lines
    ]


async def settlement_statement_of(
    projections: ProjectionStore, settlement_id: uuid.UUID
) -> tuple[Any, Statement]:
    """The settlement (read model) and its statement's lines, checked against the ledger's
    totals to the øre (a mismatch raises ``StatementMismatch``)."""
    settlement = await projections.settlement(settlement_id)
    if settlement is None:
        raise LookupError(f"settlement {settlement_id} is not in the read model")
    rows = await projections.lines_of(settlement_id)
    cases = await projections.cases_by_id(x.case_id for x in rows)
    missing = {x.case_id for x in rows} - set(cases)
    if missing:
        raise CasesNotInReadModel(len(missing))
    statement = statement_of(
        statement_lines(rows, cases, vat_deductible=settlement.vat_deductible),
        credit_report_charges_ore=settlement.credit_report_charges_ore,
        vat_deductible=settlement.vat_deductible,
    )
    statement.check_against(
        LedgerTotals(
            collected_ore=settlement.collected_ore,
            commission_ore=settlement.commission_ore,
            credit_report_charges_ore=settlement.credit_report_charges_ore,
            agency_fees_ore=settlement.agency_fees_ore,
            payout_ore=settlement.payout_ore,
            line_count=settlement.line_count,
        )
    )
    return settlement, statement


async def request_settlement_statement(
    projections: ProjectionStore, store: DocumentStore, issuer: Issuer, settlement_id: uuid.UUID
) -> None:
    """Record the job that issues a settlement's statement, after the checks issuing made
    in the consumer (its cases in the read model, its totals the ledger's to the øre, the
    creditor and agency known): a refusal still refuses the event."""
    if await store.issued("settlement_statement", settlement_id) is not None:
        return
    if await store.purged("settlement_statement", settlement_id) is not None:
        return
    settlement, _ = await settlement_statement_of(projections, settlement_id)
    await agency_of(projections, issuer)
    await creditor_of(projections, settlement.creditor_id)
    await DocumentJobs(store.session).request(SETTLEMENT_STATEMENT, settlement_id)


async def issue_settlement_statement(
    projections: ProjectionStore,
    store: DocumentStore,
    issuer: Issuer,
    settlement_id: uuid.UUID,
    *,
    document_id: uuid.UUID | None = None,
) -> uuid.UUID:
    """The statement (avregningsbilag) of a settlement and its posting proposal beside it."""
    existing = await store.issued("settlement_statement", settlement_id)
    if existing is not None:
        return uuid.UUID(str(existing.document_id))
    purged = await store.purged("settlement_statement", settlement_id)
    if purged is not None:  # past retention and deleted: a replay does not issue it again
        return purged
    settlement, statement = await settlement_statement_of(projections, settlement_id)
    agency = await agency_of(projections, issuer)
    creditor = await creditor_of(projections, settlement.creditor_id)
    issued_at = issuer.clock.now()
    issued_on = issued_at.astimezone(OSLO).date()
    sequence = await store.next_number(kinds.statement_series(issued_on.year))
    number = kinds.statement_number(issued_on.year, sequence)
    period_start = min((x.value_date for x in statement.lines), default=settlement.period_end)
    header = StatementHeader(
        agency_name=agency.name,
        agency_organisation_number=agency.organisation_number,
        creditor_name=creditor.name,
        creditor_organisation_number=creditor.organisation_number,
        number=number,
        issued_on=issued_on,
        period_start=period_start,
        period_end=settlement.period_end,
        settlement_number=settlement.settlement_number,
        payout_date=settlement.payout_date,
        client_account=settlement.client_account,
        payout_account=settlement.payout_account,
    )
    proposal = posting_proposal(statement)
    postings = postings_csv(proposal, voucher=number, on=issued_on)
    pdf = await asyncio.to_thread(
        issuer.renderer.settlement_statement,
        header,
        statement,
        issued_at=issued_at,
        lines_csv=statement_csv(statement),
        postings_csv=postings,
    )
    document_id = document_id or uuid.uuid4()
    common: dict[str, Any] = {
        "organisation_id": settlement.creditor_id,
        "source_id": settlement_id,
        "number": number,
        "issued_at": issued_at,
        "period_start": period_start,
        "period_end": settlement.period_end,
    }
    statement_document = NewDocument(
        document_id=document_id,
        kind="settlement_statement",
        media_type=kinds.PDF,
        file_name=kinds.file_name("settlement_statement", number),
        sha256=_sha256(pdf),
        content=pdf,
        **common,
    )
    await store.add(statement_document)
    await store.announce(statement_document)
    proposal_id = uuid.uuid4()
    await store.add(
        NewDocument(
            document_id=proposal_id,
            kind="posting_proposal",
            media_type=kinds.CSV,
            file_name=kinds.file_name("posting_proposal", number),
            sha256=_sha256(postings),
            content=postings,
            **common,
        )
    )
    await store.announce_posting_proposal(
        PostingProposalIssued(
            document_id=proposal_id,
            statement_document_id=document_id,
            organisation_id=settlement.creditor_id,
            settlement_id=settlement_id,
            voucher_number=number,
            issued_on=issued_on,
            postings=[
                ProposedPosting(
                    account=p.account,
                    vat_code=p.vat_code,
                    debit_ore=p.debit_ore,
                    credit_ore=p.credit_ore,
                    text=p.text[:120],
                    case_number=p.case_number,
                    creditor_reference=p.creditor_reference[:60],
                )
                for p in proposal
            ],
        )
    )
    log.info("settlement statement %s issued (%d lines)", number, len(statement.lines))
    return document_id


CASE_STATEMENTS = uuid.UUID("5b0f6c1e-6a43-4c71-9d1f-3f3c6ad1e0a7")
"""Namespace of a case statement's source id: one statement per case and date."""


async def issue_case_statement(
    projections: ProjectionStore,
    store: DocumentStore,
    issuer: Issuer,
    case_id: uuid.UUID,
    as_of: date,
    tenant: uuid.UUID | None,
) -> tuple[uuid.UUID, bool]:
    """The case statement of a case as of a date (issued once; again: the same one).
    ``(document, issued now)``; a case the caller may not see is not found."""
    case = await projections.case(case_id, tenant)
    if case is None:
        raise CaseNotFound("No such case.")
    source_id = uuid.uuid5(CASE_STATEMENTS, f"{case_id}:{as_of.isoformat()}")
    existing = await store.issued("case_statement", source_id)
    if existing is not None:
        return uuid.UUID(str(existing.document_id)), False
    balance = await projections.balance_on(case_id, as_of)
    statement = CaseStatement(
        agency=await agency_of(projections, issuer),
        creditor=await creditor_of(projections, case.creditor_id),
        case_number=case.case_number,
        creditor_reference=case.creditor_reference,
        kid=case.kid,
        debtor_name=case.debtor_name or "",
        status=case.status,
        as_of=as_of,
        claims=tuple(
            StatementClaim(
                invoice_number=c["invoice_number"],
                invoice_date=date.fromisoformat(c["invoice_date"]),
                due_date=date.fromisoformat(c["due_date"]),
                principal_ore=int(c["principal_ore"]),
            )
            for c in case.claims
        ),
        payments=tuple(
            StatementPayment(
                value_date=p.value_date,
                amount_ore=p.amount_ore,
                principal_ore=p.principal_ore,
                interest_ore=p.interest_ore,
                costs_ore=p.costs_ore,
                overpaid_ore=p.overpaid_ore,
            )
            for p in await projections.payments_until(case_id, as_of)
        ),
        balance=None
        if balance is None
        else BookedBalance(
            effective_date=balance.effective_date,
            principal_ore=balance.principal_ore,
            interest_ore=balance.interest_ore,
            costs_ore=balance.costs_ore,
            balance_ore=balance.balance_ore,
        ),
        interest=None if balance is None else interest_of(balance.interest),
    )
    issued_at = issuer.clock.now()
    pdf = await asyncio.to_thread(issuer.renderer.case_statement, statement, issued_at=issued_at)
    number = case_statement_number(case.case_number, as_of)
    document_id = uuid.uuid4()
    await store.add(
        NewDocument(
            document_id=document_id,
            organisation_id=case.creditor_id,
            kind="case_statement",
            source_id=source_id,
            number=number,
            issued_at=issued_at,
            period_start=case.registered_at.astimezone(OSLO).date(),
            period_end=as_of,
            media_type=kinds.PDF,
            file_name=kinds.file_name("case_statement", number),
            sha256=_sha256(pdf),
            content=pdf,
        )
    )
    return document_id, True
