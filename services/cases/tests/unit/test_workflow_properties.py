"""Property-based tests of the workflow: random action sequences over random dates."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from cases.domain import workflow as wf
from cases.domain.calendar import is_business_day
from cases.domain.rules import RuleSet
from cases.domain.workflow import (
    AgreePaymentPlan,
    BreachPaymentPlan,
    CaseState,
    Close,
    Instalment,
    RegisterObjection,
    ResolveObjection,
    SendBetalingsoppfordring,
    SendInkassovarsel,
    TakeLegalStep,
)
from hypothesis import event, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.unit

ROLLING = RuleSet(name="rolling", effective_from=date(2020, 10, 1))
PLAIN = replace(ROLLING, name="plain", roll_deadlines=False)

TICK = "tick"
"""Not an action: the scheduler's visit (:func:`wf.advance`)."""


@st.composite
def actions(draw: st.DrawFn) -> wf.Action | str:
    kind = draw(st.integers(min_value=0, max_value=9))
    if kind == 0:
        return SendInkassovarsel()
    if kind == 1:
        return SendBetalingsoppfordring()
    if kind == 2:
        return RegisterObjection()
    if kind == 3:
        return ResolveObjection(draw(st.sampled_from(["resumed", "closed", "legal"])))
    if kind == 4:
        gaps = draw(st.lists(st.integers(min_value=1, max_value=45), min_size=1, max_size=4))
        first = draw(st.integers(min_value=0, max_value=20))
        return ("plan", first, tuple(gaps))  # type: ignore[return-value]  # dated when applied
    if kind == 5:
        return BreachPaymentPlan()
    if kind == 6:
        return TakeLegalStep(draw(st.sampled_from(["forliksklage", "utlegg"])))
    if kind == 7:
        return Close(draw(st.sampled_from(["paid", "withdrawn", "uncollectible"])))
    return TICK


def dated(action: object, today: date) -> wf.Action | str:
    if isinstance(action, tuple):
        _, first, gaps = action
        due = today + timedelta(days=first)
        instalments = []
        for gap in gaps:
            instalments.append(Instalment(due, 10_000))
            due += timedelta(days=gap)
        return AgreePaymentPlan(tuple(instalments))
    return action  # type: ignore[return-value]


start_days = st.dates(min_value=date(2021, 1, 1), max_value=date(2035, 12, 31))
steps = st.lists(
    st.tuples(st.integers(min_value=0, max_value=40), actions()), min_size=1, max_size=40
)


def check_transition(t: wf.Transition, rules: RuleSet) -> None:
    after = t.after
    assert wf.is_consistent(after), after
    if t.step in ("inkassovarsel_sent", "betalingsoppfordring_sent"):
        assert t.deadline is not None
        assert t.deadline >= t.effective_date + timedelta(days=14)
        if rules.roll_deadlines:
            assert is_business_day(t.deadline)
        else:
            assert t.deadline == t.effective_date + timedelta(days=14)
        assert after.next_step_on == t.deadline + timedelta(days=1)
    if t.kind in ("attention", "timer") and t.step != "timer":
        assert t.from_status == t.to_status
    if after.next_step_on is not None:
        assert after.status not in ("disputed", "closed", "legal")
    if t.kind != "step":
        # what the scheduler did moves its next visit past today (or clears it)
        assert after.next_step_on is None or after.next_step_on > t.effective_date
        assert wf.advance(after, t.effective_date, rules) is None


@settings(max_examples=250, deadline=None)
@given(start_days, steps, st.sampled_from([ROLLING, PLAIN]), st.integers(0, 2000))
def test_random_sequences_never_reach_an_illegal_state(
    start: date, sequence: list, rules: RuleSet, limitation_in: int
) -> None:
    state = CaseState(
        status="registered",
        debtor_kind="person",
        limitation_date=start + timedelta(days=limitation_in),
        next_step_on=start,
    )
    today = start
    for days_later, raw in sequence:
        today += timedelta(days=days_later)
        action = dated(raw, today)
        before = state
        if action == TICK:
            transition = wf.advance(state, today, rules)
            if before.status in ("disputed", "closed"):
                assert transition is None  # no timer runs in a paused or closed case
            if transition is None:
                continue
        else:
            name = probe_name(action)
            available = wf.available_actions(state, today, rules)
            try:
                transition = wf.apply(state, action, today, rules)  # type: ignore[arg-type]
            except wf.IllegalTransition as refused:
                reason = (refused.status, bool(refused.detail))
                assert reason == (409, True)
                assert name is None or name not in available
                continue
            except wf.InvalidAction:
                continue
            assert before.status != "closed", "closed is terminal"
            assert name is None or name in available
        assert transition.before == before
        check_transition(transition, rules)
        state = transition.after
        event(f"reached {state.status} (paused {len(state.paused)})")
        if transition.kind == "step" and transition.step != "collection_resumed":
            assert transition.next == wf.next_step(state, today, rules)


def probe_name(action: object) -> str | None:
    """The name :func:`wf.available_actions` gives ``action`` (if it decides the same way)."""
    match action:
        case SendInkassovarsel():
            return "send_inkassovarsel"
        case SendBetalingsoppfordring():
            return "send_betalingsoppfordring"
        case RegisterObjection():
            return "register_objection"
        case ResolveObjection(outcome="resumed"):
            return "resolve_objection"
        case AgreePaymentPlan():
            return "payment_plan"
        case BreachPaymentPlan():
            return "breach_payment_plan"
        case TakeLegalStep(step=step):
            return f"legal_step_{step}"
        case Close():
            return "close"
    return None


@settings(max_examples=300, deadline=None)
@given(start_days, steps)
def test_closed_is_terminal(start: date, sequence: list) -> None:
    state = CaseState(
        status="closed",
        debtor_kind="business",
        limitation_date=start,
        closed_reason="paid",
    )
    today = start
    for days_later, raw in sequence:
        today += timedelta(days=days_later)
        action = dated(raw, today)
        if action == TICK:
            assert wf.advance(state, today, ROLLING) is None
            continue
        with pytest.raises(wf.IllegalTransition):
            wf.apply(state, action, today, ROLLING)  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(start_days, st.integers(0, 3), st.lists(st.integers(0, 400), min_size=1, max_size=10))
def test_a_dispute_stops_every_timer(start: date, how_far: int, visits: list[int]) -> None:
    """From any open state, an objection leaves nothing for the scheduler until resolved."""
    state = CaseState(
        status="registered",
        debtor_kind="person",
        limitation_date=start + timedelta(days=5000),
        next_step_on=start,
    )
    today = start
    for _ in range(how_far):  # walk some steps down the scheduler's path first
        t = wf.advance(state, today, ROLLING)
        if t is not None:
            state = t.after
        today = state.next_step_on or today
    disputed = wf.apply(state, RegisterObjection(), today, ROLLING).after
    assert disputed.next_step_on is None
    for offset in visits:
        assert wf.advance(disputed, today + timedelta(days=offset), ROLLING) is None
    resumed = wf.apply(disputed, ResolveObjection("resumed"), today, ROLLING).after
    assert resumed.status == state.status
    assert wf.is_consistent(resumed)
