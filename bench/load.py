"""A mixed load through the gateway at rising concurrency, beside the same requests sent
straight to the services.

    uv run python bench/load.py                          # 1, 2, 4, … 64 at once, 15 s each
    uv run python bench/load.py --seconds 8 --max-concurrency 16 --no-save   # a quick look

A test stack of real processes (devstack's ``Stack``: auth and cases with their relays,
consumers and workers, and the gateway) on its own ports, databases and bus namespace.
Kari (a demo creditor user) registers ``--cases`` cases first (untimed). Then, at each
level of concurrency (1, 2, 4, … up to ``--max-concurrency``), that many virtual users,
each sending its next request as soon as the last is answered (a closed loop), run the
mix below for ``--seconds`` seconds through the gateway, and then the same mix straight
to the services' own ports (the same bearer tokens: each service checks them itself);
which of the two goes first alternates from level to level. The mix:

| weight | who | request |
| --- | --- | --- |
| 35 | creditor | ``GET /api/v1/cases?limit=20`` (the case list) |
| 25 | creditor | ``GET /api/v1/cases/{id}`` (a case) |
| 10 | creditor | ``GET /api/v1/cases/{id}/notes`` |
| 10 | creditor | ``POST /api/v1/cases`` (a case registered, with an ``Idempotency-Key``) |
| 10 | creditor | ``POST /api/v1/cases/{id}/notes`` |
| 10 | case handler | ``GET /api/v1/cases/work-queue`` (working the queue) |

Per level and path: requests per second answered, errors (anything not 2xx, or no
answer), p50 and p99 latency. The level stops rising once p99 passes 500 ms (or errors
appear) on both paths. The figure: the highest rate held with p99 < 500 ms and no error,
through the gateway and straight to the services; their ratio is the gateway's cost. The
load generator (this script, one process, httpx) runs on the same machine as the stack:
at high concurrency it takes CPU from both paths alike. Results: a table on stdout,
``bench/results/load-<date>.json`` and a section in ``bench/RESULTS.md`` (``--no-save``
skips both).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
sys.path.insert(0, str(REPO))

from devstack.stack import Stack, StackConfig  # noqa: E402

from bench.cases_import import machine, wait_ready  # noqa: E402
from tests.chaos.traffic import Session, a_case  # noqa: E402
from tests.e2e.identity import Login, sign_in  # noqa: E402

P99_LIMIT_MS = 500.0
MIX: tuple[tuple[str, int], ...] = (
    ("list cases", 35),
    ("read case", 25),
    ("read notes", 10),
    ("register case", 10),
    ("write note", 10),
    ("work queue", 10),
)
ClientFactory = Callable[[httpx.Limits], httpx.AsyncClient]
CREDITOR = "kari@nordlys.example"
CASE_HANDLER = "saksbehandler@infocenter.example"


@dataclass
class Phase:
    """One level on one path: every latency (s) and the errors."""

    path: str
    concurrency: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    by_kind: dict[str, int] = field(default_factory=dict)

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    @property
    def held(self) -> bool:
        """p99 under the limit and not one error."""
        return not self.errors and bool(self.latencies) and self.percentile(0.99) < P99_LIMIT_MS

    def summary(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "concurrency": self.concurrency,
            "seconds": round(self.seconds, 2),
            "requests": len(self.latencies),
            "rate": round(self.rate, 1),
            "p50_ms": round(self.percentile(0.50), 1),
            "p99_ms": round(self.percentile(0.99), 1),
            "errors": self.errors,
            "by_kind": self.by_kind,
            "held": self.held,
        }


class Load:
    """The mix, sent through one base URL per service (the gateway's, or the services')."""

    def __init__(self, creditor: Session, handler: Session, case_ids: list[str], run: str) -> None:
        self.creditor = creditor
        self.handler = handler
        self.case_ids = case_ids
        self.run = run
        self.counter = 0
        kinds, weights = zip(*MIX, strict=True)
        self.kinds: list[str] = list(kinds)
        self.weights: list[int] = list(weights)

    async def one(self, client: httpx.AsyncClient, kind: str) -> httpx.Response:
        case_id = random.choice(self.case_ids)
        if kind == "list cases":
            return await client.get(
                "/api/v1/cases", params={"limit": 20}, headers=await self.creditor.headers()
            )
        if kind == "read case":
            return await client.get(
                f"/api/v1/cases/{case_id}", headers=await self.creditor.headers()
            )
        if kind == "read notes":
            return await client.get(
                f"/api/v1/cases/{case_id}/notes", headers=await self.creditor.headers()
            )
        if kind == "register case":
            self.counter += 1
            return await client.post(
                "/api/v1/cases",
                json=a_case(f"{self.run}-L{self.counter}"),
                headers={**await self.creditor.headers(), "Idempotency-Key": str(uuid.uuid4())},
            )
        if kind == "write note":
            return await client.post(
                f"/api/v1/cases/{case_id}/notes",
                json={"body": "Skyldner har ringt og lovet å betale."},
                headers={**await self.creditor.headers(), "Idempotency-Key": str(uuid.uuid4())},
            )
        return await client.get(
            "/api/v1/cases/work-queue", params={"limit": 20}, headers=await self.handler.headers()
        )

    async def phase(
        self, make_client: ClientFactory, path: str, concurrency: int, seconds: float
    ) -> Phase:
        result = Phase(path, concurrency)
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with make_client(limits) as client:
            await self.one(client, "list cases")  # the connection opened, untimed
            deadline = time.perf_counter() + seconds

            async def user() -> None:
                while time.perf_counter() < deadline:
                    kind = random.choices(self.kinds, self.weights)[0]
                    started = time.perf_counter()
                    try:
                        response = await self.one(client, kind)
                        outcome = None if response.is_success else str(response.status_code)
                    except httpx.HTTPError as exc:
                        outcome = type(exc).__name__
                    if outcome is None:
                        result.latencies.append(time.perf_counter() - started)
                        result.by_kind[kind] = result.by_kind.get(kind, 0) + 1
                    else:
                        key = f"{kind}: {outcome}"
                        result.errors[key] = result.errors.get(key, 0) + 1

            began = time.perf_counter()
            await asyncio.gather(*(user() for _ in range(concurrency)))
            result.seconds = time.perf_counter() - began
        return result


class DirectClient(httpx.AsyncClient):
    """Sends ``/api/v1/<service>/…`` to that service's own port (what the gateway does)."""

    def __init__(self, services: dict[str, str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.services = services

    def build_request(self, method: str, url: Any, **kwargs: Any) -> httpx.Request:
        service = str(url).split("/")[3]
        return super().build_request(method, self.services[service] + str(url), **kwargs)


def logins(stack: Stack) -> dict[str, Login]:
    return {
        e["email"]: Login(e["email"], e["password"], e["totp_secret"], tuple(e["roles"]))
        for e in stack.seed_demo() or []
    }


async def measure(stack: Stack, args: argparse.Namespace) -> dict[str, Any]:
    people = logins(stack)
    run = uuid.uuid4().hex[:6]
    async with httpx.AsyncClient(base_url=stack.url, timeout=60) as client:
        creditor = Session(await sign_in(client, people[CREDITOR]))
        handler = Session(await sign_in(client, people[CASE_HANDLER]))
        case_ids: list[str] = []
        for n in range(args.cases):
            while True:
                response = await client.post(
                    "/api/v1/cases",
                    json=a_case(f"{run}-S{n}"),
                    headers=await creditor.headers(),
                )
                if response.status_code == 201:
                    case_ids.append(response.json()["case_id"])
                    break
                if "creditor-unknown" not in response.text:
                    raise RuntimeError(f"registration refused: {response.text}")
                await asyncio.sleep(0.5)  # the cases service has not heard of Kari yet
        load = Load(creditor, handler, case_ids, run)
        services = {s: stack.service_url(s) for s in stack.config.services}

        def through_gateway(limits: httpx.Limits) -> httpx.AsyncClient:
            return httpx.AsyncClient(base_url=stack.url, timeout=30, limits=limits)

        def straight(limits: httpx.Limits) -> httpx.AsyncClient:
            return DirectClient(services, timeout=30, limits=limits)

        phases: list[Phase] = []
        concurrency = 1
        level = 0
        while concurrency <= args.max_concurrency:
            paths = [("gateway", through_gateway), ("direct", straight)]
            if level % 2:
                paths.reverse()
            pair = [
                await load.phase(factory, name, concurrency, args.seconds)
                for name, factory in paths
            ]
            for phase in pair:
                print(
                    f"  {phase.path:8} x{phase.concurrency:<3} {phase.rate:7.1f}/s  "
                    f"p50 {phase.percentile(0.5):6.1f} ms  p99 {phase.percentile(0.99):7.1f} ms  "
                    f"errors {sum(phase.errors.values())}",
                    flush=True,
                )
            phases.extend(pair)
            if not any(p.held for p in pair):
                break
            concurrency *= 2
            level += 1
    return summarise(phases)


def summarise(phases: list[Phase]) -> dict[str, Any]:
    def best(path: str) -> dict[str, Any] | None:
        held = [p for p in phases if p.path == path and p.held]
        top = max(held, key=lambda p: p.rate, default=None)
        return top.summary() if top else None

    gateway, direct = best("gateway"), best("direct")
    ratio = round(gateway["rate"] / direct["rate"], 3) if gateway and direct else None
    return {
        "phases": [p.summary() for p in phases],
        "gateway_best": gateway,
        "direct_best": direct,
        "gateway_to_direct": ratio,
        "p99_limit_ms": P99_LIMIT_MS,
        "mix": dict(MIX),
    }


def report(result: dict[str, Any], args: argparse.Namespace, started: datetime) -> str:
    m = result["machine"]
    rows = [
        "| concurrency | path | req/s | p50 ms | p99 ms | errors | held |",
        "| ---: | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for p in result["phases"]:
        rows.append(
            f"| {p['concurrency']} | {p['path']} | {p['rate']:.1f} | {p['p50_ms']:.1f} | "
            f"{p['p99_ms']:.1f} | {sum(p['errors'].values())} | {'yes' if p['held'] else 'no'} |"
        )

    def best(entry: dict[str, Any] | None) -> str:
        if not entry:
            return "none held"
        return (
            f"{entry['rate']:.1f} req/s at {entry['concurrency']} at once "
            f"(p99 {entry['p99_ms']:.0f} ms)"
        )

    return "\n".join(
        [
            f"## load, {started:%Y-%m-%d %H:%M} UTC",
            "",
            f"`uv run python bench/load.py --seconds {args.seconds:g} --max-concurrency "
            f"{args.max_concurrency} --cases {args.cases}` — the mix of `bench/load.py` "
            "(creditor lists and reads cases and notes, registers cases, writes notes; the "
            "case handler reads the work queue) at rising concurrency, closed loop, through "
            "the gateway and straight to the services; machine nproc "
            f"{m['nproc']}, load {m['load_average']}, commit {m['commit']}; the machine was "
            "shared with other work (rates are noisy, the ratio less so).",
            "",
            *rows,
            "",
            f"Highest rate held with p99 < {P99_LIMIT_MS:.0f} ms and no error: gateway "
            f"{best(result['gateway_best'])}; straight to the services "
            f"{best(result['direct_best'])}; gateway / direct = {result['gateway_to_direct']}.",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="per level and path")
    parser.add_argument("--max-concurrency", type=int, default=64)
    parser.add_argument("--cases", type=int, default=200, help="registered first, untimed")
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args()
    started = datetime.now(UTC)
    config = replace(
        StackConfig.for_tests(name=f"load-{uuid.uuid4().hex[:6]}", services=("auth", "cases")),
        extra_env={
            "GATEWAY_AUTH_RATE_LIMIT_PER_MINUTE": "600",
            "GATEWAY_AUTH_RATE_LIMIT_BURST": "200",
            # one user sends it all: the per-client limit would measure itself
            "GATEWAY_RATE_LIMIT_PER_SECOND": "100000",
            "GATEWAY_RATE_LIMIT_BURST": "100000",
        },
    )
    stack = Stack(config)
    print("starting the stack …", flush=True)
    stack.provision()
    stack.migrate()
    stack.start(autorestart=False)
    try:
        wait_ready(stack, timeout=180)
        result = asyncio.run(measure(stack, args))
    except Exception:
        print(stack.log_tail(lines=60))
        raise
    finally:
        stack.teardown()
    result["machine"] = machine()
    result["started_at"] = started.isoformat()
    text = report(result, args, started)
    print(text)
    if args.no_save:
        return
    results = BENCH_DIR / "results"
    results.mkdir(exist_ok=True)
    out = results / f"load-{started:%Y-%m-%d-%H%M%S}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    with (BENCH_DIR / "RESULTS.md").open("a", encoding="utf-8") as f:
        f.write("\n" + text + f"JSON: `bench/results/{out.name}`.\n")
    print(f"saved {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
