"""Reminders counted as events (inkassoforskriften § 1-3): golden examples worked by hand.

§ 1-3 allows fees for at most two reminders per claim (two purringer, or one purring and
an inkassovarsel); § 1-2: the varsel fee is 1/20 of the inkassosats (700) for claims due on
or after 1 Oct 2020, 1/10 before, and only on a letter sent at least 14 days after the due
date. When the creditor gives its reminders as events (date, fee), the count of reminders
that carried a fee decides, not the total divided by a fee (issue 13 point 3; ADR 0051;
docs/money-rules.md § 3).
"""

from __future__ import annotations

from datetime import date

import pytest
from ledger.domain.fees import CaseTerms, FeeKind, Reminder, Step, assess_fees

from .rate_fixtures import shipped_book

pytestmark = pytest.mark.unit

RATES = shipped_book()


def case(*claims: tuple[date, tuple[Reminder, ...] | None, int]) -> CaseTerms:
    """Claims of NOK 5 000 as ``(due, reminders as events or None, reminder fee total)``."""
    return CaseTerms(
        debtor_kind="person",
        principal_ore=500_000 * len(claims),
        latest_due_date=max(c[0] for c in claims),
        reminder_fees_ore=tuple(c[2] for c in claims),
        claim_due_dates=tuple(c[0] for c in claims),
        claim_principals_ore=tuple(500_000 for _ in claims),
        claim_reminders=tuple(c[1] for c in claims),
    )


def varsel_fee(terms: CaseTerms, on: date) -> int | None:
    charges = assess_fees(terms, [Step("inkassovarsel_sent", on)], RATES).charges
    return next((c.amount_ore for c in charges if c.key == FeeKind.INKASSOVARSEL), None)


def r(day: date, fee_nok: int) -> Reminder:
    return Reminder(day, fee_nok * 100)


OCT1 = date(2020, 10, 1)


def test_one_old_70_kr_purring_is_one_reminder_not_two() -> None:
    # due 1 Oct 2020 (the fee is 35), one purring of 70 on 20 Oct: one reminder fee, so the
    # varsel of 2 Nov may carry the second: 1/20 x 700 = 35.00. Inferred from the total
    # (70 >= 2 x 35) it would have been blocked.
    assert varsel_fee(case((OCT1, (r(date(2020, 10, 20), 70),), 7_000)), date(2020, 11, 2)) == 3_500
    assert varsel_fee(case((OCT1, None, 7_000)), date(2020, 11, 2)) is None


def test_two_purringer_with_a_fee_block_the_varsel_fee() -> None:
    sent = (r(date(2020, 10, 15), 35), r(date(2020, 10, 29), 35))
    assert varsel_fee(case((OCT1, sent, 7_000)), date(2020, 11, 12)) is None


def test_a_purring_without_a_fee_does_not_count() -> None:
    sent = (r(date(2020, 10, 15), 35), r(date(2020, 10, 29), 0))
    assert varsel_fee(case((OCT1, sent, 3_500)), date(2020, 11, 12)) == 3_500


def test_before_the_change_two_70_kr_purringer_are_two() -> None:
    # due 1 Sep 2020 (1/10: 70): two purringer of 70 → none
    sent = (r(date(2020, 9, 15), 70), r(date(2020, 9, 30), 70))
    assert varsel_fee(case((date(2020, 9, 1), sent, 14_000)), date(2020, 11, 2)) is None


def test_a_reminder_after_the_letter_does_not_count() -> None:
    # two purringer, the second dated after the varsel of 12 Nov: one before → fee 35
    sent = (r(date(2020, 10, 15), 35), r(date(2020, 11, 20), 35))
    assert varsel_fee(case((OCT1, sent, 7_000)), date(2020, 11, 12)) == 3_500


def test_per_claim_one_claim_with_room_is_enough() -> None:
    full = (r(date(2025, 2, 15), 35), r(date(2025, 3, 1), 35))
    one = (r(date(2025, 2, 15), 35),)
    feb1 = date(2025, 2, 1)
    assert varsel_fee(case((feb1, full, 7_000), (feb1, one, 3_500)), date(2025, 3, 17)) == 3_500
    assert varsel_fee(case((feb1, full, 7_000), (feb1, full, 7_000)), date(2025, 3, 17)) is None


def test_29_february_and_the_14_days() -> None:
    # due 29 Feb 2024, one purring of 35 on 10 Mar: varsel 14 Mar (day 14) → 35; 13 Mar → none
    sent = (r(date(2024, 3, 10), 35),)
    terms = case((date(2024, 2, 29), sent, 3_500))
    assert varsel_fee(terms, date(2024, 3, 14)) == 3_500
    assert varsel_fee(terms, date(2024, 3, 13)) is None


def test_no_reminders_given_as_an_empty_list_means_none_sent() -> None:
    assert varsel_fee(case((OCT1, (), 0)), date(2020, 10, 15)) == 3_500
