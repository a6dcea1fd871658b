"""Dated rule sets: the shipped files, proposals never in force, strict reading."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from datetime import date
from importlib import resources

import pytest
from cases.adapters.rule_files import RuleFileError, load_rule_book, parse_rule_set
from cases.domain.rules import NoRuleSet, RuleBook, RuleSet

pytestmark = pytest.mark.unit


def shipped(name: str) -> dict:
    text = (resources.files("cases") / "rulesets" / name).read_text(encoding="utf-8")
    return tomllib.loads(text)


def test_the_shipped_rule_book() -> None:
    book = load_rule_book()
    current = book.in_force(date(2026, 11, 25))
    assert current.name == "inkassoloven-1988"
    assert current.limitation_years == 3
    assert current.limitation_years_loan == 10
    assert current.limitation_warning_days == (90, 30)
    assert current.roll_deadlines is True
    assert current.legal_step_within_months == 6
    assert current.person.inkassovarsel_deadline_days == 14
    assert current.person.betalingsoppfordring_deadline_days == 14
    assert current.person.payment_remark_after == "legal_step"
    assert current.business.payment_remark_after == "betalingsoppfordring"
    with pytest.raises(NoRuleSet):
        book.in_force(date(2019, 1, 1))


def test_a_proposal_is_listed_but_never_in_force() -> None:
    book = load_rule_book()
    proposals = [r for r in book.rule_sets if r.proposal]
    assert [p.name for p in proposals] == ["proposal-inkassoloven-prop-3-l-2025-2026"]
    assert book.in_force(date(2040, 1, 1)).name == "inkassoloven-1988"


def test_a_later_rule_set_takes_over_on_its_date() -> None:
    old = RuleSet(name="old", effective_from=date(2020, 10, 1))
    new = replace(old, name="new", effective_from=date(2027, 7, 1), roll_deadlines=False)
    book = RuleBook((old, new))
    assert book.in_force(date(2027, 6, 30)).name == "old"
    assert book.in_force(date(2027, 7, 1)).name == "new"
    # a deadline from a letter sent on 2027-07-02 (Friday) under the new rules is not rolled
    assert book.in_force(date(2027, 7, 2)).letter_deadline(
        "inkassovarsel", date(2027, 7, 4), "person"
    ) == date(2027, 7, 18)  # a Sunday, kept


def test_rule_books_refuse_ambiguity() -> None:
    one = RuleSet(name="a", effective_from=date(2020, 1, 1))
    with pytest.raises(ValueError, match="distinct effective dates"):
        RuleBook((one, replace(one, name="b")))
    with pytest.raises(ValueError, match="names"):
        RuleBook((one, replace(one, effective_from=date(2021, 1, 1))))


def test_a_letter_deadline_counts_from_the_day_sent_and_rolls() -> None:
    rules = load_rule_book().in_force(date(2026, 3, 19))
    assert rules.letter_deadline("inkassovarsel", date(2026, 3, 19), "person") == date(2026, 4, 7)
    assert rules.letter_deadline("betalingsoppfordring", date(2026, 6, 3), "business") == date(
        2026, 6, 17
    )  # a Wednesday, the same weekday


def test_an_unknown_key_in_a_rule_file_is_an_error() -> None:
    doc = shipped("inkassoloven-1988.toml")
    doc["limitation"]["yeras"] = 3
    with pytest.raises(RuleFileError, match="yeras"):
        parse_rule_set(doc, "typo.toml")


def test_a_missing_key_in_a_rule_file_is_an_error() -> None:
    doc = shipped("inkassoloven-1988.toml")
    del doc["person"]["inkassovarsel_deadline_days"]
    with pytest.raises(RuleFileError, match="inkassovarsel_deadline_days"):
        parse_rule_set(doc, "short.toml")


def test_a_bad_value_in_a_rule_file_is_an_error() -> None:
    doc = shipped("inkassoloven-1988.toml")
    doc["limitation"]["warning_days"] = [30, 90]
    with pytest.raises(RuleFileError, match="largest first"):
        parse_rule_set(doc, "order.toml")
