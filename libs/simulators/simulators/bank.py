"""A bank: the agency's client-funds account, as the files a Norwegian bank exchanges show it.

The ledger cannot reach a real bank from here. This simulator speaks the bank's file
formats so that the ledger's real readers and writers run against real files:

- incoming payments (innbetalinger): :func:`ocr_giro_file` writes a Nets OCR giro file
  (80-character ISO-8859-1 records 10/20/30/31/32/88/89, *OCR giro — Systemspesifikasjon*)
  and :func:`camt054_file` an ISO 20022 camt.054 (``.001.08`` or ``.001.02``) with the KID in
  ``RmtInf/Strd/CdtrRefInf/Ref`` (``SCOR``);
- payouts (utbetalinger): :meth:`BankSimulator.receive_pain001` takes a pain.001
  (``.001.09`` or ``.001.03``), checks it as a bank does (well-formed, not seen before, the
  agency's account, ``NbOfTxs`` and ``CtrlSum``, each creditor account, funds) and answers with
  a pain.002 status report (``.001.10`` or ``.001.03``); :meth:`BankSimulator.book` then
  books the accepted payouts and answers with a camt.054 debit notification, and
  :meth:`BankSimulator.return_payout` sends one back (a credit marked as a reversal), as a
  creditor's bank does when the account is closed.

Reason codes are ISO 20022's external status reasons: ``DU01`` duplicate message id,
``AM18`` wrong number of transactions, ``AM10`` wrong control sum, ``AC02`` not the debtor
account we keep, ``DT01`` execution date in the past, ``FF01`` not a payout file, ``AC01``
incorrect creditor account, ``AC04`` closed account, ``AM04`` insufficient funds, ``AM02``
amount not allowed, ``AM03`` currency not allowed, ``AM05`` duplicated end-to-end id.

For the local stack, :func:`main` runs it over a directory (``python -m simulators.bank``):
``serve`` answers every pain.001 dropped in ``<dir>/outgoing`` with files in
``<dir>/incoming``; ``pay`` writes a payment file (OCR or camt.054) to ``<dir>/incoming``.
Nothing here is meant for production: it moves no money.
"""

from __future__ import annotations

import argparse
import itertools
import re
import sys
import threading
import uuid
import xml.etree.ElementTree as ET  # writing only; reading goes through defusedxml
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Final, Literal

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException
from stdnum import iban, luhn
from stdnum.no import kontonr

CamtVersion = Literal["camt.054.001.08", "camt.054.001.02"]

MAX_FILE_BYTES: Final = 16 * 1024 * 1024
CURRENCY: Final = "NOK"
_PAIN001: Final = re.compile(r"urn:iso:std:iso:20022:tech:xsd:(pain\.001\.001\.(?:03|09))")
_STATUS_REPORT_FOR: Final = {
    "pain.001.001.03": "pain.002.001.03",
    "pain.001.001.09": "pain.002.001.10",
}


# -- incoming payments --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IncomingPayment:
    """A payment into the agency's account, as a payer's bank sends it.

    ``reversal`` marks the bank taking an earlier payment back. ``message`` is what the
    payer wrote (OCR: only for payments without a KID, at most 40 characters).
    """

    amount_ore: int
    kid: str | None = None
    payer_account: str | None = None
    payer_name: str | None = None
    message: str | None = None
    payment_date: date | None = None
    reversal: bool = False


def kid_mod10(base: str) -> str:
    """``base`` with its MOD10 (Luhn) check digit: a KID as a payee's invoice prints it."""
    return base + str(luhn.calc_check_digit(base))


def kid_mod11(base: str) -> str:
    """``base`` with its MOD11 check digit (weights 2-7 from the right; 10 is written ``-``)."""
    weights = itertools.cycle((2, 3, 4, 5, 6, 7))
    remainder = sum(int(d) * w for d, w in zip(reversed(base), weights, strict=False)) % 11
    check = (11 - remainder) % 11
    return base + ("-" if check == 10 else str(check))


def _bban(account: str) -> str:
    """The 11 digits of a Norwegian account (``kontonr.compact`` would drop a leading 0000)."""
    return re.sub(r"[\s.]", "", account)


def _ddmmyy(day: date | None) -> str:
    return day.strftime("%d%m%y") if day is not None else "000000"


def ocr_giro_file(
    payments: Sequence[IncomingPayment],
    *,
    account: str,
    settlement_date: date,
    transmission_number: int = 1,
    assignment_number: int = 1,
    agreement_id: str = "000123456",
    data_sender: str = "00008080",
    data_recipient: str = "00123456",
    first_archive_reference: int = 1,
) -> bytes:
    """An OCR giro file (ISO-8859-1, CRLF) with one oppdrag of ``payments`` into ``account``.

    A payment with a KID is transaksjonstype 10 (giro debited an account; 18 when reversed),
    one without is type 21 (purchase with text; 20 when reversed) with its message in
    beløpspost 3 (32). Archive references count up from ``first_archive_reference``.
    """
    account_number = _bban(account)
    records = [
        f"NY000010{data_sender:0>8}{transmission_number:07d}{data_recipient:0>8}" + "0" * 49,
        f"NY090020{agreement_id:0>9}{assignment_number:07d}{account_number}" + "0" * 45,
    ]
    gross = 0
    for number, payment in enumerate(payments, start=1):
        if payment.amount_ore <= 0:
            raise ValueError("an OCR giro amount is positive (a reversal is marked as such)")
        if payment.kid is not None:
            kind = "18" if payment.reversal else "10"
        else:
            kind = "20" if payment.reversal else "21"
        sign = "-" if payment.reversal else "0"
        settlement = f"13{settlement_date.day:02d}1{assignment_number % 100000:05d}"
        records.append(
            f"NY09{kind}30{number:07d}{_ddmmyy(settlement_date)}{settlement}{sign}"
            f"{payment.amount_ore:017d}{(payment.kid or ''):>25}" + "0" * 6
        )
        payer = _bban(payment.payer_account) if payment.payer_account else "0" * 11
        archive = f"{(first_archive_reference + number - 1) % 10**9:09d}"
        records.append(
            f"NY09{kind}31{number:07d}{'0' * 10}{archive}{'0' * 7}"
            f"{_ddmmyy(payment.payment_date)}{payer}" + "0" * 22
        )
        if payment.kid is None:
            text = payment.message or ""
            if len(text) > 40:
                raise ValueError("an OCR giro message has at most 40 characters")
            records.append(f"NY09{kind}32{number:07d}{text:<40}" + "0" * 25)
        gross += payment.amount_ore
    count = len(payments)
    dates = _ddmmyy(settlement_date) * 3
    records.append(f"NY090088{count:08d}{len(records):08d}{gross:017d}{dates}" + "0" * 21)
    records.append(
        f"NY000089{count:08d}{len(records) + 1:08d}{gross:017d}{_ddmmyy(settlement_date)}"
        + "0" * 33
    )
    for record in records:
        if len(record) != 80:
            raise ValueError(f"a record of {len(record)} characters: {record!r}")
    return ("\r\n".join(records) + "\r\n").encode("iso-8859-1")


# -- camt.054 -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BookedDebit:
    """A payout the bank has booked on the agency's account (or sent back, ``returned``)."""

    end_to_end_id: str
    amount_ore: int
    creditor_account: str
    creditor_name: str
    message_id: str
    returned: bool = False


def _amount(ore: int) -> str:
    return f"{ore // 100}.{ore % 100:02d}"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    if text is not None:
        element.text = text
    return element


def _path(parent: ET.Element, *tags: str) -> ET.Element:
    for tag in tags:
        parent = ET.SubElement(parent, tag)
    return parent


def _account_id(parent: ET.Element, account: str) -> None:
    identification = _sub(parent, "Id")
    compact = re.sub(r"[\s.]", "", account).upper()
    if compact[:2].isalpha():
        _sub(identification, "IBAN", compact)
    else:
        other = _sub(identification, "Othr")
        _sub(other, "Id", compact)
        _sub(_sub(other, "SchmeNm"), "Cd", "BBAN")


def _party(parent: ET.Element, tag: str, name: str, version: CamtVersion) -> None:
    party = _sub(parent, tag)
    if version == "camt.054.001.08":
        party = _sub(party, "Pty")
    _sub(party, "Nm", name)


def _serialise(document: ET.Element) -> bytes:
    ET.indent(document)
    written: bytes = ET.tostring(document, encoding="UTF-8", xml_declaration=True)
    return written + b"\n"


@dataclass(slots=True)
class _References:
    """The bank's own references (AcctSvcrRef), unique per simulator."""

    prefix: str
    counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def next(self, day: date) -> str:
        return f"{self.prefix}{day:%Y%m%d}{next(self.counter):08d}"


def camt054_file(
    payments: Sequence[IncomingPayment] = (),
    *,
    account: str,
    booking_date: date,
    message_id: str,
    debits: Sequence[BookedDebit] = (),
    version: CamtVersion = "camt.054.001.08",
    created_at: datetime | None = None,
    references: Iterable[str] | None = None,
) -> bytes:
    """A camt.054 notification: ``payments`` credited to ``account``, ``debits`` booked from it.

    Each payment or debit is an entry (``Ntry``) of its own with one ``TxDtls``, as most
    Norwegian banks send KID payments. ``references`` supplies the ``AcctSvcrRef`` of each
    entry in turn (unique ones are made from ``message_id`` when not given).
    """
    refs = iter(references) if references is not None else None
    made = itertools.count(1)

    def reference() -> str:
        if refs is not None:
            return next(refs)
        return f"{message_id}-{next(made)}"[-35:]

    v08 = version == "camt.054.001.08"
    created = (created_at or datetime.now(UTC)).replace(microsecond=0)
    document = ET.Element("Document", {"xmlns": f"urn:iso:std:iso:20022:tech:xsd:{version}"})
    notification_message = _sub(document, "BkToCstmrDbtCdtNtfctn")
    header = _sub(notification_message, "GrpHdr")
    _sub(header, "MsgId", message_id)
    _sub(header, "CreDtTm", created.isoformat())
    notification = _sub(notification_message, "Ntfctn")
    _sub(notification, "Id", message_id)
    _sub(notification, "CreDtTm", created.isoformat())
    acct = _sub(notification, "Acct")
    _sub(_sub(acct, "Id"), "IBAN", kontonr.to_iban(_bban(account)))
    _sub(acct, "Ccy", CURRENCY)

    credit_count = sum(1 for p in payments if not p.reversal) + sum(1 for d in debits if d.returned)
    credit_sum = sum(p.amount_ore for p in payments if not p.reversal) + sum(
        d.amount_ore for d in debits if d.returned
    )
    debit_count = len(payments) + len(debits) - credit_count
    debit_sum = sum(p.amount_ore for p in payments) + sum(d.amount_ore for d in debits) - credit_sum
    summary = _sub(notification, "TxsSummry")
    total = _sub(summary, "TtlNtries")
    _sub(total, "NbOfNtries", str(credit_count + debit_count))
    _sub(total, "Sum", _amount(credit_sum + debit_sum))
    credits = _sub(summary, "TtlCdtNtries")
    _sub(credits, "NbOfNtries", str(credit_count))
    _sub(credits, "Sum", _amount(credit_sum))
    debits_summary = _sub(summary, "TtlDbtNtries")
    _sub(debits_summary, "NbOfNtries", str(debit_count))
    _sub(debits_summary, "Sum", _amount(debit_sum))

    def entry(
        amount_ore: int,
        credit: bool,
        reversal: bool,
        family: str,
        *,
        end_to_end_id: str,
        original_message_id: str | None = None,
    ) -> ET.Element:
        ref = reference()
        ntry = _sub(notification, "Ntry")
        _sub(ntry, "NtryRef", ref)
        _sub(ntry, "Amt", _amount(amount_ore), Ccy=CURRENCY)
        _sub(ntry, "CdtDbtInd", "CRDT" if credit else "DBIT")
        if reversal:
            _sub(ntry, "RvslInd", "true")
        if v08:
            _sub(_sub(ntry, "Sts"), "Cd", "BOOK")
        else:
            _sub(ntry, "Sts", "BOOK")
        _sub(_sub(ntry, "BookgDt"), "Dt", booking_date.isoformat())
        _sub(_sub(ntry, "ValDt"), "Dt", booking_date.isoformat())
        _sub(ntry, "AcctSvcrRef", ref)
        domain = _path(ntry, "BkTxCd", "Domn")
        _sub(domain, "Cd", "PMNT")
        fmly = _sub(domain, "Fmly")
        _sub(fmly, "Cd", family)
        _sub(fmly, "SubFmlyCd", "DMCT")
        details = _path(ntry, "NtryDtls", "TxDtls")
        refs_element = _sub(details, "Refs")
        if original_message_id is not None:
            _sub(refs_element, "MsgId", original_message_id)
        _sub(refs_element, "AcctSvcrRef", ref)
        _sub(refs_element, "EndToEndId", end_to_end_id)
        if v08:
            _sub(details, "Amt", _amount(amount_ore), Ccy=CURRENCY)
            _sub(details, "CdtDbtInd", "CRDT" if credit else "DBIT")
        else:
            _sub(_path(details, "AmtDtls", "TxAmt"), "Amt", _amount(amount_ore), Ccy=CURRENCY)
        return details

    for payment in payments:
        details = entry(
            payment.amount_ore,
            not payment.reversal,
            payment.reversal,
            "RCDT",
            end_to_end_id="NOTPROVIDED",
        )
        if payment.payer_name or payment.payer_account:
            parties = _sub(details, "RltdPties")
            if payment.payer_name:
                _party(parties, "Dbtr", payment.payer_name, version)
            if payment.payer_account:
                _account_id(_sub(parties, "DbtrAcct"), payment.payer_account)
        if payment.kid or payment.message:
            remittance = _sub(details, "RmtInf")
            if payment.message:
                _sub(remittance, "Ustrd", payment.message)
            if payment.kid:
                reference_info = _path(remittance, "Strd", "CdtrRefInf")
                _sub(_path(reference_info, "Tp", "CdOrPrtry"), "Cd", "SCOR")
                _sub(reference_info, "Ref", payment.kid)
        if payment.payment_date:
            _sub(_sub(details, "RltdDts"), "AccptncDtTm", f"{payment.payment_date}T12:00:00")
    for debit in debits:
        details = entry(
            debit.amount_ore,
            debit.returned,
            debit.returned,
            "ICDT",
            end_to_end_id=debit.end_to_end_id,
            original_message_id=debit.message_id,
        )
        parties = _sub(details, "RltdPties")
        _party(parties, "Cdtr", debit.creditor_name, version)
        _account_id(_sub(parties, "CdtrAcct"), debit.creditor_account)
    return _serialise(document)


# -- payouts ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PayoutInstruction:
    """One credit transfer of a pain.001 as the bank read it, and its fate."""

    message_id: str
    end_to_end_id: str
    amount_ore: int
    creditor_account: str
    creditor_name: str
    requested_execution_date: date
    status: str = "ACCP"
    reason_code: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class PayoutReceipt:
    """The bank's answer to a payout file: the pain.002 and what it decided per payout."""

    message_id: str
    group_status: str
    status_report: bytes
    instructions: tuple[PayoutInstruction, ...]
    group_reason_code: str | None = None

    @property
    def accepted(self) -> tuple[PayoutInstruction, ...]:
        return tuple(i for i in self.instructions if i.status == "ACCP")

    @property
    def rejected(self) -> tuple[PayoutInstruction, ...]:
        return tuple(i for i in self.instructions if i.status == "RJCT")


class _Refused(Exception):
    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass
class BankSimulator:
    """The agency's bank: one account, its balance, and the payout files it has seen.

    ``balance_ore`` ``None`` means no funds check. ``closed_accounts`` are creditor accounts
    that exist but are closed (``AC04``); ``today`` is the bank's date (execution dates
    before it are refused; ``None`` skips the check).
    """

    account: str
    balance_ore: int | None = None
    closed_accounts: frozenset[str] = frozenset()
    today: date | None = None
    bic: str = "DNBANOKK"
    camt_version: CamtVersion = "camt.054.001.08"
    seen_message_ids: set[str] = field(default_factory=set)
    pending: list[PayoutInstruction] = field(default_factory=list)
    booked: list[PayoutInstruction] = field(default_factory=list)
    _references: _References = field(default_factory=lambda: _References("SIM"))
    _reports: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    # incoming payments

    def receive_payments(
        self,
        payments: Sequence[IncomingPayment],
        *,
        booking_date: date,
        file_format: Literal["ocr", "camt054"] = "camt054",
    ) -> bytes:
        """Credit ``payments`` to the account and return the file that notifies them."""
        for payment in payments:
            if self.balance_ore is not None:
                self.balance_ore += -payment.amount_ore if payment.reversal else payment.amount_ore
        number = next(self._reports)
        if file_format == "ocr":
            return ocr_giro_file(
                payments,
                account=self.account,
                settlement_date=booking_date,
                transmission_number=number,
                assignment_number=number,
                first_archive_reference=number * 10_000,
            )
        return camt054_file(
            payments,
            account=self.account,
            booking_date=booking_date,
            message_id=f"CAMT054-{booking_date:%Y%m%d}-{number:06d}",
            version=self.camt_version,
            references=(self._references.next(booking_date) for _ in itertools.count()),
        )

    # payouts

    def receive_pain001(self, data: bytes) -> PayoutReceipt:
        """Check a payout file as the bank does and answer with a pain.002 status report."""
        version = "pain.001.001.09"
        message_id = "UNKNOWN"
        try:
            root, version = _read_pain001(data)
            header = _find(root, "CstmrCdtTrfInitn", "GrpHdr")
            message_id = _text(header, "MsgId")
            instructions = self._instructions(root, message_id)
            self._check_group(root, header, message_id, instructions)
        except _Refused as refused:
            return self._answer(version, message_id, "RJCT", (), refused.code, refused.reason)
        self.seen_message_ids.add(message_id)
        checked = self._check_transactions(instructions)
        accepted = [i for i in checked if i.status == "ACCP"]
        self.pending.extend(accepted)
        if not accepted:
            group = "RJCT"
        elif len(accepted) < len(checked):
            group = "PART"
        else:
            group = "ACCP"
        return self._answer(version, message_id, group, tuple(checked))

    def _instructions(self, root: ET.Element, message_id: str) -> list[PayoutInstruction]:
        if message_id in self.seen_message_ids:
            raise _Refused("DU01", f"message id {message_id} was sent before")
        instructions = []
        for payment in _find_all(root, "CstmrCdtTrfInitn", "PmtInf"):
            account = _account_text(_find(payment, "DbtrAcct"))
            if _bban_or_iban(account) != _bban_or_iban(self.account):
                raise _Refused("AC02", f"{account} is not an account this bank keeps for you")
            when = _find(payment, "ReqdExctnDt")
            execution = _parse_date((when.findtext(_q(when, "Dt")) or when.text or "").strip())
            if self.today is not None and execution < self.today:
                raise _Refused("DT01", f"requested execution date {execution} has passed")
            for transfer in _find_all(payment, "CdtTrfTxInf"):
                instructed = _find(transfer, "Amt", "InstdAmt")
                amount = _ore((instructed.text or "").strip())
                status, reason_code, reason = "ACCP", None, None
                if instructed.get("Ccy") != CURRENCY:
                    status, reason_code, reason = "RJCT", "AM03", "only NOK is paid"
                instructions.append(
                    PayoutInstruction(
                        message_id=message_id,
                        end_to_end_id=_text(transfer, "PmtId", "EndToEndId"),
                        amount_ore=amount,
                        creditor_account=_account_text(_find(transfer, "CdtrAcct")),
                        creditor_name=_text(transfer, "Cdtr", "Nm"),
                        requested_execution_date=execution,
                        status=status,
                        reason_code=reason_code,
                        reason=reason,
                    )
                )
        return instructions

    def _check_group(
        self,
        root: ET.Element,
        header: ET.Element,
        message_id: str,
        instructions: list[PayoutInstruction],
    ) -> None:
        declared = _text(header, "NbOfTxs")
        if declared != str(len(instructions)):
            raise _Refused("AM18", f"NbOfTxs {declared}, the file has {len(instructions)}")
        control = header.findtext(_q(header, "CtrlSum"))
        total = sum(i.amount_ore for i in instructions)
        if control is not None and _ore(control.strip()) != total:
            raise _Refused("AM10", f"CtrlSum {control}, the transactions sum to {_amount(total)}")
        if not instructions:
            raise _Refused("FF01", "a payout file without a payout")

    def _check_transactions(self, instructions: list[PayoutInstruction]) -> list[PayoutInstruction]:
        checked = []
        seen: set[str] = set()
        available = None if self.balance_ore is None else self.balance_ore - self._reserved()
        for instruction in instructions:
            problem: tuple[str, str] | None = None
            if instruction.status != "ACCP":
                checked.append(instruction)
                continue
            if instruction.end_to_end_id in seen:
                problem = ("AM05", "the end-to-end id is used twice in the file")
            elif instruction.amount_ore <= 0:
                problem = ("AM02", "the amount is not positive")
            elif not _valid_account(instruction.creditor_account):
                problem = ("AC01", "the creditor account number is not valid")
            elif _bban_or_iban(instruction.creditor_account) in {
                _bban_or_iban(a) for a in self.closed_accounts
            }:
                problem = ("AC04", "the creditor account is closed")
            elif available is not None and instruction.amount_ore > available:
                problem = ("AM04", "insufficient funds")
            seen.add(instruction.end_to_end_id)
            if problem is not None:
                checked.append(
                    replace(instruction, status="RJCT", reason_code=problem[0], reason=problem[1])
                )
                continue
            if available is not None:
                available -= instruction.amount_ore
            checked.append(instruction)
        return checked

    def _reserved(self) -> int:
        return sum(i.amount_ore for i in self.pending)

    def _answer(
        self,
        version: str,
        message_id: str,
        group: str,
        instructions: tuple[PayoutInstruction, ...],
        reason_code: str | None = None,
        reason: str | None = None,
    ) -> PayoutReceipt:
        report_version = _STATUS_REPORT_FOR.get(version, "pain.002.001.10")
        created = datetime.now(UTC).replace(microsecond=0)
        report_id = f"PSR-{created:%Y%m%d}-{next(self._reports):06d}"
        document = ET.Element(
            "Document", {"xmlns": f"urn:iso:std:iso:20022:tech:xsd:{report_version}"}
        )
        report = _sub(document, "CstmrPmtStsRpt")
        header = _sub(report, "GrpHdr")
        _sub(header, "MsgId", report_id)
        _sub(header, "CreDtTm", created.isoformat())
        bic_tag = "BIC" if report_version == "pain.002.001.03" else "BICFI"
        _sub(_path(header, "DbtrAgt", "FinInstnId"), bic_tag, self.bic)
        original = _sub(report, "OrgnlGrpInfAndSts")
        _sub(original, "OrgnlMsgId", message_id)
        _sub(original, "OrgnlMsgNmId", version)
        if instructions:
            _sub(original, "OrgnlNbOfTxs", str(len(instructions)))
            _sub(original, "OrgnlCtrlSum", _amount(sum(i.amount_ore for i in instructions)))
        _sub(original, "GrpSts", group)
        if reason_code is not None:
            _status_reason(original, reason_code, reason)
        if instructions:
            payment = _sub(report, "OrgnlPmtInfAndSts")
            _sub(payment, "OrgnlPmtInfId", message_id)
            _sub(payment, "PmtInfSts", group)
            for number, instruction in enumerate(instructions, start=1):
                transaction = _sub(payment, "TxInfAndSts")
                _sub(transaction, "StsId", f"{report_id}-{number}"[-35:])
                _sub(transaction, "OrgnlEndToEndId", instruction.end_to_end_id)
                _sub(transaction, "TxSts", instruction.status)
                if instruction.reason_code is not None:
                    _status_reason(transaction, instruction.reason_code, instruction.reason)
        return PayoutReceipt(
            message_id=message_id,
            group_status=group,
            status_report=_serialise(document),
            instructions=instructions,
            group_reason_code=reason_code,
        )

    def book(self, booking_date: date) -> bytes | None:
        """Pay every accepted payout: a camt.054 with their debits (``None`` when none wait)."""
        if not self.pending:
            return None
        paying, self.pending = self.pending, []
        self.booked.extend(paying)
        if self.balance_ore is not None:
            self.balance_ore -= sum(i.amount_ore for i in paying)
        return self._debit_notification(booking_date, paying, returned=False)

    def return_payout(self, end_to_end_id: str, booking_date: date) -> bytes:
        """The creditor's bank sends a booked payout back: a camt.054 credit marked reversal."""
        instruction = next(i for i in self.booked if i.end_to_end_id == end_to_end_id)
        self.booked.remove(instruction)
        if self.balance_ore is not None:
            self.balance_ore += instruction.amount_ore
        return self._debit_notification(booking_date, [instruction], returned=True)

    def _debit_notification(
        self, booking_date: date, instructions: list[PayoutInstruction], *, returned: bool
    ) -> bytes:
        number = next(self._reports)
        return camt054_file(
            account=self.account,
            booking_date=booking_date,
            message_id=f"CAMT054-{booking_date:%Y%m%d}-{number:06d}",
            debits=[
                BookedDebit(
                    end_to_end_id=i.end_to_end_id,
                    amount_ore=i.amount_ore,
                    creditor_account=i.creditor_account,
                    creditor_name=i.creditor_name,
                    message_id=i.message_id,
                    returned=returned,
                )
                for i in instructions
            ],
            version=self.camt_version,
            references=(self._references.next(booking_date) for _ in itertools.count()),
        )


def _status_reason(parent: ET.Element, code: str, reason: str | None) -> None:
    info = _sub(parent, "StsRsnInf")
    _sub(_sub(info, "Rsn"), "Cd", code)
    if reason:
        _sub(info, "AddtlInf", reason[:105])


# -- reading a pain.001 ------------------------------------------------------------------------


def _read_pain001(data: bytes) -> tuple[ET.Element, str]:
    if len(data) > MAX_FILE_BYTES:
        raise _Refused("FF01", f"the file is larger than {MAX_FILE_BYTES} bytes")
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except (ET.ParseError, DefusedXmlException) as exc:
        raise _Refused("FF01", f"not a well-formed, entity-free XML document: {exc}") from exc
    match = _PAIN001.fullmatch(root.tag.partition("}")[0].lstrip("{"))
    if match is None or not root.tag.endswith("}Document"):
        raise _Refused("FF01", "not a pain.001.001.03 or .09 document")
    return root, match.group(1)


def _q(element: ET.Element, *tags: str) -> str:
    namespace = element.tag.partition("}")[0] + "}" if element.tag.startswith("{") else ""
    return "/".join(namespace + tag for tag in tags)


def _find(element: ET.Element, *tags: str) -> ET.Element:
    found = element.find(_q(element, *tags))
    if found is None:
        raise _Refused("FF01", f"{'/'.join(tags)} is missing")
    return found


def _find_all(element: ET.Element, *tags: str) -> list[ET.Element]:
    return element.findall(_q(element, *tags))


def _text(element: ET.Element, *tags: str) -> str:
    text = (_find(element, *tags).text or "").strip()
    if not text:
        raise _Refused("FF01", f"{'/'.join(tags)} is empty")
    return text


def _account_text(element: ET.Element) -> str:
    found = element.find(_q(element, "Id", "IBAN"))
    if found is None:
        found = element.find(_q(element, "Id", "Othr", "Id"))
    if found is None or not (found.text or "").strip():
        raise _Refused("FF01", "an account without IBAN or Othr/Id")
    return (found.text or "").strip()


def _ore(text: str) -> int:
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:
        raise _Refused("FF01", f"{text!r} is not an amount") from exc
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise _Refused("FF01", f"{text!r} is not an amount in øre")
    return int(amount * 100)


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text[:10])
    except ValueError as exc:
        raise _Refused("FF01", f"{text!r} is not a date") from exc


def _valid_account(account: str) -> bool:
    compact = re.sub(r"[\s.]", "", account).upper()
    if compact[:2].isalpha():
        return bool(iban.is_valid(compact))
    return len(compact) == 11 and bool(kontonr.is_valid(compact))


def _bban_or_iban(account: str) -> str:
    """One spelling per Norwegian account: the BBAN (a Norwegian IBAN is reduced to it)."""
    compact = re.sub(r"[\s.]", "", account).upper()
    if compact.startswith("NO") and len(compact) == 15:
        return compact[4:]
    return compact


# -- the directory runner -------------------------------------------------------------------


def process_outgoing(bank: BankSimulator, directory: Path, booking_date: date) -> list[Path]:
    """Answer every pain.001 in ``directory/outgoing`` once; the answers go to ``incoming``.

    Each answered file moves to ``outgoing/processed``. Returns the files written.
    """
    outgoing, incoming = directory / "outgoing", directory / "incoming"
    processed = outgoing / "processed"
    for folder in (outgoing, incoming, processed):
        folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for path in sorted(outgoing.glob("*.xml")):
        receipt = bank.receive_pain001(path.read_bytes())
        written.append(_drop(incoming, f"pain002-{path.stem}.xml", receipt.status_report))
        debits = bank.book(booking_date)
        if debits is not None:
            written.append(_drop(incoming, f"camt054-{path.stem}.xml", debits))
        path.rename(processed / path.name)
    return written


def _drop(folder: Path, name: str, data: bytes) -> Path:
    """Write atomically: a reader never sees half a file."""
    partial = folder / f".{name}.{uuid.uuid4().hex}.part"
    partial.write_bytes(data)
    final = folder / name
    partial.replace(final)
    return final


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m simulators.bank serve|pay``: the bank for the local stack."""
    parser = argparse.ArgumentParser(prog="python -m simulators.bank", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="answer pain.001 files dropped in <dir>/outgoing")
    serve.add_argument("--dir", type=Path, required=True)
    serve.add_argument("--account", required=True, help="the agency's client-funds account")
    serve.add_argument("--interval", type=float, default=2.0)
    pay = commands.add_parser("pay", help="write a payment file to <dir>/incoming")
    pay.add_argument("--dir", type=Path, required=True)
    pay.add_argument("--account", required=True)
    pay.add_argument("--kid")
    pay.add_argument("--amount", required=True, help="kroner, e.g. 1234.50")
    pay.add_argument("--payer-name")
    pay.add_argument("--message")
    pay.add_argument("--format", choices=("ocr", "camt054"), default="ocr")
    args = parser.parse_args(argv)
    today = datetime.now(UTC).date()
    if args.command == "pay":
        payment = IncomingPayment(
            amount_ore=_ore(args.amount),
            kid=args.kid,
            payer_name=args.payer_name,
            message=args.message,
        )
        bank = BankSimulator(account=args.account)
        data = bank.receive_payments([payment], booking_date=today, file_format=args.format)
        suffix = "txt" if args.format == "ocr" else "xml"
        incoming = args.dir / "incoming"
        incoming.mkdir(parents=True, exist_ok=True)
        name = f"{args.format}-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}.{suffix}"
        print(_drop(incoming, name, data))
        return 0
    bank = BankSimulator(account=args.account)
    stop = threading.Event()
    try:
        while not stop.is_set():
            for path in process_outgoing(bank, args.dir, datetime.now(UTC).date()):
                print(path, flush=True)
            stop.wait(args.interval)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
