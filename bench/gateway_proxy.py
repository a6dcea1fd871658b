"""The gateway's own CPU per proxied request, this checkout against a baseline commit.

    uv run python bench/gateway_proxy.py                          # baseline: main
    uv run python bench/gateway_proxy.py --baseline 9a420d1 --rounds 4 --seconds 5
    uv run python bench/gateway_proxy.py --size 30000 --size 1048576   # larger answers

No stack: a stub service (this script with ``--stub``, a raw asyncio HTTP/1.1 server in a
process of its own that answers every path with a fixed JSON body of ``--size`` bytes, and
serves the JWKS and the session state the gateway asks the identity service for) and two
gateways in front of it, each ``uvicorn gateway.app:create_app`` as the devstack runs it:
``baseline`` (``gateway/gateway`` of ``--baseline``, taken out with ``git archive`` and put
first on ``PYTHONPATH``) and ``current`` (this checkout). ``wrk`` sends an authenticated
GET (a token of a session the stub says is active) with ``--connections`` connections for
``--seconds`` seconds to one gateway, then the other, alternated ``--rounds`` times (the
order swaps each round). Per run: requests/s, p50/p99, non-2xx, and the gateway process's
CPU milliseconds per request (``/proc/<pid>/stat``); at the end the medians and the ratio
current ÷ baseline of CPU per request. The machine is shared: read the CPU figures and the
ratio, not the rates.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from servicekit.testing.tokens import AUDIENCE, ISSUER, TestSigner

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
WRK_LATENCY = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


# -- the stub service -------------------------------------------------------------------


def _stub_body(size: int) -> bytes:
    """A JSON list of about ``size`` bytes."""
    item = b'{"id":"00000000-0000-0000-0000-000000000000","name":"Kreditor AS","amount":12345}'
    return b'{"items":[' + b",".join([item] * max(1, size // (len(item) + 1))) + b"]}"


async def _serve_stub(port: int, jwks: bytes, size: int) -> None:
    body = _stub_body(size)
    active = b'{"active":true}'

    def answer(content: bytes) -> bytes:
        head = (
            b"HTTP/1.1 200 OK\r\nserver: stub\r\ncontent-type: application/json\r\n"
            b"x-request-id: 00000000-0000-0000-0000-000000000000\r\n"
            b"content-length: " + str(len(content)).encode() + b"\r\n\r\n"
        )
        return head + content

    answers = {b"jwks": answer(jwks), b"sessions": answer(active), b"": answer(body)}

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                target = head.split(b" ", 2)[1]
                length = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
                if length:
                    await reader.readexactly(int(length.group(1)))
                key = (
                    b"jwks"
                    if b"jwks" in target
                    else b"sessions"
                    if b"/sessions/" in target
                    else b""
                )
                writer.write(answers[key])
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
    async with server:
        await server.serve_forever()


# -- the gateways under wrk -------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_port(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"process on port {port} exited ({process.returncode})")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    sys.exit(f"nothing listens on {port}")


def wrk(url: str, token: str, seconds: int, connections: int) -> dict[str, Any]:
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-H",
         f"Authorization: Bearer {token}", url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    total = re.search(r"(\d+) requests in", out)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    latency = {q: float(v) * UNITS[u] for q, v, u in WRK_LATENCY.findall(out)}
    return {
        "requests": int(total.group(1)) if total else 0,
        "p50_ms": latency.get("50", 0.0),
        "p99_ms": latency.get("99", 0.0),
        "non_2xx": int(bad.group(1)) if bad else 0,
    }


def start_gateway(source: Path, port: int, stub: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": str(source),
        "GATEWAY_ENVIRONMENT": "test",
        "GATEWAY_LOG_LEVEL": "WARNING",
        "GATEWAY_INTERNAL_SECRET": "bench-secret-" + "x" * 32,
        "GATEWAY_RATE_LIMIT_PER_SECOND": "1000000",
        "GATEWAY_RATE_LIMIT_BURST": "1000000",
        "GATEWAY_TOKEN_ISSUER": ISSUER,
        "GATEWAY_TOKEN_AUDIENCE": AUDIENCE,
        **{f"GATEWAY_{s.upper()}_URL": stub for s in SERVICES},
    }
    command = [sys.executable, "-m", "uvicorn", "gateway.app:create_app", "--factory",
               "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
               "--no-proxy-headers", "--log-level", "warning"]  # fmt: skip
    process = subprocess.Popen(command, env=env, cwd=tempfile.gettempdir())
    wait_port(port, process)
    return process


SERVICES = ("auth", "cases", "ledger", "reports", "credit", "integrations", "webhooks")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stub", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--jwks", help=argparse.SUPPRESS)
    parser.add_argument("--baseline", default="main", help="commit of the baseline gateway")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--size", type=int, action="append", help="answer bytes (2000)")
    args = parser.parse_args()
    sizes = args.size or [2000]
    if args.stub:
        asyncio.run(_serve_stub(args.stub, Path(args.jwks).read_bytes(), sizes[0]))
        return

    signer = TestSigner()
    token = signer.mint(organisation_id=uuid.uuid4(), roles=["creditor_user"], ttl=3600)
    workdir = Path(tempfile.mkdtemp(prefix="gateway-bench-"))
    (workdir / "jwks.json").write_text(json.dumps(signer.jwks))
    baseline = workdir / "baseline"
    baseline.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", args.baseline, "gateway/gateway"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    subprocess.run(["tar", "-x", "-C", str(baseline)], input=archive, check=True)
    sources = {"baseline": baseline / "gateway", "current": REPO / "gateway"}

    for size in sizes:
        stub_port = free_port()
        stub = subprocess.Popen(
            [sys.executable, __file__, "--stub", str(stub_port), "--jwks",
             str(workdir / "jwks.json"), "--size", str(size)]
        )  # fmt: skip
        wait_port(stub_port, stub)
        stub_url = f"http://127.0.0.1:{stub_port}"
        gateways: dict[str, tuple[subprocess.Popen[bytes], str]] = {}
        try:
            for name, source in sources.items():
                port = free_port()
                gateways[name] = (start_gateway(source, port, stub_url), f"http://127.0.0.1:{port}")
            path = "/api/v1/cases/bench?limit=50"
            for _, url in gateways.values():
                wrk(url + path, token, 2, args.connections)  # warm-up
            runs: dict[str, list[dict[str, Any]]] = {name: [] for name in gateways}
            print(f"answer {size} bytes, {args.connections} connections, {args.seconds} s runs")
            for round_ in range(args.rounds):
                order = list(gateways) if round_ % 2 == 0 else list(reversed(gateways))
                for name in order:
                    process, url = gateways[name]
                    before = cpu_seconds(process.pid)
                    result = wrk(url + path, token, args.seconds, args.connections)
                    result["cpu_ms"] = (
                        (cpu_seconds(process.pid) - before) * 1000 / max(1, result["requests"])
                    )
                    runs[name].append(result)
                    print(
                        f"  {name:9} req {result['requests']:7}  CPU {result['cpu_ms']:.3f} ms/req"
                        f"  p50 {result['p50_ms']:.1f} ms  p99 {result['p99_ms']:.1f} ms"
                        f"  non-2xx {result['non_2xx']}",
                        flush=True,
                    )
            median = {n: statistics.median(r["cpu_ms"] for r in rs) for n, rs in runs.items()}
            print(
                f"median CPU ms/req: baseline {median['baseline']:.3f}, current "
                f"{median['current']:.3f}; current ÷ baseline "
                f"{median['current'] / median['baseline']:.2f}"
            )
        finally:
            for process, _ in gateways.values():
                process.terminate()
                process.wait(timeout=15)
            stub.terminate()
            stub.wait(timeout=15)


if __name__ == "__main__":
    main()
