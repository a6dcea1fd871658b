"""The relay's wake-up, on real PostgreSQL: ``NOTIFY outbox`` comes after the commit of
the outbox rows, in a transaction of its own (ADR 0073), never for a rolled-back
transaction, and commits while one is on its way fold into one more, sent after them all."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import pytest
from contracts import Envelope
from servicekit import outbox as outbox_module
from servicekit.db import sync_url
from servicekit.outbox import NOTIFY_CHANNEL, add_to_outbox, relay_waker
from sqlalchemy import text

from .harness import Kit, ThingHappened, outbox

pytestmark = pytest.mark.integration

END = "end"
"""The payload of the test's own last notification: everything sent before it was heard."""


class Listener:
    """A connection listening on the relay's channel: the pid of each notifier heard."""

    def __init__(self, kit: Kit, connection: asyncpg.Connection) -> None:
        self.kit = kit
        self.connection = connection
        self.heard: list[int] = []
        self.ended = asyncio.Event()

    @classmethod
    async def on(cls, kit: Kit) -> Listener:
        listener = cls(kit, await asyncpg.connect(sync_url(kit.url)))
        await listener.connection.add_listener(NOTIFY_CHANNEL, listener._heard)
        return listener

    def _heard(self, _connection: Any, pid: int, _channel: str, payload: str) -> None:
        if payload == END:
            self.ended.set()
        else:
            self.heard.append(pid)

    async def everything_sent(self) -> list[int]:
        """The wake-ups sent until now: once none is on its way, a marker sent after them
        arrives after them (notifications arrive in commit order)."""
        await relay_waker(self.kit.engine).drain()
        await self.kit.execute(f"NOTIFY {NOTIFY_CHANNEL}, '{END}'")
        await asyncio.wait_for(self.ended.wait(), timeout=30)
        return self.heard

    async def close(self) -> None:
        await self.connection.close()


@pytest.fixture
async def kit(kit_factory) -> Kit:
    return await kit_factory().start()


@pytest.fixture
async def listener(kit: Kit) -> AsyncIterator[Listener]:
    listener = await Listener.on(kit)
    yield listener
    await listener.close()


@dataclass
class WakeUp:
    """What the waker's connection saw as it was about to send ``NOTIFY``."""

    outbox_rows: int
    in_transaction_block: bool


@dataclass
class WakeUps:
    """Every wake-up sent, with what it saw; ``held`` clear keeps each, once it has looked,
    from sending until it is set again (``looked`` tells the test it has)."""

    seen: list[WakeUp] = field(default_factory=list)
    held: asyncio.Event = field(default_factory=asyncio.Event)
    looked: asyncio.Event = field(default_factory=asyncio.Event)


@pytest.fixture
def wake_ups(monkeypatch: pytest.MonkeyPatch) -> WakeUps:
    wake_ups = WakeUps()
    wake_ups.held.set()
    notify = outbox_module.wake_relay

    async def looking_then_notifying(driver: asyncpg.Connection) -> None:
        rows = await driver.fetchval("SELECT count(*) FROM outbox")
        wake_ups.seen.append(WakeUp(rows, driver.is_in_transaction()))
        wake_ups.looked.set()
        await wake_ups.held.wait()
        await notify(driver)

    monkeypatch.setattr(outbox_module, "wake_relay", looking_then_notifying)
    return wake_ups


async def test_the_wake_up_comes_after_the_commit_in_a_transaction_of_its_own(
    kit: Kit, listener: Listener, wake_ups: WakeUps
) -> None:
    async with kit.session_factory() as session, session.begin():
        await add_to_outbox(session, outbox, [Envelope.wrap(ThingHappened(seq=1))])
        assert wake_ups.seen == []  # nothing while the transaction is open

    assert len(await listener.everything_sent()) == 1
    # from another snapshot the row is there: committed; and no transaction block open
    assert wake_ups.seen == [WakeUp(outbox_rows=1, in_transaction_block=False)]


async def test_a_rolled_back_transaction_wakes_no_one(
    kit: Kit, listener: Listener, wake_ups: WakeUps
) -> None:
    async with kit.session_factory() as session:
        await add_to_outbox(session, outbox, [Envelope.wrap(ThingHappened(seq=1))])
        await session.rollback()
    # nor does a later commit of the same session that wrote no events
    async with kit.session_factory() as session:
        await add_to_outbox(session, outbox, [Envelope.wrap(ThingHappened(seq=2))])
        await session.rollback()
        await session.execute(text("SELECT 1"))
        await session.commit()

    assert await listener.everything_sent() == []
    assert wake_ups.seen == []
    assert await kit.scalar("SELECT count(*) FROM outbox") == 0


async def test_commits_while_a_wake_up_is_on_its_way_fold_into_one_more(
    kit: Kit, listener: Listener, wake_ups: WakeUps
) -> None:
    wake_ups.held.clear()
    await kit.emit(1)
    await asyncio.wait_for(wake_ups.looked.wait(), timeout=30)  # the first is on its way
    await asyncio.gather(*(kit.emit(1, start=seq) for seq in range(1, 60)))
    wake_ups.held.set()

    heard = await listener.everything_sent()
    # the 59 commits behind the first wake-up asked for one more, sent after them all
    assert [w.outbox_rows for w in wake_ups.seen] == [1, 60]
    assert len(heard) == 2
