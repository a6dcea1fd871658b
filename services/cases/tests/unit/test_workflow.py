"""The collection workflow's state machine, with the real 2026/2027 calendar."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from cases.domain import workflow as wf
from cases.domain.rules import RuleSet
from cases.domain.workflow import (
    AgreePaymentPlan,
    BreachPaymentPlan,
    CaseState,
    Close,
    IllegalTransition,
    Instalment,
    InvalidAction,
    RegisterObjection,
    ResolveObjection,
    SendBetalingsoppfordring,
    SendInkassovarsel,
    TakeLegalStep,
    TimeBarred,
    advance,
    apply,
)

pytestmark = pytest.mark.unit

RULES = RuleSet(name="test-rules", effective_from=date(2020, 10, 1))


def registered(on: date, **changes: object) -> CaseState:
    state = CaseState(
        status="registered",
        debtor_kind="person",
        limitation_date=on + timedelta(days=3 * 365),
        next_step_on=on,
    )
    return replace(state, **changes)  # type: ignore[arg-type]


def test_the_scheduler_path_over_easter_2026() -> None:
    state = registered(date(2026, 3, 19))

    notice = advance(state, date(2026, 3, 19), RULES)
    assert notice is not None
    assert notice.kind == "step"
    assert notice.step == "inkassovarsel_sent"
    assert (notice.from_status, notice.to_status) == ("registered", "notice_sent")
    assert notice.effective_date == date(2026, 3, 19)
    assert notice.deadline == date(2026, 4, 7)  # 2 April is skjærtorsdag: rolled past Easter
    assert notice.after.next_step_on == date(2026, 4, 8)
    assert notice.next.action == "send_betalingsoppfordring"
    assert notice.next.on == date(2026, 4, 8)
    state = notice.after

    assert advance(state, date(2026, 4, 7), RULES) is None  # the deadline's last day
    demand = advance(state, date(2026, 4, 8), RULES)
    assert demand is not None
    assert demand.step == "betalingsoppfordring_sent"
    assert demand.deadline == date(2026, 4, 22)
    assert demand.after.demand_sent_on == date(2026, 4, 8)
    state = demand.after
    assert advance(state, date(2026, 4, 8), RULES) is None  # the same day again: nothing

    decision = advance(state, date(2026, 4, 23), RULES)
    assert decision is not None
    assert decision.kind == "attention"
    assert decision.step == "legal_decision_due"
    assert decision.after.status == "demand_sent"
    assert decision.after.attention == "legal_decision"
    assert decision.after.next_step_on == date(2026, 10, 9)  # after the 6-month window
    assert decision.next.by == "case_handler"
    assert wf.needs_attention(decision.after, date(2026, 4, 23), RULES) == "legal_decision"
    state = decision.after

    legal = apply(state, TakeLegalStep("utlegg"), date(2026, 5, 4), RULES)
    assert legal.step == "legal_step_utlegg"
    assert legal.to_status == "legal"
    assert legal.interrupts_limitation == "utlegg"
    assert legal.after.next_step_on is None
    assert legal.after.attention is None


def test_legal_steps_wait_for_the_deadline_and_expire_after_six_months() -> None:
    state = replace(
        registered(date(2026, 1, 5)),
        status="demand_sent",
        demand_sent_on=date(2026, 4, 8),
        deadline=date(2026, 4, 22),
        next_step_on=date(2026, 4, 23),
    )
    with pytest.raises(IllegalTransition, match="runs until 2026-04-22") as early:
        apply(state, TakeLegalStep("forliksklage"), date(2026, 4, 22), RULES)
    assert early.value.status == 409
    with pytest.raises(IllegalTransition, match="new betalingsoppfordring first"):
        apply(state, TakeLegalStep("forliksklage"), date(2026, 10, 9), RULES)
    assert apply(state, TakeLegalStep("forliksklage"), date(2026, 10, 8), RULES).to_status == (
        "legal"
    )

    expired = advance(replace(state, next_step_on=date(2026, 10, 9)), date(2026, 10, 9), RULES)
    assert expired is not None
    assert expired.step == "legal_window_expired"
    assert expired.after.attention == "new_demand_needed"
    assert expired.after.next_step_on is None
    again = apply(expired.after, SendBetalingsoppfordring(), date(2026, 10, 12), RULES)
    assert again.step == "betalingsoppfordring_sent"
    assert again.after.demand_sent_on == date(2026, 10, 12)
    assert again.after.attention is None
    with pytest.raises(IllegalTransition, match="still good for legal steps"):
        apply(again.after, SendBetalingsoppfordring(), date(2026, 10, 30), RULES)


def test_an_objection_stops_the_timers_and_resumes_with_a_new_deadline() -> None:
    notice = advance(registered(date(2026, 3, 19)), date(2026, 3, 19), RULES)
    assert notice is not None
    disputed = apply(notice.after, RegisterObjection(), date(2026, 3, 25), RULES)
    assert disputed.step == "objection_registered"
    assert disputed.after.status == "disputed"
    assert disputed.after.next_step_on is None
    assert disputed.after.attention == "objection"
    assert disputed.next.action == "resolve_objection"
    for later in (date(2026, 4, 8), date(2026, 6, 1), date(2027, 1, 1)):
        assert advance(disputed.after, later, RULES) is None
    with pytest.raises(IllegalTransition, match="Resolve the open objection first"):
        apply(disputed.after, RegisterObjection(), date(2026, 3, 26), RULES)
    with pytest.raises(IllegalTransition, match="disputed"):
        apply(disputed.after, SendBetalingsoppfordring(), date(2026, 4, 8), RULES)

    resumed = apply(disputed.after, ResolveObjection("resumed"), date(2026, 5, 4), RULES)
    assert resumed.step == "collection_resumed"
    assert resumed.to_status == "notice_sent"
    assert resumed.deadline == date(2026, 5, 18)  # 14 days from 4 May: a Monday
    assert resumed.after.next_step_on == date(2026, 5, 19)
    assert resumed.after.paused == ()


def test_an_objection_resolved_to_forliksraadet_or_closed() -> None:
    demand = replace(
        registered(date(2026, 1, 5)),
        status="demand_sent",
        demand_sent_on=date(2026, 2, 2),
        deadline=date(2026, 2, 16),
        next_step_on=date(2026, 2, 17),
    )
    disputed = apply(demand, RegisterObjection(), date(2026, 2, 10), RULES).after
    with pytest.raises(IllegalTransition, match="forliksråd"):
        apply(disputed, TakeLegalStep("utlegg"), date(2026, 3, 2), RULES)
    legal = apply(disputed, ResolveObjection("legal"), date(2026, 3, 2), RULES)
    assert legal.step == "legal_step_forliksklage"
    assert legal.after.status == "legal"
    assert legal.interrupts_limitation == "forliksklage"
    closed = apply(disputed, ResolveObjection("closed"), date(2026, 3, 2), RULES)
    assert closed.step == "closed_withdrawn"
    assert closed.after.closed_reason == "withdrawn"
    assert closed.closed


def test_an_objection_before_any_betalingsoppfordring_cannot_go_to_court() -> None:
    notice = advance(registered(date(2026, 3, 19)), date(2026, 3, 19), RULES)
    assert notice is not None
    disputed = apply(notice.after, RegisterObjection(), date(2026, 3, 20), RULES).after
    with pytest.raises(IllegalTransition, match="after a betalingsoppfordring"):
        apply(disputed, ResolveObjection("legal"), date(2026, 3, 23), RULES)


def plan(*items: tuple[date, int]) -> AgreePaymentPlan:
    return AgreePaymentPlan(tuple(Instalment(d, a) for d, a in items))


def test_a_payment_plan_pauses_and_resumes_on_breach() -> None:
    state = replace(
        registered(date(2026, 1, 5)),
        status="demand_sent",
        demand_sent_on=date(2026, 2, 2),
        deadline=date(2026, 2, 16),
        next_step_on=date(2026, 2, 17),
    )
    agreed = apply(
        state,
        plan((date(2026, 2, 20), 50_000), (date(2026, 3, 20), 50_000)),
        date(2026, 2, 12),
        RULES,
    )
    assert agreed.step == "payment_plan_agreed"
    assert agreed.interrupts_limitation == "acknowledgement"
    assert agreed.after.status == "payment_plan"
    assert agreed.after.deadline == date(2026, 2, 20)
    assert agreed.after.next_step_on == date(2026, 4, 3)  # 14 days after the last instalment
    assert advance(agreed.after, date(2026, 3, 1), RULES) is None

    breached = apply(agreed.after, BreachPaymentPlan(), date(2026, 3, 2), RULES)
    assert breached.to_status == "demand_sent"
    assert breached.after.next_step_on == date(2026, 3, 2)  # the old deadline ran out: due now
    decision = advance(breached.after, date(2026, 3, 2), RULES)
    assert decision is not None
    assert decision.after.attention == "legal_decision"

    review = advance(agreed.after, date(2026, 4, 3), RULES)
    assert review is not None
    assert review.after.attention == "payment_plan_ended"
    assert review.next.action == "review_payment_plan"


def test_an_objection_during_a_payment_plan_resumes_the_plan() -> None:
    notice = advance(registered(date(2026, 3, 19)), date(2026, 3, 19), RULES)
    assert notice is not None
    agreed = apply(notice.after, plan((date(2026, 4, 20), 10_000)), date(2026, 3, 20), RULES)
    disputed = apply(agreed.after, RegisterObjection(), date(2026, 3, 25), RULES)
    assert len(disputed.after.paused) == 2
    resumed = apply(disputed.after, ResolveObjection("resumed"), date(2026, 3, 30), RULES)
    assert resumed.after.status == "payment_plan"
    assert resumed.after.next_step_on == agreed.after.next_step_on
    breached = apply(resumed.after, BreachPaymentPlan(), date(2026, 4, 22), RULES)
    assert breached.after.status == "notice_sent"
    assert breached.after.next_step_on == date(2026, 4, 22)
    assert breached.after.paused == ()


def test_a_bad_payment_plan_names_every_field() -> None:
    state = registered(date(2026, 3, 19))
    with pytest.raises(InvalidAction) as bad:
        apply(
            state,
            plan((date(2026, 3, 1), 100), (date(2026, 2, 1), 0)),
            date(2026, 3, 19),
            RULES,
        )
    assert bad.value.status == 422
    assert {e["field"] for e in bad.value.errors} == {
        "instalments[0].due_date",
        "instalments[1].due_date",
        "instalments[1].amount_ore",
    }
    with pytest.raises(InvalidAction):
        apply(state, AgreePaymentPlan(()), date(2026, 3, 19), RULES)


def test_closed_is_terminal() -> None:
    closed = apply(registered(date(2026, 3, 19)), Close("uncollectible"), date(2026, 3, 19), RULES)
    assert closed.step == "closed_uncollectible"
    state = closed.after
    for action in (
        SendInkassovarsel(),
        SendBetalingsoppfordring(),
        RegisterObjection(),
        ResolveObjection("resumed"),
        plan((date(2026, 4, 1), 1)),
        BreachPaymentPlan(),
        TakeLegalStep("utlegg"),
        Close("paid"),
    ):
        with pytest.raises(IllegalTransition, match="closed \\(uncollectible\\)"):
            apply(state, action, date(2026, 3, 20), RULES)
    assert advance(state, date(2030, 1, 1), RULES) is None
    assert wf.available_actions(state, date(2026, 3, 20), RULES) == []
    assert wf.next_step(state, date(2026, 3, 20), RULES).action == "none"


def test_no_letter_on_a_time_barred_claim() -> None:
    state = registered(date(2026, 3, 19), limitation_date=date(2026, 3, 19))
    with pytest.raises(TimeBarred, match="time-barred"):
        apply(state, SendInkassovarsel(), date(2026, 3, 19), RULES)
    stopped = advance(state, date(2026, 3, 19), RULES)
    assert stopped is not None
    assert stopped.kind == "attention"
    assert stopped.step == "letters_stopped_time_barred"
    assert stopped.after.next_step_on is None
    assert wf.needs_attention(stopped.after, date(2026, 3, 19), RULES) == "time_barred"
    assert stopped.next.action == "review_time_barred"


def test_attention_puts_the_most_urgent_reason_first() -> None:
    today = date(2026, 6, 1)
    state = replace(registered(today), attention="legal_decision", status="demand_sent")
    assert wf.needs_attention(state, today, RULES) == "legal_decision"
    in_80 = replace(state, limitation_date=today + timedelta(days=80))
    assert wf.needs_attention(in_80, today, RULES) == "legal_decision"
    assert wf.needs_attention(replace(in_80, attention=None), today, RULES) == "limitation_90d"
    in_20 = replace(state, limitation_date=today + timedelta(days=20))
    assert wf.needs_attention(in_20, today, RULES) == "limitation_30d"
    assert wf.needs_attention(replace(state, limitation_date=today), today, RULES) == (
        "time_barred"
    )
    closed = replace(in_20, status="closed", closed_reason="paid", attention=None)
    assert wf.needs_attention(closed, today, RULES) is None


def test_payment_remarks_differ_for_persons_and_businesses() -> None:
    state = replace(
        registered(date(2026, 1, 5)),
        status="demand_sent",
        demand_sent_on=date(2026, 2, 2),
        deadline=date(2026, 2, 16),
    )
    assert wf.payment_remark_from(state, RULES) is None  # a person: after a legal step
    business = replace(state, debtor_kind="business")
    assert wf.payment_remark_from(business, RULES) == date(2026, 3, 4)
    legal = apply(state, TakeLegalStep("forliksklage"), date(2026, 3, 2), RULES).after
    assert wf.payment_remark_from(legal, RULES) == date(2026, 4, 1)
    disputed = apply(business, RegisterObjection(), date(2026, 2, 3), RULES).after
    assert wf.payment_remark_from(disputed, RULES) is None  # never on a disputed claim


def test_illegal_transitions_say_why() -> None:
    state = registered(date(2026, 3, 19))
    with pytest.raises(IllegalTransition, match=r"registered \(no letter sent yet\)") as exc:
        apply(state, TakeLegalStep("forliksklage"), date(2026, 3, 19), RULES)
    assert "betalingsoppfordring" in exc.value.detail
    with pytest.raises(IllegalTransition, match="There is no avdragsordning running"):
        apply(state, BreachPaymentPlan(), date(2026, 3, 19), RULES)
    with pytest.raises(IllegalTransition, match="There is no open objection"):
        apply(state, ResolveObjection("closed"), date(2026, 3, 19), RULES)
    notice = apply(state, SendInkassovarsel(), date(2026, 3, 19), RULES).after
    with pytest.raises(IllegalTransition, match="may be sent from 2026-04-08"):
        apply(notice, SendBetalingsoppfordring(), date(2026, 4, 7), RULES)
    with pytest.raises(IllegalTransition, match="sent once"):
        apply(notice, SendInkassovarsel(), date(2026, 4, 7), RULES)


def test_available_actions() -> None:
    state = registered(date(2026, 3, 19))
    assert wf.available_actions(state, date(2026, 3, 19), RULES) == [
        "send_inkassovarsel",
        "register_objection",
        "payment_plan",
        "close",
    ]


def test_a_business_rule_set_without_rolling() -> None:
    rules = replace(RULES, roll_deadlines=False)
    sent = apply(registered(date(2026, 3, 19)), SendInkassovarsel(), date(2026, 3, 19), rules)
    assert sent.deadline == date(2026, 4, 2)  # skjærtorsdag, kept


def test_paused_frames_round_trip() -> None:
    frame = wf.Paused("notice_sent", date(2026, 4, 7), date(2026, 4, 8), None)
    assert wf.Paused.from_dict(frame.as_dict()) == frame


def test_a_payment_plan_ends_within_ten_years() -> None:
    with pytest.raises(InvalidAction) as bad:
        apply(
            registered(date(2026, 3, 19)),
            plan((date(2026, 4, 1), 100), (date(2036, 4, 1), 100)),
            date(2026, 3, 19),
            RULES,
        )
    assert bad.value.errors == [
        {"field": "instalments[1].due_date", "reason": "must be within ten years"}
    ]
