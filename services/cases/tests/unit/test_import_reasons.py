"""The error report's reasons come from stable codes, in bokmål and English: every reason
the import validation writes has a code, every code has words in both languages, and a
reason no code knows is written as «Ugyldig verdi» / «Invalid value»."""

from __future__ import annotations

import re
import string
from datetime import date

import pytest
from cases.domain.import_layout import CaseGrouper, ParsedCase, SourceRow, tabular_error
from cases.domain.import_reasons import GENERIC, WORDS, code_text, reason_code, reason_text
from cases.domain.registration import MAX_CLAIMS, RegistrationRejected, validated

TODAY = date(2025, 6, 1)


def _row(line: int, reference: str, **values: str) -> SourceRow:
    base = {
        "creditor_reference": reference,
        "debtor_kind": "person",
        "debtor_name": "Ola",
        "national_id": "31129956715",
        "address_line_1": "Gata 1",
        "postal_code": "0155",
        "city": "Oslo",
        "invoice_number": f"F{line}",
        "invoice_date": "01.01.2025",
        "due_date": "15.01.2025",
        "principal": "100",
    }
    return SourceRow(line=line, values={**base, **values})


def _reasons(rows: list[SourceRow]) -> list[tuple[str, str]]:
    """(column, reason) of every finding, as the import writes them into the report."""
    grouper = CaseGrouper()
    cases: list[ParsedCase] = [c for row in rows for c in grouper.feed(row)]
    cases += list(grouper.finish())
    found: list[tuple[str, str]] = []
    for case in cases:
        found += [(e.column, e.reason) for e in case.errors]
        if case.registration is not None:
            try:
                validated(case.registration, today=TODAY)
            except RegistrationRejected as exc:
                found += [
                    (e.column, e.reason) for e in map(lambda f: tabular_error(case, f), exc.errors)
                ]
    return found


BAD_ROWS = [
    _row(2, "A", national_id="31129956716"),
    _row(3, "B", national_id="123"),
    _row(4, "C", principal="abc"),
    _row(5, "D", principal="1,234"),
    _row(6, "E", principal="1,234"),
    _row(7, "F", principal="0"),
    _row(8, "G", principal="10,555"),
    _row(9, "H", due_date="31.02.2025"),
    _row(10, "I", due_date="morgen"),
    _row(11, "J", debtor_kind="firma"),
    _row(12, "K", debtor_kind="business", national_id=""),
    _row(13, "L", postal_code="12"),
    _row(14, "M", country="Norge"),
    _row(15, "N", email="ikke-en-adresse"),
    _row(16, "O", phone="12"),
    _row(17, "P", invoice_date="01.02.2025", due_date="15.01.2025"),
    _row(18, "Q", due_date="01.01.2030", invoice_date="01.01.2030"),
    _row(19, "R", claim_type="gjeld"),
    _row(20, "S", reminder_fee="-5"),
    _row(21, "T", debtor_name="x" * 300),
    _row(22, "U", debtor_name=""),
    _row(23, "V", address_line_1=""),
    _row(24, "W", debtor_name="Ola\x07"),
    _row(25, "X"),
    _row(26, "X", debtor_name="Kari"),
    _row(30, "Y"),
    _row(31, "Y", invoice_number="F30"),
    *[_row(40 + i, "BIG") for i in range(MAX_CLAIMS + 1)],
]


def test_every_reason_the_validation_writes_has_a_code_with_both_words() -> None:
    found = _reasons(BAD_ROWS)
    assert len(found) >= 20
    unknown = [
        (column, reason) for column, reason in found if reason_code(reason, column)[0] == GENERIC
    ]
    assert unknown == []
    for column, reason in found:
        code, values = reason_code(reason, column)
        nb, en = code_text(code, values, "nb"), code_text(code, values, "en")
        assert nb != WORDS[GENERIC][0]
        assert en != WORDS[GENERIC][1]


@pytest.mark.parametrize("code", sorted(WORDS))
def test_every_code_has_bokmal_and_english_words_with_the_same_values(code: str) -> None:
    nb, en = WORDS[code]
    assert nb.strip()
    assert en.strip()
    fields = {name for _, name, _, _ in string.Formatter().parse(nb) if name}
    assert fields == {name for _, name, _, _ in string.Formatter().parse(en) if name}
    assert not re.search(r"\b(the|is|must|not)\b", nb)  # no English on a Norwegian file


@pytest.mark.parametrize(
    ("reason", "column", "nb", "en"),
    [
        (
            "is already registered as case 2025-000123",
            "creditor_reference",
            "Referansen er allerede registrert som sak 2025-000123",
            "Already registered as case 2025-000123",
        ),
        (
            "not registered: the case it belongs to has errors (line 7)",
            "creditor_reference",
            "Ikke registrert: saken har feil (linje 7)",
            "Not registered: the case has errors (line 7)",
        ),
        (
            "is longer than 200 characters",
            "debtor_name",
            "Er lengre enn 200 tegn",
            "Is longer than 200 characters",
        ),
        (
            "the check digits of the national identity number are wrong",
            "national_id",
            "Er ikke et gyldig fødselsnummer",
            "Is not a valid national identity number",
        ),
        ("something new the service says", "city", "Ugyldig verdi", "Invalid value"),
        ("", "", "Ugyldig verdi", "Invalid value"),
    ],
)
def test_a_reason_is_written_in_the_files_language(
    reason: str, column: str, nb: str, en: str
) -> None:
    assert reason_text(reason, "nb", column) == nb
    assert reason_text(reason, "en", column) == en


def test_an_unknown_code_says_invalid_value() -> None:
    assert code_text("no_such_code", {}, "nb") == "Ugyldig verdi"
    assert code_text("no_such_code", {}, "en") == "Invalid value"
    assert code_text("too_long", {}, "nb") == "Ugyldig verdi"  # its value is missing
