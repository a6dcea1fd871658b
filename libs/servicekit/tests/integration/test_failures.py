"""Poison messages and database outages: retried, dead-lettered, paused — never lost."""

from __future__ import annotations

import asyncio

import pytest
from servicekit import metrics
from servicekit.bus import deadletters
from servicekit.testing.tcpproxy import TcpProxy
from servicekit.testing.wait import wait_for

from .harness import Kit, ThingHappened

pytestmark = pytest.mark.integration


async def test_poison_message_is_retried_dead_lettered_and_replayable(kit_factory) -> None:
    kit: Kit = await kit_factory(poison={7}, retry_delays=(0.2, 0.5)).start()
    kit.run_consumer()
    kit.run_relay()
    await kit.emit(50, per_transaction=5)

    async def others_applied_and_poison_dead() -> bool:
        return (await kit.effect_counts())[0] >= 49 and await kit.dead_letter_count() == 1

    await wait_for(others_applied_and_poison_dead, seconds=60, what="49 effects and 1 dead letter")
    assert kit.counter("retried") == 2  # one per back-off step
    assert kit.counter("dead_lettered") == 1
    [letter] = await deadletters.peek(kit.connection, namespace=kit.namespace, queue=kit.spec.name)
    assert '"seq":7' in letter.body.replace(" ", "")
    assert "cannot apply thing 7" in letter.error
    assert await kit.dead_letter_count() == 1  # peeking leaves it there

    kit.poison.clear()  # the bug is fixed; ops replay the dead letter
    replayed = await deadletters.replay(
        kit.connection, namespace=kit.namespace, queue=kit.spec.name
    )
    assert replayed == 1

    async def all_applied() -> bool:
        return (await kit.effect_counts())[0] >= 50

    await wait_for(all_applied, seconds=30, what="the replayed event")
    assert await kit.effect_counts() == (50, 50)
    assert await kit.dead_letter_count() == 0


async def test_unreadable_message_is_dead_lettered_at_once(kit_factory) -> None:
    import aio_pika

    kit: Kit = await kit_factory().start()
    kit.run_consumer()
    async with kit.connection.channel(publisher_confirms=True) as channel:
        exchange = await channel.get_exchange(kit.topology.exchange)
        await exchange.publish(
            aio_pika.Message(b"not an envelope", message_id="junk"),
            routing_key=kit.spec.routing_keys[0],
        )

    async def dead() -> bool:
        return await kit.dead_letter_count() == 1

    await wait_for(dead, seconds=30, what="the unreadable message in the DLQ")
    assert kit.counter("retried") == 0
    purged = await deadletters.purge(
        kit.connection, namespace=kit.namespace, queue=kit.spec.name, event_ids=["junk"]
    )
    assert purged == 1


async def test_consumer_pauses_while_its_database_is_down(kit_factory) -> None:
    from servicekit.testing import infra

    proxy = await TcpProxy("127.0.0.1", 5432).start()
    kit = kit_factory()
    host_part = infra.PG_ADMIN_URL.split("@", 1)[0].split("://", 1)[1]
    database = kit.url.rsplit("/", 1)[1]
    kit.consumer_url = f"postgresql+asyncpg://{host_part}@127.0.0.1:{proxy.port}/{database}"
    await kit.start()
    kit.run_consumer()
    kit.run_relay()
    await kit.emit(100)

    async def first_applied() -> bool:
        return (await kit.effect_counts())[0] >= 100

    await wait_for(first_applied, seconds=60, what="the first 100 effects")

    proxy.cut()  # the consumer's database goes away
    await kit.emit(300, start=100, per_transaction=30)
    paused = metrics.CONSUMER_PAUSED.labels(kit.service, kit.spec.name)

    async def is_paused() -> bool:
        return paused._value.get() == 1

    await wait_for(is_paused, seconds=30, what="the consumer to pause")

    async def all_published() -> bool:
        return await kit.scalar("SELECT count(*) FROM outbox WHERE sent_at IS NULL") == 0

    await wait_for(all_published, seconds=30, what="the relay to publish during the outage")
    await asyncio.sleep(3)  # the outage lasts a while: the consumer must simply wait
    assert (await kit.effect_counts())[0] == 100
    assert await kit.dead_letter_count() == 0
    proxy.restore()

    async def drained() -> bool:
        return (await kit.effect_counts())[0] >= 400

    await wait_for(drained, seconds=60, what="the backlog to drain after the outage")
    assert await kit.effect_counts() == (400, 400)
    assert kit.counter("retried") == 0
    assert kit.counter("dead_lettered") == 0
    assert await kit.dead_letter_count() == 0
    assert paused._value.get() == 0
    await proxy.close()


async def test_a_handler_connection_error_is_retried_not_mistaken_for_an_outage(
    kit_factory,
) -> None:
    """A handler whose own dependency is down (say a bureau) is retried with back-off."""
    kit: Kit = await kit_factory(retry_delays=(0.2,)).start()
    original = kit.handler

    async def flaky(session, envelope) -> None:  # type: ignore[no-untyped-def]
        if envelope.payload(ThingHappened).seq == 3:
            raise ConnectionRefusedError(111, "bureau unreachable")
        await original(session, envelope)

    kit.handler = flaky  # type: ignore[method-assign]
    kit.run_consumer()
    kit.run_relay()
    await kit.emit(10)

    async def settled() -> bool:
        return (await kit.effect_counts())[0] >= 9 and await kit.dead_letter_count() == 1

    await wait_for(settled, seconds=30, what="9 effects and the failing event dead-lettered")
    assert kit.counter("retried") == 1
    assert metrics.CONSUMER_PAUSED.labels(kit.service, kit.spec.name)._value.get() == 0
