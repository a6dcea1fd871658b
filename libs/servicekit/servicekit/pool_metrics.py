"""Database pool use of every engine in this process, read when Prometheus scrapes.

A collector rather than gauges set by hand: the pool's own counters are read at scrape
time, so the figures are never stale. Engines register once (:func:`watch_pool`); several
engines of one service (tests build many) are summed under the service's label.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator

from prometheus_client.core import REGISTRY, GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import QueuePool


class PoolCollector(Collector):
    """``db_pool_connections_in_use`` and ``db_pool_size`` per service."""

    def __init__(self) -> None:
        self._engines: weakref.WeakKeyDictionary[AsyncEngine, str] = weakref.WeakKeyDictionary()

    def watch(self, engine: AsyncEngine, service: str) -> None:
        self._engines[engine] = service

    def collect(self) -> Iterator[GaugeMetricFamily]:
        in_use = GaugeMetricFamily(
            "db_pool_connections_in_use", "Database connections checked out", labels=["service"]
        )
        size = GaugeMetricFamily(
            "db_pool_size",
            "Connections the pool keeps (its overflow may add more)",
            labels=["service"],
        )
        used: dict[str, float] = {}
        sizes: dict[str, float] = {}
        for engine, service in list(self._engines.items()):
            pool = engine.sync_engine.pool
            checked_out = pool.checkedout() if isinstance(pool, QueuePool) else 0
            used[service] = used.get(service, 0.0) + checked_out
            capacity = pool.size() if isinstance(pool, QueuePool) else 0
            sizes[service] = sizes.get(service, 0.0) + capacity
        for service in sorted(used):
            in_use.add_metric([service], used[service])
            size.add_metric([service], sizes[service])
        yield in_use
        yield size


POOLS = PoolCollector()
REGISTRY.register(POOLS)


def watch_pool(engine: AsyncEngine, service: str) -> None:
    """Report ``engine``'s pool under ``service`` from now on (while the engine lives)."""
    POOLS.watch(engine, service)
