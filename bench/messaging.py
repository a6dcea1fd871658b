"""Messaging throughput of servicekit against the real PostgreSQL and RabbitMQ.

    uv run python bench/messaging.py [--events 20000] [--rounds 3]
                                     [--handler values|params|batch|none]
                                     [--tracing] [--settle 30] [--no-save]
    uv run --with pyinstrument python bench/messaging.py --profile relay   # or consumer

See bench/README.md for what each figure means and how it is measured.

Four timed figures, each next to a bare aio-pika baseline measured in the same process,
on the same broker, against the same kind of quorum queue:

- ``relay``: ``OutboxRelay.relay_once()`` in a loop until the outbox (pre-filled with N
  events through ``UnitOfWork``, untimed) is empty: claim, publish persistent with
  confirms, mark sent, commit.
- ``publish baseline``: the same N bodies published persistent with publisher confirms,
  ``asyncio.gather`` in batches of 500, no database.
- ``consumer``: servicekit's ``Consumer`` (envelope parsing, inbox claim, one INSERT into
  an effects table per event, batch commit, ack) until all N effects are committed
  (the consumer's queue holds the N events the relay figure published).
- ``consume baseline``: ``queue.consume`` with the same prefetch, ack only.

Everything lives in a scratch database and a unique bus namespace, removed at the end.
A warm-up round (``--warmup`` events through every path) runs first and is not recorded;
figures are medians over ``--rounds`` rounds, with CPU time per event for this process,
our PostgreSQL backends, the broker and the rest of the machine.
Results: a table on stdout, JSON in ``bench/results/messaging-<date>.json`` and a summary
appended to ``bench/RESULTS.md`` (``--no-save`` skips both).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage, AbstractRobustConnection
from contracts import Envelope, EventData
from servicekit.bus import topology as bus_topology
from servicekit.bus.connection import connect
from servicekit.bus.consumer import BatchHandler, Consumer, Handler
from servicekit.bus.topology import QueueSpec, Topology
from servicekit.db import make_engine, make_metadata, make_session_factory
from servicekit.inbox import inbox_table
from servicekit.outbox import outbox_table
from servicekit.relay import OutboxRelay
from servicekit.testing import infra
from servicekit.uow import UnitOfWork
from sqlalchemy import BigInteger, Column, Integer, Table, Uuid, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent

AIMS = {"relay": 3000.0, "consumer": 2000.0}
"""Events/s the issue asks for on the 2-core development machine."""

PUBLISH_BATCH = 500  # outbox write transactions, relay batch and baseline gather batch
PREFETCH = 256  # Consumer default, used for the baseline consumer too
CONSUMER_BATCH = 128  # Consumer default
POLL_SECONDS = 0.02  # how often the consumer figure polls the effects count

metadata = make_metadata()
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
effects = Table(
    "effects",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("event_id", Uuid, nullable=False),
    Column("seq", Integer, nullable=False),
)


class BenchThingHappened(EventData):
    """The benchmark's event: thing number ``seq`` happened."""

    event_type = "bench.thing.happened"
    seq: int
    note: str = ""


_INSERT_EFFECT = insert(effects)

SK_KEY = BenchThingHappened.routing_key()
BASE_KEY = "bench.baseline.v1"  # bound to the baseline queue only


@dataclass
class Measurement:
    """One timed section: wall seconds and the CPU seconds spent by each party."""

    seconds: float
    cpu_bench: float  # this process (servicekit or the bare aio-pika code, and the driver)
    cpu_postgres: float  # the PostgreSQL backends of this benchmark's connections
    cpu_rabbitmq: float  # the broker's whole VM (shared with anything else on it)
    cpu_rest: float  # all other CPU time of the machine: PostgreSQL's own processes
    # (WAL writer, checkpointer), the kernel, and whatever else runs (other users' work)


@dataclass
class Figure:
    name: str
    events: int
    seconds: float
    cpu_us_per_event: dict[str, float]
    baseline: str | None = None
    ratio: float | None = None  # median over the rounds of (this rate / baseline rate)
    rate_range: tuple[float, float] = (0.0, 0.0)  # slowest and fastest round, events/s

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else float("inf")


def _proc_cpu(pid: int) -> float:
    """utime + stime of a process in seconds (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _machine_busy() -> float:
    """CPU seconds the whole machine has been busy (all CPUs; idle and iowait excluded)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


async def settle(max_wait: float, quiet_cpus: float = 0.3) -> tuple[float, float]:
    """Wait (up to ``max_wait`` s) until the machine is quiet: under ``quiet_cpus`` CPUs busy
    over one second. Returns (seconds waited, CPUs busy in the last second)."""
    t0 = time.monotonic()
    while True:
        before = _machine_busy()
        await asyncio.sleep(1.0)
        busy = _machine_busy() - before
        waited = time.monotonic() - t0
        if busy < quiet_cpus or waited >= max_wait:
            return round(waited, 1), round(busy, 2)


def _pids_named(comm: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if (entry / "comm").read_text().strip() == comm:
                    pids.append(int(entry.name))
    return pids


@dataclass
class Bench:
    """A scratch service: database with outbox/inbox/effects, a namespace on the broker."""

    url: str
    namespace: str
    tracing: bool = False
    handler_kind: str = "values"
    pack_size: int = 1
    service: str = field(default_factory=lambda: f"bench{uuid.uuid4().hex[:6]}")
    engine: AsyncEngine = field(init=False)
    connection: AbstractRobustConnection = field(init=False)
    topology: Topology = field(init=False)
    spec: QueueSpec = field(init=False)
    base_spec: QueueSpec = field(init=False)

    async def start(self) -> None:
        self.engine = make_engine(self.url, application_name=self.service)
        if self.tracing:
            from servicekit.telemetry import instrument_sqlalchemy

            instrument_sqlalchemy(self.engine)
        async with self.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        self.spec = QueueSpec("bench.events", (SK_KEY,))
        self.base_spec = QueueSpec("bench.baseline", (BASE_KEY,))
        self.topology = Topology(self.namespace, (self.spec, self.base_spec))
        self.connection = await connect(infra.AMQP_URL, name=self.service)
        async with self.connection.channel() as channel:
            await bus_topology.declare(channel, self.topology)

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            async with self.connection.channel() as channel:
                await bus_topology.delete(channel, self.topology)
        with contextlib.suppress(Exception):
            await self.connection.close()
        with contextlib.suppress(Exception):
            await self.engine.dispose()

    # -- helpers -------------------------------------------------------------------------

    async def scalar(self, sql: str) -> Any:
        async with self.engine.connect() as conn:
            return (await conn.execute(text(sql))).scalar_one()

    async def vacuum(self) -> None:
        """Settle the tables before a timed section (no autovacuum in the middle of it)."""
        async with self.engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("VACUUM ANALYZE outbox, inbox, effects"))

    async def queue_depth(self, spec: QueueSpec) -> int:
        async with self.connection.channel() as channel:
            q = await channel.declare_queue(self.topology.queue_name(spec), passive=True)
            return int(q.declaration_result.message_count or 0)

    async def wait_queue_depth(self, spec: QueueSpec, n: int) -> None:
        """Wait (up to a minute) until the broker reports N messages ready."""
        deadline = time.monotonic() + 60
        while (depth := await self.queue_depth(spec)) != n:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{spec.name}: {depth} messages ready, expected {n}")
            await asyncio.sleep(0.1)

    def messages_for(self, n: int) -> int:
        """Messages the relay publishes for N events: relay batches of PUBLISH_BATCH, each
        in packs of ``pack_size`` (one key, one trace context)."""
        sizes = [min(PUBLISH_BATCH, n - first) for first in range(0, n, PUBLISH_BATCH)]
        return sum(-(-size // self.pack_size) for size in sizes)

    async def effect_count(self) -> int:
        """Events applied so far: rows in ``effects`` (in ``inbox`` for the no-op handler)."""
        table = inbox if self.handler_kind == "none" else effects
        async with self.engine.connect() as conn:
            return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())

    async def cpu_snapshot(self) -> dict[str, float]:
        """CPU seconds so far of this process, our PostgreSQL backends and the broker.

        Backends are found by ``application_name``; one that exits inside a section
        takes its CPU time with it (the pool keeps its connections, so this is rare).
        """
        async with self.engine.connect() as conn:
            pids = (
                await conn.execute(
                    text("SELECT pid FROM pg_stat_activity WHERE application_name = :name"),
                    {"name": self.service},
                )
            ).scalars()
            backends = {int(pid): _proc_cpu(int(pid)) for pid in pids}
        return {
            "bench": time.process_time(),
            **{f"pg:{pid}": cpu for pid, cpu in backends.items()},
            "rabbitmq": sum(_proc_cpu(pid) for pid in _pids_named("beam.smp")),
            "machine": _machine_busy(),
        }

    async def measure(self, fn: Callable[[], Awaitable[float]]) -> Measurement:
        before = await self.cpu_snapshot()
        seconds = await fn()
        after = await self.cpu_snapshot()
        pg = sum(v - before.get(k, 0.0) for k, v in after.items() if k.startswith("pg:"))
        bench = after["bench"] - before["bench"]
        mq = after["rabbitmq"] - before["rabbitmq"]
        return Measurement(
            seconds=seconds,
            cpu_bench=bench,
            cpu_postgres=pg,
            cpu_rabbitmq=mq,
            cpu_rest=max(0.0, after["machine"] - before["machine"] - bench - pg - mq),
        )

    # -- untimed preparation ---------------------------------------------------------------

    async def fill_outbox(self, n: int, start: int) -> None:
        """N events into the outbox through servicekit's UnitOfWork, 500 per transaction."""
        factory = make_session_factory(self.engine)
        note = "x" * 200  # a payload of a realistic size (~450 bytes per envelope)
        for first in range(start, start + n, PUBLISH_BATCH):
            async with UnitOfWork(factory, outbox) as uow:
                for seq in range(first, min(first + PUBLISH_BATCH, start + n)):
                    uow.emit(BenchThingHappened(seq=seq, note=note))
                await uow.commit()

    async def outbox_bodies(self) -> list[tuple[str, bytes, datetime]]:
        """The unsent outbox events (id, body, time), for the baseline publisher."""
        async with self.engine.connect() as conn:
            rows = (
                await conn.execute(
                    text(
                        "SELECT event_id, body, created_at FROM outbox "
                        "WHERE sent_at IS NULL ORDER BY id"
                    )
                )
            ).all()
        return [(str(event_id), body.encode(), created_at) for event_id, body, created_at in rows]

    # -- timed sections --------------------------------------------------------------------

    async def time_relay(self, n: int) -> float:
        relay = OutboxRelay(
            service=self.service,
            engine=self.engine,
            connection=self.connection,
            topology=self.topology,
            batch_size=PUBLISH_BATCH,
            pack_size=self.pack_size,
        )
        await relay._exchange_ready()  # channel + exchange declare, like a running relay
        published = 0
        t0 = time.perf_counter()
        while (batch := await relay.relay_once()) > 0:
            published += batch
        elapsed = time.perf_counter() - t0
        if published != n or relay.stats.failed:
            raise RuntimeError(f"relay published {published}/{n}, failed {relay.stats.failed}")
        return elapsed

    async def time_publish_baseline(self, bodies: list[tuple[str, bytes, datetime]]) -> float:
        async with self.connection.channel(publisher_confirms=True) as channel:
            exchange = await channel.get_exchange(self.topology.exchange)
            t0 = time.perf_counter()
            for first in range(0, len(bodies), PUBLISH_BATCH):
                await asyncio.gather(
                    *(
                        exchange.publish(
                            aio_pika.Message(
                                body,
                                content_type="application/json",
                                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                                message_id=event_id,
                                type=BenchThingHappened.event_type,
                                timestamp=created_at,
                            ),
                            routing_key=BASE_KEY,
                            timeout=30,
                        )
                        for event_id, body, created_at in bodies[first : first + PUBLISH_BATCH]
                    )
                )
            return time.perf_counter() - t0

    async def handler(self, session: AsyncSession, envelope: Envelope) -> None:
        """Like the test harness and most handlers: build the statement, execute it."""
        event = envelope.payload(BenchThingHappened)
        await session.execute(insert(effects).values(event_id=envelope.event_id, seq=event.seq))

    async def handler_params(self, session: AsyncSession, envelope: Envelope) -> None:
        """The same INSERT, one prebuilt statement with parameters (cheaper in SQLAlchemy)."""
        event = envelope.payload(BenchThingHappened)
        await session.execute(_INSERT_EFFECT, {"event_id": envelope.event_id, "seq": event.seq})

    async def handler_batch(self, session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
        """servicekit's BatchHandler: all new events of the batch in one multi-row INSERT."""
        await session.execute(
            _INSERT_EFFECT,
            [{"event_id": e.event_id, "seq": e.payload(BenchThingHappened).seq} for e in envelopes],
        )

    async def handler_none(self, session: AsyncSession, envelope: Envelope) -> None:
        """Reads the payload and writes nothing: what is left is servicekit's own work."""
        envelope.payload(BenchThingHappened)

    async def time_consumer(self, n: int) -> float:
        before = await self.effect_count()
        handler: Handler = {
            "params": self.handler_params,
            "none": self.handler_none,
            "batch": BatchHandler(self.handler_batch),
        }.get(self.handler_kind, self.handler)
        consumer = Consumer(
            service=self.service,
            connection=self.connection,
            topology=self.topology,
            spec=self.spec,
            handlers={SK_KEY: handler},
            session_factory=make_session_factory(self.engine),
            inbox_table=inbox,
            prefetch=PREFETCH,
            batch_size=CONSUMER_BATCH,
        )
        stop = asyncio.Event()
        t0 = time.perf_counter()
        task = asyncio.create_task(consumer.run(stop))
        deadline = t0 + 600
        try:
            while True:
                applied = await self.effect_count() - before
                if applied >= n:
                    break
                if task.done():
                    task.result()
                    raise RuntimeError("consumer stopped early")
                if time.perf_counter() > deadline:
                    raise RuntimeError(f"consumer applied {applied}/{n} in 600 s")
                await asyncio.sleep(POLL_SECONDS)
            elapsed = time.perf_counter() - t0
        finally:
            stop.set()
            await asyncio.wait_for(task, timeout=60)
        if applied != n:
            raise RuntimeError(f"consumer applied {applied} effects, expected {n}")
        return elapsed

    async def time_consume_baseline(self, n: int) -> float:
        done = asyncio.Event()
        count = 0

        async def on_message(message: AbstractIncomingMessage) -> None:
            nonlocal count
            await message.ack()
            count += 1
            if count >= n:
                done.set()

        t0 = time.perf_counter()
        async with self.connection.channel() as channel:
            await channel.set_qos(prefetch_count=PREFETCH)
            queue = await channel.get_queue(self.topology.queue_name(self.base_spec))
            tag = await queue.consume(on_message)
            await asyncio.wait_for(done.wait(), timeout=600)
            elapsed = time.perf_counter() - t0
            await queue.cancel(tag)
        if count != n:
            raise RuntimeError(f"baseline consumer acked {count}, expected {n}")
        return elapsed


# -- profiling -------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def maybe_profile(enabled: bool, label: str) -> AsyncIterator[None]:
    if not enabled:
        yield
        return
    from pyinstrument import Profiler  # uv run --with pyinstrument ...

    profiler = Profiler(interval=0.0005, async_mode="enabled")
    profiler.start()
    try:
        yield
    finally:
        profiler.stop()
        out = BENCH_DIR / "results" / f"profile-{label}.html"
        out.parent.mkdir(exist_ok=True)
        out.write_text(profiler.output_html())
        print(profiler.output_text(unicode=True, color=False, show_all=False))
        print(f"profile written to {out}")


# -- one round -------------------------------------------------------------------------------


async def run_round(
    bench: Bench, n: int, start: int, *, baseline_first: bool = True, profile: str | None = None
) -> dict[str, Measurement]:
    """Prepare N events, then time the four paths.

    Each subject runs next to its baseline; which of the two goes first alternates between
    rounds, so that a drift of the broker or the machine does not favour one side.
    """
    await bench.fill_outbox(n, start)
    bodies = await bench.outbox_bodies()
    await bench.vacuum()
    results: dict[str, Measurement] = {}

    async def timed(name: str, fn: Callable[[], Awaitable[float]]) -> None:
        async with maybe_profile(profile == name, name):
            results[name] = await bench.measure(fn)

    async def pair(*sections: tuple[str, Callable[[], Awaitable[float]]]) -> None:
        for name, fn in sections if baseline_first else reversed(sections):
            await timed(name, fn)

    await pair(
        ("publish baseline", lambda: bench.time_publish_baseline(bodies)),
        ("relay", lambda: bench.time_relay(n)),
    )
    await bench.wait_queue_depth(bench.spec, bench.messages_for(n))
    await bench.wait_queue_depth(bench.base_spec, n)
    await bench.vacuum()
    await pair(
        ("consume baseline", lambda: bench.time_consume_baseline(n)),
        ("consumer", lambda: bench.time_consumer(n)),
    )
    await bench.wait_queue_depth(bench.spec, 0)
    await bench.wait_queue_depth(bench.base_spec, 0)
    return results


# -- reporting -------------------------------------------------------------------------------


def _git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "?"


async def environment(bench: Bench) -> dict[str, Any]:
    props = bench.connection.transport.connection.server_properties
    rabbit = props.get("version", "?")
    if isinstance(rabbit, bytes):
        rabbit = rabbit.decode()
    dirty = _git("status", "--porcelain", "--", "libs/servicekit/servicekit", "libs/contracts")
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": _cpu_model(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "postgresql": await bench.scalar("SHOW server_version"),
        "rabbitmq": rabbit,
        "packages": {
            p: version(p)
            for p in ("aio-pika", "aiormq", "pamqp", "sqlalchemy", "asyncpg", "pydantic")
        },
        "git_commit": _git("rev-parse", "--short", "HEAD"),
        "servicekit_uncommitted_changes": bool(dirty and dirty != "?"),
    }


FIGURES = (
    ("relay", "publish baseline"),
    ("publish baseline", None),
    ("consumer", "consume baseline"),
    ("consume baseline", None),
)


def build_figures(n: int, rounds: list[dict[str, Measurement]]) -> list[Figure]:
    """Median over the rounds of each figure's seconds and CPU."""
    figures = []
    for name, baseline in FIGURES:
        ms = [r[name] for r in rounds]

        def per_event(attr: str, ms: list[Measurement] = ms) -> float:
            return round(statistics.median(getattr(m, attr) for m in ms) / n * 1e6, 1)

        ratios = [r[baseline].seconds / r[name].seconds for r in rounds] if baseline else []
        figures.append(
            Figure(
                name,
                n,
                statistics.median(m.seconds for m in ms),
                cpu_us_per_event={
                    "bench": per_event("cpu_bench"),
                    "postgres": per_event("cpu_postgres"),
                    "rabbitmq": per_event("cpu_rabbitmq"),
                    "rest": per_event("cpu_rest"),
                },
                baseline=baseline,
                ratio=statistics.median(ratios) if ratios else None,
                rate_range=(
                    round(n / max(m.seconds for m in ms), 1),
                    round(n / min(m.seconds for m in ms), 1),
                ),
            )
        )
    return figures


def table(figures: list[Figure]) -> str:
    lines = [
        f"{'name':<17} {'events':>6} {'seconds':>7} {'events/s':>8} {'(min-max)':>11} "
        f"{'vs base':>7} {'aim':>6} | {'CPU µs/event: bench':>19} {'pg':>4} {'mq':>4} {'rest':>5}",
        "-" * 109,
    ]
    for f in figures:
        r = f.ratio
        aim = AIMS.get(f.name)
        verdict = "" if aim is None else ("met" if f.rate >= aim else "MISSED")
        cpu = f.cpu_us_per_event
        low, high = f.rate_range
        lines.append(
            f"{f.name:<17} {f.events:>6} {f.seconds:>7.2f} {f.rate:>8.0f} "
            f"{f'{low:.0f}-{high:.0f}':>11} {'' if r is None else f'{r:.2f}':>7} {verdict:>6} | "
            f"{cpu['bench']:>19.0f} {cpu['postgres']:>4.0f} {cpu['rabbitmq']:>4.0f} "
            f"{cpu['rest']:>5.0f}"
        )
    return "\n".join(lines)


def save(
    args: argparse.Namespace,
    env: dict[str, Any],
    figures: list[Figure],
    rounds: list[dict[str, Measurement]],
) -> Path:
    by_name = {f.name: f for f in figures}
    now = datetime.now(UTC)
    result = {
        "benchmark": "messaging",
        "date": now.isoformat(timespec="seconds"),
        "command": " ".join(["uv run python bench/messaging.py", *sys.argv[1:]]),
        "config": {
            "events": args.events,
            "warmup_events": args.warmup,
            "rounds": args.rounds,
            "tracing": args.tracing,
            "settle_max_wait_s": args.settle,
            "handler": args.handler,
            "pack_size": args.pack,
            "relay_batch": PUBLISH_BATCH,
            "baseline_publish_batch": PUBLISH_BATCH,
            "prefetch": PREFETCH,
            "consumer_batch": CONSUMER_BATCH,
            "effects_poll_seconds": POLL_SECONDS,
        },
        "environment": env,
        "aims_events_per_s": AIMS,
        "results": [
            {
                **asdict(f),
                "events_per_s": round(f.rate, 1),
                "ratio": None if f.ratio is None else round(f.ratio, 3),
                "aim_met": None if f.name not in AIMS else f.rate >= AIMS[f.name],
            }
            for f in figures
        ],
        "rounds": [{k: asdict(m) for k, m in r.items()} for r in rounds],
    }
    out_dir = BENCH_DIR / "results"
    out_dir.mkdir(exist_ok=True)
    path = out_dir / f"messaging-{now:%Y-%m-%d}.json"
    if path.exists():  # keep earlier runs of the same day
        path = out_dir / f"messaging-{now:%Y-%m-%d-%H%M%S}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")

    md = BENCH_DIR / "RESULTS.md"
    header = "" if md.exists() else "# Benchmark results\n\nNewest last. See README.md.\n"
    relay, consumer = by_name["relay"], by_name["consumer"]
    summary = (
        f"\n## messaging, {now:%Y-%m-%d %H:%M} UTC\n\n"
        f"`{result['command']}` — N = {args.events} events per figure, "
        f"{args.warmup} warm-up, median of {args.rounds} round(s), "
        f"tracing {'on (SDK provider, SQLAlchemy instrumented)' if args.tracing else 'off'}, "
        f"consumer handler '{args.handler}', relay pack size {args.pack}.\n"
        f"Machine: nproc {env['nproc']} ({env['cpu']}), {env['memory_gb']} GB, "
        f"load average at start {env['loadavg_at_start']}, at end {env['loadavg_at_end']}; "
        f"Python {env['python']}, "
        f"PostgreSQL {env['postgresql']}, RabbitMQ {env['rabbitmq']}, "
        + ", ".join(f"{k} {v}" for k, v in env["packages"].items())
        + f"; commit {env['git_commit']}"
        + (" + uncommitted servicekit changes" if env["servicekit_uncommitted_changes"] else "")
        + ".\n\n```\n"
        + table(figures)
        + "\n```\n\n"
        f"Relay {relay.rate:.0f} events/s (aim {AIMS['relay']:.0f}: "
        f"{'met' if relay.rate >= AIMS['relay'] else 'missed'}), "
        f"consumer {consumer.rate:.0f} events/s (aim {AIMS['consumer']:.0f}: "
        + (
            "not applicable, the handler writes nothing"
            if args.handler == "none"
            else "met"
            if consumer.rate >= AIMS["consumer"]
            else "missed"
        )
        + "). JSON: "
        f"`{path.relative_to(REPO)}`.\n"
    )
    with md.open("a") as fh:
        fh.write(header + summary)
    return path


# -- main ------------------------------------------------------------------------------------


async def main(args: argparse.Namespace) -> None:
    infra.check_infrastructure()
    if args.tracing:
        from servicekit.telemetry import setup_tracing

        setup_tracing("bench")  # spans are created as in a service, but not exported
    tag = uuid.uuid4().hex[:8]
    db_name = f"bench_{tag}"
    url = await infra.create_database(db_name)
    bench = Bench(
        url=url,
        namespace=f"bench{tag}.",
        tracing=args.tracing,
        handler_kind=args.handler,
        pack_size=args.pack,
    )
    try:
        await bench.start()
        env = await environment(bench)
        print(
            f"messaging bench: N={args.events}, warm-up {args.warmup}, rounds {args.rounds}, "
            f"nproc {env['nproc']}, db {db_name}, namespace {bench.namespace}",
            flush=True,
        )
        if os.getloadavg()[0] > env["nproc"] / 2:
            print(
                f"warning: load average {os.getloadavg()[0]:.1f} on {env['nproc']} CPUs; other "
                "work competes with the benchmark (the CPU µs/event columns are less affected)",
                flush=True,
            )
        seq = 0
        if args.warmup:
            await run_round(bench, args.warmup, seq)
            seq += args.warmup
        rounds = []
        for i in range(args.rounds):
            if args.settle:
                waited, busy = await settle(args.settle)
                env.setdefault("settle_per_round", []).append(
                    {"waited_s": waited, "cpus_busy_before_round": busy}
                )
                print(f"round {i + 1}: waited {waited} s for quiet, {busy} CPUs busy", flush=True)
            measured = await run_round(
                bench, args.events, seq, baseline_first=i % 2 == 0, profile=args.profile
            )
            seq += args.events
            rounds.append(measured)
            print(
                f"round {i + 1} (load {os.getloadavg()[0]:.1f}): "
                + ", ".join(f"{k} {args.events / m.seconds:.0f}/s" for k, m in measured.items()),
                flush=True,
            )
        env["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
        figures = build_figures(args.events, rounds)
        print()
        print(table(figures))
        if not args.no_save and not args.profile:
            path = save(args, env, figures, rounds)
            print(f"\nresults: {path.relative_to(REPO)}, summary appended to bench/RESULTS.md")
    finally:
        await bench.close()
        await infra.drop_database(db_name)


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--events", type=int, default=20000, help="events per figure (N)")
    p.add_argument("--warmup", type=int, default=1000, help="events of the unrecorded warm-up")
    p.add_argument("--rounds", type=int, default=3, help="timed rounds; figures are medians")
    p.add_argument(
        "--tracing",
        action="store_true",
        help="install the OpenTelemetry SDK provider and instrument SQLAlchemy, as a service does",
    )
    p.add_argument(
        "--handler",
        choices=("values", "params", "batch", "none"),
        default="values",
        help="the consumer's handler: 'values' builds insert(effects).values(...) per event\n"
        "(like the test harness), 'params' executes one prebuilt insert with parameters,\n"
        "'batch' is a servicekit BatchHandler writing the batch in one INSERT,\n"
        "'none' writes nothing (servicekit's own cost: envelope, inbox claim, commit, ack)",
    )
    p.add_argument(
        "--pack",
        type=int,
        default=1,
        help="the relay's pack size (ADR 0070): events of one key per AMQP message;\n"
        "1 (default) publishes one message per event, as the baselines do",
    )
    p.add_argument(
        "--profile",
        choices=("relay", "publish baseline", "consumer", "consume baseline"),
        help="profile one timed section with pyinstrument (implies --no-save)",
    )
    p.add_argument(
        "--settle",
        type=float,
        default=30,
        help="before each round wait up to this many seconds for the machine to be quiet\n"
        "(under 0.3 CPUs busy over one second); 0 to start at once",
    )
    p.add_argument("--no-save", action="store_true", help="print only; write no result files")
    args = p.parse_args()
    if args.events < 1 or args.rounds < 1 or args.warmup < 0 or args.pack < 1:
        p.error("--events and --rounds must be positive, --warmup not negative")
    return args


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
