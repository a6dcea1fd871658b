"""«Dokumenter» and «Rapporter» over HTTP, against stand-ins of the reports, cases and
ledger services: what the portal asks the reports service, what it streams back (type,
file name, bytes), the ZIP's three selections, the document links on a batch's and a
settlement's page, and the service's refusals in the page's words, never its English."""

from __future__ import annotations

import io
import uuid
import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request, Response
from fastapi.responses import StreamingResponse
from servicekit.http import RequestContextMiddleware
from servicekit.problems import problem
from servicekit.roles import Roles
from servicekit.testing.tokens import TestSigner

from .support import GatewayFactory, RunningServer
from .test_portal_cookies import AT, CSRF, cookie_header, set_cookies

pytestmark = pytest.mark.integration

CREDITOR = uuid.UUID("5d6c1a0e-3b7f-4c1e-9f5e-6a1b2c3d4e5f")
OTHER_CREDITOR = uuid.UUID("7e8f9a0b-1c2d-4e3f-8a9b-0c1d2e3f4a5b")
BATCH = uuid.UUID("11111111-2222-4333-8444-555555555555")
SETTLEMENT = uuid.UUID("66666666-7777-4888-9999-aaaaaaaaaaaa")
PDF = b"%PDF-1.7\n% order confirmation\n" + bytes(range(256)) * 40


def _document(kind: str, number: str, source: uuid.UUID, name: str) -> dict[str, Any]:
    document_id = uuid.uuid4()
    return {
        "document_id": str(document_id),
        "organisation_id": str(CREDITOR),
        "kind": kind,
        "source_id": str(source),
        "number": number,
        "issued_at": "2026-11-30T09:15:00Z",
        "period_start": "2026-11-01" if kind != "order_confirmation" else None,
        "period_end": "2026-11-30" if kind != "order_confirmation" else None,
        "media_type": "text/csv" if kind == "posting_proposal" else "application/pdf",
        "file_name": name,
        "size": len(PDF),
        "sha256": "ab" * 32,
        "replaces_document_id": None,
        "content_url": f"/api/v1/reports/documents/{document_id}/content",
    }


CASE = uuid.UUID("12121212-3434-4565-8787-909090909090")
LETTER = uuid.UUID("abababab-cdcd-4efe-8a8a-bcbcbcbcbcbc")
DOCUMENTS = [
    _document("order_confirmation", "B-000042", BATCH, "ordrebekreftelse-B-000042.pdf"),
    _document("settlement_statement", "AVR-2026-000007", SETTLEMENT, "avregning-AVR-7.pdf"),
    _document("posting_proposal", "AVR-2026-000007", SETTLEMENT, "bokforingsforslag-AVR-7.csv"),
]
CASE_LETTER = {
    **_document("debtor_letter", "100017-IV-20261130", LETTER, "brev-100017-IV-20261130.pdf"),
    "case_id": str(CASE),
}
"""A letter to the debtor: found by its case's id."""

CATALOGUE = [
    {
        "code": "saksliste",
        "columns": [
            {"code": "saksnummer", "kind": "text"},
            {"code": "status", "kind": "text"},
            {"code": "skyldnertype", "kind": "text"},
            {"code": "registrert", "kind": "date"},
            {"code": "hovedstol", "kind": "money"},
        ],
        "filters": ["period", "status", "debtor_kind", "batch_id", "creditor_id"],
        "period_of": "the date the case was registered",
        "formats": ["json", "csv", "xlsx"],
    },
    {
        "code": "avregninger",
        "columns": [{"code": "avregning", "kind": "text"}, {"code": "utbetalt", "kind": "money"}],
        "filters": ["period", "creditor_id"],
        "period_of": "the payout date",
        "formats": ["json", "csv", "xlsx"],
    },
    {  # a report newer than the portal's words: shown by its code
        "code": "ny_rapport",
        "columns": [{"code": "ny_kolonne", "kind": "count"}],
        "filters": [],
        "period_of": "",
        "formats": ["json", "csv", "xlsx"],
    },
]


SAVED = {
    "saved_report_id": str(uuid.uuid4()),
    "organisation_id": str(CREDITOR),
    "name": "Saksliste for revisor",
    "report": "saksliste",
    "filters": {"status": "notice_sent"},
    "columns": [],
    "format": "xlsx",
    "created_at": "2026-12-01T08:00:00Z",
    "schedules": [
        {
            "schedule_id": str(uuid.uuid4()),
            "frequency": "weekly",
            "next_run_at": "2026-12-07T05:00:00Z",
            "notify": True,
        }
    ],
}
DONE_DOCUMENT = str(uuid.uuid4())


def _run(status: str, written: int, total: int | None, document: str | None) -> dict[str, Any]:
    return {
        "run_id": str(uuid.uuid4()),
        "organisation_id": str(CREDITOR),
        "saved_report_id": SAVED["saved_report_id"],
        "scheduled": document is not None,
        "report": "saksliste",
        "format": "xlsx",
        "status": status,
        "rows_written": written,
        "rows_total": total,
        "error": None,
        "document_id": document,
        "content_url": None,
        "created_at": "2026-12-06T08:00:00Z",
        "finished_at": None,
    }


RUNS = [_run("running", 4000, 10000, None), _run("done", 10000, 10000, DONE_DOCUMENT)]


@dataclass
class Seen:
    """What the stand-ins were asked: (path, query as a list of pairs, authorization)."""

    calls: list[tuple[str, list[tuple[str, str]], str]] = field(default_factory=list)
    reports_down: bool = False
    statements: list[dict[str, Any]] = field(default_factory=list)
    saved_posts: list[tuple[str, Any, str | None]] = field(default_factory=list)
    """(path, JSON body, Idempotency-Key) of each POST about saved reports."""
    corrections: list[tuple[Any, str | None]] = field(default_factory=list)
    """(JSON body, Idempotency-Key) of each correction asked for."""
    extra_documents: list[dict[str, Any]] = field(default_factory=list)
    """Documents the list shows besides :data:`DOCUMENTS` (a test's own)."""

    def last(self, path: str) -> list[tuple[str, str]]:
        return next(q for p, q, _ in reversed(self.calls) if p == path)

    def asked(self, path: str) -> bool:
        return any(p == path for p, _, _ in self.calls)


def _services(seen: Seen) -> FastAPI:
    """One stand-in serving the reports, cases and ledger routes the pages call."""
    app = FastAPI()
    app.add_middleware(RequestContextMiddleware, service="fake-reports")

    @app.middleware("http")
    async def record(request: Request, call_next: Any) -> Response:
        seen.calls.append(
            (
                request.url.path,
                list(request.query_params.multi_items()),
                request.headers.get("authorization", ""),
            )
        )
        if seen.reports_down and request.url.path.startswith("/api/v1/reports"):
            return problem(503, "service-unavailable", "Service unavailable")
        response: Response = await call_next(request)
        return response

    @app.get("/api/v1/reports/documents")
    async def documents(request: Request) -> Any:
        query = request.query_params
        if query.get("cursor") == "gammel":
            return problem(
                422,
                "invalid-cursor",
                "Invalid cursor",
                "The cursor is not one this list gave.",
                errors=[{"field": "cursor", "reason": "invalid"}],
            )
        kinds = query.getlist("kind")
        source = query.get("source_id")
        items = [
            d
            for d in [*DOCUMENTS, CASE_LETTER, *seen.extra_documents]
            if (not kinds or d["kind"] in kinds)
            and (not source or source in (d["source_id"], d.get("case_id")))
            and (d is not CASE_LETTER or source == str(CASE))
        ]
        return {"items": items, "next_cursor": None if query.get("cursor") else "side-2"}

    @app.get("/api/v1/reports/documents/archive")
    async def archive(request: Request) -> Any:
        query = request.query_params
        if query.get("kind") == "posting_proposal":
            return problem(
                422,
                "too-many-documents",
                "Too many documents",
                "Select at most 2000 documents for one download.",
            )
        ids = set(query.getlist("id"))
        chosen = [d for d in DOCUMENTS if not ids or d["document_id"] in ids]
        if ids and not chosen:
            return problem(422, "no-documents-selected", "No documents selected", "Nothing.")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for d in chosen:
                archive.writestr(d["file_name"], PDF)

        async def body() -> AsyncIterator[bytes]:
            data = buffer.getvalue()
            for start in range(0, len(data), 4096):
                yield data[start : start + 4096]

        return StreamingResponse(
            body(),
            media_type="application/zip",
            headers={"Content-Disposition": 'attachment; filename="dokumenter.zip"'},
        )

    @app.get("/api/v1/reports/documents/{document_id}/content")
    async def content(document_id: str) -> Response:
        found = next((d for d in DOCUMENTS if d["document_id"] == document_id), None)
        if found is None:
            return problem(404, "document-not-found", "No such document", "No such document.")
        return Response(
            PDF,
            media_type=found["media_type"],
            headers={
                "Content-Disposition": f'attachment; filename="{found["file_name"]}"',
                "ETag": f'"{found["sha256"]}"',
            },
        )

    @app.get(f"/api/v1/cases/{CASE}")
    async def case() -> Any:
        return {
            "case_id": str(CASE),
            "case_number": "100017",
            "creditor_id": str(CREDITOR),
            "batch_id": str(BATCH),
            "status": "notice_sent",
            "status_since": "2026-11-30T06:00:00Z",
            "closed_reason": None,
            "next_step_on": "2026-12-15",
            "deadline": "2026-12-14",
            "needs_attention": None,
            "creditor_reference": "F-2026-0042",
            "kid": "1000170",
            "principal_total_ore": 1_000_000,
            "registered_at": "2026-11-02T09:15:00Z",
            "limitation_date": "2029-11-02",
            "debtor": {
                "kind": "person",
                "name": "Kari Nordmann",
                "national_id_masked": None,
                "organisation_number": None,
                "address": {
                    "lines": ["Storgata 1"],
                    "postal_code": "0155",
                    "city": "Oslo",
                    "country": "NO",
                },
                "email": None,
                "phone": None,
            },
            "claims": [],
            "notes": [],
            "timeline": [],
        }

    @app.post("/api/v1/reports/case-statements")
    async def case_statement(request: Request) -> Any:
        body = await request.json()
        seen.statements.append(body)
        if body["case_id"] == str(OTHER_CREDITOR):
            return problem(404, "case-not-found", "No such case", "No such case.")
        return DOCUMENTS[1]

    @app.get("/api/v1/reports/saved-reports")
    async def saved_reports() -> Any:
        return {"items": [SAVED]}

    @app.get("/api/v1/reports/report-runs")
    async def report_runs() -> Any:
        return {"items": RUNS}

    @app.post("/api/v1/reports/saved-reports")
    @app.post("/api/v1/reports/saved-reports/{saved_id}/runs")
    @app.post("/api/v1/reports/saved-reports/{saved_id}/schedules")
    async def saved_post(request: Request) -> Any:
        body = await request.json() if await request.body() else None
        seen.saved_posts.append((request.url.path, body, request.headers.get("idempotency-key")))
        if request.url.path.endswith(f"{OTHER_CREDITOR}/runs"):
            return problem(
                404, "saved-report-not-found", "No such saved report", "No such saved report."
            )
        return Response(status_code=201, content=b"{}", media_type="application/json")

    @app.get("/api/v1/reports/catalogue")
    async def catalogue() -> Any:
        return CATALOGUE

    @app.get("/api/v1/reports/catalogue/{code}")
    async def run(code: str, request: Request) -> Any:
        if request.query_params.get("format") == "pdf":
            return Response(
                PDF,
                media_type="application/pdf",
                headers={"Content-Disposition": f'attachment; filename="{code}-2026-12-06.pdf"'},
            )
        if request.query_params.get("format") == "csv":

            async def rows() -> AsyncIterator[bytes]:
                yield "\ufeffsaksnummer;hovedstol\r\n".encode()
                yield b"1001;4990,00\r\n"

            return StreamingResponse(
                rows(),
                media_type="text/csv; charset=utf-8",
                headers={"Content-Disposition": f'attachment; filename="{code}-2026-12-06.csv"'},
            )
        return {
            "code": code,
            "columns": CATALOGUE[0]["columns"],
            "rows": [
                ["1001", "notice_sent", "business", "2026-10-02", 499000],
                ["1002", "registered", "person", "2026-10-03", 12345],
            ],
            "truncated": False,
        }

    @app.get("/api/v1/cases/batches")
    async def batches() -> Any:
        return {
            "items": [
                {
                    "batch_id": str(BATCH),
                    "batch_number": "B-000042",
                    "created_at": "2026-11-30T09:00:00Z",
                }
            ],
            "next_cursor": None,
        }

    @app.get("/api/v1/cases/batches/{batch_id}")
    async def batch(batch_id: uuid.UUID) -> Any:
        return {
            "batch_id": str(batch_id),
            "batch_number": "B-000042",
            "status": "registered",
            "channel": "form",
            "created_at": "2026-11-30T09:00:00Z",
            "registered_at": "2026-11-30T09:00:01Z",
            "case_count": 1,
            "claim_count": 1,
            "principal_total_ore": 499000,
            "rejected_count": 0,
            "cases": [],
            "next_cursor": None,
        }

    @app.get("/api/v1/ledger/settlements/{settlement_id}")
    async def settlement(settlement_id: uuid.UUID) -> Any:
        return {
            "settlement_id": str(settlement_id),
            "number": 7,
            "creditor_id": str(CREDITOR),
            "period_end": "2026-11-30",
            "status": "posted",
            "collected_ore": 1140000,
            "commission_ore": 50000,
            "credit_report_charges_ore": 0,
            "payout_ore": 1090000,
            "completed_at": "2026-12-01T08:00:00Z",
            "payout_message_id": None,
        }

    @app.get("/api/v1/ledger/settlements/{settlement_id}/lines")
    async def lines(settlement_id: uuid.UUID) -> Any:
        return []

    @app.get("/api/v1/reports/documents/{document_id}")
    async def document(document_id: str) -> Any:
        if document_id != STATEMENT["document_id"]:
            return problem(404, "document-not-found", "No such document", "No such document.")
        return _corrected() if seen.corrections else STATEMENT

    @app.post("/api/v1/reports/documents/{document_id}/corrections")
    async def correct(document_id: str, request: Request) -> Any:
        if seen.corrections:
            return problem(
                409,
                "document-already-corrected",
                "The document is corrected already",
                "The statement is credited already.",
            )
        seen.corrections.append((await request.json(), request.headers.get("idempotency-key")))
        return Response(status_code=201, content=b"{}", media_type="application/json")

    return app


STATEMENT = _document("settlement_statement", "AVR-2026-000008", SETTLEMENT, "avregning-8.pdf")
"""A statement an agency administrator corrects (not in :data:`DOCUMENTS`)."""
CREDIT_NOTE = {
    **_document("credit_note", "AVR-2026-000009", SETTLEMENT, "kreditnota-AVR-9.pdf"),
    "replaces_document_id": STATEMENT["document_id"],
    "corrects": {
        "correction_id": str(uuid.uuid4()),
        "reason": "creditor_name",
        "document_id": STATEMENT["document_id"],
        "number": "AVR-2026-000008",
    },
}
REPLACEMENT = {
    **_document("settlement_statement", "AVR-2026-000010", SETTLEMENT, "avregning-10.pdf"),
    "replaces_document_id": STATEMENT["document_id"],
}


def _corrected() -> dict[str, Any]:
    return {
        **STATEMENT,
        "corrected_by": {
            "correction_id": CREDIT_NOTE["corrects"]["correction_id"],
            "reason": "creditor_name",
            "credit_note_document_id": CREDIT_NOTE["document_id"],
            "replacement_document_id": REPLACEMENT["document_id"],
            "corrected_at": "2026-12-02T10:00:00Z",
        },
    }


@pytest.fixture(scope="module")
def seen() -> Seen:
    return Seen()


@pytest.fixture(scope="module")
async def portal(start_gateway: GatewayFactory, seen: Seen) -> AsyncIterator[httpx.AsyncClient]:
    server = await RunningServer(_services(seen)).start()
    urls = {f"{name}_url": server.url for name in ("reports", "cases", "ledger")}
    yield await start_gateway(signed_in=False, **urls)
    await server.stop()


@pytest.fixture(autouse=True)
def _reports_up(seen: Seen) -> None:
    seen.reports_down = False


async def _headers(
    portal: httpx.AsyncClient, signer: TestSigner, *roles: str, organisation: uuid.UUID = CREDITOR
) -> dict[str, str]:
    page = await portal.get("/logg-inn")
    csrf = set_cookies(page)[CSRF].value
    token = signer.mint(
        organisation_id=organisation, roles=list(roles), session_id=uuid.uuid4(), ttl=3600
    )
    return {**cookie_header({CSRF: csrf, AT: token}), "accept": "text/html"}


async def test_the_documents_page_lists_what_the_filter_asks_for_with_links_and_pages(
    portal: httpx.AsyncClient, signer: TestSigner, seen: Seen
) -> None:
    headers = await _headers(portal, signer, Roles.CREDITOR)
    query = {"slag": "order_confirmation", "fra": "01.11.2026", "til": "30.11.2026"}
    # a creditor's user cannot widen the page to another creditor: the filter is not sent
    page = await portal.get(
        "/dokumenter", params={**query, "oppdragsgiver": str(OTHER_CREDITOR)}, headers=headers
    )
    assert page.status_code == 200
    asked = seen.last("/api/v1/reports/documents")
    assert ("kind", "order_confirmation") in asked
    assert ("period_from", "2026-11-01") in asked
    assert ("period_to", "2026-11-30") in asked
    assert all(name != "creditor_id" for name, _ in asked)
    assert seen.calls[-1][2].startswith("Bearer ")
    text = page.text
    confirmation = DOCUMENTS[0]
    assert "Ordrebekreftelse" in text
    assert "B-000042" in text
    assert f'href="/dokumenter/{confirmation["document_id"]}/fil"' in text
    assert "Inkluder alle" in text
    assert 'data-select-all="id"' in text
    assert "/api/v1" not in text
    assert "Neste side" in text
    assert "cursor=side-2" in text
    assert "slag=order_confirmation" in text
    assert "Documents" not in text


async def test_a_wrong_date_or_an_old_cursor_is_said_in_norwegian(
    portal: httpx.AsyncClient, signer: TestSigner, seen: Seen
) -> None:
    headers = await _headers(portal, signer, Roles.CREDITOR)
    before = len(seen.calls)
    page = await portal.get("/dokumenter", params={"fra": "31.02.2026"}, headers=headers)
    assert page.status_code == 400
    assert "Skriv datoen som dd.mm.åååå" in page.text
    assert not any(p == "/api/v1/reports/documents" for p, _, _ in seen.calls[before:])
    old = await portal.get("/dokumenter", params={"cursor": "gammel"}, headers=headers)
    assert old.status_code == 400
    assert "The cursor is not one this list gave" not in old.text
    assert "feiloppsummering" in old.text


async def test_one_document_is_streamed_with_its_type_and_file_name(
    portal: httpx.AsyncClient, signer: TestSigner, seen: Seen
) -> None:
    headers = await _headers(portal, signer, Roles.CREDITOR)
    document = DOCUMENTS[1]
    got = await portal.get(f"/dokumenter/{document['document_id']}/fil", headers=headers)
    assert got.status_code == 200
    assert got.headers["content-type"] == "application/pdf"
    assert 'filename="avregning-AVR-7.pdf"' in got.headers["content-disposition"]
    assert got.headers["etag"] == f'"{"ab" * 32}"'
    assert got.headers["cache-control"] == "no-store"
    assert got.content == PDF
    missing = await portal.get(f"/dokumenter/{uuid.uuid4()}/fil", headers=headers)
    assert missing.status_code == 404
    assert "No such document" not in missing.text
    malformed = await portal.get("/dokumenter/ikke-en-id/fil", headers=headers)
    assert malformed.status_code == 404


def _zip_names(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert 'filename="dokumenter.zip"' in response.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return sorted(archive.namelist())


async def test_the_zip_holds_the_ticked_the_whole_page_or_every_match(
    portal: httpx.AsyncClient, signer: TestSigner, seen: Seen
) -> None:
    headers = await _headers(portal, signer, Roles.CREDITOR)
    first, second, third = (d["document_id"] for d in DOCUMENTS)
    ticked = await portal.get("/dokumenter/zip", params=[("id", first)], headers=headers)
    assert _zip_names(ticked) == ["ordrebekreftelse-B-000042.pdf"]
    assert seen.last("/api/v1/reports/documents/archive") == [("id", first)]

    # «Inkluder alle» without a script: the page's ids come with the form
    page = [("alle", "side"), ("side", first), ("side", second), ("side", third)]
    whole = await portal.get("/dokumenter/zip", params=page, headers=headers)
    assert len(_zip_names(whole)) == 3
    assert sorted(v for _, v in seen.last("/api/v1/reports/documents/archive")) == sorted(
        [first, second, third]
    )

    # every document the filter selects: the filter goes, no ids
    matching = [("alle", "filter"), ("slag", "settlement_statement"), ("side", first)]
    every = await portal.get("/dokumenter/zip", params=matching, headers=headers)
    assert _zip_names(every)
    assert seen.last("/api/v1/reports/documents/archive") == [("kind", "settlement_statement")]


async def test_a_zip_of_nothing_or_too_much_is_refused_in_the_pages_words(
    portal: httpx.AsyncClient, signer: TestSigner, seen: Seen
) -> None:
    headers = await _headers(portal, signer, Roles.CREDITOR)
    before = len(seen.calls)
    nothing = await portal.get("/dokumenter/zip", params={"slag": ""}, headers=headers)
    assert nothing.status_code == 400
    assert "Velg minst ett dokument" in nothing.text
    assert all(p != "/api/v1/reports/documents/archive" for p, _, _ in seen.calls[before:])
    too_many = await portal.get(
        "/dokumenter/zip", params={"alle": "filter", "slag": "posting_proposal"}, headers=headers
    )
    assert too_many.status_code == 400
    assert "for mange dokumenter til én nedlasting" in too_many.text
    assert "Select at most" not in too_many.text


async def test_agency_staff_filter_by_creditor(
    portal: httpx.AsyncClient, signer: TestSigner, seen: Seen
) -> None:
    headers = await _headers(portal, signer, Roles.CASE_HANDLER, organisation=uuid.uuid4())
    page = await portal.get(
        "/dokumenter", params={"oppdragsgiver": str(OTHER_CREDITOR)}, headers=headers
    )
    assert page.status_code == 200
    assert ("creditor_id", str(OTHER_CREDITOR)) in seen.last("/api/v1/reports/documents")
    assert 'name="oppdragsgiver"' in page.text
    wrong = await portal.get("/dokumenter", params={"oppdragsgiver": "nordlys"}, headers=headers)
    assert wrong.status_code == 400
    assert "Velg en oppdragsgiver fra listen" in wrong.text


async def test_a_batch_and_a_settlement_link_their_documents(
    portal: httpx.AsyncClient, signer: TestSigner, seen: Seen
) -> None:
    headers = await _headers(portal, signer, Roles.CREDITOR)
    batch = await portal.get(f"/bunter/{BATCH}", headers=headers)
    assert batch.status_code == 200
    asked = seen.last("/api/v1/reports/documents")
    assert ("source_id", str(BATCH)) in asked
    assert ("kind", "order_confirmation") in asked
    assert f"/dokumenter/{DOCUMENTS[0]['document_id']}/fil" in batch.text

    settlement = await portal.get(f"/avregning/{SETTLEMENT}", headers=headers)
    assert settlement.status_code == 200
    assert ("source_id", str(SETTLEMENT)) in seen.last("/api/v1/reports/documents")
    assert f"/dokumenter/{DOCUMENTS[1]['document_id']}/fil" in settlement.text
    assert f"/dokumenter/{DOCUMENTS[2]['document_id']}/fil" in settlement.text
    assert "Avregningsbilag" in settlement.text
    assert "Bokføringsforslag" in settlement.text

    # the reports service down: the batch page still shows, and says so
    seen.reports_down = True
    down = await portal.get(f"/bunter/{BATCH}", headers=headers)
    assert down.status_code == 200
    assert "Dokumentene kan ikke vises akkurat nå" in down.text


async def test_a_report_is_shown_as_a_table_and_downloaded_as_a_file(
    portal: httpx.AsyncClient, signer: TestSigner, seen: Seen
) -> None:
    headers = await _headers(portal, signer, Roles.CREDITOR)
    catalogue = await portal.get("/rapporter", headers=headers)
    assert catalogue.status_code == 200
    assert "Saksliste" in catalogue.text
    assert "Avregninger" in catalogue.text
    assert "reports.name" not in catalogue.text
    assert "ny_rapport" in catalogue.text
    newer = await portal.get("/rapporter", params={"rapport": "ny_rapport"}, headers=headers)
    assert newer.status_code == 200
    assert "<h1>ny_rapport</h1>" in newer.text
    assert "reports." not in newer.text

    query = {
        "rapport": "saksliste",
        "vis": "1",
        "fra": "01.10.2026",
        "status": "notice_sent",
        "skyldnertype": "business",
        "bunt": str(BATCH),
    }
    shown = await portal.get("/rapporter", params=query, headers=headers)
    assert shown.status_code == 200
    asked = seen.last("/api/v1/reports/catalogue/saksliste")
    for pair in (
        ("format", "json"),
        ("period_from", "2026-10-01"),
        ("status", "notice_sent"),
        ("debtor_kind", "business"),
        ("batch_id", str(BATCH)),
    ):
        assert pair in asked
    text = shown.text
    assert "Saksnummer" in text
    assert "Hovedstol" in text
    assert "Inkassovarsel sendt" in text
    assert "Virksomhet" in text
    assert "02.10.2026" in text
    assert "4\u00a0990,00" in text
    assert "B-000042" in text  # the batch filter offers the batches by number
    assert "/rapporter/saksliste/fil?" in text
    assert "format=csv" in text
    assert "format=pdf" in text
    assert "Last ned PDF" in text

    got = await portal.get(
        "/rapporter/saksliste/fil",
        params={"format": "csv", "status": "notice_sent"},
        headers=headers,
    )
    assert got.status_code == 200
    assert got.headers["content-type"].startswith("text/csv")
    assert 'filename="saksliste-2026-12-06.csv"' in got.headers["content-disposition"]
    assert got.content.startswith("\ufeffsaksnummer".encode())
    assert ("format", "csv") in seen.last("/api/v1/reports/catalogue/saksliste")

    wrong = await portal.get(
        "/rapporter", params={"rapport": "saksliste", "vis": "1", "status": "x"}, headers=headers
    )
    assert wrong.status_code == 400
    assert "Velg et av valgene i listen" in wrong.text
    unknown = await portal.get("/rapporter", params={"rapport": "nei"}, headers=headers)
    assert unknown.status_code == 404
    pdf = await portal.get(
        "/rapporter/saksliste/fil",
        params={"format": "pdf", "status": "notice_sent"},
        headers=headers,
    )
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert 'filename="saksliste-2026-12-06.pdf"' in pdf.headers["content-disposition"]
    assert pdf.content == PDF
    assert ("format", "pdf") in seen.last("/api/v1/reports/catalogue/saksliste")
    assert ("status", "notice_sent") in seen.last("/api/v1/reports/catalogue/saksliste")
    other = await portal.get("/rapporter/saksliste/fil", params={"format": "docx"}, headers=headers)
    assert other.status_code == 404


async def test_the_pages_speak_english_when_chosen(
    portal: httpx.AsyncClient, signer: TestSigner
) -> None:
    headers = await _headers(portal, signer, Roles.CREDITOR)
    headers["Cookie"] += "; ic_lang=en"
    documents = await portal.get("/dokumenter", headers=headers)
    assert "Include all" in documents.text
    assert "Order confirmation" in documents.text
    reports = await portal.get("/rapporter?rapport=saksliste&vis=1", headers=headers)
    assert "Case number" in reports.text
    assert "Saksnummer" not in reports.text


async def test_a_case_statement_is_issued_from_the_case_page_and_downloaded(
    portal: httpx.AsyncClient, signer: TestSigner, seen: Seen
) -> None:
    headers = await _headers(portal, signer, Roles.CREDITOR)
    csrf = headers["Cookie"].split(f"{CSRF}=")[1].split(";")[0]
    case_id = str(uuid.uuid4())
    refused = await portal.post(f"/saker/{case_id}/saksoppstilling", headers=headers)
    assert refused.status_code == 403
    assert seen.statements == []
    sent = await portal.post(
        f"/saker/{case_id}/saksoppstilling",
        data={"csrf_token": csrf},
        headers={**headers, "origin": str(portal.base_url).rstrip("/")},
    )
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/dokumenter/{DOCUMENTS[1]['document_id']}/fil"
    assert seen.statements == [{"case_id": case_id}]
    unknown = await portal.post(
        f"/saker/{OTHER_CREDITOR}/saksoppstilling",
        data={"csrf_token": csrf},
        headers={**headers, "origin": str(portal.base_url).rstrip("/")},
    )
    assert unknown.status_code == 404
    assert "No such case" not in unknown.text


async def test_a_report_is_saved_with_its_filters_scheduled_and_its_runs_shown(
    portal: httpx.AsyncClient, signer: TestSigner, seen: Seen
) -> None:
    headers = await _headers(portal, signer, Roles.CREDITOR)
    csrf = headers["Cookie"].split(f"{CSRF}=")[1].split(";")[0]
    posting = {**headers, "origin": str(portal.base_url).rstrip("/")}
    shown = await portal.get(
        "/rapporter",
        params={"rapport": "saksliste", "status": "notice_sent", "skyldnertype": "person"},
        headers=headers,
    )
    assert 'id="lagre-rapport"' in shown.text
    assert '<input type="hidden" name="status" value="notice_sent">' in shown.text

    refused = await portal.post(
        "/rapporter/lagrede", data={"rapport": "saksliste"}, headers=headers
    )
    assert refused.status_code == 403  # no CSRF token
    saved = await portal.post(
        "/rapporter/lagrede",
        data={
            "csrf_token": csrf,
            "rapport": "saksliste",
            "status": "notice_sent",
            "skyldnertype": "person",
            "navn": "Saksliste for revisor",
            "format": "csv",
        },
        headers=posting,
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == "/rapporter/lagrede?melding=lagret"
    path, body, key = seen.saved_posts[-1]
    assert path == "/api/v1/reports/saved-reports"
    assert body == {
        "name": "Saksliste for revisor",
        "report": "saksliste",
        "filters": {"status": "notice_sent", "debtor_kind": "person"},
        "format": "csv",
    }
    assert key
    nameless = await portal.post(
        "/rapporter/lagrede",
        data={"csrf_token": csrf, "rapport": "saksliste", "navn": " ", "format": "csv"},
        headers=posting,
    )
    assert nameless.status_code == 400
    assert "Skriv et navn." in nameless.text

    page = await portal.get("/rapporter/lagrede?melding=lagret", headers=headers)
    assert page.status_code == 200
    assert "Rapporten er lagret." in page.text
    assert "Saksliste for revisor" in page.text
    assert "Ukentlig" in page.text
    assert "med e-postvarsel" in page.text
    assert '<progress max="10000" value="4000"' in page.text
    assert "4000 av 10000 rader" in page.text
    assert f'href="/dokumenter/{DONE_DOCUMENT}/fil"' in page.text
    assert '<meta http-equiv="refresh" content="3">' in page.text  # a run is going

    sid = SAVED["saved_report_id"]
    scheduled = await portal.post(
        f"/rapporter/lagrede/{sid}/planer",
        data={"csrf_token": csrf, "hyppighet": "monthly", "epost": "revisor@example.no"},
        headers=posting,
    )
    assert scheduled.headers["location"] == "/rapporter/lagrede?melding=plan"
    assert seen.saved_posts[-1][:2] == (
        f"/api/v1/reports/saved-reports/{sid}/schedules",
        {"frequency": "monthly", "notify_email": "revisor@example.no"},
    )
    run = await portal.post(
        f"/rapporter/lagrede/{sid}/kjor", data={"csrf_token": csrf}, headers=posting
    )
    assert run.headers["location"] == "/rapporter/lagrede?melding=kjort#kjoringer"
    gone = await portal.post(
        f"/rapporter/lagrede/{OTHER_CREDITOR}/kjor", data={"csrf_token": csrf}, headers=posting
    )
    assert gone.status_code == 400
    assert "Fant ikke den lagrede rapporten." in gone.text
    assert "No such saved report" not in gone.text


async def test_a_cases_page_links_its_letters_to_the_debtor(
    portal: httpx.AsyncClient, signer: TestSigner, seen: Seen
) -> None:
    headers = await _headers(portal, signer, Roles.CREDITOR)
    response = await portal.get(f"/saker/{CASE}", headers=headers)
    assert response.status_code == 200, response.text
    asked = seen.last("/api/v1/reports/documents")
    assert ("source_id", str(CASE)) in asked
    assert ("kind", "debtor_letter") in asked
    assert "Brev til skyldner" in response.text
    letter = CASE_LETTER
    assert f'href="/dokumenter/{letter["document_id"]}/fil"' in response.text
    assert "100017-IV-20261130" in response.text

    seen.reports_down = True
    down = await portal.get(f"/saker/{CASE}", headers=headers)
    assert down.status_code == 200
    assert "Brev til skyldner" in down.text
    assert f"/dokumenter/{letter['document_id']}/fil" not in down.text


async def test_an_agency_admin_corrects_a_statement_and_the_list_marks_it_credited(
    portal: httpx.AsyncClient, signer: TestSigner, seen: Seen
) -> None:
    path = f"/dokumenter/{STATEMENT['document_id']}/korriger"
    handler = await _headers(portal, signer, Roles.CASE_HANDLER, organisation=uuid.uuid4())
    assert (await portal.get(path, headers=handler)).status_code == 403
    admin = await _headers(portal, signer, Roles.AGENCY_ADMIN, organisation=uuid.uuid4())
    csrf = admin["Cookie"].split(f"{CSRF}=")[1].split(";")[0]
    form_headers = {**admin, "origin": str(portal.base_url).rstrip("/")}
    shown = await portal.get(path, headers=admin)
    assert shown.status_code == 200
    assert "Korriger avregning AVR-2026-000008" in shown.text
    assert 'value="issued_in_error"' in shown.text
    assert 'value="settlement_reversed"' not in shown.text  # the ledger's, not a person's
    assert "/api/v1" not in shown.text
    key = shown.text.split('name="idempotency_key" value="')[1].split('"')[0]

    missing = await portal.post(path, data={"csrf_token": csrf}, headers=form_headers)
    assert missing.status_code == 400
    assert "Velg hva som er feil." in missing.text
    assert seen.corrections == []

    form = {"csrf_token": csrf, "reason": "creditor_name", "idempotency_key": key}
    sent = await portal.post(path, data=form, headers=form_headers)
    assert sent.status_code == 303
    assert sent.headers["location"] == path
    assert seen.corrections == [({"reason": "creditor_name"}, key)]
    done = await portal.get(path, headers=admin)
    assert "Avregningen er kreditert (Oppdragsgivers navn" in done.text
    assert f'href="/dokumenter/{CREDIT_NOTE["document_id"]}/fil"' in done.text
    assert f'href="/dokumenter/{REPLACEMENT["document_id"]}/fil"' in done.text
    again = await portal.post(path, data=form, headers=form_headers)
    assert again.status_code == 409
    assert "allerede kreditert" in again.text
    assert "credited already" not in again.text

    seen.extra_documents[:] = [_corrected(), CREDIT_NOTE, REPLACEMENT]
    try:
        creditor = await _headers(portal, signer, Roles.CREDITOR)
        listed = (await portal.get("/dokumenter", headers=creditor)).text
        assert "kreditert" in listed
        assert "Kreditnota" in listed
        assert "Korrigerer AVR-2026-000008" in listed
        assert f'href="/dokumenter/{STATEMENT["document_id"]}/fil"' in listed
        assert "/korriger" not in listed  # a creditor is not offered «Korriger»
        staff = (await portal.get("/dokumenter", headers=admin)).text
        statement_7 = DOCUMENTS[1]["document_id"]
        assert f'href="/dokumenter/{statement_7}/korriger"' in staff
        assert f'href="/dokumenter/{STATEMENT["document_id"]}/korriger"' not in staff  # credited
    finally:
        seen.extra_documents.clear()
