"""Outbox → relay → broker → consumer → inbox, with real PostgreSQL and RabbitMQ."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from contracts import Envelope
from servicekit.testing.wait import wait_for

from .harness import Kit, ThingHappened

pytestmark = __import__("pytest").mark.integration


async def test_events_flow_from_outbox_to_inbox_exactly_once(kit_factory) -> None:
    kit: Kit = await kit_factory().start()
    kit.run_consumer()
    kit.run_relay()
    await kit.emit(300, per_transaction=50)

    async def all_applied() -> bool:
        return (await kit.effect_counts())[0] >= 300

    await wait_for(all_applied, seconds=60, what="300 effects")
    assert await kit.effect_counts() == (300, 300)
    assert await kit.scalar("SELECT count(*) FROM inbox") == 300
    assert await kit.scalar("SELECT count(*) FROM outbox WHERE sent_at IS NULL") == 0
    assert await kit.dead_letter_count() == 0


async def test_every_message_delivered_twice_is_applied_once(kit_factory) -> None:
    kit: Kit = await kit_factory().start()
    kit.run_consumer()
    await kit.emit(200)
    relay = kit.relay()
    while await relay.relay_once():
        pass
    # publish the whole outbox again, as a relay does after losing its marks
    await kit.execute("UPDATE outbox SET sent_at = NULL")
    while await relay.relay_once():
        pass
    # and a third copy of one event straight onto the exchange, twice
    envelope = Envelope.wrap(ThingHappened(seq=10_000))
    await kit.publish_raw(envelope, times=2)

    async def all_seen() -> bool:
        return kit.counter("handled") + kit.counter("duplicate") >= 402

    await wait_for(all_seen, seconds=60, what="402 deliveries")
    assert await kit.effect_counts() == (201, 201)
    assert kit.counter("handled") == 201
    assert kit.counter("duplicate") == 201


async def test_relay_killed_between_confirm_and_mark_loses_nothing(kit_factory) -> None:
    kit: Kit = await kit_factory().start()
    kit.run_consumer()
    await kit.emit(120)
    script = Path(__file__).with_name("relay_dies_after_confirm.py")
    env = {
        **os.environ,
        "KIT_DATABASE_URL": kit.url,
        "KIT_NAMESPACE": kit.namespace,
        "KIT_SERVICE": kit.service,
    }
    process = await asyncio.create_subprocess_exec(sys.executable, str(script), env=env)
    assert await asyncio.wait_for(process.wait(), timeout=60) == 137

    # the broker confirmed every event, but none is marked sent
    assert await kit.scalar("SELECT count(*) FROM outbox WHERE sent_at IS NULL") == 120

    async def consumed_once() -> bool:
        return kit.counter("handled") >= 120

    await wait_for(consumed_once, seconds=60, what="the first copies to be applied")
    kit.run_relay()  # a new relay publishes the unmarked rows again

    async def duplicates_ignored() -> bool:
        return kit.counter("duplicate") >= 120

    await wait_for(duplicates_ignored, seconds=60, what="the second copies to be ignored")
    assert await kit.effect_counts() == (120, 120)

    async def all_marked() -> bool:  # the relay marks the batch once every confirm is in
        return await kit.scalar("SELECT count(*) FROM outbox WHERE sent_at IS NULL") == 0

    await wait_for(all_marked, seconds=30, what="the second copies to be marked sent")


async def test_a_batch_handler_applies_once_and_isolates_a_poison_event(kit_factory) -> None:
    kit: Kit = await kit_factory(batch=True, poison={42}, retry_delays=(0.2,)).start()
    kit.run_consumer()
    await kit.emit(500)
    relay = kit.relay()
    while await relay.relay_once():
        pass
    await kit.execute("UPDATE outbox SET sent_at = NULL WHERE id % 2 = 0")  # half again
    while await relay.relay_once():
        pass

    async def settled() -> bool:
        return (await kit.effect_counts())[0] >= 499 and await kit.dead_letter_count() == 1

    await wait_for(settled, seconds=60, what="499 effects and the poison event dead-lettered")
    assert await kit.effect_counts() == (499, 499)
    assert kit.counter("handled") == 499
    assert kit.counter("duplicate") == 250


async def test_a_lingering_relay_publishes_events_committed_one_by_one_in_one_batch(
    kit_factory,
) -> None:
    kit: Kit = await kit_factory(relay_linger=1.0).start()
    relay = kit.relay()
    batches: list[int] = []
    claim = relay.relay_once

    async def counted() -> int:
        published = await claim()
        if published:
            batches.append(published)
        return published

    relay.relay_once = counted  # type: ignore[method-assign]
    kit.tasks.append(asyncio.create_task(relay.run(kit.stop)))
    for seq in range(10):  # ten commits, each waking the relay
        await kit.emit(1, start=seq)
        await asyncio.sleep(0.02)

    async def all_sent() -> bool:
        return await kit.scalar("SELECT count(*) FROM outbox WHERE sent_at IS NULL") == 0

    await wait_for(all_sent, seconds=30, what="the outbox relayed")
    assert sum(batches) == 10
    assert len(batches) <= 2  # without the linger: a batch for nearly every commit
