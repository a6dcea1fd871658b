"""The test stack's Prometheus: it scrapes every process for real, and an alert fires and
clears on the real metrics (issue 15 §1, §3).

The stack runs Prometheus from the same config template and rule files as ``make up``
(deploy/observability), scraping every 5 seconds. The alert test adds, beside the real
rules, the real ``ProcessDown`` rule with ``for: 0s`` (the real one waits a minute), kills
a worker and waits for the alert in Prometheus's ``/api/v1/alerts``, then starts the
worker again and waits for it to clear.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from devstack.stack import POSTGRES_EXPORTER, PROMETHEUS, Stack, scrape_targets
from servicekit.testing.wait import wait_for

pytestmark = pytest.mark.e2e

RULES = Path(__file__).resolve().parents[2] / "deploy" / "observability" / "rules"
VICTIM = "credit-reconciler"
"""A worker nothing else in the run waits on while it is down for a few seconds."""


@pytest.fixture
async def prometheus(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    assert any(p.name == PROMETHEUS for p in stack.processes), (
        "the test stack runs no Prometheus: deploy/local/install.sh --observability"
    )
    async with httpx.AsyncClient(base_url=stack.prometheus_url, timeout=10) as client:
        yield client


async def _targets(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    answer = (await client.get("/api/v1/targets", params={"state": "active"})).json()
    targets: list[dict[str, Any]] = answer["data"]["activeTargets"]
    return targets


async def test_prometheus_scrapes_every_process_the_broker_and_the_database(
    stack: Stack, prometheus: httpx.AsyncClient
) -> None:
    expected = {t.process for t in scrape_targets(stack.processes)}
    expected |= {PROMETHEUS, POSTGRES_EXPORTER, "rabbitmq"}
    assert {"cases-api", "cases-relay", "cases-consumer", "cases-scheduler", "gateway"} <= expected

    async def all_up() -> dict[str, str] | None:
        health = {t["labels"]["process"]: t["health"] for t in await _targets(prometheus)}
        if set(health) == expected and all(h == "up" for h in health.values()):
            return health
        return None

    try:
        await wait_for(all_up, what="every target scraped (health up)", seconds=60, every=0.5)
    except AssertionError:
        down = {
            t["labels"]["process"]: t.get("lastError") or t["health"]
            for t in await _targets(prometheus)
            if t["health"] != "up"
        }
        missing = expected - {t["labels"]["process"] for t in await _targets(prometheus)}
        raise AssertionError(f"not up: {down}; not scraped: {sorted(missing)}") from None

    # what each kind of process exposes reaches Prometheus (the query API, as ops pages use)
    async def series(query: str) -> list[dict[str, Any]] | None:
        answer = (await prometheus.get("/api/v1/query", params={"query": query})).json()
        result: list[dict[str, Any]] = answer["data"]["result"]
        return result or None

    for query in (
        'up{job="rabbitmq"} == 1',
        "pg_up == 1",
        'outbox_backlog{service="cases"}',
        'service_ready{service="ledger"} == 1',
        'db_pool_size{job="cases", process="cases-consumer"}',
        'worker_last_run_timestamp_seconds{service="cases", worker="scheduler"}',
        'http_requests_total{service="gateway"}',
    ):
        await wait_for(lambda q=query: series(q), what=query, seconds=30, every=0.5)


async def test_an_alert_fires_when_a_process_is_down_and_clears_when_it_is_back(
    stack: Stack, prometheus: httpx.AsyncClient
) -> None:
    (rule,) = [
        r
        for group in yaml.safe_load((RULES / "alerts.yml").read_text())["groups"]
        for r in group["rules"]
        if r.get("alert") == "ProcessDown"
    ]
    quick = {**rule, "alert": "ProcessDownNow", "for": "0s"}
    rule_file = stack.config.prometheus_layout.extra_rules_dir / "e2e.yml"
    rule_file.write_text(yaml.safe_dump({"groups": [{"name": "e2e", "rules": [quick]}]}))

    async def loaded() -> bool:
        await prometheus.post("/-/reload")
        answer = (await prometheus.get("/api/v1/rules", params={"type": "alert"})).json()
        names = {r["name"] for g in answer["data"]["groups"] for r in g["rules"]}
        return "ProcessDownNow" in names

    async def alert_state() -> str | None:
        answer = (await prometheus.get("/api/v1/alerts")).json()
        for alert in answer["data"]["alerts"]:
            labels = alert["labels"]
            if labels["alertname"] == "ProcessDownNow" and labels.get("process") == VICTIM:
                return str(alert["state"])
        return None

    try:
        await wait_for(loaded, what="the quick rule loaded", seconds=30, every=0.5)
        await wait_for(
            lambda: _up(prometheus, VICTIM, 1), what=f"{VICTIM} scraped", seconds=30, every=0.5
        )
        assert await alert_state() is None

        stack.kill(VICTIM)
        firing = await wait_for(
            lambda: _firing(alert_state), what="ProcessDownNow firing", seconds=60, every=0.5
        )
        assert firing == "firing"

        stack.start_process(VICTIM)
        await wait_for(
            lambda: _up(prometheus, VICTIM, 1), what=f"{VICTIM} back", seconds=90, every=0.5
        )
        await wait_for(
            lambda: _cleared(alert_state), what="ProcessDownNow cleared", seconds=30, every=0.5
        )
    finally:
        if not stack.is_ready(stack.process(VICTIM)):
            stack.start_process(VICTIM)
        rule_file.unlink(missing_ok=True)
        await prometheus.post("/-/reload")


async def _up(client: httpx.AsyncClient, process: str, value: int) -> bool:
    query = f'up{{process="{process}"}}'
    answer = (await client.get("/api/v1/query", params={"query": query})).json()
    result = answer["data"]["result"]
    return bool(result) and float(result[0]["value"][1]) == value


async def _firing(state: Any) -> str | None:
    current = await state()
    return current if current == "firing" else None


async def _cleared(state: Any) -> bool:
    return await state() is None
