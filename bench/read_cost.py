"""CPU per request of the cases API's case list, measured inside the serving process.

    uv run python bench/read_cost.py prepare                 # its database, 200 cases
    uv run python bench/read_cost.py serve --seconds 5       # one figure (JSON on stdout)
    uv run python bench/read_cost.py ab --old /tmp/base --rounds 4   # old and new alternated

``serve`` runs the cases app (``cases.entrypoints.api.create_app``: middleware, tracing
without export, the token check with a session cache, the read audit) under uvicorn in
this process and drives ``GET /api/v1/cases?limit=50`` with ``wrk`` (another process) as
a creditor user; the figure is this process's CPU time (``time.process_time``, every
thread) per answered request. No stack, no broker: the API's own cost, not the machine's.
``ab`` runs ``serve`` alternately on another checkout (``--old``: a directory holding
``libs/`` and ``services/``, e.g. ``git archive <commit> libs services | tar -x -C DIR``)
and on this one, and the bare endpoint (``serve --bare``: ``bench/bare_reads.py``), and
prints the medians and their ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATABASE = "bench_read_cost_cases"
PG = os.environ.get("INFOCENTER_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PATH = "/api/v1/cases?limit=50"


def _url(driver: str = "postgresql+asyncpg") -> str:
    return f"{driver}://{PG.split('://', 1)[1].rsplit('/', 1)[0]}/{DATABASE}"


def _settings(**extra: Any) -> Any:
    from cases.settings import CasesSettings
    from servicekit.crypto import Keyring

    return CasesSettings(
        environment="test",
        database_url=_url(),
        bus_namespace="bench-read-cost.",
        data_keys=Keyring.generate_spec(),
        lookup_key=uuid.uuid4().hex,
        **extra,
    )


async def prepare(cases: int) -> None:
    """A fresh migrated database, one creditor and ``cases`` registered cases."""
    from cases.adapters.orm import creditors
    from cases.bootstrap import bootstrap
    from cases.entrypoints.api import create_app
    from servicekit.roles import Roles
    from servicekit.testing.data import national_identity_number, organisation_number
    from servicekit.testing.http import asgi_client
    from servicekit.testing.infra import create_migrated_database
    from servicekit.testing.tokens import TestSigner
    from sqlalchemy import insert

    await create_migrated_database(DATABASE, ROOT / "services/cases/alembic.ini")
    service = bootstrap(_settings())
    signer = TestSigner()
    service.token_verifier = signer.verifier()
    organisation = uuid.uuid4()
    async with service.session_factory() as session:
        await session.execute(
            insert(creditors).values(
                organisation_id=organisation,
                name="Bench Kreditor AS",
                organisation_number=organisation_number(),
                active=True,
                registered_at=datetime.now(UTC),
            )
        )
        await session.commit()
    headers = signer.headers(organisation_id=organisation, roles=[Roles.CREDITOR])
    today = date.today()
    async with asgi_client(create_app(service), headers=headers) as client:
        for i in range(cases):
            body = {
                "creditor_reference": f"BENCH-{i:05d}",
                "debtor": {
                    "kind": "person",
                    "name": f"Kari Nordmann {i}",
                    "national_id": national_identity_number(),
                    "address": {"lines": ["Storgata 1"], "postal_code": "0155", "city": "Oslo"},
                },
                "claims": [
                    {
                        "invoice_number": f"F{i}",
                        "invoice_date": (today - timedelta(days=45)).isoformat(),
                        "due_date": (today - timedelta(days=31)).isoformat(),
                        "principal_ore": 100_000 + i,
                    }
                ],
            }
            response = await client.post("/api/v1/cases", json=body)
            assert response.status_code == 201, response.text
    await service.close()
    print(f"{DATABASE}: creditor {organisation}, {cases} cases")


def _wrk(url: str, token: str, seconds: float, connections: int) -> int:
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{int(seconds)}s",
            "-H",
            f"Authorization: Bearer {token}",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if bad:
        raise RuntimeError(f"{bad.group(1)} answers were not 2xx:\n{out}")
    total = re.search(r"(\d+) requests in", out)
    return int(total.group(1)) if total else 0


def _measure(url: str, token: str, seconds: float, connections: int) -> tuple[int, float, float]:
    """Requests answered under wrk, this process's CPU seconds and the wall seconds;
    with ``READ_COST_PROFILE`` set, py-spy records this process meanwhile (raw format)."""
    profile = os.environ.get("READ_COST_PROFILE")
    spy = (
        subprocess.Popen(
            [
                "py-spy",
                "record",
                "-r",
                "200",
                "-f",
                "raw",
                "-o",
                profile,
                "-p",
                str(os.getpid()),
                "-d",
                str(int(seconds)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if profile
        else None
    )
    cpu, wall = time.process_time(), time.perf_counter()
    requests = _wrk(url, token, seconds, connections)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    if spy is not None:
        spy.wait()
    return requests, cpu, wall


async def serve(seconds: float, connections: int, port: int, bare: bool = False) -> dict[str, Any]:
    """This process's CPU ms per answered case list, under wrk for ``seconds``; with
    ``bare``, of ``bench/bare_reads.py`` (the floor: Starlette + asyncpg, same SQL)."""
    import uvicorn
    from cases.adapters.orm import creditors
    from cases.bootstrap import bootstrap
    from cases.entrypoints.api import create_app
    from servicekit.roles import Roles
    from servicekit.sessions import SessionStates
    from servicekit.testing.tokens import TestSigner
    from sqlalchemy import select

    async def active(session_id: uuid.UUID) -> bool:
        return True

    service = bootstrap(_settings(log_level="WARNING"))
    signer = TestSigner()
    service.token_verifier = signer.verifier(SessionStates(active, active_ttl=5, ended_ttl=300))
    async with service.session_factory() as session:
        organisation = (await session.execute(select(creditors.c.organisation_id))).scalar_one()
    token = signer.mint(organisation_id=organisation, roles=[Roles.CREDITOR], ttl=3600)
    app: Any = create_app(service)
    path = PATH
    if bare:
        os.environ["BARE_DATABASE_URL"] = _url("postgresql")
        os.environ["BARE_TENANT"] = str(organisation)
        sys.path.insert(0, str(ROOT))
        from bench.bare_reads import app

        path = "/cases?limit=50"
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, lifespan="on" if bare else "off", log_level="warning"
        )
    )
    serving = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 (uvicorn's Server has no event for it)
        await asyncio.sleep(0.05)
    url = f"http://127.0.0.1:{port}{path}"
    await asyncio.to_thread(_wrk, url, token, 1, connections)  # warm-up
    requests, cpu, wall = await asyncio.to_thread(_measure, url, token, seconds, connections)
    server.should_exit = True
    await serving
    await service.engine.dispose()
    return {
        "requests": requests,
        "cpu_ms_per_request": round(1000 * cpu / max(requests, 1), 3),
        "requests_per_second": round(requests / wall, 1),
    }


def ab(old: Path, rounds: int, seconds: float, connections: int, port: int) -> None:
    """``serve`` on ``old`` and on this checkout, alternated; medians and their ratio."""
    packages = [
        "libs/servicekit",
        "libs/contracts",
        "services/cases",
    ]
    figures: dict[str, list[float]] = {"old": [], "new": [], "bare": []}
    for i in range(rounds):
        order = ("old", "new", "bare") if i % 2 == 0 else ("bare", "new", "old")
        for name in order:
            env = dict(os.environ)
            if name == "old":
                env["PYTHONPATH"] = os.pathsep.join(str(old / p) for p in packages)
            command = [
                sys.executable,
                __file__,
                "serve",
                f"--seconds={seconds}",
                f"--connections={connections}",
                f"--port={port}",
                *(["--bare"] if name == "bare" else []),
            ]
            out = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
            result = json.loads(out.stdout.strip().splitlines()[-1])
            figures[name].append(result["cpu_ms_per_request"])
            print(f"round {i + 1} {name}: {result}", flush=True)
    medians = {k: statistics.median(v) for k, v in figures.items()}
    print(
        f"CPU ms/request, median of {rounds}: old {medians['old']:.3f}, new {medians['new']:.3f}, "
        f"bare {medians['bare']:.3f}; new/old {medians['new'] / medians['old']:.2f}, "
        f"bare/new {medians['bare'] / medians['new']:.2f} (the rate ratio direct ÷ bare when "
        "CPU-bound; aim ≥ 0.5)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=("prepare", "serve", "ab"))
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--port", type=int, default=39871)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--old", type=Path)
    parser.add_argument("--bare", action="store_true", help="serve: the bare endpoint instead")
    args = parser.parse_args()
    if args.command == "prepare":
        asyncio.run(prepare(args.cases))
    elif args.command == "serve":
        print(json.dumps(asyncio.run(serve(args.seconds, args.connections, args.port, args.bare))))
    else:
        if args.old is None:
            parser.error("ab needs --old")
        ab(args.old, args.rounds, args.seconds, args.connections, args.port)


if __name__ == "__main__":
    main()
