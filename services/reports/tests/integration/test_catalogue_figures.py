"""Golden figures of the catalogue's aggregate reports and the start page's key figures:
a small event stream in, figures worked out by hand out (the comments show the sums).

Creditor A (all principal in øre; due 2026-01-16 unless said):

=====  ==========  ========  =========  ==========================================  ======
case   registered  kind      principal  payments (value date: principal / amount)   end
=====  ==========  ========  =========  ==========================================  ======
c1     2026-03-02  person      100 000  03-12: 40 000 / 45 000; 03-20: 60 000        paid 03-21
c2     2026-03-02  person      200 000  04-01: 50 000 / 50 000                       demand_sent
c5     2026-03-02  person       10 000  03-03: 10 000 / 10 000                       registered
c3     2026-04-10  business    300 000  (due 2026-04-20) none                        registered
c4     2026-04-10  business     50 000  none                                         withdrawn 04-15
=====  ==========  ========  =========  ==========================================  ======

Settlements of A: 03-05 (c1 40 000), 03-25 (c1 60 000 with 6 000 commission, c5 10 000),
04-05 (c2 50 000). Creditor B has one case of 999 000 paid in full in March: never in A's
figures.
"""

from __future__ import annotations

import io
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from contracts.cases import CaseClosed, CaseRegistered
from contracts.ledger import PaymentReceived, SettlementCompleted
from reports.adapters.orm import cases, payments, settlements
from reports.bootstrap import ReportsService
from reports.entrypoints.api import create_app
from servicekit.roles import Roles
from servicekit.testing.bus import running_consumers
from servicekit.testing.http import asgi_client, assert_problem
from servicekit.testing.tokens import TestSigner
from sqlalchemy import func, select

from .events import Batch, line, organisation, pdf_text, settlement, wrap
from .test_catalogue import status

pytestmark = pytest.mark.integration

P = "/api/v1/reports"
APRIL = datetime(2026, 4, 10, 9, 15, tzinfo=UTC)


def registered_in_april(event: CaseRegistered, *, due: date | None = None) -> CaseRegistered:
    claims = [c.model_copy(update={"due_date": due}) for c in event.claims] if due else None
    update: dict[str, Any] = {"registered_at": APRIL, "debtor_kind": "business"}
    if claims:
        update["claims"] = claims
    return event.model_copy(update=update)


def paid(case: CaseRegistered, on: date, principal: int, amount: int) -> PaymentReceived:
    return PaymentReceived(
        payment_id=uuid.uuid4(),
        case_id=case.case_id,
        creditor_id=case.creditor_id,
        amount_ore=amount,
        value_date=on,
        principal_ore=principal,
        interest_ore=0,
        costs_ore=amount - principal,
        overpaid_ore=0,
        received_at=datetime.combine(on, datetime.min.time(), tzinfo=UTC),
    )


def closing(case: CaseRegistered, reason: str, on: date) -> CaseClosed:
    return CaseClosed(
        case_id=case.case_id,
        creditor_id=case.creditor_id,
        reason=reason,  # type: ignore[arg-type]
        closed_on=on,
        actor="system",
        closed_at=datetime.combine(on, datetime.min.time(), tzinfo=UTC),
    )


def paid_out(s: SettlementCompleted, on: date) -> SettlementCompleted:
    return s.model_copy(update={"payout_date": on, "period_end": on - timedelta(days=1)})


async def _count(service: ReportsService, table: Any, *where: Any) -> int:
    async with service.session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(table).where(*where)) or 0)


async def test_catalogue_figures_and_key_figures(
    service: ReportsService, signer: TestSigner
) -> None:
    creditor, other = organisation("creditor"), organisation("creditor")
    a, b = creditor.organisation_id, other.organisation_id
    march, april = Batch(a), Batch(a)
    c1 = march.case(100_000, "Kari Nordmann")
    c2 = march.case(200_000, "Ola Nordmann")
    c5 = march.case(10_000, "Siri Lie")
    c3 = registered_in_april(april.case(300_000, "Firma AS"), due=date(2026, 4, 20))
    c4 = registered_in_april(april.case(50_000, "Annet AS"))
    april.cases[:] = [c3, c4]
    theirs = Batch(b)
    their_case = theirs.case(999_000, "Per Hansen")
    t_march = datetime(2026, 3, 21, 10, tzinfo=UTC)
    events: list[Any] = [
        organisation("agency"),
        creditor,
        other,
        *march.cases,
        *april.cases,
        *theirs.cases,
        march.registered(),
        april.registered(),
        theirs.registered(),
        paid(c1, date(2026, 3, 12), 40_000, 45_000),
        paid(c1, date(2026, 3, 20), 60_000, 60_000),
        paid(c2, date(2026, 4, 1), 50_000, 50_000),
        paid(c5, date(2026, 3, 3), 10_000, 10_000),
        paid(their_case, date(2026, 3, 10), 999_000, 999_000),
        status(c1.case_id, a, "closed", t_march),
        closing(c1, "paid", date(2026, 3, 21)),
        status(c2.case_id, a, "demand_sent", t_march),
        status(c4.case_id, a, "closed", APRIL + timedelta(days=5)),
        closing(c4, "withdrawn", date(2026, 4, 15)),
        paid_out(settlement(a, [line(c1, principal=40_000)]), date(2026, 3, 5)),
        paid_out(
            settlement(
                a, [line(c1, principal=60_000, commission=6_000), line(c5, principal=10_000)]
            ),
            date(2026, 3, 25),
        ),
        paid_out(settlement(a, [line(c2, principal=50_000)]), date(2026, 4, 5)),
        paid_out(settlement(b, [line(their_case, principal=999_000)]), date(2026, 3, 15)),
    ]
    async with running_consumers(service) as run:
        for event in events:
            await run.publish(wrap(event))

        ours = (a, b)  # the database is shared with other tests: count this test's only

        async def projected() -> bool:
            return (
                await _count(service, payments, payments.c.creditor_id.in_(ours)) == 5
                and await _count(service, settlements, settlements.c.creditor_id.in_(ours)) == 4
                and await _count(
                    service, cases, cases.c.creditor_id.in_(ours), cases.c.closed_on.is_not(None)
                )
                == 2
                and await _count(
                    service, cases, cases.c.creditor_id.in_(ours), cases.c.status == "closed"
                )
                == 2
                and await _count(
                    service, cases, cases.c.creditor_id.in_(ours), cases.c.status == "demand_sent"
                )
                == 1
            )

        await run.wait_for(projected, what="cases, payments, closings, settlements", seconds=90)

    own = signer.headers(organisation_id=a, roles=[Roles.CREDITOR])
    foreign = signer.headers(organisation_id=b, roles=[Roles.CREDITOR])
    staff = signer.headers(organisation_id=uuid.uuid4(), roles=[Roles.CASE_HANDLER])

    async with asgi_client(create_app(service)) as client:

        async def rows(code: str, headers: dict[str, str] = own, **params: str) -> Any:
            response = await client.get(f"{P}/catalogue/{code}", params=params, headers=headers)
            assert response.status_code == 200, response.text
            return response.json()["rows"]

        # open cases per status: c2 demand_sent; c3 and c5 registered (300 000 + 10 000)
        assert await rows("statusrapport") == [
            ["demand_sent", 1, 200_000, 200_000, 200_000],
            ["registered", 2, 310_000, 310_000, 310_000],
        ]
        assert await rows("statusrapport", debtor_kind="business") == [
            ["registered", 1, 300_000, 300_000, 300_000]
        ]
        assert await rows("statusrapport", batch_id=str(march.batch_id), status="registered") == [
            ["registered", 1, 10_000, 10_000, 10_000]
        ]

        # closed per month and code, principal recovered: c1 40 000 + 60 000
        assert await rows("avsluttede_saker") == [
            ["2026-03", "paid", 1, 100_000, 100_000],
            ["2026-04", "withdrawn", 1, 50_000, 0],
        ]
        assert await rows("avsluttede_saker", period_from="2026-04-01") == [
            ["2026-04", "withdrawn", 1, 50_000, 0]
        ]

        # cohorts: March 160 000 / 310 000 = 51.61 % → 51.6; April nothing recovered
        assert await rows("losningsgrad") == [
            ["2026-03", 3, 3, 310_000, 160_000, 51.6],
            ["2026-04", 2, 0, 350_000, 0, 0.0],
        ]
        assert await rows("losningsgrad", status="closed") == [
            ["2026-03", 1, 1, 100_000, 100_000, 100.0],
            ["2026-04", 1, 0, 50_000, 0, 0.0],
        ]
        assert await rows("losningsgrad", batch_id=str(april.batch_id)) == [
            ["2026-04", 2, 0, 350_000, 0, 0.0]
        ]
        assert await rows("losningsgrad", foreign) == [["2026-03", 1, 1, 999_000, 999_000, 100.0]]

        # days to the first payment from 2026-03-02: c5 1, c1 10, c2 30 → mean 13.67 → 14,
        # median 10; April's cohort has no payment
        assert await rows("tid_til_forste_innbetaling") == [
            ["2026-03", 3, 3, 14, 10],
            ["2026-04", 2, 0, None, None],
        ]
        assert await rows("tid_til_forste_innbetaling", debtor_kind="person", status="closed") == [
            ["2026-03", 1, 1, 10, 10]
        ]

        # settlements per payout month: March 40 000 + 70 000 collected, 6 000 commission
        assert await rows("avregninger_per_periode") == [
            ["2026-03", 2, 3, 110_000, 6_000, 0, 104_000],
            ["2026-04", 1, 1, 50_000, 0, 0, 50_000],
        ]
        assert await rows("avregninger_per_periode", period_to="2026-03-31") == [
            ["2026-03", 2, 3, 110_000, 6_000, 0, 104_000]
        ]
        assert await rows("avregninger_per_periode", staff, creditor_id=str(b)) == [
            ["2026-03", 1, 1, 999_000, 0, 0, 999_000]
        ]

        # CSV and XLSX of a percent column
        csv_text = (
            await client.get(f"{P}/catalogue/losningsgrad", params={"format": "csv"}, headers=own)
        ).content.decode("utf-8-sig")
        assert csv_text.splitlines()[1] == "2026-03;3;3;3100,00;1600,00;51,6"

        # the start page's key figures, as of 2026-04-30 over three months
        kpis = await client.get(
            f"{P}/kpis", params={"as_of": "2026-04-30", "months": 3}, headers=own
        )
        assert kpis.status_code == 200, kpis.text
        figures = kpis.json()
        # c1 100 000 + c5 10 000 + c2 50 000 = 160 000 of 660 000 = 24.24 % → 24.2
        assert figures["recovery"] == {
            "cases": 5,
            "registered_principal_ore": 660_000,
            "recovered_principal_ore": 160_000,
            "rate_percent": 24.2,
        }
        # March: 45 000 + 60 000 + 10 000; April: 50 000
        assert figures["collected_per_month"] == [
            {"month": "2026-02", "collected_ore": 0},
            {"month": "2026-03", "collected_ore": 115_000},
            {"month": "2026-04", "collected_ore": 50_000},
        ]
        # open on 2026-04-30: c3 10 days since due; c2 and c5 104 days
        assert [
            (x["bucket"], x["cases"], x["outstanding_principal_ore"]) for x in figures["ageing"]
        ] == [
            ("0-30", 1, 300_000),
            ("31-60", 0, 0),
            ("61-90", 0, 0),
            ("91-180", 2, 210_000),
            ("181-365", 0, 0),
            ("365+", 0, 0),
        ]
        # as of 2026-03-15 only March's cases and the payments up to then count:
        # c1 40 000 + c5 10 000 of 310 000 = 16.13 % → 16.1
        early = (
            await client.get(f"{P}/kpis", params={"as_of": "2026-03-15", "months": 1}, headers=own)
        ).json()
        assert early["recovery"]["rate_percent"] == 16.1
        assert early["collected_per_month"] == [{"month": "2026-03", "collected_ore": 55_000}]
        # another creditor sees its own; agency staff see one creditor or all
        theirs_kpis = (
            await client.get(f"{P}/kpis", params={"as_of": "2026-04-30"}, headers=foreign)
        ).json()
        assert theirs_kpis["recovery"]["recovered_principal_ore"] == 999_000
        as_staff = (
            await client.get(
                f"{P}/kpis", params={"as_of": "2026-04-30", "creditor_id": str(a)}, headers=staff
            )
        ).json()
        assert as_staff["recovery"] == figures["recovery"]
        everyone = (
            await client.get(f"{P}/kpis", params={"as_of": "2026-04-30"}, headers=staff)
        ).json()
        assert everyone["recovery"]["registered_principal_ore"] >= 660_000 + 999_000
        assert_problem(await client.get(f"{P}/kpis"), 401)
        assert_problem(await client.get(f"{P}/kpis", params={"months": 99}, headers=own), 422)

        # PDF of a report: the same figures, in kroner, with the report's title
        pdf = await client.get(f"{P}/catalogue/losningsgrad", params={"format": "pdf"}, headers=own)
        assert pdf.headers["content-type"] == "application/pdf"
        text = pdf_text(pdf.content)
        assert "Løsningsgrad per registreringsmåned" in text
        assert "3 100,00" in text.replace("\u202f", " ")
        assert "51,6" in text
        assert "9 990,00" not in text.replace("\u202f", " ")


async def test_a_long_report_pdf_repeats_its_heading_on_every_page() -> None:
    """Rendering alone (no database): 400 rows break over pages, each page has the column
    headings and «Side n av m»."""
    from reports.adapters.rendering import PdfRenderer
    from reports.adapters.report_pdf import report_pdf
    from reports.domain.catalogue import CATALOGUE

    definition = CATALOGUE["nye_saker"]
    rows = [[f"2026-{i:04d}", i, i * 100] for i in range(400)]
    content = report_pdf(
        PdfRenderer(),
        definition,
        rows,
        filters={"period_from": "2026-01-01"},
        generated_at=datetime(2026, 5, 1, 12, tzinfo=UTC),
        truncated=False,
    )
    pages = pdf_text(content).split("\f")
    pages = [p for p in pages if p.strip()]
    assert len(pages) > 3
    for number, page in enumerate(pages, start=1):
        assert "Måned" in page
        assert "Hovedstol" in page
        assert f"Side {number} av {len(pages)}" in page
    assert "2026-0399" in pages[-1]
    assert io.BytesIO(content).read(5) == b"%PDF-"
