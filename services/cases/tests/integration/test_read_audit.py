"""The read audit: one row per case read, written in one statement; a read's commit does
not wait for the WAL flush, and nothing else is relaxed (ADR 0061)."""

from __future__ import annotations

import uuid

import pytest
from cases.adapters import audit
from cases.adapters.orm import personal_data_access
from cases.bootstrap import CasesService
from cases.entrypoints.api import create_app
from servicekit.roles import Roles
from servicekit.testing.http import asgi_client
from servicekit.testing.tokens import TestSigner
from sqlalchemy import func, select, text

from .conftest import add_creditor
from .test_cases_api import case_body

pytestmark = pytest.mark.integration


async def test_a_read_audit_writes_a_row_per_case_and_relaxes_only_its_own_commit(
    service: CasesService,
) -> None:
    actor, organisation = uuid.uuid4(), uuid.uuid4()
    case_ids = [uuid.uuid4() for _ in range(3)]
    async with service.session_factory() as session:
        await audit.record(
            session,
            actor_id=actor,
            actor_organisation_id=organisation,
            action="list_cases",
            case_ids=case_ids,
            detail={"page": 1},
            durable_commit=False,
        )
        assert (await session.execute(text("SHOW synchronous_commit"))).scalar() == "off"
        await session.commit()
    async with service.session_factory() as session:
        assert (await session.execute(text("SHOW synchronous_commit"))).scalar() == "on"
        await audit.record(
            session,
            actor_id=actor,
            actor_organisation_id=organisation,
            action="export_cases",
            case_ids=case_ids[:1],
        )
        assert (await session.execute(text("SHOW synchronous_commit"))).scalar() == "on"
        await session.commit()
        rows = (
            await session.execute(
                select(
                    personal_data_access.c.action,
                    personal_data_access.c.case_id,
                    personal_data_access.c.actor_organisation_id,
                    personal_data_access.c.detail,
                ).where(personal_data_access.c.actor_id == actor)
            )
        ).all()
        assert sorted(rows, key=lambda r: (r.action, str(r.case_id))) == sorted(
            [("list_cases", c, organisation, {"page": 1}) for c in case_ids]
            + [("export_cases", case_ids[0], organisation, {})],
            key=lambda r: (r[0], str(r[1])),
        )
        empty = select(func.count()).select_from(personal_data_access)
        before = (await session.execute(empty)).scalar()
        await audit.record(
            session, actor_id=actor, actor_organisation_id=organisation, action="x", case_ids=[]
        )
        assert (await session.execute(empty)).scalar() == before


async def test_a_list_writes_the_audit_of_the_cases_it_answers_in_its_own_statement(
    service: CasesService, signer: TestSigner
) -> None:
    """The page, its total and its audit are one statement: one row per case answered (not
    the row read beyond the page to know there is a next), none for a refused cursor."""
    organisation = await add_creditor(service)
    user = uuid.uuid4()
    token = signer.mint(organisation_id=organisation, roles=[Roles.CREDITOR], user_id=user)
    headers = {"Authorization": f"Bearer {token}"}
    async with asgi_client(create_app(service), headers=headers) as client:
        registered = []
        for _ in range(3):
            created = await client.post("/api/v1/cases", json=case_body())
            assert created.status_code == 201, created.text
            registered.append(uuid.UUID(created.json()["case_id"]))
        first = (await client.get("/api/v1/cases", params={"limit": 2})).json()
        assert (first["total"], first["total_exact"]) == (3, True)
        assert first["next_cursor"]
        second = (
            await client.get("/api/v1/cases", params={"limit": 2, "cursor": first["next_cursor"]})
        ).json()
        assert (second["total"], second["next_cursor"]) == (3, None)
        refused = await client.get("/api/v1/cases", params={"limit": 2, "cursor": "x"})
        assert refused.status_code == 400
    pages = [[uuid.UUID(c["case_id"]) for c in page["items"]] for page in (first, second)]
    assert sorted(pages[0] + pages[1]) == sorted(registered)
    async with service.session_factory() as session:
        rows = (
            await session.execute(
                select(
                    personal_data_access.c.case_id,
                    personal_data_access.c.actor_organisation_id,
                    personal_data_access.c.detail,
                )
                .where(
                    personal_data_access.c.actor_id == user,
                    personal_data_access.c.action == "list_cases",
                )
                .order_by(personal_data_access.c.id)
            )
        ).all()
    assert sorted(rows, key=str) == sorted(
        [(c, organisation, {}) for c in pages[0] + pages[1]], key=str
    )
