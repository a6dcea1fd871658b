"""The hot GET endpoints of every service under wrk: straight to the service, through the
gateway, through nginx ``proxy_pass``, beside a bare Starlette/asyncpg endpoint.

    uv run python bench/api_reads.py                        # every service, 10 s per run
    uv run python bench/api_reads.py --seconds 5 --services auth,cases --no-save   # a look
    uv run python bench/api_reads.py --profile cases-api    # py-spy flame graph meanwhile

A test stack of real processes (devstack's ``Stack``: the gateway and the services named
by ``--services`` with their relays, consumers and workers) on its own ports, databases
and bus namespace. Kari (a demo creditor user) registers ``--cases`` cases (untimed).
Then, per endpoint (one hot GET per service, below), ``wrk`` (Debian's package) with
``--connections`` connections for ``--seconds`` seconds, Kari's bearer token on every
request, against each target, back to back (the order rotates from endpoint to endpoint):

- ``direct``: the service's own port (it verifies the token and the session itself);
- ``gateway``: the gateway (token and session checked there too, then forwarded);
- ``nginx``: Debian's nginx (started here on a free port with a generated config, one
  worker, keep-alive to the upstream) ``proxy_pass`` to the same service port;
- ``bare`` (the case list only): ``bench/bare_reads.py``, Starlette + asyncpg running the
  same query and answering the same JSON, nothing else (no token check, no audit).

Per run: requests/s, p50 and p99 (wrk's latency distribution), non-2xx answers, and the
CPU milliseconds per request of the service API, the gateway and nginx processes (from
``/proc``). Ratios: direct ÷ bare (aim ≥ 0.5 for the case list), gateway ÷ nginx (aim
≥ 0.9, p99 within +5 ms). The machine is shared: read the ratios, and the load average
printed beside them. Results: a table on stdout, ``bench/results/api_reads-<date>.json``
and a section in ``bench/RESULTS.md`` (``--no-save`` skips both).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
sys.path.insert(0, str(REPO))

from devstack import demo_cases  # noqa: E402
from devstack.stack import Stack, StackConfig, port_free  # noqa: E402

from bench.cases_import import machine, wait_ready  # noqa: E402
from tests.chaos.traffic import a_case  # noqa: E402
from tests.e2e.identity import Login, SignedIn, sign_in  # noqa: E402

ENDPOINTS: dict[str, str] = {
    "auth": "/api/v1/auth/me",
    "cases": "/api/v1/cases?limit=50",
    "ledger": "/api/v1/ledger/payments",
    "reports": "/api/v1/reports/documents",
    "credit": "/api/v1/credit/products",
    "integrations": "/api/v1/integrations/tripletex/runs",
    "webhooks": "/api/v1/webhooks/endpoints",
}
"""One hot GET per service, as a creditor user reads it (Kari; her organisation's admin
for the two that only a creditor admin may read)."""
ADMIN_ONLY = frozenset({"integrations", "webhooks"})

TARGETS = ("direct", "gateway", "nginx", "bare")
AIM_DIRECT_VS_BARE = 0.5
AIM_GATEWAY_VS_NGINX = 0.9
AIM_GATEWAY_P99_EXTRA_MS = 5.0
WRK_LATENCY = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def free_port(start: int) -> int:
    port = start
    while not port_free(port):
        port += 1
    return port


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(p) for p in found]


def wrk(url: str, token: str, seconds: int, connections: int) -> dict[str, Any]:
    """One wrk run: requests/s, p50/p99 ms, non-2xx count."""
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-H",
            f"Authorization: Bearer {token}",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    latency = {q: float(v) * UNITS[u] for q, v, u in WRK_LATENCY.findall(out)}
    return {
        "requests_per_second": float(rate.group(1)) if rate else 0.0,
        "requests": int(total.group(1)) if total else 0,
        "p50_ms": round(latency.get("50", 0.0), 2),
        "p99_ms": round(latency.get("99", 0.0), 2),
        "non_2xx": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(0) if errors else "",
    }


NGINX_CONF = """
worker_processes 1;
error_log {dir}/error.log warn;
pid {dir}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
{upstreams}
    server {{
        listen 127.0.0.1:{port};
{locations}
    }}
}}
"""


@contextmanager
def nginx(port: int, upstreams: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    """Debian's nginx in front of ``upstreams`` (URL prefix → service base URL)."""
    work = Path(tempfile.mkdtemp(prefix="api-reads-nginx-"))
    work.chmod(0o755)  # nginx's workers run as nobody when started by root
    blocks, locations = [], []
    for i, (prefix, base) in enumerate(sorted(upstreams.items())):
        blocks.append(
            f"    upstream u{i} {{ server {base.removeprefix('http://')}; keepalive 64; }}"
        )
        locations.append(
            f"        location {prefix} {{ proxy_pass http://u{i}; proxy_http_version 1.1; "
            'proxy_set_header Connection ""; proxy_set_header Host $host; '
            "proxy_buffering on; proxy_buffers 32 16k; proxy_max_temp_file_size 0; }"
        )
    conf = work / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(
            dir=work, port=port, upstreams="\n".join(blocks), locations="\n".join(locations)
        )
    )
    process = subprocess.Popen(
        ["nginx", "-c", str(conf), "-p", str(work), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(100):
            if not port_free(port):
                break
            time.sleep(0.05)
        else:
            raise RuntimeError("nginx did not start")
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


@contextmanager
def bare(port: int, database_url: str, tenant: uuid.UUID) -> Iterator[subprocess.Popen[bytes]]:
    """``bench/bare_reads.py`` under uvicorn (one process, like a service's API)."""
    env = {
        **os.environ,
        "BARE_DATABASE_URL": database_url,
        "BARE_TENANT": str(tenant),
        "PYTHONPATH": str(REPO),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            *("-m", "uvicorn", "bench.bare_reads:app", "--host", "127.0.0.1"),
            *("--port", str(port), "--no-access-log", "--log-level", "warning"),
        ],
        env=env,
        cwd=REPO,
    )
    try:
        deadline = time.monotonic() + 30
        while port_free(port):
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("the bare endpoint did not start")
            time.sleep(0.1)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def py_spy(pid: int, name: str, seconds: int) -> Iterator[None]:
    """``py-spy record`` of ``pid`` for the run (speedscope JSON in ``var/profiles/``)."""
    results = REPO / "var" / "profiles"
    results.mkdir(parents=True, exist_ok=True)
    out = results / f"profile-{name}-{datetime.now(UTC):%Y%m%d-%H%M%S}.speedscope.json"
    spy = subprocess.Popen(
        [
            "py-spy",
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(seconds),
            "--rate",
            "200",
            "--format",
            "speedscope",
            "--output",
            str(out),
            "--nonblocking",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        spy.wait(timeout=seconds + 30)
        print(f"  profile: {out.relative_to(REPO)}", flush=True)


async def prepare(stack: Stack, args: argparse.Namespace) -> tuple[SignedIn, SignedIn, uuid.UUID]:
    """Kari and her organisation's admin signed in, her cases registered; their sessions
    and the organisation."""
    logins = {e["email"]: e for e in stack.seed_demo() or []}

    def login(email: str) -> Login:
        e = logins[email]
        return Login(e["email"], e["password"], e["totp_secret"], tuple(e["roles"]))

    client = httpx.AsyncClient(base_url=stack.url, timeout=60)
    kari = await sign_in(client, login(demo_cases.CREDITOR))
    admin = await sign_in(client, login(demo_cases.CREDITOR_ADMIN))
    me = await client.get("/api/v1/auth/me", headers=await kari.headers())
    me.raise_for_status()
    organisation = uuid.UUID(me.json()["organisation_id"])
    if "cases" in stack.config.services:
        gate = asyncio.Semaphore(8)
        run = uuid.uuid4().hex[:6]

        async def register(i: int) -> None:
            async with gate:
                response = await client.post(
                    "/api/v1/cases",
                    json=a_case(f"R-{run}-{i}"),
                    headers={**await kari.headers(), "Idempotency-Key": str(uuid.uuid4())},
                )
                assert response.status_code == 201, response.text

        await asyncio.gather(*(register(i) for i in range(args.cases)))
    return kari, admin, organisation


async def measure(stack: Stack, args: argparse.Namespace) -> dict[str, Any]:
    kari, admin, organisation = await prepare(stack, args)
    services = [s for s in args.services if s in ENDPOINTS]
    upstream_urls = {
        "/api/v1/" + ENDPOINTS[s].split("?")[0].split("/")[3]: stack.service_url(s)
        for s in services
    }
    children = stack.supervisor.children.items() if stack.supervisor else ()
    pids = {name: child.pid for name, child in children if child.pid}
    nginx_port = free_port(args.port_base)
    bare_port = free_port(nginx_port + 1)
    results: dict[str, Any] = {}
    with (
        nginx(nginx_port, upstream_urls) as nginx_process,
        bare(bare_port, stack.database_url("cases", driver=""), organisation) as bare_process,
    ):
        nginx_pids = [nginx_process.pid, *_children(nginx_process.pid)]
        for turn, service in enumerate(services):
            path = ENDPOINTS[service]
            urls = {
                "direct": stack.service_url(service) + path,
                "gateway": stack.url + path,
                "nginx": f"http://127.0.0.1:{nginx_port}{path}",
            }
            if service == "cases":
                urls["bare"] = f"http://127.0.0.1:{bare_port}/cases?limit=50"
            order = list(urls)
            order = order[turn % len(order) :] + order[: turn % len(order)]
            who = admin if service in ADMIN_ONLY else kari
            token = (await who.headers())["authorization"].split(" ", 1)[1]
            answers = {}
            async with httpx.AsyncClient(timeout=30) as probe:
                for target, url in urls.items():
                    got = await probe.get(url, headers={"authorization": f"Bearer {token}"})
                    answers[target] = got.status_code
                    if got.status_code != 200:
                        print(f"  {target} answered {got.status_code}: {got.text[:200]}")
            print(f"{service} {path}: {answers}", flush=True)
            if answers["direct"] != 200:
                results[service] = {"path": path, "status": answers["direct"]}
                continue
            for url in urls.values():  # warm-up
                await asyncio.to_thread(wrk, url, token, 2, args.connections)
            figures: dict[str, Any] = {"path": path}
            for target in order:
                token = (await who.headers())["authorization"].split(" ", 1)[1]
                watched = {
                    "api": [pids.get(f"{service}-api", 0)],
                    "gateway": [pids.get("gateway", 0)],
                    "nginx": nginx_pids,
                    "bare": [bare_process.pid],
                }
                before = {k: sum(_cpu_seconds(p) for p in v) for k, v in watched.items()}
                profile_pid = pids.get(args.profile, 0) if args.profile else 0
                profiling = (
                    py_spy(profile_pid, f"{args.profile}-{service}-{target}", args.seconds)
                    if profile_pid and target in ("direct", "gateway")
                    else None
                )
                if profiling is not None:
                    with profiling:
                        run = await asyncio.to_thread(
                            wrk, urls[target], token, args.seconds, args.connections
                        )
                else:
                    run = await asyncio.to_thread(
                        wrk, urls[target], token, args.seconds, args.connections
                    )
                count = max(run["requests"], 1)
                run["cpu_ms_per_request"] = {
                    k: round((sum(_cpu_seconds(p) for p in v) - before[k]) * 1000 / count, 2)
                    for k, v in watched.items()
                }
                run["load_average"] = [round(x, 2) for x in os.getloadavg()]
                figures[target] = run
                print(f"  {target:<8} {json.dumps(run)}", flush=True)
            results[service] = figures
    await kari.client.aclose()
    return results


def _ratio(a: float, b: float) -> float:
    return round(a / b, 2) if b else 0.0


def report(result: dict[str, Any], args: argparse.Namespace, started: datetime) -> str:
    lines = [
        f"## api reads, {started:%Y-%m-%d %H:%M} UTC",
        "",
        f"`uv run python bench/api_reads.py --seconds {args.seconds} --connections "
        f"{args.connections} --services {','.join(args.services)}` — wrk, Kari's bearer "
        f"token (her admin's for integrations and webhooks), {args.cases} cases of hers; "
        f"machine nproc {result['machine']['nproc']}, "
        f"load at start {result['load_at_start']}, at end "
        f"{result['machine']['load_average']}, commit {result['machine']['commit']}.",
        "",
        "```",
        f"{'endpoint':<38} {'target':<8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'non2xx':>6}  CPU ms/req: api gateway nginx",
    ]
    summary = []
    for service, figures in result["endpoints"].items():
        if "status" in figures:
            lines.append(f"{figures['path']:<38} answered {figures['status']}: skipped")
            continue
        for target in TARGETS:
            run = figures.get(target)
            if run is None:
                continue
            cpu = run["cpu_ms_per_request"]
            lines.append(
                f"{figures['path']:<38} {target:<8} {run['requests_per_second']:>8.0f} "
                f"{run['p50_ms']:>8} {run['p99_ms']:>8} {run['non_2xx']:>6}  "
                f"{cpu['api'] if target != 'bare' else cpu['bare']:>14} {cpu['gateway']:>7} "
                f"{cpu['nginx']:>5}"
            )
        d, g, n = figures["direct"], figures["gateway"], figures["nginx"]
        extra = round(g["p99_ms"] - n["p99_ms"], 1)
        text = (
            f"{service}: gateway/nginx {_ratio(g['requests_per_second'], n['requests_per_second'])}"
            f" (aim ≥ {AIM_GATEWAY_VS_NGINX}), gateway p99 - nginx p99 {extra} ms "
            f"(aim ≤ {AIM_GATEWAY_P99_EXTRA_MS:.0f})"
        )
        if "bare" in figures:
            ratio = _ratio(d["requests_per_second"], figures["bare"]["requests_per_second"])
            text += f", direct/bare {ratio} (aim ≥ {AIM_DIRECT_VS_BARE})"
        summary.append(text)
    lines += ["```", "", *(f"- {s}" for s in summary), ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--services", type=lambda v: tuple(v.split(",")), default=tuple(ENDPOINTS))
    parser.add_argument("--profile", default="", help="a process to record with py-spy")
    parser.add_argument("--port-base", type=int, default=39100)
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args()
    for tool in ("wrk", "nginx"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is missing: apt-get install wrk nginx-light")
    started = datetime.now(UTC)
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    run = uuid.uuid4().hex[:6]
    wanted = tuple(dict.fromkeys(("auth", "cases", *args.services)))
    config = replace(
        StackConfig.for_tests(name=f"bench-{run}", services=wanted),
        extra_env={
            "GATEWAY_RATE_LIMIT_PER_SECOND": "100000",
            "GATEWAY_RATE_LIMIT_BURST": "100000",
            "GATEWAY_AUTH_RATE_LIMIT_PER_MINUTE": "600",
            "GATEWAY_AUTH_RATE_LIMIT_BURST": "200",
        },
    )
    stack = Stack(config)
    print("starting the stack …", flush=True)
    stack.provision()
    stack.migrate()
    stack.start(autorestart=False)
    try:
        wait_ready(stack, timeout=240)
        endpoints = asyncio.run(measure(stack, args))
    except Exception:
        print(stack.log_tail(lines=60))
        raise
    finally:
        stack.teardown()
    result = {
        "endpoints": endpoints,
        "machine": machine(),
        "load_at_start": load_at_start,
        "started_at": started.isoformat(),
        "seconds": args.seconds,
        "connections": args.connections,
    }
    text = report(result, args, started)
    print(text)
    if args.no_save:
        return
    results = BENCH_DIR / "results"
    results.mkdir(exist_ok=True)
    out = results / f"api_reads-{started:%Y-%m-%d-%H%M%S}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    with (BENCH_DIR / "RESULTS.md").open("a", encoding="utf-8") as f:
        f.write("\n" + text + f"JSON: `bench/results/{out.name}`.\n")
    print(f"saved {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
