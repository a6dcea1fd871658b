"""The statement's line maths, VAT rule, totals against the ledger's, and the posting
proposal (reports.md §1.4's worked example among them)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reports.domain.documents import file_name, statement_number, statement_series
from reports.domain.money import kroner, round_half_up
from reports.domain.postings import balanced, posting_proposal
from reports.domain.statement import (
    LedgerTotals,
    StatementLine,
    StatementMismatch,
    line_vat,
    statement_of,
)

from .worked_example import worked_example


def test_the_worked_example_adds_up() -> None:
    _, statement, ledger = worked_example()
    totals = statement.totals
    assert totals.paid_ore == 1_140_000
    assert totals.agency_consideration_ore == 138_000
    assert totals.vat_ore == 34_500
    assert totals.payout_ore == 1_002_000
    statement.check_against(ledger)


def test_vat_for_a_creditor_that_deducts_it_is_a_quarter_of_salaer_and_commission() -> None:
    assert (
        line_vat(collection_fees_ore=130_000, commission_ore=8_000, vat_deductible=True) == 34_500
    )
    assert line_vat(collection_fees_ore=0, commission_ore=3, vat_deductible=True) == 1  # 0.75
    assert line_vat(collection_fees_ore=0, commission_ore=2, vat_deductible=True) == 1  # 0.5 up
    assert line_vat(collection_fees_ore=0, commission_ore=1, vat_deductible=True) == 0


def test_vat_for_a_creditor_that_does_not_is_contained_in_the_salaer() -> None:
    # salær 1 625 with MVA added (1 300 + 325): 325 contained; commission 80 → 20 on top
    assert (
        line_vat(collection_fees_ore=162_500, commission_ore=8_000, vat_deductible=False) == 34_500
    )


def test_round_half_up_and_kroner() -> None:
    assert round_half_up(Fraction(5, 2)) == 3
    assert round_half_up(Fraction(-5, 2)) == -3
    assert round_half_up(Fraction(249, 100)) == 2
    assert kroner(123_456_789) == "1\u202f234\u202f567,89"
    assert kroner(-5) == "-0,05"


def test_a_statement_that_differs_from_the_ledger_is_refused() -> None:
    _, statement, ledger = worked_example()
    with pytest.raises(StatementMismatch, match="payout_ore"):
        statement.check_against(replace(ledger, payout_ore=ledger.payout_ore + 1))
    with pytest.raises(StatementMismatch, match="line_count"):
        statement.check_against(replace(ledger, line_count=2))
    broken = replace(statement.lines[0], net_ore=statement.lines[0].net_ore - 1)
    other = statement_of([broken], credit_report_charges_ore=0, vat_deductible=True)
    with pytest.raises(StatementMismatch, match="net is not share less commission"):
        other.check_against(replace(ledger, payout_ore=ledger.payout_ore - 1))


def test_statement_numbers() -> None:
    assert statement_number(2026, 42) == "AVR-2026-000042"
    assert statement_series(2026) == "settlement_statement:2026"
    assert (
        file_name("posting_proposal", "AVR-2026-000042") == "bokforingsforslag-AVR-2026-000042.csv"
    )
    with pytest.raises(ValueError, match="start at 1"):
        statement_number(2026, 0)


def test_the_posting_proposal_of_the_worked_example() -> None:
    _, statement, _ = worked_example()
    gross = posting_proposal(statement, form="gross")
    assert [(p.account, p.debit_ore, p.credit_ore) for p in gross] == [
        ("1920", 1_002_000, 0),
        ("7770", 138_000, 0),
        ("2710", 34_500, 0),
        ("1500", 0, 1_000_000),
        ("8050", 0, 10_000),
        ("3990", 0, 130_000),
        ("2400", 0, 34_500),
    ]
    net = posting_proposal(statement, form="net")
    assert [(p.account, p.debit_ore, p.credit_ore) for p in net] == [
        ("1920", 1_002_000, 0),
        ("7770", 8_000, 0),
        ("2710", 34_500, 0),
        ("1500", 0, 1_000_000),
        ("8050", 0, 10_000),
        ("2400", 0, 34_500),
    ]
    assert balanced(gross)
    assert balanced(net)


amounts = st.integers(min_value=0, max_value=5_000_000)


@st.composite
def ledger_settlements(draw: st.DrawFn) -> tuple[list[StatementLine], LedgerTotals, bool]:
    """A settlement as the ledger drafts one: commission per line rounded, credit-report
    charges deducted as far as the net goes; its totals as the ledger books them."""
    percent = Fraction(draw(st.integers(min_value=0, max_value=2000)), 100)
    vat_deductible = draw(st.booleans())
    lines = []
    for i in range(draw(st.integers(min_value=1, max_value=30))):
        principal, interest, reminder = draw(amounts), draw(amounts), draw(amounts)
        salaer, court = draw(amounts), draw(amounts)
        commission = round_half_up(percent / 100 * (principal + interest))
        lines.append(
            StatementLine(
                line_id=i,
                case_id=uuid.uuid4(),
                case_number=f"{draw(st.integers(min_value=1, max_value=999)):06d}",
                creditor_reference="R",
                payment_id=uuid.uuid4(),
                value_date=date(2026, 1, 1 + draw(st.integers(min_value=0, max_value=27))),
                principal_ore=principal,
                interest_ore=interest,
                reminder_fees_ore=reminder,
                collection_fees_ore=salaer,
                court_fees_ore=court,
                commission_ore=commission,
                net_ore=principal + interest + reminder - commission,
                vat_ore=line_vat(
                    collection_fees_ore=salaer,
                    commission_ore=commission,
                    vat_deductible=vat_deductible,
                ),
            )
        )
    net = sum(x.net_ore for x in lines)
    charges = draw(st.integers(min_value=0, max_value=max(net, 0)))
    collected = sum(x.principal_ore + x.interest_ore + x.reminder_fees_ore for x in lines)
    commission = sum(x.commission_ore for x in lines)
    ledger = LedgerTotals(
        collected_ore=collected,
        commission_ore=commission,
        credit_report_charges_ore=charges,
        agency_fees_ore=sum(x.collection_fees_ore + x.court_fees_ore for x in lines),
        payout_ore=collected - commission - charges,
        line_count=len(lines),
    )
    return lines, ledger, vat_deductible


@settings(max_examples=200, deadline=None)
@given(ledger_settlements())
def test_a_statements_totals_equal_the_ledgers_settlement(
    settlement: tuple[list[StatementLine], LedgerTotals, bool],
) -> None:
    lines, ledger, vat_deductible = settlement
    statement = statement_of(
        lines,
        credit_report_charges_ore=ledger.credit_report_charges_ore,
        vat_deductible=vat_deductible,
    )
    statement.check_against(ledger)  # raises on any øre of difference
    totals = statement.totals
    assert totals.payout_ore == ledger.payout_ore
    assert totals.paid_ore == sum(x.paid_ore for x in lines)
    assert totals.vat_ore == sum(x.vat_ore for x in lines)
    for form in ("gross", "net"):
        assert balanced(posting_proposal(statement, form=form))  # type: ignore[arg-type]
