"""The login note printed by `make up`, and the demo cases it seeds (their pure parts)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from devstack import demo_cases
from devstack.demo import demo_dir, login_note
from devstack.stack import Stack, StackConfig
from ledger.settings import LedgerSettings
from stdnum import luhn
from stdnum.no import fodselsnummer as fnr
from stdnum.no import kontonr, orgnr

pytestmark = pytest.mark.unit


def stack_without_database(tmp_path: Path) -> Stack:
    config = replace(
        StackConfig.for_tests(log_dir=tmp_path),
        pg_admin_url="postgresql://postgres@127.0.0.1:1/postgres",
        root=tmp_path,
    )
    return Stack(config)


def test_without_users_the_note_says_how_to_create_the_first_admin(tmp_path: Path) -> None:
    note = "\n".join(login_note(stack_without_database(tmp_path)))
    assert "No users yet" in note
    assert "create-agency-admin" in note


def test_demo_logins_are_listed_with_the_second_factor_hint(tmp_path: Path) -> None:
    logins = [
        {
            "email": "kari@nordlys.example",
            "password": "pw",
            "roles": ["creditor"],
            "organisation": "Nordlys Energi AS (demo)",
            "totp_secret": "S",
        }
    ]
    note = "\n".join(login_note(stack_without_database(tmp_path), logins))
    assert "kari@nordlys.example" in note
    assert "Nordlys Energi AS (demo)" in note
    assert "make totp EMAIL=" in note
    assert "No users yet" not in note


def test_no_seed_command_means_no_demo_logins(tmp_path: Path) -> None:
    assert stack_without_database(tmp_path).seed_demo() is None


# -- the demo cases (pure parts) ------------------------------------------------------------

TODAY = date(2026, 12, 2)


def test_the_demo_cases_are_valid_registrations_of_people_and_businesses() -> None:
    cases = demo_cases.demo_cases(TODAY)
    assert [c["creditor_reference"] for c in cases] == demo_cases.references()
    assert demo_cases.references()[0] == "DEMO-0001"
    assert len(cases) == demo_cases.CASE_COUNT == 24
    kinds = [c["debtor"]["kind"] for c in cases]
    assert (kinds.count("person"), kinds.count("business")) == (16, 8)
    for case in cases:
        debtor = case["debtor"]
        if debtor["kind"] == "person":
            assert fnr.is_valid(debtor["national_id"]), debtor
            assert "organisation_number" not in debtor
        else:
            assert orgnr.is_valid(debtor["organisation_number"]), debtor
            assert debtor["name"].endswith(" AS")
        address = debtor["address"]
        assert len(address["postal_code"]) == 4
        assert address["postal_code"].isdigit()
        numbers = [claim["invoice_number"] for claim in case["claims"]]
        assert len(set(numbers)) == len(numbers)
        for claim in case["claims"]:
            due = date.fromisoformat(claim["due_date"])
            assert date.fromisoformat(claim["invoice_date"]) <= due < TODAY
            assert 0 < claim["principal_ore"] <= 100_000_000_000
            assert 0 <= claim["reminder_fee_ore"] <= claim["principal_ore"]
    principals = {c["claims"][0]["principal_ore"] for c in cases}
    assert len(principals) == 24  # varied amounts
    assert min(principals) < 1_000_00 < 100_000_00 < max(principals)
    assert sum(len(c["claims"]) > 1 for c in cases) == 4


def test_the_cases_each_step_works_on_are_demo_cases() -> None:
    cases = {c["creditor_reference"]: c for c in demo_cases.demo_cases(TODAY)}
    for ref in (demo_cases.PAID_IN_FULL, demo_cases.WITH_NOTES, demo_cases.WITH_OBJECTION):
        assert ref in cases
    assert cases[demo_cases.PAID_IN_FULL]["debtor"]["kind"] == "person"
    for ref, ore in demo_cases.PAID_PARTLY.items():
        assert 0 < ore < sum(c["principal_ore"] for c in cases[ref]["claims"])
    assert demo_cases.PAID_IN_FULL not in demo_cases.PAID_PARTLY


def test_the_money_goes_to_real_accounts_and_the_odd_payment_names_no_case() -> None:
    assert LedgerSettings().client_funds_account == demo_cases.CLIENT_FUNDS_ACCOUNT
    assert kontonr.is_valid(demo_cases.AGREEMENT["payout_account"])
    kid = demo_cases.UNMATCHED_KID
    assert luhn.is_valid(kid)
    assert len(kid) != 11  # a case's KID has 11 digits
    data = demo_cases.payment_file([(kid, 1_500_00)], on=TODAY)
    lines = data.decode("iso-8859-1").splitlines()
    assert all(len(line) == 80 for line in lines)
    assert any(kid in line for line in lines)


def test_the_note_says_there_are_demo_cases_and_where_the_banks_answer_is(
    tmp_path: Path,
) -> None:
    stack = stack_without_database(tmp_path)
    logins = [{"email": "kari@nordlys.example", "password": "pw", "roles": ["creditor"]}]
    assert "Demo cases" not in "\n".join(login_note(stack, logins))
    note = "\n".join(login_note(stack, logins, with_cases=True))
    assert "Demo cases: DEMO-0001 … DEMO-0024" in note
    assert "pain002" not in note
    answers = demo_dir(stack)
    answers.mkdir(parents=True)
    (answers / "pain002-IC-AV-1.xml").write_bytes(b"<Document/>")
    note = "\n".join(login_note(stack, logins, with_cases=True))
    assert "pain002-IC-AV-1.xml" in note


def test_only_the_payout_files_still_waiting_keep_an_answer_to_upload(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    assert demo_cases.answers_missing(folder, {"IC-AV-2"}) == ["IC-AV-2"]
    demo_cases.answer_path(folder, "IC-AV-1").write_bytes(b"<answered/>")
    demo_cases.answer_path(folder, "IC-AV-2").write_bytes(b"<waiting/>")
    assert demo_cases.answers_missing(folder, {"IC-AV-2", "IC-AV-3"}) == ["IC-AV-3"]
    assert sorted(p.name for p in folder.iterdir()) == ["pain002-IC-AV-2.xml"]


def test_two_payment_files_never_share_the_banks_numbers() -> None:
    def archive_references(data: bytes) -> set[str]:
        lines = data.decode("iso-8859-1").splitlines()
        return {line[25:34] for line in lines if line[6:8] == "31"}

    first = demo_cases.payment_file([(demo_cases.UNMATCHED_KID, 100)], on=TODAY)
    second = demo_cases.payment_file([(demo_cases.UNMATCHED_KID, 100)], on=TODAY)
    assert first != second
    assert not archive_references(first) & archive_references(second)
