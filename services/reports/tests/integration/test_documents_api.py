"""``/api/v1/reports/documents``: lists, metadata, downloads (audited) and ZIPs, scoped by
the organisation in the token. The tenancy tables must name every operation of the
service's OpenAPI (:func:`test_the_tables_name_every_endpoint`), so a new endpoint's
tenancy is decided here."""

from __future__ import annotations

import hashlib
import io
import uuid
import zipfile
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from reports.adapters.document_store import DocumentStore, NewDocument
from reports.adapters.orm import document_downloads
from reports.bootstrap import ReportsService
from reports.entrypoints.api import create_app
from servicekit.roles import Roles
from servicekit.testing.http import asgi_client, assert_problem
from servicekit.testing.input_schema import loose_inputs
from servicekit.testing.tokens import TestSigner
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

pytestmark = pytest.mark.integration

P = "/api/v1/reports"

#: Creditor-facing: the owner's users and agency staff read it; another creditor gets 404.
READS = ["/documents/{document}", "/documents/{document}/content"]
#: Lists scoped to the caller's organisation (another creditor's list is empty).
LISTS = ["/documents"]
#: Downloads of a selection: another creditor's selection holds nothing (422).
ARCHIVES = ["/documents/archive?id={document}"]
#: Agency administrators only.
ADMIN_READS = ["/organisations/{creditor}"]
#: Report runs, scoped to the caller's organisation (tried in test_catalogue.py).
REPORT_RUNS = ["/catalogue/{code}"]
#: Key figures scoped to the caller's organisation (tried in test_catalogue_figures.py:
#: another creditor sees its own figures, agency staff one creditor or all).
SCOPED_FIGURES = ["/kpis"]
#: Read by every signed-in user (what reports there are).
SHARED_READS = ["/catalogue"]
#: Commands a signed-in user may give about its own organisation's data (tried in
#: test_case_statements.py: another creditor's case is not found).
OWN_COMMANDS = [("POST", "/case-statements")]
#: Saved reports and runs of the caller's organisation (tried in test_saved_reports.py:
#: another creditor's is 404 saved-report-not-found / report-run-not-found; agency staff
#: name the creditor).
SAVED_REPORTS = [
    ("GET", "/saved-reports"),
    ("POST", "/saved-reports"),
    ("GET", "/saved-reports/{saved_report_id}"),
    ("PATCH", "/saved-reports/{saved_report_id}"),
    ("DELETE", "/saved-reports/{saved_report_id}"),
    ("POST", "/saved-reports/{saved_report_id}/schedules"),
    ("DELETE", "/saved-reports/{saved_report_id}/schedules/{schedule_id}"),
    ("POST", "/saved-reports/{saved_report_id}/runs"),
    ("GET", "/report-runs"),
    ("POST", "/report-runs"),
    ("GET", "/report-runs/{run_id}"),
]
#: Agency administrators' commands on a creditor's document (tried in test_corrections.py:
#: a creditor's users and case handlers get 403, an unknown document 404).
AGENCY_COMMANDS = [("POST", "/documents/{document}/corrections")]
_PLACEHOLDERS = {
    "{document_id}": "{document}",
    "{organisation_id}": "{creditor}",
}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def issue(
    service: ReportsService,
    creditor_id: uuid.UUID,
    *,
    kind: str = "settlement_statement",
    number: str | None = None,
    at: datetime | None = None,
) -> uuid.UUID:
    content = f"%PDF-1.7 {uuid.uuid4()}".encode()
    number = number or f"T-{uuid.uuid4().hex[:10]}"
    document_id = uuid.uuid4()
    async with service.session_factory() as session, session.begin():
        await DocumentStore(session).add(
            NewDocument(
                document_id=document_id,
                organisation_id=creditor_id,
                kind=kind,
                source_id=uuid.uuid4(),
                number=number,
                issued_at=at or datetime.now(UTC),
                period_start=date(2026, 3, 1),
                period_end=date(2026, 3, 31),
                media_type="application/pdf",
                file_name=f"avregning-{number}.pdf",
                sha256=hashlib.sha256(content).hexdigest(),
                content=content,
            )
        )
    return document_id


@pytest.fixture
async def client(service: ReportsService) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(create_app(service)) as client:
        yield client


async def downloads_of(service: ReportsService, document_id: uuid.UUID) -> list[tuple[str, str]]:
    async with service.session_factory() as session:
        rows = await session.execute(
            select(document_downloads.c.via, document_downloads.c.user_id).where(
                document_downloads.c.document_id == document_id
            )
        )
        return [(via, str(user)) for via, user in rows]


def test_the_tables_name_every_endpoint(service: ReportsService) -> None:
    def table_form(path: str) -> str:
        for documented, ours in _PLACEHOLDERS.items():
            path = path.replace(documented, ours)
        return path.removeprefix(P)

    documented = {
        (method.upper(), table_form(path))
        for path, operations in create_app(service).openapi()["paths"].items()
        if path.startswith(P) and "/ops/dead-letters" not in path  # servicekit's ops tests
        for method in operations
    }
    tables = READS + LISTS + ARCHIVES + ADMIN_READS + REPORT_RUNS + SCOPED_FIGURES + SHARED_READS
    named = (
        {("GET", p.split("?")[0]) for p in tables}
        | set(OWN_COMMANDS)
        | set(SAVED_REPORTS)
        | set(AGENCY_COMMANDS)
    )
    assert documented == named


async def test_a_creditor_sees_only_its_own(
    client: httpx.AsyncClient, service: ReportsService, signer: TestSigner
) -> None:
    creditor, other = uuid.uuid4(), uuid.uuid4()
    document = await issue(service, creditor)
    own = signer.headers(organisation_id=creditor, roles=[Roles.CREDITOR])
    theirs = signer.headers(organisation_id=other, roles=[Roles.CREDITOR_ADMIN])
    handler = signer.headers(organisation_id=uuid.uuid4(), roles=[Roles.CASE_HANDLER])
    admin = signer.headers(organisation_id=uuid.uuid4(), roles=[Roles.AGENCY_ADMIN])
    world = {"document": document, "creditor": creditor}
    for template in READS:
        path = P + template.format(**world)
        assert (await client.get(path, headers=own)).status_code == 200, path
        assert (await client.get(path, headers=handler)).status_code == 200, path
        assert_problem(await client.get(path, headers=theirs), 404, "document-not-found")
        assert_problem(await client.get(path), 401)
    for template in LISTS:
        mine = (await client.get(P + template, headers=own)).json()["items"]
        assert [d["document_id"] for d in mine] == [str(document)]
        assert (await client.get(P + template, headers=theirs)).json()["items"] == []
        staff = await client.get(
            P + template, params={"creditor_id": str(creditor)}, headers=handler
        )
        assert [d["document_id"] for d in staff.json()["items"]] == [str(document)]
        # a creditor naming another creditor still sees only its own organisation's
        named = await client.get(
            P + template, params={"creditor_id": str(creditor)}, headers=theirs
        )
        assert named.json()["items"] == []
        assert_problem(await client.get(P + template), 401)
    for template in ARCHIVES:
        path = P + template.format(**world)
        assert (await client.get(path, headers=own)).status_code == 200
        assert_problem(await client.get(path, headers=theirs), 422, "no-documents-selected")
        assert_problem(await client.get(path), 401)
    for template in REPORT_RUNS:
        path = P + template.format(code="saksliste")
        assert (await client.get(path, headers=own)).status_code == 200
        assert_problem(await client.get(path), 401)
    for template in SHARED_READS:
        assert (await client.get(P + template, headers=theirs)).status_code == 200
        assert_problem(await client.get(P + template), 401)
    for template in ADMIN_READS:
        path = P + template.format(**world)
        assert_problem(await client.get(path, headers=own), 403)
        assert_problem(await client.get(path, headers=handler), 403)
        assert (await client.get(path, headers=admin)).status_code in (200, 404)


async def test_a_download_is_the_document_as_issued_and_audited(
    client: httpx.AsyncClient, service: ReportsService, signer: TestSigner
) -> None:
    creditor = uuid.uuid4()
    user = uuid.uuid4()
    document = await issue(service, creditor, number="AVR-T-1")
    headers = bearer(signer.mint(organisation_id=creditor, user_id=user, roles=[Roles.CREDITOR]))
    meta = (await client.get(f"{P}/documents/{document}", headers=headers)).json()
    assert (meta["kind"], meta["number"], meta["file_name"]) == (
        "settlement_statement",
        "AVR-T-1",
        "avregning-AVR-T-1.pdf",
    )
    assert await downloads_of(service, document) == []  # metadata is not a download
    response = await client.get(meta["content_url"], headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert hashlib.sha256(response.content).hexdigest() == meta["sha256"]
    assert 'filename="avregning-AVR-T-1.pdf"' in response.headers["content-disposition"]
    assert await downloads_of(service, document) == [("file", str(user))]


async def test_keyset_pages_filters_and_bad_cursors(
    client: httpx.AsyncClient, service: ReportsService, signer: TestSigner
) -> None:
    creditor = uuid.uuid4()
    base = datetime(2026, 4, 10, 12, tzinfo=UTC)
    ids = [await issue(service, creditor, at=base - timedelta(days=i)) for i in range(5)]
    confirmation = await issue(
        service, creditor, kind="order_confirmation", at=base - timedelta(days=40)
    )
    headers = signer.headers(organisation_id=creditor, roles=[Roles.CREDITOR])
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = (await client.get(f"{P}/documents", params=params, headers=headers)).json()
        seen += [d["document_id"] for d in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [str(i) for i in ids] + [str(confirmation)]
    kinds = await client.get(
        f"{P}/documents", params={"kind": "order_confirmation"}, headers=headers
    )
    assert [d["document_id"] for d in kinds.json()["items"]] == [str(confirmation)]
    period = await client.get(
        f"{P}/documents",
        params={"period_from": "2026-04-08", "period_to": "2026-04-09"},
        headers=headers,
    )
    assert [d["document_id"] for d in period.json()["items"]] == [str(ids[1]), str(ids[2])]
    assert_problem(
        await client.get(f"{P}/documents", params={"cursor": "nonsense"}, headers=headers),
        422,
        "invalid-cursor",
    )
    assert_problem(
        await client.get(f"{P}/documents", params={"kind": "letter"}, headers=headers), 422
    )


async def test_include_all_downloads_every_selected_document_as_one_zip(
    client: httpx.AsyncClient, service: ReportsService, signer: TestSigner
) -> None:
    creditor = uuid.uuid4()
    user = uuid.uuid4()
    ids = [await issue(service, creditor, number=f"Z-{i}") for i in range(3)]
    other = await issue(service, uuid.uuid4(), number="Z-other")
    headers = bearer(signer.mint(organisation_id=creditor, user_id=user, roles=[Roles.CREDITOR]))
    response = await client.get(f"{P}/documents/archive", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.testzip() is None
        names = sorted(archive.namelist())
        assert names == ["avregning-Z-0.pdf", "avregning-Z-1.pdf", "avregning-Z-2.pdf"]
    for document in ids:
        assert await downloads_of(service, document) == [("zip", str(user))]
    assert await downloads_of(service, other) == []
    chosen = await client.get(
        f"{P}/documents/archive", params={"id": [str(ids[0]), str(other)]}, headers=headers
    )
    with zipfile.ZipFile(io.BytesIO(chosen.content)) as archive:
        assert archive.namelist() == ["avregning-Z-0.pdf"]
    service.settings.zip_max_documents = 2
    assert_problem(
        await client.get(f"{P}/documents/archive", headers=headers), 422, "too-many-documents"
    )


async def test_the_download_audit_is_append_only(
    client: httpx.AsyncClient, service: ReportsService, signer: TestSigner
) -> None:
    creditor = uuid.uuid4()
    document = await issue(service, creditor)
    headers = signer.headers(organisation_id=creditor, roles=[Roles.CREDITOR])
    await client.get(f"{P}/documents/{document}/content", headers=headers)
    async with service.session_factory() as session:
        count = await session.scalar(select(func.count()).select_from(document_downloads))
        assert count
    async with service.session_factory() as session:
        with pytest.raises(DBAPIError, match="immutable"):
            async with session.begin():
                await session.execute(
                    document_downloads.delete().where(document_downloads.c.document_id == document)
                )


def test_every_input_is_bounded_in_the_openapi_document(service: ReportsService) -> None:
    assert loose_inputs(create_app(service).openapi()) == []


async def test_hostile_filters_are_422_with_the_field(
    client: httpx.AsyncClient, signer: TestSigner
) -> None:
    headers = signer.headers(organisation_id=uuid.uuid4(), roles=[Roles.CREDITOR])
    for params, field in (
        ({"cursor": "a\x00b"}, "cursor"),
        ({"period_from": "2026-04-08T00:00:00"}, "period_from"),
        ({"period_to": "1e3"}, "period_to"),
    ):
        body = assert_problem(
            await client.get(f"{P}/documents", params=params, headers=headers), 422
        )
        assert [e["field"] for e in body["errors"]] == [field], body
    report = await client.get(
        f"{P}/catalogue/saksliste", params={"status": "open\x00"}, headers=headers
    )
    assert [e["field"] for e in assert_problem(report, 422)["errors"]] == ["status"]
