"""``POST /api/v1/auth/organisations``: the organisation and its event, in one transaction."""

from __future__ import annotations

import json
import secrets
import uuid
from typing import Any

import httpx
import pytest
from auth.adapters.orm import organisations, outbox
from auth.bootstrap import AuthService
from auth.entrypoints.api import create_app
from servicekit.roles import Roles
from servicekit.testing.data import organisation_number, unique_name
from servicekit.testing.http import asgi_client, assert_problem
from servicekit.testing.tokens import TestSigner
from sqlalchemy import func, select

pytestmark = pytest.mark.integration

PATH = "/api/v1/auth/organisations"


def admin(signer: TestSigner) -> dict[str, str]:
    """Headers of an agency administrator (the service fixture trusts ``signer``)."""
    return signer.headers(organisation_id=uuid.uuid4(), roles=[Roles.AGENCY_ADMIN])


async def outbox_rows_for(service: AuthService, organisation_id: str) -> list[dict[str, Any]]:
    """Outbox rows whose event is about ``organisation_id``."""
    async with service.session_factory() as session:
        rows = (await session.execute(select(outbox).order_by(outbox.c.id))).mappings()
        return [
            dict(row)
            for row in rows
            if json.loads(row["body"])["data"].get("organisation_id") == organisation_id
        ]


async def table_counts(service: AuthService) -> tuple[int, int]:
    async with service.session_factory() as session:
        orgs = await session.scalar(select(func.count()).select_from(organisations))
        events = await session.scalar(select(func.count()).select_from(outbox))
    return int(orgs or 0), int(events or 0)


@pytest.fixture
async def client(service: AuthService) -> httpx.AsyncClient:
    return asgi_client(create_app(service))


async def test_registering_an_organisation_writes_it_and_its_event_with_the_trace(
    service: AuthService, client: httpx.AsyncClient, signer: TestSigner
) -> None:
    trace_id = secrets.token_hex(16)
    request_id = uuid.uuid4()
    body = {"name": unique_name(), "organisation_number": organisation_number()}

    async with client:
        response = await client.post(
            PATH,
            json=body,
            headers={
                **admin(signer),
                "traceparent": f"00-{trace_id}-{secrets.token_hex(8)}-01",
                "X-Request-ID": str(request_id),
            },
        )
        assert response.status_code == 201, response.text
        created = response.json()
        fetched = await client.get(f"{PATH}/{created['id']}", headers=admin(signer))

    assert {k: created[k] for k in ("name", "organisation_number", "kind", "active")} == {
        "name": body["name"],
        "organisation_number": body["organisation_number"],
        "kind": "creditor",
        "active": True,
    }
    assert fetched.status_code == 200, fetched.text
    assert fetched.json()["organisation_number"] == body["organisation_number"]

    [row] = await outbox_rows_for(service, created["id"])
    envelope = json.loads(row["body"])
    assert row["event_type"] == envelope["event_type"] == "auth.organisation.registered"
    assert row["routing_key"] == "auth.organisation.registered.v1"
    assert row["sent_at"] is None
    assert str(row["event_id"]) == envelope["event_id"]
    assert envelope["producer"] == "auth"
    assert envelope["correlation_id"] == str(request_id)
    assert envelope["data"] == {
        "organisation_id": created["id"],
        "kind": "creditor",
        "name": body["name"],
        "organisation_number": body["organisation_number"],
    }
    traceparent = row["trace_headers"].get("traceparent", "")
    assert traceparent.split("-")[1:2] == [trace_id], row["trace_headers"]


async def test_an_invalid_organisation_number_is_a_problem_naming_the_field(
    service: AuthService, client: httpx.AsyncClient, signer: TestSigner
) -> None:
    before = await table_counts(service)
    valid = organisation_number()
    wrong_check_digit = valid[:8] + str((int(valid[8]) + 1) % 10)

    async with client:
        by_domain = await client.post(
            PATH,
            json={"name": unique_name(), "organisation_number": wrong_check_digit},
            headers=admin(signer),
        )
        by_schema = await client.post(
            PATH,
            json={"name": unique_name(), "organisation_number": "1234"},
            headers=admin(signer),
        )

    problem = assert_problem(by_domain, 422, "invalid-organisation-number")
    assert [e["field"] for e in problem["errors"]] == ["organisation_number"]
    problem = assert_problem(by_schema, 422, "validation-error")
    assert [e["field"] for e in problem["errors"]] == ["organisation_number"]
    assert await table_counts(service) == before


async def test_a_name_with_a_nul_character_is_a_problem_not_a_crash(
    service: AuthService, client: httpx.AsyncClient, signer: TestSigner
) -> None:
    """PostgreSQL text holds no U+0000: the insert failed (a 500, found by API fuzzing)."""
    async with client:
        response = await client.post(
            PATH,
            json={"name": "Nordlys\x00 AS", "organisation_number": organisation_number()},
            headers=admin(signer),
        )
    problem = assert_problem(response, 422, "validation-error")
    assert [e["field"] for e in problem["errors"]] == ["name"]


async def test_registering_the_same_organisation_number_twice_is_a_conflict(
    service: AuthService, client: httpx.AsyncClient, signer: TestSigner
) -> None:
    number = organisation_number()

    async with client:
        first = await client.post(
            PATH,
            json={"name": unique_name(), "organisation_number": number},
            headers=admin(signer),
        )
        again = await client.post(
            PATH,
            # the same number written with spaces is the same organisation
            json={
                "name": unique_name(),
                "organisation_number": f"{number[:3]} {number[3:6]} {number[6:]}",
            },
            headers=admin(signer),
        )

    assert first.status_code == 201, first.text
    assert_problem(again, 409, "organisation-exists")
    assert len(await outbox_rows_for(service, first.json()["id"])) == 1
    async with service.session_factory() as session:
        holders = await session.scalar(
            select(func.count())
            .select_from(organisations)
            .where(organisations.c.organisation_number == number)
        )
    assert holders == 1


async def test_registering_needs_the_agency_administrator(
    service: AuthService, client: httpx.AsyncClient, signer: TestSigner
) -> None:
    before = await table_counts(service)
    body = {"name": unique_name(), "organisation_number": organisation_number()}

    async with client:
        missing = await client.post(PATH, json=body)
        wrong = await client.post(
            PATH,
            json=body,
            headers=signer.headers(organisation_id=uuid.uuid4(), roles=[Roles.CREDITOR_ADMIN]),
        )
        read = await client.get(f"{PATH}/{uuid.uuid4()}")

    assert_problem(missing, 401, "unauthorized")
    assert_problem(wrong, 403, "forbidden")
    assert_problem(read, 401, "unauthorized")
    assert await table_counts(service) == before


async def test_an_unknown_organisation_is_not_found(
    service: AuthService, client: httpx.AsyncClient, signer: TestSigner
) -> None:
    async with client:
        response = await client.get(f"{PATH}/{uuid.uuid4()}", headers=admin(signer))

    assert_problem(response, 404, "not-found")


async def test_organisations_are_listed_by_name_a_page_at_a_time(
    service: AuthService, client: httpx.AsyncClient, signer: TestSigner
) -> None:
    tag = secrets.token_hex(4)
    names = [f"Listefirma {tag} {letter} AS" for letter in "CAB"]
    async with client:
        for name in names:
            created = await client.post(
                PATH,
                json={"name": name, "organisation_number": organisation_number()},
                headers=admin(signer),
            )
            assert created.status_code == 201, created.text
        agency = await client.post(
            PATH,
            json={
                "name": f"Listefirma {tag} Byrå AS",
                "organisation_number": organisation_number(),
                "kind": "agency",
            },
            headers=admin(signer),
        )
        first = await client.get(
            PATH, params={"q": f"listefirma {tag}", "kind": "creditor", "limit": 2},
            headers=admin(signer),
        )  # fmt: skip
        assert first.status_code == 200, first.text
        rest = await client.get(
            PATH,
            params={"q": tag, "kind": "creditor", "after": first.json()[-1]["id"]},
            headers=admin(signer),
        )
        everyone = await client.get(PATH, params={"q": tag}, headers=admin(signer))
        by_number = await client.get(
            PATH,
            params={"q": agency.json()["organisation_number"][:7]},
            headers=admin(signer),
        )
        odd = await client.get(PATH, params={"q": "100%_"}, headers=admin(signer))
        chosen = [first.json()[1]["id"], agency.json()["id"], str(uuid.uuid4())]
        by_id = await client.get(PATH, params=[("id", i) for i in chosen], headers=admin(signer))
        bad_id = await client.get(PATH, params={"id": "not-an-id"}, headers=admin(signer))
        refused = await client.get(
            PATH,
            headers=signer.headers(organisation_id=uuid.uuid4(), roles=[Roles.CREDITOR_ADMIN]),
        )
        handler = signer.headers(organisation_id=uuid.uuid4(), roles=[Roles.CASE_HANDLER])
        by_a_handler = await client.get(PATH, params={"q": tag}, headers=handler)
        one_for_a_handler = await client.get(f"{PATH}/{agency.json()['id']}", headers=handler)
        registered_by_a_handler = await client.post(
            PATH,
            json={"name": f"Listefirma {tag} D AS", "organisation_number": organisation_number()},
            headers=handler,
        )

    assert [o["name"] for o in first.json()] == sorted(names)[:2]
    assert [o["name"] for o in rest.json()] == sorted(names)[2:]
    assert len(everyone.json()) == 4
    assert agency.json()["id"] in {o["id"] for o in by_number.json()}
    assert odd.status_code == 200
    assert odd.json() == []
    assert [o["id"] for o in by_id.json()] == [first.json()[1]["id"], agency.json()["id"]]
    assert bad_id.status_code == 422
    assert_problem(refused, 403, "forbidden")
    assert len(by_a_handler.json()) == 4  # case handlers read them (every creditor's cases)
    assert one_for_a_handler.json()["name"] == f"Listefirma {tag} Byrå AS"
    assert_problem(registered_by_a_handler, 403, "forbidden")  # and only administrators add
