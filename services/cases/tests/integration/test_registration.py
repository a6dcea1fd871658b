"""Registering cases in bulk: numbers, sealed national ids, events, duplicates."""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection
from dataclasses import replace

import pytest
from cases.adapters import case_store
from cases.adapters.orm import cases, claims, outbox, parties
from cases.bootstrap import CasesService
from cases.domain.registration import Claim
from cases.service_layer import registration as reg
from sqlalchemy import func, select
from stdnum import luhn

from .conftest import add_creditor

pytestmark = pytest.mark.integration


async def _register(service: CasesService, creditor_id: uuid.UUID, items: list) -> reg.ChunkOutcome:
    ctx = service.registration()
    who = reg.Submitter(creditor_id=creditor_id, channel="api", user_id=uuid.uuid4())
    async with service.unit_of_work() as uow:
        batch = await reg.open_batch(uow, ctx, who)
        outcome = await reg.register_chunk(uow, ctx, batch, list(enumerate(items)))
        await reg.complete_batch(
            uow,
            ctx,
            batch.batch_id,
            rejected=len(outcome.rejected),
            rejected_rows=reg.rejected_rows(
                outcome.rejected, lambda i: items[i].creditor_reference
            ),
        )
        await uow.commit()
    return outcome


async def test_a_chunk_registers_good_cases_and_names_every_bad_one(
    service: CasesService, registration
) -> None:
    creditor_id = await add_creditor(service)
    good = registration(claims=2)
    business = registration(business=True)
    bad = registration()
    bad = replace(
        bad,
        debtor=replace(bad.debtor, national_id="31129956716"),
        claims=(replace(bad.claims[0], principal_ore=-5),),
    )
    twice = replace(registration(), creditor_reference=good.creditor_reference)

    outcome = await _register(service, creditor_id, [good, bad, business, twice])

    assert [r.index for r in outcome.registered] == [0, 2]
    assert {(r.index, e.field) for r in outcome.rejected for e in r.errors} == {
        (1, "debtor.national_id"),
        (1, "claims[0].principal_ore"),
        (3, "creditor_reference"),
    }
    first = outcome.registered[0]
    assert luhn.is_valid(first.kid)
    assert len(first.kid) == 11
    async with service.session_factory() as session:
        row = (await session.execute(select(cases).where(cases.c.id == first.case_id))).one()
        assert row.principal_total_ore == sum(c.principal_ore for c in good.claims)
        assert row.status == "registered"
        assert row.claim_count == 2
        party = (
            await session.execute(select(parties).where(parties.c.case_id == first.case_id))
        ).one()
        assert good.debtor.national_id not in party.national_id_sealed
        assert service.vault.open(party.id, party.national_id_sealed) == good.debtor.national_id
        assert party.national_id_index == service.vault.index(good.debtor.national_id)
        n_claims = await session.scalar(
            select(func.count()).select_from(claims).where(claims.c.case_id == first.case_id)
        )
        assert n_claims == 2
        bodies = (
            await session.execute(select(outbox.c.routing_key, outbox.c.body).order_by(outbox.c.id))
        ).all()
    mine = [json.loads(b.body) for b in bodies if str(creditor_id) in b.body]
    assert [m["event_type"] for m in mine] == [
        "cases.case.registered",
        "cases.case.registered",
        "cases.batch.registered",
    ]
    assert mine[2]["data"]["case_count"] == 2
    assert mine[2]["data"]["rejected_count"] == 2
    assert mine[0]["data"]["debtor_name"] == good.debtor.name
    assert [
        (r["row"], r["creditor_reference"], r["fields"]) for r in mine[2]["data"]["rejected_rows"]
    ] == [
        (2, bad.creditor_reference, ["claims[0].principal_ore", "debtor.national_id"]),
        (4, twice.creditor_reference, ["creditor_reference"]),
    ]
    assert good.debtor.national_id not in "".join(b.body for b in bodies)


async def test_a_resubmitted_reference_is_recognised_not_duplicated(
    service: CasesService, registration
) -> None:
    creditor_id = await add_creditor(service)
    case = registration()
    first = await _register(service, creditor_id, [case])
    again = await _register(service, creditor_id, [case])

    assert again.registered == []
    assert again.rejected[0].existing_case_number == first.registered[0].case_number
    other_creditor = await add_creditor(service)
    elsewhere = await _register(service, other_creditor, [case])
    assert len(elsewhere.registered) == 1  # references are unique per creditor only


async def test_claims_must_be_overdue_and_consistent(service: CasesService, registration) -> None:
    creditor_id = await add_creditor(service)
    case = registration()
    claim = case.claims[0]
    future = replace(
        case, claims=(Claim(claim.invoice_number, claim.due_date, claim.invoice_date, 100, 0),)
    )
    outcome = await _register(service, creditor_id, [future])
    assert {e.field for e in outcome.rejected[0].errors} == {"claims[0].due_date"}


async def test_a_reference_registered_while_a_bulk_chunk_prepares_loses_only_that_case(
    service: CasesService, registration
) -> None:
    """A chunk large enough to be written with COPY; between its look-up of known
    references and its writes another submission registers one of them: that case is
    refused with the other's number, and the rest are registered with their events."""
    creditor_id = await add_creditor(service)
    items = [registration() for _ in range(case_store.COPY_ROWS + 10)]
    contested = items[7]
    ctx = service.registration()
    who = reg.Submitter(creditor_id=creditor_id, channel="import", user_id=uuid.uuid4())
    meanwhile: list[reg.ChunkOutcome] = []

    class RegisterTheContestedOneFirst:
        async def before_cases(self, references: Collection[str]) -> None:
            assert contested.creditor_reference in references
            meanwhile.append(await _register(service, creditor_id, [contested]))

        async def before_batch(self) -> None:
            pass

    async with service.unit_of_work() as uow:
        batch = await reg.open_batch(uow, ctx, who)
        outcome = await reg.register_chunk(
            uow, ctx, batch, list(enumerate(items)), turn=RegisterTheContestedOneFirst()
        )
        await uow.commit()

    winner = meanwhile[0].registered[0]
    assert [r.index for r in outcome.rejected] == [7]
    assert outcome.rejected[0].existing_case_number == winner.case_number
    assert sorted(r.index for r in outcome.registered) == [i for i in range(len(items)) if i != 7]
    async with service.session_factory() as session:
        in_batch = await session.scalar(
            select(func.count()).select_from(cases).where(cases.c.batch_id == batch.batch_id)
        )
        events = await session.scalar(
            select(func.count())
            .select_from(outbox)
            .where(outbox.c.body.contains(str(batch.batch_id)))
        )
        debtors = await session.scalar(
            select(func.count())
            .select_from(parties)
            .join(cases, cases.c.id == parties.c.case_id)
            .where(cases.c.batch_id == batch.batch_id)
        )
    assert in_batch == events == debtors == len(items) - 1
