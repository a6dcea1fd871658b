"""Reader of ISO 20022 camt.054 (BankToCustomerDebitCreditNotification): credits and debits.

Followed: ISO 20022 message definition camt.054.001.02 and .001.08 (both appear in
Norwegian banks' files; every ``camt.054.001.*`` namespace is read the same way), and the
Norwegian banks' usage of the KID as ``RmtInf/Strd/CdtrRefInf/Ref`` with
``Tp/CdOrPrtry/Cd = SCOR`` (domain notes §3.5). Per notification (``Ntfctn``): the account
(``Acct/Id/IBAN`` or ``Othr/Id``), the summary (``TxsSummry``), and the entries::

    Ntry: Amt@Ccy, CdtDbtInd (CRDT/DBIT), RvslInd, Sts (BOOK; .08: Sts/Cd), BookgDt, ValDt,
          AcctSvcrRef, BkTxCd, NtryDtls/Btch (NbOfTxs, TtlAmt)
      NtryDtls/TxDtls: Refs (AcctSvcrRef, EndToEndId), Amt (.04+) or AmtDtls/TxAmt/Amt,
          RltdPties (Dbtr/Nm or Dbtr/Pty/Nm, DbtrAcct, CdtrAcct), RmtInf (Ustrd, Strd),
          RltdDts (AccptncDtTm, IntrBkSttlmDt)

Only booked entries (``BOOK``) count. A credit is an incoming payment; a debit marked as a
reversal (``RvslInd``) takes one back (negative amount). A debit is a payout the bank has
booked (:class:`~ledger.adapters.bankfiles.model.PayoutBooking`, matched by ``EndToEndId``);
a credit marked as a reversal returns one (negative amount).

A document that is not well-formed, not camt.054, too large or uses a DTD or entities is
refused whole (one error, no payments); a bad entry or transaction spoils only itself.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Final

from ledger.adapters.bankfiles._xml import (
    DEFAULT_MAX_BYTES,
    Node,
    XmlProblem,
    amount_ore,
    iso_date,
    iso_datetime,
    read_xml,
)
from ledger.adapters.bankfiles.kid import KidScheme, kid_problem
from ledger.adapters.bankfiles.model import (
    BankFileError,
    BankPayment,
    ControlTotal,
    ParsedBankFile,
    PayoutBooking,
)

NAMESPACE_PREFIX: Final = "urn:iso:std:iso:20022:tech:xsd:camt.054.001."
MESSAGE: Final = "BkToCstmrDbtCdtNtfctn"
CURRENCY: Final = "NOK"
DEFAULT_MAX_ERRORS: Final = 1000

_KID_LIKE: Final = re.compile(r"[0-9]{1,24}[0-9-]")


def parse_camt054(
    source: bytes | IO[bytes],
    *,
    kid_scheme: KidScheme = "either",
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_errors: int = DEFAULT_MAX_ERRORS,
) -> ParsedBankFile:
    """Read a camt.054 notification: its booked payments and payout bookings, and problems.

    ``source`` is the document's bytes or a binary file object (read in chunks). It never
    raises on bad input.
    """
    reader = _Reader(kid_scheme=kid_scheme, max_errors=max_errors)
    root, fatal = read_xml(
        source,
        streamed=("TxDtls", "Ntry", "Ntfctn", "GrpHdr"),
        on_element=reader.element,
        root=_check_root,
        max_bytes=max_bytes,
    )
    if fatal is not None:
        return ParsedBankFile(
            source_format="camt054", file_id=reader.message_id, payments=(), errors=(fatal,)
        )
    if root is not None and not reader.notifications:
        reader.errors.append(BankFileError(root.line, "Ntfctn", "the message has no Ntfctn"))
    return ParsedBankFile(
        source_format="camt054",
        file_id=reader.message_id,
        payments=tuple(reader.payments),
        errors=tuple(reader.errors),
        controls=tuple(reader.controls),
        payout_bookings=tuple(reader.bookings),
        created_at=reader.created_at,
    )


def _check_root(namespace: str, local: str) -> str | None:
    if local != "Document" or not namespace.startswith(NAMESPACE_PREFIX):
        return f"not a camt.054 document ({{{namespace}}}{local})"
    return None


@dataclass(slots=True)
class _Totals:
    count: int = 0
    ore: int = 0

    def add(self, ore: int) -> None:
        self.count += 1
        self.ore += ore


@dataclass(slots=True)
class _Entry:
    """What the entry (``Ntry``) says that its transactions share."""

    line: int
    amount_ore: int
    credit: bool
    reversal: bool
    booked: bool
    booking_date: date | None
    value_date: date | None
    reference: str | None
    bank_code: str | None
    info: str | None
    transactions: int = 0
    transactions_ore: int = 0
    amounts_complete: bool = True
    without_amount: list[tuple[Node, Node, int]] = field(default_factory=list)


@dataclass(slots=True)
class _Reader:
    kid_scheme: KidScheme
    max_errors: int
    errors: list[BankFileError] = field(default_factory=list)
    payments: list[BankPayment] = field(default_factory=list)
    bookings: list[PayoutBooking] = field(default_factory=list)
    controls: list[ControlTotal] = field(default_factory=list)
    message_id: str | None = None
    created_at: datetime | None = None
    notifications: int = 0
    credits: _Totals = field(default_factory=_Totals)
    debits: _Totals = field(default_factory=_Totals)
    entry: _Entry | None = None
    entry_node: Node | None = None

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
        elif node.tag == "TxDtls":
            entry_node = next((a for a in reversed(ancestors) if a.tag == "Ntry"), None)
            notification = next((a for a in ancestors if a.tag == "Ntfctn"), None)
            if entry_node is None or notification is None:
                self.error(node.line, "TxDtls", "outside a Ntry of a Ntfctn")
                return
            entry = self.entry_for(entry_node)
            if entry is not None:
                self.transaction(node, entry, notification, index=entry.transactions)
        elif node.tag == "Ntry":
            notification = next((a for a in ancestors if a.tag == "Ntfctn"), None)
            if notification is None:
                self.error(node.line, "Ntry", "outside a Ntfctn")
                return
            self.finish_entry(node, notification)
        elif node.tag == "Ntfctn":
            self.finish_notification(node)

    # -- entries --------------------------------------------------------------------------

    def entry_for(self, node: Node) -> _Entry | None:
        """The entry's shared fields, read once (its header precedes its transactions)."""
        if self.entry_node is node:
            return self.entry
        self.entry_node, self.entry = node, self.read_entry(node)
        return self.entry

    def read_entry(self, node: Node) -> _Entry | None:
        errors_before = len(self.errors)
        amount = self.amount(node, ("Amt",), "Ntry/Amt")
        indicator = node.text_of("CdtDbtInd")
        if indicator not in ("CRDT", "DBIT"):
            self.error(node.line, "Ntry/CdtDbtInd", f"{indicator!r} is neither CRDT nor DBIT")
        status = node.text_of("Sts", "Cd") or node.text_of("Sts")
        if status is None:
            self.error(node.line, "Ntry/Sts", "missing")
        booked = status == "BOOK"
        booking_date = _date(node, "BookgDt")
        if booked and booking_date is None:
            self.error(node.line, "Ntry/BookgDt", "a booked entry without a booking date")
        if len(self.errors) > errors_before or amount is None:
            return None
        reversal = (node.text_of("RvslInd") or "false").lower() in ("true", "1")
        return _Entry(
            line=node.line,
            amount_ore=amount,
            credit=indicator == "CRDT",
            reversal=reversal,
            booked=booked,
            booking_date=booking_date,
            value_date=_date(node, "ValDt"),
            reference=node.text_of("AcctSvcrRef") or node.text_of("NtryRef"),
            bank_code=_bank_code(node),
            info=node.text_of("AddtlNtryInf"),
        )

    def finish_entry(self, node: Node, notification: Node) -> None:
        entry = self.entry_for(node)
        self.entry_node, self.entry = None, None
        if entry is None:
            return
        (self.credits if entry.credit else self.debits).add(entry.amount_ore)
        if entry.transactions == 0:
            # an entry without transaction details stands for one transaction
            self.record(
                Node(tag="TxDtls", line=node.line), entry, notification, 0, entry.amount_ore
            )
            return
        if entry.without_amount:
            if entry.transactions == 1:
                only, its_notification, index = entry.without_amount[0]
                entry.transactions_ore += entry.amount_ore
                self.record(only, entry, its_notification, index, entry.amount_ore)
            else:
                entry.amounts_complete = False
                for missing, _, _ in entry.without_amount:
                    self.error(missing.line, "TxDtls/Amt", "a transaction of a batch has no amount")
        batch_count = _int(node.text_of("NtryDtls", "Btch", "NbOfTxs"))
        if batch_count is not None and batch_count != entry.transactions:
            self.error(
                node.line,
                "Btch/NbOfTxs",
                f"the batch declares {batch_count} transactions, {entry.transactions} were read",
            )
        if entry.amounts_complete and entry.transactions_ore != entry.amount_ore:
            self.error(
                node.line,
                "Ntry/Amt",
                f"the entry is {entry.amount_ore} øre, its transactions sum to "
                f"{entry.transactions_ore}",
            )

    # -- transactions ---------------------------------------------------------------------

    def transaction(self, node: Node, entry: _Entry, notification: Node, *, index: int) -> None:
        entry.transactions += 1
        if node.find("Amt") is not None:
            amount = self.amount(node, ("Amt",), "TxDtls/Amt")
        elif node.find("AmtDtls", "TxAmt", "Amt") is not None:
            amount = self.amount(node, ("AmtDtls", "TxAmt", "Amt"), "TxDtls/AmtDtls")
        else:
            # the entry's amount, if this is its only transaction (known when it ends)
            entry.without_amount.append((node, notification, index))
            return
        if amount is None:
            entry.amounts_complete = False
            return
        entry.transactions_ore += amount
        self.record(node, entry, notification, index, amount)

    def record(
        self, node: Node, entry: _Entry, notification: Node, index: int, amount: int
    ) -> None:
        indicator = node.text_of("CdtDbtInd")
        if indicator is not None and indicator != ("CRDT" if entry.credit else "DBIT"):
            self.error(node.line, "TxDtls/CdtDbtInd", f"{indicator} in a {_direction(entry)} entry")
            return
        booking_date = entry.booking_date
        if not entry.booked or booking_date is None:
            return  # pending or information only; a booked entry has a date (read_entry)
        account = _account(notification.find("Acct"))
        transaction_id = _transaction_id(node, entry, account, index)
        incoming = entry.credit != entry.reversal
        if incoming:
            self.payments.append(
                self.payment(node, entry, account, transaction_id, amount, booking_date)
            )
        else:
            self.bookings.append(
                PayoutBooking(
                    transaction_id=transaction_id,
                    end_to_end_id=_end_to_end_id(node),
                    amount_ore=-amount if entry.reversal else amount,
                    booking_date=booking_date,
                    value_date=entry.value_date,
                    creditor_account=_account(node.find("RltdPties", "CdtrAcct")),
                    line=node.line,
                )
            )

    def payment(
        self,
        node: Node,
        entry: _Entry,
        account: str | None,
        transaction_id: str,
        amount: int,
        booking_date: date,
    ) -> BankPayment:
        reference = _creditor_reference(node)
        kid: str | None = None
        rejected_kid: str | None = None
        texts = [
            text for text in (t.text.strip() for t in node.find_all("RmtInf", "Ustrd")) if text
        ]
        if reference is not None:
            if _KID_LIKE.fullmatch(reference):
                problem = kid_problem(reference, self.kid_scheme)
                if problem is None:
                    kid = reference
                else:
                    rejected_kid = reference
                    self.error(node.line, "CdtrRefInf/Ref", f"{reference!r}: {problem}")
            else:
                texts.insert(0, reference)  # e.g. an RF creditor reference, not a KID
        if not texts:
            extra = node.text_of("AddtlTxInf") or entry.info
            texts = [extra] if extra else []
        payer = node.find("RltdPties", "Dbtr")
        payer_name = None
        if payer is not None:
            payer_name = payer.text_of("Nm") or payer.text_of("Pty", "Nm")
        return BankPayment(
            transaction_id=transaction_id,
            kid=kid,
            amount_ore=-amount if entry.reversal else amount,
            booking_date=booking_date,
            value_date=entry.value_date,
            payer_account=_account(node.find("RltdPties", "DbtrAcct")),
            payer_name=payer_name,
            free_text=" ".join(texts) or None,
            source_format="camt054",
            line=node.line,
            creditor_account=account,
            transaction_type=_bank_code(node) or entry.bank_code,
            payment_date=_date(node, "RltdDts", "AccptncDtTm")
            or _date(node, "RltdDts", "IntrBkSttlmDt"),
            rejected_kid=rejected_kid,
        )

    def amount(self, node: Node, path: tuple[str, ...], name: str) -> int | None:
        element = node.find(*path)
        if element is None:
            self.error(node.line, name, "missing")
            return None
        currency = element.attributes.get("Ccy")
        if currency != CURRENCY:
            self.error(element.line, name, f"currency {currency!r}: only {CURRENCY} is read")
            return None
        ore = amount_ore(element.text.strip())
        if ore is None:
            self.error(element.line, name, f"{element.text.strip()!r} is not an amount")
        return ore

    # -- notifications --------------------------------------------------------------------

    def finish_notification(self, node: Node) -> None:
        self.notifications += 1
        name = node.text_of("Id") or str(self.notifications)
        if node.find("Acct") is None or _account(node.find("Acct")) is None:
            self.error(node.line, "Ntfctn/Acct", "the notification names no account")
        summary = node.find("TxsSummry")
        credits, debits = self.credits, self.debits
        self.credits, self.debits = _Totals(), _Totals()
        if summary is None:
            return
        for label, path, totals in (
            ("credits", "TtlCdtNtries", credits),
            ("debits", "TtlDbtNtries", debits),
        ):
            declared = summary.find(path)
            if declared is None:
                continue
            count = _int(declared.text_of("NbOfNtries"))
            total = amount_ore(declared.text_of("Sum"))
            control = ControlTotal(
                f"notification {name} {label}", count, totals.count, total, totals.ore
            )
            self.controls.append(control)
            if not control.matches:
                self.error(
                    declared.line,
                    f"TxsSummry/{path}",
                    f"declares {count} entries of {total} øre, read {totals.count} of {totals.ore}",
                )


def _direction(entry: _Entry) -> str:
    return "CRDT" if entry.credit else "DBIT"


def _int(text: str | None) -> int | None:
    return int(text) if text is not None and text.isascii() and text.isdigit() else None


def _date(node: Node, *path: str) -> date | None:
    element = node.find(*path)
    if element is None:
        return None
    if element.children:
        return iso_date(element.text_of("Dt") or element.text_of("DtTm"))
    return iso_date(element.text.strip())


def _account(node: Node | None) -> str | None:
    if node is None:
        return None
    return node.text_of("Id", "IBAN") or node.text_of("Id", "Othr", "Id")


def _bank_code(node: Node) -> str | None:
    code = node.find("BkTxCd")
    if code is None:
        return None
    domain = code.find("Domn")
    if domain is not None:
        parts = (
            domain.text_of("Cd"),
            domain.text_of("Fmly", "Cd"),
            domain.text_of("Fmly", "SubFmlyCd"),
        )
        return "/".join(part for part in parts if part) or None
    return code.text_of("Prtry", "Cd")


def _creditor_reference(node: Node) -> str | None:
    for structured in node.find_all("RmtInf", "Strd"):
        for reference in structured.find_all("CdtrRefInf"):
            text = reference.text_of("Ref")
            if text:
                return text
    return None


def _end_to_end_id(node: Node) -> str | None:
    value = node.text_of("Refs", "EndToEndId")
    return None if value in (None, "NOTPROVIDED") else value


def _transaction_id(node: Node, entry: _Entry, account: str | None, index: int) -> str:
    """The bank's own reference of the transaction, stable when the file is read again."""
    own = node.text_of("Refs", "AcctSvcrRef")
    if own is not None:
        reference = own
    elif entry.reference is not None:
        reference = entry.reference if index == 0 else f"{entry.reference}/{index}"
    else:
        facts = "|".join(
            str(fact)
            for fact in (
                entry.booking_date,
                entry.amount_ore,
                node.text_of("Refs", "EndToEndId"),
                _creditor_reference(node),
                entry.line,
                index,
            )
        )
        reference = "sha256-" + hashlib.sha256(facts.encode()).hexdigest()[:32]
    return f"camt054:{account or '?'}:{reference}"
