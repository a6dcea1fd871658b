"""Journal entries balance; reversals negate; the hash chain finds any change."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from ledger.domain.journal import (
    GENESIS_HASH,
    Account,
    AccountKind,
    ChainedEntry,
    EntryBuilder,
    JournalEntry,
    Posting,
    UnbalancedEntry,
    chain_hash,
    reversal_of,
    verify_chain,
)
from ledger.domain.money import floor_krone, format_nok, round_ore

pytestmark = pytest.mark.unit

CASE = uuid.uuid4()


def entry(amount: int = 1_000) -> JournalEntry:
    return (
        EntryBuilder()
        .debit(Account(AccountKind.CASE_PRINCIPAL, CASE), amount)
        .credit(Account(AccountKind.CREDITOR_CLAIMS, uuid.uuid4()), amount)
        .build(entry_id=uuid.uuid4(), kind="claim_registered", effective_date=date(2025, 1, 1))
    )


def test_an_entry_must_balance_and_have_two_nonzero_postings() -> None:
    bank = Account(AccountKind.CLIENT_FUNDS)
    with pytest.raises(UnbalancedEntry):
        JournalEntry(uuid.uuid4(), "x", date(2025, 1, 1), (Posting(bank, 1), Posting(bank, -2)))
    with pytest.raises(UnbalancedEntry):
        JournalEntry(uuid.uuid4(), "x", date(2025, 1, 1), (Posting(bank, 0), Posting(bank, 0)))
    with pytest.raises(UnbalancedEntry):
        JournalEntry(uuid.uuid4(), "x", date(2025, 1, 1), ())
    with pytest.raises(UnbalancedEntry, match="balance"):
        JournalEntry(
            uuid.uuid4(),
            "x",
            date(2025, 1, 1),
            (Posting(bank, 5, "NOK"), Posting(bank, -5, "SEK")),
        )


def test_a_reversal_negates_every_posting_and_names_the_original() -> None:
    original = entry()
    reversal = reversal_of(original, effective_date=date(2025, 2, 1), reason="typo")
    assert reversal.reverses == original.entry_id
    assert sorted(p.amount_ore for p in reversal.postings) == sorted(
        -p.amount_ore for p in original.postings
    )


def chained(seq: int, amount: int) -> ChainedEntry:
    e = entry(amount)
    return ChainedEntry(
        seq=seq,
        entry_id=e.entry_id,
        kind=e.kind,
        effective_date=e.effective_date,
        recorded_at=datetime(2025, 1, 1, tzinfo=UTC),
        case_id=None,
        creditor_id=None,
        natural_key=None,
        reverses=None,
        metadata={"n": seq},
        postings=[(p.account.code, p.amount_ore, p.currency) for p in e.postings],
    )


def test_the_chain_verifies_and_any_change_breaks_it() -> None:
    entries = [chained(n, 100 * n) for n in range(1, 6)]
    stored = []
    previous = GENESIS_HASH
    for e in entries:
        digest = chain_hash(previous, e)
        stored.append((e, previous, digest))
        previous = digest
    assert verify_chain(stored) == []

    tampered = list(stored)
    e, prev, digest = tampered[2]
    tampered[2] = (replace(e, metadata={"n": 99}), prev, digest)
    assert [p.seq for p in verify_chain(tampered)] == [3]

    removed = stored[:2] + stored[3:]
    assert {p.reason for p in verify_chain(removed)} >= {"expected seq 3"}


def test_rounding_is_half_away_from_zero_and_court_fees_round_down() -> None:
    from fractions import Fraction

    assert round_ore(Fraction(5, 2)) == 3
    assert round_ore(Fraction(-5, 2)) == -3
    assert round_ore(Fraction(249, 100)) == 2
    assert floor_krone(Fraction(14_454)) == 14_400
    assert format_nok(-123_456) == "-1234.56"
