"""Inspect, replay and purge dead letters.

``python -m servicekit.bus.deadletters list|show|replay|purge --queue cases.events``

A replayed message goes back to its own consumer queue only (through the default
exchange), with its retry count reset; the dead letter is acked only after the broker has
confirmed the copy, so a crash in between at worst replays it twice, which the consumer's
inbox ignores.

A packed message (ADR 0070) reaches a dead-letter queue whole only when the broker
dead-letters it (its delivery limit spent); it is listed under its first event's id with
all its events' ids, selected by any of them and replayed whole, as it came (the inbox
ignores the events already applied).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage, AbstractRobustConnection

from servicekit.bus import framing
from servicekit.bus.consumer import ERROR_HEADER, RETRY_HEADER
from servicekit.bus.publisher import CONTENT_TYPE, event_message

_DROP_ON_REPLAY = {
    RETRY_HEADER,
    ERROR_HEADER,
    "x-death",
    "x-first-death-exchange",
    "x-first-death-queue",
    "x-first-death-reason",
    "x-last-death-exchange",
    "x-last-death-queue",
    "x-last-death-reason",
    "x-dead-lettered-by",
    "x-delivery-count",
}


@dataclass(frozen=True)
class DeadLetter:
    event_id: str
    event_type: str
    error: str
    dead_lettered_by: str
    deaths: int
    body: str
    attempts: int = 0
    """Retries the consumer made before it dead-lettered the message."""
    headers: dict[str, Any] = field(default_factory=dict)
    event_ids: tuple[str, ...] = ()
    """The ids of the message's events: ``event_id`` alone, or a pack's (the first is
    ``event_id``)."""

    @property
    def events(self) -> int:
        return len(self.event_ids)

    @classmethod
    def of(cls, message: AbstractIncomingMessage) -> DeadLetter:
        headers = dict(message.headers or {})
        deaths = headers.get("x-death") or []
        ids = _event_ids(message)
        return cls(
            event_id=ids[0],
            event_type=message.type or "",
            error=str(headers.get(ERROR_HEADER) or _death_reason(deaths)),
            dead_lettered_by=str(headers.get("x-dead-lettered-by") or "broker"),
            deaths=_death_count(deaths),
            body=message.body.decode(errors="replace"),
            attempts=_int(headers.get(RETRY_HEADER)),
            headers=headers,
            event_ids=tuple(ids),
        )


def _event_ids(message: AbstractIncomingMessage) -> list[str]:
    """The ids of a message's events: its ``message_id``, or those of a pack's envelopes."""
    if not framing.is_packed(message.content_type):
        return [message.message_id or ""]
    ids = []
    for body in framing.unpack(message.body):
        try:
            ids.append(str(json.loads(body).get("event_id", "")))
        except (ValueError, AttributeError):
            ids.append("")
    return ids


def _wanted(message: AbstractIncomingMessage, wanted: set[str] | None) -> bool:
    return wanted is None or not wanted.isdisjoint(_event_ids(message))


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _death_count(deaths: Any) -> int:
    if not isinstance(deaths, list):
        return 0
    return sum(d.get("count", 1) for d in deaths if isinstance(d, dict))


def _death_reason(deaths: Any) -> str:
    if isinstance(deaths, list) and deaths and isinstance(deaths[0], dict):
        return f"broker: {deaths[0].get('reason', '?')}"
    return ""


def _dlq(namespace: str, queue: str) -> str:
    return f"{namespace}{queue}.dlq"


async def _drain(
    connection: AbstractRobustConnection, dlq: str, limit: int | None
) -> tuple[aio_pika.abc.AbstractChannel, list[AbstractIncomingMessage], int]:
    """Take up to ``limit`` dead letters unacked (they return when the channel closes);
    with how many the queue held."""
    channel = await connection.channel(publisher_confirms=True)
    queue = await channel.declare_queue(dlq, passive=True)
    count = queue.declaration_result.message_count or 0
    taken: list[AbstractIncomingMessage] = []
    for _ in range(count if limit is None else min(count, limit)):
        message = await queue.get(no_ack=False, fail=False)
        if message is None:
            break
        taken.append(message)
    return channel, taken, count


RETURN_WAIT_SECONDS = 5.0
"""How long a call waits for the letters it left to be back in the queue."""


async def _release(
    connection: AbstractRobustConnection,
    channel: aio_pika.abc.AbstractChannel,
    dlq: str,
    left: int,
) -> None:
    """Close the channel, and return once the queue holds ``left`` letters ready again (its
    count less those acked; at most :data:`RETURN_WAIT_SECONDS`): a quorum queue applies
    the return of unacked letters after the close, and a call right after would otherwise
    count them out."""
    await channel.close()
    if not left:
        return
    loop = asyncio.get_running_loop()
    deadline = loop.time() + RETURN_WAIT_SECONDS
    async with connection.channel() as probe:
        while loop.time() < deadline:
            queue = await probe.declare_queue(dlq, passive=True)
            if (queue.declaration_result.message_count or 0) >= left:
                return
            await asyncio.sleep(0.05)


async def peek(
    connection: AbstractRobustConnection, *, namespace: str, queue: str, limit: int = 50
) -> list[DeadLetter]:
    """The first dead letters of a consumer queue, left where they are."""
    dlq = _dlq(namespace, queue)
    channel, taken, count = await _drain(connection, dlq, limit)
    try:
        return [DeadLetter.of(m) for m in taken]
    finally:
        await _release(connection, channel, dlq, count)


async def replay(
    connection: AbstractRobustConnection,
    *,
    namespace: str,
    queue: str,
    event_ids: Iterable[str] | None = None,
) -> int:
    """Send dead letters (all, or those with the given event ids) back to their queue."""
    wanted = set(event_ids) if event_ids is not None else None
    dlq = _dlq(namespace, queue)
    channel, taken, count = await _drain(connection, dlq, None)
    replayed = 0
    try:
        for message in taken:
            if not _wanted(message, wanted):
                continue
            headers = {
                k: v for k, v in dict(message.headers or {}).items() if k not in _DROP_ON_REPLAY
            }
            copy = event_message(
                body=message.body,
                event_id=message.message_id or "",
                event_type=message.type or "",
                headers=headers,
                timestamp=message.timestamp,
                content_type=message.content_type or CONTENT_TYPE,
            )
            await channel.default_exchange.publish(
                copy, routing_key=f"{namespace}{queue}", timeout=30
            )
            await message.ack()
            replayed += 1
    finally:
        await _release(connection, channel, dlq, count - replayed)
    return replayed


async def purge(
    connection: AbstractRobustConnection,
    *,
    namespace: str,
    queue: str,
    event_ids: Iterable[str] | None = None,
) -> int:
    """Drop dead letters for good (all, or those with the given event ids)."""
    wanted = set(event_ids) if event_ids is not None else None
    dlq = _dlq(namespace, queue)
    channel, taken, count = await _drain(connection, dlq, None)
    dropped = 0
    try:
        for message in taken:
            if _wanted(message, wanted):
                await message.ack()
                dropped += 1
    finally:
        await _release(connection, channel, dlq, count - dropped)
    return dropped


async def _main(args: argparse.Namespace) -> int:
    connection = await aio_pika.connect_robust(args.amqp_url)
    try:
        ids = args.event_id or None
        if args.command == "list":
            letters = await peek(
                connection, namespace=args.namespace, queue=args.queue, limit=args.limit
            )
            for letter in letters:
                print(
                    f"{letter.event_id}  {letter.event_type:40}  {letter.dead_lettered_by:10}"
                    f"  {letter.error}"
                )
            print(f"{len(letters)} dead letter(s) shown")
        elif args.command == "show":
            letters = await peek(
                connection, namespace=args.namespace, queue=args.queue, limit=10_000
            )
            chosen = [
                asdict(d) for d in letters if ids is None or not set(ids).isdisjoint(d.event_ids)
            ]
            print(json.dumps(chosen, indent=2, default=str))
        elif args.command == "replay":
            if ids is None and not args.all:
                print("give --event-id (repeatable) or --all", file=sys.stderr)
                return 2
            n = await replay(connection, namespace=args.namespace, queue=args.queue, event_ids=ids)
            print(f"replayed {n}")
        elif args.command == "purge":
            if ids is None and not args.all:
                print("give --event-id (repeatable) or --all", file=sys.stderr)
                return 2
            n = await purge(connection, namespace=args.namespace, queue=args.queue, event_ids=ids)
            print(f"purged {n}")
    finally:
        await connection.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="deadletters", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["list", "show", "replay", "purge"])
    parser.add_argument("--queue", required=True, help="consumer queue, e.g. cases.events")
    parser.add_argument("--event-id", action="append", help="only this event (repeatable)")
    parser.add_argument("--all", action="store_true", help="replay or purge every dead letter")
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument("--namespace", default=os.environ.get("INFOCENTER_BUS_NAMESPACE", ""))
    parser.add_argument(
        "--amqp-url",
        default=os.environ.get("INFOCENTER_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/"),
    )
    return asyncio.run(_main(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
