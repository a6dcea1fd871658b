"""What a creditor hands over: a debtor and the overdue claims against them.

One set of rules for every channel (API, form, file import): :func:`validated` checks a
:class:`CaseRegistration` and names every problem with the field it is in, so an import
can report a bad row's column and a form its field, and nothing invalid gets in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Literal

from cases.domain.identifiers import (
    InvalidIdentifier,
    national_identity_number,
    organisation_number,
)
from cases.domain.limitation import CLAIM_TYPES

DebtorKind = Literal["person", "business"]
Channel = Literal["api", "form", "import"]

MAX_PRINCIPAL_ORE = 100_000_000_000  # 1 000 000 000 kr: above is a typing error, not a claim
MAX_CLAIMS = 100
DEMAND_DAYS = 30
"""Forsinkelsesrenteloven § 2 first paragraph: interest 30 days after a written demand."""
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_PHONE = re.compile(r"^\+?[0-9]{5,15}$")
_POSTAL_CODE_NO = re.compile(r"^\d{4}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_REFERENCE = re.compile(r"^[\w\-./ :#]{1,60}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
"""Control characters, and unpaired surrogates (a JSON file's ``\\ud800``): no text holds them."""


@dataclass(frozen=True)
class FieldError:
    """One problem with one field: ``field`` is a path such as ``claims[0].due_date``.

    ``code`` is stable, for clients that translate (the portal does, and the import's error
    files: :mod:`cases.domain.import_reasons`), with the ``values`` its words need
    (``case_number``, ``limit``); ``reason`` is English, for developers."""

    field: str
    reason: str
    code: str = ""
    values: tuple[tuple[str, str], ...] = ()

    def as_problem(self) -> dict[str, str]:
        """The problem+json ``errors`` member: field, reason, and code with its values."""
        out = {"field": self.field, "reason": self.reason}
        if self.code:
            out["code"] = self.code
            out.update(self.values)
        return out


class RegistrationRejected(ValueError):
    """A registration with one or more field errors."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.reason}" for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class Address:
    lines: tuple[str, ...]
    postal_code: str
    city: str
    country: str = "NO"


@dataclass(frozen=True)
class Debtor:
    """The debtor (skyldner): a person (national id number) or a business (orgnr)."""

    kind: DebtorKind
    name: str
    address: Address
    national_id: str | None = field(default=None, repr=False)
    organisation_number: str | None = None
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class ReminderSent:
    """A purring (or varsel) the creditor sent on a claim, with the fee it carried (0: none);
    the ledger counts them for the two reminder fees of inkassoforskriften § 1-3."""

    sent_on: date
    fee_ore: int


@dataclass(frozen=True)
class Claim:
    """One overdue invoice."""

    invoice_number: str
    invoice_date: date
    due_date: date
    principal_ore: int
    reminder_fee_ore: int = 0
    claim_type: str = "ordinary"
    """``ordinary`` (three-year limitation) or ``loan``: a pengelån or a claim with a
    gjeldsbrev (foreldelsesloven § 5, ten years)."""
    demand_sent_on: date | None = None
    """No due date was agreed in advance: the day the creditor sent a written demand
    (påkrav). Interest runs only after 30 days (forsinkelsesrenteloven § 2)."""
    reminders: tuple[ReminderSent, ...] | None = None
    """The reminders the creditor sent, as events (None: only ``reminder_fee_ore`` given);
    their fees add up to ``reminder_fee_ore``."""

    @property
    def interest_due_date(self) -> date | None:
        """30 days after the påkrav: interest runs from the day after (as from a due date)."""
        if self.demand_sent_on is None:
            return None
        return self.demand_sent_on + timedelta(days=DEMAND_DAYS)


@dataclass(frozen=True)
class CaseRegistration:
    """A case as the creditor describes it: their reference, the debtor, the claims."""

    creditor_reference: str
    debtor: Debtor
    claims: tuple[Claim, ...]

    @property
    def principal_total_ore(self) -> int:
        return sum(c.principal_ore for c in self.claims)


def _limit(limit: int) -> tuple[tuple[str, str], ...]:
    return (("limit", str(limit)),)


def _text(
    errors: list[FieldError], value: str, path: str, *, limit: int, required: bool = True
) -> None:
    if not value or value.isspace():
        if required:
            errors.append(FieldError(path, "is required", "required"))
        return
    if len(value) > limit:
        errors.append(
            FieldError(path, f"is longer than {limit} characters", "too_long", _limit(limit))
        )
    if _CONTROL.search(value):
        errors.append(FieldError(path, "contains control characters", "control_characters"))


def _debtor_errors(debtor: Debtor, errors: list[FieldError]) -> None:
    _text(errors, debtor.name, "debtor.name", limit=200)
    if debtor.kind == "person":
        if not debtor.national_id:
            errors.append(
                FieldError("debtor.national_id", "is required for a person", "required_for_person")
            )
        if debtor.organisation_number:
            errors.append(
                FieldError(
                    "debtor.organisation_number",
                    "is only for a business debtor",
                    "only_for_business",
                )
            )
    elif debtor.kind == "business":
        if not debtor.organisation_number:
            errors.append(
                FieldError(
                    "debtor.organisation_number",
                    "is required for a business",
                    "required_for_business",
                )
            )
        if debtor.national_id:
            errors.append(
                FieldError("debtor.national_id", "is only for a person debtor", "only_for_person")
            )
    else:
        errors.append(FieldError("debtor.kind", "must be 'person' or 'business'", "debtor_kind"))
    address = debtor.address
    if not address.lines or all(not line or line.isspace() for line in address.lines):
        errors.append(
            FieldError(
                "debtor.address.lines",
                "at least one address line is required",
                "address_missing",
            )
        )
    if len(address.lines) > 3:
        errors.append(
            FieldError("debtor.address.lines", "at most 3 address lines", "too_many_address_lines")
        )
    for i, line in enumerate(address.lines):
        _text(errors, line, f"debtor.address.lines[{i}]", limit=100, required=False)
    if not _COUNTRY.fullmatch(address.country):
        errors.append(
            FieldError(
                "debtor.address.country",
                "must be a two-letter country code (ISO 3166)",
                "country_code",
            )
        )
    elif address.country == "NO" and not _POSTAL_CODE_NO.fullmatch(address.postal_code):
        errors.append(
            FieldError(
                "debtor.address.postal_code",
                "a Norwegian postal code has 4 digits",
                "postal_code",
            )
        )
    else:
        _text(errors, address.postal_code, "debtor.address.postal_code", limit=12)
    _text(errors, address.city, "debtor.address.city", limit=100)
    if debtor.email is not None and (
        not _EMAIL.fullmatch(debtor.email) or _CONTROL.search(debtor.email)
    ):
        errors.append(FieldError("debtor.email", "is not an e-mail address", "email"))
    if debtor.email is not None and len(debtor.email) > 254:
        errors.append(
            FieldError("debtor.email", "is longer than 254 characters", "too_long", _limit(254))
        )
    if debtor.phone is not None and not _PHONE.fullmatch(debtor.phone):
        errors.append(
            FieldError("debtor.phone", "must be 5-15 digits, optionally after '+'", "phone")
        )


def _claim_errors(claim: Claim, i: int, today: date, errors: list[FieldError]) -> None:
    if (
        claim.invoice_number
        and len(claim.invoice_number) <= 40
        and claim.invoice_date <= claim.due_date < today
        and 0 < claim.principal_ore <= MAX_PRINCIPAL_ORE
        and 0 <= claim.reminder_fee_ore <= claim.principal_ore
        and not claim.invoice_number.isspace()
        and not _CONTROL.search(claim.invoice_number)
        and claim.claim_type in CLAIM_TYPES
        and claim.demand_sent_on is None
        and claim.reminders is None
    ):
        return  # the usual case, in one test
    path = f"claims[{i}]"
    _text(errors, claim.invoice_number, f"{path}.invoice_number", limit=40)
    if claim.due_date < claim.invoice_date:
        errors.append(
            FieldError(f"{path}.due_date", "is before the invoice date", "before_invoice_date")
        )
    if claim.due_date >= today:
        errors.append(FieldError(f"{path}.due_date", "the claim is not overdue yet", "not_overdue"))
    if claim.invoice_date > today:
        errors.append(FieldError(f"{path}.invoice_date", "is in the future", "in_future"))
    if claim.principal_ore <= 0:
        errors.append(
            FieldError(f"{path}.principal_ore", "must be a positive amount", "not_positive")
        )
    elif claim.principal_ore > MAX_PRINCIPAL_ORE:
        errors.append(
            FieldError(f"{path}.principal_ore", "is larger than 1 000 000 000 kr", "too_large")
        )
    if claim.reminder_fee_ore < 0:
        errors.append(FieldError(f"{path}.reminder_fee_ore", "must not be negative", "negative"))
    if claim.demand_sent_on is not None:
        if claim.demand_sent_on < claim.invoice_date:
            errors.append(
                FieldError(
                    f"{path}.demand_sent_on", "is before the invoice date", "before_invoice_date"
                )
            )
        if claim.demand_sent_on > today:
            errors.append(FieldError(f"{path}.demand_sent_on", "is in the future", "in_future"))
    for j, reminder in enumerate(claim.reminders or ()):
        where = f"{path}.reminders[{j}]"
        if reminder.sent_on < claim.invoice_date:
            errors.append(
                FieldError(f"{where}.sent_on", "is before the invoice date", "before_invoice_date")
            )
        if reminder.sent_on > today:
            errors.append(FieldError(f"{where}.sent_on", "is in the future", "in_future"))
        if reminder.fee_ore < 0:
            errors.append(FieldError(f"{where}.fee_ore", "must not be negative", "negative"))
    if claim.reminders is not None and claim.reminder_fee_ore != sum(
        r.fee_ore for r in claim.reminders
    ):
        errors.append(
            FieldError(
                f"{path}.reminder_fee_ore",
                "does not add up to the reminders",
                "fees_do_not_add_up",
            )
        )
    if claim.claim_type not in CLAIM_TYPES:
        errors.append(
            FieldError(f"{path}.claim_type", "must be 'ordinary' or 'loan'", "claim_type")
        )
    elif claim.reminder_fee_ore > claim.principal_ore and claim.principal_ore > 0:
        errors.append(
            FieldError(
                f"{path}.reminder_fee_ore",
                "is larger than the principal",
                "larger_than_principal",
            )
        )


def validated(registration: CaseRegistration, *, today: date) -> CaseRegistration:
    """The registration with its identifiers normalised, or :class:`RegistrationRejected`.

    ``today`` is the business date (Europe/Oslo) the case is registered on: a claim must
    be overdue on it.
    """
    errors: list[FieldError] = []
    reference = registration.creditor_reference.strip()
    if not _REFERENCE.fullmatch(reference):
        errors.append(
            FieldError(
                "creditor_reference",
                "is required: 1-60 letters, digits, spaces or - . / : # _",
                "creditor_reference",
            )
        )
    debtor = registration.debtor
    _debtor_errors(debtor, errors)
    national_id, orgnr = debtor.national_id, debtor.organisation_number
    if debtor.kind == "person" and national_id:
        try:
            national_id = national_identity_number(national_id)
        except InvalidIdentifier as exc:
            errors.append(FieldError("debtor.national_id", str(exc), "national_id"))
    if debtor.kind == "business" and orgnr:
        try:
            orgnr = organisation_number(orgnr)
        except InvalidIdentifier as exc:
            errors.append(FieldError("debtor.organisation_number", str(exc), "organisation_number"))
    claims = registration.claims
    if not claims:
        errors.append(FieldError("claims", "at least one claim is required", "claims_missing"))
    if len(claims) > MAX_CLAIMS:
        errors.append(
            FieldError(
                "claims",
                f"at most {MAX_CLAIMS} claims in one case",
                "too_many_claims",
                (("limit", str(MAX_CLAIMS)),),
            )
        )
    seen: set[str] = set()
    for i, claim in enumerate(claims):
        _claim_errors(claim, i, today, errors)
        if claim.invoice_number in seen:
            errors.append(
                FieldError(
                    f"claims[{i}].invoice_number", "appears twice in the case", "twice_in_case"
                )
            )
        seen.add(claim.invoice_number)
    if errors:
        raise RegistrationRejected(errors)
    if (
        reference == registration.creditor_reference
        and national_id == debtor.national_id
        and orgnr == debtor.organisation_number
    ):
        return registration  # already normalised (frozen: the same object will do)
    return replace(
        registration,
        creditor_reference=reference,
        debtor=replace(debtor, national_id=national_id, organisation_number=orgnr),
    )
