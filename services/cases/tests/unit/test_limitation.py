"""Limitation (foreldelse): interruptions and warnings."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from cases.domain import limitation as lim
from cases.domain.rules import RuleSet
from hypothesis import given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.unit

RULES = RuleSet(name="test-rules", effective_from=date(2020, 10, 1))


# Golden examples, worked by hand from foreldelsesloven §§ 2, 3 nr. 1, 5 and 29 (ADR 0050):
# the last day is the day with the due date's number three (ten) years later, the month's
# last day when it has none (§ 29 nr. 1), moved past a Saturday, Sunday or public holiday
# to the next business day (§ 29 nr. 2); the claim is time-barred from the day after.
@pytest.mark.parametrize(
    ("due", "years", "last_day", "barred_from"),
    [
        # jusinfo.no's example (due 15 June 2011, "foreldet ved dagens slutt" on 15 June
        # 2014), with § 29 nr. 2: 15 June 2014 was a Sunday, so Monday 16 June
        (date(2011, 6, 15), 3, date(2014, 6, 16), date(2014, 6, 17)),
        # an ordinary weekday anniversary (Monday 19 March 2029)
        (date(2026, 3, 19), 3, date(2029, 3, 19), date(2029, 3, 20)),
        # 29 February: no 29 February 2027, so 28 February (a Sunday) -> Monday 1 March
        (date(2024, 2, 29), 3, date(2027, 3, 1), date(2027, 3, 2)),
        # 29 February to a Friday 28 February 2031: no roll
        (date(2028, 2, 29), 3, date(2031, 2, 28), date(2031, 3, 1)),
        # the day before 29 February: 28 February 2027 is a Sunday as well
        (date(2024, 2, 28), 3, date(2027, 3, 1), date(2027, 3, 2)),
        # the day after: 1 March 2027, a Monday
        (date(2024, 3, 1), 3, date(2027, 3, 1), date(2027, 3, 2)),
        # Christmas: 25 and 26 Dec 2025 (Thu, Fri) are holidays, then a weekend
        (date(2022, 12, 25), 3, date(2025, 12, 29), date(2025, 12, 30)),
        # a loan or gjeldsbrev (§ 5): ten years; 1 March 2026 is a Sunday
        (date(2016, 3, 1), 10, date(2026, 3, 2), date(2026, 3, 3)),
        # a Saturday anniversary (10 January 2026) -> Monday 12 January
        (date(2023, 1, 10), 3, date(2026, 1, 12), date(2026, 1, 13)),
    ],
)
def test_the_last_day_and_the_first_time_barred_day(
    due: date, years: int, last_day: date, barred_from: date
) -> None:
    assert lim.last_day(due, years) == last_day
    assert lim.limitation_date(due, years) == barred_from
    assert not lim.is_time_barred(barred_from, last_day)
    assert lim.is_time_barred(barred_from, barred_from)


def test_a_loan_gets_ten_years() -> None:
    assert lim.period_years(RULES, "ordinary") == 3
    assert lim.period_years(RULES, "loan") == 10
    # due 2 Jan 2025 (a Thursday), ten years: Tuesday 2 January 2035
    assert lim.limitation_date(date(2025, 1, 2), lim.period_years(RULES, "loan")) == date(
        2035, 1, 3
    )


@pytest.mark.parametrize(
    ("interruption", "expected"),
    [
        # a new period from 1 June 2026: 1 June 2029 is a Friday, barred from 2 June
        ("acknowledgement", date(2029, 6, 2)),
        ("part_payment", date(2029, 6, 2)),
        ("forliksklage", date(2029, 6, 2)),
        ("utlegg", date(2029, 6, 2)),
        # ten years after a judgment (§ 21 nr. 2): 1 June 2036 is første pinsedag (Easter
        # 2036 is 13 April), Monday 2 June andre pinsedag, so Tuesday 3 June is the last day
        ("judgment", date(2036, 6, 4)),
    ],
)
def test_an_interruption_starts_a_new_period_from_that_day(
    interruption: lim.Interruption, expected: date
) -> None:
    assert lim.after_interruption(date(2027, 1, 10), interruption, date(2026, 6, 1), RULES) == (
        expected
    )


def test_an_interruption_never_shortens_the_time_left() -> None:
    loan = lim.limitation_date(date(2025, 1, 1), RULES.limitation_years_loan)
    assert lim.after_interruption(loan, "acknowledgement", date(2026, 1, 1), RULES) == loan
    # ten years from 1 Jan 2026: 1 Jan 2036 is a holiday, so Thursday 2 Jan is the last day
    assert lim.after_interruption(
        loan, "acknowledgement", date(2026, 1, 1), RULES, claim_type="loan"
    ) == date(2036, 1, 3)


# Due 10 January 2023: the last day is Monday 12 January 2026 (10 January is a Saturday),
# time-barred from Tuesday 13 January 2026.
BARRED_FROM = date(2026, 1, 13)


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        # the day before the last day: three years from Sunday 11 Jan 2026 -> Thursday
        # 11 Jan 2029, barred from 12 Jan 2029
        (date(2026, 1, 11), date(2029, 1, 12)),
        # on the last day itself (§ 29 nr. 3: in time up to the end of the last day):
        # Friday 12 Jan 2029, barred from 13 Jan 2029
        (date(2026, 1, 12), date(2029, 1, 13)),
        # the day after: the claim is lost; nothing revives it
        (date(2026, 1, 13), BARRED_FROM),
        (date(2027, 6, 1), BARRED_FROM),
    ],
)
@pytest.mark.parametrize("interruption", ["acknowledgement", "part_payment", "judgment"])
def test_nothing_revives_a_time_barred_claim(
    on: date, expected: date, interruption: lim.Interruption
) -> None:
    assert lim.limitation_date(date(2023, 1, 10), 3) == BARRED_FROM
    got = lim.after_interruption(BARRED_FROM, interruption, on, RULES)
    if interruption == "judgment" and expected != BARRED_FROM:
        assert got == lim.limitation_date(on, 10)
    else:
        assert got == expected


@settings(deadline=None)  # no timing in tests
@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
    st.sampled_from([3, 10]),
)
def test_the_last_day_is_the_anniversary_or_the_next_business_days(due: date, years: int) -> None:
    last = lim.last_day(due, years)
    anniversary = lim.years_after(due, years)
    assert anniversary.year == due.year + years
    assert anniversary.day == due.day or (due.month, due.day) == (2, 29)
    assert 0 <= (last - anniversary).days <= 5  # at most a long Easter or Christmas
    assert last.weekday() < 5
    assert lim.limitation_date(due, years) == last + timedelta(days=1)


@settings(deadline=None)
@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)),
    st.integers(min_value=0, max_value=4000),
)
def test_an_interruption_after_the_claim_is_barred_changes_nothing(
    due: date, days_after_due: int
) -> None:
    barred = lim.limitation_date(due, 3)
    on = due + timedelta(days=days_after_due)
    after = lim.after_interruption(barred, "acknowledgement", on, RULES)
    if on >= barred:
        assert after == barred
    else:
        assert after == max(barred, lim.limitation_date(on, 3)) > on


def test_warning_levels_and_their_dates() -> None:
    ends = date(2026, 12, 31)
    assert lim.warning_level(ends, date(2026, 10, 1), RULES) is None
    assert lim.warning_level(ends, date(2026, 10, 2), RULES) == "90d"
    assert lim.warning_level(ends, date(2026, 12, 1), RULES) == "30d"
    assert lim.warning_level(ends, ends, RULES) == "expired"
    assert lim.next_check(ends, date(2026, 6, 1), RULES) == date(2026, 10, 2)
    assert lim.next_check(ends, date(2026, 10, 2), RULES) == date(2026, 12, 1)
    assert lim.next_check(ends, date(2026, 12, 1), RULES) == ends
    assert lim.next_check(ends, ends, RULES) is None


def test_new_warnings_only_rise() -> None:
    today = date(2026, 12, 5)
    claims = [
        (0, date(2026, 12, 31), None),  # 26 days: 30d
        (1, date(2026, 12, 31), "30d"),  # warned already
        (2, date(2027, 2, 1), None),  # 58 days: 90d
        (3, date(2026, 12, 1), "30d"),  # expired
        (4, date(2028, 1, 1), None),  # far off
    ]
    found = lim.new_warnings(claims, today, RULES)
    assert [(w.position, w.previous, w.level) for w in found] == [
        (0, None, "30d"),
        (2, None, "90d"),
        (3, "30d", "expired"),
    ]


@settings(deadline=None)  # no timing in tests
@given(
    st.dates(min_value=date(2021, 1, 1), max_value=date(2040, 1, 1)),
    st.integers(min_value=0, max_value=2000),
)
def test_the_level_does_not_rise_before_the_next_check(today: date, days_left: int) -> None:
    ends = today + timedelta(days=days_left)
    level = lim.warning_level(ends, today, RULES)
    check = lim.next_check(ends, today, RULES)
    if check is None:
        assert level == "expired"
        return
    assert check > today
    assert lim.warning_level(ends, check - timedelta(days=1), RULES) == level
    assert lim.level_rank(lim.warning_level(ends, check, RULES)) > lim.level_rank(level)


def test_a_restated_date_replays_the_interruptions_in_date_order() -> None:
    # due 10 Jan 2023: last day Mon 12 Jan 2026 (10 Jan a Saturday), barred from 13 Jan 2026
    due = date(2023, 1, 10)
    assert lim.restated(due, "ordinary", [], RULES) == date(2026, 1, 13)
    # a part payment on the last day: new period, last day Fri 12 Jan 2029, barred 13 Jan
    paid = [(date(2026, 1, 12), "part_payment")]
    assert lim.restated(due, "ordinary", paid, RULES) == date(2029, 1, 13)
    # one the day after the bar (13 Jan 2026) revives nothing
    late = [(date(2026, 1, 13), "acknowledgement")]
    assert lim.restated(due, "ordinary", late, RULES) == date(2026, 1, 13)
    # given out of order: the earlier one first (it keeps the claim alive for the later one)
    both = [(date(2027, 6, 1), "forliksklage"), (date(2025, 6, 2), "acknowledgement")]
    # 2 Jun 2025 → Fri 2 Jun 2028, barred 3 Jun 2028; 1 Jun 2027 → Sat 1 Jun 2030, so
    # Mon 3 Jun 2030, barred from 4 Jun 2030
    assert lim.restated(due, "ordinary", both, RULES) == date(2030, 6, 4)


def test_the_interruptions_are_read_from_the_timeline() -> None:
    from cases.service_layer.limitation_restate import interruptions_of

    rows = [
        ("registered", "registered", date(2026, 1, 5)),
        ("status_changed", "inkassovarsel_sent", date(2026, 1, 20)),
        ("status_changed", "payment_plan_agreed", date(2026, 2, 1)),
        ("status_changed", "legal_step_utlegg", date(2026, 5, 1)),
        ("limitation_interrupted", "part_payment", date(2026, 3, 1)),
        ("limitation_not_revived", "acknowledgement", date(2029, 3, 1)),
        ("limitation_warning", "limitation_90d", date(2026, 4, 1)),
    ]
    assert interruptions_of(rows) == [
        (date(2026, 2, 1), "acknowledgement"),
        (date(2026, 5, 1), "utlegg"),
        (date(2026, 3, 1), "part_payment"),
        (date(2029, 3, 1), "acknowledgement"),
    ]


# -- the limitation state as a function of the facts (ADR 0068) ----------------------------
# Golden examples worked by hand (docs/money-rules.md § 7, "Payments in any order"): a claim
# due Tue 10 Jan 2023, last day Mon 12 Jan 2026 (10 Jan 2026 a Saturday), barred from
# 13 Jan 2026. P1: a part payment on Mon 1 Dec 2025 (before the bar): new period, last day
# Fri 1 Dec 2028, barred from 2 Dec 2028. P2: one on Tue 30 Jun 2026: after the first bar,
# but before the bar P1 gives: new period, 30 Jun 2029 a Saturday, last day Mon 2 Jul 2029,
# barred from 3 Jul 2029.
DUE = date(2023, 1, 10)
P1, P2 = date(2025, 12, 1), date(2026, 6, 30)


def paid(on: date, *, withdrawn: bool = False) -> lim.Recorded:
    return lim.Recorded(on, "part_payment", withdrawn)


@pytest.mark.parametrize(
    ("facts", "barred_from", "runs_from", "not_revived"),
    [
        ([], date(2026, 1, 13), None, ()),
        ([paid(P1)], date(2028, 12, 2), P1, ()),
        # P2 alone comes after the bar: no revival
        ([paid(P2)], date(2026, 1, 13), None, (P2,)),
        # both, given either way round: P1 keeps the claim alive for P2
        ([paid(P1), paid(P2)], date(2029, 7, 3), P2, ()),
        ([paid(P2), paid(P1)], date(2029, 7, 3), P2, ()),
        # P1 taken back: P2 is after the bar again, and the claim is barred from 13 Jan 2026
        ([paid(P2), paid(P1, withdrawn=True)], date(2026, 1, 13), None, (P2,)),
        # P2 taken back: P1's period
        ([paid(P1), paid(P2, withdrawn=True)], date(2028, 12, 2), P1, ()),
    ],
)
def test_payments_in_any_order_and_taken_back(
    facts: list[lim.Recorded],
    barred_from: date,
    runs_from: date | None,
    not_revived: tuple[date, ...],
) -> None:
    found = lim.limitation_of(DUE, "ordinary", facts, RULES)
    assert found == lim.Limitation(barred_from, runs_from, not_revived)


@pytest.mark.parametrize(
    ("payments", "barred_from"),
    [
        # on the last day (Mon 12 Jan 2026): last day Fri 12 Jan 2029, barred from the 13th
        ([date(2026, 1, 12)], date(2029, 1, 13)),
        # the day after (Tue 13 Jan 2026): barred already, nothing changes
        ([date(2026, 1, 13)], date(2026, 1, 13)),
        # then one on the new last day (Fri 12 Jan 2029): Mon 12 Jan 2032, barred the 13th
        ([date(2029, 1, 12), date(2026, 1, 12)], date(2032, 1, 13)),
        # or one the day after it (Sat 13 Jan 2029), arriving first: not revived
        ([date(2029, 1, 13), date(2026, 1, 12)], date(2029, 1, 13)),
    ],
)
def test_a_payment_on_the_last_day_and_the_day_after(
    payments: list[date], barred_from: date
) -> None:
    facts = [paid(on) for on in payments]
    assert lim.limitation_of(DUE, "ordinary", facts, RULES).limitation_date == barred_from


def test_a_payment_and_its_reversal_merge_to_one_withdrawn_fact_either_way() -> None:
    receipt, reversal = paid(P1), paid(P1, withdrawn=True)
    assert lim.merged(lim.merged(None, receipt), reversal) == reversal
    assert lim.merged(lim.merged(None, reversal), receipt) == reversal
    assert lim.merged(lim.merged(None, receipt), receipt) == receipt  # a redelivery


def test_a_judgment_keeps_its_ten_years_against_a_later_acknowledgement() -> None:
    # a judgment on Mon 1 Dec 2025 (§ 21 nr. 2): ten years, 1 Dec 2035 a Saturday, last day
    # Mon 3 Dec 2035, barred from 4 Dec; an acknowledgement on Tue 1 Jun 2027 gives three
    # years (Sat 1 Jun 2030 -> Mon 3 Jun 2030), shorter: the judgment's period stays
    facts = [lim.Recorded(date(2027, 6, 1), "acknowledgement"), lim.Recorded(P1, "judgment")]
    found = lim.limitation_of(DUE, "ordinary", facts, RULES)
    assert (found.limitation_date, found.runs_from) == (date(2035, 12, 4), P1)


Event = tuple[int, date, bool]
"""(payment number, value date, a reversal?) as the ledger's events carry them."""


@st.composite
def payment_histories(draw: st.DrawFn) -> tuple[date, lim.ClaimType, list[Event]]:
    due = draw(st.dates(date(2018, 1, 1), date(2026, 12, 31)))
    claim_type = draw(st.sampled_from(lim.CLAIM_TYPES))
    days = draw(st.lists(st.integers(0, 12 * 366), max_size=8))
    events: list[Event] = []
    for number, offset in enumerate(days):
        on = due + timedelta(days=offset)
        events.append((number, on, False))
        if draw(st.booleans()):
            events.append((number, on, True))  # the payment is taken back
        if draw(st.booleans()):
            events.append((number, on, False))  # a redelivery
    return due, claim_type, events


def arrived(events: list[Event]) -> dict[int, lim.Recorded]:
    """The facts kept after ``events`` arrive in this order (as the store's upsert)."""
    kept: dict[int, lim.Recorded] = {}
    for number, on, withdrawn in events:
        kept[number] = lim.merged(kept.get(number), paid(on, withdrawn=withdrawn))
    return kept


def in_value_date_order(due: date, claim_type: lim.ClaimType, events: list[Event]) -> date:
    """The in-order result: each payment not taken back, applied in value-date order as
    the ledger would have booked them (no revival after the bar)."""
    taken_back = {number for number, _, reversal in events if reversal}
    standing = sorted({(on, n) for n, on, _ in events if n not in taken_back})
    current = lim.limitation_date(due, lim.period_years(RULES, claim_type))
    for on, _ in standing:
        current = lim.after_interruption(current, "part_payment", on, RULES, claim_type)
    return current


@settings(max_examples=300, deadline=None)
@given(history=payment_histories(), data=st.data())
def test_every_arrival_order_gives_the_same_limitation(
    history: tuple[date, lim.ClaimType, list[Event]], data: st.DataObject
) -> None:
    """Issue 13 §§ 4, 7: for any payments and reversals, every order the ledger's events
    arrive in gives the same facts, and the same limitation as taking them in value-date
    order."""
    due, claim_type, events = history
    shuffled = data.draw(st.permutations(events))
    expected = in_value_date_order(due, claim_type, events)
    for order in (events, shuffled, list(reversed(events))):
        facts = arrived(order)
        assert facts == arrived(events)
        found = lim.limitation_of(due, claim_type, facts.values(), RULES)
        assert found.limitation_date == expected
