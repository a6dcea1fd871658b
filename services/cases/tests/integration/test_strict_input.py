"""What a client sends wrong is a 422 naming the field, never a 500 (issue 18, findings 4, 5).

A NUL or an unpaired surrogate in any text, an integer beyond its column, a boolean or a
string or a float for an amount in øre, a date-time for a date: each is refused at the
schema, in bodies and query strings alike, with the field and a stable code.
"""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import httpx
import pytest
from cases.bootstrap import CasesService
from cases.entrypoints.api import create_app
from servicekit.roles import Roles
from servicekit.testing.http import asgi_client, assert_problem
from servicekit.testing.input_schema import loose_inputs
from servicekit.testing.tokens import TestSigner

from .conftest import add_creditor
from .test_cases_api import Caller, caller, case_body

pytestmark = pytest.mark.integration

CASES = "/api/v1/cases"


@pytest.fixture
async def kari(service: CasesService, signer: TestSigner) -> Caller:
    return caller(signer, await add_creditor(service), Roles.CREDITOR)


def refused(response: httpx.Response) -> set[tuple[str, str]]:
    """``(field, code)`` of each error of a 422 problem."""
    problem = assert_problem(response, 422, "validation-error")
    return {(e["field"], e["code"]) for e in problem["errors"]}


async def post_raw(client: httpx.AsyncClient, path: str, body: str, who: Caller) -> httpx.Response:
    """``body`` sent as written (``json=`` would escape or refuse what is tested here)."""
    headers = {**who.headers, "content-type": "application/json"}
    return await client.post(path, content=body.encode("utf-8", "surrogatepass"), headers=headers)


def test_every_input_is_bounded_in_the_openapi_document(service: CasesService) -> None:
    assert loose_inputs(create_app(service).openapi()) == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda b: b.update(creditor_reference="REF\x00-1"), "creditor_reference"),
        (lambda b: b["debtor"].update(name="Kari\x00"), "debtor.name"),
        (
            lambda b: b["debtor"]["address"].update(lines=["Gate 1", "\x00"]),
            "debtor.address.lines.1",
        ),
        (lambda b: b["claims"][0].update(invoice_number="F\x00"), "claims.0.invoice_number"),
    ],
)
async def test_a_nul_in_any_text_of_a_registration_is_named(
    service: CasesService, kari: Caller, change: Any, field: str
) -> None:
    body = case_body()
    change(body)
    async with asgi_client(create_app(service)) as client:
        assert refused(await client.post(CASES, json=body, headers=kari.headers)) == {
            (field, "text_nul")
        }


async def test_an_unpaired_surrogate_is_named(service: CasesService, kari: Caller) -> None:
    body = json.dumps(case_body(creditor_reference="REF-SURROGATE"))
    body = body.replace("REF-SURROGATE", "REF-\\ud800")
    async with asgi_client(create_app(service)) as client:
        assert refused(await post_raw(client, CASES, body, kari)) == {
            ("creditor_reference", "text_unicode")
        }


@pytest.mark.parametrize("loose", ["true", '"100"', "1e3", "100.0", str(10**30)])
async def test_an_amount_in_ore_is_an_integer_in_range(
    service: CasesService, kari: Caller, loose: str
) -> None:
    body = json.dumps(case_body()).replace('"principal_ore": 250000', f'"principal_ore": {loose}')
    assert loose in body
    async with asgi_client(create_app(service)) as client:
        [(field, _)] = refused(await post_raw(client, CASES, body, kari))
        assert field == "claims.0.principal_ore"
        listed = await client.get(CASES, headers=kari.headers)
        assert listed.json()["items"] == [], "nothing was registered"


async def test_a_date_time_is_not_a_date(service: CasesService, kari: Caller) -> None:
    body = case_body()
    body["claims"][0]["due_date"] += "T00:00:00"
    async with asgi_client(create_app(service)) as client:
        assert refused(await client.post(CASES, json=body, headers=kari.headers)) == {
            ("claims.0.due_date", "date_format")
        }


@pytest.mark.parametrize(
    ("query", "field", "code"),
    [
        ({"principal_min_ore": str(10**30)}, "principal_min_ore", "less_than_equal"),
        ({"principal_max_ore": "-1"}, "principal_max_ore", "greater_than_equal"),
        ({"creditor_reference": "A\x00"}, "creditor_reference", "text_nul"),
        ({"debtor": "Kari\x00"}, "debtor", "text_nul"),
        ({"q": "Kari\x00"}, "q", "text_nul"),
        ({"q": "x" * 201}, "q", "string_too_long"),
        ({"case_number": "IC\x00"}, "case_number", "text_nul"),
        ({"status": "closed\x00"}, "status.0", "text_nul"),
        ({"cursor": "\x00"}, "cursor", "text_nul"),
        ({"registered_from": "2026-01-01T00:00:00"}, "registered_from", "date_format"),
        ({"due_to": "9999-12-31"}, "due_to", "date_range"),
        ({"limit": str(10**30)}, "limit", "less_than_equal"),
    ],
)
async def test_the_case_search_names_what_it_cannot_search_for(
    service: CasesService, kari: Caller, query: dict[str, str], field: str, code: str
) -> None:
    async with asgi_client(create_app(service)) as client:
        response = await client.get(CASES, params=query, headers=kari.headers)
        assert refused(response) == {(field, code)}


def _cursor(*parts: Any) -> str:
    raw = json.dumps(list(parts)).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    ("path", "cursor"),
    [
        (CASES, _cursor("principal", "desc", 10**30, str(uuid.uuid4()))),
        (CASES, _cursor("registered", "desc", "2026-01-01T00:00:00", str(uuid.uuid4()))),
        (CASES, _cursor("registered", "desc", "2026-01-01T00:00:00+00:00", 5)),
        (CASES + "/imports", base64.urlsafe_b64encode(b"2026-01-01T00:00|" + b"0" * 32).decode()),
    ],
)
async def test_a_forged_cursor_is_refused_not_a_crash(
    service: CasesService, kari: Caller, path: str, cursor: str
) -> None:
    params = {"cursor": cursor}
    if path == CASES and "principal" in base64.urlsafe_b64decode(cursor + "==").decode():
        params["sort"] = "principal"
    async with asgi_client(create_app(service)) as client:
        response = await client.get(path, params=params, headers=kari.headers)
        assert response.status_code in (400, 422), response.text
        assert_problem(response, response.status_code)


async def test_a_batch_cursor_beyond_a_bigint_is_refused(
    service: CasesService, kari: Caller
) -> None:
    async with asgi_client(create_app(service)) as client:
        created = await client.post(CASES, json=case_body(), headers=kari.headers)
        batch = created.json()["batch_id"]
        response = await client.get(
            f"{CASES}/batches/{batch}", params={"cursor": "9" * 30}, headers=kari.headers
        )
        assert refused(response) == {("cursor", "string_too_long")}
        response = await client.get(
            f"{CASES}/batches/{batch}", params={"cursor": "²"}, headers=kari.headers
        )
        assert refused(response) == {("cursor", "string_pattern_mismatch")}


async def test_a_note_with_a_nul_or_a_read_mark_beyond_a_bigint_is_named(
    service: CasesService, kari: Caller
) -> None:
    async with asgi_client(create_app(service)) as client:
        created = await client.post(CASES, json=case_body(), headers=kari.headers)
        notes = f"{CASES}/{created.json()['case_id']}/notes"
        note = {"body": "Fødselsnummer 010190\x0012345"}
        assert refused(await client.post(notes, json=note, headers=kari.headers)) == {
            ("body", "text_nul")
        }
        read = {"up_to_seq": 10**30}
        assert refused(await client.post(notes + "/read", json=read, headers=kari.headers)) == {
            ("up_to_seq", "less_than_equal")
        }
        fine = await client.post(notes, json={"body": "Ring meg"}, headers=kari.headers)
        assert fine.status_code == 201, fine.text
