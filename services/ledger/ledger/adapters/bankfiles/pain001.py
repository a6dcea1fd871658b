"""Payout files to the bank (ISO 20022 pain.001) and the bank's status reports (pain.002).

Followed: ISO 20022 CustomerCreditTransferInitiation ``pain.001.001.09`` (the default) and
``pain.001.001.03`` (still the most widely accepted by Norwegian banks), laid out as the
Nordic banks' message implementation guides show a domestic credit transfer::

    GrpHdr: MsgId, CreDtTm, NbOfTxs, CtrlSum, InitgPty (Nm, Id/OrgId/Othr: orgnr, CUST)
    PmtInf: PmtInfId, PmtMtd TRF, BtchBookg false, NbOfTxs, CtrlSum,
            PmtTpInf (InstrPrty NORM, SvcLvl NURG, CtgyPurp SUPP),
            ReqdExctnDt (.09: Dt), Dbtr/Nm, DbtrAcct, DbtrAgt (BICFI; .03: BIC), ChrgBr SLEV
      CdtTrfTxInf: PmtId (InstrId, EndToEndId), Amt/InstdAmt@Ccy=NOK, Cdtr/Nm,
            CdtrAcct (IBAN, or Othr/Id with SchmeNm/Cd BBAN for a kontonummer),
            RmtInf (Ustrd, or Strd/CdtrRefInf SCOR with the KID and AddtlRmtInf)

and CustomerPaymentStatusReport ``pain.002.001.03`` / ``.10`` (OrgnlGrpInfAndSts/GrpSts,
OrgnlPmtInfAndSts/PmtInfSts, TxInfAndSts with OrgnlEndToEndId, TxSts and StsRsnInf).
Amounts are written from øre with exactly two decimals, never through a float;
``CtrlSum`` is the exact sum. Account numbers are checked with python-stdnum
(``stdnum.no.kontonr``, ``stdnum.iban``) before a file is written.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # writing only; reading goes through defusedxml
from datetime import UTC, datetime
from typing import IO, Final, Literal

from stdnum import iban
from stdnum.exceptions import ValidationError
from stdnum.no import kontonr, orgnr

from ledger.adapters.bankfiles._xml import (
    DEFAULT_MAX_BYTES,
    Node,
    XmlProblem,
    format_amount,
    iso_datetime,
    read_xml,
)
from ledger.adapters.bankfiles.kid import kid_problem
from ledger.adapters.bankfiles.model import (
    BankAnswer,
    BankFileError,
    InvalidPayoutBatch,
    Payout,
    PayoutBatch,
    PayoutStatus,
    payout_state,
)

Pain001Version = Literal["pain.001.001.09", "pain.001.001.03"]

CURRENCY: Final = "NOK"
MAX_AMOUNT_ORE: Final = 10**15
"""A payout of ten trillion kroner is a bug, not a settlement."""
MAX_PAYOUTS: Final = 100_000
PAIN002_PREFIX: Final = "urn:iso:std:iso:20022:tech:xsd:pain.002.001."
DEFAULT_MAX_ERRORS: Final = 1000

_ID: Final = re.compile(r"[A-Za-z0-9/\-?:().,'+ ]{1,35}")
_BIC: Final = re.compile(r"[A-Z]{6}[A-Z2-9][A-NP-Z0-9](?:[A-Z0-9]{3})?")
_XML_UNSAFE: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_STATUS: Final = re.compile(r"[A-Z]{4}")


def write_pain001(batch: PayoutBatch, *, version: Pain001Version = "pain.001.001.09") -> bytes:
    """The payout file (UTF-8 XML) for ``batch``; :class:`InvalidPayoutBatch` lists every fault.

    Nothing is written unless every payout can be paid as given: valid accounts, positive
    amounts, unique end-to-end ids, texts within the message's limits.
    """
    problems = _problems(batch)
    if problems:
        raise InvalidPayoutBatch(tuple(problems))
    v09 = version == "pain.001.001.09"
    namespace = f"urn:iso:std:iso:20022:tech:xsd:{version}"
    created_at = (batch.created_at or datetime.now(UTC)).replace(microsecond=0)
    count, control_sum = str(len(batch.payouts)), format_amount(batch.control_sum_ore)

    document = ET.Element("Document", {"xmlns": namespace})
    initiation = ET.SubElement(document, "CstmrCdtTrfInitn")
    header = ET.SubElement(initiation, "GrpHdr")
    _text(header, "MsgId", batch.message_id)
    _text(header, "CreDtTm", created_at.isoformat())
    _text(header, "NbOfTxs", count)
    _text(header, "CtrlSum", control_sum)
    initiating = ET.SubElement(header, "InitgPty")
    _text(initiating, "Nm", batch.debtor_name)
    if batch.debtor_organisation_number:
        other = _path(initiating, "Id", "OrgId", "Othr")
        _text(other, "Id", orgnr.compact(batch.debtor_organisation_number))
        _text(_path(other, "SchmeNm"), "Cd", "CUST")

    payment = ET.SubElement(initiation, "PmtInf")
    _text(payment, "PmtInfId", batch.message_id)
    _text(payment, "PmtMtd", "TRF")
    _text(payment, "BtchBookg", "false")
    _text(payment, "NbOfTxs", count)
    _text(payment, "CtrlSum", control_sum)
    kind = ET.SubElement(payment, "PmtTpInf")
    _text(kind, "InstrPrty", "NORM")
    _text(_path(kind, "SvcLvl"), "Cd", "NURG")
    _text(_path(kind, "CtgyPurp"), "Cd", "SUPP")
    execution = batch.requested_execution_date.isoformat()
    if v09:
        _text(_path(payment, "ReqdExctnDt"), "Dt", execution)
    else:
        _text(payment, "ReqdExctnDt", execution)
    _text(_path(payment, "Dbtr"), "Nm", batch.debtor_name)
    _account(ET.SubElement(payment, "DbtrAcct"), batch.debtor_account)
    institution = _path(payment, "DbtrAgt", "FinInstnId")
    if batch.debtor_agent_bic:
        _text(institution, "BICFI" if v09 else "BIC", batch.debtor_agent_bic)
    else:
        _text(_path(institution, "Othr"), "Id", "NOTPROVIDED")
    _text(payment, "ChrgBr", "SLEV")
    for payout in batch.payouts:
        _transfer(ET.SubElement(payment, "CdtTrfTxInf"), payout)

    ET.indent(document)
    written: bytes = ET.tostring(document, encoding="UTF-8", xml_declaration=True)
    return written + b"\n"


def _transfer(element: ET.Element, payout: Payout) -> None:
    ids = ET.SubElement(element, "PmtId")
    _text(ids, "InstrId", payout.end_to_end_id)
    _text(ids, "EndToEndId", payout.end_to_end_id)
    amount = _text(_path(element, "Amt"), "InstdAmt", format_amount(payout.amount_ore))
    amount.set("Ccy", CURRENCY)
    _text(_path(element, "Cdtr"), "Nm", payout.creditor_name)
    _account(ET.SubElement(element, "CdtrAcct"), payout.creditor_account)
    if payout.creditor_reference:
        structured = _path(element, "RmtInf", "Strd")
        reference = ET.SubElement(structured, "CdtrRefInf")
        _text(_path(reference, "Tp", "CdOrPrtry"), "Cd", "SCOR")
        _text(reference, "Ref", payout.creditor_reference)
        if payout.remittance:
            _text(structured, "AddtlRmtInf", payout.remittance)
    elif payout.remittance:
        _text(_path(element, "RmtInf"), "Ustrd", payout.remittance)


def _account(element: ET.Element, account: str) -> None:
    identification = ET.SubElement(element, "Id")
    number = _compact(account)
    if number[:2].isalpha():
        _text(identification, "IBAN", iban.compact(number))
    else:
        other = ET.SubElement(identification, "Othr")
        _text(other, "Id", number)  # all 11 digits (kontonr.compact drops a leading 0000)
        _text(_path(other, "SchmeNm"), "Cd", "BBAN")


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = text
    return element


def _path(parent: ET.Element, *tags: str) -> ET.Element:
    element = parent
    for tag in tags:
        element = ET.SubElement(element, tag)
    return element


def _compact(account: str) -> str:
    return re.sub(r"[\s.]", "", account).upper()


def account_problem(account: str) -> str | None:
    """Why ``account`` is neither a Norwegian account number nor an IBAN, or ``None``."""
    number = _compact(account)
    try:
        if number[:2].isalpha():
            iban.validate(number)
        elif len(number) != 11:
            return f"{account!r}: a Norwegian account number has 11 digits"
        else:
            kontonr.validate(number)
    except ValidationError as exc:
        kind = "IBAN" if number[:2].isalpha() else "kontonummer"
        return f"{account!r} is not a valid {kind} ({exc})"
    return None


def _problems(batch: PayoutBatch) -> list[BankFileError]:
    problems: list[BankFileError] = []

    def check(line: int, field_name: str, reason: str | None) -> None:
        if reason is not None:
            problems.append(BankFileError(line, field_name, reason))

    check(0, "message_id", _id_problem(batch.message_id))
    check(0, "debtor_account", account_problem(batch.debtor_account))
    check(0, "debtor_name", _text_problem(batch.debtor_name, 70))
    if batch.debtor_organisation_number is not None and not orgnr.is_valid(
        batch.debtor_organisation_number
    ):
        check(0, "debtor_organisation_number", "not a valid organisasjonsnummer")
    if batch.debtor_agent_bic is not None and not _BIC.fullmatch(batch.debtor_agent_bic):
        check(0, "debtor_agent_bic", f"{batch.debtor_agent_bic!r} is not a BIC")
    if not batch.payouts:
        check(0, "payouts", "a payout file needs at least one payout")
    if len(batch.payouts) > MAX_PAYOUTS:
        check(0, "payouts", f"more than {MAX_PAYOUTS} payouts in one file")
    seen: set[str] = set()
    for number, payout in enumerate(batch.payouts, start=1):
        check(number, "end_to_end_id", _id_problem(payout.end_to_end_id))
        if payout.end_to_end_id in seen:
            check(number, "end_to_end_id", f"{payout.end_to_end_id!r} is used twice")
        seen.add(payout.end_to_end_id)
        check(number, "creditor_account", account_problem(payout.creditor_account))
        check(number, "creditor_name", _text_problem(payout.creditor_name, 70))
        if not 0 < payout.amount_ore <= MAX_AMOUNT_ORE:
            check(number, "amount_ore", f"{payout.amount_ore} is not a positive amount")
        if payout.remittance is not None:
            check(number, "remittance", _text_problem(payout.remittance, 140))
        if payout.creditor_reference is not None:
            check(number, "creditor_reference", kid_problem(payout.creditor_reference))
    return problems


def _id_problem(value: str) -> str | None:
    if not _ID.fullmatch(value) or value.startswith("/") or "//" in value:
        return f"{value!r}: 1-35 of A-Z a-z 0-9 / - ? : ( ) . , ' + and space, no '//'"
    return None


def _text_problem(value: str, limit: int) -> str | None:
    if not value.strip():
        return "empty"
    if len(value) > limit:
        return f"longer than {limit} characters"
    if _XML_UNSAFE.search(value):
        return "contains control characters"
    return None


# -- the bank's answer (pain.002) -----------------------------------------------------------


def parse_pain002(
    source: bytes | IO[bytes],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_errors: int = DEFAULT_MAX_ERRORS,
) -> BankAnswer:
    """Read the bank's status report on a payout file. Never raises on bad input."""
    reader = _StatusReader(max_errors)
    _, fatal = read_xml(
        source,
        streamed=("GrpHdr", "OrgnlGrpInfAndSts", "TxInfAndSts"),
        on_element=reader.element,
        root=_check_pain002_root,
        max_bytes=max_bytes,
    )
    if fatal is not None:
        reader.errors = [fatal]
        reader.statuses = []
    elif reader.original_message_id is None and not reader.errors:
        reader.errors.append(BankFileError(0, "OrgnlGrpInfAndSts/OrgnlMsgId", "missing"))
    return BankAnswer(
        message_id=reader.message_id or "",
        original_message_id=reader.original_message_id or "",
        group_status=reader.group_status or reader.payment_status,
        statuses=tuple(reader.statuses),
        errors=tuple(reader.errors),
        created_at=reader.created_at,
        group_reason_code=reader.group_reason,
    )


def _check_pain002_root(namespace: str, local: str) -> str | None:
    if local != "Document" or not namespace.startswith(PAIN002_PREFIX):
        return f"not a pain.002 document ({{{namespace}}}{local})"
    return None


class _StatusReader:
    def __init__(self, max_errors: int) -> None:
        self.max_errors = max_errors
        self.errors: list[BankFileError] = []
        self.statuses: list[PayoutStatus] = []
        self.message_id: str | None = None
        self.created_at: datetime | None = None
        self.original_message_id: str | None = None
        self.group_status: str | None = None
        self.group_reason: str | None = None
        self.payment_status: str | None = None

    def error(self, line: int, field_name: str, reason: str) -> None:
        self.errors.append(BankFileError(line, field_name, reason))
        if len(self.errors) >= self.max_errors:
            self.errors.append(BankFileError(line, "file", "too many errors: reading stopped"))
            raise XmlProblem(self.errors[-1])

    def element(self, node: Node, ancestors: list[Node]) -> None:
        if node.tag == "GrpHdr":
            self.message_id = node.text_of("MsgId")
            self.created_at = iso_datetime(node.text_of("CreDtTm"))
            if self.message_id is None:
                self.error(node.line, "GrpHdr/MsgId", "missing")
        elif node.tag == "OrgnlGrpInfAndSts":
            self.original_message_id = node.text_of("OrgnlMsgId")
            if self.original_message_id is None:
                self.error(node.line, "OrgnlGrpInfAndSts/OrgnlMsgId", "missing")
            self.group_status = self.status_code(node, "GrpSts")
            self.group_reason = _reason_code(node)
        elif node.tag == "TxInfAndSts":
            self.transaction(node, ancestors)

    def status_code(self, node: Node, tag: str) -> str | None:
        code = node.text_of(tag)
        if code is not None and not _STATUS.fullmatch(code):
            self.error(node.line, tag, f"{code!r} is not an ISO 20022 status code")
            return None
        return code

    def transaction(self, node: Node, ancestors: list[Node]) -> None:
        payment_info = next((a for a in ancestors if a.tag == "OrgnlPmtInfAndSts"), None)
        inherited = None
        if payment_info is not None:
            inherited = self.status_code(payment_info, "PmtInfSts")
            self.payment_status = self.payment_status or inherited
        end_to_end_id = node.text_of("OrgnlEndToEndId")
        if end_to_end_id is None:
            self.error(node.line, "TxInfAndSts/OrgnlEndToEndId", "missing")
            return
        code = self.status_code(node, "TxSts") or inherited or self.group_status
        if code is None:
            self.error(node.line, "TxInfAndSts/TxSts", "missing")
            return
        reasons = [
            text
            for text in (info.text.strip() for info in node.find_all("StsRsnInf", "AddtlInf"))
            if text
        ]
        self.statuses.append(
            PayoutStatus(
                end_to_end_id=end_to_end_id,
                state=payout_state(code),
                status_code=code,
                reason_code=_reason_code(node),
                reason=" ".join(reasons) or None,
            )
        )


def _reason_code(node: Node) -> str | None:
    return node.text_of("StsRsnInf", "Rsn", "Cd") or node.text_of("StsRsnInf", "Rsn", "Prtry")
