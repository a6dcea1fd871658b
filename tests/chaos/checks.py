"""What the fault run demands afterwards, read from each service's own database and from
the broker: every effect answered with a 2xx is there, exactly once."""

from __future__ import annotations

import asyncio
import shutil
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
from devstack.stack import Stack

OUTBOX_SERVICES = ("auth", "cases", "ledger", "reports", "credit")


@dataclass(frozen=True)
class Check:
    what: str
    expected: str
    found: str

    @property
    def ok(self) -> bool:
        return self.expected == self.found


class Databases:
    """One connection per service database (as the service's own role)."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.connections: dict[str, asyncpg.Connection] = {}

    async def __call__(self, service: str) -> asyncpg.Connection:
        connection = self.connections.get(service)
        if connection is None or connection.is_closed():
            connection = await asyncpg.connect(self.stack.database_url(service, driver=""))
            self.connections[service] = connection
        return connection

    async def fetch(self, service: str, sql: str, *args: Any) -> list[asyncpg.Record]:
        try:
            return list(await (await self(service)).fetch(sql, *args))
        except (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, OSError):
            self.connections.pop(service, None)  # cut by a restart: a new one next time
            raise

    async def value(self, service: str, sql: str, *args: Any) -> Any:
        rows = await self.fetch(service, sql, *args)
        return rows[0][0] if rows else None

    async def close(self) -> None:
        for connection in self.connections.values():
            await connection.close()
        self.connections.clear()


async def case_ids(db: Databases, references: Sequence[str]) -> dict[str, list[str]]:
    """Creditor reference → the ids of the cases registered under it."""
    rows = await db.fetch(
        "cases",
        "SELECT creditor_reference, id FROM cases WHERE creditor_reference = ANY($1::text[])",
        list(references),
    )
    found: dict[str, list[str]] = {}
    for row in rows:
        found.setdefault(row["creditor_reference"], []).append(str(row["id"]))
    return found


async def counted(db: Databases, service: str, table: str, column: str, ids: list[str]) -> int:
    """How many rows of ``table`` name one of ``ids`` (each counted as often as it is)."""
    return int(
        await db.value(
            service, f"SELECT count(*) FROM {table} WHERE {column} = ANY($1::uuid[])", ids
        )
    )


async def unsent(db: Databases) -> int:
    """Events still waiting in the outboxes, over every service."""
    total = 0
    for service in OUTBOX_SERVICES:
        total += int(await db.value(service, "SELECT count(*) FROM outbox WHERE sent_at IS NULL"))
    return total


async def queue_messages(namespace: str) -> dict[str, int]:
    """Messages in each queue of the stack's bus namespace (ready and unacknowledged)."""
    tool = shutil.which("rabbitmqctl")
    assert tool, "rabbitmqctl is needed to count dead letters"
    process = await asyncio.create_subprocess_exec(
        tool,
        "list_queues",
        "-q",
        "--no-table-headers",
        "name",
        "messages",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode == 0, f"rabbitmqctl list_queues failed: {err.decode()}"
    depths = {}
    for line in out.decode().splitlines():
        name, _, messages = line.rpartition("\t")
        if name.startswith(namespace):
            depths[name] = int(messages)
    return depths


async def payments_booked(db: Databases, kids: Sequence[str]) -> Counter[tuple[str, int]]:
    """(KID, amount) of every payment the ledger booked to these KIDs."""
    rows = await db.fetch(
        "ledger",
        "SELECT kid, amount_ore FROM payments WHERE kid = ANY($1::text[])",
        list(set(kids)),
    )
    return Counter((row["kid"], int(row["amount_ore"])) for row in rows)


async def journal_imbalance(db: Databases) -> tuple[int, int]:
    """The sum over every posting, and the number of entries whose postings do not sum
    to zero: both 0 in a balanced journal."""
    total = await db.value("ledger", "SELECT coalesce(sum(amount_ore), 0) FROM postings")
    unbalanced = await db.value(
        "ledger",
        "SELECT count(*) FROM (SELECT entry_id FROM postings GROUP BY entry_id "
        "HAVING sum(amount_ore) <> 0) AS e",
    )
    return int(total), int(unbalanced)
