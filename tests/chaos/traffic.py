"""The traffic of the fault run, through the gateway: case files imported, bank files of
payments read in, portal reads, notes written and cases registered. Every loop records
what the stack answered with a 2xx, so the checks can demand each such effect afterwards.

A write is sent with an ``Idempotency-Key`` and, when it fails (a killed process, the
broker or the database away), sent again with the same key until it gets a 2xx or its
time runs out: what a well-behaved client does, and what makes "answered 2xx once, done
once" checkable.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
import secrets
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx
from servicekit.testing.data import national_identity_number
from servicekit.testing.wait import wait_for
from simulators.bank import IncomingPayment, ocr_giro_file

from ..e2e.identity import SignedIn
from ..e2e.money_support import CLIENT_FUNDS

GIVING_UP = {400, 403, 404, 413, 415, 422}
"""Answers that no retry changes: the request itself is wrong (a bug of the test)."""


async def pause(stop: asyncio.Event, seconds: float) -> None:
    """Wait ``seconds`` or until ``stop`` is set, whichever comes first (pacing a loop)."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


@dataclass
class Tally:
    """What one loop got: answers by status (``error`` for no answer at all)."""

    answers: Counter[str] = field(default_factory=Counter)
    retries: int = 0
    samples: dict[str, str] = field(default_factory=dict)
    """The first answer of each status other than 2xx (its problem ``code`` or text)."""

    @property
    def ok(self) -> int:
        return sum(n for status, n in self.answers.items() if status.startswith("2"))

    @property
    def failed(self) -> int:
        return sum(self.answers.values()) - self.ok

    def note(self, response: httpx.Response | None) -> None:
        status = "error" if response is None else str(response.status_code)
        self.answers[status] += 1
        if response is not None and not response.is_success and status not in self.samples:
            self.samples[status] = f"{response.request.url.path}: {response.text[:200]}"


class Session:
    """A signed-in user shared by the loops: one refresh at a time (two at once would
    present the same refresh token twice, which ends the session as a reuse)."""

    def __init__(self, signed_in: SignedIn) -> None:
        self.signed_in = signed_in
        self.lock = asyncio.Lock()

    async def headers(self) -> dict[str, str]:
        async with self.lock:
            return await self.signed_in.headers()

    async def refresh_if_due(self, margin: float) -> None:
        """Refresh now when the token expires within ``margin`` seconds."""
        async with self.lock:
            if self.signed_in.expires_at - time.monotonic() < margin:
                self.signed_in.expires_at = 0.0
                await self.signed_in.headers()


async def send(
    client: httpx.AsyncClient, tally: Tally, method: str, url: str, **kwargs: Any
) -> httpx.Response | None:
    """One request; ``None`` when no answer came (connection refused or cut)."""
    try:
        response = await client.request(method, url, **kwargs)
    except httpx.TransportError:
        tally.note(None)
        return None
    tally.note(response)
    return response


async def write_once(
    client: httpx.AsyncClient,
    tally: Tally,
    who: Session,
    method: str,
    url: str,
    *,
    seconds: float = 300.0,
    headers: dict[str, str] | None = None,
    **kwargs: Any,
) -> httpx.Response:
    """A write, sent again with the same ``Idempotency-Key`` until a 2xx answers it."""
    key = str(uuid.uuid4())
    last: list[httpx.Response | None] = []

    async def attempt() -> httpx.Response | None:
        sent = {**(headers or {}), **await who.headers(), "Idempotency-Key": key}
        if last:
            tally.retries += 1
        response = await send(client, tally, method, url, headers=sent, **kwargs)
        last.append(response)
        if response is not None and response.status_code in GIVING_UP:
            raise AssertionError(f"{method} {url} refused: {response.status_code} {response.text}")
        return response if response is not None and response.is_success else None

    return await wait_for(attempt, what=f"a 2xx to {method} {url}", seconds=seconds, every=0.5)


def case_file(run: str, first: int, rows: int) -> bytes:
    """A CSV of ``rows`` overdue claims, one case each, references ``<run>-<n>``."""
    today = date.today()
    due = (today - timedelta(days=20)).strftime("%d.%m.%Y")
    issued = (today - timedelta(days=34)).strftime("%d.%m.%Y")
    lines = [
        "creditor_reference;debtor_kind;debtor_name;national_id;address_line_1;postal_code;"
        "city;invoice_number;invoice_date;due_date;principal"
    ]
    for n in range(first, first + rows):
        lines.append(
            f"{run}-{n};person;Ola Nordmann {n};{national_identity_number()};Gata {n % 90 + 1};"
            f"0155;Oslo;F-{n};{issued};{due};1 234,50"
        )
    return ("\n".join(lines) + "\n").encode()


def a_case(reference: str) -> dict[str, Any]:
    today = date.today()
    return {
        "creditor_reference": reference,
        "debtor": {
            "kind": "person",
            "name": "Per Hansen",
            "national_id": national_identity_number(),
            "address": {"lines": ["Storgata 2"], "postal_code": "0155", "city": "Oslo"},
        },
        "claims": [
            {
                "invoice_number": "2026-118",
                "invoice_date": (today - timedelta(days=40)).isoformat(),
                "due_date": (today - timedelta(days=20)).isoformat(),
                "principal_ore": 1_234_50,
                "reminder_fee_ore": 0,
            }
        ],
    }


@dataclass
class Traffic:
    """The loops and what they were answered."""

    client: httpx.AsyncClient
    creditor: Session
    handler: Session
    run: str
    rows: int
    rows_per_file: int
    ledger_kids: Callable[[int], Awaitable[list[str]]]
    """KIDs of cases the ledger knows (payments to them are matched)."""
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    tallies: dict[str, Tally] = field(default_factory=dict)
    import_jobs: list[dict[str, Any]] = field(default_factory=list)
    registered: list[dict[str, Any]] = field(default_factory=list)
    """Cases registered one by one with a 2xx (their answers)."""
    notes: dict[str, str] = field(default_factory=dict)
    """Note id → its case, for every note written with a 2xx."""
    note_bodies: list[str] = field(default_factory=list)
    payments: list[tuple[str, int]] = field(default_factory=list)
    """(KID, amount) of every payment in a bank file answered with a 2xx."""
    payment_ids: set[str] = field(default_factory=set)
    reads_missing_notes: list[str] = field(default_factory=list)
    """Notes a read did not show although their write had been answered before it."""

    def tally(self, name: str) -> Tally:
        return self.tallies.setdefault(name, Tally())

    async def imports(self, spacing: float) -> None:
        """The case files, one after another, ``spacing`` seconds apart; each followed
        until its job is completed."""
        tally = self.tally("import upload")
        for first in range(0, self.rows, self.rows_per_file):
            content = case_file(self.run, first, min(self.rows_per_file, self.rows - first))
            uploaded = await write_once(
                self.client,
                tally,
                self.creditor,
                "POST",
                "/api/v1/cases/imports",
                content=content,
                params={"format": "csv", "filename": f"{self.run}-{first}.csv"},
                headers={"Content-Type": "text/csv"},
            )
            self.import_jobs.append(uploaded.json())
            await pause(self.stop, spacing)

    async def follow_imports(self, seconds: float) -> list[dict[str, Any]]:
        """Every job uploaded, once it is completed (or failed)."""
        tally = self.tally("import status")
        finished = []
        deadline = time.monotonic() + seconds
        for job in self.import_jobs:
            path = f"/api/v1/cases/imports/{job['job_id']}"

            async def done(path: str = path) -> dict[str, Any] | None:
                headers = await self.creditor.headers()
                response = await send(self.client, tally, "GET", path, headers=headers)
                if response is None or not response.is_success:
                    return None
                state: dict[str, Any] = response.json()
                return state if state["status"] in ("completed", "failed") else None

            left = max(deadline - time.monotonic(), 1.0)
            finished.append(await wait_for(done, what=f"import {path}", seconds=left, every=0.5))
        return finished

    async def payments_loop(self, every: float, per_file: int = 3) -> None:
        """A bank file of ``per_file`` payments (NOK 100 each, to cases on the ledger)
        every ``every`` seconds, read in by the case handler."""
        tally = self.tally("bank file")
        while not self.stop.is_set():
            kids = await self.ledger_kids(per_file)
            if kids:
                wanted = [(kid, 10_000 + secrets.randbelow(100) * 100) for kid in kids]
                content = ocr_giro_file(
                    [IncomingPayment(amount_ore=amount, kid=kid) for kid, amount in wanted],
                    account=CLIENT_FUNDS,
                    settlement_date=date.today(),
                    transmission_number=secrets.randbelow(9_000_000) + 1,
                    assignment_number=secrets.randbelow(9_000_000) + 1,
                    first_archive_reference=secrets.randbelow(900_000_000),
                )
                answer = await write_once(
                    self.client,
                    tally,
                    self.handler,
                    "POST",
                    "/api/v1/ledger/bank-files",
                    content=content,
                    params={"format": "ocr"},
                    headers={"Content-Type": "application/octet-stream"},
                )
                self.payments.extend(wanted)
                self.payment_ids.update(answer.json()["payment_ids"])
            await pause(self.stop, every)

    async def registrations_loop(self, every: float) -> None:
        """A case registered by hand every ``every`` seconds."""
        tally = self.tally("case registration")
        for n in itertools.count():
            if self.stop.is_set():
                return
            answer = await write_once(
                self.client,
                tally,
                self.creditor,
                "POST",
                "/api/v1/cases",
                json=a_case(f"{self.run}-R{n}"),
            )
            self.registered.append(answer.json())
            await pause(self.stop, every)

    async def notes_loop(self, every: float) -> None:
        """A note on a case registered by hand, every ``every`` seconds."""
        tally = self.tally("note")
        for n in itertools.count():
            if self.stop.is_set():
                return
            if self.registered:
                case_id = random.choice(self.registered[:20])["case_id"]
                body = f"Notat {self.run}-{n}: skyldner har ringt."
                answer = await write_once(
                    self.client,
                    tally,
                    self.creditor,
                    "POST",
                    f"/api/v1/cases/{case_id}/notes",
                    json={"body": body},
                )
                self.notes[str(answer.json()["note_id"])] = case_id
                self.note_bodies.append(body)
            await pause(self.stop, every)

    async def reads_loop(self, every: float) -> None:
        """The creditor's portal reads: the case list, a case, its notes (which must show
        every note answered before the read), its economy on the ledger."""
        tally = self.tally("portal read")
        while not self.stop.is_set():
            headers = await self.creditor.headers()
            await send(
                self.client, tally, "GET", "/api/v1/cases", params={"limit": 20}, headers=headers
            )
            if self.registered:
                case_id = random.choice(self.registered[:20])["case_id"]
                known = {n for n, c in self.notes.items() if c == case_id}
                await send(self.client, tally, "GET", f"/api/v1/cases/{case_id}", headers=headers)
                seen = await send(
                    self.client, tally, "GET", f"/api/v1/cases/{case_id}/notes", headers=headers
                )
                if seen is not None and seen.is_success:
                    shown = {str(n["note_id"]) for n in seen.json()}
                    self.reads_missing_notes.extend(sorted(known - shown))
                await send(
                    self.client,
                    tally,
                    "GET",
                    f"/api/v1/ledger/cases/{case_id}/economy",
                    headers=headers,
                )
            await pause(self.stop, every)
