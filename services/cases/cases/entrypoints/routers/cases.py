"""Finding and reading cases: a filtered, sorted list and a case's whole picture."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from pydantic import Field
from servicekit.errors import DomainError, NotFound
from servicekit.openapi import problem_responses
from servicekit.scopes import Scopes, client_scope
from servicekit.types import Limit, OreParam, StrictDate, Text

from cases import views, views_workflow
from cases.adapters import audit
from cases.domain.identifiers import (
    InvalidIdentifier,
    national_identity_number,
    organisation_number,
)
from cases.entrypoints.deps import AnyUser, ServiceDep
from cases.entrypoints.schemas import (
    AddressOut,
    CaseDetailOut,
    CasePage,
    ClaimOut,
    DebtorOut,
    MonthFigureOut,
    NoteOut,
    PortfolioSummaryOut,
    StatusFigureOut,
    TimelineEntryOut,
)
from cases.entrypoints.workflow_schemas import NextStepsOut
from cases.service_layer.clock import OSLO

router = APIRouter(prefix="/api/v1/cases", tags=["cases"])


class BadQuery(DomainError):
    status, type, title = 400, "invalid-query", "Invalid query"


def _too_many_words(field: str, exc: views.TooManyWords) -> BadQuery:
    return BadQuery(str(exc), errors=[{"field": field, "reason": "too_many_words"}])


def _debtor_filter(service: Any, debtor: str | None) -> dict[str, Any]:
    """A debtor is searched by national id (exact), organisation number (exact) or the
    words of their name (each anywhere in it)."""
    if not debtor or not debtor.strip():
        return {}
    compact = debtor.replace(" ", "")
    if compact.isdigit() and len(compact) == 11:
        try:
            number = national_identity_number(compact)
        except InvalidIdentifier as exc:
            raise BadQuery(str(exc), errors=[{"field": "debtor", "reason": str(exc)}]) from exc
        return {"debtor_national_id_index": service.vault.index(number)}
    if compact.isdigit() and len(compact) == 9:
        try:
            return {"debtor_organisation_number": organisation_number(compact)}
        except InvalidIdentifier as exc:
            raise BadQuery(str(exc), errors=[{"field": "debtor", "reason": str(exc)}]) from exc
    try:
        return {"debtor_words": views.name_words(debtor)}
    except views.TooManyWords as exc:
        raise _too_many_words("debtor", exc) from exc


def _text_filter(service: Any, q: str | None) -> dict[str, Any]:
    """The one search box: a debtor's national id or organisation number (exact, when the
    number is a valid one), otherwise a case number in any form, a reference or a name's
    words."""
    if not q or not q.strip():
        return {}
    compact = q.replace(" ", "")
    if compact.isdigit() and len(compact) in (9, 11):
        try:
            return _debtor_filter(service, compact)
        except BadQuery:
            pass  # not an identity number: a case number or a reference, perhaps
    try:
        return {"text": views.search_text(q)}
    except views.TooManyWords as exc:
        raise _too_many_words("q", exc) from exc


async def case_filters(
    service: ServiceDep,
    status: Annotated[
        list[Annotated[Text, Field(max_length=40)]] | None,
        Query(max_length=20, description="One or more workflow states"),
    ] = None,
    registered_from: StrictDate | None = None,
    registered_to: StrictDate | None = None,
    principal_min_ore: OreParam | None = None,
    principal_max_ore: OreParam | None = None,
    balance_min_ore: OreParam | None = None,
    balance_max_ore: OreParam | None = None,
    due_from: StrictDate | None = None,
    due_to: StrictDate | None = None,
    creditor_reference: Annotated[Text | None, Query(max_length=60)] = None,
    case_number: Annotated[Text | None, Query(max_length=20)] = None,
    debtor: Annotated[Text | None, Query(max_length=200)] = None,
    q: Annotated[
        Text | None,
        Query(max_length=200, description="Case number, creditor reference or name words"),
    ] = None,
    creditor_id: Annotated[uuid.UUID | None, Query(description="Case handlers only")] = None,
    batch_id: uuid.UUID | None = None,
    case_id: Annotated[
        list[uuid.UUID] | None,
        Query(max_length=200, description="These cases only (at most 200 ids)"),
    ] = None,
    updated_since: Annotated[
        datetime | None,
        Query(description="Cases changed at or after this instant (ISO 8601 with offset)"),
    ] = None,
) -> views.CaseFilter:
    """The list's filters (query parameters), read once for a page and for the export."""
    if updated_since is not None and updated_since.tzinfo is None:
        raise BadQuery(
            "updated_since needs a UTC offset.",
            errors=[{"field": "updated_since", "reason": "needs a UTC offset (Z or +01:00)"}],
        )
    return views.CaseFilter(
        status=tuple(status or ()),
        registered_from=registered_from,
        registered_to=registered_to,
        principal_min_ore=principal_min_ore,
        principal_max_ore=principal_max_ore,
        balance_min_ore=balance_min_ore,
        balance_max_ore=balance_max_ore,
        due_from=due_from,
        due_to=due_to,
        creditor_reference=creditor_reference,
        case_number=case_number,
        creditor_id=creditor_id,
        batch_id=batch_id,
        case_ids=tuple(case_id or ()),
        updated_since=updated_since,
        **_debtor_filter(service, debtor),
        **_text_filter(service, q),
    )


@router.get(
    "",
    dependencies=[client_scope(Scopes.CASES_READ)],
    response_model=CasePage,
    responses=problem_responses(400),
    summary="Cases, filtered and sorted, one page at a time",
    description=(
        "Creditor users see their organisation's cases; case handlers see all (optionally one "
        "creditor's). `debtor` matches a national id number or organisation number exactly, "
        "otherwise every word of it (at most 6) must occur somewhere in the debtor's name, "
        "ignoring case. `q` is one search box: a valid national id or organisation number "
        "finds the debtor's cases as `debtor` does; otherwise it finds a case by its number "
        "in any form "
        "(`IC-0000007`, `ic-0000007`, `7`, `0000007`), by its creditor reference (whole, "
        "any case) or by the words of the debtor's name. `case_number` takes the same forms; "
        "`creditor_reference` ignores case. Pages are keyset-paginated: pass "
        "`next_cursor` back as `cursor` with the same `sort` and `order`. To sync, ask with "
        "`updated_since` (your last run's start, less a minute: a change is stamped when "
        "its transaction began) and `sort=updated&order=asc`. Each case carries its "
        "balance and what was paid, as the ledger last stated them "
        "(`balance_min_ore`/`balance_max_ore` filter and "
        "`sort=balance` sorts by it); `total` counts the filtered list, exactly up to "
        "10,000. Reading the list is a read of debtors' names and is written to the audit log."
    ),
)
async def list_cases(
    principal: AnyUser,
    service: ServiceDep,
    filters: Annotated[views.CaseFilter, Depends(case_filters)],
    sort: Annotated[
        views.SortKey,
        Query(description="`balance`: what the debtor owes, as the ledger last stated it"),
    ] = "registered",
    order: views.Order = "desc",
    limit: Annotated[Limit, Query(le=500)] = 50,
    cursor: Annotated[Text | None, Query(max_length=500)] = None,
) -> Response:
    try:
        page = await views.case_page(
            service.engine,
            principal.tenant,
            filters,
            sort=sort,
            order=order,
            limit=limit,
            cursor=cursor,
            reader=audit.reader(
                actor_id=principal.user_id,
                actor_organisation_id=principal.organisation_id,
                action="list_cases",
            ),
        )
    except views.InvalidCursor as exc:
        raise BadQuery(str(exc), errors=[{"field": "cursor", "reason": str(exc)}]) from exc
    # validated once (in pydantic's core, the rows as they are) and serialised once; the
    # route's response_model documents the same schema
    answer = CasePage.model_validate(
        {
            "items": page.rows,
            "next_cursor": page.next_cursor,
            "total": page.total.count,
            "total_exact": page.total.exact,
        }
    )
    return Response(answer.model_dump_json(), media_type="application/json")


@router.get(
    "/summary",
    dependencies=[client_scope(Scopes.CASES_READ)],
    response_model=PortfolioSummaryOut,
    summary="The portfolio at a glance: cases and principal by status, registrations per month",
    description=(
        "Over every case the caller may see (a creditor user: their organisation's). "
        "`months` is how many calendar months back, this one included, the monthly "
        "figures go. No personal data."
    ),
)
async def summary(
    principal: AnyUser,
    service: ServiceDep,
    months: Annotated[int, Query(ge=1, le=36)] = 6,
) -> PortfolioSummaryOut:
    today = service.clock.today()
    year, month = today.year, today.month - (months - 1)
    while month < 1:
        year, month = year - 1, month + 12
    async with service.read_sessions() as session:  # a read: no BEGIN/ROLLBACK (ADR 0065)
        statuses, per_month = await views.portfolio_summary(
            session, principal.tenant, since=datetime(year, month, 1, tzinfo=OSLO)
        )
    open_ones = [s for s in statuses if s["status"] != "closed"]
    return PortfolioSummaryOut(
        total_cases=sum(s["cases"] for s in statuses),
        open_cases=sum(s["cases"] for s in open_ones),
        outstanding_principal_ore=sum(s["principal_total_ore"] for s in open_ones),
        by_status=[StatusFigureOut.model_validate(s) for s in statuses],
        registered_per_month=[MonthFigureOut.model_validate(m) for m in per_month],
    )


@router.get(
    "/{case_id}",
    dependencies=[client_scope(Scopes.CASES_READ)],
    response_model=CaseDetailOut,
    responses=problem_responses(404),
    summary="A case: parties, claims, status, timeline and notes",
    description=(
        "The debtor's national id number is shown masked. The read is written to the audit "
        "log. Creditor users never see internal notes."
    ),
)
async def get_case(case_id: uuid.UUID, principal: AnyUser, service: ServiceDep) -> CaseDetailOut:
    async with service.session_factory() as session:
        row = await views.case_row(session, principal.tenant, case_id)
        if row is None:
            raise NotFound("No such case.")
        party = await views.debtor(session, case_id)
        claim_rows = await views.case_claims(session, case_id)
        entries = await views.case_timeline(session, case_id)
        note_rows = await views.case_notes(
            session, case_id, user_id=principal.user_id, agency=principal.is_agency_staff
        )
        steps = await views_workflow.next_steps(
            session,
            case_id,
            tenant=principal.tenant,
            agency=principal.is_agency_staff,
            rule_book=service.rule_book,
            today=service.clock.today(),
        )
        assert steps is not None  # the case was found for this caller just above
        await audit.record(
            session,
            actor_id=principal.user_id,
            actor_organisation_id=principal.organisation_id,
            action="read_case",
            case_ids=[case_id],
            durable_commit=False,  # a read: nothing but the audit to commit (ADR 0061)
        )
        await session.commit()
    national_id = (
        service.vault.open(party["id"], party["national_id_sealed"])
        if party["national_id_sealed"]
        else None
    )
    debtor = DebtorOut(
        kind=party["kind"],
        name=party["name"],
        national_id_masked=views.mask_national_id(national_id) if national_id else None,
        organisation_number=party["organisation_number"],
        address=AddressOut(
            lines=list(party["address_lines"]),
            postal_code=party["postal_code"],
            city=party["city"],
            country=party["country"],
        ),
        email=party["email"],
        phone=party["phone"],
    )
    return CaseDetailOut(
        **row,
        debtor=debtor,
        claims=[ClaimOut.model_validate(c) for c in claim_rows],
        timeline=[TimelineEntryOut.model_validate(e) for e in entries],
        notes=[NoteOut.model_validate(n) for n in note_rows],
        next_steps=NextStepsOut.from_view(steps),
    )
