"""The creditor admin's API: connect, status, pause/resume, invoices that need a look."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from integrations.entrypoints.api import create_app
from integrations.service_layer.sync import sync_due
from servicekit.roles import Roles
from servicekit.testing.http import asgi_client, assert_problem
from servicekit.testing.tokens import TestSigner
from servicekit.testing.wait import wait_for
from simulators.tripletex import TripletexSimulator

from .conftest import Stack

pytestmark = pytest.mark.integration
BASE = "/api/v1/integrations/tripletex"


async def test_connect_status_pause_resume_and_refused_invoices(
    stack: Stack, tripletex: TripletexSimulator, signer: TestSigner
) -> None:
    stack.integrations.settings.tripletex_url = tripletex.url
    app = create_app(stack.integrations)
    admin = signer.headers(organisation_id=stack.creditor_id, roles=[Roles.CREDITOR_ADMIN])
    user = signer.headers(organisation_id=stack.creditor_id, roles=[Roles.CREDITOR])
    other = signer.headers(organisation_id=uuid.uuid4(), roles=[Roles.CREDITOR_ADMIN])
    keys = {
        "consumer_token": tripletex.config.consumer_token,
        "employee_token": tripletex.config.employee_token,
    }
    nameless = tripletex.add_customer(
        name="Ukjent Handel",
        organization_number="",
        is_private_individual=False,
        address_line1="Torget 5",
        postal_code="3015",
        city="Drammen",
    )
    day = date.today() - timedelta(days=60)
    invoice = tripletex.add_invoice(
        nameless, 990.0, invoice_date=day, due_date=day + timedelta(days=14)
    )
    async with asgi_client(app) as http:
        assert_problem(await http.get(BASE, headers=admin), 404, "not-found")
        assert_problem(await http.put(BASE, json=keys, headers=user), 403)
        refused = await http.put(BASE, json={**keys, "employee_token": "x"}, headers=admin)
        assert assert_problem(refused, 422, "erp-refused")["erp_code"] == "erp_unauthorised"

        connected = await http.put(BASE, json=keys, headers=admin)
        assert connected.status_code == 200, connected.text
        body = connected.json()
        assert (body["status"], body["company_id"], body["erp"]) == ("active", "4711", "tripletex")
        assert keys["employee_token"] not in connected.text
        assert_problem(await http.get(BASE, headers=other), 404)

        assert (await http.post(f"{BASE}/pause", headers=admin)).status_code == 204
        assert (await http.get(BASE, headers=admin)).json()["status"] == "paused"
        assert await sync_due(stack.integrations.sync_context()) is None
        assert_problem(await http.post(f"{BASE}/sync", headers=admin), 409, "connection-paused")
        assert (await http.post(f"{BASE}/resume", headers=admin)).status_code == 204

        outcome = await sync_due(stack.integrations.sync_context())
        assert outcome is not None
        assert outcome.handed_over == 1

        async def refused_listed() -> list[dict[str, object]] | None:
            page = (await http.get(f"{BASE}/invoices", headers=admin)).json()
            return page["items"] or None

        items = await wait_for(refused_listed, what="the refused invoice to be listed")
        assert items[0]["invoice_id"] == invoice.id
        assert items[0]["error_fields"] == ["debtor.organisation_number"]
        status = (await http.get(BASE, headers=admin)).json()
        assert status["last_sync_outcome"] == "ok"
        assert status["invoices"] == {"handed_over": 0, "registered": 0, "refused": 1}
        runs = (await http.get(f"{BASE}/runs", headers=admin)).json()
        assert runs[0]["handed_over"] == 1

        assert (
            await http.post(f"{BASE}/invoices/{invoice.id}/retry", headers=admin)
        ).status_code == 204
        assert_problem(await http.post(f"{BASE}/invoices/{invoice.id}/retry", headers=other), 404)


async def test_each_post_is_done_once_per_idempotency_key(
    stack: Stack, tripletex: TripletexSimulator, signer: TestSigner
) -> None:
    stack.integrations.settings.tripletex_url = tripletex.url
    app = create_app(stack.integrations)
    admin = signer.headers(organisation_id=stack.creditor_id, roles=[Roles.CREDITOR_ADMIN])
    keys = {
        "consumer_token": tripletex.config.consumer_token,
        "employee_token": tripletex.config.employee_token,
    }
    nameless = tripletex.add_customer(
        name="Navnløs Handel",
        organization_number="",
        is_private_individual=False,
        address_line1="Torget 7",
        postal_code="3015",
        city="Drammen",
    )
    day = date.today() - timedelta(days=60)
    invoice = tripletex.add_invoice(
        nameless, 450.0, invoice_date=day, due_date=day + timedelta(days=14)
    )

    def keyed(key: str) -> dict[str, str]:
        return {**admin, "Idempotency-Key": key}

    async with asgi_client(app) as http:
        assert (await http.put(BASE, json=keys, headers=admin)).status_code == 200
        pause = keyed(str(uuid.uuid4()))
        assert (await http.post(f"{BASE}/pause", headers=pause)).status_code == 204
        again = await http.post(f"{BASE}/pause", headers=pause)
        assert (again.status_code, again.content) == (204, b"")
        assert_problem(  # the key was the pause's: another path is another request
            await http.post(f"{BASE}/resume", headers=pause), 422, "idempotency-key-reused"
        )
        sync = keyed(str(uuid.uuid4()))
        assert_problem(await http.post(f"{BASE}/sync", headers=sync), 409, "connection-paused")
        assert (await http.post(f"{BASE}/resume", headers=keyed("resume-1"))).status_code == 204
        # a refusal is not stored: the same key works once the connection is active
        assert (await http.post(f"{BASE}/sync", headers=sync)).status_code == 204

        outcome = await sync_due(stack.integrations.sync_context())
        assert outcome is not None

        async def refused_listed() -> list[dict[str, object]] | None:
            page = (await http.get(f"{BASE}/invoices", headers=admin)).json()
            return page["items"] or None

        await wait_for(refused_listed, what="the refused invoice to be listed")
        retry = keyed(str(uuid.uuid4()))
        path = f"{BASE}/invoices/{invoice.id}/retry"
        assert (await http.post(path, headers=retry)).status_code == 204
        assert (await http.post(path, headers=retry)).status_code == 204  # replayed …
        assert_problem(await http.post(path, headers=admin), 404)  # … done once: forgotten
