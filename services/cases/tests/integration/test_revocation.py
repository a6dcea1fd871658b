"""A signed-out access token is refused by the cases API itself, not only by the gateway.

The session check is servicekit's (every service's verifier asks the identity service);
here the cases API is driven with a token whose session ends between two requests.
"""

from __future__ import annotations

import uuid

import pytest
from cases.bootstrap import CasesService
from cases.entrypoints.api import create_app
from servicekit.roles import Roles
from servicekit.testing.http import asgi_client, assert_problem
from servicekit.testing.identity import SessionDirectory
from servicekit.testing.tokens import TestSigner

from .conftest import add_creditor
from .test_cases_api import case_body

pytestmark = pytest.mark.integration


async def test_a_token_revoked_by_sign_out_is_refused_by_the_cases_api(
    service: CasesService, signer: TestSigner
) -> None:
    directory = SessionDirectory(caller="cases")
    directory.attach(service, signer)
    creditor, session = await add_creditor(service), uuid.uuid4()
    token = signer.mint(organisation_id=creditor, roles=[Roles.CREDITOR], session_id=session)
    headers = {"Authorization": f"Bearer {token}"}
    async with asgi_client(create_app(service)) as client:
        registered = await client.post("/api/v1/cases", json=case_body(), headers=headers)
        assert registered.status_code == 201, registered.text
        notes = f"/api/v1/cases/{registered.json()['case_id']}/notes"
        assert (await client.get(notes, headers=headers)).status_code == 200

        directory.end(session)  # signed out: the token is still well signed and unexpired

        written = await client.post(notes, json={"body": "etter utlogging"}, headers=headers)
        assert_problem(written, 401, "unauthorized")
        assert_problem(await client.get(notes, headers=headers), 401, "unauthorized")
        assert_problem(await client.get("/api/v1/cases", headers=headers), 401, "unauthorized")

        directory.available = False  # the identity service cannot answer: fail closed
        other = signer.mint(organisation_id=creditor, roles=[Roles.CREDITOR])
        unanswered = await client.get("/api/v1/cases", headers={"Authorization": f"Bearer {other}"})
        assert_problem(unanswered, 503, "unavailable")
