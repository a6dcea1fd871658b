"""The broker sweep deletes test namespaces that stayed without consumers, nothing else."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aio_pika
import pytest
from devstack import bussweep

pytestmark = pytest.mark.integration


async def _ignore(message: Any) -> None:
    """A consumer that keeps its queue busy and does nothing."""


AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"


@pytest.fixture
async def channel(infrastructure: None) -> AsyncIterator[Any]:
    connection = await aio_pika.connect(AMQP_URL)
    async with connection:
        yield await connection.channel()


async def test_an_idle_test_namespace_is_swept_and_a_consumed_one_kept(
    channel: Any, tmp_path: Path
) -> None:
    run = uuid.uuid4().hex[:8]
    idle = f"t{run}sweepidle.orders"
    busy = f"t{run}sweepbusy.orders"
    service = f"sweep{run}.orders"  # not a test namespace: never touched
    for name in (idle, busy, service):
        await channel.declare_queue(name, auto_delete=False)
    await (await channel.get_queue(busy)).consume(_ignore)
    marks = tmp_path / "marks.json"
    try:
        # only this test's namespaces: the sweep with no wait would delete the idle ones of
        # tests running beside it (pytest-xdist), which are not left-overs
        await asyncio.to_thread(bussweep.mark, marks, f"t{run}")
        await asyncio.to_thread(bussweep.sweep, marks, 0, f"t{run}")
        remaining = {row[0] for row in bussweep._rabbitmqctl("list_queues", "name")}
        assert idle not in remaining
        assert busy in remaining
        assert service in remaining
    finally:
        for name in (busy, service):
            await channel.queue_delete(name)


async def test_a_namespace_that_gained_a_consumer_after_the_mark_is_kept(
    channel: Any, tmp_path: Path
) -> None:
    run = uuid.uuid4().hex[:8]
    name = f"t{run}sweeplate.orders"
    queue = await channel.declare_queue(name, auto_delete=False)
    marks = tmp_path / "marks.json"
    try:
        await asyncio.to_thread(bussweep.mark, marks, f"t{run}")
        await queue.consume(_ignore)
        await asyncio.to_thread(bussweep.sweep, marks, 0, f"t{run}")
        assert name in {row[0] for row in bussweep._rabbitmqctl("list_queues", "name")}
    finally:
        await channel.queue_delete(name)
