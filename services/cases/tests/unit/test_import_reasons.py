"""The error report's reasons are stable codes made where each problem is found (ADR 0069),
stored with the values their words need, and written in bokmål or English: every code the
import produces has words in both languages, and each one is produced here by the check
that finds it."""

from __future__ import annotations

import codecs
import importlib.util
import re
import string
import sys
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
from cases.adapters.import_files.csv_file import CsvFile
from cases.domain.import_layout import (
    COLUMN_NAMES,
    CaseGrouper,
    ParsedCase,
    RowError,
    SourceRow,
    case_from_json,
    json_error,
    tabular_error,
    with_siblings,
)
from cases.domain.import_reasons import GENERIC, WORDS, code_text
from cases.domain.registration import (
    MAX_CLAIMS,
    RegistrationRejected,
    ReminderSent,
    validated,
)
from cases.service_layer import registration as reg

from ..conftest import make_registration

pytestmark = pytest.mark.unit

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


def _tabular(rows: list[SourceRow]) -> list[RowError]:
    """Every finding of a tabular file's rows, as the import stores them in the report."""
    grouper = CaseGrouper()
    cases: list[ParsedCase] = [c for row in rows for c in grouper.feed(row)]
    cases += list(grouper.finish())
    found: list[RowError] = []
    for case in cases:
        errors = list(case.errors)
        if case.registration is not None:
            try:
                validated(case.registration, today=TODAY)
            except RegistrationRejected as exc:
                errors += [tabular_error(case, f) for f in exc.errors]
        found += with_siblings(case, errors)
    return found


def _json(item: Any) -> list[RowError]:
    case = case_from_json(item, position=1)
    if case.registration is None:
        return case.errors
    try:
        validated(case.registration, today=TODAY)
    except RegistrationRejected as exc:
        return [json_error(case, f) for f in exc.errors]
    return []


def _codes(found: list[RowError]) -> dict[str, dict[str, str]]:
    """Each code found, with the values of its last finding."""
    return {e.code: dict(e.values) for e in found}


def _coded(found: list[RowError]) -> set[tuple[str, tuple[tuple[str, str], ...]]]:
    return {(e.code, e.values) for e in found}


BAD_ROWS = [
    _row(2, "A", national_id="31129956716"),
    _row(3, "B", national_id="123"),
    _row(4, "C", principal="abc"),
    _row(5, "D", principal="1,234"),
    _row(7, "F", principal="0"),
    _row(8, "G", principal="10,555"),
    _row(9, "H", due_date="31.02.2025"),
    _row(10, "I", due_date="morgen"),
    _row(11, "J", debtor_kind="romvesen"),
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
    _row(32, "Z", national_id="", debtor_kind="person"),
    _row(33, "AA", organisation_number="923609016"),
    _row(34, "AB", debtor_kind="business", national_id="", organisation_number="123456789"),
    _row(35, "AC", debtor_kind="business", organisation_number="923609016"),
    _row(36, "AD", principal="2000000000"),
    _row(37, "AE", reminder_fee="200"),
    _row(38, "A*B"),
    _row(39, "AF", principal="0"),
    _row(40, "AF"),  # refused with its case, for no fault of its own
    *[_row(50 + i, "BIG") for i in range(MAX_CLAIMS + 2)],
]


def test_each_check_of_a_tabular_file_gives_its_code_and_values() -> None:
    coded = _coded(_tabular(BAD_ROWS))
    assert ("differs_from_line", (("line", "25"),)) in coded
    assert ("case_has_errors", (("line", "39"),)) in coded  # line 40, with line 39
    assert ("case_has_errors", (("line", "31"),)) in coded  # line 30, with line 31
    assert ("too_many_claims", (("limit", str(MAX_CLAIMS)),)) in coded
    assert ("case_too_many_rows", (("line", "50"),)) in coded
    found = _codes(_tabular(BAD_ROWS))
    assert found["national_id"] == {}
    assert found["not_an_amount"] == {}
    assert found["too_many_decimals"] == {}
    assert found["not_positive"] == {}
    assert found["not_a_date"] == {}
    assert found["debtor_kind"] == {}
    assert found["required_for_business"] == {}
    assert found["postal_code"] == {}
    assert found["country_code"] == {}
    assert found["email"] == {}
    assert found["phone"] == {}
    assert found["before_invoice_date"] == {}
    assert found["not_overdue"] == {}
    assert found["in_future"] == {}
    assert found["claim_type"] == {}
    assert found["negative"] == {}
    assert found["too_long"] == {"limit": "200"}
    assert found["required"] == {}
    assert found["address_missing"] == {}
    assert found["control_characters"] == {}
    assert found["twice_in_case"] == {}
    assert found["required_for_person"] == {}
    assert found["only_for_business"] == {}
    assert found["organisation_number"] == {}
    assert found["only_for_person"] == {}
    assert found["too_large"] == {}
    assert found["larger_than_principal"] == {}
    assert found["creditor_reference"] == {}
    assert GENERIC not in found


def test_the_code_sits_at_the_line_and_column_of_its_problem() -> None:
    found = _tabular([_row(7, "F", principal="0"), _row(8, "G", debtor_name="x" * 300)])
    assert [(e.line, e.column, e.code, e.values) for e in found] == [
        (7, "principal", "not_positive", ()),
        (8, "debtor_name", "too_long", (("limit", "200"),)),
    ]
    assert found[0].reason == "must be a positive amount"  # English, for developers


def test_each_check_of_a_json_file_gives_its_code() -> None:
    claim = {"invoice_number": "F1", "invoice_date": "2025-01-01", "due_date": "2025-01-15"}
    debtor = {
        "kind": "person",
        "name": "Ola",
        "national_id": "31129956715",
        "address": {"lines": ["Gata 1"], "postal_code": "0155", "city": "Oslo"},
    }
    good = {"creditor_reference": "J1", "debtor": debtor, "claims": [claim]}
    shapes: list[tuple[Any, str]] = [
        ("x", "not_an_object"),
        ({**good, "colour": "red"}, "not_in_layout"),
        ({**good, "debtor": {**debtor, "name": 5}}, "not_a_string"),
        ({**good, "claims": [{**claim, "principal_ore": "lots"}]}, "not_an_integer"),
        ({**good, "claims": [{**claim, "principal_ore": 1.5}]}, "not_an_integer"),
        ({**good, "claims": "x"}, "not_a_list"),
        ({**good, "claims": [{**claim, "due_date": "15.01.2025"}]}, "not_a_date"),
        ({**good, "claims": [{**claim, "due_date": 5}]}, "not_a_date"),
        ({**good, "claims": [claim]}, "required"),  # principal_ore missing
        ({**good, "debtor": {**debtor, "kind": "alien"}}, "debtor_kind"),
        ({**good, "claims": []}, "claims_missing"),
        (
            {
                **good,
                "debtor": {**debtor, "address": {**debtor["address"], "lines": ["a"] * 4}},
                "claims": [{**claim, "principal_ore": 100}],
            },
            "too_many_address_lines",
        ),
        (
            {**good, "claims": [{**claim, "principal_ore": 100}] * (MAX_CLAIMS + 1)},
            "too_many_claims",
        ),
    ]
    for item, code in shapes:
        assert code in _codes(_json(item)), (item, _json(item))


def test_the_reminders_of_an_api_registration_are_coded_too() -> None:
    case = make_registration(today=TODAY)
    claim = replace(case.claims[0], reminder_fee_ore=7_000)
    bad = replace(case, claims=(replace(claim, reminders=(ReminderSent(claim.invoice_date, 1),)),))
    with pytest.raises(RegistrationRejected) as caught:
        validated(bad, today=TODAY)
    assert {(e.field, e.code) for e in caught.value.errors} == {
        ("claims[0].reminder_fee_ore", "fees_do_not_add_up")
    }


def test_a_reference_twice_in_a_file_or_already_registered() -> None:
    one = make_registration(today=TODAY)
    context: Any = SimpleNamespace(clock=SimpleNamespace(today=lambda: TODAY))
    good, rejected = reg._validate_all([(0, one), (1, one)], context)
    assert [i for i, _ in good] == [0]
    [(twice,)] = [r.errors for r in rejected]
    assert (twice.code, twice.values) == ("twice_in_submission", ())
    (known,) = reg._already_registered(2, "2025-000123").errors
    assert (known.code, known.values) == ("already_registered", (("case_number", "2025-000123"),))
    assert RowError.of(9, "creditor_reference", known).values == known.values


def test_a_csv_file_codes_what_cannot_be_read(tmp_path: Path) -> None:
    header = ";".join(COLUMN_NAMES)
    good = "A;person;Ola;31129956715;;Gata 1;;;0155;Oslo;;;;F1;01.01.2025;15.01.2025;100;"
    path = tmp_path / "f.csv"
    path.write_bytes(
        codecs.BOM_UTF8
        + f"{header}\n{good}\n".encode()
        + "B;person;Bjørn\n".encode("cp1252")  # a line another program wrote
        + ("C;" + "x" * 70_000 + "\n").encode()
        + b'D;"'
        + (b"y" * 60_000 + b"\n") * 3  # a quoted cell over the csv module's field limit
    )
    found = [e for row in CsvFile(path).rows() for e in row.errors]
    assert [(e.line, e.code, e.values) for e in found[:2]] == [
        (3, "encoding", (("encoding", "UTF-8"),)),
        (4, "line_too_long", ()),
    ]
    assert (5, "unreadable_line") in {(e.line, e.code) for e in found}
    assert GENERIC not in {e.code for e in found}


def test_every_code_the_import_produces_has_words_in_both_languages() -> None:
    produced = set(_codes(_tabular(BAD_ROWS)))
    produced |= {"twice_in_submission", "already_registered", "encoding", "line_too_long"}
    produced |= {"fees_do_not_add_up", "claims_missing", "too_many_address_lines"}
    produced |= {"not_an_object", "not_in_layout", "not_a_string", "not_an_integer"}
    produced |= {"not_a_list", "unreadable_line"}
    # only for rows stored before the codes were (backfilled from their sentences)
    older = {GENERIC, "too_big", "malformed"}
    assert produced == set(WORDS) - older
    for code in produced:
        values = {"line": "7", "limit": "3", "case_number": "2025-1", "encoding": "UTF-8"}
        assert code_text(code, values, "nb") != WORDS[GENERIC][0]
        assert code_text(code, values, "en") != WORDS[GENERIC][1]


@pytest.mark.parametrize("code", sorted(WORDS))
def test_every_code_has_bokmal_and_english_words_with_the_same_values(code: str) -> None:
    nb, en = WORDS[code]
    assert nb.strip()
    assert en.strip()
    fields = {name for _, name, _, _ in string.Formatter().parse(nb) if name}
    assert fields == {name for _, name, _, _ in string.Formatter().parse(en) if name}
    assert not re.search(r"\b(the|is|must|not)\b", nb)  # no English on a Norwegian file


def test_a_code_is_written_in_the_files_language_with_its_values() -> None:
    values = {"case_number": "2025-000123"}
    assert code_text("already_registered", values, "nb") == (
        "Referansen er allerede registrert som sak 2025-000123"
    )
    assert code_text("already_registered", values, "en") == "Already registered as case 2025-000123"
    assert code_text("case_has_errors", {"line": "7"}, "nb") == (
        "Ikke registrert: saken har feil (linje 7)"
    )
    assert code_text("too_long", {"limit": "200"}, "en") == "Is longer than 200 characters"


def test_an_unknown_code_says_invalid_value() -> None:
    assert code_text("no_such_code", {}, "nb") == "Ugyldig verdi"
    assert code_text("no_such_code", {}, "en") == "Invalid value"
    assert code_text("too_long", {}, "nb") == "Ugyldig verdi"  # its value is missing


# -- rows stored before the codes: the backfill of cases_0015 ------------------------------


def _backfill() -> ModuleType:
    path = next((Path(__file__).parents[2] / "migrations" / "versions").glob("*_cases_0015_*.py"))
    spec = importlib.util.spec_from_file_location("cases_0015_backfill", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("reason", "column", "code", "values"),
    [
        (
            "is already registered as case 2025-000123",
            "creditor_reference",
            "already_registered",
            {"case_number": "2025-000123"},
        ),
        (
            "not registered: the case it belongs to has errors (line 7)",
            "creditor_reference",
            "case_has_errors",
            {"line": "7"},
        ),
        ("is longer than 200 characters", "debtor_name", "too_long", {"limit": "200"}),
        (
            "the check digits of the national identity number are wrong",
            "national_id",
            "national_id",
            {},
        ),
        (
            "appears twice in this submission (the first one was kept)",
            "creditor_reference",
            "twice_in_submission",
            {},
        ),
        (
            "is required: 1-60 letters, digits, spaces or - . / : # _",
            "creditor_reference",
            "creditor_reference",
            {},
        ),
        ("is required", "city", "required", {}),
        ("must be an integer (øre)", "claims[0].principal_ore", "not_an_integer", {}),
        ("something new the service says", "city", GENERIC, {}),
        ("", "", GENERIC, {}),
    ],
)
def test_a_stored_sentence_is_given_its_code_by_the_backfill(
    reason: str, column: str, code: str, values: dict[str, str]
) -> None:
    assert _backfill().reason_code(reason, column) == (code, values)


def test_the_backfill_gives_the_sentences_of_the_old_version_the_codes_made_now() -> None:
    """Each reason the checks write still gets, from its sentence alone, the code it is now
    stored with (so old and new rows of one report read alike)."""
    backfill = _backfill()
    found = _tabular(BAD_ROWS)
    assert len(found) >= 30
    for e in found:
        assert backfill.reason_code(e.reason, e.column) == (e.code, dict(e.values)) or (
            e.code == "too_many_claims"  # its limit was never in the sentence's words
        ), e


def test_a_due_date_in_the_past_is_fine() -> None:
    assert (
        _tabular([_row(2, "OK", due_date=(TODAY - timedelta(days=1)).strftime("%d.%m.%Y"))]) == []
    )


def test_the_portal_has_words_for_every_code() -> None:
    """The portal's import page translates the stored code (``import.reason.<code>`` in its
    gettext catalogs): the same codes, so that a new one is given words there too."""
    locale = Path(__file__).parents[4] / "gateway" / "gateway" / "locale"
    for lang in ("nb", "en"):
        catalog = (locale / lang / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
        keys = set(re.findall(r'^msgid "import\.reason\.(\w+)"$', catalog, re.MULTILINE))
        assert keys == set(WORDS), lang
