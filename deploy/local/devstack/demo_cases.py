"""Demo cases for a fresh installation: what the demo creditor's portal shows after ``up``.

Everything goes through the gateway's public API as the seeded demo users would do it:
the agency administrator gives the demo creditor an agreement; the creditor (Kari
Kreditor at Nordlys) registers ``CASE_COUNT`` cases in one batch, with the references
``DEMO-0001`` …, and writes a note on one; the case handler reads in an OCR giro file from
the bank simulator (some cases paid partly, one payment nobody's KID), pays one case in
full, answers the note and registers an objection on another; the administrator runs a
settlement for the period up to yesterday and uploads the bank simulator's acceptance
(pain.002) of its payout file, so the settlement is paid out and the reports service
issues its statement (avregning), which the seed waits for.

It is idempotent: each step first asks whether it was done (the references exist, the
case has payments or notes, the creditor has a settlement) and then does nothing, so a
second ``up`` adds nothing. It is for development only: the identity service's
``seed-demo`` (which gives the logins) refuses to run in production.

The cases themselves are pure data (:func:`demo_cases`): Norwegian names and addresses,
valid generated fødselsnummer and organisasjonsnummer, varied amounts and due dates.
"""

from __future__ import annotations

import asyncio
import secrets
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Protocol, TypeVar

import httpx
import pyotp
from servicekit.testing.data import national_identity_number, organisation_number
from simulators.bank import BankSimulator, IncomingPayment, kid_mod10, ocr_giro_file

PREFIX = "DEMO-"
CASE_COUNT = 24
CLIENT_FUNDS_ACCOUNT = "15030212344"
"""The ledger's client-funds account (``LEDGER_CLIENT_FUNDS_ACCOUNT``'s default)."""

CREDITOR = "kari@nordlys.example"
CASE_HANDLER = "saksbehandler@infocenter.example"
AGENCY_ADMIN = "admin@infocenter.example"
CREDITOR_ADMIN = "admin@nordlys.example"
TRIPLETEX_KEYS = {"consumer_token": "sim-consumer-token", "employee_token": "sim-employee-token"}
"""The local Tripletex simulator's keys (``simulators.tripletex`` defaults): Nordlys's ERP."""

PAID_IN_FULL = "DEMO-0003"
PAID_PARTLY = {"DEMO-0005": 500_00, "DEMO-0009": 1_200_00, "DEMO-0018": 10_000_00}
WITH_NOTES = "DEMO-0002"
WITH_OBJECTION = "DEMO-0007"
UNMATCHED_ORE = 1_500_00
UNMATCHED_KID = kid_mod10("202612010042")
"""A KID of 13 digits: the cases' KIDs have 11, so it names no case (the unmatched queue)."""

AGREEMENT = {
    "commission_percent": "10",
    "allocation_order": ["costs", "interest", "principal"],
    "vat_deductible": True,
    "payout_account": "1506.24.28918",
    "payout_name": "Nordlys Energi AS",
}
NOTE = (
    "Skyldner ringte oss og sier fakturaen ble betalt i oktober. Kan dere sjekke om det har "
    "kommet inn noe før dere sender flere brev?"
)
ANSWER = (
    "Takk for beskjed. Vi har ikke mottatt noen innbetaling på saken. Vi ber skyldner sende "
    "kvittering og venter med neste brev i en uke."
)
DEFAULT_PRICE_LIST: dict[str, Any] = {
    "name": "Standard prisliste kredittopplysninger",
    "items": [
        {"product_code": "COMPANY_STANDARD", "unit_price_ore": 49_00, "vat_code": "3"},
        {"product_code": "PERSON_STANDARD", "unit_price_ore": 79_00, "vat_code": "3"},
    ],
}
"""The agency's default price list (øre ex. VAT; VAT code 3: 25 %)."""
CREDIT_SUBJECT = "999100007"
"""The bureau simulator's healthy AS (``simulators.bureau_subjects.AS_HEALTHY``)."""
CREDIT_PURPOSE = "Vurdering av om kravet kan inndrives før neste skritt i saken"
OBJECTION = "Skyldner mener varen aldri ble levert og har bedt om dokumentasjon på leveransen."


# -- the cases (pure) -----------------------------------------------------------------------


@dataclass(frozen=True)
class Debtor:
    name: str
    street: str
    postal_code: str
    city: str
    email: str | None = None
    phone: str | None = None


PEOPLE = (
    Debtor("Ola Nordmann", "Storgata 12", "0155", "Oslo", "ola.nordmann@example.no"),
    Debtor("Ingrid Johansen", "Kirkeveien 45 B", "0368", "Oslo", phone="+4791234567"),
    Debtor("Lars Olsen", "Kongens gate 7", "7011", "Trondheim"),
    Debtor("Marit Larsen", "Nygårdsgaten 31", "5015", "Bergen", "marit.larsen@example.no"),
    Debtor("Per Andersen", "Torggata 3", "3015", "Drammen"),
    Debtor("Hilde Pedersen", "Markens gate 22", "4611", "Kristiansand", phone="+4792345678"),
    Debtor("Jon Nilsen", "Storgata 88", "9008", "Tromsø"),
    Debtor("Astrid Kristiansen", "Løkkeveien 10", "4008", "Stavanger"),
    Debtor("Erik Jensen", "Dronningens gate 5", "7011", "Trondheim", "erik.jensen@example.no"),
    Debtor("Silje Karlsen", "Haraldsgata 140", "5527", "Haugesund"),
    Debtor("Knut Berg", "Storgata 15", "2609", "Lillehammer"),
    Debtor("Ragnhild Haugen", "Skippergata 9", "3111", "Tønsberg"),
    Debtor("Bjørn Hagen", "Kirkegata 4", "1606", "Fredrikstad", phone="+4793456789"),
    Debtor("Sofie Bakken", "Vestre Strandgate 27", "4611", "Kristiansand"),
    Debtor("Thomas Solberg", "Øvre Slottsgate 18", "0157", "Oslo", "thomas.solberg@example.no"),
    Debtor("Ida Moen", "Parkveien 60", "5007", "Bergen"),
)
BUSINESSES = (
    Debtor("Fjordbakeriet AS", "Bryggen 4", "5003", "Bergen", "post@fjordbakeriet.example.no"),
    Debtor("Nordvik Bygg og Anlegg AS", "Industriveien 21", "2020", "Skedsmokorset"),
    Debtor("Solheim Transport AS", "Havnegata 2", "8006", "Bodø"),
    Debtor("Lysaker Frisør AS", "Lysaker torg 8", "1366", "Lysaker"),
    Debtor("Trøndelag Elektro AS", "Sluppenveien 12", "7037", "Trondheim"),
    Debtor("Kystfisk Ålesund AS", "Skansekaia 3", "6002", "Ålesund", "faktura@kystfisk.example.no"),
    Debtor("Vestfold Regnskap AS", "Storgaten 34", "3126", "Tønsberg"),
    Debtor("Hamar Sportssenter AS", "Vangsvegen 73", "2317", "Hamar"),
)
# principal in øre, days overdue, reminder fee already charged (øre), more claims
_PERSON_CLAIMS = (
    (1_249_00, 45, 0),
    (4_590_00, 62, 35_00),
    (890_00, 33, 0),
    (12_750_00, 120, 35_00),
    (3_200_50, 28, 0),
    (785_00, 75, 0),
    (24_999_00, 190, 70_00),
    (1_560_75, 40, 0),
    (6_480_00, 95, 35_00),
    (450_00, 21, 0),
    (18_300_00, 150, 0),
    (2_175_25, 55, 35_00),
    (9_990_00, 83, 0),
    (3_650_00, 37, 0),
    (52_400_00, 210, 70_00),
    (1_095_00, 48, 0),
)
_BUSINESS_CLAIMS = (
    (38_750_00, 66, 0),
    (124_500_00, 101, 0),
    (67_200_00, 58, 0),
    (8_950_00, 30, 0),
    (185_000_00, 140, 0),
    (23_480_00, 44, 0),
    (14_625_00, 77, 0),
    (47_300_00, 115, 0),
)
_SECOND_CLAIM = {"DEMO-0004", "DEMO-0011", "DEMO-0018", "DEMO-0021"}
"""Cases with a second, later invoice to the same debtor."""
BUSINESS_NUMBERS = frozenset({6, 9, 10, 12, 15, 18, 21, 24})
"""The demo cases against a business (the others are against a person)."""


def reference(number: int) -> str:
    return f"{PREFIX}{number:04d}"


def references() -> list[str]:
    return [reference(n) for n in range(1, CASE_COUNT + 1)]


def _claim(number: int, principal: int, overdue: int, fee: int, today: date) -> dict[str, Any]:
    due = today - timedelta(days=overdue)
    invoiced = due - timedelta(days=14)
    return {
        "invoice_number": f"NE-{invoiced.year}-{10400 + number}",
        "invoice_date": invoiced.isoformat(),
        "due_date": due.isoformat(),
        "principal_ore": principal,
        "reminder_fee_ore": fee,
    }


def _debtor(debtor: Debtor, business: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "business" if business else "person",
        "name": debtor.name,
        "address": {
            "lines": [debtor.street],
            "postal_code": debtor.postal_code,
            "city": debtor.city,
        },
    }
    if business:
        body["organisation_number"] = organisation_number()
    else:
        body["national_id"] = national_identity_number()
    if debtor.email:
        body["email"] = debtor.email
    if debtor.phone:
        body["phone"] = debtor.phone
    return body


def demo_cases(today: date) -> list[dict[str, Any]]:
    """The demo cases as the cases API takes them: 16 against people, 8 against businesses."""
    people = iter(zip(PEOPLE, _PERSON_CLAIMS, strict=True))
    businesses = iter(zip(BUSINESSES, _BUSINESS_CLAIMS, strict=True))
    cases = []
    for number in range(1, CASE_COUNT + 1):
        business = number in BUSINESS_NUMBERS
        debtor, (principal, overdue, fee) = next(businesses if business else people)
        claims = [_claim(number, principal, overdue, fee, today)]
        ref = reference(number)
        if ref in _SECOND_CLAIM:
            claims.append(_claim(number + 50, principal // 3 + 199_00, overdue - 18, 0, today))
        cases.append(
            {"creditor_reference": ref, "debtor": _debtor(debtor, business), "claims": claims}
        )
    return cases


def payment_file(
    payments: Sequence[tuple[str, int]], *, on: date, account: str = CLIENT_FUNDS_ACCOUNT
) -> bytes:
    """The bank's OCR giro file of ``(KID, øre)`` payments settled ``on``, with numbers of
    its own (the ledger knows a bank transaction by its archive reference: two files must
    not share one)."""
    return ocr_giro_file(
        [IncomingPayment(amount_ore=amount, kid=kid) for kid, amount in payments],
        account=account,
        settlement_date=on,
        transmission_number=secrets.randbelow(9_000_000) + 1,
        assignment_number=secrets.randbelow(9_000_000) + 1,
        first_archive_reference=secrets.randbelow(900_000_000),
    )


# -- through the gateway ----------------------------------------------------------------------


class Caller(Protocol):
    """A signed-in demo user: headers for the next request (refreshed when needed)."""

    async def headers(self) -> dict[str, str]: ...


class SeedFailed(RuntimeError):
    pass


T = TypeVar("T")


async def until(attempt: Callable[[], Awaitable[T | None]], *, what: str, seconds: float = 60) -> T:
    """``attempt()`` again every half second until it gives something, for ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        found = await attempt()
        if found is not None:
            return found
        if time.monotonic() > deadline:
            raise SeedFailed(f"gave up waiting for {what}")
        await asyncio.sleep(0.5)


@dataclass
class Session:
    """One demo user's session through the gateway (password, then a TOTP code)."""

    client: httpx.AsyncClient
    email: str
    password: str
    totp_secret: str
    access_token: str = ""
    refresh_token: str = ""
    expires_at: float = 0.0

    async def sign_in(self) -> Session:
        """Password, then the code of the previous 30-second step when it is unused (the
        identity service accepts one step of clock drift, and only later steps after it):
        the current code stays free for the person who signs in right after ``up``."""
        for offset in (-30, 0, 0):
            first = await self.client.post(
                "/api/v1/auth/sign-in", json={"email": self.email, "password": self.password}
            )
            _check(first, "sign-in")
            code = pyotp.TOTP(self.totp_secret).at(int(time.time()) + offset)
            second = await self.client.post(
                "/api/v1/auth/sign-in/second-factor",
                json={"challenge": first.json()["challenge"], "code": code},
            )
            if second.status_code in (401, 422):  # that step's code was used: a later one
                if offset == 0:
                    await asyncio.sleep(30.5 - time.time() % 30)
                continue
            _check(second, "second factor")
            self._take(second.json())
            return self
        raise SeedFailed(f"{self.email} could not sign in")

    def _take(self, tokens: Mapping[str, Any]) -> None:
        self.access_token = str(tokens["access_token"])
        self.refresh_token = str(tokens["refresh_token"])
        self.expires_at = time.monotonic() + float(tokens.get("expires_in", 300))

    async def headers(self) -> dict[str, str]:
        if time.monotonic() > self.expires_at - 30:
            response = await self.client.post(
                "/api/v1/auth/token", json={"refresh_token": self.refresh_token}
            )
            _check(response, "token refresh")
            self._take(response.json())
        return {"authorization": f"Bearer {self.access_token}"}


def _check(response: httpx.Response, what: str, *ok: int) -> None:
    if response.status_code not in (ok or (200, 201)):
        raise SeedFailed(f"{what}: {response.status_code} {response.text[:300]}")


@dataclass
class Demo:
    """The gateway, the three demo users, and what the steps learn on the way."""

    client: httpx.AsyncClient
    creditor: Caller
    handler: Caller
    admin: Caller
    today: date = field(default_factory=date.today)
    account: str = CLIENT_FUNDS_ACCOUNT
    out_dir: Path | None = None
    creditor_admin: Caller | None = None
    creditor_id: str = ""
    cases: dict[str, dict[str, Any]] = field(default_factory=dict)
    done: list[str] = field(default_factory=list)

    async def get(self, who: Caller, path: str, **params: Any) -> Any:
        response = await self.client.get(path, params=params or None, headers=await who.headers())
        _check(response, f"GET {path}")
        return response.json()

    async def send(
        self,
        who: Caller,
        method: str,
        path: str,
        *,
        json: Any = None,
        content: bytes | None = None,
        params: Mapping[str, str] | None = None,
        ok: tuple[int, ...] = (200, 201),
        content_type: str = "application/octet-stream",
    ) -> httpx.Response:
        headers = {**await who.headers(), "Idempotency-Key": str(uuid.uuid4())}
        if content is not None:
            headers["content-type"] = content_type
        response = await self.client.request(
            method, path, json=json, content=content, params=params, headers=headers
        )
        _check(response, f"{method} {path}", *ok)
        return response


async def find_creditor(demo: Demo) -> None:
    demo.creditor_id = str((await demo.get(demo.creditor, "/api/v1/auth/me"))["organisation_id"])


async def ensure_agreement(demo: Demo) -> None:
    path = f"/api/v1/ledger/creditors/{demo.creditor_id}/agreement"
    if (await demo.get(demo.admin, path)).get("updated_at") is not None:
        return
    await demo.send(demo.admin, "PUT", path, json=AGREEMENT)
    demo.done.append("agreement")


async def find_cases(demo: Demo) -> list[str]:
    """The demo references already registered (their cases noted); the missing ones."""
    missing = []
    for ref in references():
        found = await demo.get(demo.creditor, "/api/v1/cases", creditor_reference=ref, limit=1)
        if found["items"]:
            demo.cases[ref] = found["items"][0]
        else:
            missing.append(ref)
    return missing


async def register_cases(demo: Demo, missing: list[str]) -> None:
    """The missing demo cases, in one batch (once the cases service knows the creditor)."""
    if not missing:
        return
    bodies = [c for c in demo_cases(demo.today) if c["creditor_reference"] in missing]

    async def attempt() -> httpx.Response | None:
        response = await demo.send(
            demo.creditor,
            "POST",
            "/api/v1/cases/registrations",
            json={"cases": bodies},
            ok=(201, 409),
        )
        if response.status_code == 409 and "creditor-unknown" not in response.text:
            raise SeedFailed(f"registering the demo cases: {response.text[:300]}")
        return response if response.status_code == 201 else None

    answer = (await until(attempt, what="the cases service to know the creditor")).json()
    if answer["rejected"]:
        first = answer["rejected"][0]
        raise SeedFailed(f"demo case {first['creditor_reference']} refused: {first['errors']}")
    for registered in answer["registered"]:
        demo.cases[registered["creditor_reference"]] = registered
    demo.done.append(f"{len(answer['registered'])} cases")


async def economy(demo: Demo, ref: str) -> dict[str, Any] | None:
    """The case's economy on the ledger (``None`` while the ledger has not heard of it)."""
    path = f"/api/v1/ledger/cases/{demo.cases[ref]['case_id']}/economy"
    response = await demo.client.get(path, headers=await demo.handler.headers())
    if response.status_code == 404:
        return None
    _check(response, f"GET {path}")
    found: dict[str, Any] = response.json()
    return found


async def on_the_ledger(demo: Demo) -> None:
    """Wait until the ledger has every demo case (from the cases service's events): a
    payment for a KID it does not know yet would go to the unmatched queue."""
    for ref in references():

        async def known(ref: str = ref) -> dict[str, Any] | None:
            return await economy(demo, ref)

        await until(known, what=f"the ledger to know {ref}")


async def pay_partly(demo: Demo) -> None:
    """One OCR file three days ago: some cases paid partly, one payment nobody's KID."""
    first = next(iter(PAID_PARTLY))
    if (await economy(demo, first) or {}).get("payments"):
        return
    payments = [(demo.cases[ref]["kid"], ore) for ref, ore in PAID_PARTLY.items()]
    data = payment_file(
        [*payments, (UNMATCHED_KID, UNMATCHED_ORE)],
        on=demo.today - timedelta(days=3),
        account=demo.account,
    )
    await demo.send(
        demo.handler, "POST", "/api/v1/ledger/bank-files", content=data, params={"format": "ocr"}
    )
    demo.done.append("an OCR file")


async def pay_in_full(demo: Demo) -> None:
    """The case handler sends the inkassovarsel (its fee is on the ledger before the payment
    is counted), then the bank's file pays what the case owes: it closes as paid."""
    case_id = demo.cases[PAID_IN_FULL]["case_id"]
    detail = await demo.get(demo.handler, f"/api/v1/cases/{case_id}")
    if detail["status"] == "closed" or (await economy(demo, PAID_IN_FULL) or {}).get("payments"):
        return
    if detail["status"] == "registered":
        await demo.send(
            demo.handler, "POST", f"/api/v1/cases/{case_id}/inkassovarsel", ok=(200, 409)
        )

    async def with_fee() -> dict[str, Any] | None:
        found = await economy(demo, PAID_IN_FULL)
        return found if found and found["fees"] else None

    owed = (await until(with_fee, what="the inkassovarsel fee on the ledger"))["balance_ore"]
    data = payment_file(
        [(demo.cases[PAID_IN_FULL]["kid"], owed)], on=demo.today, account=demo.account
    )
    await demo.send(
        demo.handler, "POST", "/api/v1/ledger/bank-files", content=data, params={"format": "ocr"}
    )
    demo.done.append("a case paid in full")


async def notes(demo: Demo) -> None:
    case_id = demo.cases[WITH_NOTES]["case_id"]
    detail = await demo.get(demo.creditor, f"/api/v1/cases/{case_id}")
    if detail["notes"]:
        return
    path = f"/api/v1/cases/{case_id}/notes"
    await demo.send(demo.creditor, "POST", path, json={"body": NOTE})
    await demo.send(demo.handler, "POST", path, json={"body": ANSWER, "visibility": "shared"})
    demo.done.append("a note and its answer")


async def objection(demo: Demo) -> None:
    case_id = demo.cases[WITH_OBJECTION]["case_id"]
    detail = await demo.get(demo.handler, f"/api/v1/cases/{case_id}")
    if detail["status"] in ("disputed", "closed") or any(
        entry.get("step") == "objection_registered" for entry in detail["timeline"]
    ):
        return
    body = {"received_on": (demo.today - timedelta(days=1)).isoformat(), "grounds": OBJECTION}
    await demo.send(demo.handler, "POST", f"/api/v1/cases/{case_id}/objections", json=body)
    demo.done.append("an objection")


async def settle(demo: Demo) -> None:
    """A settlement with the creditor up to yesterday (the partial payments), once; then
    the bank simulator's acceptance (pain.002) of each of the creditor's payout files
    still waiting, uploaded as the agency administrator does on the settlement's page, so
    the settlement is paid out and its statement issued."""
    path = "/api/v1/ledger/settlements"
    found = await demo.get(demo.admin, path, creditor_id=demo.creditor_id)
    if not found:
        yesterday = demo.today - timedelta(days=1)
        await demo.send(
            demo.admin,
            "POST",
            "/api/v1/ledger/settlement-runs",
            json={"period_end": yesterday.isoformat(), "creditor_ids": [demo.creditor_id]},
        )
        demo.done.append("a settlement")
        found = await demo.get(demo.admin, path, creditor_id=demo.creditor_id)
    waiting = {
        str(s["payout_message_id"])
        for s in found
        if s["status"] == "pending" and s["payout_message_id"]
    }
    for message_id in sorted(waiting):
        await pay_out(demo, message_id)
    if waiting:
        found = await demo.get(demo.admin, path, creditor_id=demo.creditor_id)
    if demo.out_dir is not None:  # an answer the bank has not given (none now) to upload
        still = {
            str(s["payout_message_id"])
            for s in found
            if s["status"] == "pending" and s["payout_message_id"]
        }
        await bank_answers(demo, demo.out_dir, still)


async def pay_out(demo: Demo, message_id: str) -> None:
    """The bank simulator's answer to a payout file, uploaded (the ledger posts what the
    bank accepted: the settlement completes and reports issues its statement)."""
    payout = await demo.client.get(
        f"/api/v1/ledger/payout-files/{message_id}", headers=await demo.admin.headers()
    )
    _check(payout, "the payout file")
    receipt = BankSimulator(account=demo.account).receive_pain001(payout.content)
    await demo.send(
        demo.admin,
        "POST",
        "/api/v1/ledger/payout-answers",
        content=receipt.status_report,
        content_type="application/xml",
    )
    demo.done.append("the bank's answer to a payout")


async def statement(demo: Demo) -> None:
    """Wait for the settlement statement of each paid-out settlement of the creditor (the
    reports service issues it from the ledger's event), so ``up`` ends with it there."""
    found = await demo.get(demo.admin, "/api/v1/ledger/settlements", creditor_id=demo.creditor_id)
    for settlement in found:
        if settlement["status"] != "posted":
            continue

        async def issued(
            settlement_id: str = str(settlement["settlement_id"]),
        ) -> list[Any] | None:
            documents = await demo.get(
                demo.creditor,
                "/api/v1/reports/documents",
                source_id=settlement_id,
                kind="settlement_statement",
            )
            items: list[Any] = documents["items"]
            return items or None

        await until(issued, what="the settlement statement", seconds=120)


def answer_path(folder: Path, message_id: str) -> Path:
    return folder / f"pain002-{message_id}.xml"


def answers_missing(folder: Path, waiting: set[str]) -> list[str]:
    """Remove the answers to payout files no longer waiting; those still to write."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("pain002-*.xml"):
        if old.stem.removeprefix("pain002-") not in waiting:
            old.unlink()
    return [m for m in sorted(waiting) if not answer_path(folder, m).exists()]


async def bank_answers(demo: Demo, folder: Path, waiting: set[str]) -> None:
    """``folder`` holds the bank's answer (pain.002) to each payout file in ``waiting``, and
    none to a payout file that has had its answer."""
    for message_id in answers_missing(folder, waiting):
        payout = await demo.client.get(
            f"/api/v1/ledger/payout-files/{message_id}", headers=await demo.admin.headers()
        )
        _check(payout, "the payout file")
        receipt = BankSimulator(account=demo.account).receive_pain001(payout.content)
        answer_path(folder, message_id).write_bytes(receipt.status_report)


def is_demo_order(order: dict[str, Any]) -> bool:
    """The company report the demo buys (Kari may have bought others herself)."""
    return bool(
        order["purpose"]["text"] == CREDIT_PURPOSE and order["subject"]["display"] == CREDIT_SUBJECT
    )


async def demo_orders(demo: Demo) -> list[dict[str, Any]]:
    orders: list[dict[str, Any]] = (
        await demo.get(demo.creditor, "/api/v1/credit/orders", limit=500)
    )["orders"]
    return orders


async def credit_report(demo: Demo) -> None:
    """The agency's default price list for credit reports (once), and one company report
    Kari bought on a demo case at that price (once)."""
    lists = await demo.get(demo.admin, "/api/v1/credit/price-lists")
    if not any(pl["creditor_id"] is None for pl in lists):
        price_list = {**DEFAULT_PRICE_LIST, "valid_from": demo.today.isoformat()}
        await demo.send(demo.admin, "POST", "/api/v1/credit/price-lists", json=price_list)
        demo.done.append("a credit report price list")
    if any(is_demo_order(o) for o in await demo_orders(demo)):
        return
    products = await demo.get(demo.creditor, "/api/v1/credit/products")
    price = next(p["price"] for p in products if p["code"] == "COMPANY_STANDARD")
    body = {
        "product_code": "COMPANY_STANDARD",
        "subject": {"kind": "company", "organisation_number": CREDIT_SUBJECT},
        "purpose": {
            "code": "CASE_ASSESSMENT",
            "text": CREDIT_PURPOSE,
            "case_id": demo.cases[WITH_OBJECTION].get("case_number"),
        },
        "accepted_price_ore": price["unit_price_ore"],
    }

    async def attempt() -> httpx.Response | None:
        # 403 creditor-not-enabled until the credit service has the creditor's registration
        response = await demo.send(
            demo.creditor, "POST", "/api/v1/credit/orders", json=body, ok=(201, 403)
        )
        return response if response.status_code == 201 else None

    await until(attempt, what="the credit service to know the creditor")
    demo.done.append("a credit report")


STEPS: tuple[Callable[[Demo], Awaitable[None]], ...] = (
    ensure_agreement,
    on_the_ledger,
    pay_partly,
    pay_in_full,
    notes,
    objection,
    credit_report,
    settle,
    statement,
)


async def connect_tripletex(demo: Demo) -> None:
    """Nordlys's admin connects its Tripletex (the local simulator) once; the integrations
    connector then hands its overdue invoices over as cases (``TTX-…`` references)."""
    admin = demo.creditor_admin
    if admin is None:
        return
    path = "/api/v1/integrations/tripletex"

    async def connected() -> bool | None:
        response = await demo.client.get(path, headers=await admin.headers())
        if response.status_code in (502, 503):
            return None  # the integrations service is still starting
        _check(response, f"GET {path}", 200, 404)
        return response.status_code == 200

    if await until(connected, what="the integrations service"):
        return
    await demo.send(admin, "PUT", path, json=TRIPLETEX_KEYS)
    demo.done.append("Nordlys's Tripletex (the simulator) connected")


async def seed(demo: Demo) -> list[str]:
    """Every step in order; what was added (nothing when everything was there)."""
    await find_creditor(demo)
    await register_cases(demo, await find_cases(demo))
    for step in STEPS:
        await step(demo)
    await connect_tripletex(demo)
    return demo.done


async def seed_through(
    base_url: str,
    logins: Sequence[Mapping[str, Any]],
    *,
    account: str = CLIENT_FUNDS_ACCOUNT,
    out_dir: Path | None = None,
) -> list[str]:
    """Sign in as the demo users whose logins ``seed-demo`` printed, then :func:`seed`."""
    by_email = {str(login["email"]): login for login in logins}
    missing = {CREDITOR, CASE_HANDLER, AGENCY_ADMIN} - set(by_email)
    if missing:
        raise SeedFailed(f"no demo login for {', '.join(sorted(missing))}")
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:

        async def session(email: str) -> Session:
            login = by_email[email]
            return await Session(
                client, email, str(login["password"]), str(login["totp_secret"])
            ).sign_in()

        demo = Demo(
            client,
            creditor=await session(CREDITOR),
            handler=await session(CASE_HANDLER),
            admin=await session(AGENCY_ADMIN),
            creditor_admin=await session(CREDITOR_ADMIN) if CREDITOR_ADMIN in by_email else None,
            account=account,
            out_dir=out_dir,
        )
        return await seed(demo)
