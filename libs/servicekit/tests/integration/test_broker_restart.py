"""The broker restarts in the middle of a stream of 10,000 events: 0 lost, 0 applied twice."""

from __future__ import annotations

import asyncio
import shutil

import pytest
from servicekit.testing.wait import wait_for

from .harness import Kit

pytestmark = [pytest.mark.integration, pytest.mark.disruptive]

EVENTS = 10_000


async def rabbitmqctl(*args: str) -> None:
    tool = shutil.which("rabbitmqctl")
    assert tool, "rabbitmqctl is needed to restart the broker (Debian package rabbitmq-server)"
    process = await asyncio.create_subprocess_exec(
        tool, *args, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
    )
    _, err = await process.communicate()
    assert process.returncode == 0, f"rabbitmqctl {' '.join(args)} failed: {err.decode()}"


async def test_broker_restart_mid_stream_loses_and_duplicates_nothing(kit_factory) -> None:
    kit: Kit = await kit_factory().start()
    kit.run_consumer()
    kit.run_relay()
    before = EVENTS // 2
    writer = asyncio.create_task(kit.emit(before, per_transaction=100))

    async def some_applied() -> bool:
        return (await kit.effect_counts())[0] >= 1_500

    await wait_for(some_applied, seconds=120, what="the stream to be under way")
    await rabbitmqctl("stop_app")
    try:
        await writer  # producers keep committing while the broker is away
        # and the second half is committed while it is certainly away: a fast machine
        # would otherwise publish the whole stream before ``stop_app`` has taken effect
        await kit.emit(EVENTS - before, start=before, per_transaction=100)
        applied_during_stop = (await kit.effect_counts())[0]
    finally:
        await rabbitmqctl("start_app")
        await rabbitmqctl("await_startup")
    assert applied_during_stop <= before, "events were applied while the broker was stopped"

    async def all_applied() -> bool:
        applied = (await kit.effect_counts())[0]
        unsent = await kit.scalar("SELECT count(*) FROM outbox WHERE sent_at IS NULL")
        progress.append((applied, unsent))
        return applied >= EVENTS and unsent == 0

    progress: list[tuple[int, int]] = []

    try:
        await wait_for(
            all_applied,
            seconds=240,
            what=f"{EVENTS} effects after the restart",
            every=0.5,
            alive=kit.check_alive,
        )
    except AssertionError as exc:
        queued = await kit.queue_depth()
        raise AssertionError(
            f"{exc}; (applied, unsent) every 10 s: {progress[::20]}, ready in queue: {queued}"
        ) from None
    assert await kit.effect_counts() == (EVENTS, EVENTS)
    assert await kit.scalar("SELECT count(*) FROM inbox") == EVENTS
    assert await kit.dead_letter_count() == 0
