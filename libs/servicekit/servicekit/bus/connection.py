"""Robust broker connections: they reconnect and restore channels, queues and consumers."""

from __future__ import annotations

import aio_pika
from aio_pika.abc import AbstractRobustConnection


async def connect(url: str, *, name: str) -> AbstractRobustConnection:
    """A robust connection named after the process (visible in the broker's UI)."""
    return await aio_pika.connect_robust(
        url, client_properties={"connection_name": name}, reconnect_interval=1.0
    )
