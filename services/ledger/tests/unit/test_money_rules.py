"""Golden examples of ``docs/money-rules.md``, worked by hand from the law and the rates.

Every expected figure below is worked in its comment from the sources, never taken from
the code: inkassosats 670 (2016), 700 (2017-2025), R by year (``shared/domain/rates.csv``);
the purregebyr fraction 1/10 for claims due up to 30 Sep 2020 and 1/20 from 1 Oct 2020
(inkassoforskriften § 1-2, juridika.no; the transition by due date: sergel.no, README §0.1);
the salær tables (README §1.2); court fee multiples (rettsgebyrloven §§ 7, 14, 16; Prop. 34 L
(2020-2021), Prop. 12 L (2021-2022)), rounded down to whole kroner (§ 6 a); commission
rounded once per kind and settlement (issue 13 point 9).
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ledger.adapters.rate_files import read_seed_rates, read_selection_rules
from ledger.domain.components import Component
from ledger.domain.fees import CaseTerms, FeeKind, Step, assess_fees
from ledger.domain.money import round_ore
from ledger.domain.rates import (
    RateBook,
    RateFileError,
    SelectionRule,
    VersionSelection,
    parse_selection_csv,
)
from ledger.domain.settlement import Collected, apportion, draft_settlement

from .rate_fixtures import row, shipped_book, shipped_rows

pytestmark = pytest.mark.unit

RATES = shipped_book()
WITH_750 = shipped_book(row("inkassosats", date(2026, 1, 1), "750", id=9_999))
"""The 2026 inkassosats (unconfirmed in the research) as if an administrator confirmed it."""


def case(due: date, principal_nok: int = 10_000, *, reminders: tuple[int, ...] = (0,)) -> CaseTerms:
    return CaseTerms(
        debtor_kind="person",
        principal_ore=principal_nok * 100,
        latest_due_date=due,
        reminder_fees_ore=reminders,
    )


def fees(terms: CaseTerms, *steps: Step, rates: RateBook = RATES) -> dict[str, int]:
    return {c.key: c.amount_ore for c in assess_fees(terms, steps, rates).charges}


def varsel(on: date) -> Step:
    return Step("inkassovarsel_sent", on)


def demand(on: date) -> Step:
    return Step("betalingsoppfordring_sent", on)


# -- 1 and 2: the purregebyr, by the claim's due date, following the inkassosats ----------


@pytest.mark.parametrize(
    ("due", "sent", "rates", "fee_ore"),
    [
        # due the day before the change: 1/10 x 700 = 70.00 (by the letter's date: 35)
        (date(2020, 9, 30), date(2020, 11, 2), RATES, 7_000),
        # due on the day of the change, sent on day 14: 1/20 x 700 = 35.00
        (date(2020, 10, 1), date(2020, 10, 15), RATES, 3_500),
        # due on a leap day, sent 14 days later (14 March): 1/20 x 700 = 35.00
        (date(2024, 2, 29), date(2024, 3, 14), RATES, 3_500),
        # 2016: 1/10 x 670 = 67.00, the published purregebyr of 2016 (faktura.no)
        (date(2016, 3, 1), date(2016, 4, 1), RATES, 6_700),
        # a confirmed inkassosats of 750 moves the fee: 1/20 x 750 = 37.50 (not 38)
        (date(2026, 1, 15), date(2026, 2, 2), WITH_750, 3_750),
        # 750 not confirmed: the fee stays on the 700 carried forward, 35.00
        (date(2026, 1, 15), date(2026, 2, 2), RATES, 3_500),
        # an old claim, a letter under a new sats: 1/10 (due date) x 750 (letter) = 75.00
        (date(2020, 9, 30), date(2026, 2, 2), WITH_750, 7_500),
    ],
)
def test_the_varsel_fee_is_the_due_dates_fraction_of_the_letters_inkassosats(
    due: date, sent: date, rates: RateBook, fee_ore: int
) -> None:
    assert fees(case(due), varsel(sent), rates=rates) == {FeeKind.INKASSOVARSEL: fee_ore}


@pytest.mark.parametrize(
    ("due", "sent"),
    [
        (date(2020, 10, 1), date(2020, 10, 14)),  # day 13
        (date(2024, 2, 29), date(2024, 3, 13)),  # day 13 after a leap day
    ],
)
def test_no_varsel_fee_less_than_14_days_after_the_due_date(due: date, sent: date) -> None:
    assert fees(case(due), varsel(sent)) == {}


def test_a_varsel_fee_is_never_rounded_up() -> None:
    # an inkassosats with øre (none has had one; the regulation allows "et beløp lik"):
    # 1/20 x 733.33 = 36.6665 → 36.66, never 36.67
    odd = shipped_book(row("inkassosats", date(2026, 1, 1), "733.33", id=9_998))
    assert fees(case(date(2026, 1, 15)), varsel(date(2026, 2, 2)), rates=odd) == {
        FeeKind.INKASSOVARSEL: 3_666
    }


def test_the_fraction_agrees_with_every_published_purregebyr() -> None:
    """Cross-check of two sources: the published purregebyr of each year (rates.csv, one
    source per row) equals the fraction x that year's inkassosats, for a claim due and a
    letter sent in that year (after 1 Oct 2020 for the 2020 row)."""
    published = {
        r.effective_from: int(r.value * 100)
        for r in read_seed_rates()
        if r.kind == "purregebyr" and r.status == "confirmed"
    }
    assert len(published) == 11
    for effective_from, fee_ore in published.items():
        terms = case(effective_from)
        sent = date(effective_from.year, 11, 1)
        assert fees(terms, varsel(sent)) == {FeeKind.INKASSOVARSEL: fee_ore}, effective_from


def test_one_old_70_kr_purring_does_not_block_the_varsel_fee() -> None:
    # claim due 1 Sep 2020 with one purring of 70 (1/10 x 700): a purring and an inkassovarsel
    # are allowed (§ 1-3); the varsel fee is 1/10 x 700 = 70.00, so 70 is one fee, not two
    one_old = case(date(2020, 9, 1), reminders=(7_000,))
    assert fees(one_old, varsel(date(2020, 11, 2))) == {FeeKind.INKASSOVARSEL: 7_000}
    # two purringer of 35 on a claim due after the change: 70 is two fees, no varsel fee
    two_new = case(date(2020, 10, 1), reminders=(7_000,))
    assert fees(two_new, varsel(date(2020, 11, 2))) == {}


def test_two_reminder_fees_are_measured_by_each_claims_own_due_date() -> None:
    # merged: an old claim with one 70 purring (due 1 Sep 2020: one 1/10 fee) and a new one
    # with two 35 purringer (due 5 Oct 2020: two 1/20 fees); not every claim carries two
    # fees, so the varsel fee (the latest due date's: 1/20 x 700 = 35.00) is charged
    merged = CaseTerms(
        debtor_kind="person",
        principal_ore=1_000_000,
        latest_due_date=date(2020, 10, 5),
        reminder_fees_ore=(7_000, 7_000),
        claim_due_dates=(date(2020, 9, 1), date(2020, 10, 5)),
    )
    assert fees(merged, varsel(date(2020, 11, 2))) == {FeeKind.INKASSOVARSEL: 3_500}
    # both old with two 70 purringer each (140): both carry two fees, no varsel fee
    both_full = CaseTerms(
        debtor_kind="person",
        principal_ore=1_000_000,
        latest_due_date=date(2020, 9, 15),
        reminder_fees_ore=(14_000, 14_000),
        claim_due_dates=(date(2020, 9, 1), date(2020, 9, 15)),
    )
    assert fees(both_full, varsel(date(2020, 11, 2))) == {}


def test_a_merged_case_takes_the_rules_of_its_latest_due_date() -> None:
    # claims due 15 Sep and 5 Oct 2020: the latest (5 Oct) is under the new rules
    terms = case(date(2020, 10, 5))
    assert fees(terms, varsel(date(2020, 11, 2))) == {FeeKind.INKASSOVARSEL: 3_500}
    assert fees(terms, demand(date(2021, 3, 1))) == {FeeKind.SALAER_LETT: 56_000}


# -- 1: the salær tables by the claim's due date -----------------------------------------


@pytest.mark.parametrize(
    ("due", "principal_nok", "lett_ore"),
    [
        (date(2020, 9, 30), 10_000, 70_000),  # old table: ≤ 10 000 → 1 x 700 = 700.00
        (date(2020, 10, 1), 10_000, 56_000),  # new table: ≤ 10 000 → 0.8 x 700 = 560.00
        (date(2020, 9, 30), 500, 35_000),  # old: ≤ 2 500 → 0.5 x 700 = 350.00
        (date(2020, 10, 1), 500, 17_500),  # new: ≤ 500 → 0.25 x 700 = 175.00
        (date(2020, 2, 29), 250_001, 560_000),  # old: over 250 000 → 8 x 700 = 5 600.00
    ],
)
def test_the_lett_table_is_the_claims_due_dates_not_the_demands(
    due: date, principal_nok: int, lett_ore: int
) -> None:
    assert fees(case(due, principal_nok), demand(date(2021, 3, 1))) == {
        FeeKind.SALAER_LETT: lett_ore
    }


@pytest.mark.parametrize(
    ("due", "upgrade_ore"),
    [
        (date(2020, 9, 30), 70_000),  # old: tungt 2 x 700 = 1 400 - lett 700 = 700.00
        (date(2020, 10, 1), 56_000),  # new: tungt 1.6 x 700 = 1 120 - lett 560 = 560.00
    ],
)
def test_the_tungt_table_is_the_claims_due_dates(due: date, upgrade_ore: int) -> None:
    # BO 2 Nov 2020; forliksklage 15 Dec 2020 is day 43 after it (more than 42)
    charged = fees(
        case(due), demand(date(2020, 11, 2)), Step("legal_step_forliksklage", date(2020, 12, 15))
    )
    assert charged[FeeKind.SALAER_TUNGT] == upgrade_ore
    # the court fee of 2020: 1.15 x R 1 172 = 1 347.80 → 1 347 (rounded down)
    assert charged["court_fee:legal_step_forliksklage:2020-12-15"] == 134_700


# -- 6: court fees back to 2016 ----------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "on", "fee_ore"),
    [
        ("legal_step_forliksklage", date(2021, 12, 31), 137_800),  # 1.15 x 1 199 = 1 378.85
        ("legal_step_forliksklage", date(2022, 1, 1), 134_500),  # 1.1 x 1 223 = 1 345.30
        ("legal_step_forliksklage", date(2018, 12, 31), 113_000),  # 1 x 1 130
        ("legal_step_forliksklage", date(2019, 1, 1), 132_200),  # 1.15 x 1 150 = 1 322.50
        ("legal_step_forliksklage", date(2024, 5, 2), 140_400),  # 1.1 x 1 277 = 1 404.70
        ("legal_step_utlegg", date(2020, 12, 31), 199_200),  # 1.7 x 1 172 = 1 992.40
        ("legal_step_utlegg", date(2021, 1, 1), 149_800),  # 1.25 x 1 199 = 1 498.75
        ("legal_step_utlegg", date(2016, 2, 29), 174_200),  # 1.7 x 1 025 = 1 742.50
        ("legal_step_konkurs", date(2021, 6, 1), 2_997_500),  # 25 x 1 199 = 29 975
        ("legal_step_konkurs", date(2022, 1, 3), 532_000),  # 4.35 x 1 223 = 5 320.05
    ],
)
def test_court_fees_by_the_steps_date_rounded_down(step: str, on: date, fee_ore: int) -> None:
    assert fees(case(date(2015, 6, 1)), Step(step, on)) == {
        f"court_fee:{step}:{on.isoformat()}": fee_ore
    }


@pytest.mark.parametrize(
    ("step", "on"),
    [
        ("legal_step_tvangsdekning", date(2021, 6, 1)),  # before 2022: unconfirmed
        ("legal_step_forliksklage", date(2015, 12, 1)),  # before the table starts
    ],
)
def test_a_court_fee_without_a_confirmed_multiple_is_noted(step: str, on: date) -> None:
    assessment = assess_fees(case(date(2015, 6, 1)), [Step(step, on)], RATES)
    assert assessment.charges == ()
    assert step in assessment.notes[0]


# -- 9: commission rounded once per kind and settlement ----------------------------------


def settle(*amounts: dict[Component, int], percent: str = "10") -> list[int]:
    collected = [
        Collected(n, uuid.uuid4(), uuid.uuid4(), date(2025, 3, n + 1), a)
        for n, a in enumerate(amounts)
    ]
    draft = draft_settlement(uuid.uuid4(), date(2025, 3, 31), collected, [], Decimal(percent))
    assert draft is not None
    return [line.commission_ore for line in draft.lines]


P, R = Component.PRINCIPAL, Component.INTEREST


def test_commission_is_rounded_once_per_kind_not_per_line() -> None:
    # 10 % x (3.33 x 3) = 0.999 → 1.00 (per line: 0.33 x 3 = 0.99); largest remainder
    assert settle({P: 333}, {P: 333}, {P: 333}) == [34, 33, 33]
    # 10 % x 0.10 = 0.01 (per line: 0.005 → 0.01 twice = 0.02)
    assert settle({P: 5}, {P: 5}) == [1, 0]


def test_commission_kinds_are_rounded_apart() -> None:
    # principal 10 % x 1 500.00 = 150.00; interest 10 % x 20.01 = 2.001 → 2.00
    assert settle({P: 100_000, R: 2_001}, {P: 50_000}) == [10_200, 5_000]
    # interest 0.05 and 0.05 → 10 % x 0.10 = 0.01; principal 0.05 → 0.005 → 0.01
    assert sum(settle({P: 5, R: 5}, {R: 5})) == 2


def test_a_reversal_nets_before_the_rounding() -> None:
    # 10 % x (0.14 - 0.06) = 0.008 → 0.01 (per line: 0.01 - 0.01 = 0)
    assert settle({P: 14}, {P: -6}) == [2, -1]


@settings(max_examples=200, deadline=None)
@given(
    amounts=st.lists(st.integers(min_value=-10_000_000, max_value=10_000_000), max_size=40),
    percent=st.decimals(min_value=0, max_value=100, places=4),
)
def test_apportioned_commission_adds_up_to_the_total_rounded_once(
    amounts: list[int], percent: Decimal
) -> None:
    rate = Fraction(percent) / 100
    exact = [rate * a for a in amounts]
    shares = apportion(exact)
    assert sum(shares) == round_ore(sum(exact, Fraction(0)))
    assert all(abs(share - x) < 1 for share, x in zip(shares, exact, strict=True))


def test_a_new_laws_transition_by_the_letters_date_is_one_configuration_row() -> None:
    # a made-up new table from 2027 that applies to letters sent from 2027 whatever the due
    # date (as a new inkassolov might say): lett <= 10 000 -> 0.5 x 700 = 350.00
    rules = [*read_selection_rules(), SelectionRule("salaer_lett", date(2027, 1, 1), "step_date")]
    table = [
        row("salaer_lett", date(2027, 1, 1), "0.5", id=20_000 + n, parameter=p)
        for n, p in enumerate(("10000", "over"))
    ]
    rates = RateBook([*shipped_rows(), *table], VersionSelection(rules))
    old_claim = case(date(2020, 9, 30))
    assert fees(old_claim, demand(date(2027, 2, 1)), rates=rates) == {FeeKind.SALAER_LETT: 35_000}
    # a letter of 2026 on the same claim: the old table by its due date, 1 x 700 = 700.00
    assert fees(old_claim, demand(date(2026, 6, 1)), rates=rates) == {FeeKind.SALAER_LETT: 70_000}


def test_a_selection_file_with_an_unknown_date_is_refused() -> None:
    with pytest.raises(RateFileError, match="line 2: decided_by"):
        parse_selection_csv("kind,effective_from,decided_by,source_url\nmva,2016-01-01,today,\n")


# -- 7: no fee for a step on a time-barred claim (foreldelsesloven § 24; ADR 0050) ---------


def _merged(barred_on: tuple[date | None, date | None]) -> CaseTerms:
    """Two claims of one case: NOK 8 000 due 1 Oct 2020 and NOK 3 000 due 1 Mar 2021."""
    return CaseTerms(
        debtor_kind="person",
        principal_ore=1_100_000,
        latest_due_date=date(2021, 3, 1),
        reminder_fees_ore=(0, 0),
        claim_due_dates=(date(2020, 10, 1), date(2021, 3, 1)),
        claim_principals_ore=(800_000, 300_000),
        claim_time_barred_on=barred_on,
    )


def test_no_fee_for_a_step_on_a_time_barred_claim() -> None:
    # One claim due 1 Oct 2020: 1 Oct 2023 is a Sunday, so the last day is Monday 2 Oct
    # (foreldelsesloven § 29) and the ledger is told the first barred day, 3 Oct 2023.
    terms = replace(
        case(date(2020, 10, 1)),
        claim_due_dates=(date(2020, 10, 1),),
        claim_principals_ore=(1_000_000,),
        claim_time_barred_on=(date(2023, 10, 3),),
    )
    # an inkassovarsel on the last day: 1/20 x 700 = 35.00
    assert fees(terms, varsel(date(2023, 10, 2))) == {FeeKind.INKASSOVARSEL: 3_500}
    # on the first barred day and after: nothing, and the assessment says why
    assert fees(terms, varsel(date(2023, 10, 3))) == {}
    assessment = assess_fees(terms, [demand(date(2023, 11, 1))], RATES)
    assert assessment.charges == ()
    assert "time-barred" in assessment.notes[0]


def test_the_salaer_of_a_merged_case_counts_only_the_claims_not_barred() -> None:
    # Both claims run: principal 11 000 -> new table (latest due 1 Mar 2021), bracket
    # up to 50 000: 1.6 x 700 = 1 120.00 (README §1.2 table; sergel.no)
    assert fees(_merged((None, None)), demand(date(2023, 10, 10))) == {FeeKind.SALAER_LETT: 112_000}
    # the older claim barred from 3 Oct 2023: only NOK 3 000 counts, bracket 2 501-10 000:
    # 0.8 x 700 = 560.00
    assert fees(_merged((date(2023, 10, 3), None)), demand(date(2023, 10, 10))) == {
        FeeKind.SALAER_LETT: 56_000
    }
    # a BO the day before the bar counts both claims
    assert fees(_merged((date(2023, 10, 3), None)), demand(date(2023, 10, 2))) == {
        FeeKind.SALAER_LETT: 112_000
    }
    # both barred: nothing
    assert fees(_merged((date(2023, 10, 3), date(2024, 3, 2))), demand(date(2024, 3, 4))) == {}


# -- 8: the varsel fee assessed per claim (ADR 0051) --------------------------------------


def _two_claims(old_due: date, fresh_due: date, reminders: tuple[int, int] = (0, 0)) -> CaseTerms:
    return CaseTerms(
        debtor_kind="person",
        principal_ore=1_000_000,
        latest_due_date=fresh_due,
        reminder_fees_ore=reminders,
        claim_due_dates=(old_due, fresh_due),
    )


def test_a_fresh_claim_does_not_block_the_varsel_fee_for_the_older_ones() -> None:
    # Merged: a claim due 1 Feb 2025 and a fresh one due 10 Mar 2025; varsel 17 Mar 2025.
    # The old claim is 44 days overdue (>= 14): it qualifies; the fresh one (7 days) does
    # not. Before: no fee (the latest due date was less than 14 days before). Now: one fee,
    # 1/20 x 700 = 35.00 (inkassoforskriften § 1-2).
    terms = _two_claims(date(2025, 2, 1), date(2025, 3, 10))
    assert fees(terms, varsel(date(2025, 3, 17))) == {FeeKind.INKASSOVARSEL: 3_500}
    # the fresh claim's day 14 (24 Mar) is not needed; the old claim's day 13 is too early:
    # due 1 Feb, sent 14 Feb (13 days) -> no claim qualifies
    early = _two_claims(date(2025, 2, 1), date(2025, 2, 10))
    assert fees(early, varsel(date(2025, 2, 14))) == {}
    # sent 15 Feb: the old claim's day 14 exactly -> 35.00
    assert fees(early, varsel(date(2025, 2, 15))) == {FeeKind.INKASSOVARSEL: 3_500}


def test_the_older_claim_with_two_fees_and_a_fresh_one_too_early_give_no_fee() -> None:
    # the old claim already carries two purringer of 35 (70 = two 1/20 fees, § 1-3); the
    # fresh one is 7 days overdue: nobody qualifies
    terms = _two_claims(date(2025, 2, 1), date(2025, 3, 10), reminders=(7_000, 0))
    assert fees(terms, varsel(date(2025, 3, 17))) == {}
    # a week later the fresh claim is 14 days overdue (24 March) and qualifies: 35.00
    assert fees(terms, varsel(date(2025, 3, 24))) == {FeeKind.INKASSOVARSEL: 3_500}


# -- 8: avdragsgebyr (inkassoforskriften § 2-4; README §1.2) ---------------------------------


def plan(on: date, instalments: int) -> Step:
    return Step("payment_plan_agreed", on, instalments)


@pytest.mark.parametrize(
    ("agreed", "instalments", "vat_deductible", "rates", "fee_ore"),
    [
        # five instalments (more than four): 1.5 x 700 = 1 050.00 (README §1.2: "1 050 NOK at
        # 700")
        (date(2025, 3, 1), 5, True, RATES, 105_000),
        # exactly four: none
        (date(2025, 3, 1), 4, True, RATES, None),
        # one: none
        (date(2025, 3, 1), 1, True, RATES, None),
        # the creditor cannot deduct VAT: 1 050 x 1.25 = 1 312.50
        (date(2025, 3, 1), 12, False, RATES, 131_250),
        # 2016, inkassosats 670: 1.5 x 670 = 1 005.00
        (date(2016, 2, 29), 6, True, RATES, 100_500),
        # a confirmed 2026 inkassosats of 750: 1.5 x 750 = 1 125.00
        (date(2026, 2, 2), 6, True, WITH_750, 112_500),
    ],
)
def test_avdragsgebyr_on_a_plan_of_more_than_four_instalments(
    agreed: date, instalments: int, vat_deductible: bool, rates: RateBook, fee_ore: int | None
) -> None:
    terms = replace(case(date(2025, 1, 15)), vat_deductible=vat_deductible)
    expected = {} if fee_ore is None else {FeeKind.AVDRAGSGEBYR: fee_ore}
    assert fees(terms, plan(agreed, instalments), rates=rates) == expected


def test_avdragsgebyr_once_per_case() -> None:
    # a plan of six, broken, then another of eight: one avdragsgebyr (the first), 1 050.00
    terms = case(date(2025, 1, 15))
    charged = fees(terms, plan(date(2025, 3, 1), 6), plan(date(2025, 6, 1), 8))
    assert charged == {FeeKind.AVDRAGSGEBYR: 105_000}
    # a plan of three, then one of five: the second carries it
    assert fees(terms, plan(date(2025, 3, 1), 3), plan(date(2025, 6, 1), 5)) == {
        FeeKind.AVDRAGSGEBYR: 105_000
    }
