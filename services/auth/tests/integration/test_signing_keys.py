"""Signing keys: one active, a rotation published ahead, retired keys still verify a while."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from auth.adapters.signing_keys import SigningKeyStore
from servicekit.crypto import Keyring
from servicekit.db import make_engine, make_session_factory
from sqlalchemy import text

from .conftest import ALEMBIC_INI, DATA_KEYS

pytestmark = pytest.mark.integration


async def test_rotation_publishes_the_new_key_before_it_signs(
    service_database: Callable[[str, Path], Awaitable[str]],
) -> None:
    engine = make_engine(await service_database("auth", ALEMBIC_INI))
    sessions = make_session_factory(engine)

    def store() -> SigningKeyStore:  # a fresh process's view (no cache)
        return SigningKeyStore(sessions, Keyring(DATA_KEYS), cache_seconds=0)

    async def a_minute_later() -> None:
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "UPDATE signing_keys SET created_at = created_at - interval '2 minutes', "
                    "retired_at = retired_at - interval '2 minutes'"
                )
            )

    try:
        # keys other tests of this run rotated in are trusted by now: the start is settled,
        # whenever this test runs (else one of theirs could become trusted mid-test)
        await a_minute_later()
        current = (await store().active()).kid
        new = await store().rotate()
        assert new != current
        published = {k["kid"] for k in (await store().jwks())["keys"]}
        assert {current, new} <= published
        assert (await store().active()).kid == current  # the new key is not trusted yet

        await a_minute_later()
        assert (await store().active()).kid == new
        assert current in {k["kid"] for k in (await store().jwks())["keys"]}  # still verifies
        assert await store().private_key("no-such-key") is None
    finally:
        await engine.dispose()
