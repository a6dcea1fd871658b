"""A credit bureau: an Experian-like JSON API over real HTTP, for tests and the local stack.

The credit service cannot reach Experian from here (and Experian Norway publishes no API
reference: ``shared/domain/credit.md`` §3.6), so this simulator speaks a JSON API in the
style the public bureau APIs share, and the credit service's real adapter (httpx) runs
against it:

- ``POST /oauth/token``: OAuth2 client credentials (HTTP Basic ``client_id:client_secret``,
  form ``grant_type=client_credentials``) → ``{"access_token", "token_type", "expires_in"}``;
- ``POST /v1/reports/company`` ``{"organisationNumber", "product", "clientReference",
  "purpose", "endUser": {"organisationNumber", "name"}}`` → a company report;
- ``POST /v1/reports/person`` ``{"nationalId", …}`` → a person report; each person report
  and each report on a sole proprietorship (ENK, a physical person) "sends" a copy letter
  (gjenpartsbrev) naming the end user as the orderer;
- ``GET /v1/reports?clientReference=<ref>``: the reports ordered under a client reference
  (how an order in doubt is reconciled); ``GET /v1/reports/<reportId>``: one again (no new
  charge, no new copy letter);
- errors as ``{"error": {"code", "message"}, "transactionId"}``: ``401 INVALID_TOKEN``,
  ``403 PRODUCT_NOT_IN_CONTRACT``, ``403 CREDIT_BLOCKED`` (kredittsperre, with
  ``allowedPurposes``), ``404 NO_MATCH``, ``429 RATE_LIMITED`` (``Retry-After``),
  ``5xx``;
- ``GET /health``; inspection (``SIM_ADMIN``: always on here, it is a simulator):
  ``GET /_sim/gjenparter``, ``GET /_sim/calls``, ``POST /_sim/reset``,
  ``POST /_sim/faults`` ``{"scenarios": [...]}`` (queued: each of the next report orders
  without a scenario header takes the next one).

Faults: a request header ``X-Sim-Scenario`` forces one for a deterministic test
(:data:`SCENARIOS`); otherwise queued faults, then the configured random fault rate.
Latency is lognormal with a long tail (p50 ``latency_ms``, p99 about 15 times p50).

The test subjects are in :mod:`simulators.bureau_subjects`. Nothing here is meant for
production: it binds to loopback, and its inspection endpoints have no access control.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import datetime as dt
import hmac
import json
import logging
import os
import random
import secrets
import signal
import socket
import struct
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType, TracebackType
from typing import Any, Final, cast
from urllib.parse import parse_qs, urlsplit

from stdnum.no import orgnr

from simulators import bureau_subjects as subjects

log = logging.getLogger("simulators.bureau")

SCENARIO_HEADER: Final = "X-Sim-Scenario"
SCENARIOS: Final = frozenset(
    {
        "ok",  # no fault (overrides the random rate and the queue)
        "401",  # the token is refused
        "403",  # the product is not in the contract
        "404",  # no match, whoever the subject is
        "429",  # rate limited, with Retry-After
        "500",
        "502",
        "503",  # unavailable, with Retry-After
        "slow",  # the report is made, the answer comes after slow_seconds
        "hang",  # nothing is made, the connection stays open for hang_seconds
        "reset",  # the report is made, then the connection is reset mid-body
        "malformed",  # the report is made, the body is cut short (invalid JSON)
    }
)
PROCESSED_BEFORE_FAULT: Final = frozenset({"slow", "reset", "malformed"})
"""Scenarios where the bureau did the work (and charged, and sent a copy letter) before
the answer went wrong: the client must reconcile by its reference, never order again."""
MAX_BODY: Final = 64 * 1024
PRODUCTS: Final = {"COMPANY_STANDARD": "company", "PERSON_STANDARD": "person"}


@dataclass
class BureauConfig:
    """What the simulator accepts and how it behaves (every value has a test-friendly knob)."""

    client_id: str = "infocenter"
    client_secret: str = "simulator-secret"
    token_ttl_seconds: int = 3600
    latency_ms: float = 0.0
    """Median latency of a report order; 0 answers at once."""
    fault_rate: float = 0.0
    """Share of report orders (without scenario) that fail at random with a 5xx or 429."""
    slow_seconds: float = 30.0
    hang_seconds: float = 60.0
    retry_after_seconds: int = 1
    products: frozenset[str] = frozenset(PRODUCTS)
    """Products in the agency's contract (another → 403 PRODUCT_NOT_IN_CONTRACT)."""
    seed: int | None = None


@dataclass
class _State:
    tokens: dict[str, float] = field(default_factory=dict)
    reports: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_reference: dict[str, list[str]] = field(default_factory=dict)
    gjenparter: list[dict[str, Any]] = field(default_factory=list)
    calls: list[dict[str, Any]] = field(default_factory=list)
    faults: deque[str] = field(default_factory=deque)


class _Abort(Exception):
    """Stop answering this request (the connection is dropped or was answered already)."""


class BureauSimulator:
    """The bureau's HTTP server in a thread of its own: start it, call it, inspect it."""

    def __init__(
        self, port: int = 0, *, host: str = "127.0.0.1", config: BureauConfig | None = None
    ) -> None:
        self.host = host
        self.port = port
        self.config = config or BureauConfig()
        self.state = _State()
        self.lock = threading.Lock()
        self.random = random.Random(self.config.seed)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> BureauSimulator:
        server = _Server((self.host, self.port), _Handler)
        server.bureau = self
        self._server = server
        self.port = server.server_address[1]
        self._stopping.clear()
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="bureau-simulator",
            daemon=True,
        )
        self._thread.start()
        log.info("bureau simulator on %s", self.url)
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def __enter__(self) -> BureauSimulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- behaviour -------------------------------------------------------------------------

    def reset(self) -> None:
        with self.lock:
            self.state = _State()

    def queue_faults(self, scenarios: Sequence[str]) -> None:
        unknown = set(scenarios) - SCENARIOS
        if unknown:
            raise ValueError(f"unknown scenarios: {sorted(unknown)}")
        with self.lock:
            self.state.faults.extend(scenarios)

    def pick_scenario(self, header: str | None) -> str:
        """The header's scenario, else the next queued fault, else the random rate's."""
        if header:
            return header
        with self.lock:
            if self.state.faults:
                return self.state.faults.popleft()
            roll = self.random.random()
        if roll < self.config.fault_rate:
            return self.random.choice(("500", "502", "503", "429"))
        return "ok"

    def latency(self) -> float:
        """Seconds to wait before answering: lognormal, median ``latency_ms``, long tail."""
        if self.config.latency_ms <= 0:
            return 0.0
        with self.lock:
            draw = self.random.lognormvariate(0.0, 1.15)  # p99 about 14.5 times the median
        return min(draw * self.config.latency_ms / 1000.0, 30.0)

    def issue_token(self) -> dict[str, Any]:
        token = secrets.token_urlsafe(24)
        with self.lock:
            self.state.tokens[token] = time.monotonic() + self.config.token_ttl_seconds
        return {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": self.config.token_ttl_seconds,
        }

    def token_valid(self, token: str) -> bool:
        with self.lock:
            expires = self.state.tokens.get(token)
        return expires is not None and expires > time.monotonic()

    def expire_tokens(self) -> None:
        """Every token issued so far stops working (a test of the refresh)."""
        with self.lock:
            self.state.tokens.clear()

    def make_report(self, kind: str, request: dict[str, Any]) -> dict[str, Any] | str:
        """A report for the request, or an error code (``NO_MATCH``, ``CREDIT_BLOCKED``)."""
        now = dt.datetime.now(dt.UTC)
        report_id = f"SIM-{uuid.uuid4().hex[:16].upper()}"
        base: dict[str, Any] = {
            "reportId": report_id,
            "clientReference": str(request.get("clientReference") or ""),
            "product": request.get("product"),
            "generatedAt": now.isoformat(),
            "asOf": now.date().isoformat(),
            "source": "Experian (simulator)",
        }
        copy_letter_to: tuple[str, str] | None = None
        if kind == "company":
            number = str(request.get("organisationNumber", ""))
            company = subjects.COMPANIES.get(number)
            if company is None or number in subjects.DISSOLVED:
                return "NO_MATCH"
            report = {**base, **_company_report(number, company)}
            owner = company.get("owner")
            if owner:
                copy_letter_to = (owner["nationalId"], owner["name"])
        else:
            national_id = str(request.get("nationalId", ""))
            person = subjects.PERSONS.get(national_id)
            if person is None:
                return "NO_MATCH"
            if person["creditBlock"] and request.get("purpose") not in subjects.INKASSO_PURPOSES:
                return "CREDIT_BLOCKED"
            report = {**base, **_person_report(national_id, person)}
            copy_letter_to = (national_id, person["name"])
        with self.lock:
            self.state.reports[report_id] = report
            reference = report["clientReference"]
            if reference:
                self.state.by_reference.setdefault(reference, []).append(report_id)
            self.state.calls.append(
                {
                    "reportId": report_id,
                    "clientReference": reference,
                    "product": request.get("product"),
                    "billable": True,
                    "at": now.isoformat(),
                }
            )
            if copy_letter_to is not None:
                end_user = request.get("endUser") or {}
                self.state.gjenparter.append(
                    {
                        "id": uuid.uuid4().hex,
                        "reportId": report_id,
                        "clientReference": reference,
                        "subjectNationalId": copy_letter_to[0],
                        "subjectName": copy_letter_to[1],
                        "ordererName": end_user.get("name"),
                        "ordererOrganisationNumber": end_user.get("organisationNumber"),
                        "purpose": request.get("purpose"),
                        "disclosed": request.get("product"),
                        "source": "Experian (simulator)",
                        "channel": "post",
                        "sentAt": now.isoformat(),
                    }
                )
        return report


def _company_report(number: str, company: dict[str, Any]) -> dict[str, Any]:
    remarks = company["remarks"]
    return {
        "company": {
            "organisationNumber": number,
            "name": company["name"],
            "organisationForm": company["organisationForm"],
            "status": company["status"],
            "registeredDate": company["registeredDate"],
            "naceCode": company["naceCode"],
            "address": company["address"],
            "phone": company["phone"],
            "shareCapital": company["shareCapital"],
            **({"foreignParent": company["foreignParent"]} if "foreignParent" in company else {}),
            **({"owner": {"name": company["owner"]["name"]}} if "owner" in company else {}),
        },
        "roles": company["roles"],
        "financials": company["financials"],
        "rating": {**company["rating"], "scale": "0-100"},
        "creditLimit": (
            None
            if company["creditLimit"] is None
            else {"amount": company["creditLimit"], "currency": "NOK"}
        ),
        "paymentRemarks": {
            "count": len(remarks),
            "totalAmount": sum(r["amount"] for r in remarks),
            "items": remarks,
        },
    }


def _person_report(national_id: str, person: dict[str, Any]) -> dict[str, Any]:
    remarks = person["remarks"]
    return {
        "person": {
            "nationalId": national_id,
            "name": person["name"],
            "birthDate": person["birthDate"],
            "address": person["address"],
            "status": person["status"],
            **({"deceasedDate": person["deceasedDate"]} if "deceasedDate" in person else {}),
            "creditBlock": person["creditBlock"],
        },
        "score": (
            None
            if person["score"] is None
            else {"value": person["score"], "scale": "0-100", "riskClass": person["riskClass"]}
        ),
        "paymentRemarks": {
            "count": len(remarks),
            "totalAmount": sum(r["amount"] for r in remarks),
            "items": remarks,
        },
    }


class _Server(ThreadingHTTPServer):
    request_queue_size = 256  # many clients at once (a bench's 50): the default backlog is 5
    daemon_threads = True
    allow_reuse_address = True
    bureau: BureauSimulator


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body are two writes; with Nagle's algorithm the body waited for the
    # client's delayed ACK of the headers, about 40 ms on every kept-alive answer.
    disable_nagle_algorithm = True
    server_version = "InfoCenterBureauSimulator/1"

    @property
    def bureau(self) -> BureauSimulator:
        return cast(_Server, self.server).bureau

    # -- plumbing ---------------------------------------------------------------------------

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._error(413, "TOO_LARGE", "request body too large")
            raise _Abort
        return self.rfile.read(length) if length else b""

    def _json_body(self) -> dict[str, Any]:
        try:
            data = json.loads(self._body() or b"{}")
        except ValueError:
            self._error(400, "INVALID_JSON", "the body is not JSON")
            raise _Abort from None
        if not isinstance(data, dict):
            self._error(400, "INVALID_JSON", "the body is not a JSON object")
            raise _Abort
        return data

    def _send(self, status: int, data: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _json(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(body, ensure_ascii=False).encode("utf-8"), headers)

    def _error(
        self,
        status: int,
        code: str,
        message: str,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        body = {
            "error": {"code": code, "message": message, **extra},
            "transactionId": uuid.uuid4().hex,
        }
        self._json(status, body, headers)

    def _authorised(self) -> bool:
        scheme, _, token = (self.headers.get("Authorization") or "").partition(" ")
        if scheme.lower() == "bearer" and self.bureau.token_valid(token.strip()):
            return True
        self._error(401, "INVALID_TOKEN", "the access token is missing, invalid or expired")
        return False

    def _reset_connection(self) -> None:
        """Drop the connection with a TCP reset (SO_LINGER 0), not a clean close."""
        with contextlib.suppress(OSError):
            self.wfile.flush()
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("bureau: " + format, *args)

    # -- routes ----------------------------------------------------------------------------

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        path = url.path.rstrip("/") or "/"
        query = parse_qs(url.query)
        bureau = self.bureau
        if path == "/health":
            self._json(200, {"status": "ok"})
        elif path == "/_sim/gjenparter":
            with bureau.lock:
                letters = list(bureau.state.gjenparter)
            reference = query.get("clientReference", [None])[0]
            if reference is not None:
                letters = [g for g in letters if g["clientReference"] == reference]
            self._json(200, letters)
        elif path == "/_sim/calls":
            with bureau.lock:
                self._json(200, list(bureau.state.calls))
        elif path == "/v1/reports":
            if not self._authorised():
                return
            reference = query.get("clientReference", [""])[0]
            with bureau.lock:
                ids = bureau.state.by_reference.get(reference, [])
                found = [_summary(bureau.state.reports[i]) for i in ids]
            self._json(200, {"reports": found})
        elif path == "/v1/companies/search":
            if not self._authorised():
                return
            self._search(query.get("name", [""])[0])
        elif path.startswith("/v1/reports/") and path.count("/") == 3:
            if not self._authorised():
                return
            with bureau.lock:
                report = bureau.state.reports.get(path.rsplit("/", 1)[1])
            if report is None:
                self._error(404, "NO_MATCH", "no such report")
            else:
                self._json(200, report)
        else:
            self._error(404, "NOT_FOUND", "no such resource")

    def do_POST(self) -> None:
        with contextlib.suppress(_Abort):
            self._post()

    def _post(self) -> None:
        path = urlsplit(self.path).path.rstrip("/")
        bureau = self.bureau
        if path == "/oauth/token":
            self._token()
        elif path == "/_sim/reset":
            self._body()
            bureau.reset()
            self._json(200, {"status": "reset"})
        elif path == "/_sim/faults":
            scenarios = self._json_body().get("scenarios", [])
            try:
                bureau.queue_faults([str(s) for s in scenarios])
            except ValueError as exc:
                self._error(400, "UNKNOWN_SCENARIO", str(exc))
                return
            self._json(200, {"queued": len(scenarios)})
        elif path == "/_sim/expire-tokens":
            self._body()
            bureau.expire_tokens()
            self._json(200, {"status": "expired"})
        elif path in ("/v1/reports/company", "/v1/reports/person"):
            self._order(path.rsplit("/", 1)[1])
        else:
            self._error(404, "NOT_FOUND", "no such resource")

    def _token(self) -> None:
        form = parse_qs(self._body().decode("utf-8", "replace"))
        client_id, secret = "", ""
        scheme, _, encoded = (self.headers.get("Authorization") or "").partition(" ")
        if scheme.lower() == "basic":
            with contextlib.suppress(ValueError):
                client_id, _, secret = base64.b64decode(encoded).decode().partition(":")
        else:
            client_id = form.get("client_id", [""])[0]
            secret = form.get("client_secret", [""])[0]
        config = self.bureau.config
        if form.get("grant_type", [""])[0] != "client_credentials":
            self._json(400, {"error": "unsupported_grant_type"})
            return
        if not (
            hmac.compare_digest(client_id.encode(), config.client_id.encode())
            and hmac.compare_digest(secret.encode(), config.client_secret.encode())
        ):
            self._json(401, {"error": "invalid_client"})
            return
        self._json(200, self.bureau.issue_token())

    def _search(self, name: str) -> None:
        """Experian-style company search by name: candidates with their organisation number
        (free at the bureau; no report is made, no copy letter sent). A queued or requested
        fault applies: 429/503 unavailable, 500/502 failed, ``malformed`` a broken body."""
        bureau = self.bureau
        requested = self.headers.get(SCENARIO_HEADER)
        if requested is not None and requested not in SCENARIOS:
            self._error(400, "UNKNOWN_SCENARIO", f"unknown {SCENARIO_HEADER}")
            return
        scenario = bureau.pick_scenario(requested)
        if scenario in ("429", "503"):
            retry = {"Retry-After": str(bureau.config.retry_after_seconds)}
            self._error(int(scenario), "SERVICE_UNAVAILABLE", "try again later", retry)
            return
        if scenario in ("500", "502"):
            self._error(int(scenario), "INTERNAL_ERROR", "the bureau failed")
            return
        wanted = " ".join(name.split()).casefold()
        if len(wanted) < 2 or len(wanted) > 100:
            self._error(400, "INVALID_QUERY", "name must be 2 to 100 characters")
            return
        data = json.dumps({"candidates": search_companies(wanted)}, ensure_ascii=False).encode()
        if scenario == "malformed":
            data = data[: max(1, len(data) // 3)]
        self._send(200, data)

    def _order(self, kind: str) -> None:
        bureau = self.bureau
        requested = self.headers.get(SCENARIO_HEADER)
        if requested is not None and requested not in SCENARIOS:
            self._body()
            self._error(400, "UNKNOWN_SCENARIO", f"unknown {SCENARIO_HEADER}")
            return
        request = self._json_body()
        if not self._authorised():
            return
        scenario = bureau.pick_scenario(requested)
        wait = bureau.latency()
        if wait:
            time.sleep(wait)
        if scenario == "hang":
            bureau._stopping.wait(bureau.config.hang_seconds)
            self._reset_connection()
            return
        status = {"401": 401, "403": 403, "404": 404, "429": 429, "500": 500, "502": 502}
        if scenario == "401":
            self._error(401, "INVALID_TOKEN", "the access token is invalid")
            return
        if scenario in ("429", "503"):
            retry = {"Retry-After": str(bureau.config.retry_after_seconds)}
            code = "RATE_LIMITED" if scenario == "429" else "SERVICE_UNAVAILABLE"
            self._error(int(scenario), code, "try again later", retry)
            return
        if scenario in ("500", "502"):
            self._error(status[scenario], "INTERNAL_ERROR", "the bureau failed")
            return
        if scenario == "403" or request.get("product") not in bureau.config.products:
            self._error(403, "PRODUCT_NOT_IN_CONTRACT", "the product is not in your contract")
            return
        if PRODUCTS.get(str(request.get("product"))) != kind:
            self._error(400, "PRODUCT_MISMATCH", "the product is not for this kind of subject")
            return
        if kind == "company" and not orgnr.is_valid(str(request.get("organisationNumber", ""))):
            self._error(400, "INVALID_SUBJECT", "not a valid organisation number")
            return
        if scenario == "404":
            self._error(404, "NO_MATCH", "no subject matches")
            return
        made = bureau.make_report(kind, request)
        if made == "NO_MATCH":
            self._error(404, "NO_MATCH", "no subject matches")
            return
        if made == "CREDIT_BLOCKED":
            self._error(
                403,
                "CREDIT_BLOCKED",
                "the subject has a credit block (kredittsperre) for this purpose",
                allowedPurposes=list(subjects.INKASSO_PURPOSES),
            )
            return
        data = json.dumps(made, ensure_ascii=False).encode("utf-8")
        if scenario == "slow":
            bureau._stopping.wait(bureau.config.slow_seconds)
        elif scenario == "reset":
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self._reset_connection()
            return
        elif scenario == "malformed":
            data = data[: max(1, len(data) // 3)]
        self._send(200, data)


def search_companies(wanted: str, limit: int = 20) -> list[dict[str, Any]]:
    """Companies whose name contains every word of ``wanted`` (case-folded), by name."""
    words = wanted.split()
    found = [
        {
            "organisationNumber": number,
            "name": company["name"],
            "organisationForm": company["organisationForm"],
            "status": company["status"],
            "city": company["address"]["city"],
        }
        for number, company in subjects.COMPANIES.items()
        if number not in subjects.DISSOLVED
        and all(word in company["name"].casefold() for word in words)
    ]
    return sorted(found, key=lambda c: c["name"])[:limit]


def _summary(report: dict[str, Any]) -> dict[str, Any]:
    return {
        "reportId": report["reportId"],
        "clientReference": report["clientReference"],
        "product": report["product"],
        "generatedAt": report["generatedAt"],
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m simulators.bureau",
        description="Credit bureau simulator (Experian-like JSON API), for tests and the stack.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (loopback)")
    parser.add_argument("--port", type=int, default=8027, help="HTTP port (0: any free)")
    parser.add_argument("--client-id", default=BureauConfig.client_id)
    parser.add_argument(
        "--client-secret",
        default=os.environ.get("BUREAU_CLIENT_SECRET") or BureauConfig.client_secret,
        help="the client secret it accepts (default: $BUREAU_CLIENT_SECRET)",
    )
    parser.add_argument("--token-ttl", type=int, default=BureauConfig.token_ttl_seconds)
    parser.add_argument("--latency-ms", type=float, default=0.0, help="median latency")
    parser.add_argument("--fault-rate", type=float, default=0.0, help="random faults, 0-1")
    parser.add_argument("--slow-seconds", type=float, default=BureauConfig.slow_seconds)
    parser.add_argument("--hang-seconds", type=float, default=BureauConfig.hang_seconds)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    config = BureauConfig(
        client_id=args.client_id,
        client_secret=args.client_secret,
        token_ttl_seconds=args.token_ttl,
        latency_ms=args.latency_ms,
        fault_rate=args.fault_rate,
        slow_seconds=args.slow_seconds,
        hang_seconds=args.hang_seconds,
        seed=args.seed,
    )
    stopping = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    bureau = BureauSimulator(args.port, host=args.host, config=config).start()
    print(f"bureau simulator ready: {bureau.url}", flush=True)
    try:
        stopping.wait()
    finally:
        bureau.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
