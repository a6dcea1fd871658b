"""The bank's file formats: incoming payments (OCR giro, camt.054), payouts (pain.001, pain.002).

Readers (:func:`parse_ocr`, :func:`parse_camt054`, :func:`parse_pain002`) never raise on bad
input: they return what they could read beside every problem, each with its line. The
writer (:func:`write_pain001`) raises :class:`InvalidPayoutBatch` rather than write a file
the bank would refuse. Everything speaks the plain values of
:mod:`ledger.adapters.bankfiles.model`.
"""

from ledger.adapters.bankfiles.camt054 import parse_camt054
from ledger.adapters.bankfiles.kid import KidScheme, is_valid_kid, kid_problem
from ledger.adapters.bankfiles.model import (
    BankAnswer,
    BankFileError,
    BankPayment,
    ControlTotal,
    InvalidPayoutBatch,
    ParsedBankFile,
    Payout,
    PayoutBatch,
    PayoutBooking,
    PayoutState,
    PayoutStatus,
    SourceFormat,
    payout_state,
)
from ledger.adapters.bankfiles.ocr import parse_ocr
from ledger.adapters.bankfiles.pain001 import (
    Pain001Version,
    account_problem,
    parse_pain002,
    write_pain001,
)

__all__ = [
    "BankAnswer",
    "BankFileError",
    "BankPayment",
    "ControlTotal",
    "InvalidPayoutBatch",
    "KidScheme",
    "Pain001Version",
    "ParsedBankFile",
    "Payout",
    "PayoutBatch",
    "PayoutBooking",
    "PayoutState",
    "PayoutStatus",
    "SourceFormat",
    "account_problem",
    "is_valid_kid",
    "kid_problem",
    "parse_camt054",
    "parse_ocr",
    "parse_pain002",
    "payout_state",
    "write_pain001",
]
