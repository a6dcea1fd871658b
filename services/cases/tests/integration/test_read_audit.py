"""The read audit: one row per case read, written in one statement; a read's commit does
not wait for the WAL flush, and nothing else is relaxed (ADR 0061)."""

from __future__ import annotations

import uuid

import pytest
from cases.adapters import audit
from cases.adapters.orm import personal_data_access
from cases.bootstrap import CasesService
from sqlalchemy import func, select, text

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
