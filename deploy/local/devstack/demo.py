"""What a person can log in with on this installation (printed by ``up``).

Until the identity issue seeds demo users, that is the interim admin key (ADR 0002).
Users that already exist in the auth database are listed (e-mail, roles, status; never
secrets); a seeding step may leave credentials for people in ``var/demo-users.txt``.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from devstack.database import run_sync
from devstack.localenv import ADMIN_KEY

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


def login_note(stack: Stack, env_file: str) -> list[str]:
    notes = [
        "  Agency-admin endpoints take the installation's admin key in the X-Admin-Key",
        f"  header (ADR 0002); it is {ADMIN_KEY} in {env_file}:",
        f'    curl -H "X-Admin-Key: $(grep ^{ADMIN_KEY}= {env_file} | cut -d= -f2)" \\',
        f"         {stack.url}/api/v1/auth/organisations/<id>",
    ]
    users = existing_users(stack) if "auth" in stack.config.services else None
    if users:
        notes.append("  Users in this installation (passwords are not stored in clear):")
        notes += [f"    {e}  [{r}]  {s}  ({o})" for e, r, s, o in users]
    demo = stack.config.root / "var" / "demo-users.txt"
    if demo.exists():
        notes += ["  Demo credentials:", *(f"    {line}" for line in demo.read_text().splitlines())]
    if not users and not demo.exists():
        notes.append("  No users yet: the identity issue seeds demo users and adds login.")
    return notes
