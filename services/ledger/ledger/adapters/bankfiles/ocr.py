"""Reader of Nets OCR giro files (BBS "OCR innbetalinger"): the KID payments into an account.

Layout followed: Nets (now Mastercard Payment Services), *OCR giro — Systemspesifikasjon*
(record layouts 10/20/30/31/32/88/89), as also implemented by ``otovo/python-netsgiro``
(``netsgiro/records.py``); domain notes §3.5. Every record is 80 characters of
ISO-8859-1, one per line::

    NY000010  forsendelse start: data sender (8), forsendelsesnummer (7), data recipient (8)
    NY090020  oppdrag start: avtale-ID (9), oppdragsnummer (7), oppdragskonto (11)
    NY09tt30  beløpspost 1: transaksjonsnummer (7), oppgjørsdato DDMMYY, sentral-ID (2),
              dagkode (2), delavregningsnummer (1), løpenummer (5), fortegn ('-' or '0'),
              beløp in øre (17), KID right-aligned (25)
    NY09tt31  beløpspost 2: transaksjonsnummer, blankettnummer (10), arkivreferanse (9),
              filler (7), oppdragsdato DDMMYY, debetkonto (11)
    NY09tt32  beløpspost 3 (types 20 and 21 only): fritekstmelding (40)
    NY090088  oppdrag end: transactions (8), records (8), sum in øre (17), oppgjørsdato,
              first and last date (DDMMYY)
    NY000089  forsendelse end: transactions (8), records (8), sum in øre (17), Nets date

``tt`` is the transaksjonstype: 10 giro debited an account, 11 standing order, 12 direct
remittance, 13 BedriftTerminalGiro, 14 counter giro, 15 AvtaleGiro, 16 TeleGiro, 17 cash
giro, 18 reversal with KID, 19 purchase with KID, 20 reversal with text, 21 purchase with
text. A reversal (18, 20, or the sign ``-``) is read as a negative amount. The declared sums
of the end records are compared with the sum of the amounts read (gross; a net sum that
agrees is accepted too, since the spec's field is unsigned).

The reader streams: it holds one transaction at a time, and a record that is wrong spoils
only its own transaction, which :class:`~ledger.adapters.bankfiles.model.ParsedBankFile`
reports beside every good payment.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Final

from ledger.adapters.bankfiles.kid import KidScheme, kid_problem
from ledger.adapters.bankfiles.model import (
    BankFileError,
    BankPayment,
    ControlTotal,
    ParsedBankFile,
)

RECORD_LENGTH: Final = 80
OCR_GIRO_SERVICE: Final = "09"
TRANSMISSION_SERVICE: Final = "00"
TRANSACTION_TYPES: Final = frozenset(f"{code}" for code in range(10, 22))
REVERSAL_TYPES: Final = frozenset({"18", "20"})
TEXT_TYPES: Final = frozenset({"20", "21"})
DEFAULT_MAX_ERRORS: Final = 1000

_BOM: Final = b"\xef\xbb\xbf"


class _TooManyErrors(Exception):
    """Reading stops: the file is not worth reading further."""


@dataclass(slots=True)
class _Assignment:
    number: str
    account: str
    line: int
    records: int = 1
    transactions: int = 0
    gross_ore: int = 0
    net_ore: int = 0
    is_ocr_giro: bool = True


@dataclass(slots=True)
class _Transaction:
    type: str
    number: str
    line: int
    settlement_date: date
    settlement_id: str
    amount_ore: int
    kid_field: str
    archive_reference: str | None = None
    payer_account: str | None = None
    payment_date: date | None = None
    has_item_2: bool = False
    text: str | None = None
    spoiled: bool = False


@dataclass(slots=True)
class _Reader:
    kid_scheme: KidScheme
    max_errors: int
    errors: list[BankFileError] = field(default_factory=list)
    payments: list[BankPayment] = field(default_factory=list)
    controls: list[ControlTotal] = field(default_factory=list)
    transmission_number: str | None = None
    started: bool = False
    ended: bool = False
    records: int = 0
    transactions: int = 0
    gross_ore: int = 0
    net_ore: int = 0
    assignment: _Assignment | None = None
    transaction: _Transaction | None = None

    def error(self, line: int, field_name: str, reason: str) -> None:
        self.errors.append(BankFileError(line, field_name, reason))
        if len(self.errors) >= self.max_errors:
            self.errors.append(BankFileError(line, "file", "too many errors: reading stopped"))
            raise _TooManyErrors

    # -- fields ---------------------------------------------------------------------------

    def number(self, record: str, start: int, end: int, line: int, name: str) -> int | None:
        text = record[start:end]
        if not text.isascii() or not text.isdigit():
            self.error(line, name, f"{text!r} is not a number (positions {start + 1}-{end})")
            return None
        return int(text)

    def date_field(
        self, record: str, start: int, line: int, name: str, *, optional: bool = False
    ) -> date | None:
        text = record[start : start + 6]
        if optional and text in ("000000", "      "):
            return None
        if not text.isascii() or not text.isdigit():
            self.error(line, name, f"{text!r} is not a date DDMMYY")
            return None
        day, month, year = int(text[0:2]), int(text[2:4]), int(text[4:6])
        try:
            return date(2000 + year if year < 80 else 1900 + year, month, day)
        except ValueError:
            self.error(line, name, f"{text!r} is not a date DDMMYY")
            return None

    # -- records --------------------------------------------------------------------------

    def read(self, line: int, record: str) -> None:
        self.records += 1
        if self.assignment is not None:
            self.assignment.records += 1
        if self.ended:
            self.error(line, "record type", "a record after the forsendelse end record (89)")
            return
        if record[0:2] != "NY":
            self.error(line, "format code", f"{record[0:2]!r} is not the format code 'NY'")
            return
        service, kind, record_type = record[2:4], record[4:6], record[6:8]
        if not self.started and record_type != "10":
            self.started = True  # one error, not one per record
            self.error(line, "record type", "the file does not start with forsendelse start (10)")
        if record_type == "10":
            self.transmission_start(line, record, service)
        elif record_type == "20":
            self.assignment_start(line, record, service)
        elif record_type in ("30", "31", "32"):
            self.transaction_record(line, record, service, kind, record_type)
        elif record_type == "88":
            self.assignment_end(line, record)
        elif record_type == "89":
            self.transmission_end(line, record, service)
        else:
            self.error(line, "record type", f"{record_type!r} is not an OCR giro record type")

    def transmission_start(self, line: int, record: str, service: str) -> None:
        if self.started:
            self.error(line, "record type", "a second forsendelse start record (10)")
            return
        self.started = True
        if service != TRANSMISSION_SERVICE:
            self.error(line, "service code", f"{service!r}: forsendelse records have '00'")
        self.transmission_number = record[16:23]

    def assignment_start(self, line: int, record: str, service: str) -> None:
        self.finish_transaction()
        if self.assignment is not None:
            self.error(
                self.assignment.line,
                "record type",
                f"oppdrag {self.assignment.number} has no end record (88)",
            )
        self.assignment = _Assignment(number=record[17:24], account=record[24:35], line=line)
        if service != OCR_GIRO_SERVICE:
            self.assignment.is_ocr_giro = False
            self.error(line, "service code", f"{service!r} is not OCR giro ('09'): oppdrag skipped")

    def transaction_record(
        self, line: int, record: str, service: str, kind: str, record_type: str
    ) -> None:
        assignment = self.assignment
        if assignment is None:
            self.error(line, "record type", f"beløpspost ({record_type}) outside an oppdrag")
            return
        if not assignment.is_ocr_giro:
            return
        if service != OCR_GIRO_SERVICE:
            self.error(line, "service code", f"{service!r} is not OCR giro ('09')")
            return
        if record_type == "30":
            self.finish_transaction()
            self.amount_item_1(line, record, kind)
            return
        transaction = self.transaction
        number = record[8:15]
        if transaction is None or transaction.number != number or transaction.type != kind:
            self.error(
                line,
                "transaction number",
                f"beløpspost {record_type} of transaction {number!r} follows no beløpspost 1 "
                "(30) of the same number and type",
            )
            return
        if record_type == "31":
            self.amount_item_2(line, record, transaction)
        elif kind not in TEXT_TYPES:
            self.error(line, "record type", f"transaksjonstype {kind} has no beløpspost 3 (32)")
        else:
            transaction.text = record[15:55].strip() or None

    def amount_item_1(self, line: int, record: str, kind: str) -> None:
        errors_before = len(self.errors)
        if kind not in TRANSACTION_TYPES:
            self.error(line, "transaksjonstype", f"{kind!r} is not an OCR giro type (10-21)")
        settlement_date = self.date_field(record, 15, line, "oppgjørsdato")
        amount = self.number(record, 32, 49, line, "beløp")
        sign = record[31]
        if sign not in ("0", "-"):
            self.error(line, "fortegn", f"{sign!r} is not a sign ('0' or '-')")
        if len(self.errors) > errors_before or settlement_date is None or amount is None:
            self.transaction = None
            return
        negative = sign == "-" or kind in REVERSAL_TYPES
        self.transaction = _Transaction(
            type=kind,
            number=record[8:15],
            line=line,
            settlement_date=settlement_date,
            settlement_id=record[21:31],
            amount_ore=-amount if negative else amount,
            kid_field=record[49:74],
        )

    def amount_item_2(self, line: int, record: str, transaction: _Transaction) -> None:
        if transaction.has_item_2:
            self.error(line, "record type", "a second beløpspost 2 (31) for one transaction")
            transaction.spoiled = True
            return
        transaction.has_item_2 = True
        transaction.archive_reference = record[25:34].strip() or None
        transaction.payment_date = self.date_field(record, 41, line, "oppdragsdato", optional=True)
        debit_account = record[47:58]
        if debit_account.strip("0 "):
            if debit_account.isascii() and debit_account.isdigit():
                transaction.payer_account = debit_account
            else:
                self.error(line, "debetkonto", f"{debit_account!r} is not an account number")

    def finish_transaction(self) -> None:
        transaction, self.transaction = self.transaction, None
        assignment = self.assignment
        if transaction is None or assignment is None or transaction.spoiled:
            return
        if not transaction.has_item_2:
            self.error(
                transaction.line,
                "record type",
                f"transaction {transaction.number} has no beløpspost 2 (31)",
            )
            return
        kid, rejected_kid = self.kid(transaction)
        payment = BankPayment(
            transaction_id=":".join(
                (
                    "ocr",
                    assignment.account,
                    transaction.settlement_date.strftime("%Y%m%d"),
                    transaction.settlement_id,
                    transaction.archive_reference or "",
                    transaction.number,
                )
            ),
            kid=kid,
            amount_ore=transaction.amount_ore,
            booking_date=transaction.settlement_date,
            value_date=transaction.settlement_date,
            payer_account=transaction.payer_account,
            payer_name=None,
            free_text=transaction.text,
            source_format="ocr",
            line=transaction.line,
            creditor_account=assignment.account,
            transaction_type=transaction.type,
            payment_date=transaction.payment_date,
            rejected_kid=rejected_kid,
        )
        self.payments.append(payment)
        assignment.transactions += 1
        assignment.gross_ore += abs(payment.amount_ore)
        assignment.net_ore += payment.amount_ore

    def kid(self, transaction: _Transaction) -> tuple[str | None, str | None]:
        text = transaction.kid_field.strip()
        if not text:
            if transaction.type not in TEXT_TYPES:
                self.error(transaction.line, "KID", "the payment has no KID")
            return None, None
        problem = kid_problem(text, self.kid_scheme)
        if problem is None:
            return text, None
        self.error(transaction.line, "KID", f"{text!r}: {problem}")
        return None, text

    def assignment_end(self, line: int, record: str) -> None:
        self.finish_transaction()
        assignment, self.assignment = self.assignment, None
        if assignment is None:
            self.error(line, "record type", "oppdrag end (88) without an oppdrag start (20)")
            return
        self.transactions += assignment.transactions
        self.gross_ore += assignment.gross_ore
        self.net_ore += assignment.net_ore
        if not assignment.is_ocr_giro:
            return
        declared_transactions = self.number(record, 8, 16, line, "antall transaksjoner")
        declared_records = self.number(record, 16, 24, line, "antall records")
        declared_sum = self.number(record, 24, 41, line, "sum beløp")
        self.control(
            line,
            f"oppdrag {assignment.number}",
            "oppdrag end (88)",
            declared_transactions,
            assignment.transactions,
            declared_sum,
            assignment.gross_ore,
            assignment.net_ore,
        )
        if declared_records is not None and declared_records != assignment.records:
            self.error(
                line,
                "antall records",
                f"oppdrag end (88) declares {declared_records} records, "
                f"the oppdrag has {assignment.records}",
            )

    def transmission_end(self, line: int, record: str, service: str) -> None:
        self.finish_transaction()
        if self.assignment is not None:
            self.error(
                self.assignment.line,
                "record type",
                f"oppdrag {self.assignment.number} has no end record (88)",
            )
            self.assignment = None
        if service != TRANSMISSION_SERVICE:
            self.error(line, "service code", f"{service!r}: forsendelse records have '00'")
        declared_transactions = self.number(record, 8, 16, line, "antall transaksjoner")
        declared_records = self.number(record, 16, 24, line, "antall records")
        declared_sum = self.number(record, 24, 41, line, "sum beløp")
        self.control(
            line,
            f"forsendelse {self.transmission_number or '?'}",
            "forsendelse end (89)",
            declared_transactions,
            self.transactions,
            declared_sum,
            self.gross_ore,
            self.net_ore,
        )
        if declared_records is not None and declared_records != self.records:
            self.error(
                line,
                "antall records",
                f"forsendelse end (89) declares {declared_records} records, "
                f"the file has {self.records}",
            )
        self.ended = True

    def control(
        self,
        line: int,
        scope: str,
        end_record: str,
        declared_count: int | None,
        counted: int,
        declared_sum: int | None,
        gross: int,
        net: int,
    ) -> None:
        summed = net if declared_sum == net else gross
        control = ControlTotal(scope, declared_count, counted, declared_sum, summed)
        self.controls.append(control)
        if declared_count is not None and declared_count != counted:
            self.error(
                line,
                "antall transaksjoner",
                f"{end_record} declares {declared_count} transactions, {counted} were read",
            )
        if declared_sum is not None and declared_sum != summed:
            self.error(
                line,
                "sum beløp",
                f"{end_record} declares {declared_sum} øre, the transactions read sum to {summed}",
            )

    def finish(self, last_line: int) -> None:
        self.finish_transaction()
        if self.records == 0:
            self.error(0, "file", "the file has no records")
            return
        if self.assignment is not None:
            self.error(
                self.assignment.line,
                "record type",
                f"oppdrag {self.assignment.number} has no end record (88)",
            )
        if not self.ended:
            self.error(
                last_line,
                "record type",
                "no forsendelse end record (89): the file may be cut short",
            )


def parse_ocr(
    source: bytes | IO[bytes] | Iterable[bytes],
    *,
    kid_scheme: KidScheme = "either",
    max_errors: int = DEFAULT_MAX_ERRORS,
) -> ParsedBankFile:
    """Read an OCR giro file: its payments, its controls, and every problem found.

    ``source`` is the file's bytes, a binary file object (read line by line, so a large
    file never sits in memory whole) or an iterable of lines. It never raises on bad input.
    """
    reader = _Reader(kid_scheme=kid_scheme, max_errors=max_errors)
    last_line = 0
    try:
        for line, record in _records(source, reader):
            last_line = line
            reader.read(line, record)
        reader.finish(last_line)
    except _TooManyErrors:
        pass
    return ParsedBankFile(
        source_format="ocr",
        file_id=reader.transmission_number,
        payments=tuple(reader.payments),
        errors=tuple(reader.errors),
        controls=tuple(reader.controls),
    )


def _records(
    source: bytes | IO[bytes] | Iterable[bytes], reader: _Reader
) -> Iterator[tuple[int, str]]:
    """The file's records (line number, 80 characters), after the checks of a line as such."""
    for line, (raw, length) in enumerate(_lines(source), start=1):
        data = raw.rstrip(b"\r\n")
        if line == 1 and data.startswith(_BOM):
            reader.error(line, "encoding", "a UTF-8 byte-order mark: OCR files are ISO-8859-1")
            data = data[len(_BOM) :]
            length -= len(_BOM)
        if not data.strip(b" \x1a"):
            continue  # a blank line (or DOS end-of-file mark) is no record
        if length != RECORD_LENGTH:
            reader.error(line, "record", _length_problem(data, length))
            continue
        record = data.decode("iso-8859-1")
        bad = next((c for c in record if not (" " <= c <= "~" or "\xa0" <= c <= "\xff")), None)
        if bad is not None:
            reader.error(
                line,
                "encoding",
                f"control character {bad!r} at position {record.index(bad) + 1}",
            )
            continue
        yield line, record


def _length_problem(data: bytes, length: int) -> str:
    problem = f"a record has {RECORD_LENGTH} characters, this one {length}"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return problem
    if len(text) == RECORD_LENGTH:
        return problem + " bytes (UTF-8 text? OCR files are ISO-8859-1)"
    return problem


_LINE_LIMIT: Final = RECORD_LENGTH + 2


def _lines(source: bytes | IO[bytes] | Iterable[bytes]) -> Iterator[tuple[bytes, int]]:
    """Each line (cut to a record's length and line end when longer) and its full length."""
    if isinstance(source, bytes | bytearray | memoryview):
        for line in bytes(source).split(b"\n"):
            yield line, len(line.rstrip(b"\r"))
        return
    readline = getattr(source, "readline", None)
    if readline is None:
        for item in source:
            line = bytes(item)
            yield line, len(line.rstrip(b"\r\n"))
        return
    while True:
        chunk: bytes = readline(_LINE_LIMIT + 1)
        if not chunk:
            return
        length = len(chunk.rstrip(b"\r\n"))
        if not chunk.endswith(b"\n") and len(chunk) > _LINE_LIMIT:
            # an overlong line: skip the rest of it, counting its length
            while True:
                rest: bytes = readline(64 * 1024)
                length += len(rest.rstrip(b"\r\n"))
                if not rest or rest.endswith(b"\n"):
                    break
        yield chunk, length
