"""The backfills of cases_0014 (limitation facts from the timeline, ADR 0068) and cases_0015
(import row error codes from their sentences, ADR 0069) on data stored before them: a
database of its own, migrated to cases_0013, given rows the old code wrote, then to head."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import date

import asyncpg
import pytest
from alembic import command
from alembic.config import Config
from servicekit.testing import infra

from .conftest import ALEMBIC_INI

pytestmark = pytest.mark.integration


def _upgrade(url: str, revision: str) -> None:
    cfg = Config(str(ALEMBIC_INI))
    cfg.set_main_option("script_location", str(ALEMBIC_INI.parent / "migrations"))
    cfg.attributes["database_url"] = url
    command.upgrade(cfg, revision)


@pytest.fixture
async def old_database() -> AsyncIterator[tuple[str, str]]:
    name = f"{infra.run_database_name('cases')}_backfill_{uuid.uuid4().hex[:6]}"
    url = await infra.create_database(name)
    await asyncio.to_thread(_upgrade, url, "cases_0013_note_attachments")
    try:
        yield name, url
    finally:
        await infra.drop_database(name)


def _plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def test_old_rows_get_their_facts_and_codes(old_database: tuple[str, str]) -> None:
    _, url = old_database
    creditor, batch, case_id, job = (uuid.uuid4() for _ in range(4))
    conn = await asyncpg.connect(_plain(url))
    try:
        await conn.execute(
            "INSERT INTO creditors (organisation_id, name, organisation_number, registered_at)"
            " VALUES ($1, 'Kreditor AS', '923609016', now())",
            creditor,
        )
        await conn.execute(
            "INSERT INTO batches (id, batch_number, creditor_id, channel)"
            " VALUES ($1, 'B-1', $2, 'import')",
            batch,
            creditor,
        )
        await conn.execute(
            "INSERT INTO cases (id, sequence, case_number, kid, creditor_id, creditor_reference,"
            " batch_id, channel, debtor_kind, debtor_name, rule_set, principal_total_ore,"
            " balance_ore, claim_count, earliest_due_date, limitation_date, registered_at)"
            " VALUES ($1, 1, 'IC-1', '00000000018', $2, 'R-1', $3, 'api', 'person', 'Ola',"
            " 'rules', 10000, 10000, 1, '2023-01-10', '2026-01-13', now())",
            case_id,
            creditor,
            batch,
        )
        timeline = [
            ("registered", "registered", date(2025, 11, 3)),
            ("status_changed", "payment_plan_agreed", date(2025, 12, 1)),
            ("status_changed", "legal_step_forliksklage", date(2026, 2, 1)),
            ("status_changed", "inkassovarsel_sent", date(2025, 11, 4)),
            ("limitation_interrupted", "part_payment", date(2026, 6, 30)),
            ("limitation_not_revived", "acknowledgement", date(2030, 1, 1)),
            ("limitation_warning", "limitation_90d", date(2026, 4, 1)),
        ]
        for kind, step, on in timeline:
            await conn.execute(
                "INSERT INTO timeline (case_id, kind, step, effective_date, actor_kind)"
                " VALUES ($1, $2, $3, $4, 'system')",
                case_id,
                kind,
                step,
                on,
            )
        await conn.execute(
            "INSERT INTO import_jobs (id, creditor_id, created_by, format, size_bytes, sha256)"
            " VALUES ($1, $2, $3, 'csv', 10, repeat('0', 64))",
            job,
            creditor,
            uuid.uuid4(),
        )
        reasons = [
            (4, "national_id", "the check digits of the national identity number are wrong"),
            (7, "debtor_name", "is longer than 200 characters"),
            (9, "creditor_reference", "is already registered as case 2025-000123"),
            (
                10,
                "creditor_reference",
                "not registered: the case it belongs to has errors (line 9)",
            ),
            (11, "creditor_reference", "appears twice in this submission (the first one was kept)"),
            (12, "city", "something no pattern knows"),
        ]
        for line, column, reason in reasons:
            await conn.execute(
                'INSERT INTO import_row_errors (job_id, line, "column", reason)'
                " VALUES ($1, $2, $3, $4)",
                job,
                line,
                column,
                reason,
            )
    finally:
        await conn.close()

    await asyncio.to_thread(_upgrade, url, "head")

    conn = await asyncpg.connect(_plain(url))
    try:
        facts = await conn.fetch(
            "SELECT interruption, interrupted_on, withdrawn_at FROM limitation_interruptions"
            " WHERE case_id = $1 ORDER BY interrupted_on",
            case_id,
        )
        codes = await conn.fetch(
            "SELECT line, code, code_values FROM import_row_errors WHERE job_id = $1 ORDER BY line",
            job,
        )
    finally:
        await conn.close()
    assert [(f["interruption"], f["interrupted_on"], f["withdrawn_at"]) for f in facts] == [
        ("acknowledgement", date(2025, 12, 1), None),  # the payment plan
        ("forliksklage", date(2026, 2, 1), None),
        ("part_payment", date(2026, 6, 30), None),
        ("acknowledgement", date(2030, 1, 1), None),
    ]
    assert [(c["line"], c["code"], json.loads(c["code_values"])) for c in codes] == [
        (4, "national_id", {}),
        (7, "too_long", {"limit": "200"}),
        (9, "already_registered", {"case_number": "2025-000123"}),
        (10, "case_has_errors", {"line": "9"}),
        (11, "twice_in_submission", {}),
        (12, "invalid_value", {}),
    ]
