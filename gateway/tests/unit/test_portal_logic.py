"""The portal's pure parts: problems to messages, the registration form, charts, the
start page's figures, safe redirects and one refresh per refresh token."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from gateway.portal import charts, registration_form
from gateway.portal.api import ApiProblem, FieldProblem
from gateway.portal.case_filter import SEARCH_FIELDS
from gateway.portal.i18n import Translator
from gateway.portal.pages.settings import safe_svg
from gateway.portal.portfolio import summarise
from gateway.portal.problems import explanation, field_errors, message, normalise_field
from gateway.portal.tokens import RefreshGate, TokenSet
from gateway.portal.visitor import is_own_path
from starlette.datastructures import FormData

NB = Translator("nb")


def test_field_names_from_the_api_are_the_forms_names() -> None:
    assert normalise_field("claims[0].due_date") == "claims.0.due_date"
    assert normalise_field("claims.0.due_date") == "claims.0.due_date"


def test_a_problem_becomes_messages_next_to_fields_in_bokmal() -> None:
    problem = ApiProblem(
        422,
        errors=[
            FieldProblem("debtor.address.postal_code", "a Norwegian postal code has 4 digits"),
            FieldProblem("claims[0].due_date", "the claim is not overdue yet"),
            FieldProblem("debtor.national_id", "not a valid national identity number (x)"),
            FieldProblem("mystery", "something else"),
        ],
    )
    fields = {"debtor.address.postal_code", "claims.0.due_date", "debtor.national_id"}
    errors = field_errors(problem, NB, fields)
    assert errors["debtor.address.postal_code"] == "Et norsk postnummer har 4 sifre"
    assert errors["claims.0.due_date"] == "Kravet er ikke forfalt ennå"
    assert errors["debtor.national_id"] == "Er ikke et gyldig fødselsnummer eller D-nummer"
    assert errors["_3"] == "mystery: Er ikke gyldig"  # never the service's English
    assert field_errors(problem, Translator("en"), fields)["_3"] == "mystery: something else"


def test_a_problem_without_fields_is_one_message() -> None:
    errors = field_errors(ApiProblem(503), NB, {"x"})
    assert errors == {"_": NB("problem.unavailable")}
    limited = message(ApiProblem(429, type="https://x/problems/rate-limited", retry_after=7), NB)
    assert "7 sekunder" in limited
    conflict = ApiProblem(
        409,
        type="https://x/already-registered",
        detail="This creditor reference is already registered as case IC-0000001.",
        extensions={"case_number": "IC-0000001"},
    )
    assert message(conflict, NB) == "Referansen er allerede registrert som sak IC-0000001."
    user = ApiProblem(409, type="https://x/user-exists", detail="A user with this e-mail …")
    assert message(user, NB) == "Det finnes allerede en bruker med denne e-postadressen."
    assert "A user" not in message(ApiProblem(409, detail="A user with this …"), NB)


def test_field_codes_are_translated_with_their_values() -> None:
    taken = FieldProblem(
        "creditor_reference",
        "is already registered as case IC-0000007",
        "already_registered",
        (("case_number", "IC-0000007"),),
    )
    assert field_errors(ApiProblem(409, errors=[taken]), NB) == {
        "creditor_reference": "Er allerede registrert som sak IC-0000007"
    }
    short = FieldProblem("password", "must be at least 12 characters", "password_too_short")
    refused = ApiProblem(
        422,
        type="https://x/password-rejected",
        errors=[FieldProblem(**{**short.__dict__, "values": (("min_length", 12),)})],
    )
    assert message(refused, NB) == "Passordet ble ikke godtatt. Må ha minst 12 tegn."
    email = FieldProblem("email", "value is not a valid email address: no @-sign", "value_error")
    assert field_errors(ApiProblem(422, errors=[email]), NB) == {
        "email": "Er ikke en gyldig e-postadresse"
    }
    assert field_errors(ApiProblem(422, errors=[email]), NB, {"x"}) == {
        "_0": "E-post: Er ikke en gyldig e-postadresse"
    }


def _form(**values: str) -> FormData:
    base = {
        "creditor_reference": "K-1",
        "debtor.kind": "person",
        "debtor.name": "Ola Nordmann",
        "debtor.national_id": "311299 56715",
        "debtor.address.lines.0": "Storgata 1",
        "debtor.address.postal_code": "0155",
        "debtor.address.city": "Oslo",
        "claims.0.invoice_number": "10001",
        "claims.0.invoice_date": "01.09.2026",
        "claims.0.due_date": "2026-09-15",
        "claims.0.principal_ore": "1 234,50",
    }
    base.update(values)
    return FormData(list(base.items()))


def test_the_registration_form_becomes_the_apis_body() -> None:
    typed = registration_form.read(_form(), NB)
    assert typed.errors == {}
    assert typed.body == {
        "creditor_reference": "K-1",
        "debtor": {
            "kind": "person",
            "name": "Ola Nordmann",
            "national_id": "31129956715",
            "address": {
                "lines": ["Storgata 1"],
                "postal_code": "0155",
                "city": "Oslo",
                "country": "NO",
            },
            "email": None,
            "phone": None,
        },
        "claims": [
            {
                "invoice_number": "10001",
                "invoice_date": "2026-09-01",
                "due_date": "2026-09-15",
                "principal_ore": 123450,
                "reminder_fee_ore": 0,
                "claim_type": "ordinary",
            }
        ],
    }


def test_the_registration_form_finds_what_it_cannot_read() -> None:
    typed = registration_form.read(
        _form(**{"claims.0.due_date": "31.02.2026", "claims.0.principal_ore": "mange"}), NB
    )
    assert set(typed.errors) == {"claims.0.due_date", "claims.0.principal_ore"}
    assert typed.body is None
    assert typed.values["claims.0.principal_ore"] == "mange"  # shown again as typed


def test_a_business_sends_its_organisation_number_only() -> None:
    typed = registration_form.read(
        _form(**{"debtor.kind": "business", "debtor.organisation_number": "920 000 002"}), NB
    )
    assert typed.body is not None
    assert typed.body["debtor"]["organisation_number"] == "920000002"
    assert "national_id" not in typed.body["debtor"]


def test_horizontal_bars_are_as_long_as_their_values() -> None:
    chart = charts.horizontal([("a", 10, "10"), ("b", 5, "5"), ("c", 0, "0")])
    a, b, c = chart.bars
    assert a.width == pytest.approx(2 * b.width)
    assert c.width == 0
    assert a.y < b.y < c.y
    assert not chart.empty
    assert charts.horizontal([("a", 0, "0")]).empty


def test_columns_stand_on_one_baseline() -> None:
    chart = charts.columns([("jan", 4, "4"), ("feb", 2, "2")])
    first, second = chart.bars
    assert first.y + first.height == pytest.approx(chart.baseline)
    assert second.y + second.height == pytest.approx(chart.baseline)
    assert first.height == pytest.approx(2 * second.height)


def test_the_portfolio_in_figures() -> None:
    summary = {
        "total_cases": 4,
        "open_cases": 3,
        "outstanding_principal_ore": 11000,
        "by_status": [
            {"status": "something_new", "cases": 1, "principal_total_ore": 8000},
            {"status": "closed", "cases": 1, "principal_total_ore": 4000},
            {"status": "registered", "cases": 1, "principal_total_ore": 1000},
            {"status": "notice_sent", "cases": 1, "principal_total_ore": 2000},
        ],
        "registered_per_month": [
            {"month": "2026-09-01", "cases": 1},
            {"month": "2026-11-01", "cases": 3},
        ],
    }
    newest = [
        {"status": "registered", "status_since": "2026-11-02T10:00:00+00:00"},
        {"status": "something_new", "status_since": "2026-11-03T10:00:00+00:00"},
    ]
    portfolio = summarise(summary, newest, today=date(2026, 11, 25), months=3)
    assert portfolio.open_count == 3
    assert portfolio.outstanding_ore == 11000
    assert [s for s, _ in portfolio.by_status] == [
        "registered",
        "notice_sent",
        "closed",
        "something_new",
    ]
    assert portfolio.principal_by_status[0] == ("registered", 1000)
    assert portfolio.per_month == [
        (date(2026, 9, 1), 1),
        (date(2026, 10, 1), 0),
        (date(2026, 11, 1), 3),
    ]
    assert portfolio.recent[0]["status"] == "something_new"


@pytest.mark.parametrize(
    ("path", "own"),
    [
        ("/saker?status=registered", True),
        ("/oversikt", True),
        ("//evil.example/", False),
        ("https://evil.example/", False),
        ("/\\evil.example", False),
        ("/logg-inn", False),
        ("", False),
        ("/saker\r\nSet-Cookie: x", False),
    ],
)
def test_only_own_paths_are_redirect_targets(path: str, own: bool) -> None:
    assert is_own_path(path) is own


def test_only_a_plain_svg_is_inlined() -> None:
    assert safe_svg('<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0"/></svg>')
    assert safe_svg("<svg><script>alert(1)</script></svg>") is None
    assert safe_svg('<svg onload="alert(1)"></svg>') is None
    assert safe_svg("<img src=x>") is None


def _tokens(n: int) -> TokenSet:
    return TokenSet(f"at{n}", f"rt{n}", 300, "2026-12-01T00:00:00+00:00", "sid")


async def test_concurrent_requests_share_one_refresh_and_late_ones_get_its_answer() -> None:
    now = [0.0]
    gate = RefreshGate(ttl=60, clock=lambda: now[0])
    calls: list[str] = []
    release = asyncio.Event()

    async def exchange(refresh_token: str) -> TokenSet:
        calls.append(refresh_token)
        await release.wait()
        return _tokens(len(calls))

    waiting = [asyncio.ensure_future(gate.refresh("rt0", exchange)) for _ in range(5)]
    await asyncio.sleep(0)
    release.set()
    answers = await asyncio.gather(*waiting)
    assert calls == ["rt0"]
    assert {a.access_token for a in answers} == {"at1"}

    now[0] = 30.0
    assert (await gate.refresh("rt0", exchange)).access_token == "at1"
    now[0] = 61.0
    assert (await gate.refresh("rt0", exchange)).access_token == "at2"
    assert calls == ["rt0", "rt0"]


async def test_a_failed_refresh_is_not_remembered() -> None:
    gate = RefreshGate()
    attempts = 0

    async def exchange(refresh_token: str) -> TokenSet:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            raise ApiProblem(503)
        return _tokens(attempts)

    with pytest.raises(ApiProblem):
        await gate.refresh("rt", exchange)
    assert (await gate.refresh("rt", exchange)).access_token == "at2"


def test_a_case_search_of_too_many_words_is_said_in_bokmal_next_to_the_box() -> None:
    problem = ApiProblem(400, errors=[FieldProblem("q", "too_many_words")])
    errors = field_errors(problem, NB, {"q", "case_number", "reference"}, SEARCH_FIELDS)
    assert errors == {"q": "Søk med høyst 6 ord"}


def test_the_registration_form_sends_a_loan_as_a_ten_year_claim() -> None:
    typed = registration_form.read(_form(**{"claims.0.claim_type": "loan"}), NB)
    assert typed.body is not None
    assert typed.body["claims"][0]["claim_type"] == "loan"
    # anything else typed into the field is an ordinary claim
    odd = registration_form.read(_form(**{"claims.0.claim_type": "gjeld"}), NB)
    assert odd.body is not None
    assert odd.body["claims"][0]["claim_type"] == "ordinary"


def test_the_registration_form_sends_the_pakrav_date_only_when_typed() -> None:
    typed = registration_form.read(_form(**{"claims.0.demand_sent_on": "01.03.2025"}), NB)
    assert typed.body is not None
    assert typed.body["claims"][0]["demand_sent_on"] == "2025-03-01"
    none = registration_form.read(_form(), NB)
    assert none.body is not None
    assert "demand_sent_on" not in none.body["claims"][0]
    bad = registration_form.read(_form(**{"claims.0.demand_sent_on": "31.02.2025"}), NB)
    assert bad.body is None
    assert bad.errors == {"claims.0.demand_sent_on": NB("form.date_invalid")}


def test_the_registration_page_offers_the_pakrav_date_in_both_languages() -> None:
    from gateway.portal.i18n import Translator

    assert Translator("nb")("money.register.demand_sent_on") == "Påkrav sendt (valgfritt)"
    for lang in ("nb", "en"):
        assert "30" in Translator(lang)("money.register.demand_sent_on_hint")


def test_a_refused_upload_explains_itself_without_the_services_english() -> None:
    header = ApiProblem(
        422,
        type="https://x/invalid-upload",
        detail="The first row is not the header of the import layout (missing columns: city).",
    )
    assert explanation(header, NB) == ""
    assert explanation(header, Translator("en")).startswith("The first row")
    email = FieldProblem("email", "value is not a valid email address", "value_error")
    assert explanation(ApiProblem(422, errors=[email]), NB) == "Er ikke en gyldig e-postadresse."
