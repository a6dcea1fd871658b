"""``restate-limitation``: cases registered before the limitation rules (ADR 0050) get the
dates the rules now give, dry run first, on demo-like data (issue 13 point 7).

The "old" dates are made the way the code before ADR 0050 made them: three years to the
day after the due date, for loans too. Hand-worked (foreldelsesloven §§ 2, 5, 29; the
calendar):

- due 19 Mar 2026: last day Mon 19 Mar 2029, barred from **20 Mar 2029** (old 19 Mar 2029);
- a loan due 1 Mar 2026: ten years, Sat 1 Mar 2036 → Mon 3 Mar 2036, barred from
  **4 Mar 2036** (old 1 Mar 2029);
- due 19 Mar 2026 with a payment plan agreed 1 Jun 2026 (an acknowledgement, § 14): a new
  period from 1 Jun, last day Fri 1 Jun 2029, barred from **2 Jun 2029**.

Every claim of the demo creditor's cases (``devstack.demo_cases``) moves at least a day
(the old date is the last day, the new one the day after it, or later).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
from cases.adapters import workflow_store as store
from cases.adapters.orm import claims
from cases.bootstrap import CasesService
from cases.entrypoints import cli
from cases.entrypoints.api import create_app
from devstack.demo_cases import demo_cases
from servicekit.roles import Roles
from servicekit.testing.http import asgi_client
from servicekit.testing.tokens import TestSigner
from sqlalchemy import select, text

from .conftest import add_creditor
from .test_cases_api import caller, case_body

pytestmark = pytest.mark.integration


def claim(due: str, *, number: str, loan: bool = False) -> dict[str, Any]:
    return {
        "invoice_number": number,
        "invoice_date": "2026-02-01",
        "due_date": due,
        "principal_ore": 100_000,
        "claim_type": "loan" if loan else "ordinary",
    }


async def limitation_dates(service: CasesService, case_id: str) -> dict[str, date]:
    async with service.session_factory() as session:
        rows = await session.execute(
            select(claims.c.invoice_number, claims.c.limitation_date).where(
                claims.c.case_id == uuid.UUID(case_id)
            )
        )
        return {r.invoice_number: r.limitation_date for r in rows}


async def test_old_limitation_dates_are_restated_dry_run_first(
    service: CasesService, signer: TestSigner, capsys: pytest.CaptureFixture[str]
) -> None:
    kari = caller(signer, await add_creditor(service), Roles.CREDITOR)
    bodies = [
        case_body(
            claims=[claim("2026-03-19", number="A"), claim("2026-03-01", number="L", loan=True)]
        ),
        case_body(claims=[claim("2026-03-19", number="P")]),
        *demo_cases(date.today())[:4],
    ]
    ids = []
    async with asgi_client(create_app(service)) as client:
        for body in bodies:
            created = await client.post("/api/v1/cases", json=body, headers=kari.headers)
            assert created.status_code == 201, created.text
            ids.append(created.json()["case_id"])
    async with service.session_factory() as session:  # as registered before ADR 0050
        await session.execute(
            text(
                "UPDATE claims SET limitation_date = (due_date + interval '3 years')::date"
                " WHERE case_id = ANY(:ids)"
            ),
            {"ids": [uuid.UUID(i) for i in ids]},
        )
        await store.append_timeline(
            session,
            uuid.UUID(ids[1]),
            occurred_at=datetime(2026, 6, 1, 10, tzinfo=UTC),
            kind="status_changed",
            step="payment_plan_agreed",
            effective_date=date(2026, 6, 1),
            actor_kind="user",
            actor_id=None,
        )
        await session.commit()
    old = {i: await limitation_dates(service, i) for i in ids}
    only = [arg for i in ids for arg in ("--case", i)]

    assert await cli.run(service, ["restate-limitation", *only]) == 0
    out = capsys.readouterr().out
    assert f"{ids[0]} A: due 2026-03-19 (ordinary) limitation 2029-03-19 → 2029-03-20" in out
    assert f"{ids[0]} L: due 2026-03-01 (loan) limitation 2029-03-01 → 2036-03-04" in out
    assert f"{ids[1]} P: due 2026-03-19 (ordinary) limitation 2029-03-19 → 2029-06-02" in out
    demo_claims = sum(len(b["claims"]) for b in bodies[2:])
    assert f"{len(ids)} open case(s) checked; {3 + demo_claims} claim(s) of {len(ids)}" in out
    assert "would change (dry run, nothing kept)" in out
    assert {i: await limitation_dates(service, i) for i in ids} == old  # nothing kept

    assert await cli.run(service, ["restate-limitation", *only, "--apply"]) == 0
    capsys.readouterr()
    assert await limitation_dates(service, ids[0]) == {
        "A": date(2029, 3, 20),
        "L": date(2036, 3, 4),
    }
    assert await limitation_dates(service, ids[1]) == {"P": date(2029, 6, 2)}
    for case_id in ids[2:]:
        assert all(
            new > old[case_id][n] for n, new in (await limitation_dates(service, case_id)).items()
        )
    async with service.session_factory() as session:
        restated = await session.scalar(
            text(
                "SELECT count(*) FROM timeline WHERE kind = 'limitation_restated'"
                " AND case_id = ANY(:ids)"
            ),
            {"ids": [uuid.UUID(i) for i in ids]},
        )
        case_date = await session.scalar(
            text("SELECT limitation_date FROM cases WHERE id = :id"), {"id": uuid.UUID(ids[0])}
        )
    assert restated == len(ids)
    assert case_date == date(2029, 3, 20)  # the earliest of its claims'

    assert await cli.run(service, ["restate-limitation", *only]) == 0  # again: nothing
    assert f"{len(ids)} open case(s) checked; 0 claim(s) of 0 case(s)" in capsys.readouterr().out
