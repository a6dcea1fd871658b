"""The report catalogue: case status and balance projected from their events (batch
handlers, newest wins), reports run as a screen table, CSV and XLSX, scoped to the
caller's organisation, each run audited."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import openpyxl
import pytest
from contracts.cases import CaseClosed, CaseStatusChanged
from contracts.ledger import CaseBalanceChanged
from reports.adapters.orm import cases, documents, report_exports
from reports.bootstrap import ReportsService
from reports.entrypoints.api import create_app
from servicekit.roles import Roles
from servicekit.testing.http import asgi_client, assert_problem
from servicekit.testing.tokens import TestSigner
from sqlalchemy import func, select
from sqlalchemy.exc import NoResultFound

from .events import Batch, line, organisation, settlement, wrap
from .rendering import running_reports

pytestmark = pytest.mark.integration

P = "/api/v1/reports/catalogue"


def status(case_id: uuid.UUID, creditor: uuid.UUID, to: str, at: datetime) -> CaseStatusChanged:
    return CaseStatusChanged(
        case_id=case_id,
        creditor_id=creditor,
        from_status="registered",
        to_status=to,
        step="inkassovarsel_sent",
        effective_date=at.date(),
        rule_set="2026",
        debtor_kind="person",
        actor="scheduler",
        changed_at=at,
    )


def balance(case_id: uuid.UUID, creditor: uuid.UUID, principal: int, at: datetime) -> Any:
    return CaseBalanceChanged(
        case_id=case_id,
        creditor_id=creditor,
        effective_date=at.date(),
        principal_ore=principal,
        interest_ore=100,
        costs_ore=7_000,
        balance_ore=principal + 7_100,
        overpaid_ore=0,
        cause="payment",
        changed_at=at,
    )


async def statement_issued(service: ReportsService, settlement_id: uuid.UUID) -> bool:
    async with service.session_factory() as session:
        found = await session.scalar(
            select(func.count())
            .select_from(documents)
            .where(documents.c.source_id == settlement_id)
        )
    return bool(found)


async def case_row(service: ReportsService, case_id: uuid.UUID) -> dict[str, Any]:
    async with service.session_factory() as session:
        row = (await session.execute(select(cases).where(cases.c.case_id == case_id))).one()
    return dict(row._mapping)


async def test_statuses_and_balances_apply_newest_first_and_reports_are_scoped(
    service: ReportsService, signer: TestSigner
) -> None:
    creditor, other = organisation("creditor"), organisation("creditor")
    batch = Batch(creditor.organisation_id)
    open_case = batch.case(1_000_000, "Kari Nordmann", reference="REF-OPEN")
    closed_case = batch.case(50_000, "Ola Nordmann", reference="REF-CLOSED")
    theirs = Batch(other.organisation_id)
    their_case = theirs.case(70_000, "Per Hansen")
    t0 = datetime(2026, 3, 3, 10, tzinfo=UTC)
    a = creditor.organisation_id
    paid = settlement(a, [line(open_case, principal=400_000, interest=100)])
    async with running_reports(service) as run:
        for event in (organisation("agency"), creditor, other, *batch.cases, *theirs.cases):
            await run.publish(wrap(event))
        for event in (batch.registered(),):
            await run.publish(wrap(event))
        await run.publish(wrap(theirs.registered()))
        # a status change for a case not yet known is parked until the case is there
        late = Batch(a)
        late_case = late.case(30_000, "Siri Lie")
        await run.publish(wrap(status(late_case.case_id, a, "notice_sent", t0)))
        # newest wins whatever the order of arrival
        await run.publish(wrap(status(open_case.case_id, a, "demand_sent", t0 + timedelta(1))))
        await run.publish(wrap(status(open_case.case_id, a, "notice_sent", t0)))
        await run.publish(wrap(balance(open_case.case_id, a, 600_000, t0 + timedelta(2))))
        await run.publish(wrap(balance(open_case.case_id, a, 900_000, t0)))
        await run.publish(
            wrap(status(closed_case.case_id, a, "closed", t0 + timedelta(1))), times=2
        )
        await run.publish(
            wrap(
                CaseClosed(
                    case_id=closed_case.case_id,
                    creditor_id=a,
                    reason="paid",
                    closed_on=date(2026, 3, 4),
                    actor="system",
                    closed_at=t0 + timedelta(1),
                )
            )
        )
        await run.publish(wrap(paid))
        await run.publish(wrap(late_case))

        async def applied() -> bool:
            try:
                rows = [await case_row(service, c.case_id) for c in (open_case, closed_case)]
                late_row = await case_row(service, late_case.case_id)
            except NoResultFound:
                return False
            return (
                rows[0]["balance_ore"] == 607_100
                and rows[0]["status"] == "demand_sent"
                and rows[1]["closed_on"] is not None
                and late_row["status"] == "notice_sent"
                and await statement_issued(service, paid.settlement_id)
            )

        await run.wait_for(applied, what="statuses, balances and the closing")

    row = await case_row(service, open_case.case_id)
    assert (row["status"], row["principal_outstanding_ore"], row["balance_ore"]) == (
        "demand_sent",
        600_000,
        607_100,
    )
    closed = await case_row(service, closed_case.case_id)
    assert (closed["status"], closed["close_reason"]) == ("closed", "paid")

    own = signer.headers(organisation_id=a, roles=[Roles.CREDITOR])
    foreign = signer.headers(organisation_id=other.organisation_id, roles=[Roles.CREDITOR])
    handler = signer.headers(organisation_id=uuid.uuid4(), roles=[Roles.CASE_HANDLER])
    async with asgi_client(create_app(service)) as client:
        catalogue = (await client.get(P, headers=own)).json()
        assert {r["code"] for r in catalogue} == {
            "saksliste",
            "nye_saker",
            "aldersfordeling",
            "innbetalinger",
            "avregninger",
            "statusrapport",
            "avsluttede_saker",
            "losningsgrad",
            "tid_til_forste_innbetaling",
            "avregninger_per_periode",
        }
        assert all(r["formats"] == ["json", "csv", "xlsx", "pdf"] for r in catalogue)
        assert_problem(await client.get(P), 401)
        assert_problem(await client.get(f"{P}/unknown", headers=own), 404, "report-not-found")

        table = (await client.get(f"{P}/saksliste", headers=own)).json()
        columns = [c["code"] for c in table["columns"]]
        by_reference = {r[1]: dict(zip(columns, r, strict=True)) for r in table["rows"]}
        assert set(by_reference) == {"REF-OPEN", "REF-CLOSED", late_case.creditor_reference}
        assert by_reference["REF-OPEN"]["saldo"] == 607_100
        assert by_reference["REF-OPEN"]["skyldner"] == "Kari Nordmann"
        assert by_reference["REF-CLOSED"]["avslutningsarsak"] == "paid"
        assert (await client.get(f"{P}/saksliste", headers=foreign)).json()["rows"][0][0] == (
            their_case.case_number
        )
        staff = await client.get(
            f"{P}/saksliste", params={"creditor_id": str(a), "status": "closed"}, headers=handler
        )
        assert [r[1] for r in staff.json()["rows"]] == ["REF-CLOSED"]

        csv_response = await client.get(f"{P}/saksliste", params={"format": "csv"}, headers=own)
        assert csv_response.headers["content-type"].startswith("text/csv")
        text = csv_response.content.decode("utf-8-sig")
        assert text.splitlines()[0].startswith("saksnummer;oppdragsgivers_referanse;skyldner")
        assert ";6071,00;" in text  # the balance, decimal comma
        assert their_case.case_number not in text

        xlsx = await client.get(f"{P}/saksliste", params={"format": "xlsx"}, headers=own)
        sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content), read_only=True).active
        assert sheet is not None
        cells = list(sheet.iter_rows(values_only=True))
        assert cells[0][:3] == ("saksnummer", "oppdragsgivers_referanse", "skyldner")
        open_row = next(r for r in cells if r[1] == "REF-OPEN")
        assert open_row[9] == 6071.0

        ageing = (
            await client.get(
                f"{P}/aldersfordeling", params={"period_to": "2026-03-20"}, headers=own
            )
        ).json()["rows"]
        # due 2026-01-16: 63 days on 2026-03-20; the closed case is left out
        assert ageing == [["61-90", 2, 600_000 + 30_000]]

        payments = (await client.get(f"{P}/innbetalinger", headers=own)).json()["rows"]
        assert [(r[1], r[3], r[10]) for r in payments] == [
            (open_case.case_number, 400_000, paid.settlement_number)
        ]
        assert (await client.get(f"{P}/innbetalinger", headers=foreign)).json()["rows"] == []
        settled = (await client.get(f"{P}/avregninger", headers=own)).json()["rows"]
        assert [r[0] for r in settled] == [paid.settlement_number]
        months = (await client.get(f"{P}/nye_saker", headers=own)).json()["rows"]
        assert months == [["2026-03", 3, 1_080_000]]

    async with service.session_factory() as session:
        audited = await session.scalar(
            select(func.count())
            .select_from(report_exports)
            .where(report_exports.c.organisation_id == a)
        )
    assert audited == 7  # every run as the creditor's user (the list of reports is no run)
