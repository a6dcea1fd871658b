"""A planted fødselsnummer goes through every known error path and appears in no log and
no trace (issue 18, finding 3).

The number is synthetic but valid (modulus 11), unique to this run, and sent where a
client can put it: a note with a NUL, broken registrations, a duplicate reference, an
import file with errors and a malformed one, list filters and a path, sign-in and
password-reset e-mail fields, a body that is not JSON, headers. Afterwards every file the
stack wrote under its log directory (the combined output of every process) and every
span exported to the test's OTLP receiver are searched for it in clear.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from devstack.stack import Stack
from servicekit.testing.data import national_identity_number
from servicekit.testing.otlp import OtlpReceiver
from servicekit.testing.wait import wait_for

from ..e2e.cases_support import a_case, register
from ..e2e.identity import Login, SignedIn, _fresh_code, sign_in

pytestmark = pytest.mark.e2e

CREDITOR_EMAIL = "kari@nordlys.example"
FNR = national_identity_number()
"""The planted number: valid, synthetic, and nowhere else in this run."""


@pytest.fixture(scope="module")
async def kari(gateway: httpx.AsyncClient, demo: dict[str, Login]) -> SignedIn:
    return await sign_in(gateway, demo[CREDITOR_EMAIL])


def _import_csv(*rows: str) -> bytes:
    head = (
        "creditor_reference;debtor_kind;debtor_name;national_id;address_line_1;postal_code;"
        "city;invoice_number;invoice_date;due_date;principal"
    )
    return ("\n".join([head, *rows]) + "\n").encode()


def _rows_with_errors() -> list[str]:
    issued, due = (date.today() - timedelta(days=40)), (date.today() - timedelta(days=20))
    dates = f"{issued.isoformat()};{due.isoformat()}"
    return [
        f"SEC-{uuid.uuid4().hex[:8]};person;Ola {FNR};{FNR[:-1]}{_other_digit()};Gata 1;"
        f"0155;Oslo;F-1;{dates};10",
        f"SEC-{FNR};person;Kari Skyldner;{FNR};Gata 2;0155;Oslo;F-2;{dates};-5",
        f"SEC-{uuid.uuid4().hex[:8]};person;Per {FNR};{FNR};Gata 3;0155;Oslo;F-3;{dates};"
        f"{FNR}{FNR}",
    ]


def _other_digit() -> int:
    """A last digit that makes the planted number invalid."""
    return (int(FNR[-1]) + 1) % 10


def _malformed_import_json() -> bytes:
    return f'[{{"creditor_reference": "SEC-1", "debtor": {{"national_id": "{FNR}" ]'.encode()


async def _drive_error_paths(gateway: httpx.AsyncClient, kari: SignedIn) -> list[httpx.Response]:
    """Every request a client can send with the planted number in; their answers."""
    headers = await kari.headers()
    answers: list[httpx.Response] = []

    async def send(method: str, url: str, **kwargs: Any) -> httpx.Response:
        response = await gateway.request(method, url, **kwargs)
        answers.append(response)
        return response

    case = await register(gateway, kari, a_case())  # the creditor is known to cases now
    notes = f"/api/v1/cases/{case['case_id']}/notes"
    await send("POST", notes, json={"body": f"Skyldner {FNR} ringte\x00"}, headers=headers)
    await send("POST", notes, json={"body": f"fnr {FNR}", "visibility": FNR}, headers=headers)

    broken_id = a_case()
    broken_id["debtor"].update(national_id=f"{FNR[:-1]}{_other_digit()}", name=FNR)
    await send("POST", "/api/v1/cases", json=broken_id, headers=headers)
    huge = a_case()
    huge["debtor"]["national_id"] = FNR
    huge["claims"][0]["principal_ore"] = 10**30
    await send("POST", "/api/v1/cases", json=huge, headers=headers)
    nul_reference = a_case()
    nul_reference["creditor_reference"] = f"{FNR}\x00"
    nul_reference["debtor"]["national_id"] = FNR
    await send("POST", "/api/v1/cases", json=nul_reference, headers=headers)
    duplicate = a_case()
    duplicate["creditor_reference"] = f"R{FNR}"
    duplicate["debtor"]["national_id"] = FNR
    for _ in range(2):
        await send("POST", "/api/v1/cases", json=duplicate, headers=headers)
    await send(
        "POST",
        "/api/v1/cases",
        content=b'{"creditor_reference": "' + FNR.encode() + b'", "debtor": {',
        headers={**headers, "content-type": "application/json"},
    )
    await send(
        "POST",
        "/api/v1/cases",
        content=FNR.encode() + b"\xff\xfe not json",
        headers={**headers, "content-type": "application/json", "idempotency-key": FNR},
    )

    for params in (
        {"debtor": FNR},
        {"debtor": f"{FNR}\x00"},
        {"creditor_reference": FNR, "principal_min_ore": str(10**30)},
        {"case_number": FNR, "cursor": FNR},
    ):
        await send("GET", "/api/v1/cases", params=params, headers=headers)
    await send("GET", f"/api/v1/cases/{FNR}", headers={**headers, "x-request-id": FNR})
    await send("GET", f"/api/v1/cases/{FNR}/notes", headers=headers)

    for email in (f"{FNR}@nordlys.example", FNR, f"{FNR}\x00@nordlys.example"):
        await send("POST", "/api/v1/auth/sign-in", json={"email": email, "password": FNR})
        await send("POST", "/api/v1/auth/password-reset", json={"email": email})
    await send("POST", "/api/v1/auth/sign-in", content=b'{"email": "' + FNR.encode() + b'"')

    jobs = []
    rows = _rows_with_errors()
    for content, fmt, content_type in (
        (_import_csv(*rows), "csv", "text/csv"),
        (_import_csv(rows[0].replace("Ola", "Ola\x00")), "csv", "text/csv"),
        (_malformed_import_json(), "json", "application/json"),
    ):
        uploaded = await send(
            "POST",
            "/api/v1/cases/imports",
            content=content,
            params={"format": fmt, "filename": f"{FNR}.{fmt}"},
            headers={**await kari.headers(), "content-type": content_type},
        )
        assert uploaded.status_code == 202, uploaded.text
        jobs.append(f"/api/v1/cases/imports/{uploaded.json()['job_id']}")
    views = []
    for job in jobs:

        async def finished(job: str = job) -> dict[str, Any] | None:
            view = (await gateway.get(job, headers=await kari.headers())).json()
            return view if view["status"] in ("completed", "failed") else None

        views.append(await wait_for(finished, what="the import to finish", seconds=120))
        await send("GET", f"{job}/errors", headers=await kari.headers())
        await send("GET", f"{job}/errors.csv", headers=await kari.headers())
    assert views[0]["rows_rejected"] >= 2, views[0]  # the rows with errors were read
    return answers


async def _portal_searches(gateway: httpx.AsyncClient, login: Login) -> list[httpx.Response]:
    """The portal's case search, signed in with the portal's cookies."""
    first = await gateway.post(
        "/api/v1/auth/sign-in", json={"email": login.email, "password": login.password}
    )
    assert first.status_code == 200, first.text
    second = await gateway.post(
        "/api/v1/auth/sign-in/second-factor",
        json={"challenge": first.json()["challenge"], "code": await _fresh_code(login)},
        headers={"x-token-delivery": "cookie"},
    )
    assert second.status_code == 200, second.text
    cookies = "; ".join(c.split(";", 1)[0] for c in second.headers.get_list("set-cookie"))
    answers = []
    for query in (FNR, f"{FNR}\x00", f"{FNR}@nordlys.example"):
        answers.append(
            await gateway.get("/saker", params={"q": query}, headers={"cookie": cookies})
        )
    assert any(a.status_code == 200 and "<html" in a.text.lower() for a in answers), [
        a.status_code for a in answers
    ]
    return answers


def _everything_logged(stack: Stack) -> dict[Path, bytes]:
    root = stack.config.log_dir
    return {path: path.read_bytes() for path in root.rglob("*") if path.is_file()}


async def _settled(stack: Stack, otlp: OtlpReceiver) -> None:
    """Wait until the log stops growing (processes flushed, spans exported)."""
    last = -1
    for _ in range(40):
        size = sum(len(b) for b in _everything_logged(stack).values()) + len(otlp.payloads)
        if size == last:
            return
        last = size
        await asyncio.sleep(1.5)


async def test_a_planted_national_id_is_in_no_log_and_no_span(
    stack: Stack, otlp: OtlpReceiver, gateway: httpx.AsyncClient, kari: SignedIn
) -> None:
    answers = await _drive_error_paths(gateway, kari)
    answers += await _portal_searches(gateway, kari.login)
    await _settled(stack, otlp)

    logged = _everything_logged(stack)
    combined = logged[stack.config.log_file].decode("utf-8", errors="replace")
    leaks = [str(path) for path, content in logged.items() if FNR.encode() in content]
    assert leaks == [], f"the planted number is in {leaks}"

    assert otlp.payloads, "no spans were exported: the trace check would prove nothing"
    assert otlp.contains("/api/v1/cases")
    assert not otlp.contains(FNR), "the planted number is in an exported span"

    # The error paths ran and were logged: the log was the right place to look.
    for crashed in (a for a in answers if a.status_code == 500):
        request_id = crashed.headers["x-request-id"]
        assert request_id in combined, f"the 500 of {crashed.request.url.path} was not logged"
    assert "import job" in combined
    # The importer logged its reason for refusing the malformed JSON file: where the
    # parser broke off, never the text around it (which held the planted number).
    assert "failed: The JSON is malformed after case 0." in combined
    plain = re.sub(r"\x1b\[[0-9;]*m", "", combined)  # the supervisor may colour the names
    writers = {line.split(" | ", 1)[0].strip() for line in plain.splitlines()}
    assert {"gateway", "cases-api", "cases-importer", "auth-api"} <= writers
    assert {a.status_code for a in answers} & {400, 401, 409, 422}
