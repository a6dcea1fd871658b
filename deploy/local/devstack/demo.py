"""What a person can log in with on this installation, and what they find (printed by ``up``).

``up`` seeds the identity service's demo data (``python -m auth.entrypoints.cli seed-demo``:
idempotent, refused in production) and prints the demo logins. Then, through the gateway
as those demo users, it gives the demo creditor an agreement and demo cases with payments,
notes, an objection and a settlement paid out, with its statement (:mod:`devstack.demo_cases`;
idempotent too). Without
the identity seed, the users that exist in the auth database are listed (e-mail, roles,
status; never secrets), with how to create the first agency administrator.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from devstack import demo_cases
from devstack.database import run_sync

if TYPE_CHECKING:
    from devstack.stack import Stack

_USERS = """
SELECT u.email, array_to_string(u.roles, ',') AS roles, u.status, o.name AS organisation
  FROM users u LEFT JOIN organisations o ON o.id = u.organisation_id
 ORDER BY o.name, u.email
 LIMIT 20
"""


async def _users(url: str) -> list[tuple[str, str, str, str]]:
    conn = await asyncpg.connect(url, timeout=5)
    try:
        if not await conn.fetchval("SELECT to_regclass('public.users') IS NOT NULL"):
            return []
        rows = await conn.fetch(_USERS)
    finally:
        await conn.close()
    return [(r["email"], r["roles"], r["status"], r["organisation"] or "-") for r in rows]


def existing_users(stack: Stack) -> list[tuple[str, str, str, str]] | None:
    """Users in the auth database (``None`` when it cannot be read)."""
    parts = urlsplit(stack.config.pg_admin_url)
    url = urlunsplit(parts._replace(path=f"/{stack.config.database_name('auth')}"))
    with contextlib.suppress(OSError, asyncpg.PostgresError, asyncio.TimeoutError):
        return run_sync(lambda: _users(url))
    return None


class DemoSeedFailed(RuntimeError):
    pass


def seed_demo(stack: Stack) -> list[dict[str, Any]] | None:
    """Seed the demo organisations and users; their logins, or ``None`` when the identity
    service has no ``seed-demo`` command in this checkout."""
    cli = stack.config.root / "services" / "auth" / "auth" / "entrypoints" / "cli.py"
    if "auth" not in stack.config.services or not cli.exists():
        return None
    result = subprocess.run(
        [sys.executable, "-m", "auth.entrypoints.cli", "seed-demo", "--json"],
        cwd=stack.config.root,
        env={**os.environ, **stack.service_env("auth")},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-8:])
        raise DemoSeedFailed(f"seed-demo failed (exit {result.returncode}):\n{tail}")
    logins = json.loads(lines[-1])
    if not isinstance(logins, list):
        raise DemoSeedFailed("seed-demo printed no list of logins")
    return [dict(login) for login in logins]


CASES_SEED_SECONDS = 300


def demo_dir(stack: Stack) -> Path:
    """Where the demo leaves files for a person to use (``var/demo`` locally)."""
    return stack.config.run_dir.parent / "demo"


def seed_demo_cases(stack: Stack, logins: list[dict[str, Any]]) -> list[str]:
    """The demo cases through the gateway; what was added (nothing the second time).

    Raises :class:`DemoSeedFailed` (``up`` prints it as a warning and goes on)."""
    account = stack.service_env("ledger").get(
        "LEDGER_CLIENT_FUNDS_ACCOUNT", demo_cases.CLIENT_FUNDS_ACCOUNT
    )

    async def run() -> list[str]:
        return await asyncio.wait_for(
            demo_cases.seed_through(stack.url, logins, account=account, out_dir=demo_dir(stack)),
            CASES_SEED_SECONDS,
        )

    try:
        return asyncio.run(run())
    except Exception as exc:  # demo data must never stop `up`: it says why and goes on
        raise DemoSeedFailed(f"demo cases: {str(exc) or type(exc).__name__}") from exc


def cases_lines(stack: Stack) -> list[str]:
    """What the demo creditor's portal holds, and the bank's answer waiting to be uploaded."""
    last = demo_cases.reference(demo_cases.CASE_COUNT)
    lines = [
        f"  Demo cases: {demo_cases.PREFIX}0001 … {last} at Nordlys (as kari@nordlys.example):",
        "    payments (one case paid in full), an unmatched payment, a note and its answer,",
        "    an objection in the work queue, a paid-out settlement, its statement (/dokumenter)",
        "  Nordlys's Tripletex (the tripletex-simulator) is connected (admin@nordlys.example,",
        "    «Integrasjoner»): its overdue invoices become cases TTX-4711-…, some refused",
    ]
    for answer in sorted(demo_dir(stack).glob("pain002-*.xml")):
        lines.append(
            "    The bank's answer to a settlement's payout file, to upload on its page: "
            f"{_relative(answer, stack.config.root)}"
        )
    return lines


def _relative(path: Path, root: Path) -> str:
    with contextlib.suppress(ValueError):
        return str(path.relative_to(root))
    return str(path)


def demo_lines(stack: Stack, logins: list[dict[str, Any]]) -> list[str]:
    lines = [f"  Demo users (password, then an authenticator code), at {stack.url}:"]
    for login in logins:
        roles = ",".join(login.get("roles") or [])
        lines.append(
            f"    {login.get('email', '?'):34} {login.get('password', '?'):20} "
            f"{roles:28} {login.get('organisation', '')}"
        )
    lines.append(
        "    second factor: `make totp EMAIL=<e-mail>` prints the current authenticator code"
    )
    return lines


def login_note(
    stack: Stack, logins: list[dict[str, Any]] | None = None, *, with_cases: bool = False
) -> list[str]:
    if logins:
        return demo_lines(stack, logins) + (cases_lines(stack) if with_cases else [])
    notes: list[str] = []
    users = existing_users(stack) if "auth" in stack.config.services else None
    if users:
        notes.append("  Users in this installation (passwords are not stored in clear):")
        notes += [f"    {e}  [{r}]  {s}  ({o})" for e, r, s, o in users]
    else:
        notes.append("  No users yet. Create the first agency administrator:")
    notes += [
        "    uv run python -m devstack exec auth python -m auth.entrypoints.cli \\",
        "      create-agency-admin --email <e-mail> --name <name> \\",
        "      --agency-name <agency> --agency-number <organisasjonsnummer>",
    ]
    return notes
