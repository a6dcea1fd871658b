"""A timeline of the pipeline while ``bench/pipeline.py --watch S`` runs: every S seconds,
where the events are and which process spends the CPU.

Each sample holds, from the upload's first byte:

- the backlogs: the cases outbox's unsent rows, the ``ledger.events`` and
  ``reports.events`` queues' ready messages (a passive declare), the ledger outbox's
  unsent rows;
- progress: the cases in ``ledger_cases``;
- the CPU share (% of one core, since the last sample) of the stack's relays, consumers,
  importer and scheduler, of every PostgreSQL process together and of the broker
  (``beam.smp``), and the 1-minute load average;
- for our processes, also the share of the time their main thread was runnable but
  waiting for a CPU (``/proc/<pid>/schedstat``): ``lcon=17/80`` is a ledger consumer that
  ran 17 % of the time and queued for a core 80 % of it, CPU-starved rather than idle.

Whichever backlog grows while the stage downstream of it is short of CPU names the pacer.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aio_pika
import asyncpg
from devstack.stack import Stack

PROCESSES = (
    "cases-importer",
    "cases-relay",
    "ledger-consumer",
    "ledger-relay",
    "reports-consumer",
    "cases-consumer",
    "cases-scheduler",
)
SHORT = {
    "cases-importer": "imp",
    "cases-relay": "crel",
    "ledger-consumer": "lcon",
    "ledger-relay": "lrel",
    "reports-consumer": "rcon",
    "cases-consumer": "ccon",
    "cases-scheduler": "sched",
    "postgres": "pg",
    "rabbitmq": "mq",
}
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_ticks(pid: int) -> int:
    """utime + stime of a process, in clock ticks (0 once it has gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def run_and_wait_ns(pid: int) -> tuple[int, int]:
    """Nanoseconds the main thread ran, and waited runnable for a CPU (schedstat)."""
    try:
        ran, waited, _ = Path(f"/proc/{pid}/schedstat").read_text().split()
    except (OSError, ValueError):
        return 0, 0
    return int(ran), int(waited)


def ticks_by_command(commands: tuple[str, ...]) -> int:
    """CPU ticks of every process whose command name is one of ``commands``."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            comm = Path(entry.path, "comm").read_text().strip()
        except OSError:
            continue
        if comm in commands:
            total += cpu_ticks(int(entry.name))
    return total


@dataclass
class Timeline:
    """Samples of one run; :meth:`start` marks the upload's first byte."""

    every: float
    samples: list[dict[str, Any]] = field(default_factory=list)
    t0: float | None = None

    def start(self) -> None:
        self.t0 = time.perf_counter()

    async def run(self, stack: Stack, stop: asyncio.Event) -> None:
        cases = await asyncpg.connect(stack.database_url("cases", driver=""))
        ledger = await asyncpg.connect(stack.database_url("ledger", driver=""))
        broker = await aio_pika.connect(stack.config.amqp_url)
        channel = await broker.channel()
        namespace = stack.config.bus_namespace
        last: dict[str, int] = {}
        last_waits: dict[str, int] = {}
        last_pids: dict[str, int | None] = {}
        last_t = time.perf_counter()
        try:
            while not stop.is_set():
                now = time.perf_counter()
                pids = {name: pid_of(stack, name) for name in PROCESSES}
                ticks = {n: cpu_ticks(p) if p else 0 for n, p in pids.items()}
                waits = {n: run_and_wait_ns(p)[1] if p else 0 for n, p in pids.items()}
                for n, p in pids.items():  # restarted (the scheduler): count from zero
                    if p != last_pids.get(n):
                        last.pop(n, None)
                        last_waits.pop(n, None)
                ticks["postgres"] = ticks_by_command(("postgres",))
                ticks["rabbitmq"] = ticks_by_command(("beam.smp",))
                wall = now - last_t
                sample: dict[str, Any] = {
                    "t": round(now - self.t0, 1) if self.t0 is not None else None,
                    "cases_outbox": await cases.fetchval(
                        "SELECT count(*) FROM outbox WHERE sent_at IS NULL"
                    ),
                    "ledger_queue": await _ready(channel, f"{namespace}ledger.events"),
                    "ledger_cases": await ledger.fetchval("SELECT count(*) FROM ledger_cases"),
                    "ledger_outbox": await ledger.fetchval(
                        "SELECT count(*) FROM outbox WHERE sent_at IS NULL"
                    ),
                    "reports_queue": await _ready(channel, f"{namespace}reports.events"),
                    "load1": round(os.getloadavg()[0], 2),
                }
                if last:
                    sample["cpu"] = {
                        SHORT[n]: round(100 * max(ticks[n] - last.get(n, 0), 0) / TICKS / wall)
                        for n in ticks
                    }
                    sample["runq"] = {
                        SHORT[n]: round(100 * max(waits[n] - last_waits.get(n, 0), 0) / 1e9 / wall)
                        for n in waits
                    }
                    self.samples.append(sample)
                    print(line(sample), file=sys.stderr, flush=True)
                last, last_waits, last_t, last_pids = ticks, waits, now, pids
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self.every)
        finally:
            await cases.close()
            await ledger.close()
            await broker.close()


def pid_of(stack: Stack, name: str) -> int | None:
    """The pid of one of the stack's processes (started by this Stack)."""
    if stack.supervisor is None:
        return None
    pid = stack.supervisor.snapshot().get(name, {}).get("pid")
    return int(pid) if isinstance(pid, int) else None


async def _ready(channel: aio_pika.abc.AbstractChannel, name: str) -> int | None:
    try:
        queue = await channel.declare_queue(name, passive=True)
    except Exception:
        return None
    return queue.declaration_result.message_count


def line(sample: dict[str, Any]) -> str:
    """One sample as a line: t, backlogs, progress, CPU % (/ % queued for a CPU)."""
    runq = sample.get("runq", {})
    cpu = " ".join(
        f"{k}={v}/{runq[k]}" if k in runq else f"{k}={v}" for k, v in sample.get("cpu", {}).items()
    )
    return (
        f"t={sample['t']} cases_outbox={sample['cases_outbox']} "
        f"ledger_q={sample['ledger_queue']} ledger_cases={sample['ledger_cases']} "
        f"ledger_outbox={sample['ledger_outbox']} reports_q={sample['reports_queue']} "
        f"load1={sample['load1']} | {cpu}"
    )
