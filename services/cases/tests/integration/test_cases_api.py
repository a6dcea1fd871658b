"""The cases API: register, list, open, batches and notes — and two organisations apart."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from cases.adapters.orm import personal_data_access
from cases.bootstrap import CasesService
from cases.entrypoints.api import create_app
from servicekit.roles import Roles
from servicekit.testing.data import national_identity_number, organisation_number
from servicekit.testing.http import asgi_client, assert_problem
from servicekit.testing.tokens import TestSigner
from sqlalchemy import select

from .conftest import add_creditor

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Caller:
    user_id: uuid.UUID
    organisation_id: uuid.UUID
    headers: dict[str, str]


def caller(signer: TestSigner, organisation_id: uuid.UUID, *roles: str) -> Caller:
    user_id = uuid.uuid4()
    token = signer.mint(organisation_id=organisation_id, roles=roles, user_id=user_id)
    return Caller(user_id, organisation_id, {"Authorization": f"Bearer {token}"})


def case_body(**changes: Any) -> dict[str, Any]:
    today = date.today()
    body: dict[str, Any] = {
        "creditor_reference": f"INV-{uuid.uuid4().hex[:10]}",
        "debtor": {
            "kind": "person",
            "name": "Kari Nordmann",
            "national_id": national_identity_number(),
            "address": {"lines": ["Karl Johans gate 1"], "postal_code": "0154", "city": "Oslo"},
            "email": "kari@example.no",
        },
        "claims": [
            {
                "invoice_number": "10001",
                "invoice_date": (today - timedelta(days=45)).isoformat(),
                "due_date": (today - timedelta(days=31)).isoformat(),
                "principal_ore": 250_000,
                "reminder_fee_ore": 3_500,
            }
        ],
    }
    body.update(changes)
    return body


@pytest.fixture
async def world(service: CasesService, signer: TestSigner) -> dict[str, Caller]:
    first, second = await add_creditor(service), await add_creditor(service)
    agency = uuid.uuid4()
    return {
        "kari": caller(signer, first, Roles.CREDITOR),
        "kari_admin": caller(signer, first, Roles.CREDITOR_ADMIN, Roles.CREDITOR),
        "other": caller(signer, second, Roles.CREDITOR_ADMIN, Roles.CREDITOR),
        "handler": caller(signer, agency, Roles.CASE_HANDLER),
    }


async def register(client: httpx.AsyncClient, who: Caller, **changes: Any) -> dict[str, Any]:
    response = await client.post("/api/v1/cases", json=case_body(**changes), headers=who.headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_register_open_and_list_a_case(
    service: CasesService, world: dict[str, Caller]
) -> None:
    kari, other, handler = world["kari"], world["other"], world["handler"]
    body = case_body()
    async with asgi_client(create_app(service)) as client:
        created = await client.post("/api/v1/cases?channel=form", json=body, headers=kari.headers)
        assert created.status_code == 201, created.text
        case = created.json()
        assert case["case_number"].startswith("IC-")
        assert case["batch_number"].startswith("B-")

        detail = await client.get(f"/api/v1/cases/{case['case_id']}", headers=kari.headers)
        assert detail.status_code == 200, detail.text
        shown = detail.json()
        assert shown["status"] == "registered"
        assert shown["debtor"]["national_id_masked"] == body["debtor"]["national_id"][:6] + "*****"
        assert body["debtor"]["national_id"] not in detail.text
        assert [c["principal_ore"] for c in shown["claims"]] == [250_000]
        assert [(c["claim_type"], c["demand_sent_on"]) for c in shown["claims"]] == [
            ("ordinary", None)
        ]
        assert [e["kind"] for e in shown["timeline"]] == ["registered"]
        assert shown["next_steps"]["status"] == "registered"
        assert shown["next_steps"]["next"]

        # the other organisation cannot see it; the agency can
        assert_problem(
            await client.get(f"/api/v1/cases/{case['case_id']}", headers=other.headers), 404
        )
        assert (
            await client.get(f"/api/v1/cases/{case['case_id']}", headers=handler.headers)
        ).status_code == 200
        listed = (await client.get("/api/v1/cases", headers=kari.headers)).json()
        assert [c["case_id"] for c in listed["items"]] == [case["case_id"]]
        assert (await client.get("/api/v1/cases", headers=other.headers)).json()["items"] == []
        summary = (await client.get("/api/v1/cases/summary", headers=kari.headers)).json()
        assert summary["total_cases"] == summary["open_cases"] == 1
        assert summary["outstanding_principal_ore"] == 250_000
        assert summary["by_status"] == [
            {"status": "registered", "cases": 1, "principal_total_ore": 250_000}
        ]
        assert [m["cases"] for m in summary["registered_per_month"]] == [1]
        other_summary = (await client.get("/api/v1/cases/summary", headers=other.headers)).json()
        assert other_summary["total_cases"] == 0

        by_debtor = await client.get(
            "/api/v1/cases", params={"debtor": body["debtor"]["national_id"]}, headers=kari.headers
        )
        assert [c["case_id"] for c in by_debtor.json()["items"]] == [case["case_id"]]

    async with service.session_factory() as session:
        reads = (
            await session.execute(
                select(personal_data_access.c.action, personal_data_access.c.actor_id).where(
                    personal_data_access.c.case_id == uuid.UUID(case["case_id"])
                )
            )
        ).all()
    assert ("read_case", kari.user_id) in reads
    assert ("read_case", handler.user_id) in reads
    assert ("list_cases", kari.user_id) in reads


async def test_bad_cases_name_every_field_and_duplicates_are_recognised(
    service: CasesService, world: dict[str, Caller]
) -> None:
    kari = world["kari"]
    bad = case_body()
    bad["debtor"]["national_id"] = "31129956716"
    bad["claims"][0]["principal_ore"] = -100
    bad["claims"][0]["due_date"] = (date.today() + timedelta(days=3)).isoformat()
    async with asgi_client(create_app(service)) as client:
        problem = assert_problem(
            await client.post("/api/v1/cases", json=bad, headers=kari.headers), 422
        )
        assert {e["field"] for e in problem["errors"]} == {
            "debtor.national_id",
            "claims[0].principal_ore",
            "claims[0].due_date",
        }
        wrong_type = case_body()
        wrong_type["claims"][0]["principal_ore"] = "lots"
        problem = assert_problem(
            await client.post("/api/v1/cases", json=wrong_type, headers=kari.headers), 422
        )
        assert any("principal_ore" in e["field"] for e in problem["errors"])

        first = await register(client, kari, creditor_reference="SAME-1")
        again = assert_problem(
            await client.post(
                "/api/v1/cases", json=case_body(creditor_reference="SAME-1"), headers=kari.headers
            ),
            409,
        )
        assert first["case_number"] in again["detail"]
        assert again["case_number"] == first["case_number"]  # for clients that translate
        assert again["errors"][0]["code"] == "already_registered"
        assert again["errors"][0]["case_number"] == first["case_number"]
        # agency users and a stranger cannot register cases
        assert_problem(
            await client.post("/api/v1/cases", json=case_body(), headers=world["handler"].headers),
            403,
        )


async def test_idempotency_key_replays_the_first_answer(
    service: CasesService, world: dict[str, Caller]
) -> None:
    kari = world["kari"]
    body = case_body()
    headers = {**kari.headers, "Idempotency-Key": uuid.uuid4().hex}
    async with asgi_client(create_app(service)) as client:
        first = await client.post("/api/v1/cases", json=body, headers=headers)
        second = await client.post("/api/v1/cases", json=body, headers=headers)
        assert first.status_code == second.status_code == 201
        assert first.json() == second.json()
        other_body = assert_problem(
            await client.post("/api/v1/cases", json=case_body(), headers=headers), 422
        )
        assert other_body["errors"][0]["field"] == "Idempotency-Key"
        listed = await client.get(
            "/api/v1/cases",
            params={"creditor_reference": body["creditor_reference"]},
            headers=kari.headers,
        )
        assert len(listed.json()["items"]) == 1


async def test_several_cases_in_one_batch_and_the_batch_lists_them(
    service: CasesService, world: dict[str, Caller]
) -> None:
    kari, other = world["kari"], world["other"]
    business = case_body()
    business["debtor"] = {
        "kind": "business",
        "name": "Skyldner AS",
        "organisation_number": organisation_number(),
        "address": {"lines": ["Postboks 1"], "postal_code": "5003", "city": "Bergen"},
    }
    bad = case_body()
    bad["debtor"]["address"]["postal_code"] = "12"
    payload = {"cases": [case_body(), business, bad]}
    async with asgi_client(create_app(service)) as client:
        response = await client.post(
            "/api/v1/cases/registrations", json=payload, headers=kari.headers
        )
        assert response.status_code == 201, response.text
        result = response.json()
        assert len(result["registered"]) == 2
        assert [(r["index"], r["errors"][0]["field"]) for r in result["rejected"]] == [
            (2, "debtor.address.postal_code")
        ]
        batch_path = f"/api/v1/cases/batches/{result['batch_id']}"
        batch = (await client.get(batch_path, headers=kari.headers)).json()
        assert batch["status"] == "registered"
        assert batch["case_count"] == 2
        assert batch["rejected_count"] == 1
        assert batch["principal_total_ore"] == 500_000
        assert {c["case_id"] for c in batch["cases"]} == {
            r["case_id"] for r in result["registered"]
        }
        page = await client.get(batch_path, params={"limit": 1}, headers=kari.headers)
        rest = await client.get(
            batch_path, params={"cursor": page.json()["next_cursor"]}, headers=kari.headers
        )
        assert len(page.json()["cases"]) == len(rest.json()["cases"]) == 1
        assert rest.json()["next_cursor"] is None

        assert_problem(await client.get(batch_path, headers=other.headers), 404)
        mine = (await client.get("/api/v1/cases/batches", headers=kari.headers)).json()
        assert result["batch_id"] in {b["batch_id"] for b in mine["items"]}
        theirs = (await client.get("/api/v1/cases/batches", headers=other.headers)).json()
        assert theirs["items"] == []


async def test_keyset_pages_cover_every_case_once_in_order(
    service: CasesService, world: dict[str, Caller]
) -> None:
    kari = world["kari_admin"]
    async with asgi_client(create_app(service)) as client:
        payload = {"cases": [case_body() for _ in range(7)]}
        for i, case in enumerate(payload["cases"]):
            case["claims"][0]["principal_ore"] = 1000 * (i % 3 + 1)
            case["claims"][0]["reminder_fee_ore"] = 0
        response = await client.post(
            "/api/v1/cases/registrations", json=payload, headers=kari.headers
        )
        assert response.status_code == 201
        assert response.json()["rejected"] == []
        seen: list[tuple[int, str]] = []
        cursor = None
        while True:
            params: dict[str, Any] = {"sort": "principal", "order": "asc", "limit": 3}
            if cursor:
                params["cursor"] = cursor
            page = (await client.get("/api/v1/cases", params=params, headers=kari.headers)).json()
            seen += [(c["principal_total_ore"], c["case_id"]) for c in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert len(seen) == 7
        assert len({case_id for _, case_id in seen}) == 7
        assert [p for p, _ in seen] == sorted(p for p, _ in seen)
        filtered = await client.get(
            "/api/v1/cases", params={"principal_min_ore": 3000}, headers=kari.headers
        )
        assert {c["principal_total_ore"] for c in filtered.json()["items"]} == {3000}
        assert_problem(
            await client.get(
                "/api/v1/cases",
                params={"sort": "due", "cursor": cursor or "bm9wZQ"},
                headers=kari.headers,
            ),
            400,
        )


async def test_notes_between_creditor_and_case_handler(
    service: CasesService, world: dict[str, Caller]
) -> None:
    kari, colleague, other, handler = (
        world["kari"],
        world["kari_admin"],
        world["other"],
        world["handler"],
    )
    async with asgi_client(create_app(service)) as client:
        case = await register(client, kari)
        notes_path = f"/api/v1/cases/{case['case_id']}/notes"
        asked = await client.post(
            notes_path, json={"body": "Skyldner har ringt oss."}, headers=kari.headers
        )
        assert asked.status_code == 201, asked.text
        assert_problem(
            await client.post(
                notes_path,
                json={"body": "hemmelig", "visibility": "internal"},
                headers=kari.headers,
            ),
            403,
        )
        unread = (await client.get("/api/v1/cases/notes/unread", headers=handler.headers)).json()
        assert {"case_id": case["case_id"], "case_number": case["case_number"], "unread": 1} in (
            unread["cases"]
        )

        await client.post(
            notes_path, json={"body": "Takk, vi følger opp."}, headers=handler.headers
        )
        await client.post(
            notes_path,
            json={"body": "Intern: sjekk adresse", "visibility": "internal"},
            headers=handler.headers,
        )

        seen_by_kari = (await client.get(notes_path, headers=kari.headers)).json()
        assert [n["body"] for n in seen_by_kari] == [
            "Skyldner har ringt oss.",
            "Takk, vi følger opp.",
        ]
        assert [n["unread"] for n in seen_by_kari] == [False, True]
        seen_by_handler = (await client.get(notes_path, headers=handler.headers)).json()
        assert len(seen_by_handler) == 3
        detail = (await client.get(f"/api/v1/cases/{case['case_id']}", headers=kari.headers)).json()
        assert "Intern" not in str(detail["notes"])

        counts = (await client.get("/api/v1/cases/notes/unread", headers=kari.headers)).json()
        assert counts["total"] == 1
        assert (await client.get("/api/v1/cases/notes/unread", headers=colleague.headers)).json()[
            "total"
        ] == 1  # per user: the colleague has not read it either
        marked = await client.post(
            f"{notes_path}/read", json={"up_to_seq": seen_by_kari[-1]["seq"]}, headers=kari.headers
        )
        assert marked.status_code == 204
        assert (await client.get("/api/v1/cases/notes/unread", headers=kari.headers)).json()[
            "total"
        ] == 0

        # another organisation: not found on every note endpoint, nothing counted
        assert_problem(await client.get(notes_path, headers=other.headers), 404)
        assert_problem(
            await client.post(notes_path, json={"body": "hei"}, headers=other.headers), 404
        )
        assert_problem(
            await client.post(f"{notes_path}/read", json={"up_to_seq": 1}, headers=other.headers),
            404,
        )
        assert (await client.get("/api/v1/cases/notes/unread", headers=other.headers)).json()[
            "total"
        ] == 0


async def test_marking_notes_read_replays_per_idempotency_key(
    service: CasesService, world: dict[str, Caller]
) -> None:
    kari, handler = world["kari"], world["handler"]
    async with asgi_client(create_app(service)) as client:
        case = await register(client, kari)
        notes_path = f"/api/v1/cases/{case['case_id']}/notes"
        for body in ("Vi har sendt inkassovarsel.", "Skyldner har betalt litt."):
            written = await client.post(notes_path, json={"body": body}, headers=handler.headers)
            assert written.status_code == 201, written.text
        last = written.json()["seq"]
        headers = {**kari.headers, "Idempotency-Key": str(uuid.uuid4())}

        first = await client.post(f"{notes_path}/read", json={"up_to_seq": last}, headers=headers)
        again = await client.post(f"{notes_path}/read", json={"up_to_seq": last}, headers=headers)

        assert first.status_code == again.status_code == 204, first.text
        assert again.content == b""
        unread = await client.get("/api/v1/cases/notes/unread", headers=kari.headers)
        assert unread.json()["total"] == 0
        refused = await client.post(
            f"{notes_path}/read", json={"up_to_seq": last - 1}, headers=headers
        )
        assert_problem(refused, 422, "idempotency-key-reused")


async def test_every_endpoint_wants_a_signed_in_caller(service: CasesService) -> None:
    some = uuid.uuid4()
    async with asgi_client(create_app(service)) as client:
        for method, path in [
            ("POST", "/api/v1/cases"),
            ("POST", "/api/v1/cases/registrations"),
            ("GET", "/api/v1/cases"),
            ("GET", f"/api/v1/cases/{some}"),
            ("GET", "/api/v1/cases/batches"),
            ("GET", "/api/v1/cases/summary"),
            ("GET", f"/api/v1/cases/batches/{some}"),
            ("GET", "/api/v1/cases/notes/unread"),
            ("GET", f"/api/v1/cases/{some}/notes"),
            ("POST", f"/api/v1/cases/{some}/notes"),
            ("POST", f"/api/v1/cases/{some}/notes/read"),
        ]:
            assert_problem(await client.request(method, path, json={}), 401)


@pytest.mark.parametrize("blank", [" ", "   \n\t ", "\u00a0"])
async def test_a_note_of_only_whitespace_is_refused_with_the_field_named(
    service: CasesService, world: dict[str, Caller], blank: str
) -> None:
    kari = world["kari"]
    async with asgi_client(create_app(service)) as client:
        case = await register(client, kari)
        notes_path = f"/api/v1/cases/{case['case_id']}/notes"
        refused = await client.post(notes_path, json={"body": blank}, headers=kari.headers)
        problem = assert_problem(refused, 422, "validation-error")
        assert [(e["field"], e["reason"]) for e in problem["errors"]] == [("body", "is required")]
        assert (await client.get(notes_path, headers=kari.headers)).json() == []


async def test_the_list_narrows_to_named_cases_of_the_callers_own_only(
    service: CasesService, world: dict[str, Caller]
) -> None:
    kari, other = world["kari"], world["other"]
    async with asgi_client(create_app(service)) as client:
        mine = [await register(client, kari) for _ in range(3)]
        theirs = await register(client, other)
        wanted = [mine[0]["case_id"], mine[2]["case_id"], theirs["case_id"]]

        listed = await client.get("/api/v1/cases", params={"case_id": wanted}, headers=kari.headers)
        too_many = await client.get(
            "/api/v1/cases",
            params={"case_id": [str(uuid.uuid4()) for _ in range(201)]},
            headers=kari.headers,
        )

    assert listed.status_code == 200, listed.text
    assert {c["case_id"]: c["case_number"] for c in listed.json()["items"]} == {
        mine[0]["case_id"]: mine[0]["case_number"],
        mine[2]["case_id"]: mine[2]["case_number"],
    }
    assert_problem(too_many, 422)


async def test_a_loan_after_a_demand_is_registered_with_both(
    service: CasesService, world: dict[str, Caller]
) -> None:
    """A loan (ten years) with no agreed due date and a påkrav sent 31 days before the due
    date given; an unknown claim type is a field error."""
    kari = world["kari"]
    body = case_body()
    claim = body["claims"][0]
    claim["claim_type"] = "loan"
    claim["demand_sent_on"] = claim["invoice_date"]
    async with asgi_client(create_app(service)) as client:
        created = await client.post("/api/v1/cases?channel=api", json=body, headers=kari.headers)
        assert created.status_code == 201, created.text
        shown = (
            await client.get(f"/api/v1/cases/{created.json()['case_id']}", headers=kari.headers)
        ).json()
        (got,) = shown["claims"]
        assert (got["claim_type"], got["demand_sent_on"]) == ("loan", claim["invoice_date"])
        due = date.fromisoformat(claim["due_date"])
        # ten years from the due date (at least 3 652 days), not three
        assert date.fromisoformat(got["limitation_date"]) > due + timedelta(days=3_652)

        bad = case_body()
        bad["claims"][0]["claim_type"] = "gjeld"
        refused = await client.post("/api/v1/cases?channel=api", json=bad, headers=kari.headers)
        assert refused.status_code == 422, refused.text
        assert "claims.0.claim_type" in refused.text or "claims[0].claim_type" in refused.text


async def test_reminders_as_events_go_to_the_ledger_with_the_case(
    service: CasesService, world: dict[str, Caller]
) -> None:
    """Issue 13 point 3: each purring the creditor sent, with its date and fee, is in the
    registered event; the reminder fee total is their sum; a total that does not add up is
    a field error with its code."""
    from .workflow_support import events_of

    kari = world["kari"]
    body = case_body()
    claim = body["claims"][0]
    claim.pop("reminder_fee_ore", None)
    claim["reminders"] = [
        {"sent_on": claim["invoice_date"], "fee_ore": 7_000},
        {"sent_on": claim["due_date"], "fee_ore": 0},
    ]
    async with asgi_client(create_app(service)) as client:
        created = await client.post("/api/v1/cases?channel=api", json=body, headers=kari.headers)
        assert created.status_code == 201, created.text
        case_id = uuid.UUID(created.json()["case_id"])
        wrong = case_body()
        wrong["claims"][0]["reminder_fee_ore"] = 3_500
        wrong["claims"][0]["reminders"] = [{"sent_on": claim["invoice_date"], "fee_ore": 7_000}]
        refused = await client.post("/api/v1/cases?channel=api", json=wrong, headers=kari.headers)
    (event,) = await events_of(service, case_id, "cases.case.registered")
    (registered,) = event["claims"]
    assert registered["reminder_fee_ore"] == 7_000
    assert [(r["sent_on"], r["fee_ore"]) for r in event["reminders"]] == [
        (claim["invoice_date"], 7_000),
        (claim["due_date"], 0),
    ]
    assert {r["claim_id"] for r in event["reminders"]} == {registered["claim_id"]}
    assert refused.status_code == 422, refused.text
    assert (
        "does not add up to the reminders" in refused.text
    )  # the portal: reason.does_not_add_up_to_the_reminders


async def test_the_notes_feed_syncs_by_updated_since_page_by_page(
    service: CasesService, world: dict[str, Caller]
) -> None:
    kari, other, handler = world["kari"], world["other"], world["handler"]
    async with asgi_client(create_app(service)) as client:
        case = await register(client, kari)
        notes_path = f"/api/v1/cases/{case['case_id']}/notes"
        before = (await client.get(notes_path, headers=handler.headers)).json()
        since = datetime.now(UTC).isoformat()
        for body, who, visibility in [
            ("Første", kari, "shared"),
            ("Andre", handler, "shared"),
            ("Intern merknad", handler, "internal"),
        ]:
            written = await client.post(
                notes_path, json={"body": body, "visibility": visibility}, headers=who.headers
            )
            assert written.status_code == 201, written.text

        seen: list[str] = []
        params: dict[str, str | int] = {"updated_since": since, "limit": 1}
        while True:
            page = await client.get("/api/v1/cases/notes", params=params, headers=kari.headers)
            assert page.status_code == 200, page.text
            seen += [n["body"] for n in page.json()["items"] if n["case_id"] == case["case_id"]]
            if page.json()["next_cursor"] is None:
                break
            params["after"] = page.json()["next_cursor"]
        assert seen == ["Første", "Andre"]  # never the handlers' internal note
        assert before == []

        agency = await client.get(
            "/api/v1/cases/notes", params={"updated_since": since}, headers=handler.headers
        )
        assert "Intern merknad" in [n["body"] for n in agency.json()["items"]]
        theirs = await client.get(
            "/api/v1/cases/notes", params={"updated_since": since}, headers=other.headers
        )
        assert theirs.json()["items"] == []
        assert_problem(
            await client.get(
                "/api/v1/cases/notes",
                params={"updated_since": "2026-01-01T00:00:00"},
                headers=kari.headers,
            ),
            400,
        )


async def test_a_case_is_checked_without_being_registered(
    service: CasesService, world: dict[str, Caller]
) -> None:
    """The portal's form asks for the service's errors together with its own."""
    kari = world["kari"]
    bad = case_body()
    bad["debtor"]["national_id"] = "31129956716"
    bad["debtor"]["address"]["postal_code"] = "01"
    async with asgi_client(create_app(service)) as client:
        problem = assert_problem(
            await client.post("/api/v1/cases/validation", json=bad, headers=kari.headers),
            422,
            "registration-invalid",
        )
        assert {e["field"] for e in problem["errors"]} == {
            "debtor.national_id",
            "debtor.address.postal_code",
        }
        fine = await client.post("/api/v1/cases/validation", json=case_body(), headers=kari.headers)
        assert fine.json() == {"valid": True}
        handler = await client.post(
            "/api/v1/cases/validation", json=case_body(), headers=world["handler"].headers
        )
        assert handler.status_code == 403
        listed = (await client.get("/api/v1/cases", headers=kari.headers)).json()
    assert listed["items"] == []  # nothing was registered
