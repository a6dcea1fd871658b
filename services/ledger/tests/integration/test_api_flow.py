"""Through the API, as the issue's "done when" reads on the ledger side: a registered case's
claim is on the ledger; bank files pay it partly, then fully; its economy shows each step; it
is published as settled in full; a settlement run for its creditor makes correct lines and a
payout file, and the bank's answer posts it. (The worked figures are those of
``test_case_economy``.)"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import httpx
import pytest
from contracts import Envelope
from contracts.cases import CaseRegistered, ClaimInterestStart, ClaimRegistered
from contracts.credit import CreditReportPurchased
from ledger.bootstrap import LedgerService
from ledger.domain.fees import Step
from ledger.entrypoints import cli, consumers
from ledger.service_layer.cases import register_cases
from prometheus_client import REGISTRY
from simulators.bank import BankSimulator

from .bank import ocr
from .books import Ledger
from .outbox import events, events_of

pytestmark = pytest.mark.integration

PAYOUT_ACCOUNT = "12345678903"


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


def purchase(creditor: uuid.UUID, price_ore: int, vat_ore: int) -> Envelope:
    """The credit service's event for a report the creditor bought on 1 June 2025."""
    return Envelope.wrap(
        CreditReportPurchased(
            order_id=uuid.uuid4(),
            creditor_id=creditor,
            product_code="COMPANY_STANDARD",
            price_ore=price_ore,
            vat_ore=vat_ore,
            vat_code="3",
            purchased_on=date(2025, 6, 1),
            purchased_at=datetime(2025, 6, 1, 10, tzinfo=UTC),
            ordered_by=uuid.uuid4(),
        )
    )


async def test_from_claim_to_settlement_through_the_api(
    client: httpx.AsyncClient, ledger: Ledger, service: LedgerService
) -> None:
    creditor = ledger.creditor_id
    admin, handler, own = ledger.admin, ledger.handler, ledger.creditor()
    agreement = await client.put(
        f"/api/v1/ledger/creditors/{creditor}/agreement",
        json={
            "commission_percent": "10",
            "payout_account": "1234.56.78903",
            "payout_name": "Nordlys Energi AS",
        },
        headers={**admin, **key()},
    )
    assert agreement.status_code == 200, agreement.text
    assert agreement.json()["payout_account"] == PAYOUT_ACCOUNT

    case = await ledger.case((1_000_000, date(2025, 1, 31), 3_500))
    await ledger.steps(
        case.case_id,
        ("inkassovarsel_sent", date(2025, 2, 15)),
        ("betalingsoppfordring_sent", date(2025, 3, 3)),
    )
    economy_path = f"/api/v1/ledger/cases/{case.case_id}/economy"
    start = (await client.get(economy_path, params={"as_of": "2025-03-03"}, headers=own)).json()
    assert start["balance_ore"] == 1_000_000 + 3_500 + 3_500 + 56_000 + 10_616  # 31 days interest
    assert [f["kind"] for f in start["fees"]] == ["inkassovarsel_fee", "salaer_lett"]
    # 2025 H1 has a confirmed rate: nothing provisional
    assert (start["provisional"], start["interest"]["provisional"]) == (False, False)

    partly = await client.post(
        "/api/v1/ledger/bank-files",
        params={"format": "ocr"},
        content=ocr(service, date(2025, 3, 17), (case.kid, 100_000)),
        headers={**handler, **key(), "Content-Type": "application/octet-stream"},
    )
    assert partly.status_code == 201, partly.text
    assert (partly.json()["allocated"], partly.json()["settled_case_ids"]) == (1, [])

    between = (await client.get(economy_path, params={"as_of": "2025-03-31"}, headers=own)).json()
    assert between["balance_ore"] == 983_102
    components = {c["component"]: c for c in between["components"]}
    assert components["principal"]["outstanding_ore"] == 978_411
    assert components["interest"]["charged_ore"] == 20_102
    assert components["interest"]["paid_ore"] == 15_411
    assert [p["amount_ore"] for p in between["payments"]] == [100_000]

    fully = await client.post(
        "/api/v1/ledger/bank-files",
        params={"format": "ocr"},
        content=ocr(service, date(2025, 4, 16), (case.kid, 988_463)),
        headers={**handler, **key()},
    )
    assert fully.json()["settled_case_ids"] == [str(case.case_id)]
    paid = (await client.get(economy_path, params={"as_of": "2025-04-16"}, headers=own)).json()
    assert (paid["balance_ore"], paid["paid_ore"], paid["settled_on"]) == (
        0,
        1_088_463,
        "2025-04-16",
    )
    assert len(await events(service, "ledger.case.settled_in_full", case.case_id)) == 1

    run = await client.post(
        "/api/v1/ledger/settlement-runs",
        json={"period_end": "2025-04-30", "creditor_ids": [str(creditor)]},
        headers={**admin, **key()},
    )
    assert run.status_code == 201, run.text
    (settlement_id,) = run.json()["settlement_ids"]
    message_id = run.json()["payout_message_id"]
    settlement = (
        await client.get(f"/api/v1/ledger/settlements/{settlement_id}", headers=own)
    ).json()
    assert settlement["status"] == "pending"
    # waits for the bank (other tests of this run may leave theirs pending too)
    waiting, aged = await _unconfirmed_metrics(service)
    assert waiting is not None
    assert waiting >= 1
    assert aged
    assert (settlement["collected_ore"], settlement["commission_ore"]) == (1_028_963, 102_546)
    assert (settlement["agency_fees_ore"], settlement["payout_ore"]) == (59_500, 926_417)
    lines = (
        await client.get(f"/api/v1/ledger/settlements/{settlement_id}/lines", headers=own)
    ).json()
    assert [
        (
            line["principal_ore"],
            line["interest_ore"],
            line["reminder_fees_ore"],
            line["agency_fees_ore"],
            line["commission_ore"],
            line["net_ore"],
        )
        for line in lines
    ] == [(21_589, 15_411, 3_500, 59_500, 3_700, 36_800), (978_411, 10_052, 0, 0, 98_846, 889_617)]

    payout_file = await client.get(f"/api/v1/ledger/payout-files/{message_id}", headers=admin)
    assert payout_file.headers["content-type"].startswith("application/xml")
    bank = BankSimulator(account=service.settings.client_funds_account)
    receipt = bank.receive_pain001(payout_file.content)
    assert [(i.end_to_end_id, i.amount_ore, i.status) for i in receipt.instructions] == [
        (settlement["number"], 926_417, "ACCP")
    ]
    answer = await client.post(
        "/api/v1/ledger/payout-answers",
        content=receipt.status_report,
        headers={**admin, **key(), "Content-Type": "application/xml"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["outcomes"] == {settlement["number"]: "posted"}
    posted = (await client.get(f"/api/v1/ledger/settlements/{settlement_id}", headers=admin)).json()
    assert posted["status"] == "posted"
    assert (await _unconfirmed_metrics(service))[0] == waiting - 1  # the bank confirmed it

    again = await client.post(
        "/api/v1/ledger/settlement-runs",
        json={"period_end": "2025-04-30", "creditor_ids": [str(creditor)]},
        headers={**admin, **key()},
    )
    assert again.json()["settlement_ids"] == [settlement_id]  # the run is idempotent

    trial = (await client.get("/api/v1/ledger/journal/trial-balance", headers=admin)).json()
    assert trial["total_ore"] == 0
    assert await cli.run(service, ["verify-chain"]) == 0


async def test_a_refused_payout_voids_the_settlement_and_its_lines_settle_again(
    client: httpx.AsyncClient, ledger: Ledger, service: LedgerService
) -> None:
    creditor = ledger.creditor_id
    closed_account = "12345678903"
    await client.put(
        f"/api/v1/ledger/creditors/{creditor}/agreement",
        json={"commission_percent": "0", "payout_account": closed_account, "payout_name": "B AS"},
        headers={**ledger.admin, **key()},
    )
    case = await ledger.case((300_000, date(2025, 6, 2)))
    await ledger.pay(case.kid, 300_000, date(2025, 6, 2))
    async with service.session_factory() as session, session.begin():
        await consumers.credit_report_purchased(session, purchase(creditor, 3_920, 980))
    run = (
        await client.post(
            "/api/v1/ledger/settlement-runs",
            json={"period_end": "2025-06-30", "creditor_ids": [str(creditor)]},
            headers={**ledger.admin, **key()},
        )
    ).json()
    (first,) = run["settlement_ids"]
    charges = await client.get(
        f"/api/v1/ledger/creditors/{creditor}/credit-report-charges", headers=ledger.creditor()
    )
    assert [(c["amount_ore"], c["settlement_id"]) for c in charges.json()["charges"]] == [
        (4_900, first)
    ]
    assert (charges.json()["pending_ore"], charges.json()["total_ore"]) == (0, 4_900)
    payout_file = await client.get(
        f"/api/v1/ledger/payout-files/{run['payout_message_id']}", headers=ledger.admin
    )
    bank = BankSimulator(
        account=service.settings.client_funds_account, closed_accounts=frozenset({closed_account})
    )
    receipt = bank.receive_pain001(payout_file.content)
    answer = await client.post(
        "/api/v1/ledger/payout-answers",
        content=receipt.status_report,
        headers={**ledger.admin, **key()},
    )
    assert list(answer.json()["outcomes"].values()) == ["voided"]
    voided = (await client.get(f"/api/v1/ledger/settlements/{first}", headers=ledger.admin)).json()
    assert (voided["status"], voided["void_reason"]) == ("voided", "rejected by the bank (AC04)")

    again = (
        await client.post(
            "/api/v1/ledger/settlement-runs",
            json={"period_end": "2025-06-30", "creditor_ids": [str(creditor)]},
            headers={**ledger.admin, **key()},
        )
    ).json()
    (second,) = again["settlement_ids"]
    assert second != first
    redo = (await client.get(f"/api/v1/ledger/settlements/{second}", headers=ledger.admin)).json()
    assert (redo["line_count"], redo["credit_report_charges_ore"], redo["payout_ore"]) == (
        1,
        4_900,
        300_000 - 4_900,
    )
    confirmed = await client.post(
        f"/api/v1/ledger/settlements/{second}/confirmation", headers={**ledger.admin, **key()}
    )
    assert confirmed.json()["status"] == "posted"
    completed = await events_of(service, "ledger.settlement.completed", "settlement_id", second)
    assert [c["payout_ore"] for c in completed] == [295_100]
    (event,) = completed
    assert event["payout_account"] == closed_account
    assert event["client_account"] == service.settings.client_funds_account
    assert event["payout_date"] is not None
    (line,) = event["lines"]
    assert (line["case_id"], line["principal_ore"], line["net_ore"]) == (
        str(case.case_id),
        300_000,
        300_000,
    )
    assert (
        sum(x["net_ore"] for x in event["lines"]) - event["credit_report_charges_ore"]
        == (event["payout_ore"])
    )
    voiding = await client.post(
        f"/api/v1/ledger/settlements/{second}/voiding",
        json={"reason": "too late"},
        headers={**ledger.admin, **key()},
    )
    assert voiding.status_code == 409
    assert (await client.get("/api/v1/ledger/journal/trial-balance", headers=ledger.admin)).json()[
        "total_ore"
    ] == 0


async def _unconfirmed_metrics(service: LedgerService) -> tuple[float | None, bool]:
    """What Prometheus would scrape: settlements waiting for the bank, and whether the
    oldest one's age is counted (positive)."""
    await service.refresh_metrics()
    count = REGISTRY.get_sample_value("ledger_settlements_unconfirmed")
    age = REGISTRY.get_sample_value("ledger_settlement_unconfirmed_oldest_age_seconds")
    return count, bool(age and age > 0)


async def test_interest_on_a_rate_not_yet_confirmed_is_marked_provisional(
    client: httpx.AsyncClient, ledger: Ledger
) -> None:
    """The shipped table has no confirmed forsinkelsesrente for 2025 H2 (the 12.25 % row is
    unconfirmed): interest for July is computed with 12.50 % carried forward, and said so."""
    case = await ledger.case((1_000_000, date(2025, 6, 30), 0))
    path = f"/api/v1/ledger/cases/{case.case_id}/economy"
    june = await client.get(path, params={"as_of": "2025-06-30"}, headers=ledger.creditor())
    assert june.json()["provisional"] is False
    july = await client.get(path, params={"as_of": "2025-07-31"}, headers=ledger.creditor())
    body = july.json()
    assert (body["provisional"], body["interest"]["provisional"]) == (True, True)
    # 1-31 July, 31 days at 12.50 %: 1 000 000 x 0.125 x 31 / 365 = 10 616.44 -> 10 616
    assert body["interest"]["accrued_ore"] == 10_616
    assert [p["carried_forward"] for p in body["interest"]["periods"]] == [True]


async def test_an_avdragsordning_of_more_than_four_instalments_carries_the_avdragsgebyr(
    client: httpx.AsyncClient, ledger: Ledger
) -> None:
    """Inkassoforskriften § 2-4: a plan of six instalments agreed 3 March 2025 adds
    1.5 x 700 = 1 050.00 once (kept with the step, so a second plan adds nothing)."""
    case = await ledger.case((1_000_000, date(2025, 1, 31), 0))
    await ledger.steps(case.case_id, Step("payment_plan_agreed", date(2025, 3, 3), 6))
    await ledger.steps(case.case_id, Step("payment_plan_agreed", date(2025, 5, 2), 8))
    path = f"/api/v1/ledger/cases/{case.case_id}/economy"
    body = await client.get(path, params={"as_of": "2025-05-31"}, headers=ledger.creditor())
    fees = [(f["kind"], f["amount_ore"], f["effective_date"]) for f in body.json()["fees"]]
    assert fees == [("avdragsgebyr", 105_000, "2025-03-03")]


async def test_interest_after_a_demand_through_the_registration_event(
    client: httpx.AsyncClient, ledger: Ledger, service: LedgerService
) -> None:
    """A claim registered with no agreed due date and a påkrav sent 1 March 2025: the
    event's interest due date is 31 March (30 days later), interest runs from 1 April.
    As of 30 April: 30 days at 12.50 %: 1 000 000 x 0.125 x 30 / 365 = 10 273.97 -> 10 274
    (from the due date of 1 March it would be 60 days: 20 548)."""
    claim_id = uuid.uuid4()
    event = CaseRegistered(
        case_id=uuid.uuid4(),
        creditor_id=ledger.creditor_id,
        case_number="S-pakrav",
        kid="0000001230",
        creditor_reference="pakrav-1",
        batch_id=uuid.uuid4(),
        channel="api",
        debtor_kind="person",
        claims=[
            ClaimRegistered(
                claim_id=claim_id,
                invoice_number="F-1",
                invoice_date=date(2025, 2, 1),
                due_date=date(2025, 3, 1),
                principal_ore=1_000_000,
                reminder_fee_ore=0,
                limitation_date=date(2028, 3, 2),
            )
        ],
        registered_at=datetime.now(UTC),
        interest_starts=[
            ClaimInterestStart(
                claim_id=claim_id,
                demand_sent_on=date(2025, 3, 1),
                interest_due_date=date(2025, 3, 31),
            )
        ],
    )
    async with service.unit_of_work() as uow:
        await register_cases(uow.books, [consumers.registration(event)], service.policy)
        await uow.commit()
    path = f"/api/v1/ledger/cases/{event.case_id}/economy"
    body = await client.get(path, params={"as_of": "2025-04-30"}, headers=ledger.creditor())
    assert body.json()["interest"]["accrued_ore"] == 10_274
    march = await client.get(path, params={"as_of": "2025-03-31"}, headers=ledger.creditor())
    assert march.json()["interest"]["accrued_ore"] == 0
