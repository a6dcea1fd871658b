"""A creditor and a case handler work a case through the gateway, between real processes."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from servicekit.testing.data import national_identity_number
from servicekit.testing.wait import wait_for

from .cases_support import a_case, register
from .identity import Login, SignedIn, sign_in

pytestmark = pytest.mark.e2e

CREDITOR_EMAIL = "kari@nordlys.example"
CASE_HANDLER_EMAIL = "saksbehandler@infocenter.example"


@pytest.fixture(scope="module")
async def kari(gateway: httpx.AsyncClient, demo: dict[str, Login]) -> SignedIn:
    return await sign_in(gateway, demo[CREDITOR_EMAIL])


@pytest.fixture(scope="module")
async def handler(gateway: httpx.AsyncClient, demo: dict[str, Login]) -> SignedIn:
    return await sign_in(gateway, demo[CASE_HANDLER_EMAIL])


async def test_register_find_open_and_exchange_notes(
    gateway: httpx.AsyncClient, kari: SignedIn, handler: SignedIn
) -> None:
    body = a_case()
    case = await register(gateway, kari, body)
    path = f"/api/v1/cases/{case['case_id']}"

    listed = await gateway.get(
        "/api/v1/cases",
        params={"creditor_reference": body["creditor_reference"]},
        headers=await kari.headers(),
    )
    assert [c["case_number"] for c in listed.json()["items"]] == [case["case_number"]]
    detail = await gateway.get(path, headers=await kari.headers())
    assert detail.status_code == 200, detail.text
    assert body["debtor"]["national_id"] not in detail.text

    asked = await gateway.post(
        f"{path}/notes", json={"body": "Skyldner bestrider kravet."}, headers=await kari.headers()
    )
    assert asked.status_code == 201, asked.text
    unread = await gateway.get("/api/v1/cases/notes/unread", headers=await handler.headers())
    assert case["case_id"] in {c["case_id"] for c in unread.json()["cases"]}
    for note in (
        {"body": "Vi ser på det."},
        {"body": "Intern: be om dokumentasjon", "visibility": "internal"},
    ):
        answered = await gateway.post(f"{path}/notes", json=note, headers=await handler.headers())
        assert answered.status_code == 201, answered.text

    seen = (await gateway.get(f"{path}/notes", headers=await kari.headers())).json()
    assert [n["body"] for n in seen] == ["Skyldner bestrider kravet.", "Vi ser på det."]
    assert [n["unread"] for n in seen] == [False, True]

    batch = await gateway.get(
        f"/api/v1/cases/batches/{case['batch_id']}", headers=await kari.headers()
    )
    assert batch.json()["cases"][0]["case_number"] == case["case_number"]


async def case_status(gateway: httpx.AsyncClient, who: SignedIn, case_id: str) -> str:
    response = await gateway.get(f"/api/v1/cases/{case_id}", headers=await who.headers())
    assert response.status_code == 200, response.text
    return str(response.json()["status"])


async def test_the_case_moves_through_the_workflow(
    gateway: httpx.AsyncClient, kari: SignedIn, handler: SignedIn
) -> None:
    case = await register(gateway, kari, a_case())
    path = f"/api/v1/cases/{case['case_id']}"

    async def notice_sent() -> bool:  # the scheduler sends the inkassovarsel on its own
        return await case_status(gateway, kari, case["case_id"]) == "notice_sent"

    await wait_for(notice_sent, what="the scheduler to send the inkassovarsel", seconds=60)
    steps = (await gateway.get(f"{path}/next-steps", headers=await kari.headers())).json()
    assert steps["deadline"] is not None

    objected = await gateway.post(
        f"{path}/objections",
        json={"received_on": date.today().isoformat(), "grounds": "Varen ble aldri levert."},
        headers=await handler.headers(),
    )
    assert objected.status_code == 200, objected.text
    assert await case_status(gateway, kari, case["case_id"]) == "disputed"
    resolved = await gateway.post(
        f"{path}/objections/resolve", json={"outcome": "resumed"}, headers=await handler.headers()
    )
    assert resolved.status_code == 200, resolved.text
    assert await case_status(gateway, kari, case["case_id"]) == "notice_sent"

    withdrawn = await gateway.post(f"{path}/withdraw", json={}, headers=await kari.headers())
    assert withdrawn.status_code == 200, withdrawn.text
    detail = (await gateway.get(path, headers=await kari.headers())).json()
    assert (detail["status"], detail["closed_reason"]) == ("closed", "withdrawn")
    kinds = [(e["actor_kind"], e["to_status"]) for e in detail["timeline"]]
    assert ("scheduler", "notice_sent") in kinds
    assert ("user", "disputed") in kinds
    assert kinds[-1] == ("user", "closed")


def import_csv(good: int, today: date) -> bytes:
    header = (
        "creditor_reference;debtor_kind;debtor_name;national_id;address_line_1;postal_code;"
        "city;invoice_number;invoice_date;due_date;principal"
    )
    due = (today - timedelta(days=20)).strftime("%d.%m.%Y")
    issued = (today - timedelta(days=34)).strftime("%d.%m.%Y")
    lines = [header]
    for i in range(good):
        lines.append(
            f"IMP-{uuid.uuid4().hex[:10]};person;Ola Nordmann {i};{national_identity_number()};"
            f"Gata {i};0155;Oslo;F-{i};{issued};{due};1 234,50"
        )
    lines.append(f"IMP-BAD-1;person;Feil Nummer;31129956716;Gata 1;0155;Oslo;F-x;{issued};{due};10")
    minus = f"IMP-BAD-2;person;Minus Beløp;{national_identity_number()};Gata 2;0155;Oslo;F-y"
    lines.append(f"{minus};{issued};{due};-5")
    return ("\n".join(lines) + "\n").encode()


async def test_a_file_with_good_and_bad_rows_is_imported_and_its_errors_reported(
    gateway: httpx.AsyncClient, kari: SignedIn
) -> None:
    await register(gateway, kari, a_case())  # the creditor is known to the cases service
    uploaded = await gateway.post(
        "/api/v1/cases/imports",
        content=import_csv(25, date.today()),
        params={"format": "csv", "filename": "saker.csv"},
        headers={**await kari.headers(), "content-type": "text/csv"},
    )
    assert uploaded.status_code == 202, uploaded.text
    job_path = f"/api/v1/cases/imports/{uploaded.json()['job_id']}"

    async def finished() -> dict[str, Any] | None:
        job = (await gateway.get(job_path, headers=await kari.headers())).json()
        return job if job["status"] in ("completed", "failed") else None

    job = await wait_for(finished, what="the import to finish", seconds=60)
    assert job["status"] == "completed", job
    assert (job["rows_read"], job["rows_accepted"], job["rows_rejected"]) == (27, 25, 2)
    errors = (await gateway.get(f"{job_path}/errors", headers=await kari.headers())).json()
    reported = {(e["line"], e["column"]) for e in errors["items"]}
    assert reported == {(27, "national_id"), (28, "principal")}
    report = await gateway.get(f"{job_path}/errors.csv", headers=await kari.headers())
    assert report.status_code == 200
    assert "national_id" in report.text
    imported = await gateway.get(
        "/api/v1/cases",
        params={"batch_id": job["batch_id"], "limit": 100},
        headers=await kari.headers(),
    )
    assert len(imported.json()["items"]) == 25
