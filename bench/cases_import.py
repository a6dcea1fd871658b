"""Import of a case file through the gateway, against a raw COPY of the same rows.

    uv run python bench/cases_import.py                  # 100,000 rows
    uv run python bench/cases_import.py --rows 1000000   # the memory figure (1M rows)
    uv run python bench/cases_import.py --rows 20000 --no-save   # a quick look
    uv run python bench/cases_import.py --stop-relay     # without the outbox relay running

A test stack of real processes (devstack's ``Stack``: the gateway, auth and cases with
their relays, consumers and workers, the cases importer among them) on its own ports,
databases and bus namespace. A demo creditor signs in through the gateway, uploads a
generated CSV (one claim per row, 1 % bad rows) as a stream, and the script polls the
job until it is completed. Timed:

- ``import``: from the first byte of the upload until the job is completed: every case
  committed with its ``cases.case.registered`` event in the outbox (checked after);
- ``copy``: ``COPY`` of the same file into a scratch table of text columns in the same
  database (asyncpg ``copy_to_table``), before the import: the floor of loading the rows;
- peak memory: the highest RSS (``VmHWM``) of the cases API, the importer and the
  gateway, and the highest sampled RSS during the run.

Results: a table on stdout, ``bench/results/cases_import-<date>.json`` and a section in
``bench/RESULTS.md`` (``--no-save`` skips both).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
sys.path.insert(0, str(REPO))

from devstack.stack import Stack, StackConfig, http_ready  # noqa: E402
from servicekit.testing.data import national_identity_number  # noqa: E402

from tests.e2e.identity import Login, sign_in  # noqa: E402

AIM_ROWS_PER_SECOND = 10_000
AIM_PEAK_MB = 300
BAD_EVERY = 100
HEADER = (
    "creditor_reference;debtor_kind;debtor_name;national_id;organisation_number;"
    "address_line_1;postal_code;city;email;phone;invoice_number;invoice_date;due_date;"
    "principal;reminder_fee\n"
)
WATCHED = ("cases-api", "cases-importer", "gateway")


def generate(path: Path, rows: int, run: str) -> None:
    """A CSV of ``rows`` cases, one claim each; every ``BAD_EVERY``-th has a negative amount."""
    today = date.today()
    invoiced = (today - timedelta(days=60)).strftime("%d.%m.%Y")
    due = (today - timedelta(days=30)).strftime("%d.%m.%Y")
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(HEADER)
        for i in range(rows):
            amount = (
                "-10,00"
                if i % BAD_EVERY == BAD_EVERY - 1
                else f"{1000 + i % 9000} {i % 1000:03d},50"
            )
            f.write(
                f"{run}-{i};person;Ola Nordmann {i};{national_identity_number()};;"
                f"Storgata {i % 200 + 1};0155;Oslo;ola{i}@example.no;+4791234567;"
                f"F{i};{invoiced};{due};{amount};35,00\n"
            )


def rss(pid: int, field: str = "VmRSS") -> int:
    """A process's memory figure from /proc (kB → bytes); 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class MemoryWatch(threading.Thread):
    """Samples the RSS of the watched processes every 0.1 s."""

    def __init__(self, pids: dict[str, int]) -> None:
        super().__init__(daemon=True)
        self.pids = pids
        self.peak = dict.fromkeys(pids, 0)
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(0.1):
            for name, pid in self.pids.items():
                self.peak[name] = max(self.peak[name], rss(pid))


def creditor_login(logins: list[dict[str, Any]]) -> Login:
    for entry in logins:
        roles = tuple(entry["roles"])
        if "creditor" in roles or "creditor_admin" in roles:
            return Login(entry["email"], entry["password"], entry["totp_secret"], roles)
    raise RuntimeError("no demo creditor user")


def organisation_of(token: str) -> uuid.UUID:
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return uuid.UUID(claims["org"])


async def file_body(path: Path) -> AsyncIterator[bytes]:
    with path.open("rb") as f:
        while data := f.read(256 * 1024):
            yield data


async def timed_copy(url: str, path: Path) -> float:
    """Seconds for COPY of the file into a scratch table of text columns."""
    columns = HEADER.strip().split(";")
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(
            "CREATE TABLE bench_copy (" + ", ".join(f'"{c}" text' for c in columns) + ")"
        )
        started = time.perf_counter()
        await conn.copy_to_table(
            "bench_copy", source=str(path), format="csv", delimiter=";", header=True
        )
        seconds = time.perf_counter() - started
        await conn.execute("DROP TABLE bench_copy")
    finally:
        await conn.close()
    return seconds


async def wait_for_creditor(url: str, organisation_id: uuid.UUID, seconds: float = 60) -> None:
    """The cases service learns of the organisation from auth's event."""
    conn = await asyncpg.connect(url)
    try:
        deadline = time.monotonic() + seconds
        while not await conn.fetchval(
            "SELECT 1 FROM creditors WHERE organisation_id = $1", organisation_id
        ):
            if time.monotonic() > deadline:
                raise RuntimeError("the cases service never heard of the creditor")
            await asyncio.sleep(0.2)
    finally:
        await conn.close()


async def measure(stack: Stack, args: argparse.Namespace, path: Path) -> dict[str, Any]:
    size = await asyncio.to_thread(os.path.getsize, path)
    logins = stack.seed_demo() or []
    login = creditor_login(logins)
    cases_url = stack.database_url("cases", driver="")
    async with httpx.AsyncClient(base_url=stack.url, timeout=120) as client:
        session = await sign_in(client, login)
        headers = await session.headers()
        organisation_id = organisation_of(session.access_token)
        await wait_for_creditor(cases_url, organisation_id)

        copy_seconds = await timed_copy(cases_url, path)
        if args.stop_relay:
            stack.kill("cases-relay")
        pids = {s.name: s.pid for s in stack.status() if s.name in WATCHED and s.pid}
        watch = MemoryWatch(pids)
        watch.start()
        started = time.perf_counter()
        response = await client.post(
            "/api/v1/cases/imports",
            content=file_body(path),
            headers={**headers, "Content-Type": "text/csv"},
            params={"filename": path.name},
        )
        uploaded = time.perf_counter() - started
        if response.status_code != 202:
            raise RuntimeError(f"upload refused: {response.status_code} {response.text}")
        job_id = response.json()["job_id"]
        progress: list[tuple[float, int]] = []
        while True:
            job = (
                await client.get(f"/api/v1/cases/imports/{job_id}", headers=await session.headers())
            ).json()
            progress.append((round(time.perf_counter() - started, 2), job["rows_read"]))
            if job["status"] in ("completed", "failed"):
                break
            await asyncio.sleep(0.25)
        total = time.perf_counter() - started
        watch.stopped.set()
        watch.join()
    if job["status"] != "completed":
        raise RuntimeError(f"the import failed: {job['error']}")
    conn = await asyncpg.connect(cases_url)
    try:
        in_batch = await conn.fetchval(
            "SELECT count(*) FROM cases WHERE batch_id = $1", uuid.UUID(job["batch_id"])
        )
        events = await conn.fetchval(
            "SELECT count(*) FROM outbox WHERE event_type = 'cases.case.registered' "
            "AND body LIKE $1",
            f"%{job['batch_id']}%",
        )
        timing = await conn.fetchrow(
            "SELECT extract(epoch FROM finished_at - started_at) AS import_seconds "
            "FROM import_jobs WHERE id = $1",
            uuid.UUID(job_id),
        )
    finally:
        await conn.close()
    assert in_batch == events == job["rows_accepted"], (in_batch, events, job)
    rows = args.rows
    return {
        "rows": rows,
        "rows_accepted": job["rows_accepted"],
        "rows_rejected": job["rows_rejected"],
        "file_bytes": size,
        "upload_seconds": round(uploaded, 3),
        "importer_seconds": round(float(timing["import_seconds"]), 3),
        "total_seconds": round(total, 3),
        "rows_per_second": round(rows / total),
        "copy_seconds": round(copy_seconds, 3),
        "copy_rows_per_second": round(rows / copy_seconds),
        "ratio_to_copy": round((rows / total) / (rows / copy_seconds), 4),
        "peak_rss_mb": {name: round(rss(pid, "VmHWM") / 2**20, 1) for name, pid in pids.items()},
        "sampled_peak_rss_mb": {name: round(v / 2**20, 1) for name, v in watch.peak.items()},
        "cases_committed": in_batch,
        "events_in_outbox": events,
        "relay_running": not args.stop_relay,
        "progress": progress[:: max(1, len(progress) // 40)],
    }


def wait_ready(stack: Stack, timeout: float) -> None:
    """Every process ready; the gateway only live (its readiness wants all five services,
    and this stack runs only auth and cases)."""
    deadline = time.monotonic() + timeout
    while True:
        pending = [
            p.name
            for p in stack.processes
            if not (
                http_ready(f"{stack.url}/health/live") if p.name == "gateway" else stack.is_ready(p)
            )
        ]
        if not pending:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"not ready: {pending}")
        time.sleep(0.5)


def machine() -> dict[str, Any]:
    def run(*cmd: str) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip()
        except OSError:
            return ""

    return {
        "nproc": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "commit": run("git", "-C", str(REPO), "rev-parse", "--short", "HEAD"),
    }


def report(result: dict[str, Any], args: argparse.Namespace, started: datetime) -> str:
    peak = result["peak_rss_mb"]
    met_rate = "met" if result["rows_per_second"] >= AIM_ROWS_PER_SECOND else "MISSED"
    worst = max(peak.get("cases-importer", 0), peak.get("cases-api", 0))
    met_memory = "met" if worst < AIM_PEAK_MB else "MISSED"
    return "\n".join(
        [
            f"## cases import, {started:%Y-%m-%d %H:%M} UTC",
            "",
            f"`uv run python bench/cases_import.py --rows {args.rows}"
            + (" --stop-relay" if args.stop_relay else "")
            + f"` — {result['rows']:,} rows ({result['file_bytes'] / 2**20:.1f} MiB CSV, "
            f"1 claim per row, {result['rows_rejected']:,} bad), through the gateway, "
            f"relay {'running' if result['relay_running'] else 'stopped'}; "
            f"machine nproc {result['machine']['nproc']}, "
            f"load {result['machine']['load_average']}, "
            f"commit {result['machine']['commit']}.",
            "",
            "```",
            f"import (upload → job completed, events in outbox) {result['total_seconds']:>8.2f} s"
            f"  {result['rows_per_second']:>7,} rows/s   aim {AIM_ROWS_PER_SECOND:,}: {met_rate}",
            f"  of which upload                                 {result['upload_seconds']:>8.2f} s",
            f"  importer (job started → finished)               "
            f"{result['importer_seconds']:>8.2f} s",
            f"COPY of the same rows (text columns)              {result['copy_seconds']:>8.2f} s"
            f"  {result['copy_rows_per_second']:>7,} rows/s",
            f"import / COPY                                     {result['ratio_to_copy']:.3f}",
            "peak RSS (VmHWM) MB: "
            + ", ".join(f"{k} {v}" for k, v in peak.items())
            + f"   aim < {AIM_PEAK_MB}: {met_memory}",
            "```",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--stop-relay", action="store_true", help="kill cases-relay first")
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args()
    started = datetime.now(UTC)
    run = uuid.uuid4().hex[:6]
    with tempfile.TemporaryDirectory(prefix="bench-import-") as scratch:
        path = Path(scratch) / f"cases-{args.rows}.csv"
        print(f"generating {args.rows:,} rows …", flush=True)
        generate(path, args.rows, run)
        config = replace(
            StackConfig.for_tests(name=f"bench-{run}", services=("auth", "cases")),
            extra_env={
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
            wait_ready(stack, timeout=180)
            print("importing …", flush=True)
            result = asyncio.run(measure(stack, args, path))
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
    out = results / f"cases_import-{started:%Y-%m-%d-%H%M%S}-{args.rows}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    with (BENCH_DIR / "RESULTS.md").open("a", encoding="utf-8") as f:
        f.write("\n" + text + f"JSON: `bench/results/{out.name}`.\n")
    print(f"saved {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
