"""The faults of the fault run: a process killed with SIGKILL (the supervisor must restart
it), the broker restarted, PostgreSQL restarted. Each returns a row for the run's table."""

from __future__ import annotations

import asyncio
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from devstack.stack import ProcessSpec, Stack
from servicekit.testing.wait import wait_for

KILLED_KINDS = ("api", "relay", "consumer", "worker")
"""Every process of ours; the simulators stand in for systems outside (not ours to kill)."""


@dataclass(frozen=True)
class Fault:
    what: str
    target: str
    seconds_to_recover: float
    detail: str = ""
    at: float = 0.0
    """Seconds into the run when it was injected."""


def our_processes(stack: Stack) -> list[ProcessSpec]:
    """Every API, relay, consumer and worker of every service, then the gateway."""
    return [p for p in stack.processes if p.kind in KILLED_KINDS]


async def all_ready(stack: Stack, seconds: float = 120.0) -> None:
    """Every process of the stack running, and every API answering ``/health/ready``."""

    async def pending() -> bool:
        waiting = [
            p.name for p in stack.processes if not await asyncio.to_thread(stack.is_ready, p)
        ]
        return not waiting

    await wait_for(pending, what="every process of the stack to be ready", seconds=seconds)


async def kill_and_await_restart(stack: Stack, spec: ProcessSpec, grace: float = 15.0) -> Fault:
    """SIGKILL to one process; the supervisor must start it again. Waits until it is ready
    again, or ``grace`` seconds after the kill once it has been restarted (the next fault
    then comes while it is still starting: the check that everything came back is
    :func:`all_ready` at the end)."""
    before = stack.restarts()[spec.name]
    started = time.monotonic()
    pid = await asyncio.to_thread(stack.crash, spec.name)
    ready_after: list[float] = []

    async def back() -> bool:
        if stack.restarts()[spec.name] <= before:
            return False
        if await asyncio.to_thread(stack.is_ready, spec):
            ready_after.append(time.monotonic() - started)
            return True
        return time.monotonic() - started > grace

    await wait_for(back, what=f"the supervisor to restart {spec.name}", seconds=90, every=0.2)
    detail = f"pid {pid}; " + (
        f"ready again in {ready_after[0]:.1f} s"
        if ready_after
        else f"restarted, not ready yet after {grace:g} s (checked at the end)"
    )
    return Fault("SIGKILL", spec.name, time.monotonic() - started, detail)


async def run_tool(*argv: str, seconds: float = 180.0) -> None:
    tool = shutil.which(argv[0])
    assert tool, f"{argv[0]} is needed for the fault run"
    process = await asyncio.create_subprocess_exec(
        tool,
        *argv[1:],
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(process.communicate(), timeout=seconds)
    assert process.returncode == 0, f"{' '.join(argv)} failed: {err.decode()}"


async def restart_broker(stack: Stack) -> Fault:
    """RabbitMQ's application stopped and started again (as the broker-restart test does);
    its quorum queues and their messages survive it."""
    started = time.monotonic()
    await run_tool("rabbitmqctl", "stop_app")
    try:
        await wait_for(
            lambda: port_closed(stack.config.amqp_url),
            what="the broker to stop listening",
            seconds=30,
        )
    finally:
        await run_tool("rabbitmqctl", "start_app")
        await run_tool("rabbitmqctl", "await_startup")
    await all_ready(stack)
    return Fault("restart", "RabbitMQ", time.monotonic() - started, "stop_app, start_app")


async def port_closed(url: str) -> bool:
    """Nothing accepts connections at the URL's host and port."""
    parts = urlsplit(url)
    try:
        _, writer = await asyncio.open_connection(parts.hostname, parts.port)
    except OSError:
        return True
    writer.close()
    await writer.wait_closed()
    return False


def postgres_version() -> str:
    versions = sorted(
        (p.name for p in Path("/etc/postgresql").iterdir() if p.name.isdigit()), key=int
    )
    assert versions, "no PostgreSQL cluster under /etc/postgresql"
    return versions[-1]


async def restart_postgres(stack: Stack) -> Fault:
    """The PostgreSQL cluster restarted (fast shutdown: every connection is cut)."""
    started = time.monotonic()
    version = postgres_version()
    await run_tool("pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart")
    await all_ready(stack)
    return Fault("restart", "PostgreSQL", time.monotonic() - started, f"cluster {version}/main")
