"""The reasons of the import error report in the file's language (bokmål or English).

Every problem the import finds is made with its stable code and the values its words
need (a line number, a limit) where it is found (:class:`~cases.domain.import_layout.RowError`,
:class:`~cases.domain.registration.FieldError`), and each row of the error report is
stored with them (ADR 0069); the English reason beside them is a description for
developers. The report is a document for people: :func:`code_text` writes a code in the
reader's language. A code without words here (only in rows stored by an older version)
reads «Ugyldig verdi» / «Invalid value».
"""

from __future__ import annotations

from collections.abc import Mapping
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
    "twice_in_submission": (
        "Står to ganger i filen (den første er beholdt)",
        "Appears twice in the file (the first one was kept)",
    ),
    "creditor_reference": (
        "Må være 1-60 bokstaver, sifre, mellomrom eller - . / : # _",
        "Must be 1-60 letters, digits, spaces or - . / : # _",
    ),
    "not_an_object": ("Må være et objekt", "Must be an object"),
    "not_a_string": ("Må være tekst", "Must be a text (string)"),
    "not_an_integer": ("Må være et heltall (øre)", "Must be a whole number (1/100 kr)"),
    "not_a_list": ("Må være en liste", "Must be a list"),
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


def code_text(code: str, values: Mapping[str, str], lang: str) -> str:
    """A code's words in ``lang`` (``nb`` or English); an unknown code says «Invalid value»."""
    nb, en = WORDS.get(code, WORDS[GENERIC])
    words = nb if lang == "nb" else en
    try:
        return words.format(**values)
    except (KeyError, IndexError):
        nb, en = WORDS[GENERIC]
        return nb if lang == "nb" else en
