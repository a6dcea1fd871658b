"""A signed-out access token is refused by the ledger API itself, not only by the gateway."""

from __future__ import annotations

import uuid

import pytest
from ledger.bootstrap import LedgerService
from ledger.entrypoints.api import create_app
from servicekit.roles import Roles
from servicekit.testing.http import asgi_client, assert_problem
from servicekit.testing.identity import SessionDirectory
from servicekit.testing.tokens import TestSigner

pytestmark = pytest.mark.integration


async def test_a_token_revoked_by_sign_out_is_refused_by_the_ledger_api(
    service: LedgerService, signer: TestSigner
) -> None:
    directory = SessionDirectory(caller="ledger")
    directory.attach(service, signer)
    session = uuid.uuid4()
    token = signer.mint(
        organisation_id=uuid.uuid4(), roles=[Roles.AGENCY_ADMIN], session_id=session
    )
    headers = {"Authorization": f"Bearer {token}"}
    async with asgi_client(create_app(service)) as client:
        assert (await client.get("/api/v1/ledger/rates", headers=headers)).status_code == 200

        directory.end(session)

        assert_problem(await client.get("/api/v1/ledger/rates", headers=headers), 401)
        assert directory.questions == 2  # asked each time (no cache in this test)
