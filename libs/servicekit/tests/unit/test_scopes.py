"""API clients' scopes per route: default deny, the scope named, users untouched, and the
OpenAPI security schemes."""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI
from servicekit.auth import CurrentPrincipal, require_roles
from servicekit.openapi import CLIENT_SCHEME, USER_SCHEME, document_problems
from servicekit.problems import install_problem_handlers
from servicekit.roles import Roles, Scopes
from servicekit.scopes import client_scope
from servicekit.testing.http import asgi_client, assert_problem
from servicekit.testing.tokens import TestSigner

pytestmark = pytest.mark.unit

ORG = uuid.uuid4()


def app(signer: TestSigner) -> FastAPI:
    application = FastAPI()
    application.state.token_verifier = signer.verifier()
    install_problem_handlers(application)
    router = APIRouter(prefix="/things")
    creditor = Depends(require_roles(Roles.CREDITOR, Roles.CREDITOR_ADMIN))

    @router.get("", dependencies=[client_scope(Scopes.CASES_READ), creditor])
    async def list_things() -> list[str]:
        return []

    @router.post("", dependencies=[client_scope(Scopes.CASES_WRITE), creditor])
    async def make_thing() -> dict[str, str]:
        return {"made": "yes"}

    @router.get("/mine")
    async def who(principal: CurrentPrincipal) -> dict[str, str]:
        return {"sub": str(principal.user_id)}

    application.include_router(router)
    document_problems(application)
    return application


def client(signer: TestSigner, *scopes: str) -> dict[str, str]:
    client_id = uuid.uuid4()
    token = signer.mint(
        organisation_id=ORG,
        roles=[Roles.CREDITOR],
        user_id=client_id,
        client_id=str(client_id),
        scope=" ".join(scopes),
    )
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def api() -> tuple[TestSigner, httpx.AsyncClient]:
    signer = TestSigner()
    return signer, asgi_client(app(signer))


async def test_a_client_passes_only_where_its_scope_is_named(
    api: tuple[TestSigner, httpx.AsyncClient],
) -> None:
    signer, http = api
    reader = client(signer, Scopes.CASES_READ, "no:such-scope")
    assert (await http.get("/things", headers=reader)).status_code == 200
    refused = assert_problem(await http.post("/things", headers=reader), 403, "insufficient-scope")
    assert refused["required_scope"] == [Scopes.CASES_WRITE]
    assert_problem(await http.get("/things/mine", headers=reader), 403, "client-not-allowed")
    writer = client(signer, Scopes.CASES_WRITE)
    assert (await http.post("/things", headers=writer)).status_code == 200
    assert_problem(await http.get("/things", headers=writer), 403, "insufficient-scope")


async def test_a_person_is_not_held_to_scopes(api: tuple[TestSigner, httpx.AsyncClient]) -> None:
    signer, http = api
    person = signer.headers(organisation_id=ORG, roles=[Roles.CREDITOR])
    assert (await http.get("/things/mine", headers=person)).status_code == 200
    assert (await http.post("/things", headers=person)).status_code == 200


def test_an_unknown_scope_cannot_be_named() -> None:
    with pytest.raises(ValueError, match="unknown scope"):
        client_scope("cases:delete")


def test_the_document_names_the_security_schemes_per_operation() -> None:
    document = app(TestSigner()).openapi()
    schemes = document["components"]["securitySchemes"]
    assert schemes[USER_SCHEME]["scheme"] == "bearer"
    flow = schemes[CLIENT_SCHEME]["flows"]["clientCredentials"]
    assert flow["tokenUrl"] == "/api/v1/auth/oauth/token"
    assert set(flow["scopes"]) == Scopes.ALL
    operations = document["paths"]
    assert operations["/things"]["post"]["security"] == [
        {USER_SCHEME: []},
        {CLIENT_SCHEME: [Scopes.CASES_WRITE]},
    ]
    assert "403" in operations["/things"]["post"]["responses"]
    assert operations["/things/mine"]["get"]["security"] == [{USER_SCHEME: []}]
