"""A hostile case file fails once, clearly, and takes nothing else down (issue 18, finding 1).

The finding: ``POST /imports?format=json`` with 100,000 ``[`` then 100,000 ``]`` answered
202, then grew the importer to ~22 GB until the kernel killed it; the next importer took the
job again, five times, while every other creditor's import waited.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator

import httpx
import pytest
from cases.adapters.import_files import job_store
from cases.adapters.orm import import_jobs
from cases.bootstrap import CasesService
from cases.entrypoints.api import create_app
from cases.service_layer.imports import STOPPED_WHILE_READING
from servicekit.testing.http import asgi_client
from servicekit.testing.tokens import TestSigner
from sqlalchemy import select, text, update

from .conftest import add_creditor
from .import_support import (
    creditor_headers,
    csv_bytes,
    imported,
    importer,
    json_bytes,
    json_case,
    rows_of,
    upload,
)

pytestmark = pytest.mark.integration

IMPORTS = "/api/v1/cases/imports"
NESTING_BOMB = b"[" * 100_000 + b"]" * 100_000
LONG_AGO = text("now() - interval '1 hour'")


@pytest.fixture
async def client(service: CasesService) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(create_app(service)) as client:
        yield client


@pytest.fixture
async def creditor(service: CasesService, signer: TestSigner) -> dict[str, str]:
    return creditor_headers(signer, await add_creditor(service))


async def test_the_nesting_bomb_fails_once_with_a_clear_error(
    service: CasesService, client: httpx.AsyncClient, creditor: dict[str, str], registration
) -> None:
    job = await imported(service, client, NESTING_BOMB, creditor, format="json")

    assert job["status"] == "failed"
    assert "nested deeper than 8 levels" in job["error"]
    assert job["cases_registered"] == 0
    async with service.session_factory() as session:
        attempts = await session.scalar(
            select(import_jobs.c.attempts).where(import_jobs.c.id == job["job_id"])
        )
    assert attempts == 1  # failed the first time, never leased again

    # the next creditor's file goes through as usual
    good = json_bytes([json_case(registration()) for _ in range(3)])
    after = await imported(service, client, good, creditor, format="json")
    assert (after["status"], after["cases_registered"]) == ("completed", 3)


async def test_a_job_its_importers_keep_dying_on_fails_instead_of_killing_the_next(
    service: CasesService, client: httpx.AsyncClient, creditor: dict[str, str], registration
) -> None:
    response = await upload(client, csv_bytes(rows_of(registration())), creditor)
    job_id = response.json()["job_id"]

    async def lease_and_die() -> job_store.LeasedJob:
        """An importer leases the job and is killed before it commits anything."""
        async with service.session_factory() as session:
            leased = await job_store.lease_next(session, "doomed-importer", 60)
            assert leased is not None
            await session.execute(
                update(import_jobs)
                .where(import_jobs.c.id == leased.job_id)
                .values(lease_expires_at=LONG_AGO)
            )
            await session.commit()
        return leased

    first = await lease_and_die()
    second = await lease_and_die()
    assert (first.stalls, second.stalls) == (0, 1)
    await lease_and_die()  # the second death at the same checkpoint

    assert await importer(service).run_once()

    job = (await client.get(f"{IMPORTS}/{job_id}", headers=creditor)).json()
    assert job["status"] == "failed"
    assert job["error"] == STOPPED_WHILE_READING
    assert job["cases_registered"] == 0


async def test_an_importer_that_died_after_getting_further_is_no_stall(
    service: CasesService, client: httpx.AsyncClient, creditor: dict[str, str], registration
) -> None:
    await upload(client, csv_bytes(rows_of(registration())), creditor)
    for _ in range(4):  # each dies after committing a chunk (the checkpoint moved)
        async with service.session_factory() as session:
            leased = await job_store.lease_next(session, "importer-that-dies", 60)
            assert leased is not None
            assert leased.stalls == 0
            await session.execute(
                update(import_jobs)
                .where(import_jobs.c.id == leased.job_id)
                .values(
                    checkpoint_records=import_jobs.c.checkpoint_records + 1,
                    lease_expires_at=LONG_AGO,
                )
            )
            await session.commit()


def test_the_importers_memory_limit_turns_a_runaway_allocation_into_memory_error() -> None:
    """``limit_memory`` (the importer's ``RLIMIT_AS``) in a process of its own."""
    script = (
        "from cases.entrypoints.importer import limit_memory\n"
        "limit_memory(1024 * 1024 * 1024)\n"
        "try:\n"
        "    hog = bytearray(2 * 1024 * 1024 * 1024)\n"
        "except MemoryError:\n"
        "    print('refused')\n"
        "else:\n"
        "    print('allocated', len(hog))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "refused"
