"""Packed messages (ADR 0070): several events in one AMQP message, each applied, deduped,
retried and dead-lettered on its own; single-event messages still consumed beside them."""

from __future__ import annotations

import aio_pika
import pytest
import servicekit.bus.consumer
import servicekit.relay
from contracts import Envelope
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from servicekit.bus import deadletters, framing
from servicekit.bus.publisher import event_message
from servicekit.testing.wait import wait_for

from .harness import Kit, ThingHappened

pytestmark = pytest.mark.integration


def envelopes(seqs: range) -> list[Envelope]:
    return [Envelope.wrap(ThingHappened(seq=seq)) for seq in seqs]


def bodies(events: list[Envelope]) -> list[bytes]:
    return [e.model_dump_json().encode() for e in events]


def dead_lettered_pack(events: list[bytes]) -> aio_pika.Message:
    """A pack as the broker dead-letters it when its delivery limit is spent."""
    return event_message(
        body=framing.pack(events),
        event_id=None,
        event_type=ThingHappened.event_type,
        headers={"x-death": [{"count": 20, "reason": "delivery_limit"}]},
        content_type=framing.PACK_CONTENT_TYPE,
    )


async def relay_all(kit: Kit) -> None:
    relay = kit.relay()
    while await relay.relay_once():
        pass


@pytest.mark.parametrize("batch", [False, True], ids=["event handler", "batch handler"])
async def test_a_pack_with_a_poison_event_applies_the_rest_once_and_dead_letters_it_alone(
    kit_factory, batch: bool
) -> None:
    kit: Kit = await kit_factory(batch=batch, poison={10}, retry_delays=(0.2, 0.5)).start()
    events = envelopes(range(20))
    await kit.publish_pack(bodies(events))
    kit.run_consumer()

    async def settled() -> bool:
        return (await kit.effect_counts())[0] >= 19 and await kit.dead_letter_count() == 1

    await wait_for(settled, seconds=60, what="19 effects and the poison event dead-lettered")
    assert await kit.effect_counts() == (19, 19)
    assert kit.counter("handled") == 19
    assert kit.counter("duplicate") == 0  # the pack was acked, not redelivered
    assert kit.counter("retried") == 2
    assert kit.counter("dead_lettered") == 1
    [letter] = await deadletters.peek(kit.connection, namespace=kit.namespace, queue=kit.spec.name)
    assert letter.events == 1  # the poison event alone, as a message of its own
    assert letter.event_id == str(events[10].event_id)
    assert Envelope.model_validate_json(letter.body) == events[10]
    assert "cannot apply thing 10" in letter.error
    assert await kit.queue_depth() == 0


async def test_single_event_messages_and_packs_are_consumed_side_by_side(kit_factory) -> None:
    kit: Kit = await kit_factory(pack_size=1).start()
    await kit.emit(30)
    await relay_all(kit)
    assert await kit.queue_depth() == 30  # one message per event
    kit.pack_size = 8
    await kit.emit(20, start=30)
    await relay_all(kit)
    assert await kit.queue_depth() == 33  # 8 + 8 + 4
    await kit.publish_pack(bodies(envelopes(range(50, 60))))
    kit.run_consumer()

    async def all_applied() -> bool:
        return (await kit.effect_counts())[0] >= 60

    await wait_for(all_applied, seconds=60, what="60 effects")
    assert await kit.effect_counts() == (60, 60)
    assert await kit.scalar("SELECT count(*) FROM inbox") == 60
    assert await kit.dead_letter_count() == 0


async def test_duplicates_across_packs_and_single_messages_are_applied_once(kit_factory) -> None:
    kit: Kit = await kit_factory(batch=True).start()
    events = envelopes(range(30))
    await kit.publish_pack(bodies(events[:20]))
    await kit.publish_pack(bodies(events[10:]))
    await kit.publish_raw(events[5], times=2)
    kit.run_consumer()

    async def all_seen() -> bool:
        return kit.counter("handled") + kit.counter("duplicate") >= 42

    await wait_for(all_seen, seconds=60, what="42 deliveries")
    assert await kit.effect_counts() == (30, 30)
    assert kit.counter("handled") == 30
    assert kit.counter("duplicate") == 12


async def test_an_unreadable_line_of_a_pack_is_dead_lettered_alone(kit_factory) -> None:
    kit: Kit = await kit_factory().start()
    first, second = bodies(envelopes(range(2)))
    await kit.publish_pack([first, b"not an envelope", second])
    kit.run_consumer()

    async def settled() -> bool:
        return (await kit.effect_counts())[0] >= 2 and await kit.dead_letter_count() == 1

    await wait_for(settled, seconds=60, what="2 effects and the unreadable line dead-lettered")
    assert await kit.effect_counts() == (2, 2)
    assert kit.counter("retried") == 0
    [letter] = await deadletters.peek(kit.connection, namespace=kit.namespace, queue=kit.spec.name)
    assert letter.body == "not an envelope"
    assert letter.events == 1


async def test_a_pack_dead_lettered_by_the_broker_is_listed_and_replayed_whole(
    kit_factory,
) -> None:
    kit: Kit = await kit_factory().start()
    events = envelopes(range(3))
    async with kit.connection.channel(publisher_confirms=True) as channel:
        dlx = await channel.get_exchange(kit.topology.dead_letter_exchange)
        message = dead_lettered_pack(bodies(events))
        await dlx.publish(message, routing_key=kit.topology.queue_name(kit.spec))
    [letter] = await deadletters.peek(kit.connection, namespace=kit.namespace, queue=kit.spec.name)
    assert letter.events == 3
    assert letter.event_id == str(events[0].event_id)
    assert list(letter.event_ids) == [str(e.event_id) for e in events]
    kit.run_consumer()
    replayed = await deadletters.replay(
        kit.connection,
        namespace=kit.namespace,
        queue=kit.spec.name,
        event_ids=[str(events[1].event_id)],
    )
    assert replayed == 1

    async def all_applied() -> bool:
        return (await kit.effect_counts())[0] >= 3

    await wait_for(all_applied, seconds=30, what="the replayed pack")
    assert await kit.effect_counts() == (3, 3)
    assert await kit.dead_letter_count() == 0


@pytest.mark.parametrize("batch", [False, True], ids=["event handler", "batch handler"])
async def test_a_packs_events_are_processed_in_the_producers_trace(
    kit_factory, monkeypatch: pytest.MonkeyPatch, batch: bool
) -> None:
    """One producer span per pack, a child of the request's; the consumer's spans are its
    children: one per event for an event handler, one for the pack for a batch handler."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    monkeypatch.setattr(servicekit.relay, "tracer", provider.get_tracer("servicekit.relay"))
    monkeypatch.setattr(
        servicekit.bus.consumer, "tracer", provider.get_tracer("servicekit.consumer")
    )
    kit: Kit = await kit_factory(batch=batch).start()
    with provider.get_tracer("test").start_as_current_span("import") as request:
        await kit.emit(10)
    await relay_all(kit)
    assert await kit.queue_depth() == 1
    kit.run_consumer()

    async def all_applied() -> bool:
        return (await kit.effect_counts())[0] >= 10

    await wait_for(all_applied, seconds=60, what="10 effects")
    spans = exporter.get_finished_spans()
    [producer] = [s for s in spans if s.kind == SpanKind.PRODUCER]
    consumers = [s for s in spans if s.kind == SpanKind.CONSUMER]
    assert producer.parent is not None
    assert producer.parent.span_id == request.get_span_context().span_id
    assert producer.attributes is not None
    assert producer.attributes["messaging.batch.message_count"] == 10
    for span in consumers:
        assert span.context is not None
        assert span.context.trace_id == request.get_span_context().trace_id
        assert span.parent is not None
        assert span.parent.span_id == producer.context.span_id
    if batch:
        [span] = consumers
        assert span.attributes is not None
        assert span.attributes["messaging.batch.message_count"] == 10
    else:
        ids = {str(s.attributes["messaging.message.id"]) for s in consumers if s.attributes}
        assert len(ids) == 10
        assert await kit.scalar("SELECT count(DISTINCT message_id) FROM inbox") == 10
