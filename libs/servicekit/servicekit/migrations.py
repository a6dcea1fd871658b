"""Alembic ``env.py`` body shared by every service (async, online only)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from alembic import context
from sqlalchemy import MetaData, pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine


def _run(connection: Connection, metadata: MetaData) -> None:
    context.configure(connection=connection, target_metadata=metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations(metadata: MetaData, default_url: Callable[[], str]) -> None:
    """Migrate the database given by the caller (tests), ``-x url=…`` or the settings."""
    config = context.config
    url = (
        config.attributes.get("database_url")
        or context.get_x_argument(as_dictionary=True).get("url")
        or default_url()
    )

    async def main() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool, hide_parameters=True)
        async with engine.connect() as conn:
            await conn.run_sync(_run, metadata)
        await engine.dispose()

    asyncio.run(main())
