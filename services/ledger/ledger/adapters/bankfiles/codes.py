"""Stable codes for what the bank-file readers refuse, so a page can say it in its language.

Every :class:`~ledger.adapters.bankfiles.model.BankFileError` has a ``reason`` in English
(for developers and the logs of the integrations) and a ``code`` from :data:`CODES`, named
here from the reason each reader writes (OCR giro, camt.054, pain.002 and the XML layer
they share); the problem+json of a refused file sends the code with the ``line`` and the
``element`` (record field or XML path) it concerns. A reason no pattern knows is
``bank-file-invalid``.

Where a problem is gets a code too (``where``, :func:`location_code`): the formats' own
names of a record field or an XML element (``beløp``, ``Ntry/BookgDt``,
``TxInfAndSts/OrgnlEndToEndId``) are the readers' words, not a person's; the portal names
each location code in its language. A location no reader names here is ``other``.
"""

from __future__ import annotations

import re
from typing import Final

GENERIC: Final = "bank-file-invalid"

_PATTERNS: Final[tuple[tuple[str, re.Pattern[str]], ...]] = tuple(
    (code, re.compile(pattern))
    for code, pattern in (
        ("bank-file-too-many-errors", r"^too many errors"),
        ("bank-file-empty", r"^the file (is empty|has no records)"),
        (
            "bank-file-too-large",
            r"^(larger than \d+ bytes|nested deeper|more than \d+ elements|a text longer than)",
        ),
        ("bank-file-not-xml", r"^(not well-formed|forbidden \(DTD|unknown character encoding)"),
        ("bank-file-encoding", r"(byte-order mark|^control character)"),
        ("bank-file-record-length", r"^a record has \d+ characters"),
        ("bank-file-kid", r"KID"),
        ("bank-file-not-a-number", r"is not a number"),
        ("bank-file-not-a-date", r"is not a date"),
        ("bank-file-not-an-amount", r"is not an amount"),
        ("bank-file-sign", r"is not a sign"),
        ("bank-file-account", r"(is not an account number|names no account)"),
        ("bank-file-currency", r"^currency .*: only \w+ is read"),
        ("bank-file-direction", r"(neither CRDT nor DBIT|^(CRDT|DBIT) in a)"),
        ("bank-file-status-code", r"is not an ISO 20022 status code"),
        (
            "bank-file-not-ocr-giro",
            r"(is not OCR giro|forsendelse records have|is not the format code|"
            r"is not an OCR giro (record )?type)",
        ),
        ("bank-file-wrong-document", r"^not an? [\w.]+ document"),
        (
            "bank-file-totals",
            r"(declares .* (read|were read|sum to|has \d+)|its transactions sum to)",
        ),
        (
            "bank-file-order",
            r"(a record after|does not start with|^a second|has no end record|outside an? |"
            r"without an oppdrag start|follows no beløpspost|has no beløpspost|"
            r"no forsendelse end)",
        ),
        ("bank-file-missing", r"(^missing$|has no amount|without a booking date|has no Ntfctn)"),
    )
)

CODES: Final[frozenset[str]] = frozenset({GENERIC, *(code for code, _ in _PATTERNS)})
"""Every code a reader's refusal can carry (the portal has words for each, nb and en)."""


def reason_code(reason: str, field: str = "") -> str:
    """The stable code of a reader's ``reason`` (``field``: a KID's refusals by the field)."""
    for code, pattern in _PATTERNS:
        if pattern.search(reason):
            return code
    if field in ("KID", "CdtrRefInf/Ref"):
        return "bank-file-kid"
    return GENERIC


OTHER_LOCATION: Final = "other"

LOCATIONS: Final[dict[str, str]] = {
    # the file as a whole (any format)
    "file": "file",
    "body": "file",
    "XML": "file",
    "Document": "document",
    "encoding": "encoding",
    "record": "record",
    # OCR giro (record fields, as ocr.py names them)
    "record type": "record-type",
    "format code": "format-code",
    "service code": "service-code",
    "transaksjonstype": "transaction-type",
    "transaction number": "transaction-number",
    "fortegn": "sign",
    "beløp": "amount",
    "oppgjørsdato": "settlement-date",
    "oppdragsdato": "payment-date",
    "debetkonto": "payer-account",
    "KID": "kid",
    "antall transaksjoner": "declared-count",
    "antall records": "declared-records",
    "sum beløp": "declared-sum",
    # camt.054 (XML paths, as camt054.py names them)
    "GrpHdr/MsgId": "message-id",
    "Ntfctn": "notification",
    "Ntfctn/Acct": "account",
    "Ntry": "entry",
    "Ntry/Amt": "amount",
    "Ntry/CdtDbtInd": "direction",
    "Ntry/Sts": "entry-status",
    "Ntry/BookgDt": "booking-date",
    "TxDtls": "transaction",
    "TxDtls/Amt": "amount",
    "TxDtls/AmtDtls": "amount",
    "TxDtls/CdtDbtInd": "direction",
    "CdtrRefInf/Ref": "kid",
    "Btch/NbOfTxs": "declared-count",
    "TxsSummry/TtlCdtNtries": "declared-totals",
    "TxsSummry/TtlDbtNtries": "declared-totals",
    # pain.002 (the bank's status report on a payout file)
    "OrgnlGrpInfAndSts/OrgnlMsgId": "original-message-id",
    "GrpSts": "status-code",
    "PmtInfSts": "status-code",
    "TxSts": "status-code",
    "TxInfAndSts/TxSts": "status-code",
    "TxInfAndSts/OrgnlEndToEndId": "end-to-end-id",
}
"""A reader's name of a location (record field, XML path) → its location code."""

SCOPES: Final[dict[str, str]] = {
    "oppdrag ": "assignment-totals",
    "forsendelse ": "transmission-totals",
    "notification ": "notification-totals",
}
"""A control total's scope (``oppdrag 1000001``) by its first word → its location code."""

WHERE_CODES: Final[frozenset[str]] = frozenset(
    {OTHER_LOCATION, *LOCATIONS.values(), *SCOPES.values()}
)
"""Every location code a refusal can carry (the portal has words for each, nb and en)."""


def location_code(field: str) -> str:
    """The location code of a reader's field or a control total's scope (``other`` for a
    name not listed, such as an XML element nested too deep)."""
    if field in LOCATIONS:
        return LOCATIONS[field]
    for prefix, code in SCOPES.items():
        if field.startswith(prefix):
            return code
    return OTHER_LOCATION
