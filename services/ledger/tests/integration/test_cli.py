"""The command line: verify-chain finds a booked entry changed behind the ledger's back
(with the database's guards switched off), seed-rates is idempotent."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import date

import pytest
from ledger.bootstrap import LedgerService
from ledger.entrypoints import cli
from sqlalchemy import text

from .books import Ledger

pytestmark = pytest.mark.integration


async def _cli(service: LedgerService, *args: str) -> tuple[int, str, str]:
    """Run the real command in a process of its own, on the test database."""
    env = {**os.environ, "LEDGER_DATABASE_URL": service.settings.database_url}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ledger.entrypoints.cli",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_verify_chain_and_seed_rates_as_commands(
    service: LedgerService, ledger: Ledger
) -> None:
    await ledger.case((10_000, date(2025, 7, 1)))
    status, out, err = await _cli(service, "verify-chain")
    assert (status, err) == (0, ""), err
    assert out.rstrip().endswith("entries checked: OK")
    status, out, _ = await _cli(service, "seed-rates")
    assert (status, out.strip()) == (0, "0 rate row(s) added")
    status, out, _ = await _cli(service, "unconfirmed-rates")
    assert status == 0
    assert "forsinkelsesrente" in out


async def test_verify_chain_finds_an_entry_changed_behind_its_back(
    service: LedgerService, ledger: Ledger, capsys: pytest.CaptureFixture[str]
) -> None:
    case = await ledger.case((10_000, date(2025, 7, 2)))
    tamper = text(
        "UPDATE postings SET amount_ore = amount_ore * :factor WHERE entry_id ="
        " (SELECT entry_id FROM journal_entries WHERE case_id = :case LIMIT 1)"
    )
    guards = ("postings_append_only", "postings_balance")
    async with service.session_factory() as session, session.begin():
        for guard in guards:
            await session.execute(text(f"ALTER TABLE postings DISABLE TRIGGER {guard}"))
        await session.execute(tamper, {"factor": 2, "case": case.case_id})
        for guard in guards:
            await session.execute(text(f"ALTER TABLE postings ENABLE TRIGGER {guard}"))
    try:
        assert await cli.run(service, ["verify-chain"]) == 1
        err = capsys.readouterr().err
        assert "hash does not match the entry" in err
        assert "creditor claims vs the creditor's cases" not in err  # still consistent
    finally:
        async with service.session_factory() as session, session.begin():
            for guard in guards:
                await session.execute(text(f"ALTER TABLE postings DISABLE TRIGGER {guard}"))
            await session.execute(
                text(
                    "UPDATE postings SET amount_ore = amount_ore / 2 WHERE entry_id ="
                    " (SELECT entry_id FROM journal_entries WHERE case_id = :case LIMIT 1)"
                ),
                {"case": case.case_id},
            )
            for guard in guards:
                await session.execute(text(f"ALTER TABLE postings ENABLE TRIGGER {guard}"))
    assert await cli.run(service, ["verify-chain"]) == 0
