"""The workflow against the real database: scheduler steps, case actions, limitation,
and the ledger's settled-in-full event. Dates come from a fixed clock."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from cases.bootstrap import CasesService
from cases.domain.workflow import IllegalTransition, Instalment
from cases.service_layer import workflow
from cases.service_layer.workflow import Actor
from contracts import Envelope
from contracts.ledger import CaseSettledInFull, PaymentReceived
from servicekit.testing.bus import running_consumers

from .workflow_support import (
    FixedClock,
    case,
    claim_rows,
    events_of,
    objection_rows,
    plan_rows,
    register_cases,
    steps_of,
    timeline_of,
)

pytestmark = pytest.mark.integration

HANDLER = Actor("user", uuid.uuid4())


async def run_scheduler(service: CasesService, on: date) -> workflow.SchedulerRun:
    service.clock = FixedClock(on)
    return await workflow.run_due(service.unit_of_work, service.workflow(), batch_size=50)


async def act(service: CasesService, case_id: uuid.UUID, action, on: date) -> workflow.Outcome:
    service.clock = FixedClock(on)
    async with service.unit_of_work() as uow:
        outcome = await workflow.act(uow, service.workflow(), case_id, action, HANDLER)
        await uow.commit()
    return outcome


async def test_the_scheduler_takes_each_step_once_on_its_day(service: CasesService) -> None:
    """Registered on Thursday 19 March 2026: the inkassovarsel's 14 days end on
    skjærtorsdag, so the deadline rolls past Easter to Tuesday 7 April."""
    service.clock = FixedClock(date(2026, 3, 19))
    creditor_id, (case_id,) = await register_cases(service)

    await run_scheduler(service, date(2026, 3, 19))
    await run_scheduler(service, date(2026, 3, 19))  # the same day again: nothing more
    assert await steps_of(service, case_id) == ["inkassovarsel_sent"]
    row = await case(service, case_id)
    assert row["status"] == "notice_sent"
    assert row["deadline"] == date(2026, 4, 7)
    assert row["next_step_on"] == date(2026, 4, 8)
    assert row["limitation_check_on"] is not None
    assert row["version"] == 2

    await run_scheduler(service, date(2026, 4, 7))  # the deadline's last day: nothing
    assert (await case(service, case_id))["status"] == "notice_sent"
    await run_scheduler(service, date(2026, 4, 8))
    await run_scheduler(service, date(2026, 4, 8))
    row = await case(service, case_id)
    assert row["status"] == "demand_sent"
    assert row["demand_sent_on"] == date(2026, 4, 8)
    assert row["deadline"] == date(2026, 4, 22)

    await run_scheduler(service, date(2026, 4, 23))
    row = await case(service, case_id)
    assert row["status"] == "demand_sent"
    assert row["needs_attention"] == "legal_decision"
    assert row["attention_since"] is not None
    assert row["next_step_on"] == date(2026, 10, 9)

    entries = await timeline_of(service, case_id)
    assert [(e["kind"], e["step"]) for e in entries] == [
        ("registered", None),
        ("status_changed", "inkassovarsel_sent"),
        ("status_changed", "betalingsoppfordring_sent"),
        ("attention", "legal_decision_due"),
    ]
    assert {e["actor_kind"] for e in entries[1:]} == {"scheduler"}
    assert entries[1]["deadline"] == date(2026, 4, 7)
    assert entries[1]["effective_date"] == date(2026, 3, 19)

    changed = await events_of(service, case_id, "cases.case.status_changed")
    assert [(e["step"], e["from_status"], e["to_status"], e["deadline"]) for e in changed] == [
        ("inkassovarsel_sent", "registered", "notice_sent", "2026-04-07"),
        ("betalingsoppfordring_sent", "notice_sent", "demand_sent", "2026-04-22"),
    ]
    assert {e["actor"] for e in changed} == {"scheduler"}
    assert {e["rule_set"] for e in changed} == {"inkassoloven-1988"}
    assert {e["creditor_id"] for e in changed} == {str(creditor_id)}

    # each letter step asks the reports service for its letter, with the debtor's address
    letters = await events_of(service, case_id, "cases.debtor_letter.requested")
    assert [(e["kind"], e["sent_on"], e["deadline"]) for e in letters] == [
        ("inkassovarsel", "2026-03-19", "2026-04-07"),
        ("betalingsoppfordring", "2026-04-08", "2026-04-22"),
    ]
    assert len({e["letter_id"] for e in letters}) == 2
    assert all(e["debtor_name"] and e["address"]["lines"] for e in letters)
    assert all(e["address"]["postal_code"] and e["address"]["city"] for e in letters)

    legal = await act(service, case_id, workflow.wf.TakeLegalStep("utlegg"), date(2026, 5, 4))
    assert legal.status == "legal"
    row = await case(service, case_id)
    assert row["needs_attention"] is None
    assert row["attention_since"] is None
    # utleggsbegjæring interrupts limitation: three new years from 4 May 2026, the last day
    # Friday 4 May 2029 (foreldelsesloven § 29), time-barred from 5 May 2029
    assert {c["limitation_date"] for c in await claim_rows(service, case_id)} == {date(2029, 5, 5)}
    assert row["limitation_date"] == date(2029, 5, 5)
    kinds = [e["kind"] for e in await timeline_of(service, case_id)]
    assert kinds[-2:] == ["limitation_interrupted", "status_changed"]


async def test_an_objection_pauses_until_resolved(service: CasesService) -> None:
    service.clock = FixedClock(date(2026, 6, 1))
    _, (case_id,) = await register_cases(service)
    await run_scheduler(service, date(2026, 6, 1))

    service.clock = FixedClock(date(2026, 6, 3))
    async with service.unit_of_work() as uow:
        out = await workflow.register_objection(
            uow,
            service.workflow(),
            case_id,
            HANDLER,
            received_on=date(2026, 6, 2),
            grounds="The goods were never delivered.",
        )
        await uow.commit()
    assert out.status == "disputed"
    assert out.needs_attention == "objection"
    row = await case(service, case_id)
    assert row["next_step_on"] is None
    assert row["paused"] == [
        {
            "status": "notice_sent",
            "deadline": "2026-06-15",
            "next_step_on": "2026-06-16",
            "attention": None,
        }
    ]
    [objection] = await objection_rows(service, case_id)
    assert objection["status"] == "open"
    assert objection["registered_by"] == HANDLER.user_id

    await run_scheduler(service, date(2026, 7, 1))  # long after the old deadline
    assert (await case(service, case_id))["status"] == "disputed"

    service.clock = FixedClock(date(2026, 7, 6))
    async with service.unit_of_work() as uow:
        out = await workflow.resolve_objection(
            uow, service.workflow(), case_id, HANDLER, outcome="resumed", note="Delivery proven."
        )
        await uow.commit()
    assert out.status == "notice_sent"
    assert out.deadline == date(2026, 7, 20)
    [objection] = await objection_rows(service, case_id)
    assert (objection["status"], objection["resolution"]) == ("resolved", "resumed")
    assert objection["resolution_note"] == "Delivery proven."
    row = await case(service, case_id)
    assert row["next_step_on"] == date(2026, 7, 21)
    assert row["paused"] == []
    assert row["needs_attention"] is None
    assert await steps_of(service, case_id) == [
        "inkassovarsel_sent",
        "objection_registered",
        "collection_resumed",
    ]


async def test_a_payment_plan_and_its_breach(service: CasesService) -> None:
    service.clock = FixedClock(date(2026, 6, 1))
    _, (case_id,) = await register_cases(service)
    await run_scheduler(service, date(2026, 6, 1))
    service.clock = FixedClock(date(2026, 6, 5))
    instalments = [Instalment(date(2026, 7, 1), 60_000), Instalment(date(2026, 8, 1), 65_050)]
    async with service.unit_of_work() as uow:
        out = await workflow.agree_payment_plan(
            uow, service.workflow(), case_id, HANDLER, instalments=instalments
        )
        await uow.commit()
    assert out.status == "payment_plan"
    [plan] = await plan_rows(service, case_id)
    assert (plan["status"], plan["instalment_count"], plan["total_ore"]) == ("active", 2, 125_050)
    # the ledger hears how many instalments (the avdragsgebyr, forskrift § 2-4, needs it)
    [agreed] = [
        e
        for e in await events_of(service, case_id, "cases.case.status_changed")
        if e["step"] == "payment_plan_agreed"
    ]
    assert agreed["instalments"] == 2
    # an avdragsordning acknowledges the debt: a new limitation period from 5 June 2026,
    # last day Tuesday 5 June 2029, time-barred from 6 June 2029
    assert (await case(service, case_id))["limitation_date"] == date(2029, 6, 6)

    await act(service, case_id, workflow.wf.BreachPaymentPlan(), date(2026, 7, 3))
    [plan] = await plan_rows(service, case_id)
    assert (plan["status"], plan["ended_reason"]) == ("breached", "breached")
    row = await case(service, case_id)
    assert row["status"] == "notice_sent"
    assert row["next_step_on"] == date(2026, 7, 3)  # the old deadline ran out: due now
    await run_scheduler(service, date(2026, 7, 3))
    assert (await case(service, case_id))["status"] == "demand_sent"


async def test_illegal_actions_change_nothing(service: CasesService) -> None:
    service.clock = FixedClock(date(2026, 6, 1))
    _, (case_id,) = await register_cases(service)
    before = await case(service, case_id)
    with pytest.raises(IllegalTransition, match="after a betalingsoppfordring"):
        await act(service, case_id, workflow.wf.TakeLegalStep("forliksklage"), date(2026, 6, 1))
    assert await case(service, case_id) == before
    assert await events_of(service, case_id, "cases.case.status_changed") == []
    with pytest.raises(workflow.CaseNotFound):
        await act(service, uuid.uuid4(), workflow.wf.Close("withdrawn"), date(2026, 6, 1))


async def test_limitation_warnings_then_letters_stop(service: CasesService) -> None:
    """A claim due on 20 March 2023: the last day is Friday 20 March 2026 (foreldelsesloven
    § 29), the claim is time-barred from 21 March 2026."""
    service.clock = FixedClock(date(2026, 1, 5))
    _, (case_id,) = await register_cases(service, due_date=date(2023, 3, 20))
    row = await case(service, case_id)
    assert row["limitation_date"] == date(2026, 3, 21)

    await run_scheduler(service, date(2026, 1, 5))  # 75 days left: the 90-day warning
    row = await case(service, case_id)
    assert row["status"] == "notice_sent"
    assert row["needs_attention"] == "limitation_90d"
    assert row["limitation_check_on"] == date(2026, 2, 19)
    [claim] = await claim_rows(service, case_id)
    assert claim["limitation_warned"] == "90d"

    await run_scheduler(service, date(2026, 2, 19))  # 30 days left
    row = await case(service, case_id)
    assert row["needs_attention"] == "limitation_30d"
    assert row["status"] == "demand_sent"  # the inkassovarsel's deadline ran out on 19 Jan
    assert row["limitation_check_on"] == date(2026, 3, 21)
    assert await events_of(service, case_id, "cases.claim.time_barred") == []

    await run_scheduler(service, date(2026, 3, 20))  # the last day: not barred yet
    assert (await case(service, case_id))["needs_attention"] == "limitation_30d"
    await run_scheduler(service, date(2026, 3, 21))
    row = await case(service, case_id)
    assert row["needs_attention"] == "time_barred"
    assert row["limitation_check_on"] is None
    warnings = [
        e["step"] for e in await timeline_of(service, case_id) if e["kind"] == "limitation_warning"
    ]
    assert warnings == ["limitation_90d", "limitation_30d", "limitation_expired"]
    # the ledger is told, so interest and fees stop on the claim from that day
    [barred] = await events_of(service, case_id, "cases.claim.time_barred")
    assert (barred["claim_id"], barred["time_barred_on"], barred["limitation_date"]) == (
        str(claim["id"]),
        "2026-03-21",
        "2026-03-21",
    )
    written = len(await timeline_of(service, case_id))
    await run_scheduler(service, date(2026, 3, 22))
    assert len(await timeline_of(service, case_id)) == written


async def _barred_case(service: CasesService) -> uuid.UUID:
    """A claim due 1 Feb 2023: the last day is Monday 2 Feb 2026 (1 Feb is a Sunday), the
    claim is time-barred from 3 Feb 2026; the scheduler finds it so on 2 March."""
    service.clock = FixedClock(date(2026, 3, 2))
    _, (case_id,) = await register_cases(service, due_date=date(2023, 2, 1))
    assert (await case(service, case_id))["limitation_date"] == date(2026, 2, 3)
    await run_scheduler(service, date(2026, 3, 2))
    row = await case(service, case_id)
    assert row["status"] == "registered"
    assert row["next_step_on"] is None
    assert row["needs_attention"] == "time_barred"
    assert [e["step"] for e in await timeline_of(service, case_id)][-1] == (
        "letters_stopped_time_barred"
    )
    return case_id


async def test_an_acknowledgement_after_the_claim_is_barred_does_not_revive_it(
    service: CasesService,
) -> None:
    case_id = await _barred_case(service)
    service.clock = FixedClock(date(2026, 3, 3))
    async with service.unit_of_work() as uow:
        out = await workflow.register_acknowledgement(
            uow, service.workflow(), case_id, HANDLER, kind="acknowledgement", on=date(2026, 3, 3)
        )
        await uow.commit()
    assert out.limitation_date == date(2026, 2, 3)  # unchanged: a barred claim is lost
    row = await case(service, case_id)
    assert row["needs_attention"] == "time_barred"
    assert row["next_step_on"] is None
    [note] = [
        e for e in await timeline_of(service, case_id) if e["kind"] == "limitation_not_revived"
    ]
    assert note["detail"]["limitation_dates"] == ["2026-02-03"]
    # the ledger heard once, that the claim is barred; nothing undid it
    barred = await events_of(service, case_id, "cases.claim.time_barred")
    assert [e["time_barred_on"] for e in barred] == ["2026-02-03"]


async def test_an_acknowledgement_dated_on_the_last_day_renews_the_period_and_letters_resume(
    service: CasesService,
) -> None:
    case_id = await _barred_case(service)
    service.clock = FixedClock(date(2026, 3, 3))
    async with service.unit_of_work() as uow:  # recorded late, dated the last day
        out = await workflow.register_acknowledgement(
            uow, service.workflow(), case_id, HANDLER, kind="acknowledgement", on=date(2026, 2, 2)
        )
        await uow.commit()
    # three years from Monday 2 Feb 2026: Friday 2 Feb 2029, time-barred from 3 Feb 2029
    assert out.limitation_date == date(2029, 2, 3)
    row = await case(service, case_id)
    assert row["needs_attention"] is None
    assert row["next_step_on"] == date(2026, 3, 3)
    # the ledger is told the claim runs again
    barred = await events_of(service, case_id, "cases.claim.time_barred")
    assert [(e["time_barred_on"], e["limitation_date"]) for e in barred] == [
        ("2026-02-03", "2026-02-03"),
        (None, "2029-02-03"),
    ]
    await run_scheduler(service, date(2026, 3, 3))
    assert (await case(service, case_id))["status"] == "notice_sent"


async def test_settled_in_full_closes_the_case_once(service: CasesService) -> None:
    service.clock = FixedClock(date(2026, 6, 1))
    creditor_id, (case_id, closed_id) = await register_cases(service, count=2)
    await act(service, closed_id, workflow.wf.Close("withdrawn"), date(2026, 6, 2))

    def settled(target: uuid.UUID) -> Envelope:
        return Envelope.wrap(
            CaseSettledInFull(
                case_id=target,
                creditor_id=creditor_id,
                settled_on=date(2026, 6, 10),
                total_paid_ore=130_000,
                settled_at=service.clock.now(),
            )
        )

    paid = settled(case_id)
    async with running_consumers(service) as run:
        await run.publish(paid, times=2)  # the second is a redelivery
        await run.publish(settled(case_id))  # the ledger said it again (a new event)
        await run.publish(settled(closed_id))  # a case the creditor had withdrawn
        await run.settled(handled=3, duplicate=1)
        assert run.outcomes()["dead_lettered"] == 0
        assert run.outcomes()["retried"] == 0

    row = await case(service, case_id)
    assert (row["status"], row["closed_reason"]) == ("closed", "paid")
    assert row["next_step_on"] is None
    assert row["limitation_check_on"] is None
    closed = await events_of(service, case_id, "cases.case.closed")
    assert [(e["reason"], e["closed_on"], e["actor"]) for e in closed] == [
        ("paid", "2026-06-10", "system")
    ]
    assert await steps_of(service, case_id) == ["closed_paid"]
    assert [e["actor_kind"] for e in await timeline_of(service, case_id)][-1] == "ledger"
    other = await case(service, closed_id)
    assert (other["status"], other["closed_reason"]) == ("closed", "withdrawn")
    assert len(await events_of(service, closed_id, "cases.case.closed")) == 1


def _paid(case_id: uuid.UUID, creditor_id: uuid.UUID, value_date: date) -> Envelope:
    return Envelope.wrap(
        PaymentReceived(
            payment_id=uuid.uuid4(),
            case_id=case_id,
            creditor_id=creditor_id,
            amount_ore=10_000,
            value_date=value_date,
            principal_ore=10_000,
            interest_ore=0,
            costs_ore=0,
            overpaid_ore=0,
            received_at=FixedClock(value_date).now(),
        )
    )


async def test_a_part_payment_the_ledger_books_interrupts_limitation(
    service: CasesService,
) -> None:
    """Due 20 March 2023: time-barred from 21 March 2026 (the last day Friday 20 March).
    A part payment on the last day gives three years from it; one after does nothing."""
    service.clock = FixedClock(date(2026, 3, 1))
    creditor_id, (running, barred) = await register_cases(
        service, count=2, due_date=date(2023, 3, 20)
    )
    assert (await case(service, running))["limitation_date"] == date(2026, 3, 21)
    service.clock = FixedClock(date(2026, 3, 25))
    async with running_consumers(service) as run:
        await run.publish(_paid(running, creditor_id, date(2026, 3, 20)))
        await run.publish(_paid(barred, creditor_id, date(2026, 3, 21)))
        await run.settled(handled=2)
        assert run.outcomes()["dead_lettered"] == 0
    # three years from Friday 20 March 2026: Tuesday 20 March 2029, barred from the 21st
    assert (await case(service, running))["limitation_date"] == date(2029, 3, 21)
    renewed = [e for e in await timeline_of(service, running) if e["kind"] != "registered"]
    assert [(e["kind"], e["actor_kind"]) for e in renewed] == [("limitation_interrupted", "ledger")]
    assert (await case(service, barred))["limitation_date"] == date(2026, 3, 21)
    kinds = [e["kind"] for e in await timeline_of(service, barred)]
    assert kinds[-1] == "limitation_not_revived"


async def test_a_loan_gets_ten_years(service: CasesService) -> None:
    """A pengelån or gjeldsbrev (foreldelsesloven § 5): due 2 March 2020, ten years to
    Saturday 2 March 2030, so the last day is Monday 4 March 2030."""
    service.clock = FixedClock(date(2026, 3, 1))
    _, (loan,) = await register_cases(service, due_date=date(2020, 3, 2), claim_type="loan")
    _, (ordinary,) = await register_cases(service, due_date=date(2023, 3, 20))
    [claim] = await claim_rows(service, loan)
    assert (claim["claim_type"], claim["limitation_date"]) == ("loan", date(2030, 3, 5))
    assert (await case(service, loan))["limitation_date"] == date(2030, 3, 5)
    assert (await claim_rows(service, ordinary))[0]["claim_type"] == "ordinary"
    # an acknowledgement gives a loan ten years again: Sunday 2 March 2036 -> Monday 3 March
    service.clock = FixedClock(date(2026, 3, 2))
    async with service.unit_of_work() as uow:
        out = await workflow.register_acknowledgement(
            uow, service.workflow(), loan, HANDLER, kind="acknowledgement", on=date(2026, 3, 2)
        )
        await uow.commit()
    assert out.limitation_date == date(2036, 3, 4)
