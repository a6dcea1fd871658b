"""Every form reports every error at once, with the same words for the same input
(issue 16 §2): the shared :mod:`gateway.portal.form_errors` and the forms that use it."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from gateway.portal import (
    agreement_form,
    bank_upload,
    case_actions,
    case_filter,
    documents,
    form_errors,
    note_form,
    rate_form,
    registration_form,
)
from gateway.portal.api import ApiProblem, FieldProblem
from gateway.portal.form_errors import FormErrors
from gateway.portal.formatting import today_oslo
from gateway.portal.i18n import Translator
from gateway.portal.pages import integrations
from gateway.portal.problems import coded, message
from gateway.portal.render import field_id
from jinja2 import Environment, FileSystemLoader
from starlette.datastructures import FormData, QueryParams

NB = Translator("nb")
EN = Translator("en")
TEMPLATES = Path(__file__).resolve().parents[2] / "gateway" / "templates"


@pytest.mark.parametrize("typed", ["0", "0,00", "-5", "\u221212,50", "kr -1"])
def test_zero_and_a_negative_amount_get_the_same_words(typed: str) -> None:
    errors = FormErrors()
    assert form_errors.amount(errors, "belop", typed, NB) is None
    assert errors == {"belop": "Må være et beløp over null"}


def test_an_unreadable_amount_is_asked_for_in_kroner_and_an_empty_one_is_missing() -> None:
    errors = FormErrors()
    form_errors.amount(errors, "a", "mange", NB)
    form_errors.amount(errors, "b", "", NB)
    assert form_errors.amount(errors, "c", "", NB, required=False) == 0
    assert errors == {"a": NB("form.amount_invalid"), "b": "Må fylles ut"}


def test_where_zero_is_allowed_a_negative_amount_is_still_refused() -> None:
    errors = FormErrors()
    assert form_errors.amount(errors, "fee", "0", NB, zero_allowed=True) == 0
    assert form_errors.amount(errors, "fee", "-1", NB, zero_allowed=True) is None
    assert errors == {"fee": "Kan ikke være negativt"}


def test_a_date_after_the_last_allowed_day_is_in_the_future() -> None:
    errors = FormErrors()
    today = today_oslo()
    tomorrow = (today + timedelta(days=1)).strftime("%d.%m.%Y")
    assert form_errors.day(errors, "d", tomorrow, NB, not_after=today) is None
    assert errors == {"d": "Er fram i tid"}


def _registration(**values: str) -> FormData:
    today = today_oslo()
    base = {
        "claim_count": "1",
        "debtor.kind": "person",
        "creditor_reference": "K-1",
        "debtor.name": "Ola Nordmann",
        "debtor.national_id": "31129956715",
        "debtor.address.lines.0": "Storgata 1",
        "debtor.address.postal_code": "0155",
        "debtor.address.city": "Oslo",
        "claims.0.invoice_number": "10001",
        "claims.0.invoice_date": (today - timedelta(days=40)).strftime("%d.%m.%Y"),
        "claims.0.due_date": (today - timedelta(days=20)).strftime("%d.%m.%Y"),
        "claims.0.principal_ore": "1 234,50",
    }
    base.update(values)
    return FormData(list(base.items()))


def test_a_registration_with_three_errors_reports_all_three_in_the_forms_order() -> None:
    typed = registration_form.read(
        _registration(
            **{
                "claims.0.principal_ore": "-100",
                "debtor.name": "",
                "claims.0.due_date": "31.02.2026",
            }
        ),
        NB,
    )
    assert list(typed.errors) == ["debtor.name", "claims.0.due_date", "claims.0.principal_ore"]
    assert typed.errors["claims.0.principal_ore"] == "Må være et beløp over null"
    assert typed.errors.label("claims.0.due_date") == "Krav 1, Forfallsdato"
    assert typed.body is None


def test_the_identity_number_is_required_for_the_chosen_debtor_kind_only() -> None:
    person = registration_form.read(_registration(**{"debtor.national_id": ""}), NB)
    assert person.errors == {"debtor.national_id": "Må fylles ut for en person"}
    business = registration_form.read(
        _registration(**{"debtor.kind": "business", "debtor.organisation_number": ""}), NB
    )
    assert business.errors == {"debtor.organisation_number": "Må fylles ut for en virksomhet"}


def test_a_claim_not_overdue_and_a_bad_postal_code_are_found_before_asking() -> None:
    today = today_oslo()
    typed = registration_form.read(
        _registration(
            **{
                "claims.0.due_date": (today + timedelta(days=3)).strftime("%d.%m.%Y"),
                "debtor.address.postal_code": "12",
            }
        ),
        NB,
    )
    assert set(typed.errors) == {"debtor.address.postal_code", "claims.0.due_date"}


def test_a_services_refusal_lands_at_the_fields_and_a_conflict_in_the_summary() -> None:
    errors = FormErrors({"period_end": "Periode til og med"})
    problem = ApiProblem(
        409,
        type="https://infocenter.example/problems/conflict",
        errors=[FieldProblem("period_end", "a period cannot be settled before it has ended")],
    )
    errors.merge_problem(problem, NB, fields={"period_end"}, whole=True)
    assert errors["period_end"] == "Perioden er ikke slutt ennå: velg en dato til og med i dag"
    assert next(iter(errors)) == "_"


def test_the_agreement_and_rate_forms_name_their_fields() -> None:
    agreement = agreement_form.read(
        FormData([("commission_percent", ""), ("allocation_order", "x"), ("vat_deductible", "?")]),
        NB,
        allowed_orders=[("a",)],
    )
    assert len(agreement.errors) == 3
    assert isinstance(agreement.errors, FormErrors)
    assert all(agreement.errors.label(name) for name in agreement.errors)
    rate = rate_form.read(FormData([]), EN)
    assert isinstance(rate.errors, FormErrors)
    assert all(rate.errors.label(name) for name in rate.errors)


def _summary_html(errors: FormErrors, prefix: str = "") -> str:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True)
    env.filters["fid"] = field_id
    env.globals["t"] = NB
    template = env.from_string(
        '{% import "portal/_forms.html" as forms with context %}'
        "{{ forms.error_summary(errors, prefix=prefix) }}"
    )
    return template.render(errors=errors, prefix=prefix)


def _summary_links(errors: FormErrors, prefix: str = "") -> list[tuple[str, str]]:
    """``(href, text)`` of each entry of the rendered summary that links to its field."""
    html = _summary_html(errors, prefix)
    return re.findall(r'<a href="([^"]+)">([^<]*)</a>', html)


def test_the_summary_names_each_field_and_links_to_it() -> None:
    errors = FormErrors({"debtor.name": "Navn"})
    errors.add("debtor.name", "Må fylles ut")
    errors.general("Saken ble ikke registrert")
    html = _summary_html(errors)
    assert '<a href="#f-debtor-name">Navn: Må fylles ut</a>' in html
    assert "<li>Saken ble ikke registrert</li>" in html
    assert html.index("Saken ble ikke registrert") < html.index("Navn: Må fylles ut")


def test_a_letters_refusal_code_is_said_in_both_languages_with_its_dates() -> None:
    problem = ApiProblem(
        409,
        type="https://infocenter.example/problems/illegal-transition",
        detail="Sending a betalingsoppfordring is not possible: …",
        extensions={
            "code": "varsel-deadline-running",
            "until": "2026-04-07",
            "from": "2026-04-08",
            "case_status": "notice_sent",
        },
    )
    assert message(problem, NB) == (
        "Inkassovarselets frist løper til og med 07.04.2026. Betalingsoppfordringen kan "
        "sendes fra 08.04.2026 (inkassoloven § 10)."
    )
    assert "7 Apr 2026" in message(problem, EN)
    unknown = coded("not-when-disputed", {"case_status": "disputed"}, NB)
    assert unknown == "Ikke mulig nå: saken har status «Innsigelse»."


def test_withdrawing_asks_for_a_reason_and_says_what_it_costs() -> None:
    bare = case_actions.request_for("c", FormData([("action", "withdraw")]), NB, agency=False)
    assert bare.errors == {"note": "Skriv hvorfor saken trekkes"}
    assert bare.errors.label("note") == NB("actions.note")
    said = case_actions.request_for(
        "c", FormData([("action", "withdraw"), ("note", "Betalt direkte")]), NB, agency=False
    )
    assert said.body == {"note": "Betalt direkte"}
    economy = {
        "components": [
            {"component": "principal", "outstanding_ore": 100_000},
            {"component": "interest", "outstanding_ore": 1_250},
            {"component": "collection_fees", "outstanding_ore": 70_000},
            {"component": "court_fees", "outstanding_ore": 0},
        ]
    }
    assert case_actions.withdrawal_cost(economy) == {"fees_ore": 70_000, "given_up_ore": 101_250}
    assert case_actions.withdrawal_cost(None) is None


def test_a_payment_plans_amount_follows_the_shared_amount_rule() -> None:
    form = FormData(
        [("action", "payment_plan"), ("count", "6"), ("amount", "-500"), ("first_due", "")]
    )
    wanted = case_actions.request_for("c", form, NB, agency=True)
    assert wanted.errors == {"amount": "Må være et beløp over null", "first_due": "Må fylles ut"}


def test_a_form_with_errors_asks_the_service_with_neutral_stand_ins() -> None:
    typed = registration_form.read(
        _registration(**{"claims.0.due_date": "31.02.2026", "claims.0.principal_ore": "x"}), NB
    )
    assert typed.body is None
    assert typed.probe is not None
    claim = typed.probe["claims"][0]
    assert claim["principal_ore"] >= claim["reminder_fee_ore"]
    assert claim["invoice_date"] <= claim["due_date"] < today_oslo().isoformat()
    assert typed.probe["debtor"]["national_id"] == "31129956715"


@pytest.mark.parametrize(
    ("text", "fine"),
    [("kari@nordlys.no", True), ("kari@nordlys", False), ("kari nordlys.no", False), ("", False)],
)
def test_an_invitations_address_is_checked_with_the_rest_of_the_form(text: str, fine: bool) -> None:
    assert form_errors.looks_like_email(text) is fine


# -- every form's summary names its fields (the six that once said only the message) --


def test_the_bank_file_upload_names_the_file_and_the_format() -> None:
    assert _summary_links(bank_upload.upload_errors("auto", "", None, NB)) == [
        ("#f-fil", "Bankfil: Velg en fil")
    ]
    assert _summary_links(bank_upload.upload_errors("auto", "tom.txt", b"", NB)) == [
        ("#f-fil", "Bankfil: Filen er tom")
    ]
    unknown = bank_upload.upload_errors("auto", "faktura.csv", b"invoice;amount", NB)
    assert _summary_links(unknown) == [("#f-format", f"Format: {NB('bankfiles.error.format')}")]
    assert bank_upload.upload_errors("auto", "ocr.txt", b"NY000010", NB) == {}
    refused = ApiProblem(
        422,
        type="https://infocenter.example/problems/bank-file-rejected",
        errors=[FieldProblem("line 3: KID", "bad", "bank-file-kid")],
    )
    [(href, text)] = _summary_links(bank_upload.refusal_errors(refused, NB))
    assert (href, text.split(":", 1)[0]) == ("#f-fil", "Bankfil")


def test_the_document_filter_with_three_errors_names_all_three() -> None:
    query = QueryParams("fra=31.02.2026&til=i+går&oppdragsgiver=nordlys")
    chosen = documents.read_filter(query, NB, agency=True)
    assert _summary_links(chosen.errors) == [
        ("#f-fra", "Utstedt fra: Skriv datoen som dd.mm.åååå"),
        ("#f-til", "Utstedt til og med: Skriv datoen som dd.mm.åååå"),
        ("#f-oppdragsgiver", "Oppdragsgiver: Velg en oppdragsgiver fra listen."),
    ]
    merged = chosen.errors.copy()
    merged.general("Det er noe galt")
    assert merged.labels == chosen.errors.labels
    assert next(iter(merged)) == "_"


def test_the_case_filter_names_its_fields_and_the_services_refusal_lands_at_them() -> None:
    chosen = case_filter.read(QueryParams("from=31.02.2026&to=x&q=Hagen"), NB)
    assert _summary_links(chosen.errors) == [
        ("#f-from", "Registrert fra: Skriv datoen som dd.mm.åååå"),
        ("#f-to", "Registrert til: Skriv datoen som dd.mm.åååå"),
    ]
    errors = case_filter.form_errors(NB)
    problem = ApiProblem(
        422,
        type="https://infocenter.example/problems/validation-error",
        errors=[FieldProblem("creditor_reference", "String should have at most 60 characters")],
    )
    errors.merge_problem(problem, NB, fields=case_filter.LABELS, renames=case_filter.SEARCH_FIELDS)
    [(href, text)] = _summary_links(errors)
    assert href == "#f-reference"
    assert text.startswith("Din referanse: ")


def test_the_note_form_names_the_text_and_the_attachments() -> None:
    typed = note_form.read(FormData([("body", "  ")]), NB, agency=False)
    assert typed.body is None
    assert _summary_links(typed.errors) == [("#f-body", "Ny melding: Skriv en melding")]
    said = note_form.read(
        FormData([("body", "Betalt"), ("visibility", "internal")]), NB, agency=False
    )
    assert said.body == {"body": "Betalt", "visibility": "shared"}  # only staff write internal
    files = note_form.files_refused(["kvittering.exe: Filtypen er ikke tillatt."], NB)
    assert _summary_links(files) == [
        ("#f-vedlegg", "Vedlegg: kvittering.exe: Filtypen er ikke tillatt.")
    ]
    problem = ApiProblem(
        422,
        type="https://infocenter.example/problems/validation-error",
        errors=[FieldProblem("body", "String should have at most 4000 characters")],
    )
    [(href, text)] = _summary_links(note_form.refused(problem, EN))
    assert href == "#f-body"
    assert text.startswith("New note: ")


def test_the_rate_confirmation_names_the_source_and_links_to_its_rows_field() -> None:
    typed = rate_form.read_confirmation(FormData([]), NB)
    assert _summary_links(typed.errors, prefix="r7-") == [
        ("#r7-f-source_url", "Kilde (nettadresse): Må fylles ut")
    ]
    sent = rate_form.read_confirmation(FormData([("source_url", "https://x.no/a")]), NB)
    problem = ApiProblem(
        422,
        type="https://infocenter.example/problems/validation-error",
        errors=[
            FieldProblem(
                "source_url",
                "not a primary source",
                "source-not-primary",
                (("host", "sergel.no"), ("allowed", "lovdata.no, regjeringen.no")),
            )
        ],
    )
    rate_form.refused(sent, problem, t=NB, names=rate_form.CONFIRMATION_FIELDS)
    [(href, text)] = _summary_links(sent.errors, prefix="r7-")
    assert href == "#r7-f-source_url"
    assert text == (
        "Kilde (nettadresse): sergel.no er ikke en primærkilde. "
        "Bruk en side hos lovdata.no, regjeringen.no"
    )
    conflict = ApiProblem(409, type="https://infocenter.example/problems/rate-confirmed")
    rate_form.refused(sent, conflict, NB, rate_form.CONFIRMATION_FIELDS)
    assert sent.errors == {"_": NB("rates.error.already_confirmed")}


def test_the_integration_form_names_both_keys() -> None:
    errors = integrations.connection_errors({"consumer_token": "", "employee_token": ""}, NB)
    assert [text.split(":", 1)[0] for _, text in _summary_links(errors)] == [
        NB("integrations.consumer_token"),
        NB("integrations.employee_token"),
    ]
    refused = ApiProblem(
        502,
        type="https://infocenter.example/problems/erp-refused",
        extensions={"erp_code": "erp_unauthorised"},
    )
    keys = {"consumer_token": "c", "employee_token": "e"}
    [(href, text)] = _summary_links(integrations.connection_errors(keys, NB, refused))
    assert href == "#f-employee_token"
    assert text == f"{NB('integrations.employee_token')}: {NB('integrations.erp.erp_unauthorised')}"
