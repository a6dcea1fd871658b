"""Fees by the rules and rates in force on the step's date: golden examples with sources.

Sources (``shared/domain/README.md`` §§ 1.2, 1.3, 1.5): the inkassosats is 700 from 2017;
purregebyr / inkassovarsel fee 35 from 1 Oct 2020 (juridika: 1/20 of the inkassosats), 70
before; lett salær since 1 Oct 2020 by principal: ≤ 500: 175, ≤ 1 000: 245, ≤ 2 500: 280,
≤ 10 000: 560, ≤ 50 000: 1 120, ≤ 250 000: 2 520, above: 5 040; tungt double (sergel.no);
before: ≤ 2 500: 350, ≤ 10 000: 700, … (inkassoguiden); business debtors 1.5x (bahs.no);
+25 % MVA when the creditor cannot deduct VAT (sergel.no); forliksklage 1.1 R, utlegg
1.21 R since 2022, rounded down to whole kroner (Prop. 12 L (2021-2022), rettsgebyrloven
§ 6a); R = 1 314 in 2025 (kred.no). The transitions by the claim's due date, the court
fees before 2022 and the commission are in ``test_money_rules.py``.
"""

from __future__ import annotations

from datetime import date

import pytest
from ledger.domain.components import Component
from ledger.domain.fees import CaseTerms, FeeKind, Step, assess_fees, salaer
from ledger.domain.rates import RateBook, RateKind

from .rate_fixtures import row, shipped_book, shipped_rows

pytestmark = pytest.mark.unit

RATES = shipped_book()


def terms(
    principal_nok: int = 10_000,
    *,
    due: date = date(2025, 1, 15),
    kind: str = "person",
    reminders: tuple[int, ...] = (0,),
    vat_deductible: bool = True,
) -> CaseTerms:
    return CaseTerms(
        debtor_kind=kind,  # type: ignore[arg-type]
        principal_ore=principal_nok * 100,
        latest_due_date=due,
        reminder_fees_ore=reminders,
        vat_deductible=vat_deductible,
    )


def amounts(case: CaseTerms, *steps: Step, rates: RateBook = RATES) -> dict[str, int]:
    return {c.key: c.amount_ore for c in assess_fees(case, steps, rates).charges}


@pytest.mark.parametrize(
    ("principal_nok", "lett_nok"),
    [
        (500, 175),
        (501, 245),
        (1_000, 245),
        (2_500, 280),
        (10_000, 560),
        (10_001, 1_120),
        (50_000, 1_120),
        (250_000, 2_520),
        (250_001, 5_040),
    ],
)
def test_lett_salaer_by_bracket_since_october_2020(principal_nok: int, lett_nok: int) -> None:
    bo = Step("betalingsoppfordring_sent", date(2025, 3, 3))
    assert amounts(terms(principal_nok), bo) == {FeeKind.SALAER_LETT: lett_nok * 100}


def test_lett_salaer_before_october_2020_uses_the_old_table() -> None:
    bo = Step("betalingsoppfordring_sent", date(2020, 6, 1))
    assert amounts(terms(10_000, due=date(2020, 4, 1)), bo) == {FeeKind.SALAER_LETT: 70_000}
    assert amounts(terms(2_000, due=date(2020, 4, 1)), bo) == {FeeKind.SALAER_LETT: 35_000}


def test_business_debtors_pay_one_and_a_half_times_and_vat_is_added_when_not_deductible() -> None:
    bo = Step("betalingsoppfordring_sent", date(2025, 3, 3))
    assert amounts(terms(kind="business"), bo) == {FeeKind.SALAER_LETT: 84_000}
    assert amounts(terms(vat_deductible=False), bo) == {FeeKind.SALAER_LETT: 70_000}
    both = amounts(terms(kind="business", vat_deductible=False), bo)
    assert both == {FeeKind.SALAER_LETT: 105_000}  # 560 * 1.5 * 1.25


def test_the_salaer_records_the_rate_versions_it_used() -> None:
    charge = salaer(RateKind.SALAER_LETT, terms(), RATES, date(2025, 3, 3))
    by_id = {r.id: r for r in shipped_rows()}
    used = {
        (by_id[i].kind, by_id[i].parameter, str(by_id[i].effective_from)) for i in charge.rate_ids
    }
    assert used == {("salaer_lett", "10000", "2020-10-01"), ("inkassosats", "", "2025-01-01")}
    assert charge.component is Component.COLLECTION_FEES


def test_inkassovarsel_fee_needs_fourteen_days_after_the_due_date() -> None:
    due = date(2025, 2, 1)
    early = Step("inkassovarsel_sent", date(2025, 2, 14))
    on_time = Step("inkassovarsel_sent", date(2025, 2, 15))
    assert amounts(terms(due=due), early) == {}
    assert amounts(terms(due=due), on_time) == {FeeKind.INKASSOVARSEL: 3_500}
    old = Step("inkassovarsel_sent", date(2020, 6, 1))
    assert amounts(terms(due=date(2020, 4, 1)), old) == {FeeKind.INKASSOVARSEL: 7_000}


def test_no_inkassovarsel_fee_on_top_of_two_reminder_fees() -> None:
    step = Step("inkassovarsel_sent", date(2025, 3, 1))
    assert amounts(terms(reminders=(7_000,)), step) == {}
    assert amounts(terms(reminders=(3_500,)), step) == {FeeKind.INKASSOVARSEL: 3_500}


def test_court_fees_are_multiples_of_r_rounded_down_to_kroner() -> None:
    forlik = Step("legal_step_forliksklage", date(2025, 5, 5))
    utlegg = Step("legal_step_utlegg", date(2025, 6, 2))
    fees = amounts(terms(), forlik, utlegg)
    assert fees["court_fee:legal_step_forliksklage:2025-05-05"] == 144_500  # 1445.40
    assert fees["court_fee:legal_step_utlegg:2025-06-02"] == 158_900  # 1589.94


def test_tungt_salaer_after_more_than_42_days_from_the_demand() -> None:
    bo = Step("betalingsoppfordring_sent", date(2025, 3, 3))
    day_42 = Step("legal_step_forliksklage", date(2025, 4, 14))
    day_43 = Step("legal_step_forliksklage", date(2025, 4, 15))
    assert FeeKind.SALAER_TUNGT not in amounts(terms(), bo, day_42)
    assert amounts(terms(), bo, day_43)[FeeKind.SALAER_TUNGT] == 56_000  # 1 120 - 560


def test_the_assessment_does_not_depend_on_the_order_or_repetition_of_steps() -> None:
    steps = [
        Step("legal_step_utlegg", date(2025, 6, 2)),
        Step("inkassovarsel_sent", date(2025, 2, 1)),
        Step("betalingsoppfordring_sent", date(2025, 3, 3)),
        Step("objection_registered", date(2025, 3, 10)),
        Step("some_future_step", date(2025, 3, 11)),
    ]
    forward = amounts(terms(), *steps)
    assert forward == amounts(terms(), *reversed(steps), *steps)
    assert set(forward) == {
        FeeKind.INKASSOVARSEL,
        FeeKind.SALAER_LETT,
        FeeKind.SALAER_TUNGT,
        "court_fee:legal_step_utlegg:2025-06-02",
    }


def test_an_unconfirmed_rate_is_not_used_until_confirmed() -> None:
    bo = Step("betalingsoppfordring_sent", date(2026, 3, 2))
    assert amounts(terms(), bo) == {FeeKind.SALAER_LETT: 56_000}  # 0.8 * 700 (2025 carried)
    confirmed = shipped_book(row("inkassosats", date(2026, 1, 1), "750", id=9_999))
    assert amounts(terms(), bo, rates=confirmed) == {FeeKind.SALAER_LETT: 60_000}  # 0.8 * 750


def test_a_step_before_any_rate_is_noted_not_charged() -> None:
    # The court fee table starts in 2016 (before this test said 2022: no fee in 2021).
    assessment = assess_fees(
        terms(due=date(2015, 1, 1)), [Step("legal_step_forliksklage", date(2015, 6, 1))], RATES
    )
    assert assessment.charges == ()
    assert "rettsgebyr_multiple" in assessment.notes[0]


def test_a_claim_due_before_the_tables_start_gets_no_salaer_only_a_note() -> None:
    # The salær table is chosen by the due date; the table starts in 2016.
    assessment = assess_fees(
        terms(due=date(2015, 12, 31)), [Step("betalingsoppfordring_sent", date(2016, 3, 1))], RATES
    )
    assert assessment.charges == ()
    assert "salaer_lett" in assessment.notes[0]
