"""Standardkompensasjon (forsinkelsesrenteloven § 3a): golden examples worked by hand.

Sources: § 3a (40 euro, set in NOK for each half-year by forskrift: 370 from 1 Jul 2016,
forskrift id2505910 at regjeringen.no; 400 from 1 Jan 2020, boliginkasso.no; 430 from
1 Jul 2020, bsregnskap.no; 460 from 1 Jul 2023, ropo.no; 470 from 1 Jan 2024, regjeringen.no;
470 from 1 Jan 2025, FOR-2024-12-19-3279; no figure for 2021 H1 in the table, which starts
the 2021 rows on 1 Jul 2021); it comes off the creditor's claim for collection costs
(reknehuset.no: "kompensasjonsgebyret komme til fradrag i skyldnerens erstatningsplikt for
fordringshaverens utenrettslige inndrivingskostnader"; kontohjelp.no: "Dersom det tidligere
er krevet purregebyr, skal dette komme til fradrag i standardkompensasjonen"); once per
claim (CJEU C-585/20: the fixed sum is due for each late commercial transaction). Other
figures: inkassosats 700, fraction 1/20 (1/10 for claims due before 1 Oct 2020), lett
0.8 and tungt 1.6 x sats up to NOK 10 000 (0.25 / 0.5 up to NOK 500), x 1.5 for a business
debtor (docs/money-rules.md §§ 1, 2). ADR 0056; docs/money-rules.md § 8.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ledger.domain.fees import (
    COLLECTION_COST_KINDS,
    CaseTerms,
    FeeCharge,
    FeeKind,
    Step,
    assess_fees,
)

from .rate_fixtures import shipped_book

pytestmark = pytest.mark.unit

RATES = shipped_book()
SK = FeeKind.STANDARDKOMPENSASJON


def b2b(
    *dues: date,
    principal_nok: int = 10_000,
    reminders: tuple[int, ...] | None = None,
    claims: bool = True,
    kind: str = "business",
    interest_from: tuple[date, ...] = (),
    currency: str = "NOK",
) -> CaseTerms:
    return CaseTerms(
        debtor_kind=kind,  # type: ignore[arg-type]
        principal_ore=principal_nok * 100,
        latest_due_date=max(dues),
        reminder_fees_ore=reminders or tuple(0 for _ in dues),
        claim_due_dates=dues,
        claim_principals_ore=tuple(principal_nok * 100 // len(dues) for _ in dues),
        claim_ids=tuple(f"c{n}" for n in range(1, len(dues) + 1)),
        claim_interest_from=interest_from,
        claims_standardkompensasjon=claims,
        currency=currency,
    )


def fees(terms: CaseTerms, *steps: Step) -> dict[str, int]:
    return {c.key: c.amount_ore for c in assess_fees(terms, steps, RATES).charges}


def varsel(on: date) -> Step:
    return Step("inkassovarsel_sent", on)


@pytest.mark.parametrize(
    ("due", "sent", "expected_ore"),
    [
        # interest from 30 Jun 2020 (2020 H1): 400; the varsel fee 1/10 x 700 = 70 comes off it
        (date(2020, 6, 29), date(2020, 7, 20), 40_000),
        # interest from 1 Jul 2020 (2020 H2): 430
        (date(2020, 6, 30), date(2020, 7, 20), 43_000),
        # interest from 31 Dec 2023: 460; from 1 Jan 2024: 470
        (date(2023, 12, 30), date(2024, 1, 15), 46_000),
        (date(2023, 12, 31), date(2024, 1, 15), 47_000),
        # 29 Feb 2024: interest from 1 Mar 2024, 470
        (date(2024, 2, 29), date(2024, 3, 14), 47_000),
    ],
)
def test_the_figure_of_the_half_year_interest_starts_in(
    due: date, sent: date, expected_ore: int
) -> None:
    assert fees(b2b(due), varsel(sent)) == {f"{SK}:c1": expected_ore}


def test_the_varsel_fee_comes_off_the_compensation_not_on_top() -> None:
    # due 1 Mar 2025, varsel 17 Mar (16 days): fee 35 gross, SK 470 absorbs it; 470 in all
    charges = assess_fees(b2b(date(2025, 3, 1)), [varsel(date(2025, 3, 17))], RATES)
    assert {c.key: c.amount_ore for c in charges.charges} == {f"{SK}:c1": 47_000}


def test_the_compensation_comes_off_the_lett_salaer() -> None:
    # SK 470; varsel 35 → 0 (435 left); lett 0.8 x 700 x 1.5 = 840 → 840 - 435 = 405.
    # Debtor pays 470 + 405 = 875 = 35 + 840, the § 17 costs, never both.
    terms = b2b(date(2025, 3, 1))
    got = fees(
        terms, varsel(date(2025, 3, 17)), Step("betalingsoppfordring_sent", date(2025, 4, 1))
    )
    assert got == {f"{SK}:c1": 47_000, FeeKind.SALAER_LETT: 40_500}


def test_a_tungt_upgrade_is_over_the_gross_lett_and_takes_what_is_left() -> None:
    # NOK 500: SK 470; lett 0.25 x 700 x 1.5 = 262.50 → 0 (207.50 left); forliksklage on
    # 20 May 2025 (49 days after the BO): tungt 0.5 x 700 x 1.5 = 525, upgrade over the gross
    # lett 262.50, less 207.50 = 55.00. Collection costs 470 + 55 = 525 = tungt.
    # Court fee 1.1 x 1 314 = 1 445.40 → 1 445 (not a collection cost: not reduced).
    got = fees(
        b2b(date(2025, 3, 1), principal_nok=500),
        Step("betalingsoppfordring_sent", date(2025, 4, 1)),
        Step("legal_step_forliksklage", date(2025, 5, 20)),
    )
    assert got == {
        f"{SK}:c1": 47_000,
        FeeKind.SALAER_TUNGT: 5_500,
        "court_fee:legal_step_forliksklage:2025-05-20": 144_500,
    }


def test_once_per_claim_and_each_claim_of_a_merged_case() -> None:
    # two claims due 1 and 10 Mar 2025, varsel 25 Mar: 2 x 470; the step twice: still two
    terms = b2b(date(2025, 3, 1), date(2025, 3, 10))
    on = varsel(date(2025, 3, 25))
    assert fees(terms, on, on) == {f"{SK}:c1": 47_000, f"{SK}:c2": 47_000}


def test_a_claim_whose_interest_has_not_started_waits_for_a_later_step() -> None:
    # claim 2 due 20 Mar 2025: interest from 21 Mar, after the varsel of 17 Mar → not with
    # it; charged with the BO of 1 Apr (its effective date). Lett 840 less (940 - 35) = 0.
    terms = b2b(date(2025, 3, 1), date(2025, 3, 20))
    assert fees(terms, varsel(date(2025, 3, 17))) == {f"{SK}:c1": 47_000}
    both = assess_fees(
        terms,
        [varsel(date(2025, 3, 17)), Step("betalingsoppfordring_sent", date(2025, 4, 1))],
        RATES,
    )
    second = next(c for c in both.charges if c.key == f"{SK}:c2")
    assert (second.amount_ore, second.effective_date) == (47_000, date(2025, 4, 1))
    assert FeeKind.SALAER_LETT not in {c.key for c in both.charges}


def test_the_creditors_purregebyr_comes_off_the_compensation() -> None:
    # creditor's purring 35 on the claim: 470 - 35 = 435
    got = fees(b2b(date(2025, 3, 1), reminders=(3_500,)), varsel(date(2025, 3, 17)))
    assert got == {f"{SK}:c1": 43_500}


def test_no_figure_for_the_half_year_means_none_not_the_last_one() -> None:
    # due 15 Jan 2021: interest from 16 Jan 2021, 2021 H1 has no row; the 430 of 2020 H2 is
    # not carried forward. The varsel fee is charged in full: 1/20 x 700 = 35.
    outcome = assess_fees(b2b(date(2021, 1, 15)), [varsel(date(2021, 2, 1))], RATES)
    assert {c.key: c.amount_ore for c in outcome.charges} == {FeeKind.INKASSOVARSEL: 3_500}
    assert any("not carried forward" in n for n in outcome.notes)


def test_after_a_pakrav_the_day_interest_starts_decides() -> None:
    # påkrav 1 Jun 2020 (invoice date 1 Jun): interest after 1 Jul, from 2 Jul 2020 → 430;
    # by the invoice's date it would have been 400
    terms = b2b(date(2020, 6, 1), interest_from=(date(2020, 6, 1) + timedelta(days=30),))
    assert fees(terms, varsel(date(2020, 7, 20))) == {f"{SK}:c1": 43_000}


@pytest.mark.parametrize(
    "terms",
    [
        b2b(date(2025, 3, 1), kind="person"),
        b2b(date(2025, 3, 1), claims=False),
        b2b(date(2025, 3, 1), currency="EUR"),
    ],
    ids=["consumer", "creditor-does-not-claim", "not-NOK"],
)
def test_no_compensation_outside_b2b_nok_claims_the_creditor_makes(terms: CaseTerms) -> None:
    got = fees(terms, varsel(date(2025, 3, 17)))
    assert got == {FeeKind.INKASSOVARSEL: 3_500}


def test_no_compensation_on_a_time_barred_claim() -> None:
    terms = b2b(date(2025, 3, 1), date(2025, 3, 1))
    barred = CaseTerms(
        **{
            **{f: getattr(terms, f) for f in terms.__slots__},  # type: ignore[attr-defined]
            "claim_time_barred_on": (date(2025, 3, 10), None),
        }
    )
    assert fees(barred, varsel(date(2025, 3, 17))) == {f"{SK}:c2": 47_000}


@settings(max_examples=150, deadline=None)
@given(
    principal_nok=st.integers(100, 300_000),
    due=st.dates(date(2025, 1, 1), date(2025, 6, 20)),
    varsel_after=st.one_of(st.none(), st.integers(14, 40)),
    demand_after=st.one_of(st.none(), st.integers(20, 60)),
    legal_after=st.one_of(st.none(), st.integers(1, 90)),
    claims=st.integers(1, 3),
)
def test_the_debtor_pays_the_larger_of_the_compensation_and_the_collection_costs(
    principal_nok: int,
    due: date,
    varsel_after: int | None,
    demand_after: int | None,
    legal_after: int | None,
    claims: int,
) -> None:
    # § 3a: the compensation comes off the § 17 costs, so together they are the larger of
    # the two; court fees are apart. (Interest starts in 2025 H1: 470 per claim.)
    steps = []
    if varsel_after is not None:
        steps.append(varsel(due + timedelta(days=varsel_after)))
    if demand_after is not None:
        bo = due + timedelta(days=demand_after)
        steps.append(Step("betalingsoppfordring_sent", bo))
        if legal_after is not None:
            steps.append(Step("legal_step_forliksklage", bo + timedelta(days=legal_after)))
    if not steps:
        return
    dues = tuple(due for _ in range(claims))
    with_sk = assess_fees(b2b(*dues, principal_nok=principal_nok), steps, RATES).charges
    without = assess_fees(b2b(*dues, principal_nok=principal_nok, claims=False), steps, RATES)

    def collection(charges: tuple[FeeCharge, ...]) -> int:
        return sum(c.amount_ore for c in charges if c.kind in COLLECTION_COST_KINDS)

    compensation = sum(c.amount_ore for c in with_sk if c.kind == SK)
    assert compensation == 47_000 * claims
    assert compensation + collection(with_sk) == max(compensation, collection(without.charges))
    court = [c.amount_ore for c in with_sk if c.kind == FeeKind.COURT_FEE]
    assert court == [c.amount_ore for c in without.charges if c.kind == FeeKind.COURT_FEE]
