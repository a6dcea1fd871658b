"""Collection letters by hand: what the law requires is checked first and every refusal
has a code a page translates (issue 16 §5)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from cases.domain import workflow as wf
from cases.domain.rules import RuleSet
from cases.domain.workflow import (
    CaseState,
    IllegalTransition,
    SendBetalingsoppfordring,
    SendInkassovarsel,
    apply,
)

pytestmark = pytest.mark.unit

RULES = RuleSet(name="test-rules", effective_from=date(2020, 10, 1))
DAY = date(2026, 3, 19)


def _registered() -> CaseState:
    return CaseState(
        status="registered",
        debtor_kind="person",
        limitation_date=DAY + timedelta(days=3 * 365),
        next_step_on=DAY,
    )


def test_a_betalingsoppfordring_before_the_varsel_is_refused_with_its_code() -> None:
    with pytest.raises(IllegalTransition) as refused:
        apply(_registered(), SendBetalingsoppfordring(), DAY, RULES)
    assert refused.value.extensions == {"code": "varsel-not-sent", "case_status": "registered"}
    assert wf.letter_refusals(_registered(), DAY, RULES) == {
        "send_betalingsoppfordring": {"code": "varsel-not-sent", "case_status": "registered"}
    }


def test_the_varsels_fourteen_days_are_said_with_their_dates() -> None:
    sent = apply(_registered(), SendInkassovarsel(), DAY, RULES).after
    assert sent.deadline is not None
    assert sent.deadline - DAY >= timedelta(days=14)
    refusals = wf.letter_refusals(sent, DAY + timedelta(days=3), RULES)
    assert refusals["send_inkassovarsel"]["code"] == "varsel-already-sent"
    early = refusals["send_betalingsoppfordring"]
    assert early["code"] == "varsel-deadline-running"
    assert early["until"] == sent.deadline.isoformat()
    assert early["from"] == (sent.deadline + timedelta(days=1)).isoformat()
    later = sent.deadline + timedelta(days=1)
    assert "send_betalingsoppfordring" not in wf.letter_refusals(sent, later, RULES)


def test_a_time_barred_claim_and_a_closed_case_have_their_own_codes() -> None:
    barred = replace(_registered(), limitation_date=DAY)
    with pytest.raises(IllegalTransition) as refused:
        apply(barred, SendInkassovarsel(), DAY, RULES)
    assert refused.value.extensions == {"code": "time-barred", "limitation_date": "2026-03-19"}
    closed = replace(_registered(), status="closed", closed_reason="paid", next_step_on=None)
    with pytest.raises(IllegalTransition) as final:
        apply(closed, SendInkassovarsel(), DAY, RULES)
    assert final.value.code == "case-closed"
    assert wf.letter_refusals(closed, DAY, RULES) == {}
