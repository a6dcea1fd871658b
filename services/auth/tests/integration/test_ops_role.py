"""The ``ops`` role: agency administrators grant and take it away (audited), only agency
staff can hold it, and no creditor administrator can give it."""

from __future__ import annotations

import pytest
from auth.domain.model import OrganisationKind
from servicekit.roles import Roles
from servicekit.testing.http import assert_problem
from sqlalchemy import text

from .conftest import Account, Identity

pytestmark = pytest.mark.integration

USER = "/api/v1/auth/users/{}"
USERS = "/api/v1/auth/organisations/{}/users"


async def _role_changes(identity: Identity, user_id: object) -> list[tuple[list[str], list[str]]]:
    async with identity.service.engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT detail, actor_id FROM audit_log "
                "WHERE user_id = :u AND event = 'user.roles_changed' ORDER BY id"
            ),
            {"u": user_id},
        )
        return [(r.detail["before"], r.detail["after"]) for r in rows]


async def test_an_agency_admin_grants_and_revokes_ops(
    identity: Identity, agency_admin: Account
) -> None:
    colleague = await identity.provision(
        agency_admin.organisation_id,
        [Roles.CASE_HANDLER],
        kind=OrganisationKind.AGENCY,
        sign_in=False,
    )
    granted = await identity.client.patch(
        USER.format(colleague.user_id),
        json={"roles": [Roles.CASE_HANDLER, Roles.OPS]},
        headers=agency_admin.headers,
    )
    assert granted.status_code == 200, granted.text
    assert sorted(granted.json()["roles"]) == [Roles.CASE_HANDLER, Roles.OPS]
    revoked = await identity.client.patch(
        USER.format(colleague.user_id),
        json={"roles": [Roles.CASE_HANDLER]},
        headers=agency_admin.headers,
    )
    assert revoked.json()["roles"] == [Roles.CASE_HANDLER]
    assert await _role_changes(identity, colleague.user_id) == [
        ([Roles.CASE_HANDLER], [Roles.CASE_HANDLER, Roles.OPS]),
        ([Roles.CASE_HANDLER, Roles.OPS], [Roles.CASE_HANDLER]),
    ]


async def test_ops_goes_with_an_agency_role_and_never_to_a_creditor(
    identity: Identity, agency_admin: Account
) -> None:
    alone = await identity.client.post(
        USERS.format(agency_admin.organisation_id),
        json={"email": "ops-alone@example.no", "full_name": "Ops Alene", "roles": [Roles.OPS]},
        headers=agency_admin.headers,
    )
    assert_problem(alone, 422, "role-not-allowed")
    creditor = await identity.organisation()
    for headers in (
        agency_admin.headers,
        (await identity.provision(creditor, [Roles.CREDITOR_ADMIN])).headers,
    ):
        refused = await identity.client.post(
            USERS.format(creditor),
            json={
                "email": "kreditor-ops@example.no",
                "full_name": "Kari Ops",
                "roles": [Roles.CREDITOR, Roles.OPS],
            },
            headers=headers,
        )
        assert_problem(refused, 422, "role-not-allowed")
