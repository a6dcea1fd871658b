"""Correcting an issued settlement statement: a credit note (kreditnota) and, where the
statement's master data was wrong, a replacement statement.

An issued document is never changed (bokføringsforskriften; Altinn «krav til bilag»:
corrections by credit note). A correction of a statement is therefore two new documents
at most, numbered in the statements' own gapless series (``AVR-<year>-<n>``):

- the **credit note**: the statement's lines with every amount negated (the VAT the
  statement printed, negated line by line, not computed again), naming the statement's
  number and date; its posting proposal is the statement's with debit and credit swapped;
- for a correction of **master data** (the creditor's name, organisation number or
  address, or the account mapping of the posting proposal), a **replacement statement**
  of the same settlement as the read model holds it now, naming the statement it replaces
  and the credit note that cancelled it.

The reasons are a fixed list (:data:`REASONS`); ``settlement_reversed`` is kept for the
ledger's event of a reversed settlement (ADR, not given by a person today).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

from reports.domain.postings import Posting
from reports.domain.statement import Statement, StatementLine

Reason = Literal[
    "creditor_name",
    "creditor_organisation_number",
    "creditor_address",
    "account_mapping",
    "issued_in_error",
    "settlement_reversed",
]
REASONS: tuple[Reason, ...] = (
    "creditor_name",
    "creditor_organisation_number",
    "creditor_address",
    "account_mapping",
    "issued_in_error",
    "settlement_reversed",
)
MASTER_DATA: frozenset[Reason] = frozenset(
    {"creditor_name", "creditor_organisation_number", "creditor_address", "account_mapping"}
)
"""Reasons that make a replacement statement beside the credit note."""
GIVEN_BY_STAFF: tuple[Reason, ...] = tuple(r for r in REASONS if r != "settlement_reversed")
"""Reasons an agency administrator may give (the other comes from the ledger's event)."""

REASON_TEXT: dict[Reason, str] = {
    "creditor_name": "feil navn på oppdragsgiver",
    "creditor_organisation_number": "feil organisasjonsnummer på oppdragsgiver",
    "creditor_address": "feil adresse på oppdragsgiver",
    "account_mapping": "feil kontoplan i bokføringsforslaget",
    "issued_in_error": "avregningen ble utstedt ved en feil",
    "settlement_reversed": "oppgjøret er tilbakeført i reskontro",
}
"""How the documents print a reason (bokmål)."""

CORRECTABLE_KINDS = frozenset({"settlement_statement"})


def replaces_statement(reason: Reason) -> bool:
    """Whether a correction for ``reason`` issues a replacement statement."""
    return reason in MASTER_DATA


def negated_line(line: StatementLine) -> StatementLine:
    """The line with every amount's sign turned (its VAT too, as printed)."""
    return replace(
        line,
        principal_ore=-line.principal_ore,
        interest_ore=-line.interest_ore,
        reminder_fees_ore=-line.reminder_fees_ore,
        collection_fees_ore=-line.collection_fees_ore,
        court_fees_ore=-line.court_fees_ore,
        commission_ore=-line.commission_ore,
        net_ore=-line.net_ore,
        vat_ore=-line.vat_ore,
    )


def credit_of(statement: Statement) -> Statement:
    """The credit note's lines: the statement's, in its order, every amount negated."""
    return Statement(
        tuple(negated_line(x) for x in statement.lines),
        -statement.credit_report_charges_ore,
        statement.vat_deductible,
    )


def reversed_postings(postings: list[Posting]) -> list[Posting]:
    """A posting proposal that cancels ``postings``: each row's debit and credit swapped."""
    return [replace(p, debit_ore=p.credit_ore, credit_ore=p.debit_ore) for p in postings]


@dataclass(frozen=True, slots=True)
class CorrectedDocument:
    """What a credit note or a replacement prints about the statement it corrects."""

    number: str
    issued_on: date
    reason: Reason
    credit_note_number: str | None = None
    """On a replacement: the credit note that cancelled the statement."""
    replacement_number: str | None = None
    """On a credit note: the statement that replaces the one it cancels, if any."""

    @property
    def reason_text(self) -> str:
        return REASON_TEXT[self.reason]
