"""Webhook fan-out: how fast the sender delivers, and how late at a steady 200 events/s.

    uv run --no-sync python bench/webhooks.py [--deliveries 3000] [--concurrency 50]
                                              [--rate 200] [--seconds 20] [--no-save] [--no-delay]
                                              [--delay-only]

Against the real PostgreSQL and RabbitMQ and a local HTTP receiver in this process (a
minimal asyncio HTTP/1.1 server answering 204, keep-alive), all on one machine:

- ``bare httpx``: the baseline, a loop of plain ``httpx`` POSTs of the same body with the
  same concurrency: no signature, no guard, no database.
- ``signed sender``: ``WebhookSender.send`` (Standard Webhooks signature with the
  ``standardwebhooks`` library, the SSRF-guarded transport resolving and checking the
  address on each new connection), same loop.
- ``delivery worker``: ``DeliveryWorker.run_once`` until N deliveries (pre-queued in
  PostgreSQL, untimed) are delivered: lease with SKIP LOCKED, open the sealed secret, sign,
  POST, log each attempt and mark it delivered, one transaction per batch.

Then the delay: CaseRegistered events are committed to an outbox at ``--rate`` per second (a
transaction every 20 ms with the events the rate owes)
for ``--seconds`` (the webhooks service's own outbox stands in for the owner's); the relay
publishes them, the consumer fans them out, one sender worker delivers them. The delay is
the receiver's arrival time less the commit time; p50/p95/p99/max over all events.

Everything lives in a scratch database and bus namespace, removed at the end. The machine
is shared with other work: read the ratios, not the absolute figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# This script's name is the service's package name: keep its folder off the import path
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import httpx  # noqa: E402
from contracts import Envelope  # noqa: E402
from contracts.cases import CaseRegistered, ClaimRegistered  # noqa: E402
from servicekit.crypto import Keyring  # noqa: E402
from servicekit.testing import infra  # noqa: E402
from servicekit.testing.wait import wait_for  # noqa: E402
from sqlalchemy import text  # noqa: E402
from webhooks.adapters import store  # noqa: E402
from webhooks.adapters.sender import WebhookSender  # noqa: E402
from webhooks.bootstrap import WebhooksService, bootstrap  # noqa: E402
from webhooks.domain.addresses import AddressPolicy  # noqa: E402
from webhooks.domain.catalogue import translate, webhook_id  # noqa: E402
from webhooks.settings import WebhooksSettings  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TICK = 0.02
"""The producer's tick (s): each tick commits, in one transaction, the events the rate owes."""
ALEMBIC_INI = ROOT / "services" / "webhooks" / "alembic.ini"
BODY = b'{"type":"case.registered","timestamp":"2026-12-06T12:00:00+00:00","data":{"case_id":"x"}}'


class Receiver:
    """A minimal HTTP/1.1 server: reads each request, notes its webhook-id, answers 204."""

    def __init__(self) -> None:
        self.arrivals: dict[str, float] = {}
        self.count = 0
        self.server: asyncio.Server | None = None

    async def start(self) -> str:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self.server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.server.wait_closed(), 2)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length, hook_id = 0, None
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    name = name.strip().lower()
                    if name == b"content-length":
                        length = int(value)
                    elif name == b"webhook-id":
                        hook_id = value.strip().decode()
                if length:
                    await reader.readexactly(length)
                self.count += 1
                if hook_id is not None:
                    self.arrivals.setdefault(hook_id, time.time())
                writer.write(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()


async def _loop(n: int, concurrency: int, send: Any) -> float:
    counter = iter(range(n))

    async def lane() -> None:
        for i in counter:
            await send(i)

    started = time.perf_counter()
    await asyncio.gather(*(lane() for _ in range(concurrency)))
    return n / (time.perf_counter() - started)


async def bare(url: str, n: int, concurrency: int) -> float:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=15) as client:

        async def send(i: int) -> None:
            r = await client.post(url, content=BODY, headers={"content-type": "application/json"})
            assert r.status_code == 204

        return await _loop(n, concurrency, send)


async def signed(url: str, n: int, concurrency: int) -> float:
    sender = WebhookSender(AddressPolicy(["127.0.0.1/32"]), max_connections=concurrency)
    secret = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    try:

        async def send(i: int) -> None:
            r = await sender.send(url, f"msg-{i}", BODY, [secret], datetime.now(UTC))
            assert r.delivered, r

        return await _loop(n, concurrency, send)
    finally:
        await sender.aclose()


def case_registered(creditor: uuid.UUID) -> CaseRegistered:
    now = datetime.now(UTC)
    return CaseRegistered(
        case_id=uuid.uuid4(),
        creditor_id=creditor,
        case_number="2026-000001",
        kid="12345678903",
        creditor_reference="INV-1",
        batch_id=uuid.uuid4(),
        channel="api",
        debtor_kind="business",
        claims=[
            ClaimRegistered(
                claim_id=uuid.uuid4(),
                invoice_number="1",
                invoice_date=now.date(),
                due_date=now.date(),
                principal_ore=100_000,
                reminder_fee_ore=0,
                limitation_date=now.date(),
            )
        ],
        registered_at=now,
    )


async def new_endpoint(service: WebhooksService, url: str) -> uuid.UUID:
    from webhooks.service_layer.endpoints import create_endpoint

    org = uuid.uuid4()
    await create_endpoint(
        service.endpoint_context(), org, url=url, event_types=["case.registered"], description=""
    )
    return org


async def worker_throughput(service: WebhooksService, url: str, n: int) -> float:
    org = await new_endpoint(service, url + "/worker")
    events = [e for _ in range(n) for e in translate(Envelope.wrap(case_registered(org)))]
    async with service.session_factory() as session:
        for i in range(0, n, 1000):
            await store.fan_out(session, events[i : i + 1000])
        await session.commit()
    worker = service.delivery_worker()
    started = time.perf_counter()
    done = 0
    while done < n:
        done += await worker.run_once()
    return n / (time.perf_counter() - started)


async def delay(
    service: WebhooksService, receiver: Receiver, url: str, rate: float, seconds: float
) -> dict[str, float]:
    org = await new_endpoint(service, url + "/delay")
    stop = asyncio.Event()
    tasks = [
        asyncio.create_task(service.run_relay(stop)),
        asyncio.create_task(service.run_consumers(stop)),
        asyncio.create_task(service.delivery_worker().run(stop)),
    ]
    committed: dict[str, float] = {}
    progress("relay, consumer and sender started")
    load_before = os.getloadavg()[0]
    total = int(rate * seconds)
    started = time.perf_counter()
    made = 0
    while made < total:  # a transaction per tick of TICK s, as many events as the rate owes
        due = min(total, int((time.perf_counter() - started) * rate) + 1)
        if due <= made:
            await asyncio.sleep(TICK)
            continue
        async with service.unit_of_work() as uow:
            envelopes = [uow.emit(case_registered(org)) for _ in range(due - made)]
            await uow.commit()
        at = time.time()
        for envelope in envelopes:
            committed[str(webhook_id(envelope.event_id, "case.registered"))] = at
        made = due
    produced = time.perf_counter() - started

    async def all_arrived() -> bool:
        return all(k in receiver.arrivals for k in committed)

    with contextlib.suppress(AssertionError):  # report what arrived within a minute
        await wait_for(all_arrived, what="every event delivered", seconds=60, every=0.2)
    async with service.session_factory() as session:
        counts = (
            await session.execute(
                text(
                    "SELECT (SELECT count(*) FROM outbox WHERE sent_at IS NULL),"
                    " (SELECT count(*) FROM inbox), (SELECT count(*) FROM deliveries"
                    " WHERE status = 'pending')"
                )
            )
        ).one()
    progress(
        f"{sum(k in receiver.arrivals for k in committed)}/{len(committed)} arrived; "
        f"unsent, consumed, pending: {tuple(counts)}"
    )
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    delays = sorted(
        (receiver.arrivals[k] - t) * 1000 for k, t in committed.items() if k in receiver.arrivals
    )
    q = statistics.quantiles(delays, n=100)
    return {
        "events": total,
        "delivered": len(delays),
        "achieved_rate": total / produced,
        "drain_rate": len(delays)
        / max(
            max(receiver.arrivals[k] for k in committed if k in receiver.arrivals)
            - min(committed.values()),
            1e-9,
        ),
        "p50_ms": q[49],
        "p95_ms": q[94],
        "p99_ms": q[98],
        "max_ms": delays[-1],
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
    }


def progress(what: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {what}", file=sys.stderr, flush=True)


async def main(args: argparse.Namespace) -> dict[str, Any]:
    name = f"ic_bench_webhooks_{uuid.uuid4().hex[:6]}"
    url = await infra.create_migrated_database(name, ALEMBIC_INI)
    receiver = Receiver()
    base = await receiver.start()
    service = bootstrap(
        WebhooksSettings(
            environment="test",
            database_url=url,
            bus_namespace=f"bench{uuid.uuid4().hex[:6]}.",
            data_keys=Keyring.generate_spec(),
            allowed_networks=("127.0.0.1/32",),
            sender_batch_size=args.concurrency,
            sender_poll_seconds=0.2,
            relay_poll_seconds=1.0,
        )
    )
    medians: dict[str, float] | None = None
    try:
        rounds: dict[str, list[float]] = {"bare": [], "signed": [], "worker": []}
        if not args.delay_only:
            await bare(base + "/warm", 200, args.concurrency)
            await signed(base + "/warm", 200, args.concurrency)
        for n in range(0 if args.delay_only else args.rounds):
            progress(f"round {n + 1}: bare, signed, worker")
            rounds["bare"].append(await bare(base + "/bare", args.deliveries, args.concurrency))
            rounds["signed"].append(
                await signed(base + "/signed", args.deliveries, args.concurrency)
            )
            rounds["worker"].append(await worker_throughput(service, base, args.deliveries))
        if not args.delay_only:
            medians = {k: statistics.median(v) for k, v in rounds.items()}
        lateness: dict[str, float] | None = None
        if not args.no_delay:
            progress(f"delay at {args.rate:g} events/s for {args.seconds:g} s")
            lateness = await delay(service, receiver, base, args.rate, args.seconds)
        progress("cleaning up")
    finally:
        from servicekit.bus import topology as bus_topology

        with contextlib.suppress(Exception):
            if args.no_delay:
                raise RuntimeError("the broker was not used")
            connection = await service.connect_broker("bench")
            async with connection.channel() as channel:
                await bus_topology.delete(channel, service.topology)
        await service.close()
        await receiver.stop()
        await infra.drop_database(name)
    return {"throughput": medians, "delay": lateness}


def report(result: dict[str, Any], args: argparse.Namespace) -> str:
    t, d = result["throughput"], result["delay"]
    delay_line = (
        "Delay not measured in this run (`--no-delay`)."
        if d is None
        else f"Delay from commit to the receiver at {d['achieved_rate']:.0f} events/s "
        f"committed (asked {args.rate:g}; a transaction every {TICK * 1000:.0f} ms with the "
        "events the rate owes) "
        f"({d['delivered']}/{d['events']} delivered; outbox → relay → broker → consumer → "
        f"sender, poll 0.2 s): p50 {d['p50_ms']:.0f} ms, p95 {d['p95_ms']:.0f} ms, "
        f"**p99 {d['p99_ms']:.0f} ms**, max {d['max_ms']:.0f} ms; end to end "
        f"{d['drain_rate']:.0f} events/s from the first commit to the last arrival (1-minute load "
        f"{d['load_before']:.2f} before the phase, {d['load_after']:.2f} after)."
    )
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [
        f"## webhooks: delivery rate and delay, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"`uv run --no-sync python bench/webhooks.py --deliveries {args.deliveries} "
        f"--concurrency {args.concurrency} --rate {args.rate:g} --seconds {args.seconds:g}"
        f"{' --no-delay' if args.no_delay else ''}{' --delay-only' if args.delay_only else ''}` "
        f"— commit {commit}, nproc {os.cpu_count()}, load {load} at the end, "
        f"Python {platform.python_version()}; machine shared with other work."
        + (
            ""
            if t is None
            else f" Median of {args.rounds} rounds; ratio = deliveries/s ÷ the bare httpx "
            "loop's in the same run."
        ),
        "",
    ]
    if t is not None:
        lines += [
            "| path | deliveries/s | ratio |",
            "| --- | ---: | ---: |",
            f"| bare httpx POST loop (baseline) | {t['bare']:.0f} | 1.00 |",
            f"| signed sender (signature + SSRF guard) | {t['signed']:.0f} | "
            f"{t['signed'] / t['bare']:.2f} |",
            f"| delivery worker (PostgreSQL lease, sign, POST, log) | {t['worker']:.0f} | "
            f"{t['worker'] / t['bare']:.2f} |",
            "",
        ]
    lines += [delay_line, ""]
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--deliveries", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--no-save", action="store_true")
    parser.add_argument("--no-delay", action="store_true", help="skip the delay (no broker)")
    parser.add_argument(
        "--delay-only", action="store_true", help="only the delay at --rate (no throughput)"
    )
    arguments = parser.parse_args()
    outcome = asyncio.run(main(arguments))
    text = report(outcome, arguments)
    print(text)
    if not arguments.no_save:
        with (ROOT / "bench" / "RESULTS.md").open("a") as results:
            results.write("\n" + text)
