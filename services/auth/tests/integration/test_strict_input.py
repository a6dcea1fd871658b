"""What a client sends wrong is a 422 naming the field, never a 500 (issue 18, finding 4).

Every text the identity service reads (e-mail, password, names, tokens, codes, search)
refuses a NUL and an unpaired surrogate at the schema; a password could not even be
hashed with one (UTF-8 cannot encode it). Numbers in query strings are bounded.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest
from auth.bootstrap import AuthService
from auth.entrypoints.api import create_app
from servicekit.roles import Roles
from servicekit.testing.http import asgi_client, assert_problem
from servicekit.testing.input_schema import loose_inputs
from servicekit.testing.tokens import TestSigner

pytestmark = pytest.mark.integration

P = "/api/v1/auth"
TOKEN = "t" * 40
NUL = "\x00"


def refused(response: httpx.Response) -> set[tuple[str, str]]:
    problem = assert_problem(response, 422, "validation-error")
    return {(e["field"], e["code"]) for e in problem["errors"]}


@pytest.fixture
async def client(service: AuthService) -> Any:
    async with asgi_client(create_app(service)) as http:
        yield http


@pytest.fixture
def admin(signer: TestSigner) -> dict[str, str]:
    return signer.headers(organisation_id=uuid.uuid4(), roles=[Roles.AGENCY_ADMIN])


def test_every_input_is_bounded_in_the_openapi_document(service: AuthService) -> None:
    assert loose_inputs(create_app(service).openapi()) == []


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/sign-in", {"email": f"kari{NUL}@nordlys.no", "password": "x"}, "email"),
        ("/sign-in", {"email": "kari@nordlys.no", "password": f"pass{NUL}"}, "password"),
        ("/sign-in/second-factor", {"challenge": f"c{NUL}" * 10, "code": "123456"}, "challenge"),
        ("/sign-in/second-factor", {"challenge": "c" * 20, "code": f"12345{NUL}"}, "code"),
        ("/token", {"refresh_token": f"r{NUL}" * 10}, "refresh_token"),
        ("/invitations/accept", {"token": f"{TOKEN}{NUL}", "password": "p"}, "token"),
        (
            "/password-reset/confirm",
            {"token": TOKEN, "password": f"p{NUL}", "code": "123456"},
            "password",
        ),
        (
            "/password-reset/confirm",
            {"token": TOKEN, "password": "p", "recovery_code": f"{'r' * 16}{NUL}"},
            "recovery_code",
        ),
    ],
)
async def test_a_nul_in_a_public_form_is_named(
    client: httpx.AsyncClient, path: str, body: dict[str, str], field: str
) -> None:
    assert refused(await client.post(P + path, json=body)) == {(field, "text_nul")}


async def test_an_unpaired_surrogate_in_a_password_is_named(client: httpx.AsyncClient) -> None:
    body = json.dumps({"email": "kari@nordlys.no", "password": "pass-SURR"})
    raw = body.replace("pass-SURR", "pass\\ud800").encode()
    response = await client.post(
        P + "/sign-in", content=raw, headers={"content-type": "application/json"}
    )
    assert refused(response) == {("password", "text_unicode")}


async def test_names_and_numbers_of_organisations_and_users_refuse_a_nul(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    organisation = await client.post(
        P + "/organisations",
        json={"name": "Nordlys AS", "organisation_number": f"92360901{NUL}"},
        headers=admin,
    )
    assert refused(organisation) == {("organisation_number", "text_nul")}
    invited = await client.post(
        f"{P}/organisations/{uuid.uuid4()}/users",
        json={"email": "kari@nordlys.no", "full_name": f"Kari{NUL}", "roles": ["creditor"]},
        headers=admin,
    )
    assert {field for field, _ in refused(invited)} == {"full_name"}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"q": f"Nordlys{NUL}"}, "q"),
        ({"limit": str(10**30)}, "limit"),
        ({"limit": "0"}, "limit"),
    ],
)
async def test_the_organisation_search_names_what_it_cannot_search_for(
    client: httpx.AsyncClient, admin: dict[str, str], query: dict[str, str], field: str
) -> None:
    response = await client.get(P + "/organisations", params=query, headers=admin)
    assert {name for name, _ in refused(response)} == {field}
