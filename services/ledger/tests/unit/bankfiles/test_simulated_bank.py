"""Round trips through the bank simulator: what the bank writes, the ledger reads back exactly.

The simulator (``simulators.bank``) is a second, independent implementation of the same
formats, so these properties check the readers and the writer against it: payments in (OCR
giro, camt.054 .08 and .02), payouts out (pain.001 .09 and .03) and the bank's answers
(pain.002, camt.054 debits and returned payouts) for the two-phase settlement.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ledger.adapters.bankfiles import (
    Payout,
    PayoutBatch,
    parse_camt054,
    parse_ocr,
    parse_pain002,
    write_pain001,
)
from ledger.adapters.bankfiles.kid import mod10_check_digit, mod11_check_digit
from simulators.bank import BankSimulator, IncomingPayment
from stdnum.no import kontonr

pytestmark = pytest.mark.unit

CLIENT_ACCOUNT = "1503.12.34562"
BOOKED = date(2025, 3, 14)

kids = st.builds(
    lambda base, mod11: base + (mod11_check_digit(base) if mod11 else mod10_check_digit(base)),
    st.text("0123456789", min_size=1, max_size=24),
    st.booleans(),
)
accounts = (  # a registration number 0000 (old postgiro) is none a bank uses today
    st.text("0123456789", min_size=10, max_size=10)
    .filter(lambda base: not base.startswith("0000"))
    .map(lambda base: next((base + c for c in "0123456789" if kontonr.is_valid(base + c)), None))
    .filter(lambda account: account is not None)
)
texts = (
    st.text("abcdefghijklmnopqrstuvwxyzæøåABCÆØÅ0123456789 .,-/", min_size=1, max_size=40)
    .map(lambda text: " ".join(text.split()))
    .filter(bool)
)
incoming = st.builds(
    IncomingPayment,
    amount_ore=st.integers(min_value=1, max_value=10**12),
    kid=st.one_of(st.none(), kids),
    payer_account=st.one_of(st.none(), accounts),
    payer_name=st.one_of(st.none(), texts),
    message=st.one_of(st.none(), texts),
    payment_date=st.one_of(st.none(), st.dates(date(2000, 1, 1), date(2079, 12, 31))),
    reversal=st.booleans(),
)


@given(st.lists(incoming, min_size=1, max_size=25))
def test_an_ocr_file_reads_back_to_the_payments_it_was_made_of(
    payments: list[IncomingPayment],
) -> None:
    bank = BankSimulator(account=CLIENT_ACCOUNT)

    parsed = parse_ocr(bank.receive_payments(payments, booking_date=BOOKED, file_format="ocr"))

    assert parsed.ok, parsed.errors
    assert len(parsed.payments) == len(payments)
    for sent, read in zip(payments, parsed.payments, strict=True):
        assert read.amount_ore == (-sent.amount_ore if sent.reversal else sent.amount_ore)
        assert read.kid == sent.kid
        assert read.payer_account == sent.payer_account
        assert read.payment_date == sent.payment_date
        assert read.free_text == (sent.message if sent.kid is None else None)
        assert read.booking_date == BOOKED
        assert read.creditor_account == kontonr.compact(CLIENT_ACCOUNT)
    assert len({p.transaction_id for p in parsed.payments}) == len(payments)


@pytest.mark.parametrize("version", ["camt.054.001.08", "camt.054.001.02"])
@given(payments=st.lists(incoming, min_size=1, max_size=25))
def test_a_camt054_reads_back_to_the_payments_it_was_made_of(
    version: str, payments: list[IncomingPayment]
) -> None:
    bank = BankSimulator(account=CLIENT_ACCOUNT, camt_version=version)  # type: ignore[arg-type]

    parsed = parse_camt054(bank.receive_payments(payments, booking_date=BOOKED))

    assert parsed.ok, parsed.errors
    assert len(parsed.payments) == len(payments)
    for sent, read in zip(payments, parsed.payments, strict=True):
        assert read.amount_ore == (-sent.amount_ore if sent.reversal else sent.amount_ore)
        assert read.kid == sent.kid
        assert read.payer_account == sent.payer_account
        assert read.payer_name == sent.payer_name
        assert read.free_text == sent.message
        assert read.payment_date == sent.payment_date
        assert (read.booking_date, read.value_date) == (BOOKED, BOOKED)
    assert len({p.transaction_id for p in parsed.payments}) == len(payments)


def test_files_of_one_bank_never_repeat_a_transaction_id() -> None:
    bank = BankSimulator(account=CLIENT_ACCOUNT)
    payment = IncomingPayment(amount_ore=100, kid="00000000422")

    ids = [
        p.transaction_id
        for file_format in ("ocr", "camt054", "ocr", "camt054")
        for p in (parse_ocr if file_format == "ocr" else parse_camt054)(
            bank.receive_payments([payment], booking_date=BOOKED, file_format=file_format)
        ).payments  # type: ignore[arg-type]
    ]

    assert len(set(ids)) == 4


payouts = st.builds(
    lambda n, account, name, amount: Payout(f"E2E-{n}", account, name, amount),
    st.integers(min_value=0, max_value=10**9),
    accounts,
    texts,
    st.integers(min_value=1, max_value=10**9),
)


@given(
    st.lists(payouts, min_size=1, max_size=20, unique_by=lambda p: p.end_to_end_id),
    st.integers(min_value=0, max_value=10**10),
    st.sampled_from(["pain.001.001.09", "pain.001.001.03"]),
)
def test_payouts_are_answered_then_booked_as_the_bank_decided(
    batch_payouts: list[Payout], balance: int, version: str
) -> None:
    bank = BankSimulator(account=CLIENT_ACCOUNT, balance_ore=balance)
    batch = PayoutBatch("AVR-H-1", CLIENT_ACCOUNT, BOOKED, tuple(batch_payouts))

    receipt = bank.receive_pain001(write_pain001(batch, version=version))  # type: ignore[arg-type]
    answer = parse_pain002(receipt.status_report)

    assert answer.errors == ()
    assert answer.original_message_id == "AVR-H-1"
    decided = {i.end_to_end_id: i.status for i in receipt.instructions}
    assert {p.end_to_end_id: answer.state_of(p.end_to_end_id) for p in batch_payouts} == {
        e2e: "accepted" if status == "ACCP" else "rejected" for e2e, status in decided.items()
    }
    accepted = [p for p in batch_payouts if decided[p.end_to_end_id] == "ACCP"]
    assert sum(p.amount_ore for p in accepted) <= balance

    debits = bank.book(BOOKED)

    if not accepted:
        assert debits is None
        return
    assert debits is not None
    booked = parse_camt054(debits)
    assert booked.ok, booked.errors
    assert booked.payments == ()
    assert [(b.end_to_end_id, b.amount_ore) for b in booked.payout_bookings] == [
        (p.end_to_end_id, p.amount_ore) for p in accepted
    ]


def test_two_phase_settlement_with_a_rejection_a_booking_and_a_returned_payout() -> None:
    bank = BankSimulator(
        account=CLIENT_ACCOUNT,
        balance_ore=500_000,
        closed_accounts=frozenset({"1207.04.00004"}),
    )
    batch = PayoutBatch(
        "AVR-2025-03-0008",
        CLIENT_ACCOUNT,
        BOOKED,
        (
            Payout("AVR-8-1", "9710.05.12347", "Fjordkraft Demo AS", 300_000, "Avregning 8"),
            Payout("AVR-8-2", "1207.04.00004", "Nedlagt AS", 1_000),
            Payout("AVR-8-3", "NO9386011117947", "Bølgen AS", 250_000),
        ),
    )
    file = write_pain001(batch)

    answer = parse_pain002(bank.receive_pain001(file).status_report)
    booked = parse_camt054(bank.book(BOOKED) or b"")
    returned = parse_camt054(bank.return_payout("AVR-8-1", date(2025, 3, 17)))
    again = parse_pain002(bank.receive_pain001(file).status_report)

    assert answer.group_status == "PART"
    assert [(s.end_to_end_id, s.state, s.reason_code) for s in answer.statuses] == [
        ("AVR-8-1", "accepted", None),
        ("AVR-8-2", "rejected", "AC04"),
        ("AVR-8-3", "rejected", "AM04"),  # 300,000 of 500,000 already promised
    ]
    assert [(b.end_to_end_id, b.amount_ore) for b in booked.payout_bookings] == [
        ("AVR-8-1", 300_000)
    ]
    assert [(b.end_to_end_id, b.amount_ore) for b in returned.payout_bookings] == [
        ("AVR-8-1", -300_000)
    ]
    assert bank.balance_ore == 500_000
    assert (again.group_status, again.group_reason_code) == ("RJCT", "DU01")
    assert again.state_of("AVR-8-1") == "rejected"
