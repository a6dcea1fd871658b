"""An ERP: the used part of Tripletex's API v2 over real HTTP, for tests and the local stack.

InfoCenter's first ERP connector (``services/integrations``) reads overdue invoices from a
creditor's Tripletex and posts settlements back. Tripletex cannot be reached from here, so
this simulator speaks the shapes of its public API v2 description (``/v2/swagger.json``;
written from the documentation, not copied), and the connector's real adapter (httpx) runs
against it:

- ``PUT /v2/token/session/:create?consumerToken=&employeeToken=&expirationDate=`` → ``{"value":
  {"id", "version", "consumerToken": {"id"}, "employeeToken": {"id"}, "expirationDate",
  "token"}}``; ``GET /v2/token/session/>whoAmI`` names the company; then every call
  authenticates with HTTP Basic, user ``0`` (the employee's
  own company) or the company's id, and the session token as the password;
- ``GET /v2/invoice?invoiceDateFrom=&invoiceDateTo=`` (both required) with ``from``,
  ``count``, ``customerId``, ``id`` (comma list): the list envelope ``{"fullResultSize",
  "from", "count", "versionDigest", "values"}``; invoices with ``id``, ``version``,
  ``invoiceNumber``, ``invoiceDate``, ``invoiceDueDate``, ``customer`` (``{"id"}``),
  ``amount``, ``amountOutstanding``, ``currency`` (``{"id", "code"}``), ``isCreditNote``,
  ``creditedInvoice`` (the original's id on a credit note), ``isCredited``, ``kid``,
  ``comment``, ``postings`` of payments are left out (not used);
- ``GET /v2/customer?id=1,2`` (or ``/v2/customer/<id>``): ``id``, ``version``, ``name``,
  ``customerNumber``, ``organizationNumber``, ``isPrivateIndividual``, ``email``,
  ``phoneNumber``, ``postalAddress`` ``{"addressLine1", "addressLine2", "postalCode",
  "city", "country": {"id", "isoAlpha2Code"}}``;
- ``POST /v2/ledger/voucher`` ``{"date", "description", "postings": [{"row", "date",
  "description", "account": {"id"}, "amountGross", "amountGrossCurrency",
  "customer"?}]}`` → ``201 {"value": voucher}``; the postings must balance to zero
  (else ``422``); ``GET /v2/ledger/account?number=`` for the accounts' ids;
- errors as Tripletex's ``{"status", "code", "message", "link", "developerMessage",
  "validationMessages": [{"field", "message"}] | null, "requestId"}``: ``401`` (code 3000,
  no or a wrong session), ``403`` (9000, wrong consumer/employee token), ``404`` (6000),
  ``422`` (15000, validation), ``429`` (rate limit);
- rate limits per session: ``X-Rate-Limit-Limit``, ``X-Rate-Limit-Remaining`` and
  ``X-Rate-Limit-Reset`` (seconds until the window resets) on every answer; over the
  limit, ``429`` with the same headers and ``Retry-After``;
- ``GET /health``; inspection and editing of the ERP's state (``/_sim/...``: it is a
  simulator): ``GET /_sim/vouchers``, ``GET /_sim/calls``, ``POST /_sim/reset``,
  ``POST /_sim/invoices/<id>/payment`` ``{"amount"}``, ``POST
  /_sim/invoices/<id>/due-date`` ``{"date"}``, ``POST /_sim/invoices/<id>/credit-note``
  ``{"amount"}``, ``POST /_sim/rate-limit`` ``{"limit", "windowSeconds"}``.

Amounts are kroner as JSON numbers, as Tripletex sends them (the connector turns them into
øre once). :func:`demo_company` builds the fixtures, with the edge cases the connector
must survive (credit notes, partial payments, changed due dates, a foreign customer, a
business without an organisation number, a private individual). Nothing here is meant for
production: it binds to loopback, and its inspection endpoints have no access control.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import contextlib
import datetime as dt
import json
import logging
import secrets
import signal
import sys
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType, TracebackType
from typing import Any, Final, cast
from urllib.parse import parse_qs, unquote, urlsplit

log = logging.getLogger("simulators.tripletex")

MAX_BODY: Final = 256 * 1024
MAX_COUNT: Final = 1000
COUNTRIES: Final = {"NO": 161, "SE": 200, "DK": 57, "DE": 79, "GB": 222}
ACCOUNTS: Final = {
    1500: "Kundefordringer",
    1920: "Bankinnskudd",
    2400: "Leverandørgjeld",
    2710: "Inngående merverdiavgift",
    3900: "Annen driftsrelatert inntekt",
    3990: "Annen driftsinntekt",
    6790: "Annen fremmed tjeneste",
    7770: "Bank og kortgebyrer",
    8050: "Annen renteinntekt",
    7830: "Tap på fordringer",
}
ACCOUNT_ID_BASE: Final = 480_000
"""An account's id is not its number in Tripletex: ids here are this plus the number."""


@dataclass
class Customer:
    id: int
    name: str
    organization_number: str
    is_private_individual: bool
    address_line1: str
    postal_code: str
    city: str
    country: str = "NO"
    email: str = ""
    version: int = 0
    customer_number: int = 0

    def json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "version": self.version,
            "url": f"tripletex/v2/customer/{self.id}",
            "name": self.name,
            "customerNumber": self.customer_number or 10000 + self.id,
            "organizationNumber": self.organization_number,
            "isPrivateIndividual": self.is_private_individual,
            "isCustomer": True,
            "email": self.email,
            "phoneNumber": "",
            "postalAddress": {
                "id": 50000 + self.id,
                "addressLine1": self.address_line1,
                "addressLine2": "",
                "postalCode": self.postal_code,
                "city": self.city,
                "country": {"id": COUNTRIES.get(self.country, 0), "isoAlpha2Code": self.country},
            },
        }


@dataclass
class Invoice:
    id: int
    invoice_number: int
    invoice_date: dt.date
    due_date: dt.date
    customer_id: int
    amount: float
    outstanding: float
    version: int = 0
    is_credit_note: bool = False
    credited_invoice: int | None = None
    is_credited: bool = False
    comment: str = ""
    currency: str = "NOK"

    def json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "version": self.version,
            "url": f"tripletex/v2/invoice/{self.id}",
            "invoiceNumber": self.invoice_number,
            "invoiceDate": self.invoice_date.isoformat(),
            "invoiceDueDate": self.due_date.isoformat(),
            "customer": {
                "id": self.customer_id,
                "url": f"tripletex/v2/customer/{self.customer_id}",
            },
            "amount": self.amount,
            "amountCurrency": self.amount,
            "amountOutstanding": self.outstanding,
            "amountCurrencyOutstanding": self.outstanding,
            "currency": {"id": 1, "code": self.currency},
            "isCreditNote": self.is_credit_note,
            "creditedInvoice": self.credited_invoice,
            "isCredited": self.is_credited,
            "kid": f"{self.invoice_number:08d}",
            "comment": self.comment,
        }


@dataclass
class TripletexConfig:
    """What the simulator accepts and how it behaves."""

    consumer_token: str = "sim-consumer-token"
    employee_token: str = "sim-employee-token"
    company_id: int = 4711
    rate_limit: int = 10_000
    """Calls per window and session (Tripletex's own limits are per consumer token)."""
    rate_window_seconds: float = 60.0


@dataclass
class _State:
    customers: dict[int, Customer] = field(default_factory=dict)
    invoices: dict[int, Invoice] = field(default_factory=dict)
    sessions: dict[str, dt.date] = field(default_factory=dict)
    vouchers: list[dict[str, Any]] = field(default_factory=list)
    calls: list[dict[str, Any]] = field(default_factory=list)
    windows: dict[str, tuple[float, int]] = field(default_factory=dict)
    rate_limited: int = 0
    next_id: int = 900_000


class _Abort(Exception):
    """Stop answering this request (it was answered already)."""


class TripletexSimulator:
    """The ERP's HTTP server in a thread of its own: start it, call it, edit its books."""

    def __init__(
        self, port: int = 0, *, host: str = "127.0.0.1", config: TripletexConfig | None = None
    ) -> None:
        self.host = host
        self.port = port
        self.config = config or TripletexConfig()
        self.state = _State()
        self.lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/v2"

    def start(self) -> TripletexSimulator:
        server = _Server((self.host, self.port), _Handler)
        server.erp = self
        self._server = server
        self.port = server.server_address[1]
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="tripletex-simulator",
            daemon=True,
        )
        self._thread.start()
        log.info("tripletex simulator on %s", self.url)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def __enter__(self) -> TripletexSimulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- the books -------------------------------------------------------------------------

    def reset(self) -> None:
        with self.lock:
            self.state = _State()

    def _id(self) -> int:
        self.state.next_id += 1
        return self.state.next_id

    def add_customer(self, **fields: Any) -> Customer:
        with self.lock:
            customer = Customer(id=self._id(), **fields)
            self.state.customers[customer.id] = customer
            return customer

    def add_invoice(
        self,
        customer: Customer,
        amount: float,
        *,
        invoice_date: dt.date,
        due_date: dt.date,
        outstanding: float | None = None,
    ) -> Invoice:
        with self.lock:
            invoice_id = self._id()
            invoice = Invoice(
                id=invoice_id,
                invoice_number=10_000 + len(self.state.invoices) + 1,
                invoice_date=invoice_date,
                due_date=due_date,
                customer_id=customer.id,
                amount=amount,
                outstanding=amount if outstanding is None else outstanding,
            )
            self.state.invoices[invoice_id] = invoice
            return invoice

    def register_payment(self, invoice_id: int, amount: float) -> Invoice:
        """The customer paid the creditor directly (``PUT /invoice/{id}/:payment`` in Tripletex)."""
        with self.lock:
            invoice = self.state.invoices[invoice_id]
            invoice.outstanding = round(max(invoice.outstanding - amount, 0.0), 2)
            invoice.version += 1
            return invoice

    def change_due_date(self, invoice_id: int, due_date: dt.date) -> Invoice:
        with self.lock:
            invoice = self.state.invoices[invoice_id]
            invoice.due_date = due_date
            invoice.version += 1
            return invoice

    def create_credit_note(self, invoice_id: int, amount: float, *, on: dt.date) -> Invoice:
        """A credit note against an invoice (``PUT /invoice/{id}/:createCreditNote``), in part
        or in full: the original's outstanding amount goes down by it."""
        with self.lock:
            original = self.state.invoices[invoice_id]
            note = Invoice(
                id=self._id(),
                invoice_number=10_000 + len(self.state.invoices) + 1,
                invoice_date=on,
                due_date=on,
                customer_id=original.customer_id,
                amount=-amount,
                outstanding=0.0,
                is_credit_note=True,
                credited_invoice=original.id,
            )
            self.state.invoices[note.id] = note
            original.outstanding = round(max(original.outstanding - amount, 0.0), 2)
            original.is_credited = True
            original.version += 1
            return note

    @property
    def rate_limited(self) -> int:
        """How many calls were answered 429."""
        with self.lock:
            return self.state.rate_limited

    def vouchers(self) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(v) for v in self.state.vouchers]

    def calls(self) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(c) for c in self.state.calls]

    def set_rate_limit(self, limit: int, window_seconds: float = 60.0) -> None:
        with self.lock:
            self.config.rate_limit = limit
            self.config.rate_window_seconds = window_seconds
            self.state.windows.clear()

    # -- protocol --------------------------------------------------------------------------

    def create_session(self, consumer: str, employee: str, expires: dt.date) -> str | None:
        if not (
            secrets.compare_digest(consumer, self.config.consumer_token)
            and secrets.compare_digest(employee, self.config.employee_token)
        ):
            return None
        token = base64.b64encode(
            json.dumps({"tokenId": secrets.randbelow(10**9), "token": uuid.uuid4().hex}).encode()
        ).decode()
        with self.lock:
            self.state.sessions[token] = expires
        return token

    def session_valid(self, token: str) -> bool:
        with self.lock:
            expires = self.state.sessions.get(token)
        return expires is not None and expires >= dt.date.today()

    def expire_sessions(self) -> None:
        with self.lock:
            self.state.sessions.clear()

    def take_call(self, token: str) -> tuple[bool, dict[str, str], int]:
        """Count a call against the session's window: (allowed, headers, seconds to reset)."""
        now = time.monotonic()
        with self.lock:
            start, used = self.state.windows.get(token, (now, 0))
            if now - start >= self.config.rate_window_seconds:
                start, used = now, 0
            used += 1
            self.state.windows[token] = (start, used)
            limit = self.config.rate_limit
            if used > limit:
                self.state.rate_limited += 1
            reset = max(1, int(self.config.rate_window_seconds - (now - start) + 0.999))
        headers = {
            "X-Rate-Limit-Limit": str(limit),
            "X-Rate-Limit-Remaining": str(max(limit - used, 0)),
            "X-Rate-Limit-Reset": str(reset),
        }
        return used <= limit, headers, reset

    def list_invoices(self, query: dict[str, str]) -> list[dict[str, Any]]:
        date_from = dt.date.fromisoformat(query["invoiceDateFrom"])
        date_to = dt.date.fromisoformat(query["invoiceDateTo"])
        ids = _id_list(query.get("id"))
        customer = query.get("customerId")
        with self.lock:
            found = [
                i.json()
                for i in sorted(self.state.invoices.values(), key=lambda i: i.id)
                if date_from <= i.invoice_date < date_to
                and (ids is None or i.id in ids)
                and (customer is None or str(i.customer_id) == customer)
            ]
        return found

    def list_customers(self, query: dict[str, str]) -> list[dict[str, Any]]:
        ids = _id_list(query.get("id"))
        with self.lock:
            return [
                c.json()
                for c in sorted(self.state.customers.values(), key=lambda c: c.id)
                if ids is None or c.id in ids
            ]

    def import_voucher(self, body: dict[str, Any]) -> dict[str, Any] | list[dict[str, str]]:
        """A voucher (bilag) from its postings, or the validation messages."""
        problems: list[dict[str, str]] = []
        try:
            date = dt.date.fromisoformat(str(body.get("date")))
        except ValueError:
            problems.append({"field": "date", "message": "Kan ikke være null."})
            date = dt.date.today()
        postings = body.get("postings")
        if not isinstance(postings, list) or not postings:
            return [*problems, {"field": "postings", "message": "Bilaget har ingen posteringer."}]
        total = 0
        for n, posting in enumerate(postings):
            account = (
                (posting.get("account") or {}).get("id") if isinstance(posting, dict) else None
            )
            if not isinstance(account, int) or account - ACCOUNT_ID_BASE not in ACCOUNTS:
                problems.append({"field": f"postings[{n}].account", "message": "Ugyldig konto."})
            amount = posting.get("amountGross") if isinstance(posting, dict) else None
            if not isinstance(amount, int | float):
                problems.append({"field": f"postings[{n}].amountGross", "message": "Mangler."})
            else:
                total += round(amount * 100)
        if total != 0:
            problems.append({"field": "postings", "message": "Bilaget er ikke i balanse."})
        if problems:
            return problems
        with self.lock:
            voucher = {
                "id": self._id(),
                "version": 0,
                "number": len(self.state.vouchers) + 1,
                "year": date.year,
                "date": date.isoformat(),
                "description": str(body.get("description") or "")[:255],
                "postings": postings,
            }
            self.state.vouchers.append(voucher)
        return voucher


def _id_list(value: str | None) -> set[int] | None:
    if value is None:
        return None
    try:
        return {int(v) for v in value.split(",") if v.strip()}
    except ValueError:
        return set()


class _Server(ThreadingHTTPServer):
    request_queue_size = 256  # many clients at once (a bench's 50): the default backlog is 5
    daemon_threads = True
    allow_reuse_address = True
    erp: TripletexSimulator


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "InfoCenterTripletexSimulator/1"

    @property
    def erp(self) -> TripletexSimulator:
        return cast(_Server, self.server).erp

    def _path(self) -> str:
        return unquote(urlsplit(self.path).path)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.command, self._path())

    def _body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._error(413, 15000, "Request too large.")
            raise _Abort
        try:
            data = json.loads(self.rfile.read(length) if length else b"{}")
        except ValueError:
            self._error(400, 16000, "Request mapping failed: the body is not JSON.")
            raise _Abort from None
        if not isinstance(data, dict):
            self._error(400, 16000, "Request mapping failed: expected an object.")
            raise _Abort
        return data

    def _json(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _error(
        self,
        status: int,
        code: int,
        message: str,
        *,
        validation: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self._json(
            status,
            {
                "status": status,
                "code": code,
                "message": message,
                "link": "https://tripletex.no/v2-docs/",
                "developerMessage": message,
                "validationMessages": validation,
                "requestId": str(uuid.uuid4()),
            },
            headers,
        )

    def _query(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(urlsplit(self.path).query).items()}

    def _session(self) -> tuple[str, dict[str, str]]:
        """The caller's session token (Basic ``0:<token>``) and its rate-limit headers."""
        header = self.headers.get("Authorization", "")
        token = ""
        if header.startswith("Basic "):
            try:
                user, _, token = base64.b64decode(header[6:]).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                user = ""
            if user not in ("0", str(self.erp.config.company_id)):
                token = ""
        if not token or not self.erp.session_valid(token):
            self._error(401, 3000, "Unauthorized: no valid session token.")
            raise _Abort
        allowed, headers, reset = self.erp.take_call(token)
        if not allowed:
            self._error(
                429, 429, "Too many requests.", headers={**headers, "Retry-After": str(reset)}
            )
            raise _Abort
        return token, headers

    def _record(self) -> None:
        with self.erp.lock:
            self.erp.state.calls.append(
                {"method": self.command, "path": self._path(), "query": self._query()}
            )

    def do_GET(self) -> None:
        with contextlib.suppress(_Abort):
            self._get()

    def do_PUT(self) -> None:
        with contextlib.suppress(_Abort):
            self._put()

    def do_POST(self) -> None:
        with contextlib.suppress(_Abort):
            self._post()

    def _get(self) -> None:
        path = self._path()
        if path == "/health":
            self._json(200, {"status": "ok"})
            return
        if path == "/_sim/vouchers":
            self._json(200, {"values": self.erp.vouchers()})
            return
        if path == "/_sim/calls":
            self._json(200, {"values": self.erp.calls()})
            return
        self._record()
        _, headers = self._session()
        query = self._query()
        if path == "/v2/invoice":
            missing = [
                {"field": name, "message": "Kan ikke være null."}
                for name in ("invoiceDateFrom", "invoiceDateTo")
                if not query.get(name)
            ]
            if missing:
                self._error(422, 15000, "Validering feilet.", validation=missing, headers=headers)
                return
            try:
                values = self.erp.list_invoices(query)
            except ValueError:
                self._error(
                    422,
                    15000,
                    "Validering feilet.",
                    validation=[{"field": "invoiceDateFrom", "message": "Ugyldig dato."}],
                    headers=headers,
                )
                return
            self._page(values, query, headers)
        elif path == "/v2/token/session/>whoAmI":
            company = self.erp.config.company_id
            self._json(
                200, {"value": {"employeeId": 1, "companyId": company, "language": "no"}}, headers
            )
        elif path == "/v2/customer":
            self._page(self.erp.list_customers(query), query, headers)
        elif path.startswith("/v2/customer/"):
            found = self.erp.list_customers({"id": path.rsplit("/", 1)[1]})
            if not found:
                self._error(404, 6000, "Object not found.", headers=headers)
                return
            self._json(200, {"value": found[0]}, headers)
        elif path == "/v2/ledger/account":
            number = query.get("number")
            accounts = [
                {"id": ACCOUNT_ID_BASE + n, "number": n, "name": name}
                for n, name in sorted(ACCOUNTS.items())
                if number is None or str(n) == number
            ]
            self._page(accounts, query, headers)
        else:
            self._error(404, 6000, "Object not found.", headers=headers)

    def _page(
        self, values: list[dict[str, Any]], query: dict[str, str], headers: dict[str, str]
    ) -> None:
        try:
            start = max(int(query.get("from", "0")), 0)
            count = min(max(int(query.get("count", str(MAX_COUNT))), 0), MAX_COUNT)
        except ValueError:
            self._error(
                422,
                15000,
                "Validering feilet.",
                validation=[{"field": "from", "message": "Må være et tall."}],
                headers=headers,
            )
            return
        page = values[start : start + count]
        digest = uuid.uuid5(uuid.NAMESPACE_OID, json.dumps(page, sort_keys=True)).hex
        self._json(
            200,
            {
                "fullResultSize": len(values),
                "from": start,
                "count": len(page),
                "versionDigest": digest,
                "values": page,
            },
            headers,
        )

    def _put(self) -> None:
        path = self._path()
        if path != "/v2/token/session/:create":
            self._record()
            _, headers = self._session()
            self._error(404, 6000, "Object not found.", headers=headers)
            return
        query = self._query()
        try:
            expires = dt.date.fromisoformat(query.get("expirationDate", ""))
        except ValueError:
            self._error(
                422,
                15000,
                "Validering feilet.",
                validation=[{"field": "expirationDate", "message": "Kan ikke være null."}],
            )
            return
        token = self.erp.create_session(
            query.get("consumerToken", ""), query.get("employeeToken", ""), expires
        )
        if token is None:
            self._error(403, 9000, "Invalid consumer or employee token.")
            return
        self._json(
            200,
            {
                "value": {
                    "id": secrets.randbelow(10**6),
                    "version": 1,
                    "consumerToken": {"id": 1},
                    "employeeToken": {"id": 2},
                    "expirationDate": expires.isoformat(),
                    "token": token,
                }
            },
        )

    def _post(self) -> None:
        path = self._path()
        if path.startswith("/_sim/"):
            self._simulate(path, self._body())
            return
        self._record()
        _, headers = self._session()
        if path != "/v2/ledger/voucher":
            self._error(404, 6000, "Object not found.", headers=headers)
            return
        made = self.erp.import_voucher(self._body())
        if isinstance(made, list):
            self._error(422, 15000, "Validering feilet.", validation=made, headers=headers)
            return
        self._json(201, {"value": made}, headers)

    def _simulate(self, path: str, body: dict[str, Any]) -> None:
        parts = path.strip("/").split("/")
        erp = self.erp
        try:
            if parts == ["_sim", "reset"]:
                erp.reset()
                self._json(200, {"status": "reset"})
            elif parts == ["_sim", "rate-limit"]:
                erp.set_rate_limit(int(body["limit"]), float(body.get("windowSeconds", 60)))
                self._json(200, {"status": "ok"})
            elif len(parts) == 4 and parts[1] == "invoices":
                invoice_id = int(parts[2])
                if parts[3] == "payment":
                    made = erp.register_payment(invoice_id, float(body["amount"]))
                elif parts[3] == "due-date":
                    made = erp.change_due_date(invoice_id, dt.date.fromisoformat(body["date"]))
                elif parts[3] == "credit-note":
                    made = erp.create_credit_note(
                        invoice_id, float(body["amount"]), on=dt.date.today()
                    )
                else:
                    raise KeyError(parts[3])
                self._json(200, {"value": made.json()})
            else:
                self._error(404, 6000, "Object not found.")
        except (KeyError, ValueError, TypeError):
            self._error(422, 15000, "Validering feilet.")


def demo_company(erp: TripletexSimulator, *, today: dt.date, invoices: int = 12) -> list[Invoice]:
    """Fixtures: overdue invoices of Norwegian businesses, and the edge cases.

    ``invoices`` plain overdue invoices to valid businesses, then: one paid in part, one
    whose due date was moved, one credited in part, one to a Swedish business, one to a
    business without an organisation number, one to a private individual, one not yet
    due and one paid in full (neither is overdue).
    """
    made: list[Invoice] = []
    businesses = [
        ("Fjellbekk Rør AS", "974760673", "Storgata 1", "0155", "Oslo"),
        ("Havbris Catering AS", "915867700", "Bryggen 4", "5003", "Bergen"),
        ("Nordkapp Transport AS", "937052766", "Havnegata 10", "9750", "Honningsvåg"),
        ("Trollheimen Bygg AS", "984851006", "Industriveien 3", "7300", "Orkanger"),
    ]
    customers = [
        erp.add_customer(
            name=name,
            organization_number=orgnr,
            is_private_individual=False,
            address_line1=street,
            postal_code=postal,
            city=city,
            email="post@example.no",
        )
        for name, orgnr, street, postal, city in businesses
    ]
    for n in range(invoices):
        day = today - dt.timedelta(days=60 + n)
        made.append(
            erp.add_invoice(
                customers[n % len(customers)],
                1_250.0 + 125.5 * n,
                invoice_date=day,
                due_date=day + dt.timedelta(days=14),
            )
        )
    old = today - dt.timedelta(days=75)
    partly = erp.add_invoice(
        customers[0], 8_000.0, invoice_date=old, due_date=old + dt.timedelta(days=14)
    )
    erp.register_payment(partly.id, 3_000.0)
    moved = erp.add_invoice(
        customers[1], 4_200.0, invoice_date=old, due_date=old + dt.timedelta(days=14)
    )
    erp.change_due_date(moved.id, old + dt.timedelta(days=30))
    credited = erp.add_invoice(
        customers[2], 6_000.0, invoice_date=old, due_date=old + dt.timedelta(days=14)
    )
    erp.create_credit_note(credited.id, 1_000.0, on=old + dt.timedelta(days=20))
    swedish = erp.add_customer(
        name="Göteborgs Fisk AB",
        organization_number="5560360793",
        is_private_individual=False,
        address_line1="Hamngatan 2",
        postal_code="411 06",
        city="Göteborg",
        country="SE",
    )
    nameless = erp.add_customer(
        name="Ukjent Handel",
        organization_number="",
        is_private_individual=False,
        address_line1="Torget 5",
        postal_code="3015",
        city="Drammen",
    )
    private = erp.add_customer(
        name="Ola Nordmann",
        organization_number="",
        is_private_individual=True,
        address_line1="Skogveien 8",
        postal_code="1360",
        city="Fornebu",
    )
    for customer in (swedish, nameless, private):
        made.append(
            erp.add_invoice(
                customer, 2_500.0, invoice_date=old, due_date=old + dt.timedelta(days=14)
            )
        )
    recent = today - dt.timedelta(days=3)
    erp.add_invoice(
        customers[3], 900.0, invoice_date=recent, due_date=recent + dt.timedelta(days=14)
    )
    paid = erp.add_invoice(
        customers[3], 700.0, invoice_date=old, due_date=old + dt.timedelta(days=14)
    )
    erp.register_payment(paid.id, 700.0)
    return [*made, partly, moved, credited]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m simulators.tripletex",
        description="Tripletex API v2 simulator (the ERP), for tests and the local stack.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (loopback)")
    parser.add_argument("--port", type=int, default=8029, help="HTTP port (0: any free)")
    parser.add_argument("--consumer-token", default=TripletexConfig.consumer_token)
    parser.add_argument("--employee-token", default=TripletexConfig.employee_token)
    parser.add_argument("--invoices", type=int, default=12, help="plain overdue invoices")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    config = TripletexConfig(consumer_token=args.consumer_token, employee_token=args.employee_token)
    stopping = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    erp = TripletexSimulator(args.port, host=args.host, config=config).start()
    demo_company(erp, today=dt.date.today(), invoices=args.invoices)
    print(f"tripletex simulator ready: {erp.url}", flush=True)
    try:
        stopping.wait()
    finally:
        erp.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
