"""The reports consumer's projection: events applied per second beside an ack-only consumer,
and the lag at a sustained publishing rate, against the real PostgreSQL and RabbitMQ.

    uv run --no-sync python bench/reports_projection.py    # 20,000 events; 2,000/s for 30 s
    uv run --no-sync python bench/reports_projection.py --events 5000 --seconds 10 --no-save

A scratch database migrated with the reports service's Alembic history and a bus
namespace of its own (both removed at the end). The events are the producers' contracts,
in the order a case lives them: a block of cases registered (``cases.case.registered``,
one claim each, in batches of 500), each case's status changed (inkassovarsel sent), its
balance changed (the fee), a payment received and the balance changed again, every tenth
case closed paid; every ``--settlement-every`` events a settlement of the creditor's last
``--settlement-lines`` payments (``ledger.settlement.completed`` with its lines: the
statement PDF is rendered and issued in the consumer's transaction). Five creditors.

- ``consumer``: the reports service's own consumer (``bootstrap`` + ``run_consumers``, as
  ``python -m reports.entrypoints.consumer`` runs it: the real handlers, BatchHandlers,
  inbox, parked changes, issuing) in a process of its own, started with ``--events`` events
  ready on its queue; timed until the inbox holds them all (polled every 20 ms).
- ``ack-only baseline``: a process with a bare aio-pika consumer (same prefetch) on a
  queue declared the same way (servicekit's ``declare``: quorum, the same bindings) holding
  the same message bodies; it acks each message and does nothing else. Ratio = consumer
  events/s ÷ baseline events/s.
- ``lag``: a fresh consumer process, and a publisher process publishing new events at
  ``--rate`` per second for ``--seconds`` (each event's ``occurred_at`` is its publishing
  time). Per event, lag = the inbox row's ``received_at`` (``now()`` of the transaction
  that applied it) - ``occurred_at``: p50, p99, max. Beside it, the consumer's own
  projection-lag metric (``projection_progress``: applied - occurred of each projection's
  newest event, what ``reports_projection_lag_seconds`` exports), sampled every 0.5 s.

Each consumer process warms WeasyPrint (imports, fonts) before it is timed, as a running
consumer would be. Results: stdout, ``results/reports_projection-<time>.json`` and a
section of ``RESULTS.md`` (``--no-save`` skips both), with the load average.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import statistics
import subprocess
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import aio_pika
from contracts import Envelope, EventData
from contracts.auth import OrganisationRegistered
from contracts.cases import CaseClosed, CaseRegistered, CaseStatusChanged, ClaimRegistered
from contracts.ledger import CaseBalanceChanged, PaymentReceived, SettledLine, SettlementCompleted
from servicekit.bus import topology as bus_topology
from servicekit.bus.publisher import event_message
from servicekit.bus.topology import QueueSpec, Topology
from servicekit.testing import infra
from servicekit.testing.bus import envelope_message

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
ALEMBIC_INI = REPO / "services" / "reports" / "alembic.ini"
PREFETCH = 256  # servicekit's consumer_prefetch default, the baseline's too
PUBLISH_BATCH = 500
POLL_SECONDS = 0.02
CREDITORS = 5
BATCH_CASES = 500
AIM_RATE = 2000.0
AIM_LAG_SECONDS = 2.0

# -- the event stream ------------------------------------------------------------------------


class Stream:
    """Events in the order cases live them; the state to continue where the last call ended."""

    def __init__(self, settlement_every: int, settlement_lines: int) -> None:
        self.creditors = [uuid.uuid4() for _ in range(CREDITORS)]
        self.settlement_every = settlement_every
        self.settlement_lines = settlement_lines
        self.case_seq = 0
        self.emitted = 0
        self.next_settlement = settlement_every
        self.unsettled: dict[uuid.UUID, list[SettledLine]] = {c: [] for c in self.creditors}
        self.settlements = 0

    def organisations(self) -> list[EventData]:
        return [
            OrganisationRegistered(
                organisation_id=c,
                kind="creditor",
                name=f"Kreditor {i} AS",
                organisation_number=f"9{i:08d}",
            )
            for i, c in enumerate(self.creditors)
        ]

    def events(self, n: int) -> Iterator[EventData]:
        """The next ``n`` events (a case's changes follow its block's registrations)."""
        produced = 0
        while produced < n:
            for event in self._block(min(200, max(1, (n - produced) // 5))):
                yield event
                produced += 1
                self.emitted += 1
                if self.emitted >= self.next_settlement:
                    self.next_settlement += self.settlement_every
                    settlement = self._settlement()
                    if settlement is not None:
                        yield settlement
                        produced += 1
                        self.emitted += 1
                if produced >= n:
                    return

    def _block(self, cases: int) -> Iterator[EventData]:
        now = datetime.now(UTC)
        registered = []
        batch = uuid.uuid4()
        for _ in range(cases):
            self.case_seq += 1
            seq = self.case_seq
            creditor = self.creditors[seq % CREDITORS]
            if seq % BATCH_CASES == 0:
                batch = uuid.uuid4()
            principal = 100_000 + (seq * 7919) % 900_000
            case = CaseRegistered(
                case_id=uuid.uuid4(),
                creditor_id=creditor,
                case_number=f"{seq:07d}",
                kid=f"{seq:07d}0",
                creditor_reference=f"F-2026-{seq:06d}",
                batch_id=batch,
                channel="import",
                debtor_kind="person",
                claims=[
                    ClaimRegistered(
                        claim_id=uuid.uuid4(),
                        invoice_number=f"INV-{seq}",
                        invoice_date=date(2026, 1, 2),
                        due_date=date(2026, 1, 16),
                        principal_ore=principal,
                        reminder_fee_ore=0,
                        limitation_date=date(2029, 1, 16),
                    )
                ],
                registered_at=now,
                debtor_name=f"Skyldner {seq}",
            )
            registered.append((case, principal))
            yield case
        for case, _ in registered:
            yield CaseStatusChanged(
                case_id=case.case_id, creditor_id=case.creditor_id, from_status="registered",
                to_status="notice_sent", step="inkassovarsel_sent",
                effective_date=date(2026, 2, 2), deadline=date(2026, 2, 16), rule_set="2026-01",
                debtor_kind="person", actor="scheduler", changed_at=now,
            )  # fmt: skip
        for case, principal in registered:
            yield CaseBalanceChanged(
                case_id=case.case_id, creditor_id=case.creditor_id,
                effective_date=date(2026, 2, 2), principal_ore=principal, interest_ore=0,
                costs_ore=3_500, balance_ore=principal + 3_500, overpaid_ore=0, cause="fee",
                changed_at=now,
            )  # fmt: skip
        for case, principal in registered:
            paid = principal // 2 + 3_500
            payment = PaymentReceived(
                payment_id=uuid.uuid4(), case_id=case.case_id, creditor_id=case.creditor_id,
                amount_ore=paid, value_date=date(2026, 3, 2), principal_ore=principal // 2,
                interest_ore=0, costs_ore=3_500, overpaid_ore=0, received_at=now,
            )  # fmt: skip
            commission = (principal // 2) // 20
            self.unsettled[case.creditor_id].append(
                SettledLine(
                    line_id=uuid.uuid4().int % 10**12, payment_id=payment.payment_id,
                    case_id=case.case_id, value_date=date(2026, 3, 2),
                    principal_ore=principal // 2, interest_ore=0, reminder_fees_ore=0,
                    collection_fees_ore=3_500, court_fees_ore=0, commission_ore=commission,
                    net_ore=principal // 2 - commission,
                )
            )  # fmt: skip
            yield payment
            yield CaseBalanceChanged(
                case_id=case.case_id, creditor_id=case.creditor_id,
                effective_date=date(2026, 3, 2), principal_ore=principal - principal // 2,
                interest_ore=0, costs_ore=0, balance_ore=principal - principal // 2,
                overpaid_ore=0, cause="payment", changed_at=now,
            )  # fmt: skip
        for case, _ in registered[::10]:
            yield CaseClosed(
                case_id=case.case_id, creditor_id=case.creditor_id, reason="paid",
                closed_on=date(2026, 3, 3), actor="system", closed_at=now,
            )  # fmt: skip

    def _settlement(self) -> SettlementCompleted | None:
        creditor = max(self.creditors, key=lambda c: len(self.unsettled[c]))
        lines = self.unsettled[creditor][-self.settlement_lines :]
        if not lines:
            return None
        self.unsettled[creditor] = self.unsettled[creditor][: -len(lines)]
        self.settlements += 1
        collected = sum(x.principal_ore + x.interest_ore + x.reminder_fees_ore for x in lines)
        commission = sum(x.commission_ore for x in lines)
        return SettlementCompleted(
            settlement_id=uuid.uuid4(), settlement_number=f"AV-{self.settlements:07d}",
            creditor_id=creditor, period_end=date(2026, 3, 4), line_count=len(lines),
            collected_ore=collected, commission_ore=commission, credit_report_charges_ore=0,
            agency_fees_ore=sum(x.collection_fees_ore + x.court_fees_ore for x in lines),
            payout_ore=collected - commission, completed_at=datetime.now(UTC),
            payout_date=date(2026, 3, 5), client_account="15032080119",
            payout_account="12345678903", vat_deductible=True, lines=lines,
        )  # fmt: skip


# -- processes -------------------------------------------------------------------------------


def _settings(url: str, namespace: str) -> Any:
    from reports.settings import ReportsSettings

    return ReportsSettings(
        environment="test",
        database_url=url,
        bus_namespace=namespace,
        retry_delays_seconds=(0.2, 1.0, 2.0, 5.0),
        agency_name="InfoCenter Inkasso AS",
        agency_organisation_number="923609016",
    )


def _consumer_process(url: str, namespace: str, ready: Any, go: Any, stop: Any) -> None:
    """The reports consumer, as its entrypoint runs it, until ``stop``."""
    if os.environ.get("BENCH_DEBUG"):  # show why a batch fell back to one by one
        import logging

        from servicekit.bus.consumer import Consumer

        logging.basicConfig(level=logging.WARNING)
        apply = Consumer._apply

        async def logged(self: Any, deliveries: Any) -> Any:
            try:
                return await apply(self, deliveries)
            except Exception:
                logging.exception("batch of %d failed", len(deliveries))
                raise

        Consumer._apply = logged  # type: ignore[method-assign]
    from weasyprint import HTML

    HTML(string="<p style='font-family: \"DejaVu Sans\"'>oppvarming</p>").write_pdf()
    from reports.bootstrap import bootstrap

    async def main() -> None:
        service = bootstrap(_settings(url, namespace))
        ready.set()
        await asyncio.to_thread(go.wait)
        stopping = asyncio.Event()
        task = asyncio.create_task(service.run_consumers(stopping))
        await asyncio.to_thread(stop.wait)
        stopping.set()
        await asyncio.wait_for(task, timeout=60)
        await service.close()

    profile = os.environ.get("BENCH_PROFILE")  # a path: cProfile the consumer into it
    if not profile:
        asyncio.run(main())
        return
    import cProfile

    with cProfile.Profile() as profiler:
        asyncio.run(main())
    profiler.dump_stats(f"{profile}-{os.getpid()}")


def _ack_only_process(queue_name: str, n: int, ready: Any, go: Any, out: Any) -> None:
    """A bare aio-pika consumer that acks ``n`` messages; puts its seconds on ``out``."""

    async def main() -> None:
        connection = await aio_pika.connect(infra.AMQP_URL)
        done = asyncio.Event()
        count = 0

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            nonlocal count
            await message.ack()
            count += 1
            if count >= n:
                done.set()

        ready.set()
        await asyncio.to_thread(go.wait)
        t0, cpu0 = time.perf_counter(), time.process_time()
        async with connection.channel() as channel:
            await channel.set_qos(prefetch_count=PREFETCH)
            queue = await channel.get_queue(queue_name)
            tag = await queue.consume(on_message)
            await asyncio.wait_for(done.wait(), timeout=1200)
            out.put((time.perf_counter() - t0, time.process_time() - cpu0))
            await queue.cancel(tag)
        await connection.close()

    asyncio.run(main())


OCCURRED = b'"occurred_at":"2000-01-01T00:00:00Z"'
"""The placeholder the publisher's prepared bodies carry until they are sent."""


def _publisher_process(namespace: str, rate: float, seconds: float, state: Any, out: Any) -> None:
    """Publish new events at ``rate``/s for ``seconds``, in ticks of 10 ms with confirms.

    The envelopes are prepared before the clock starts (serialised with a placeholder
    ``occurred_at``, which is written in at sending time), so the publisher's own cost is
    the broker client's. Behind schedule it sends at most 50 ms of events per tick and
    stops on time: the rate it managed is reported, not assumed.
    """
    stream: Stream = state

    async def main() -> None:
        connection = await aio_pika.connect(infra.AMQP_URL)
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(Topology(namespace).exchange)
        placeholder = datetime(2000, 1, 1, tzinfo=UTC)
        prepared = []
        for event in stream.events(int(rate * seconds)):
            envelope = Envelope.wrap(event).model_copy(update={"occurred_at": placeholder})
            body = envelope.model_dump_json().encode()
            assert OCCURRED in body
            prepared.append((envelope, body))
        sent: list[tuple[str, float]] = []
        tick, most = 0.01, max(1, int(rate * 0.05))
        error = None
        t0 = time.perf_counter()
        try:
            while (elapsed := time.perf_counter() - t0) < seconds and len(sent) < len(prepared):
                due = min(int(rate * (elapsed + tick)) - len(sent), most)
                batch = prepared[len(sent) : len(sent) + max(due, 0)]
                now = datetime.now(UTC)
                stamp = b'"occurred_at":"' + now.isoformat().replace("+00:00", "Z").encode() + b'"'
                await asyncio.gather(
                    *(
                        exchange.publish(
                            event_message(
                                body=body.replace(OCCURRED, stamp, 1),
                                event_id=str(e.event_id),
                                event_type=e.event_type,
                                timestamp=now,
                            ),
                            routing_key=e.routing_key,
                            timeout=30,
                        )
                        for e, body in batch
                    )
                )
                sent.extend((str(e.event_id), now.timestamp()) for e, _ in batch)
                pause = t0 + elapsed + tick - time.perf_counter()
                if pause > 0:
                    await asyncio.sleep(pause)
        except Exception as exc:  # the broker held back the confirms: say so, keep what went
            error = f"{type(exc).__name__} after {len(sent)} events"
        out.put({"seconds": time.perf_counter() - t0, "sent": sent, "error": error})
        await connection.close()

    asyncio.run(main())


# -- the measurements ------------------------------------------------------------------------


class Bench:
    def __init__(self, url: str, namespace: str) -> None:
        self.url = url
        self.namespace = namespace
        self.context = multiprocessing.get_context("spawn")

    async def start(self) -> None:
        from reports.bootstrap import bootstrap
        from servicekit.db import make_engine

        service = bootstrap(_settings(self.url, self.namespace))
        self.topology = service.topology
        live = next(spec for spec in service.consumers if spec.name == "reports.events")
        await service.close()
        self.engine = make_engine(self.url, application_name="bench-reports")
        self.connection = await aio_pika.connect(infra.AMQP_URL)
        self.channel = await self.connection.channel(publisher_confirms=True)
        await bus_topology.declare(self.channel, self.topology)
        events = QueueSpec("reports.events", live.routing_keys, live.retry_delays)
        self.base_topology = Topology(f"{self.namespace}base.", (events,))
        self.base_queue = self.base_topology.queue_name(events)
        await bus_topology.declare(self.channel, self.base_topology)

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await bus_topology.delete(self.channel, self.topology)
            await bus_topology.delete(self.channel, self.base_topology)
        with contextlib.suppress(Exception):
            await self.connection.close()
        with contextlib.suppress(Exception):
            await self.engine.dispose()

    async def scalar(self, sql: str, **params: Any) -> Any:
        from sqlalchemy import text

        async with self.engine.connect() as conn:
            return (await conn.execute(text(sql), params)).scalar_one()

    async def publish(self, topology: Topology, envelopes: list[Envelope]) -> None:
        exchange = await self.channel.get_exchange(topology.exchange)
        for first in range(0, len(envelopes), PUBLISH_BATCH):
            await asyncio.gather(
                *(
                    exchange.publish(envelope_message(e), routing_key=e.routing_key, timeout=30)
                    for e in envelopes[first : first + PUBLISH_BATCH]
                )
            )

    async def wait_inbox(self, count: int, deadline: float, alive: Any = None) -> None:
        while await self.scalar("SELECT count(*) FROM inbox") < count:
            if time.perf_counter() > deadline:
                raise RuntimeError(f"the consumer did not apply {count} events in time")
            if alive is not None and not alive.is_alive():
                raise RuntimeError("the consumer process died")
            await asyncio.sleep(POLL_SECONDS)

    @contextlib.asynccontextmanager
    async def consumer(self) -> Any:
        ready, go, stop = self.context.Event(), self.context.Event(), self.context.Event()
        process = self.context.Process(
            target=_consumer_process, args=(self.url, self.namespace, ready, go, stop)
        )
        process.start()
        await asyncio.to_thread(ready.wait, 120)
        try:
            yield go, process
        finally:
            go.set()
            stop.set()
            await asyncio.to_thread(process.join, 90)

    async def warm_up(self, stream: Stream, n: int) -> None:
        """Organisations and ``n`` events through a consumer, untimed (and VACUUM ANALYZE)."""
        envelopes = [Envelope.wrap(e) for e in [*stream.organisations(), *stream.events(n)]]
        before = await self.scalar("SELECT count(*) FROM inbox")
        async with self.consumer() as (go, process):
            go.set()
            await self.publish(self.topology, envelopes)
            await self.wait_inbox(before + len(envelopes), time.perf_counter() + 600, process)
        await self.vacuum()

    async def vacuum(self) -> None:
        from sqlalchemy import text

        async with self.engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("VACUUM ANALYZE"))

    async def throughput(self, stream: Stream, n: int) -> dict[str, Any]:
        envelopes = [Envelope.wrap(e) for e in stream.events(n)]
        await self.publish(self.topology, envelopes)
        await self.publish(self.base_topology, envelopes)
        before = await self.scalar("SELECT count(*) FROM inbox")
        await self.vacuum()
        # the baseline
        ready, go, out = self.context.Event(), self.context.Event(), self.context.Queue()
        process = self.context.Process(
            target=_ack_only_process, args=(self.base_queue, n, ready, go, out)
        )
        process.start()
        await asyncio.to_thread(ready.wait, 60)
        go.set()
        base_seconds, base_cpu = await asyncio.to_thread(out.get, True, 1200)
        await asyncio.to_thread(process.join, 30)
        # the consumer
        async with self.consumer() as (go, process):
            cpu0 = _cpu_of(process.pid)
            t0 = time.perf_counter()
            go.set()
            await self.wait_inbox(before + n, t0 + 1200, process)
            seconds = time.perf_counter() - t0
            cpu = _cpu_of(process.pid) - cpu0
            pg_cpu = sum(_cpu_of(pid) for pid in await self.consumer_backends())
        kinds: dict[str, int] = {}
        for e in envelopes:
            kinds[e.event_type] = kinds.get(e.event_type, 0) + 1
        return {
            "events": n,
            "kinds": kinds,
            "consumer_seconds": seconds,
            "consumer_rate": n / seconds,
            "consumer_cpu_us_per_event": cpu / n * 1e6,
            "postgres_cpu_us_per_event": pg_cpu / n * 1e6,
            "baseline_seconds": base_seconds,
            "baseline_rate": n / base_seconds,
            "baseline_cpu_us_per_event": base_cpu / n * 1e6,
            "ratio": (n / seconds) / (n / base_seconds),
        }

    async def lag(self, stream: Stream, rate: float, seconds: float) -> dict[str, Any]:
        await self.vacuum()
        before = await self.scalar("SELECT count(*) FROM inbox")
        samples: list[float] = []
        since = datetime.now(UTC)
        async with self.consumer() as (go, process):
            go.set()
            out = self.context.Queue()
            publisher = self.context.Process(
                target=_publisher_process,
                args=(self.namespace, rate, seconds, stream, out),
            )
            publisher.start()
            while publisher.is_alive() and out.empty():
                samples.append(await self.projection_lag(since))
                await asyncio.sleep(0.5)
            published = await asyncio.to_thread(out.get, True, 120)
            await asyncio.to_thread(publisher.join, 30)
            sent = published["sent"]
            drain0 = time.perf_counter()
            deadline = drain0 + 1200
            while await self.scalar("SELECT count(*) FROM inbox") < before + len(sent):
                if time.perf_counter() > deadline or not process.is_alive():
                    raise RuntimeError("the consumer did not catch up")
                samples.append(await self.projection_lag(since))
                await asyncio.sleep(0.5)
            drain = time.perf_counter() - drain0
        lags = await self.event_lags(sent)
        lags.sort()
        return {
            "rate_asked": rate,
            "published": len(sent),
            "publish_seconds": published["seconds"],
            "rate_published": len(sent) / published["seconds"],
            "publisher_error": published["error"],
            "drain_seconds_after_publishing": drain,
            "lag_p50": _quantile(lags, 0.50),
            "lag_p99": _quantile(lags, 0.99),
            "lag_max": lags[-1],
            "lag_mean": statistics.fmean(lags),
            "metric_samples": len(samples),
            "metric_max": max(samples, default=0.0),
            "metric_p50": _quantile(sorted(samples), 0.5) if samples else 0.0,
        }

    async def consumer_backends(self) -> list[int]:
        """The PostgreSQL backends of the consumer process (its pool's connections; they
        were opened by this consumer, so their CPU time is this figure's)."""
        from sqlalchemy import text

        async with self.engine.connect() as conn:
            rows = await conn.execute(
                text(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND application_name <> 'bench-reports'"
                )
            )
            return [int(pid) for pid in rows.scalars()]

    async def projection_lag(self, since: datetime) -> float:
        """The largest lag of the projections that applied an event since ``since``."""
        return float(
            await self.scalar(
                "SELECT coalesce(max(extract(epoch FROM last_applied_at - last_occurred_at)), 0) "
                "FROM projection_progress WHERE last_applied_at >= :since",
                since=since,
            )
        )

    async def event_lags(self, sent: list[tuple[str, float]]) -> list[float]:
        from sqlalchemy import text

        occurred = dict(sent)
        async with self.engine.connect() as conn:
            rows = (
                await conn.execute(
                    text(
                        "SELECT message_id::text, extract(epoch FROM received_at) FROM inbox "
                        "WHERE message_id = ANY(CAST(:ids AS uuid[]))"
                    ),
                    {"ids": list(occurred)},
                )
            ).all()
        return [float(received) - occurred[mid] for mid, received in rows]


def _quantile(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))] if values else 0.0


def _cpu_of(pid: int | None) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# -- main ------------------------------------------------------------------------------------


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


async def run(args: argparse.Namespace) -> dict[str, Any]:
    suffix = uuid.uuid4().hex[:8]
    name = f"bench_reports_{suffix}"
    url = await infra.create_migrated_database(name, ALEMBIC_INI)
    bench = Bench(url, f"bench{suffix}.")
    stream = Stream(args.settlement_every, args.settlement_lines)
    result: dict[str, Any] = {"load_at_start": _load()}
    try:
        await bench.start()
        await bench.warm_up(stream, args.warmup)
        print(f"warm-up done (load {_load()})", flush=True)
        result["throughput"] = t = await bench.throughput(stream, args.events)
        print(
            f"consumer {t['consumer_rate']:7.0f} events/s ({t['events']} in "
            f"{t['consumer_seconds']:.1f} s; CPU/event {t['consumer_cpu_us_per_event']:.0f} µs, "
            f"PostgreSQL {t['postgres_cpu_us_per_event']:.0f} µs) | "
            f"ack-only {t['baseline_rate']:7.0f} events/s "
            f"({t['baseline_cpu_us_per_event']:.0f} µs CPU/event) | ratio {t['ratio']:.3f} "
            f"(load {_load()})",
            flush=True,
        )
        if args.seconds > 0:
            result["lag"] = lag = await bench.lag(stream, args.rate, args.seconds)
            print(
                f"lag at {lag['rate_published']:.0f} events/s for {lag['publish_seconds']:.0f} s "
                f"({lag['published']} events): p50 {lag['lag_p50']:.2f} s, p99 "
                f"{lag['lag_p99']:.2f} s, max {lag['lag_max']:.2f} s; projection-lag metric max "
                f"{lag['metric_max']:.2f} s; drained {lag['drain_seconds_after_publishing']:.1f} s "
                f"after publishing (load {_load()})",
                flush=True,
            )
    finally:
        await bench.close()
        await infra.drop_database(name)
    result["load_at_end"] = _load()
    return result


def _publisher_note(lag: dict[str, Any]) -> str:
    if lag["publisher_error"]:
        return str(lag["publisher_error"])
    if lag["rate_published"] < 0.95 * lag["rate_asked"]:
        return (
            f"managed {lag['rate_published']:,.0f} of the {lag['rate_asked']:,.0f} events/s asked"
        )
    return "kept the rate"


def _save(args: argparse.Namespace, result: dict[str, Any]) -> None:
    now = datetime.now(UTC)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    command = (
        f"uv run --no-sync python bench/reports_projection.py --events {args.events} "
        f"--rate {args.rate:g} --seconds {args.seconds:g} --settlement-every "
        f"{args.settlement_every} --settlement-lines {args.settlement_lines}"
    )
    run = {"command": command, "at": now.isoformat(timespec="seconds"), "commit": commit,
           "nproc": os.cpu_count(), **result}  # fmt: skip
    path = BENCH_DIR / "results" / f"reports_projection-{now:%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(run, indent=2) + "\n")
    t, lag = result["throughput"], result["lag"]
    met_rate = "met" if t["consumer_rate"] >= AIM_RATE else "missed"
    met_lag = "met" if lag["lag_max"] < AIM_LAG_SECONDS else "missed"
    md = f"""
## reports projection: consumer throughput and lag, {now:%Y-%m-%d %H:%M} UTC

`{command}` — commit {commit}, nproc {run["nproc"]}, load average
{" / ".join(map(str, result["load_at_start"]))} at the start and
{" / ".join(map(str, result["load_at_end"]))} at the end.

| figure | value |
| --- | ---: |
| reports consumer, {t["events"]:,} events ready | {t["consumer_rate"]:,.0f} events/s |
| CPU per event: consumer process / its PostgreSQL backends | {t["consumer_cpu_us_per_event"]:.0f} / {t["postgres_cpu_us_per_event"]:.0f} µs |
| ack-only consumer, same bodies, same queue shape | {t["baseline_rate"]:,.0f} events/s ({t["baseline_cpu_us_per_event"]:.0f} µs CPU/event) |
| ratio | {t["ratio"]:.3f} |
| lag at {lag["rate_published"]:,.0f} events/s for {lag["publish_seconds"]:.0f} s ({lag["published"]:,} events): p50 / p99 / max | {lag["lag_p50"]:.2f} / {lag["lag_p99"]:.2f} / {lag["lag_max"]:.2f} s |
| projection-lag metric, sampled every 0.5 s: max | {lag["metric_max"]:.2f} s |
| drained after publishing stopped | {lag["drain_seconds_after_publishing"]:.1f} s |
| publisher | {_publisher_note(lag)} |

Aims: ≥ {AIM_RATE:,.0f} events/s applied ({met_rate} in the backlog figure); lag under
{AIM_LAG_SECONDS:g} s at 2,000 events/s sustained ({met_lag}, by the maximum). Events:
{", ".join(f"{k} {v:,}" for k, v in t["kinds"].items())}.
"""  # noqa: E501
    with (BENCH_DIR / "RESULTS.md").open("a", encoding="utf-8") as f:
        f.write(md)
    print(f"wrote {path.relative_to(REPO)} and a section of bench/RESULTS.md")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=20_000, help="the backlog figure's events")
    parser.add_argument("--rate", type=float, default=2000.0, help="events/s for the lag figure")
    parser.add_argument(
        "--seconds", type=float, default=30.0, help="how long to publish (0: no lag figure)"
    )
    parser.add_argument("--warmup", type=int, default=2000)
    parser.add_argument("--settlement-every", type=int, default=10_000, help="events")
    parser.add_argument("--settlement-lines", type=int, default=200)
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args()
    if args.seconds <= 0 and not args.no_save:
        parser.error("--seconds 0 (no lag figure) is a quick look: add --no-save")
    print(f"load average {_load()} on {os.cpu_count()} CPUs", flush=True)
    result = asyncio.run(run(args))
    if not args.no_save:
        _save(args, result)


if __name__ == "__main__":
    main()
