"""The shared input types: what the database or the arithmetic cannot take is refused."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated, Any

import httpx
import pytest
from fastapi import FastAPI, Query
from pydantic import BaseModel, Field, ValidationError
from servicekit.problems import install_problem_handlers
from servicekit.testing.input_schema import loose_inputs
from servicekit.types import (
    BIGINT_MAX,
    MAX_ORE,
    TEXT_PATTERN,
    Count,
    Limit,
    Ore,
    OreParam,
    SignedOre,
    StrictDate,
    Text,
    refuses_nul,
)

pytestmark = pytest.mark.unit


class Claim(BaseModel):
    reference: Annotated[Text, Field(max_length=20)] = "ref"
    note: Annotated[Text | None, Field(max_length=20)] = None
    lines: list[Annotated[Text, Field(max_length=20)]] = []
    code: Annotated[Text, Field(pattern=r"^[A-Z]*$")] = "A"
    principal_ore: Ore = 1
    adjustment_ore: SignedOre = 0
    seq: Count = 0
    due: StrictDate = date(2026, 1, 1)


class Loose(BaseModel):
    name: str
    count: int
    tags: list[str]


def errors(body: str) -> list[tuple[str, str]]:
    """The body parsed as a service reads it (``json.loads``, then the model)."""
    with pytest.raises(ValidationError) as caught:
        Claim.model_validate(json.loads(body))
    return [(".".join(map(str, e["loc"])), e["type"]) for e in caught.value.errors()]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"reference": "A\\u0000B"}', "reference"),
        ('{"note": "\\u0000"}', "note"),
        ('{"lines": ["ok", "x\\u0000"]}', "lines.1"),
    ],
)
def test_a_nul_is_refused_in_every_text(body: str, field: str) -> None:
    assert errors(body) == [(field, "string_pattern_mismatch")]


@pytest.mark.parametrize("escape", ["\\ud800", "\\udfff", "a\\udc00b"])
def test_an_unpaired_surrogate_is_refused(escape: str) -> None:
    assert errors(f'{{"reference": "{escape}"}}') == [("reference", "string_unicode")]


def test_text_keeps_everything_else_and_its_own_length() -> None:
    kept = "Ærlig Øyvind Åsen \U0001f600\t\u00a0"
    assert Claim.model_validate({"reference": kept[:20]}).reference == kept[:20]
    assert errors('{"reference": "' + "x" * 21 + '"}') == [("reference", "string_too_long")]


def test_a_fields_own_pattern_replaces_the_rule_and_must_refuse_nul_itself() -> None:
    assert errors('{"code": "A\\u0000"}') == [("code", "string_pattern_mismatch")]
    assert refuses_nul(TEXT_PATTERN)
    assert refuses_nul(r"^[A-Z]*$")
    assert not refuses_nul(r"[^\s]")  # unanchored: "a\x00" matches


@pytest.mark.parametrize("loose", ["true", "false", '"100"', "1e3", "100.0", "null", "[1]"])
def test_ore_is_an_integer_and_nothing_else(loose: str) -> None:
    assert errors(f'{{"principal_ore": {loose}}}') == [("principal_ore", "int_type")]


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (10**30, "less_than_equal"),
        (MAX_ORE + 1, "less_than_equal"),
        (-1, "greater_than_equal"),
    ],
)
def test_ore_is_bounded(value: int, kind: str) -> None:
    assert errors(f'{{"principal_ore": {value}}}') == [("principal_ore", kind)]
    assert Claim(principal_ore=MAX_ORE).principal_ore == MAX_ORE


def test_signed_ore_leaves_the_sign_to_the_domain_but_not_the_size() -> None:
    assert Claim.model_validate({"adjustment_ore": -500}).adjustment_ore == -500
    assert errors(f'{{"adjustment_ore": {-(10**30)}}}') == [
        ("adjustment_ore", "greater_than_equal")
    ]
    assert errors('{"adjustment_ore": true}') == [("adjustment_ore", "int_type")]


def test_count_fits_a_bigint() -> None:
    assert Claim(seq=BIGINT_MAX).seq == BIGINT_MAX
    assert errors(f'{{"seq": {BIGINT_MAX + 1}}}') == [("seq", "less_than_equal")]
    assert errors('{"seq": "5"}') == [("seq", "int_type")]


@pytest.mark.parametrize(
    "loose",
    [
        '"2026-01-01T00:00:00"',
        '"2026-01-01T00:00:00Z"',
        '"2026-01-01 00:00"',
        '"20260101"',
        "1767225600",
        "true",
        '"01.01.2026"',
    ],
)
def test_a_strict_date_is_yyyy_mm_dd_only(loose: str) -> None:
    assert errors(f'{{"due": {loose}}}') == [("due", "date_format")]


@pytest.mark.parametrize("far", ['"0001-01-01"', '"1899-12-31"', '"3000-01-01"', '"9999-12-31"'])
def test_a_strict_date_stays_where_dates_can_be_computed(far: str) -> None:
    assert errors(f'{{"due": {far}}}') == [("due", "date_range")]


def test_a_strict_date_takes_a_date_as_such() -> None:
    assert Claim.model_validate({"due": "2026-02-28"}).due == date(2026, 2, 28)
    assert Claim(due=date(2026, 3, 1)).due == date(2026, 3, 1)
    with pytest.raises(ValidationError):
        Claim(due=datetime(2026, 3, 1))  # type: ignore[arg-type]  # what the test refuses
    assert errors('{"due": "2026-02-30"}')[0][0] == "due"


def app() -> FastAPI:
    application = FastAPI()
    install_problem_handlers(application)

    @application.get("/claims")
    async def search(
        reference: Annotated[Text | None, Query(max_length=20)] = None,
        principal_min_ore: OreParam | None = None,
        due_from: StrictDate | None = None,
        limit: Annotated[Limit, Query(le=50)] = 10,
    ) -> dict[str, Any]:
        return {"limit": limit, "principal_min_ore": principal_min_ore}

    @application.post("/claims")
    async def register(claim: Claim) -> dict[str, int]:
        return {"principal_ore": claim.principal_ore}

    return application


@pytest.fixture
def client() -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app(), raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://test")


@pytest.mark.parametrize(
    ("query", "field", "code"),
    [
        ("reference=A%00B", "reference", "text_nul"),
        ("principal_min_ore=" + "9" * 30, "principal_min_ore", "less_than_equal"),
        ("principal_min_ore=-1", "principal_min_ore", "greater_than_equal"),
        ("due_from=2026-01-01T00:00:00", "due_from", "date_format"),
        ("limit=51", "limit", "less_than_equal"),
        ("limit=0", "limit", "greater_than_equal"),
    ],
)
async def test_query_strings_are_bounded_and_named(
    client: httpx.AsyncClient, query: str, field: str, code: str
) -> None:
    response = await client.get(f"/claims?{query}")
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert (error["field"], error["code"], error["location"]) == (field, code, "query")


async def test_a_query_amount_is_read_from_its_digits(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/claims?principal_min_ore={MAX_ORE}&limit=50")
    assert response.json() == {"limit": 50, "principal_min_ore": MAX_ORE}


async def test_a_body_names_the_field_with_a_stable_code(client: httpx.AsyncClient) -> None:
    body = b'{"reference": "A\\u0000", "note": "\\ud800", "principal_ore": true, "due": "x"}'
    response = await client.post(
        "/claims", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    found = {(e["field"], e["code"]) for e in response.json()["errors"]}
    assert found == {
        ("reference", "text_nul"),
        ("note", "text_unicode"),
        ("principal_ore", "int_type"),
        ("due", "date_format"),
    }
    reasons = {e["field"]: e["reason"] for e in response.json()["errors"]}
    assert "U+0000" in reasons["reference"]


def test_the_openapi_document_states_the_bounds() -> None:
    document = app().openapi()
    assert loose_inputs(document) == []
    claim = document["components"]["schemas"]["Claim"]["properties"]
    assert claim["principal_ore"] == {
        "type": "integer",
        "minimum": 0,
        "maximum": MAX_ORE,
        "description": claim["principal_ore"]["description"],
        "title": "Principal Ore",
        "default": 1,
    }
    assert claim["reference"]["pattern"] == TEXT_PATTERN
    assert claim["due"]["format"] == "date"


def test_loose_inputs_names_a_plain_str_and_an_unbounded_int() -> None:
    application = FastAPI()

    @application.post("/loose")
    async def loose(body: Loose, q: str | None = None, n: int = 1) -> None:
        del body, q, n

    assert sorted(loose_inputs(application.openapi())) == [
        "POST /loose body.count: an integer without bounds",
        "POST /loose body.name: a string that may hold NUL",
        "POST /loose body.tags[]: a string that may hold NUL",
        "POST /loose query.n: an integer without bounds",
        "POST /loose query.q: a string that may hold NUL",
    ]
