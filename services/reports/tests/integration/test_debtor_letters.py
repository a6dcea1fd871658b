"""A letter to the debtor from the workflow's request to the post: the request delivered
twice gives one ``debtor_letter`` document on the case and one letter at the post; a send
the post refuses is kept and tried again; a letter handed over twice is posted once; a
letter whose day has no forsinkelsesrente stated by the ledger yet is held until it is."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from contracts.cases import CaseRegistered, DebtorLetterRequested, PostalAddress
from contracts.ledger import CaseBalanceChanged, CaseInterest, InterestRatePeriod
from prometheus_client import REGISTRY
from reports.adapters.orm import cases, documents, held_letters, letter_dispatches
from reports.adapters.post import HttpPost
from reports.bootstrap import ReportsService
from reports.entrypoints.api import create_app
from reports.service_layer.letters import LetterToPost, send_due
from servicekit.roles import Roles
from servicekit.testing.http import asgi_client
from servicekit.testing.tokens import TestSigner
from simulators.post import PostSimulator
from sqlalchemy import select

from .events import Batch, organisation, pdf_text, wrap
from .rendering import rendered, running_reports

pytestmark = pytest.mark.integration


class MovableClock:
    def __init__(self) -> None:
        self.at = datetime.now(UTC)

    def now(self) -> datetime:
        return self.at


@pytest.fixture
def post() -> Iterator[PostSimulator]:
    with PostSimulator() as simulator:
        yield simulator


def request_for(
    case_id: uuid.UUID, creditor_id: uuid.UUID, sent_on: date = date(2026, 2, 2)
) -> DebtorLetterRequested:
    return DebtorLetterRequested(
        letter_id=uuid.uuid4(),
        case_id=case_id,
        creditor_id=creditor_id,
        kind="inkassovarsel",
        step="inkassovarsel_sent",
        sent_on=sent_on,
        deadline=sent_on + timedelta(days=14),
        rule_set="NO-2020-10",
        debtor_kind="person",
        debtor_name="Kari Nordmann",
        address=PostalAddress(lines=["Storgata 1"], postal_code="0155", city="OSLO"),
        requested_at=datetime(2026, 2, 2, 6, 0, tzinfo=UTC),
    )


def stated(
    case: CaseRegistered,
    on: date,
    *,
    rate: str,
    rate_from: date,
    rate_to: date,
    costs: int = 0,
    periods: tuple[InterestRatePeriod, ...] = (),
    accrued: int = 0,
    principal: int | None = None,
) -> CaseBalanceChanged:
    """The ledger's balance event of ``on`` with the rate and interest it states (figures
    given by the test, as the ledger would send them)."""
    principal = case.claims[0].principal_ore if principal is None else principal
    return CaseBalanceChanged(
        case_id=case.case_id,
        creditor_id=case.creditor_id,
        effective_date=on,
        principal_ore=principal,
        interest_ore=0,
        costs_ore=costs,
        balance_ore=principal + costs,
        overpaid_ore=0,
        cause="step",
        changed_at=datetime.combine(on, datetime.min.time(), tzinfo=UTC),
        interest_rate_percent=Decimal(rate),
        interest_rate_from=rate_from,
        interest_rate_to=rate_to,
        interest=CaseInterest(
            through=on,
            accrued_ore=accrued,
            outstanding_ore=accrued,
            balance_ore=principal + costs + accrued,
            periods=list(periods),
        ),
    )


def first_half_2026(case: CaseRegistered, on: date) -> CaseBalanceChanged:
    return stated(case, on, rate="12.00", rate_from=date(2026, 1, 1), rate_to=date(2026, 6, 30))


async def test_a_request_delivered_twice_gives_one_letter_on_the_case_posted_once(
    service: ReportsService, post: PostSimulator, signer: TestSigner
) -> None:
    creditor = organisation("creditor")
    batch = Batch(creditor.organisation_id)
    case = batch.case(1_000_000, "Kari Nordmann")
    request = request_for(case.case_id, creditor.organisation_id)
    async with running_reports(service) as run:
        await run.publish(wrap(organisation("agency", "InfoCenter Inkasso AS")))
        await run.publish(wrap(creditor))
        await run.publish(wrap(case))
        await run.publish(wrap(first_half_2026(case, date(2026, 2, 2))))
        await run.settled(handled=4)
        await run.publish(wrap(request), times=2)
        await run.settled(handled=5, duplicate=1, seconds=60)
        assert run.outcomes()["dead_lettered"] == 0
        await rendered(service)

    async with service.session_factory() as session:
        rows = (
            (await session.execute(select(documents).where(documents.c.kind == "debtor_letter")))
            .mappings()
            .all()
        )
    letters = [r for r in rows if r["case_id"] == case.case_id]
    assert len(letters) == 1
    (letter,) = letters
    assert letter["source_id"] == request.letter_id
    assert letter["organisation_id"] == creditor.organisation_id
    assert letter["number"] == f"{case.case_number}-IV-20260202"
    text = " ".join(pdf_text(letter["content"]).replace("\u202f", " ").split())
    for expected in ("Inkassovarsel", "Kari Nordmann", "Storgata 1", "0155 OSLO", "16.02.2026"):
        assert expected in text
    assert "10 000,00" in text
    assert "Forsinkelsesrente: 12,00 % p.a. (forsinkelsesrenteloven § 3)" in text
    assert case.kid in text
    assert creditor.name in text

    clock = MovableClock()
    assert await send_due(service.session_factory, HttpPost(post.url), clock) == 1
    assert await send_due(service.session_factory, HttpPost(post.url), clock) == 0
    received = [x for x in post.office.listing() if x["letter_id"] == str(request.letter_id)]
    assert len(received) == 1
    assert received[0]["deliveries"] == 1
    assert received[0]["recipient"]["postal_code"] == "0155"
    assert received[0]["sha256"] == letter["sha256"]

    async with service.session_factory() as session:
        dispatch = (
            (
                await session.execute(
                    select(letter_dispatches).where(
                        letter_dispatches.c.letter_id == request.letter_id
                    )
                )
            )
            .mappings()
            .one()
        )
    assert dispatch["sent_at"] is not None
    assert dispatch["recipient"] is None
    assert dispatch["post_reference"] == received[0]["reference"]

    # the creditor finds the letter among its case's documents
    own = signer.headers(organisation_id=creditor.organisation_id, roles=[Roles.CREDITOR])
    theirs = signer.headers(organisation_id=uuid.uuid4(), roles=[Roles.CREDITOR])
    async with asgi_client(create_app(service)) as client:
        response = await client.get(
            "/api/v1/reports/documents",
            params={"source_id": str(case.case_id)},
            headers=own,
        )
        other = await client.get(
            "/api/v1/reports/documents", params={"source_id": str(case.case_id)}, headers=theirs
        )
    assert response.status_code == 200, response.text
    assert other.json()["items"] == []
    (listed,) = response.json()["items"]
    assert (listed["kind"], listed["case_id"]) == ("debtor_letter", str(case.case_id))


async def test_a_send_the_post_refused_is_tried_again_later(
    service: ReportsService, post: PostSimulator
) -> None:
    creditor = organisation("creditor")
    case = Batch(creditor.organisation_id).case(250_000, "Ola Nordmann")
    request = request_for(case.case_id, creditor.organisation_id)
    async with running_reports(service) as run:
        for event in (
            organisation("agency", "InfoCenter Inkasso AS"),
            creditor,
            case,
            first_half_2026(case, date(2026, 2, 2)),
            request,
        ):
            await run.publish(wrap(event))
        await run.settled(handled=5, seconds=60)
        await rendered(service)
        await service.refresh_metrics()  # (the broker's part needs the queues: inside)
        unsent = REGISTRY.get_sample_value("reports_letters_unsent")

    assert unsent is not None
    assert unsent >= 1  # this letter at least (other tests' may wait in other databases)
    clock = MovableClock()
    post.office.fail(1)
    adapter = HttpPost(post.url)
    assert await send_due(service.session_factory, adapter, clock) == 0
    assert not [x for x in post.office.listing() if x["letter_id"] == str(request.letter_id)]
    async with service.session_factory() as session:
        dispatch = (
            (
                await session.execute(
                    select(letter_dispatches).where(
                        letter_dispatches.c.letter_id == request.letter_id
                    )
                )
            )
            .mappings()
            .one()
        )
    assert dispatch["attempts"] == 1
    assert dispatch["sent_at"] is None
    assert dispatch["last_error"] == "HTTP 503"
    assert dispatch["recipient"] is not None

    assert await send_due(service.session_factory, adapter, clock) == 0  # not due yet
    clock.at += timedelta(seconds=6)
    assert await send_due(service.session_factory, adapter, clock) == 1
    (received,) = [x for x in post.office.listing() if x["letter_id"] == str(request.letter_id)]
    assert received["deliveries"] == 1


async def test_the_post_posts_a_letter_handed_over_twice_once(post: PostSimulator) -> None:
    letter = LetterToPost(
        letter_id=uuid.uuid4(),
        kind="betalingsoppfordring",
        recipient={"name": "Kari Nordmann", "address_lines": ["Storgata 1"]},
        pdf=b"%PDF-1.7 test",
    )
    adapter = HttpPost(post.url)
    first = await adapter.send(letter)
    assert await adapter.send(letter) == first
    (received,) = [x for x in post.office.listing() if x["letter_id"] == str(letter.letter_id)]
    assert received["deliveries"] == 2
    assert received["reference"] == first


async def test_a_letter_is_held_until_the_ledger_states_the_rate_of_its_day(
    service: ReportsService,
) -> None:
    """Sent Monday 06.07.2026: the case's only balance is its registration's (16.01.2026),
    so the letter waits for the ledger's event of its day; that event (the step, 06.07)
    states 11,75 % from 01.07, the fee and the interest through the day, and the letter is
    issued by it. Its interest, as the ledger gave it:
    17.01-30.06 165 days x 1 000 000 x 12 % / 365 = 54 246,575 øre and 01.07-06.07 6 days x
    1 000 000 x 11,75 % / 365 = 1 931,507 øre: 56 178,08 → 561,78 kr; with the varsel fee
    35,00 the letter asks for 10 000,00 + 561,78 + 35,00 = 10 596,78 kr."""
    creditor = organisation("creditor")
    case = Batch(creditor.organisation_id).case(1_000_000, "Kari Nordmann")
    request = request_for(case.case_id, creditor.organisation_id, sent_on=date(2026, 7, 6))
    step = stated(
        case,
        date(2026, 7, 6),
        rate="11.75",
        rate_from=date(2026, 7, 1),
        rate_to=date(2026, 12, 31),
        costs=3_500,
        accrued=56_178,
        periods=(
            InterestRatePeriod(
                first=date(2026, 1, 17),
                last=date(2026, 6, 30),
                days=165,
                principal_ore=1_000_000,
                rate_percent=Decimal("12.00"),
                rate_from=date(2026, 1, 1),
                interest_ore=54_247,
            ),
            InterestRatePeriod(
                first=date(2026, 7, 1),
                last=date(2026, 7, 6),
                days=6,
                principal_ore=1_000_000,
                rate_percent=Decimal("11.75"),
                rate_from=date(2026, 7, 1),
                interest_ore=1_931,
            ),
        ),
    )

    async def letters_of_case() -> list[Any]:
        async with service.session_factory() as session:
            return list(
                (
                    await session.execute(
                        select(documents).where(
                            documents.c.kind == "debtor_letter", documents.c.case_id == case.case_id
                        )
                    )
                ).mappings()
            )

    async def held() -> int:
        async with service.session_factory() as session:
            rows = await session.execute(
                select(held_letters.c.letter_id).where(held_letters.c.case_id == case.case_id)
            )
            return len(rows.all())

    async with running_reports(service) as run:
        for event in (
            organisation("agency", "InfoCenter Inkasso AS"),
            creditor,
            case,
            first_half_2026(case, date(2026, 1, 16)),
            request,
        ):
            await run.publish(wrap(event))
        await run.settled(handled=5, seconds=60)
        assert await letters_of_case() == []
        assert await held() == 1
        await service.refresh_metrics()
        waiting = REGISTRY.get_sample_value("reports_letters_held")
        assert waiting is not None
        assert waiting >= 1

        await run.publish(wrap(request))  # asked again: still one held letter
        await run.settled(handled=6, seconds=60)
        assert await held() == 1

        await run.publish(wrap(step))
        await run.settled(handled=7, seconds=60)
        assert run.outcomes()["dead_lettered"] == 0
        await rendered(service)

    (letter,) = await letters_of_case()
    assert letter["source_id"] == request.letter_id
    assert await held() == 0
    text = " ".join(pdf_text(letter["content"]).replace("\u202f", " ").split())
    assert "Forsinkelsesrente: 11,75 % p.a. (forsinkelsesrenteloven § 3)" in text
    assert "Forsinkelsesrente til og med 06.07.2026 561,78" in text
    assert "Å betale 10 596,78" in text


async def test_a_held_letter_lacking_content_is_kept_for_ops_not_the_balances(
    service: ReportsService,
) -> None:
    """The case was paid before the letter's day: the ledger's balance of the day has no
    principal left, so the letter would lack the amount (§ 10 (c)). The balance is applied
    all the same; the letter is not issued and stays held, marked for ops."""
    creditor = organisation("creditor")
    case = Batch(creditor.organisation_id).case(500_000, "Ola Nordmann")
    request = request_for(case.case_id, creditor.organisation_id)
    paid = stated(
        case,
        date(2026, 2, 2),
        rate="12.00",
        rate_from=date(2026, 1, 1),
        rate_to=date(2026, 6, 30),
        principal=0,
    )
    async with running_reports(service) as run:
        for event in (organisation("agency", "InfoCenter Inkasso AS"), creditor, case, request):
            await run.publish(wrap(event))
        await run.settled(handled=4, seconds=60)
        await run.publish(wrap(paid))
        await run.settled(handled=5, seconds=60)
        assert run.outcomes()["dead_lettered"] == 0
        await rendered(service)

    async with service.session_factory() as session:
        reason = await session.scalar(
            select(held_letters.c.reason).where(held_letters.c.letter_id == request.letter_id)
        )
        issued = await session.scalar(
            select(documents.c.document_id).where(documents.c.source_id == request.letter_id)
        )
        balance = await session.scalar(
            select(cases.c.balance_ore).where(cases.c.case_id == case.case_id)
        )
    assert reason == "letter-incomplete"
    assert issued is None
    assert balance == 0
