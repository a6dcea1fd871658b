"""Every cases endpoint, tried by two organisations.

A creditor's users see and touch only their own organisation's cases, batches, notes and
import jobs: another organisation's answer 404 exactly as ids that do not exist (never
403, which would say that they exist); collections never list them; what a creditor
registers belongs to the organisation in its token. Case-handler actions answer 403 to
every creditor user. Nothing answers without a token (401).

The table below must name every operation of the service's OpenAPI: a new endpoint fails
:func:`test_the_table_names_every_endpoint` until its tenancy is decided here.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from cases.bootstrap import CasesService
from cases.entrypoints.api import create_app
from servicekit.roles import Roles
from servicekit.testing.http import asgi_client, assert_problem
from servicekit.testing.tokens import TestSigner

from .conftest import add_creditor
from .import_support import csv_bytes, rows_of
from .test_cases_api import Caller, caller, case_body

pytestmark = pytest.mark.integration

P = "/api/v1/cases"

#: A creditor of the owning organisation gets 200; any other organisation 404.
OWN_READS = [
    "/{case}",
    "/{case}/notes",
    "/{case}/next-steps",
    "/batches/{batch}",
    "/imports/{job}",
    "/imports/{job}/errors",
    "/imports/{job}/errors.csv",
    "/imports/{job}/errors.xlsx",
]
#: Answers 404 to another organisation (its answer to the owner is a stream or a change,
#: tried by the tests of the feature itself).
OWN_ONLY = [
    ("GET", "/imports/{job}/events", None),
    ("POST", "/{case}/notes", {"body": "Hei"}),
    ("POST", "/{case}/notes/read", {"up_to_seq": 1}),
    ("POST", "/{case}/withdraw", {}),
    ("POST", "/{case}/notes/{note}/attachments", None),  # the file: test_attachments
    ("GET", "/{case}/attachments/{attachment}", None),
]
#: Collections: another organisation's list holds none of the owner's items.
LISTS = {
    "": ("items", "case_id"),
    "/batches": ("items", "batch_id"),
    "/imports": ("items", "job_id"),
    "/notes/unread": ("cases", "case_id"),
    "/notes": ("items", "case_id"),
}
#: A list as a file: the caller's own cases only (the case's reference is looked for).
FILES = ["/export"]
#: The case handlers' (403 to every creditor user, whichever the case).
AGENCY = [
    ("GET", "/work-queue", None),
    ("POST", "/{case}/inkassovarsel", {}),
    ("POST", "/{case}/betalingsoppfordring", {}),
    ("POST", "/{case}/objections", {"received_on": "2026-01-05", "grounds": "Betalt"}),
    ("POST", "/{case}/objections/resolve", {"outcome": "resumed"}),
    ("POST", "/{case}/payment-plan", {"instalments": []}),
    ("POST", "/{case}/payment-plan/breach", {}),
    ("POST", "/{case}/legal-steps", {"step": "forliksklage"}),
    ("POST", "/{case}/acknowledgements", {"kind": "acknowledgement", "on": "2026-01-05"}),
    ("POST", "/{case}/close", {"reason": "withdrawn"}),
    ("GET", "/creditors/{creditor}", None),
]
#: Made in the caller's own organisation, whatever the body says.
CREATIONS = [("POST", ""), ("POST", "/registrations"), ("POST", "/imports")]
#: The same for everyone signed in.
SHARED = [("GET", "/imports/template.csv"), ("GET", "/imports/template.xlsx")]
#: Counted over the caller's own cases (checked in test_cases_api).
SCOPED_FIGURES = [("GET", "/summary")]
#: Checks a body against the rules and stores nothing; names no existing case
#: (checked in test_cases_api: ``checked_without``).
DRY_RUNS = [("POST", "/validation")]


def _operations() -> set[tuple[str, str]]:
    named: set[tuple[str, str]] = {("GET", path) for path in OWN_READS}
    named |= {(method, path) for method, path, _ in OWN_ONLY + AGENCY}
    named |= {("GET", path) for path in LISTS}
    named |= {("GET", path) for path in FILES}
    named |= set(CREATIONS + SHARED + SCOPED_FIGURES + DRY_RUNS)
    return {(method, P + path) for method, path in named}


def _template(path: str) -> str:
    """The OpenAPI's path with this table's placeholder names."""
    for name in ("case_id", "batch_id", "job_id", "note_id", "attachment_id"):
        path = path.replace("{" + name + "}", "{" + name.removesuffix("_id") + "}")
    return path.replace("{organisation_id}", "{creditor}")


def test_the_table_names_every_endpoint(service: CasesService) -> None:
    documented = {
        (method.upper(), _template(path))
        for path, operations in create_app(service).openapi()["paths"].items()
        if path.startswith(P) and "/ops/dead-letters" not in path  # servicekit's ops tests
        for method in operations
    }
    assert documented == _operations()


@pytest.fixture
async def owned(
    service: CasesService, signer: TestSigner, registration: Any
) -> tuple[dict[str, Caller], dict[str, str]]:
    """Two creditors and a case handler; the first creditor has a case with a note and its
    answer, its batch and an import job."""
    first, second = await add_creditor(service), await add_creditor(service)
    callers = {
        "own": caller(signer, first, Roles.CREDITOR),
        "other": caller(signer, second, Roles.CREDITOR_ADMIN, Roles.CREDITOR),
        "handler": caller(signer, uuid.uuid4(), Roles.CASE_HANDLER),
    }
    own = callers["own"].headers
    async with asgi_client(create_app(service)) as client:
        case = (await client.post(P, json=case_body(), headers=own)).json()
        notes = f"{P}/{case['case_id']}/notes"
        note = (await client.post(notes, json={"body": "Til dere"}, headers=own)).json()
        attached = await client.post(
            f"{notes}/{note['note_id']}/attachments",
            content=b"%PDF-1.4\n%%EOF\n",
            headers={**own, "Content-Type": "application/octet-stream"},
        )
        assert attached.status_code in (201, 202), attached.text  # 202: held, no clamd here
        await client.post(notes, json={"body": "Svar"}, headers=callers["handler"].headers)
        job = await client.post(
            f"{P}/imports",
            content=csv_bytes(rows_of(registration())),
            headers={**own, "Content-Type": "text/csv"},
        )
        assert job.status_code == 202, job.text
    ids = {
        "case": case["case_id"],
        "batch": case["batch_id"],
        "job": job.json()["job_id"],
        "creditor": str(first),
        "note": note["note_id"],
        "attachment": attached.json()["attachment_id"],
    }
    return callers, ids


async def test_another_organisation_gets_nothing_of_the_first_ones(
    service: CasesService, owned: tuple[dict[str, Caller], dict[str, str]]
) -> None:
    callers, ids = owned
    own, other, handler = callers["own"], callers["other"], callers["handler"]
    async with asgi_client(create_app(service)) as client:
        for template in OWN_READS:
            path = P + template.format(**ids)
            assert (await client.get(path, headers=own.headers)).status_code == 200, path
            assert (await client.get(path, headers=handler.headers)).status_code == 200, path
            assert_problem(await client.get(path, headers=other.headers), 404, "not-found")
            assert_problem(await client.get(path), 401)
        for method, template, body in OWN_ONLY:
            path = P + template.format(**ids)
            response = await client.request(method, path, json=body, headers=other.headers)
            assert_problem(response, 404, "not-found")
            assert_problem(await client.request(method, path, json=body), 401)
        for template, (field, key) in LISTS.items():
            mine = await _listed(client, P + template, field, key, own)
            theirs = await _listed(client, P + template, field, key, other)
            assert mine, template
            assert not mine & theirs, template
        reference = (await client.get(f"{P}/{ids['case']}", headers=own.headers)).json()[
            "creditor_reference"
        ]
        for template in FILES:
            mine_file = await client.get(P + template, headers=own.headers)
            theirs_file = await client.get(P + template, headers=other.headers)
            assert reference in mine_file.text, template
            assert theirs_file.status_code == 200, template
            assert reference not in theirs_file.text, template
            assert_problem(await client.get(P + template), 401)
        # the case is still the owner's, untouched by the other organisation's attempts
        detail = (await client.get(f"{P}/{ids['case']}", headers=own.headers)).json()
        assert detail["status"] == "registered"
        assert [n["body"] for n in detail["notes"]] == ["Til dere", "Svar"]


async def _listed(
    client: httpx.AsyncClient, path: str, field: str, key: str, who: Caller
) -> set[str]:
    response = await client.get(path, headers=who.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()[field]
    return {item[key] for item in items}


async def test_case_handlers_actions_are_refused_to_every_creditor_user(
    service: CasesService, owned: tuple[dict[str, Caller], dict[str, str]]
) -> None:
    callers, ids = owned
    async with asgi_client(create_app(service)) as client:
        for method, template, body in AGENCY:
            path = P + template.format(**ids)
            for who in (callers["own"], callers["other"]):
                response = await client.request(method, path, json=body, headers=who.headers)
                assert_problem(response, 403, "forbidden")
            assert_problem(await client.request(method, path, json=body), 401)


async def test_what_a_creditor_registers_is_its_own_organisations(
    service: CasesService, owned: tuple[dict[str, Caller], dict[str, str]], registration: Any
) -> None:
    callers, ids = owned
    own, other = callers["own"], callers["other"]
    async with asgi_client(create_app(service)) as client:
        one = await client.post(P, json=case_body(), headers=other.headers)
        many = await client.post(
            f"{P}/registrations", json={"cases": [case_body()]}, headers=other.headers
        )
        job = await client.post(
            f"{P}/imports",
            content=csv_bytes(rows_of(registration())),
            headers={**other.headers, "Content-Type": "text/csv"},
        )
        assert one.status_code == 201, one.text
        assert many.status_code in (200, 201), many.text
        assert job.status_code == 202, job.text
        theirs = {one.json()["case_id"], *(r["case_id"] for r in many.json()["registered"])}
        for case_id in theirs:
            assert_problem(await client.get(f"{P}/{case_id}", headers=own.headers), 404)
            seen = (await client.get(f"{P}/{case_id}", headers=other.headers)).json()
            assert seen["creditor_id"] == str(other.organisation_id)
        assert_problem(
            await client.get(f"{P}/imports/{job.json()['job_id']}", headers=own.headers), 404
        )
        for method, template in CREATIONS:
            assert_problem(await client.request(method, P + template, json={}), 401)
        for method, template in SHARED + SCOPED_FIGURES:
            response = await client.request(method, P + template, headers=other.headers)
            assert response.status_code == 200, template
        assert ids["case"] not in theirs
