"""The bank's file formats: incoming payments (OCR giro, camt.054), payouts (pain.001, pain.002).

Readers return :class:`~ledger.adapters.bankfiles.model.ParsedBankFile` and never raise on
bad input; writers raise :class:`~ledger.adapters.bankfiles.model.InvalidPayoutBatch`.
"""

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

__all__ = [
    "BankAnswer",
    "BankFileError",
    "BankPayment",
    "ControlTotal",
    "InvalidPayoutBatch",
    "ParsedBankFile",
    "Payout",
    "PayoutBatch",
    "PayoutBooking",
    "PayoutState",
    "PayoutStatus",
    "SourceFormat",
    "payout_state",
]
