"""Broken object-level authorisation, tried on every operation of the one OpenAPI.

Two creditors on the whole stack: the owner (the demo creditor Nordlys) has a case, a note,
a registration batch and an import job; the intruder is a creditor administrator of another
organisation. The requests are generated from the gateway's merged OpenAPI, so an endpoint
added to any service is tried here without a test written for it:

- every operation with a path parameter is called by the intruder with the owner's ids
  (a body made from the operation's schema where it takes one) and must answer 404 (as an
  id that does not exist would) or 403 (an operation the intruder's role may not use);
- every collection (a ``GET`` without path parameters) is read by the intruder and must
  name none of the owner's ids.

A path parameter this module has no value for fails the test until one is added to
:data:`OWNER_IDS` (or :data:`FIXED`): a new kind of resource is a new decision. The
services' own tenancy tables (``services/*/tests/integration/test_tenancy.py`` and the
like) try each operation's answer to its owner as well.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from devstack.stack import Stack
from gateway.access import PUBLIC_OPERATIONS
from servicekit.testing.wait import wait_for
from simulators.bureau_subjects import AS_HEALTHY

from ..e2e.cases_support import a_case, register
from ..e2e.identity import Login, SignedIn, sign_in
from ..e2e.money_support import keyed, ocr_file, post_bank_file, settle
from ..e2e.test_credit import ensure_default_prices, order
from ..e2e.test_identity import new_creditor

pytestmark = pytest.mark.e2e

OWNER = "kari@nordlys.example"
OWNER_ADMIN = "admin@nordlys.example"
CASE_HANDLER = "saksbehandler@infocenter.example"
OWNER_ADMIN = "admin@nordlys.example"  # the ERP connection and webhook endpoints are its
TRIPLETEX_KEYS = {"consumer_token": "sim-consumer-token", "employee_token": "sim-employee-token"}
"""The stack's Tripletex simulator's keys (``simulators.tripletex`` defaults): Nordlys's ERP."""
FIXED: dict[str, str] = {
    "code": "saksliste",
    # a service's dead letters (agency operators only): a queue and a message id name no
    # creditor's object, and a creditor is refused by role whatever they are
    "queue": "events",
    "event_id": "00000000-0000-4000-8000-000000000000",
}
"""Path parameters that name no resource (a value any caller may use: an operation whose
parameters are all of these is read like a collection, and must name none of the owner's
ids)."""
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    # every field of a change at once is no valid change (the schema's example would be
    # refused as a whole before the endpoint is looked up): one field the service accepts
    ("patch", "/api/v1/webhooks/endpoints/{endpoint_id}"): {"enabled": False},
}
"""Request bodies that the schema's generated example would not make valid."""
AGENCY_OWNED = {"bank_file_id", "message_id", "rate_id", "price_list_id"}
REFUSED = {403, 404}
METHODS = ("get", "post", "put", "patch", "delete")


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def example(schema: dict[str, Any], components: dict[str, Any], depth: int = 0) -> Any:
    """A value the schema accepts (its required parts only): enough to pass validation."""
    schema = _resolve(schema, components)
    if depth > 8:
        return None
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [o for o in schema[key] if _resolve(o, components).get("type") != "null"]
            return example(options[0], components, depth + 1) if options else None
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    if "default" in schema:
        return schema["default"]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        # the required ones; all of them where none is (a patch needs something to change)
        wanted = schema.get("required") or list(properties)
        return {
            name: example(properties[name], components, depth + 1)
            for name in wanted
            if name in properties
        }
    if kind == "array":
        return [example(schema.get("items", {}), components, depth + 1)] * schema.get("minItems", 0)
    if kind == "integer":
        return max(int(schema.get("minimum", 1)), int(schema.get("exclusiveMinimum", 0)) + 1)
    if kind == "number":
        return float(schema.get("minimum", 1))
    if kind == "boolean":
        return False
    if kind == "string":
        fmt = schema.get("format")
        if fmt == "date":
            return date.today().isoformat()
        if fmt == "date-time":
            return datetime.now(UTC).isoformat()
        if fmt == "uuid":
            return str(uuid.uuid4())
        if fmt == "email":
            return "inntrenger@kreditor.example"
        return "x" * max(1, int(schema.get("minLength", 1)))
    return None


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


async def _refused_erp_invoice(gateway: httpx.AsyncClient, owner_admin: SignedIn) -> str:
    """The owner's admin connects Nordlys's Tripletex (the stack's simulator, whose fixtures
    include invoices the connector refuses) and syncs; one refused invoice's id."""
    path = "/api/v1/integrations/tripletex"
    headers = await owner_admin.headers()
    # the demo seed may have connected it already
    if (await gateway.get(path, headers=headers)).status_code == 404:
        connected = await gateway.put(path, json=TRIPLETEX_KEYS, headers=headers)
        assert connected.status_code == 200, connected.text
    synced = await gateway.post(f"{path}/sync", headers=headers)
    assert synced.status_code < 300, synced.text

    async def refused() -> str | None:
        page = await gateway.get(f"{path}/invoices", headers=await owner_admin.headers())
        items = page.json()["items"] if page.status_code == 200 else []
        return str(items[0]["invoice_id"]) if items else None

    return await wait_for(refused, what="a refused ERP invoice", seconds=60)


async def _owned(
    gateway: httpx.AsyncClient,
    owner: SignedIn,
    handler: SignedIn,
    agency_admin: SignedIn,
) -> dict[str, str]:
    """The owner's resources (and the agency's), by the path parameters that address them:
    a case with a note, its batch, an import job, a payment from a bank file, a settlement
    with its payout file, a rate version, a bought credit report, a price list and the
    batch's order confirmation, a saved report with a schedule and a run."""
    headers = await owner.headers()
    admin = await agency_admin.headers()
    me = (await gateway.get("/api/v1/auth/me", headers=headers)).json()
    creditor_id = me["organisation_id"]
    case = await register(gateway, owner, a_case())
    case_id = case["case_id"]
    economy = f"/api/v1/ledger/cases/{case_id}/economy"

    async def on_the_ledger() -> bool:
        return (await gateway.get(economy, headers=await owner.headers())).status_code == 200

    await wait_for(on_the_ledger, what="the case to reach the ledger")
    paid = await post_bank_file(gateway, handler, ocr_file(case["kid"], 10_000))
    (payment_id,) = paid["payment_ids"]
    run = await settle(gateway, admin, creditor_id, "Nordlys Energi AS")
    rates = (await gateway.get("/api/v1/ledger/rates", headers=admin)).json()
    await ensure_default_prices(gateway, agency_admin)
    products = (await gateway.get("/api/v1/credit/products", headers=headers)).json()
    prices = {p["code"]: p["price"]["unit_price_ore"] for p in products}
    bought = await order(
        gateway, owner, {"kind": "company", "organisation_number": AS_HEALTHY}, prices
    )
    assert bought.status_code == 201, bought.text
    price_lists = (await gateway.get("/api/v1/credit/price-lists", headers=admin)).json()

    async def order_confirmation() -> str | None:
        documents = await gateway.get(
            "/api/v1/reports/documents",
            params={"source_id": case["batch_id"]},
            headers=await owner.headers(),
        )
        items = documents.json()["items"] if documents.status_code == 200 else []
        return items[0]["document_id"] if items else None

    document_id = await wait_for(order_confirmation, what="the order confirmation", seconds=60)
    note = await gateway.post(
        f"/api/v1/cases/{case_id}/notes", json={"body": "Ring skyldner"}, headers=headers
    )
    assert note.status_code == 201, note.text
    attached = await gateway.post(
        f"/api/v1/cases/{case_id}/notes/{note.json()['note_id']}/attachments",
        content=b"%PDF-1.4\n%%EOF\n",
        headers={**headers, "content-type": "application/octet-stream"},
    )
    assert attached.status_code in (201, 202), attached.text
    upload = await gateway.post(
        "/api/v1/cases/imports",
        content=b"creditor_reference;debtor_name\n",
        headers={**headers, "content-type": "text/csv"},
    )
    assert upload.status_code == 202, upload.text
    batches = await gateway.get("/api/v1/cases/batches", headers=headers)
    saved = await gateway.post(
        "/api/v1/reports/saved-reports",
        json={"name": "Saksliste", "report": "saksliste", "format": "csv"},
        headers=keyed(headers),
    )
    assert saved.status_code == 201, saved.text
    saved_report_id = saved.json()["saved_report_id"]
    schedule = await gateway.post(
        f"/api/v1/reports/saved-reports/{saved_report_id}/schedules",
        json={"frequency": "monthly"},
        headers=keyed(headers),
    )
    assert schedule.status_code == 201, schedule.text
    report_run = await gateway.post(
        f"/api/v1/reports/saved-reports/{saved_report_id}/runs", headers=keyed(headers)
    )
    assert report_run.status_code == 202, report_run.text
    return {
        "case_id": case_id,
        "batch_id": batches.json()["items"][0]["batch_id"],
        "job_id": upload.json()["job_id"],
        "note_id": note.json()["note_id"],
        "attachment_id": attached.json()["attachment_id"],
        "organisation_id": me["organisation_id"],
        "creditor_id": me["organisation_id"],
        "user_id": me["id"],
        "session_id": owner.session_id,
        "payment_id": payment_id,
        "bank_file_id": paid["bank_file_id"],
        "settlement_id": run["settlement_ids"][0],
        # the agency's; a run that pays nothing out (the creditor settled already) has none
        "message_id": run["payout_message_id"] or "no-payout-file",
        "rate_id": str(rates[0]["id"]),
        "order_id": bought.json()["id"],
        "price_list_id": str(price_lists[0]["id"]),
        "document_id": document_id,
        "saved_report_id": saved_report_id,
        "schedule_id": schedule.json()["schedule_id"],
        "run_id": report_run.json()["run_id"],
    }


async def test_no_creditor_reaches_another_creditors_objects_on_any_operation(
    stack: Stack,
    gateway: httpx.AsyncClient,
    admin: dict[str, str],
    agency_admin: SignedIn,
    demo: dict[str, Login],
) -> None:
    owner = await sign_in(gateway, demo[OWNER])
    handler = await sign_in(gateway, demo[CASE_HANDLER])
    owner_ids = await _owned(gateway, owner, handler, agency_admin)
    owner_admin = await sign_in(gateway, demo[OWNER_ADMIN])
    owner_ids["invoice_id"] = await _refused_erp_invoice(gateway, owner_admin)
    receiver = f"http://{stack.config.host}:{stack.config.port('webhook-receiver')}/bola"
    endpoint = await gateway.post(
        "/api/v1/webhooks/endpoints",
        json={"url": receiver, "event_types": ["case.registered"]},
        headers=await owner_admin.headers(),
    )
    assert endpoint.status_code == 201, endpoint.text
    owner_ids["endpoint_id"] = endpoint.json()["id"]
    api_client = await gateway.post(
        "/api/v1/auth/clients",
        json={"name": "Regnskap", "scopes": ["cases:read"]},
        headers=await owner_admin.headers(),
    )
    assert api_client.status_code == 201, api_client.text
    owner_ids["client_id"] = api_client.json()["id"]  # the owner's API client
    intruder_login = (await new_creditor(stack, gateway, admin)).admin
    intruder = await sign_in(gateway, intruder_login)
    spec = (await gateway.get("/openapi.json")).json()
    components = spec.get("components", {}).get("schemas", {})
    # the owner's own objects (the agency's bank files, payout files, rates and price lists
    # are no creditor's: another creditor may see a price list's id on its products)
    secrets = {v for k, v in owner_ids.items() if k not in AGENCY_OWNED and _is_uuid(v)}

    tried: list[str] = []
    failures: list[str] = []
    for path, item in sorted(spec["paths"].items()):
        for method in METHODS:
            operation = item.get(method)
            if operation is None or (method.upper(), path) in PUBLIC_OPERATIONS:
                continue
            parameters = operation.get("parameters", []) + item.get("parameters", [])
            names = [p["name"] for p in parameters if p["in"] == "path"]
            if not names and method != "get":
                continue  # a creation: made in the caller's own organisation (service tables)
            missing = [n for n in names if n not in owner_ids and n not in FIXED]
            if missing:
                failures.append(f"{method.upper()} {path}: no owner's value for {missing}")
                continue
            url = path
            for name in names:
                url = url.replace("{" + name + "}", owner_ids.get(name) or FIXED[name])
            query = {
                p["name"]: example(p.get("schema", {}), components)
                for p in parameters
                if p["in"] == "query" and p.get("required")
            }
            body = BODIES.get((method, path))
            content = operation.get("requestBody", {}).get("content", {})
            if body is None and "application/json" in content:
                body = example(content["application/json"].get("schema", {}), components)
            response = await gateway.request(
                method.upper(),
                url,
                params=query,
                json=body,
                headers={**(await intruder.headers()), "idempotency-key": str(uuid.uuid4())},
            )
            tried.append(f"{method.upper()} {path}")
            resource = [n for n in names if n not in FIXED]
            if resource and response.status_code not in REFUSED:
                failures.append(
                    f"{method.upper()} {path}: {response.status_code} {response.text[:200]}"
                )
            elif not resource and response.status_code == 200:
                leaked = [s for s in secrets if s in response.text]
                if leaked:
                    failures.append(f"GET {path}: lists the owner's {leaked}")

    assert not failures, "\n".join(failures)
    # the matrix reached every service (not only the few operations of one)
    for service in ("auth", "cases", "ledger", "reports", "credit"):
        assert any(f"/api/v1/{service}/" in t for t in tried), service
