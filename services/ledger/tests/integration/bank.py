"""Bank files for the tests, from the bank simulator, with numbers unique to each file."""

from __future__ import annotations

import secrets
from datetime import date

from ledger.bootstrap import LedgerService
from simulators.bank import IncomingPayment, camt054_file, ocr_giro_file


def ocr(service: LedgerService, on: date, *payments: tuple[str | None, int]) -> bytes:
    """An OCR giro file of ``(KID, øre)`` payments settled ``on``."""
    return ocr_giro_file(
        [IncomingPayment(amount_ore=amount, kid=kid) for kid, amount in payments],
        account=service.settings.client_funds_account,
        settlement_date=on,
        transmission_number=secrets.randbelow(9_000_000) + 1,
        assignment_number=secrets.randbelow(9_000_000) + 1,
        first_archive_reference=secrets.randbelow(900_000_000),
    )


def camt(service: LedgerService, on: date, *payments: tuple[str | None, int]) -> bytes:
    """A camt.054 of ``(KID, øre)`` payments (a negative amount: the bank took it back)."""
    return camt054_file(
        [
            IncomingPayment(amount_ore=abs(amount), kid=kid, reversal=amount < 0)
            for kid, amount in payments
        ],
        account=service.settings.client_funds_account,
        booking_date=on,
        message_id=f"T-{secrets.token_hex(8)}",
    )
