"""CPU per credit order in-process: the credit API app and its client in one process.

    uv run python bench/credit_inprocess.py --orders 300 --concurrency 20
    uv run python bench/credit_inprocess.py --ab /tmp/credit_base --rounds 3

The credit API (``create_app``, its telemetry on) is called through ``httpx.ASGITransport``
(no gateway, no sockets to the API) by Kari-like creditor users buying person reports
``--concurrency`` at a time from a bureau simulator process (2 ms latency), on a scratch
database of its own. Printed per order: this process's CPU (``time.process_time()``: the
API and its test client) and the CPU of the database's PostgreSQL backends (``/proc``).

``--ab DIR`` alternates rounds of the code in ``DIR`` (a checkout of another commit's
``services/credit``, e.g. ``git archive <commit> services/credit | tar -x -C DIR``, put
first on ``PYTHONPATH``) with this tree's, each in a fresh process: an A/B on a shared
machine, where only the ratio means much.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import resource
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
PEOPLE = ["01017540072", "15038240045", "41018530021", "05063351212"]
SECRET = "bench-bureau-secret"
DATABASE = "ic_bench_credit_inprocess"


def _cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _backends(url: str) -> list[int]:
    import asyncpg

    conn = await asyncpg.connect(url.replace("+asyncpg", ""))
    try:
        rows = await conn.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            DATABASE,
        )
        return [r["pid"] for r in rows]
    finally:
        await conn.close()


async def run(args: argparse.Namespace) -> dict[str, Any]:
    import httpx
    from credit.adapters.repository import CreditorRepository
    from credit.bootstrap import bootstrap
    from credit.domain.model import Creditor
    from credit.entrypoints.api import create_app
    from credit.settings import CreditSettings
    from servicekit.roles import Roles
    from servicekit.testing.data import organisation_number
    from servicekit.testing.tokens import TestSigner

    signer = TestSigner()
    service = bootstrap(
        CreditSettings(
            environment="test",
            database_url=args.database_url,
            bus_namespace=f"benchcredit{uuid.uuid4().hex[:6]}.",
            data_keys="v1:" + base64.b64encode(os.urandom(32)).decode(),
            lookup_key=uuid.uuid4().hex,
            bureau_url=args.bureau,
            bureau_client_secret=SECRET,  # type: ignore[arg-type]
            bureau_breaker_threshold=1000,
            db_pool_size=args.concurrency + 2,
        )
    )
    service.token_verifier = signer.verifier()
    app = create_app(service)
    creditor = uuid.uuid4()
    async with service.session_factory() as session, session.begin():
        await CreditorRepository(session).upsert_registration(
            Creditor(creditor, "Bench AS", organisation_number=organisation_number())
        )
    agency = uuid.UUID("00000000-0000-4000-8000-00000000a9e1")
    admin = signer.mint(organisation_id=agency, roles=(Roles.AGENCY_ADMIN,), user_id=uuid.uuid4())
    users = [
        signer.mint(
            organisation_id=creditor,
            roles=(Roles.CREDITOR, Roles.CREDIT_ORDERER),
            user_id=uuid.uuid4(),
        )
        for _ in range(4)
    ]
    limits = httpx.Limits(max_connections=args.concurrency + 10)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", limits=limits, timeout=60
    ) as client:
        made = await client.post(
            "/api/v1/credit/price-lists",
            json={
                "creditor_id": str(creditor),
                "name": "Bench",
                "valid_from": date.today().isoformat(),
                "items": [
                    {"product_code": "PERSON_STANDARD", "unit_price_ore": 7900, "vat_code": "3"},
                    {"product_code": "COMPANY_STANDARD", "unit_price_ore": 4900, "vat_code": "3"},
                ],
            },
            headers={"Authorization": f"Bearer {admin}", "Idempotency-Key": str(uuid.uuid4())},
        )
        assert made.status_code == 201, made.text
        statuses: dict[int, int] = {}

        async def order(i: int) -> None:
            response = await client.post(
                "/api/v1/credit/orders",
                json={
                    "product_code": "PERSON_STANDARD",
                    "subject": {"kind": "person", "national_id": PEOPLE[i % len(PEOPLE)]},
                    "purpose": {
                        "code": "CASE_ASSESSMENT",
                        "text": "Vurdering av kravet i saken",
                        "case_id": f"BENCH-{i}",
                    },
                    "accepted_price_ore": 7900,
                },
                headers={
                    "Authorization": f"Bearer {users[i % len(users)]}",
                    "Idempotency-Key": str(uuid.uuid4()),
                },
            )
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        async def batch(n: int, offset: int) -> None:
            queue = iter(range(offset, offset + n))

            async def worker() -> None:
                for i in queue:
                    await order(i)

            await asyncio.gather(*(worker() for _ in range(args.concurrency)))

        await batch(args.warmup, 0)  # pools filled, statements prepared, caches warm
        pids = await _backends(args.database_url)
        pg_before = sum(_cpu(p) for p in pids)
        cpu_before, wall_before = time.process_time(), time.perf_counter()
        sys_before = resource.getrusage(resource.RUSAGE_SELF).ru_stime
        await batch(args.orders, args.warmup)
        cpu = time.process_time() - cpu_before
        system = resource.getrusage(resource.RUSAGE_SELF).ru_stime - sys_before
        wall = time.perf_counter() - wall_before
        pg = sum(_cpu(p) for p in pids) - pg_before
    await service.close()
    assert set(statuses) == {201}, statuses
    return {
        "api_ms": round(cpu * 1000 / args.orders, 2),
        "of_it_sys_ms": round(system * 1000 / args.orders, 2),
        "pg_ms": round(pg * 1000 / args.orders, 2),
        "wall_s": round(wall, 2),
        "statuses": statuses,
    }


def _bureau() -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "simulators.bureau", "--port", "0", "--latency-ms", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "BUREAU_CLIENT_SECRET": SECRET},
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    assert "ready" in line, line
    return process, line.rsplit(" ", 1)[1].strip()


async def _database() -> str:
    from servicekit.testing import infra

    await infra.drop_database(DATABASE)
    return await infra.create_migrated_database(
        DATABASE, REPO / "services" / "credit" / "alembic.ini"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=60)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--ab", type=Path, help="a checkout of the other code to alternate")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--py-spy", type=Path, help="record this tree's rounds (raw stacks)")
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--bureau", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.database_url:  # a round, in a process of its own
        print(json.dumps(asyncio.run(run(args))))
        return
    url = asyncio.run(_database())
    bureau, bureau_url = _bureau()
    try:
        sides = [("this", None)] if args.ab is None else [("other", args.ab), ("this", None)]
        results: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in sides}
        for _ in range(args.rounds):
            for name, path in sides:
                env = dict(os.environ)
                if path is not None:
                    env["PYTHONPATH"] = (
                        f"{path / 'services' / 'credit'}:{env.get('PYTHONPATH', '')}"
                    )
                spy: list[str] = []
                if args.py_spy is not None and path is None:
                    spy = ["py-spy", "record", "--format", "raw", "-r", "250"]
                    spy += ["--nonblocking", "-o", str(args.py_spy), "--"]
                out = subprocess.run(
                    [
                        *spy,
                        sys.executable,
                        __file__,
                        f"--orders={args.orders}",
                        f"--warmup={args.warmup}",
                        f"--concurrency={args.concurrency}",
                        f"--database-url={url}",
                        f"--bureau={bureau_url}",
                    ],
                    env=env,
                    capture_output=True,
                    text=True,
                    check=True,
                )
                result = json.loads(
                    next(x for x in reversed(out.stdout.splitlines()) if x[:1] == "{")
                )
                results[name].append(result)
                load = [round(x, 1) for x in os.getloadavg()]
                print(f"{name:6} {result}  load {load}", flush=True)
        for name, rounds in results.items():
            api = sorted(r["api_ms"] for r in rounds)
            pg = sorted(r["pg_ms"] for r in rounds)
            print(f"{name:6} API+client CPU ms/order {api}  PostgreSQL {pg}")
    finally:
        bureau.terminate()
        bureau.wait(timeout=10)
        asyncio.run(_drop())


async def _drop() -> None:
    from servicekit.testing import infra

    await infra.drop_database(DATABASE)


if __name__ == "__main__":
    main()
