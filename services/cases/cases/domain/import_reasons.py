"""The reasons of the import error report in the file's language (bokmål or English).

The rows of an import's error report are stored with the service's English reason; the
report is a document for people, so each reason is written in the reader's language
from its stable code. :func:`reason_code` names the code (and the values its words need,
such as a line number) of a reason the import validation writes; :func:`reason_text`
writes it. A reason no pattern knows becomes the generic «Ugyldig verdi» / «Invalid value».
"""

from __future__ import annotations

import re
from typing import Final

GENERIC: Final = "invalid_value"

WORDS: Final[dict[str, tuple[str, str]]] = {
    GENERIC: ("Ugyldig verdi", "Invalid value"),
    "required": ("Må fylles ut", "Is required"),
    "required_for_person": ("Må fylles ut for en person", "Is required for a person"),
    "required_for_business": ("Må fylles ut for en bedrift", "Is required for a business"),
    "only_for_person": ("Gjelder bare en person", "Is only for a person debtor"),
    "only_for_business": ("Gjelder bare en bedrift", "Is only for a business debtor"),
    "not_a_date": ("Er ikke en dato (dd.mm.åååå)", "Is not a date (dd.mm.yyyy)"),
    "not_an_amount": ("Er ikke et beløp (for eksempel 1 234,50)", "Is not an amount"),
    "too_many_decimals": ("Har mer enn to desimaler (øre)", "Has more than two decimals"),
    "not_positive": ("Må være et beløp større enn null", "Must be a positive amount"),
    "negative": ("Kan ikke være negativt", "Must not be negative"),
    "too_large": ("Er for stort", "Is too large"),
    "larger_than_principal": ("Er større enn hovedstolen", "Is larger than the principal"),
    "fees_do_not_add_up": ("Stemmer ikke med purringene", "Does not add up to the reminders"),
    "debtor_kind": ("Må være person eller bedrift", "Must be person or business"),
    "claim_type": ("Må være ordinary eller loan", "Must be ordinary or loan"),
    "in_future": ("Ligger fram i tid", "Is in the future"),
    "before_invoice_date": ("Er før fakturadatoen", "Is before the invoice date"),
    "not_overdue": ("Kravet har ikke forfalt ennå", "The claim is not overdue yet"),
    "too_long": ("Er lengre enn {limit} tegn", "Is longer than {limit} characters"),
    "control_characters": ("Inneholder kontrolltegn", "Contains control characters"),
    "country_code": ("Må være en landkode på to bokstaver", "Must be a two-letter country code"),
    "postal_code": ("Et norsk postnummer har 4 sifre", "A Norwegian postal code has 4 digits"),
    "email": ("Er ikke en e-postadresse", "Is not an e-mail address"),
    "phone": ("Må være 5-15 sifre, eventuelt etter +", "Must be 5-15 digits, optionally after +"),
    "national_id": ("Er ikke et gyldig fødselsnummer", "Is not a valid national identity number"),
    "organisation_number": (
        "Er ikke et gyldig organisasjonsnummer",
        "Is not a valid organisation number",
    ),
    "twice_in_case": ("Står to ganger i saken", "Appears twice in the case"),
    "claims_missing": ("Saken må ha minst ett krav", "At least one claim is required"),
    "address_missing": ("Minst én adresselinje må fylles ut", "At least one address line"),
    "too_many_address_lines": ("Høyst 3 adresselinjer", "At most 3 address lines"),
    "too_many_claims": ("En sak har for mange rader (krav)", "A case has too many rows (claims)"),
    "case_too_many_rows": (
        "Hører til saken som begynner på linje {line}, som har for mange rader",
        "Belongs to the case that starts on line {line}, which has too many rows",
    ),
    "differs_from_line": (
        "Er ulikt linje {line}: radene i én sak gjelder samme skyldner",
        "Differs from line {line}: the rows of one case describe one debtor",
    ),
    "case_has_errors": (
        "Ikke registrert: saken har feil (linje {line})",
        "Not registered: the case has errors (line {line})",
    ),
    "already_registered": (
        "Referansen er allerede registrert som sak {case_number}",
        "Already registered as case {case_number}",
    ),
    "encoding": (
        "Linjen er ikke {encoding}-tekst; lagre filen som «CSV UTF-8»",
        "The line is not {encoding} text; save the file as 'CSV UTF-8'",
    ),
    "line_too_long": ("Linjen er for lang", "The line is too long"),
    "not_in_layout": ("Er ikke en kolonne i malen", "Is not a field of the layout"),
    "unreadable_line": ("Linjen kan ikke leses", "The line cannot be read"),
    "too_big": ("Er for stor eller for dyp", "Is too large or too deep"),
    "malformed": ("Er ikke gyldig JSON", "Is not valid JSON"),
}
"""Each code's words: (bokmål, English); values such as ``{line}`` are filled in."""

_PATTERNS: Final[tuple[tuple[str, re.Pattern[str]], ...]] = tuple(
    (code, re.compile(pattern, re.IGNORECASE))
    for code, pattern in (
        ("required_for_person", r"^is required for a person"),
        ("required_for_business", r"^is required for a business"),
        ("required", r"^is required"),
        ("only_for_person", r"^is only for a person"),
        ("only_for_business", r"^is only for a business"),
        ("case_too_many_rows", r"^belongs to the case that starts on line (?P<line>\d+)"),
        ("differs_from_line", r"^differs from line (?P<line>\d+)"),
        ("case_has_errors", r"^not registered: .*\(line (?P<line>\d+)\)"),
        ("too_many_claims", r"^(a case has at most|at most \d+ claims)"),
        ("not_a_date", r"is not a date"),
        ("too_many_decimals", r"has more than two decimals"),
        ("not_an_amount", r"is not an amount"),
        ("debtor_kind", r"(is not a debtor kind|^must be 'person' or 'business')"),
        ("claim_type", r"^must be 'ordinary' or 'loan'"),
        ("not_positive", r"^must be a positive amount"),
        ("negative", r"^must not be negative"),
        ("larger_than_principal", r"^is larger than the principal"),
        ("too_large", r"^is larger than"),
        ("fees_do_not_add_up", r"^does not add up"),
        ("in_future", r"^is in the future"),
        ("before_invoice_date", r"^is before the invoice date"),
        ("not_overdue", r"is not overdue"),
        ("too_long", r"^is longer than (?P<limit>\d+) characters"),
        ("control_characters", r"control characters"),
        ("country_code", r"country code"),
        ("postal_code", r"postal code"),
        ("email", r"e-mail address"),
        ("phone", r"^must be 5-15 digits"),
        ("national_id", r"national identity number"),
        ("organisation_number", r"(organisation number|organisasjonsnummer)"),
        ("twice_in_case", r"^appears twice"),
        ("claims_missing", r"^at least one claim"),
        ("address_missing", r"^at least one address line"),
        ("too_many_address_lines", r"^at most \d+ address lines"),
        ("already_registered", r"already registered as case (?P<case_number>[\w-]+)"),
        ("encoding", r"^the line is not (?P<encoding>[\w-]+) text"),
        ("line_too_long", r"^the line is longer than"),
        ("not_in_layout", r"^is not a field of the layout"),
        ("unreadable_line", r"^the (line|row) (is|cannot)"),
        ("too_big", r"^(has more than|has a (text|number|key)|is nested deeper)"),
        ("malformed", r"^is malformed"),
    )
)


_BY_COLUMN: Final = {"national_id": "national_id", "organisation_number": "organisation_number"}
"""A column whose checks speak in their own words (the identifiers' check digits)."""


def reason_code(reason: str, column: str = "") -> tuple[str, dict[str, str]]:
    """The stable code of a reason the import writes, with the values its words need."""
    text = reason.strip()
    for code, pattern in _PATTERNS:
        match = pattern.search(text)
        if match:
            return code, {k: v for k, v in match.groupdict().items() if v is not None}
    return _BY_COLUMN.get(column.rsplit(".", 1)[-1], GENERIC), {}


def code_text(code: str, values: dict[str, str], lang: str) -> str:
    """A code's words in ``lang`` (``nb`` or English); an unknown code says «Invalid value»."""
    nb, en = WORDS.get(code, WORDS[GENERIC])
    words = nb if lang == "nb" else en
    try:
        return words.format(**values)
    except (KeyError, IndexError):
        nb, en = WORDS[GENERIC]
        return nb if lang == "nb" else en


def reason_text(reason: str, lang: str, column: str = "") -> str:
    """A stored reason written in the file's language, from its code."""
    code, values = reason_code(reason, column)
    return code_text(code, values, lang)
