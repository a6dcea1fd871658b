"""Why a credit report is ordered: the stated purpose (saklig behov) (pure).

The 2022 law puts the duty to check a legitimate need on the bureau, but the orderer must
have a lawful, real and advance-defined interest (GDPR art. 6(1)(f)), routines for who may
order and when, and be able to answer «why was I checked?» (Datatilsynet's Recover AS
decision, 2022; ``shared/domain/credit.md`` §1.2). Every order therefore states one purpose
from this fixed list, with a text; some need more.

A kredittsperre (credit block) does not stop an inkasso agency's assessment and recovery
of claims, but does stop a creditor's check of its own (prospective) customer.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final


class PurposeCode(StrEnum):
    CASE_ASSESSMENT = "CASE_ASSESSMENT"
    """Vurdering og inndriving av krav i en sak."""
    LEGAL_STEP_ASSESSMENT = "LEGAL_STEP_ASSESSMENT"
    """Before a legal step: forliksklage, utlegg, konkursbegjæring."""
    PAYMENT_PLAN_ASSESSMENT = "PAYMENT_PLAN_ASSESSMENT"
    """Before granting an instalment plan (a credit element)."""
    CREDITOR_CREDIT_DECISION = "CREDITOR_CREDIT_DECISION"
    """The creditor's own credit decision on a declared (prospective) customer."""


INKASSO_PURPOSES: Final = frozenset(
    {
        PurposeCode.CASE_ASSESSMENT,
        PurposeCode.LEGAL_STEP_ASSESSMENT,
        PurposeCode.PAYMENT_PLAN_ASSESSMENT,
    }
)
"""Purposes a kredittsperre does not stop."""
NEEDS_CASE: Final = INKASSO_PURPOSES
"""Purposes about a claim under collection: the order names the case."""
MIN_TEXT: Final = 10
MAX_TEXT: Final = 500


class PurposeRefused(ValueError):
    """The stated purpose does not allow the order; ``code`` for the portal."""

    def __init__(self, field: str, code: str) -> None:
        super().__init__(f"{field}: {code}")
        self.field = field
        self.code = code


@dataclass(frozen=True, slots=True)
class StatedPurpose:
    code: PurposeCode
    text: str
    case_id: str | None = None
    relationship_declared: bool = False


def check(purpose: StatedPurpose) -> StatedPurpose:
    """The purpose if it allows an order, else :class:`PurposeRefused` naming the field."""
    text = purpose.text.strip()
    if len(text) < MIN_TEXT:
        raise PurposeRefused("purpose.text", "purpose-text-required")
    if len(text) > MAX_TEXT:
        raise PurposeRefused("purpose.text", "purpose-text-too-long")
    if purpose.code in NEEDS_CASE and not purpose.case_id:
        raise PurposeRefused("purpose.case_id", "case-required")
    if purpose.code is PurposeCode.CREDITOR_CREDIT_DECISION and not purpose.relationship_declared:
        raise PurposeRefused("purpose.relationship_declared", "relationship-not-declared")
    return StatedPurpose(purpose.code, text, purpose.case_id, purpose.relationship_declared)


def allowed_under_credit_block(code: PurposeCode) -> bool:
    return code in INKASSO_PURPOSES
