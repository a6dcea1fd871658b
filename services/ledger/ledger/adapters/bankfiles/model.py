"""What the bank files say, in plain values: incoming payments, payouts and the bank's answers.

The readers and writers of the bank's file formats (``ocr``, ``camt054``, ``pain001``) speak
only these frozen dataclasses, so the rest of the ledger never sees a record layout or an
XML element. Money is integer øre (never float); dates are calendar dates as the bank
wrote them. Nothing here does I/O or imports anything beyond the standard library (and the
readers' refusal codes).

A reader never raises on bad input: it returns a :class:`ParsedBankFile` whose ``errors``
name the line (record number in OCR, source line in XML) and field, beside every payment
it could read. A writer refuses a payout it cannot express with :class:`InvalidPayoutBatch`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from ledger.adapters.bankfiles.codes import location_code, reason_code

SourceFormat = Literal["ocr", "camt054"]
"""Nets OCR giro (BBS "OCR innbetalinger", 80-character records) or ISO 20022 camt.054."""

PayoutState = Literal["accepted", "pending", "rejected"]
"""Where a payout stands after the bank's answer (two-phase settlement: pending until accepted)."""


@dataclass(frozen=True, slots=True)
class BankFileError:
    """One problem in a bank file: where it is (``line``, ``field``) and what is wrong.

    ``line`` is the 1-based record number of an OCR file or source line of an XML document
    (0 when the problem is the file as a whole, e.g. it is empty or not XML at all).
    """

    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}, {self.field}: {self.reason}"

    @property
    def code(self) -> str:
        """The problem's stable code (``bank-file-not-a-date``), for pages that translate;
        ``reason`` is English, for developers."""
        return reason_code(self.reason, self.field)

    def as_problem(self) -> dict[str, str | int]:
        """The problem+json ``errors`` member: field, reason, code, line, element (the
        format's own name) and ``where`` (its location code, for pages that translate)."""
        return {
            "field": f"line {self.line}: {self.field}",
            "reason": self.reason,
            "code": self.code,
            "line": self.line,
            "element": self.field,
            "where": location_code(self.field),
        }


@dataclass(frozen=True, slots=True)
class BankPayment:
    """One incoming payment (innbetaling) to one of the agency's accounts, as the bank booked it.

    ``transaction_id`` is unique and stable for the bank's transaction (OCR: the Nets date,
    settlement and transaction numbers and archive reference; camt.054: ``AcctSvcrRef``), so
    importing the same file again is idempotent. ``amount_ore`` is positive for money in and
    negative for a reversal (tilbakeføring: OCR transaction types 18 and 20, a camt.054
    reversal of a credit). ``kid`` is the payment reference (KID) with a valid check digit,
    or ``None`` when the payment came without one; ``free_text`` is unstructured remittance
    information, e.g. the debtor's own designation of what the payment is for.
    """

    transaction_id: str
    kid: str | None
    amount_ore: int
    booking_date: date
    value_date: date | None
    payer_account: str | None
    payer_name: str | None
    free_text: str | None
    source_format: SourceFormat
    line: int
    creditor_account: str | None = None
    """The agency's account the money came into (OCR assignment account, camt.054 ``Acct``)."""
    transaction_type: str | None = None
    """OCR transaksjonstype (``"10"`` … ``"21"``) or camt.054 bank transaction code."""
    currency: str = "NOK"
    payment_date: date | None = None
    """The day the payer's bank took the order (OCR oppdragsdato, camt.054 ``AccptncDtTm``)."""
    rejected_kid: str | None = None
    """A KID the payment came with whose check digit is wrong (``kid`` is then ``None``): the
    payment is kept, for the unmatched queue, and the file's ``errors`` say so too."""

    @property
    def is_reversal(self) -> bool:
        """Whether the bank took an earlier payment back (the amount is negative)."""
        return self.amount_ore < 0


@dataclass(frozen=True, slots=True)
class PayoutBooking:
    """A debit on the agency's account that a camt.054 notifies: a payout the bank has booked.

    ``end_to_end_id`` is the id the agency gave the payout in its pain.001, so that the
    ledger can move the payout from pending to posted.
    """

    transaction_id: str
    end_to_end_id: str | None
    amount_ore: int
    booking_date: date
    value_date: date | None
    creditor_account: str | None
    line: int
    currency: str = "NOK"


@dataclass(frozen=True, slots=True)
class ControlTotal:
    """A count and sum the file declares (end record, summary), beside what was read.

    ``scope`` names what it covers, e.g. ``"oppdrag 1000001"`` or ``"forsendelse 0170604"``
    for OCR, ``"notification NTF-1 credits"`` / ``"… debits"`` for camt.054.
    """

    scope: str
    declared_count: int | None
    counted: int
    declared_amount_ore: int | None
    summed_ore: int

    @property
    def matches(self) -> bool:
        """Whether what was read agrees with what the file declares (where it declares it)."""
        count_ok = self.declared_count is None or self.declared_count == self.counted
        sum_ok = self.declared_amount_ore is None or self.declared_amount_ore == self.summed_ore
        return count_ok and sum_ok


@dataclass(frozen=True, slots=True)
class ParsedBankFile:
    """What a reader made of one bank file: the payments it could read and every problem.

    A file with ``errors`` is not necessarily useless: the readers keep each good payment
    where the format allows (a bad record spoils only itself), and the caller decides
    whether to import them or to reject the file as a whole (``ok``). An XML document that
    cannot be read at all (not well-formed, a DTD or entity, too large) gives one error and
    no payments. ``payout_bookings`` are the debits a camt.054 notifies (payouts booked, or
    returned with a negative amount); an OCR file has none.
    """

    source_format: SourceFormat
    file_id: str | None
    """Forsendelsesnummer (OCR transmission number) or camt.054 ``GrpHdr/MsgId``."""
    payments: tuple[BankPayment, ...]
    errors: tuple[BankFileError, ...] = ()
    controls: tuple[ControlTotal, ...] = ()
    payout_bookings: tuple[PayoutBooking, ...] = ()
    created_at: datetime | None = None

    @property
    def ok(self) -> bool:
        """Whether the file was read without a single problem and all its controls agree."""
        return not self.errors and all(control.matches for control in self.controls)

    @property
    def total_ore(self) -> int:
        """The sum of the payments read (reversals negative)."""
        return sum(payment.amount_ore for payment in self.payments)


@dataclass(frozen=True, slots=True)
class Payout:
    """One credit transfer to a creditor (utbetaling ved avregning), in a pain.001.

    ``creditor_account`` is a Norwegian account number (kontonummer, 11 digits, dots and
    spaces allowed) or an IBAN. ``end_to_end_id`` (at most 35 characters) comes back in the
    bank's status report and debit notification. ``remittance`` is the unstructured message
    to the creditor (at most 140 characters), e.g. the settlement number; ``creditor_reference``
    a KID for the creditor's own reconciliation, when the creditor wants one.
    """

    end_to_end_id: str
    creditor_account: str
    creditor_name: str
    amount_ore: int
    remittance: str | None = None
    creditor_reference: str | None = None


@dataclass(frozen=True, slots=True)
class PayoutBatch:
    """One payout file: every payout from one of the agency's accounts on one execution date.

    ``message_id`` (at most 35 characters) must be unique per file: banks refuse a repeated
    one, which makes sending the same settlement run twice harmless.
    """

    message_id: str
    debtor_account: str
    requested_execution_date: date
    payouts: tuple[Payout, ...]
    debtor_name: str = "InfoCenter Inkasso"
    debtor_organisation_number: str | None = None
    debtor_agent_bic: str | None = None
    """BIC of the agency's bank; ``NOTPROVIDED`` is written when it is not given."""
    created_at: datetime | None = None
    """When the file was made (``GrpHdr/CreDtTm``); now, in UTC, when not given."""

    @property
    def control_sum_ore(self) -> int:
        """The sum of the payouts, as the file's ``CtrlSum`` declares it (in øre here)."""
        return sum(payout.amount_ore for payout in self.payouts)


@dataclass(frozen=True, slots=True)
class PayoutStatus:
    """The bank's verdict on one payout (pain.002 ``TxInfAndSts``).

    ``status_code`` is the ISO 20022 code as sent (``ACCP``, ``ACSC``, ``PDNG``, ``RJCT``, …);
    ``state`` is what it means for the settlement; ``reason_code`` the ISO reason of a
    rejection (e.g. ``AC01`` incorrect account number).
    """

    end_to_end_id: str
    state: PayoutState
    status_code: str
    reason_code: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class BankAnswer:
    """The bank's status report (pain.002) on one payout file.

    ``group_status`` is the status of the file as a whole (``ACCP``, ``PART``, ``RJCT``, …);
    a payout the report does not list individually shares the group's state (``state_of``).
    """

    message_id: str
    original_message_id: str
    group_status: str | None
    statuses: tuple[PayoutStatus, ...]
    errors: tuple[BankFileError, ...] = ()
    created_at: datetime | None = None
    group_reason_code: str | None = None

    def state_of(self, end_to_end_id: str) -> PayoutState | None:
        """The state of one payout: its own status, else the group's, else unknown (None)."""
        for status in self.statuses:
            if status.end_to_end_id == end_to_end_id:
                return status.state
        return payout_state(self.group_status) if self.group_status else None


class InvalidPayoutBatch(ValueError):
    """A payout batch that cannot be written as a pain.001, with every reason why."""

    def __init__(self, problems: tuple[BankFileError, ...]) -> None:
        self.problems = problems
        super().__init__("invalid payout batch: " + "; ".join(str(problem) for problem in problems))


_ACCEPTED = frozenset({"ACCP", "ACSP", "ACSC", "ACWC", "ACCC", "ACFC"})
_REJECTED = frozenset({"RJCT", "CANC"})


def payout_state(status_code: str) -> PayoutState:
    """What an ISO 20022 payment status code means for a payout.

    Accepted: ``ACCP``, ``ACSP``, ``ACSC``, ``ACWC``, ``ACCC``, ``ACFC`` (the bank will pay or
    has paid); rejected: ``RJCT``, ``CANC``; everything else (``RCVD``, ``ACTC``, ``PDNG``,
    ``PART`` for a group) leaves the payout pending.
    """
    if status_code in _ACCEPTED:
        return "accepted"
    if status_code in _REJECTED:
        return "rejected"
    return "pending"
