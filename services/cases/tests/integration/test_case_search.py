"""Case search: a word anywhere in the debtor's name, a case number in any form, a
reference in any case — through ``debtor``, ``case_number``, ``creditor_reference`` and
the one search box ``q``."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from cases.bootstrap import CasesService
from cases.entrypoints.api import create_app
from servicekit.testing.data import organisation_number
from servicekit.testing.http import asgi_client, assert_problem

from .test_cases_api import Caller, case_body, register, world  # noqa: F401 (fixture)

pytestmark = pytest.mark.integration


def person(name: str) -> dict[str, Any]:
    body = case_body()
    body["debtor"]["name"] = name
    return body


def business(name: str) -> dict[str, Any]:
    return {
        "kind": "business",
        "name": name,
        "organisation_number": organisation_number(),
        "address": {"lines": ["Postboks 1"], "postal_code": "6002", "city": "Ålesund"},
    }


async def found(client: httpx.AsyncClient, who: Caller, **params: str) -> list[str]:
    response = await client.get("/api/v1/cases", params=params, headers=who.headers)
    assert response.status_code == 200, response.text
    return sorted(c["debtor_name"] for c in response.json()["items"])


async def test_a_word_anywhere_in_the_name_in_any_case(
    service: CasesService,
    world: dict[str, Caller],  # noqa: F811
) -> None:
    kari, other, handler = world["kari"], world["other"], world["handler"]
    async with asgi_client(create_app(service)) as client:
        for name in ("Bjørn Hagen", "Ærlige Øyvind Strand", "Per 100% Olsen", "Per_Olsen"):
            await register(client, kari, debtor=person(name)["debtor"])
        await register(client, kari, debtor=business("Kystfisk Ålesund AS"))
        await register(client, other, debtor=person("Anne Hagen")["debtor"])

        assert await found(client, kari, debtor="Hagen") == ["Bjørn Hagen"]
        assert await found(client, handler, debtor="hagen") == ["Anne Hagen", "Bjørn Hagen"]
        assert await found(client, kari, debtor="Ålesund") == ["Kystfisk Ålesund AS"]
        assert await found(client, kari, debtor="ålesund") == ["Kystfisk Ålesund AS"]
        assert await found(client, kari, debtor="ÅLESUND") == ["Kystfisk Ålesund AS"]
        # a word in the middle, letters «ÆØÅ» in either case, part of a word
        assert await found(client, kari, debtor="øyvind") == ["Ærlige Øyvind Strand"]
        assert await found(client, kari, debtor="ÆRLIGE") == ["Ærlige Øyvind Strand"]
        assert await found(client, kari, debtor="bjø") == ["Bjørn Hagen"]
        # several words: every one must match, in any order
        assert await found(client, kari, debtor="strand  ærlige") == ["Ærlige Øyvind Strand"]
        assert await found(client, kari, debtor="Hagen Strand") == []
        assert await found(client, kari, debtor="Nordmann") == []
        # LIKE's wildcards are plain characters
        assert await found(client, kari, debtor="%") == ["Per 100% Olsen"]
        assert await found(client, kari, debtor="per_") == ["Per_Olsen"]
        assert await found(client, kari, debtor="_") == ["Per_Olsen"]
        assert await found(client, kari, debtor="r%") == []

        too_many = await client.get(
            "/api/v1/cases", params={"debtor": "a b c d e f g"}, headers=kari.headers
        )
    problem = assert_problem(too_many, 400)
    assert [(e["field"], e["reason"]) for e in problem["errors"]] == [("debtor", "too_many_words")]


async def test_a_case_number_in_any_form_and_a_reference_in_any_case(
    service: CasesService,
    world: dict[str, Caller],  # noqa: F811
) -> None:
    kari, other = world["kari"], world["other"]
    async with asgi_client(create_app(service)) as client:
        case = await register(client, kari, creditor_reference="Faktura-77A")
        await register(client, kari)
        theirs = await register(client, other, creditor_reference="faktura-77a")
        number = case["case_number"]
        digits = number.removeprefix("IC-")

        for form in (number, number.lower(), digits, digits.lstrip("0"), f"IC{digits}"):
            response = await client.get(
                "/api/v1/cases", params={"case_number": form}, headers=kari.headers
            )
            assert [c["case_id"] for c in response.json()["items"]] == [case["case_id"]], form
        for text in ("FAKTURA-77a", "faktura-77A", " Faktura-77A "):
            response = await client.get(
                "/api/v1/cases", params={"creditor_reference": text}, headers=kari.headers
            )
            assert [c["case_id"] for c in response.json()["items"]] == [case["case_id"]], text
        other_number = await client.get(
            "/api/v1/cases", params={"case_number": theirs["case_number"]}, headers=kari.headers
        )
        assert other_number.json()["items"] == []
        nothing = await client.get(
            "/api/v1/cases", params={"case_number": "IC-X"}, headers=kari.headers
        )
        assert nothing.json()["items"] == []


async def test_one_search_box_finds_by_number_reference_or_name(
    service: CasesService,
    world: dict[str, Caller],  # noqa: F811
) -> None:
    kari = world["kari"]
    async with asgi_client(create_app(service)) as client:
        hagen_debtor = person("Bjørn Hagen")["debtor"]
        hagen = await register(client, kari, debtor=hagen_debtor)
        fisk = await register(
            client, kari, creditor_reference="ORD-9", debtor=business("Kystfisk Ålesund AS")
        )
        await register(client, kari, debtor=person("Kari Nordmann")["debtor"])
        agent = await register(client, kari, debtor=business("Agent 0099 AS"))

        async def box(q: str) -> list[str]:
            response = await client.get("/api/v1/cases", params={"q": q}, headers=kari.headers)
            assert response.status_code == 200, response.text
            return [c["case_id"] for c in response.json()["items"]]

        digits = hagen["case_number"].removeprefix("IC-")
        for form in (hagen["case_number"].lower(), digits, digits.lstrip("0")):
            assert await box(form) == [hagen["case_id"]], form
        assert await box("ord-9") == [fisk["case_id"]]
        assert await box(hagen_debtor["national_id"]) == [hagen["case_id"]]
        assert await box("ålesund") == [fisk["case_id"]]
        assert await box("hagen BJØRN") == [hagen["case_id"]]
        assert await box("Tromsø") == []
        # a text that reads as a case number is not looked for in names (no IC-0000099 here)
        assert await box("0099") == []
        assert await box("agent 0099") == [agent["case_id"]]
        assert await box("   ") != []  # an empty box narrows nothing
        problem = assert_problem(
            await client.get("/api/v1/cases", params={"q": "a b c d e f g"}, headers=kari.headers),
            400,
        )
    assert [(e["field"], e["reason"]) for e in problem["errors"]] == [("q", "too_many_words")]


async def test_a_name_search_pages_with_the_cursor(
    service: CasesService,
    world: dict[str, Caller],  # noqa: F811
) -> None:
    kari = world["kari"]
    async with asgi_client(create_app(service)) as client:
        hagens = [
            await register(client, kari, debtor=person(f"Hagen {n}")["debtor"]) for n in range(5)
        ]
        await register(client, kari, debtor=person("Kari Nordmann")["debtor"])
        seen: list[str] = []
        params = {"debtor": "hagen", "limit": "2", "sort": "case_number", "order": "asc"}
        for _ in range(4):
            page = (await client.get("/api/v1/cases", params=params, headers=kari.headers)).json()
            seen += [c["case_id"] for c in page["items"]]
            if page["next_cursor"] is None:
                break
            params["cursor"] = page["next_cursor"]
    assert seen == [h["case_id"] for h in hagens]
