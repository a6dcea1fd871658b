"""Importing case files through the API: good and bad rows, every kind of broken file."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import uuid
import zipfile
from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest
from cases.adapters.orm import batches, cases, import_file_chunks, outbox
from cases.bootstrap import CasesService
from cases.domain.import_layout import COLUMN_NAMES
from cases.entrypoints.api import create_app
from cases.service_layer import registration as reg
from openpyxl import load_workbook
from servicekit.testing.http import asgi_client, assert_problem
from servicekit.testing.tokens import TestSigner
from sqlalchemy import func, select

from .conftest import add_creditor
from .import_support import (
    creditor_headers,
    csv_bytes,
    error_report,
    imported,
    json_bytes,
    json_case,
    rows_of,
    run_imports,
    upload,
    xlsx_bytes,
)

pytestmark = pytest.mark.integration

IMPORTS = "/api/v1/cases/imports"


@pytest.fixture
async def client(service: CasesService) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(create_app(service)) as client:
        yield client


@pytest.fixture
async def creditor(service: CasesService, signer: TestSigner) -> dict[str, str]:
    """Bearer headers of a user of a fresh creditor organisation."""
    return creditor_headers(signer, await add_creditor(service))


async def count_cases(service: CasesService, creditor_id: uuid.UUID) -> int:
    async with service.session_factory() as session:
        return int(
            await session.scalar(
                select(func.count()).select_from(cases).where(cases.c.creditor_id == creditor_id)
            )
            or 0
        )


async def test_good_rows_are_registered_and_every_bad_row_is_reported(
    service: CasesService, client: httpx.AsyncClient, signer: TestSigner, registration
) -> None:
    creditor_id = await add_creditor(service)
    headers = creditor_headers(signer, creditor_id)
    earlier = registration()
    ctx = service.registration()
    async with service.unit_of_work() as uow:  # registered before, through the API say
        batch = await reg.open_batch(uow, ctx, reg.Submitter(creditor_id, "api", None))
        known = await reg.register_chunk(uow, ctx, batch, [(0, earlier)])
        await uow.commit()
    two_claims = registration(claims=2)
    business = registration(business=True)
    bad_check_digit = registration()
    negative = registration()
    huge = registration()
    twice = registration()
    rows = [
        *rows_of(two_claims),  # lines 2-3
        *rows_of(bad_check_digit, national_id="31129956716"),  # 4
        *rows_of(negative, principal="-100,00"),  # 5
        *rows_of(business),  # 6
        *rows_of(huge, debtor_name="X" * 10_000),  # 7
        *rows_of(twice),  # 8
        *rows_of(earlier),  # 9
        *rows_of(registration(), due_date="31.02.2025"),  # 10
        *rows_of(replace(twice, claims=(replace(twice.claims[0], invoice_number="F9"),))),  # 11
    ]

    job = await imported(service, client, csv_bytes(rows), headers, filename="saker.csv")

    assert job["status"] == "completed", job
    assert job["filename"] == "saker.csv"
    assert (job["encoding"], job["delimiter"]) == ("UTF-8", ";")
    assert job["rows_read"] == 10
    assert (job["rows_accepted"], job["rows_rejected"]) == (4, 6)
    assert (job["cases_registered"], job["cases_rejected"]) == (3, 6)
    assert job["batch_number"]
    assert job["finished_at"]
    errors = await error_report(client, job["job_id"], headers)
    columns = {(line, column) for line, column, _ in errors}
    assert columns == {
        (4, "national_id"),
        (5, "principal"),
        (7, "debtor_name"),
        (9, "creditor_reference"),
        (10, "due_date"),
        (11, "creditor_reference"),
    }
    reasons = {line: reason for line, _, reason in errors}
    assert "check digits" in reasons[4]
    assert "positive" in reasons[5]
    assert "longer than 200" in reasons[7]
    assert known.registered[0].case_number in reasons[9]
    assert "not a date in the calendar" in reasons[10]
    assert "appears twice" in reasons[11]  # the first one of the file was kept
    assert await count_cases(service, creditor_id) == 4
    async with service.session_factory() as session:
        batch_row = (
            await session.execute(select(batches).where(batches.c.id == uuid.UUID(job["batch_id"])))
        ).one()
        events = (
            await session.execute(
                select(outbox.c.routing_key, outbox.c.body).where(
                    outbox.c.body.contains(job["batch_id"])
                )
            )
        ).all()
        pieces = await session.scalar(
            select(func.count())
            .select_from(import_file_chunks)
            .where(import_file_chunks.c.job_id == uuid.UUID(job["job_id"]))
        )
    assert (batch_row.status, batch_row.channel) == ("registered", "import")
    assert (batch_row.case_count, batch_row.claim_count, batch_row.rejected_count) == (3, 4, 6)
    kinds = sorted(e.routing_key.rsplit(".", 1)[0] for e in events)
    assert kinds == ["cases.batch.registered"] + ["cases.case.registered"] * 3
    (completed,) = [json.loads(e.body) for e in events if "batch.registered" in e.routing_key]
    refused = completed["data"]["rejected_rows"]  # for the order confirmation, by line
    assert [(r["row"], r["fields"]) for r in refused] == [
        (line, [column]) for line, column in sorted(columns)
    ]
    assert pieces == 0  # the file is deleted once imported
    report = await client.get(f"{IMPORTS}/{job['job_id']}/errors.csv", headers=headers)
    assert report.status_code == 200
    assert report.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig")), delimiter=";"))
    assert lines[0] == ["line", "column", "reason", "creditor_reference"]
    assert len(lines) == 1 + len(errors)
    bokmal = await client.get(
        f"{IMPORTS}/{job['job_id']}/errors.csv", headers=headers, params={"lang": "nb"}
    )
    # each reason written from its code, in bokmål
    records = list(csv.reader(io.StringIO(bokmal.content.decode("utf-8-sig")), delimiter=";"))
    said = {int(record[0]): record[2] for record in records[1:]}
    assert said[4] == "Er ikke et gyldig fødselsnummer"
    assert said[5] == "Må være et beløp større enn null"
    assert said[7] == "Er lengre enn 200 tegn"
    assert said[9] == (
        f"Referansen er allerede registrert som sak {known.registered[0].case_number}"
    )
    assert said[10] == "Er ikke en dato (dd.mm.åååå)"
    assert said[11] == "Står to ganger i filen (den første er beholdt)"
    # the API gives each row's stored code and the values its words need
    listed = await client.get(f"{IMPORTS}/{job['job_id']}/errors", headers=headers)
    coded = {e["line"]: (e["code"], e["values"]) for e in listed.json()["items"]}
    assert coded == {
        4: ("national_id", {}),
        5: ("not_positive", {}),
        7: ("too_long", {"limit": "200"}),
        9: ("already_registered", {"case_number": known.registered[0].case_number}),
        10: ("not_a_date", {}),
        11: ("twice_in_submission", {}),
    }


async def test_a_case_of_several_rows_needs_one_debtor_and_is_refused_whole(
    service: CasesService, client: httpx.AsyncClient, creditor, registration
) -> None:
    case = registration(claims=3)
    rows = rows_of(case)
    rows[1]["debtor_name"] = "Someone Else"  # line 3
    rows[2]["principal"] = "12,345"  # line 4

    job = await imported(service, client, csv_bytes(rows), creditor)

    assert (job["rows_accepted"], job["rows_rejected"], job["cases_rejected"]) == (0, 3, 1)
    errors = await error_report(client, job["job_id"], creditor)
    assert {(line, column) for line, column, _ in errors} == {
        (2, "creditor_reference"),  # refused with its case
        (3, "debtor_name"),
        (4, "principal"),
    }


async def test_missing_columns_fail_the_job_at_once_naming_them(
    service: CasesService, client: httpx.AsyncClient, creditor, registration
) -> None:
    columns = [c for c in COLUMN_NAMES if c not in ("due_date", "city")]
    content = csv_bytes(rows_of(registration()), columns=columns)

    job = await imported(service, client, content, creditor)

    assert job["status"] == "failed"
    assert "missing columns: city, due_date" in job["error"]
    assert job["rows_read"] == 0
    assert job["batch_id"] is None


async def test_a_windows_1252_file_is_read_as_such_and_a_stray_line_is_one_bad_row(
    service: CasesService, client: httpx.AsyncClient, creditor, registration
) -> None:
    first, second = registration(), registration()
    cp1252 = csv_bytes(
        [*rows_of(first, debtor_name="Bjørn Ærlig"), *rows_of(second, city="Tromsø")],
        encoding="cp1252",
    )
    job = await imported(service, client, cp1252, creditor)
    assert job["encoding"] == "Windows-1252"
    assert (job["rows_accepted"], job["rows_rejected"]) == (2, 0)
    async with service.session_factory() as session:
        from cases.adapters.orm import parties

        names = set(
            (
                await session.execute(
                    select(parties.c.name)
                    .join(cases, cases.c.id == parties.c.case_id)
                    .where(cases.c.batch_id == uuid.UUID(job["batch_id"]))
                )
            ).scalars()
        )
    assert names == {"Bjørn Ærlig", "Ola Nordmann"}

    utf8 = csv_bytes(rows_of(registration(), city="Tromsø"))
    stray = csv_bytes(rows_of(registration(), debtor_name="Bjørn"), encoding="cp1252")
    mixed = utf8 + stray.split(b"\r\n", 1)[1]  # a line written by another program
    job = await imported(service, client, mixed, creditor)
    assert job["encoding"] == "UTF-8"
    assert (job["rows_accepted"], job["rows_rejected"]) == (1, 1)
    [(line, column, reason)] = await error_report(client, job["job_id"], creditor)
    assert (line, column) == (3, "(encoding)")
    assert "not UTF-8" in reason


async def test_empty_files_non_csv_bytes_and_unknown_types(
    service: CasesService, client: httpx.AsyncClient, creditor
) -> None:
    assert_problem(await upload(client, b"", creditor), 422, "empty-file")
    assert_problem(
        await upload(client, b"%PDF-1.7", creditor, content_type="application/pdf"),
        415,
        "unsupported-format",
    )
    header_only = csv_bytes([])
    job = await imported(service, client, header_only, creditor)
    assert (job["status"], job["error"]) == ("failed", "The file has no rows below the header.")

    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    job = await imported(service, client, png, creditor)
    assert job["status"] == "failed"
    assert "binary data" in job["error"]

    prose = "Kjære inkassobyrå,\nvedlagt er sakene.\n".encode()
    job = await imported(service, client, prose, creditor)
    assert job["status"] == "failed"
    assert "missing columns" in job["error"]


async def test_an_xlsx_workbook_is_imported_with_numbers_where_text_was_meant(
    service: CasesService, client: httpx.AsyncClient, creditor, registration
) -> None:
    person = registration()
    [row] = rows_of(person)
    numeric = {
        **row,
        "national_id": int(person.debtor.national_id or "0"),  # Excel drops a leading 0
        "postal_code": 155,
        "principal": 1234.5,
        "reminder_fee": 35,
        "invoice_date": person.claims[0].invoice_date,
    }
    bad = {**rows_of(registration())[0], "principal": -12, "creditor_reference": "=1+1"}
    content = xlsx_bytes([numeric, {}, bad])

    job = await imported(
        service, client, content, creditor, content_type="application/octet-stream"
    )

    assert job["format"] == "xlsx"
    assert (job["rows_read"], job["rows_accepted"], job["rows_rejected"]) == (2, 1, 1)
    errors = await error_report(client, job["job_id"], creditor)
    assert {(line, column) for line, column, _ in errors} == {
        (4, "creditor_reference"),
        (4, "principal"),
    }
    async with service.session_factory() as session:
        principal = await session.scalar(
            select(cases.c.principal_total_ore).where(
                cases.c.creditor_reference == person.creditor_reference
            )
        )
    assert principal == 123_450


async def test_damaged_and_hostile_workbooks_are_refused(
    service: CasesService, client: httpx.AsyncClient, creditor, registration
) -> None:
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    good = xlsx_bytes(rows_of(registration()))

    truncated = await imported(service, client, good[: len(good) // 2], creditor, content_type=xlsx)
    assert truncated["status"] == "failed"
    assert "not an XLSX workbook" in truncated["error"] or "damaged" in truncated["error"]

    old_xls = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512)
    job = await imported(service, client, old_xls, creditor, content_type=xlsx)
    assert "old Excel workbook" in job["error"]

    macros = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(macros, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item))
        target.writestr("xl/vbaProject.bin", b"\x00" * 64)
    job = await imported(service, client, macros.getvalue(), creditor, content_type=xlsx)
    assert "macros" in job["error"]

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (50 * 1024 * 1024))
    job = await imported(service, client, bomb.getvalue(), creditor, content_type=xlsx)
    assert job["status"] == "failed"
    assert "compressed suspiciously well" in job["error"]


async def test_json_for_systems_and_a_file_that_breaks_off(
    service: CasesService, client: httpx.AsyncClient, creditor, registration
) -> None:
    good = json_case(registration(claims=2))
    wrong = json_case(registration())
    wrong["claims"][0]["principal_ore"] = "100"
    wrong["debtor"]["shoe_size"] = 44
    content = json_bytes([good, wrong, json_case(registration(business=True))])

    job = await imported(service, client, content, creditor, content_type="application/json")

    assert (job["format"], job["status"]) == ("json", "completed")
    assert (job["rows_read"], job["rows_accepted"], job["rows_rejected"]) == (3, 2, 1)
    errors = await error_report(client, job["job_id"], creditor)
    assert {(line, column) for line, column, _ in errors} == {
        (2, "claims[0].principal_ore"),
        (2, "debtor.shoe_size"),
    }

    cases_before = [json_case(registration()) for _ in range(3)]
    broken = json_bytes(cases_before)[:-40] + b"}}, {,,"
    job = await imported(service, client, broken, creditor, format="json")
    assert job["status"] == "failed"
    assert "malformed" in job["error"]
    assert job["cases_registered"] == 2  # what came before the break is kept
    assert job["batch_number"]

    job = await imported(service, client, b'"just a string"', creditor, format="json")
    assert (job["status"], job["rows_read"]) == ("failed", 0)


async def test_the_error_report_cannot_carry_formulas_into_a_spreadsheet(
    service: CasesService, client: httpx.AsyncClient, creditor, registration
) -> None:
    hostile = ['=HYPERLINK("http://evil","x")', "+47 cmd", "-2+3", "@SUM(A1)"]
    rows = [rows_of(registration(), creditor_reference=h)[0] for h in hostile]

    job = await imported(service, client, csv_bytes(rows), creditor)

    assert job["rows_rejected"] == len(hostile)
    report = await client.get(f"{IMPORTS}/{job['job_id']}/errors.csv", headers=creditor)
    records = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig")), delimiter=";"))
    references = {r[3] for r in records[1:]}
    assert references == {"'" + h for h in hostile}
    workbook_response = await client.get(f"{IMPORTS}/{job['job_id']}/errors.xlsx", headers=creditor)
    assert workbook_response.status_code == 200
    workbook = load_workbook(io.BytesIO(workbook_response.content))
    sheet = workbook.worksheets[0]
    cells = [c.value for row in sheet.iter_rows(min_row=2) for c in row]
    assert all(not (isinstance(v, str) and v[:1] in "=+-@\t") for v in cells)
    assert {r[3].value for r in sheet.iter_rows(min_row=2)} == {"'" + h for h in hostile}
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


async def test_the_templates_describe_the_layout_and_import_as_they_are(
    service: CasesService, client: httpx.AsyncClient, creditor
) -> None:
    template = await client.get(f"{IMPORTS}/template.csv", headers=creditor)
    assert template.status_code == 200
    assert template.headers["content-type"].startswith("text/csv")
    records = list(csv.reader(io.StringIO(template.content.decode("utf-8-sig")), delimiter=";"))
    assert records[0] == list(COLUMN_NAMES)

    workbook = await client.get(f"{IMPORTS}/template.xlsx", headers=creditor)
    assert workbook.status_code == 200
    sheets = load_workbook(io.BytesIO(workbook.content)).sheetnames
    assert sheets == ["cases", "columns"]

    # uploaded unchanged, a template registers nothing: its example row is a comment
    job = await imported(service, client, template.content, creditor)
    assert (job["status"], job["rows_read"], job["cases_registered"]) == ("failed", 0, 0)
    assert "no rows" in job["error"]
    job = await imported(
        service, client, workbook.content, creditor, content_type="application/octet-stream"
    )
    assert (job["status"], job["rows_read"], job["cases_registered"]) == ("failed", 0, 0)

    bokmal = await client.get(f"{IMPORTS}/template.csv?lang=nb", headers=creditor)
    rows = bokmal.content.decode("utf-8-sig").splitlines()
    assert rows[0].startswith("Referanse;Skyldnertype;Navn;")
    filled = "\r\n".join([rows[0], rows[1].replace("#K-", "K-", 1)]).encode()
    job = await imported(service, client, filled, creditor)
    assert (job["status"], job["rows_accepted"]) == ("completed", 1)  # bokmål headers read


async def test_a_case_with_too_many_rows_is_refused_and_the_next_one_is_not(
    service: CasesService, client: httpx.AsyncClient, creditor, registration
) -> None:
    big = registration()
    claim = big.claims[0]
    claims = tuple(replace(claim, invoice_number=f"F{i}") for i in range(105))
    after = registration()
    rows = [*rows_of(replace(big, claims=claims)), *rows_of(after)]

    job = await imported(service, client, csv_bytes(rows), creditor)

    assert (job["rows_read"], job["rows_accepted"], job["rows_rejected"]) == (106, 1, 105)
    assert (job["cases_registered"], job["cases_rejected"]) == (1, 1)


async def test_idempotency_key_replays_the_first_answer(
    service: CasesService, client: httpx.AsyncClient, creditor, registration
) -> None:
    content = csv_bytes(rows_of(registration()))
    key = {"Idempotency-Key": f"import-{uuid.uuid4()}"}

    first = await upload(client, content, {**creditor, **key})
    again = await upload(client, content, {**creditor, **key})
    other = await upload(client, content + b"\r\n", {**creditor, **key})

    assert first.status_code == again.status_code == 202
    assert first.json()["job_id"] == again.json()["job_id"]
    assert again.headers["location"].endswith(first.json()["job_id"])
    assert_problem(other, 422, "idempotency-key-reused")
    await run_imports(service)


async def test_two_organisations_see_only_their_own_jobs(
    service: CasesService, client: httpx.AsyncClient, signer: TestSigner, registration
) -> None:
    from servicekit.roles import Roles

    mine = creditor_headers(signer, await add_creditor(service))
    theirs = creditor_headers(signer, await add_creditor(service))
    handler = signer.headers(organisation_id=uuid.uuid4(), roles=[Roles.CASE_HANDLER])
    admin = signer.headers(organisation_id=uuid.uuid4(), roles=[Roles.AGENCY_ADMIN])
    content = csv_bytes(rows_of(registration(), principal="-1"))
    job = await imported(service, client, content, mine)
    job_id = job["job_id"]
    paths = [
        f"{IMPORTS}/{job_id}",
        f"{IMPORTS}/{job_id}/events",
        f"{IMPORTS}/{job_id}/errors",
        f"{IMPORTS}/{job_id}/errors.csv",
        f"{IMPORTS}/{job_id}/errors.xlsx",
    ]
    for path in paths:
        assert_problem(await client.get(path, headers=theirs), 404, "not-found")
        assert_problem(await client.get(path), 401, "unauthorized")
        assert (await client.get(path, headers=mine)).status_code == 200, path
        assert (await client.get(path, headers=handler)).status_code == 200, path
    mine_listed = (await client.get(IMPORTS, headers=mine)).json()["items"]
    theirs_listed = (await client.get(IMPORTS, headers=theirs)).json()["items"]
    staff_listed = (await client.get(IMPORTS, headers=handler, params={"limit": 200})).json()
    assert [j["job_id"] for j in mine_listed] == [job_id]
    assert job_id not in {j["job_id"] for j in theirs_listed}
    assert job_id in {j["job_id"] for j in staff_listed["items"]}
    assert_problem(await upload(client, content, admin), 403, "forbidden")
    assert_problem(await upload(client, content, handler), 403, "forbidden")
    assert_problem(await client.get(IMPORTS), 401, "unauthorized")
    for template in ("template.csv", "template.xlsx"):
        assert (await client.get(f"{IMPORTS}/{template}", headers=theirs)).status_code == 200


async def test_jobs_are_listed_newest_first_page_by_page(
    service: CasesService, client: httpx.AsyncClient, creditor, registration
) -> None:
    ids = []
    for _ in range(3):
        response = await upload(client, csv_bytes(rows_of(registration())), creditor)
        ids.append(response.json()["job_id"])
    first = (await client.get(IMPORTS, headers=creditor, params={"limit": 2})).json()
    second = (
        await client.get(
            IMPORTS, headers=creditor, params={"limit": 2, "cursor": first["next_cursor"]}
        )
    ).json()
    assert [j["job_id"] for j in first["items"] + second["items"]] == ids[::-1]
    assert second["next_cursor"] is None
    assert_problem(await client.get(IMPORTS, headers=creditor, params={"cursor": "nonsense"}), 422)
    queued = (await client.get(IMPORTS, headers=creditor, params={"status": "queued"})).json()
    assert len(queued["items"]) == 3
    await run_imports(service)


async def test_progress_streams_as_server_sent_events(
    service: CasesService, client: httpx.AsyncClient, creditor, registration
) -> None:
    job = await imported(service, client, csv_bytes(rows_of(registration())), creditor)

    response = await client.get(f"{IMPORTS}/{job['job_id']}/events", headers=creditor)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = [block for block in response.text.split("\n\n") if block.startswith("event:")]
    names = [block.split("\n")[0].removeprefix("event: ") for block in events]
    assert names == ["progress", "completed"]
    data = json.loads(events[-1].split("data: ", 1)[1])
    assert (data["job_id"], data["status"], data["rows_accepted"]) == (
        job["job_id"],
        "completed",
        1,
    )


async def test_two_importers_never_work_on_one_job(
    service: CasesService, client: httpx.AsyncClient, creditor, registration
) -> None:
    from .import_support import importer

    await upload(client, csv_bytes(rows_of(registration())), creditor)
    first, second = importer(service), importer(service)
    async with service.unit_of_work() as uow:
        from cases.adapters.import_files import job_store

        leased = await job_store.lease_next(uow.session, first.owner, 60)
        assert leased is not None
        other = await job_store.lease_next(uow.session, second.owner, 60)
        # uncommitted: the row is locked, and SKIP LOCKED passes it by in one transaction
        await uow.commit()
    async with service.unit_of_work() as uow:
        taken = await job_store.lease_next(uow.session, second.owner, 60)
        await uow.commit()
    assert other is None or other.job_id != leased.job_id
    assert taken is None or taken.job_id != leased.job_id
    async with service.unit_of_work() as uow:
        await job_store.release(uow.session, leased.job_id, first.owner)
        await uow.commit()
    await run_imports(service)


async def test_a_reference_repeated_two_chunks_later_is_refused_with_the_first_case_number(
    service: CasesService, client: httpx.AsyncClient, signer: TestSigner, registration
) -> None:
    """Chunks of two rows, three in flight: the reference of line 4 comes again on line 8,
    two chunks later (the order of their writes: tests/unit/test_import_chunks.py)."""
    creditor_id = await add_creditor(service)
    headers = creditor_headers(signer, creditor_id)
    items = [registration() for _ in range(12)]
    items[6] = replace(items[6], creditor_reference=items[2].creditor_reference)
    rows = [row for item in items for row in rows_of(item)]
    response = await upload(client, csv_bytes(rows), headers)
    assert response.status_code == 202, response.text
    job_id = response.json()["job_id"]

    await asyncio.wait_for(run_imports(service, chunk_rows=2), timeout=120)

    job = (await client.get(f"{IMPORTS}/{job_id}", headers=headers)).json()
    assert (job["status"], job["cases_registered"], job["cases_rejected"]) == ("completed", 11, 1)
    [(line, column, reason)] = await error_report(client, job_id, headers)
    assert (line, column) == (8, "creditor_reference")
    async with service.session_factory() as session:
        first = await session.scalar(
            select(cases.c.case_number).where(
                cases.c.creditor_id == creditor_id,
                cases.c.creditor_reference == items[2].creditor_reference,
            )
        )
    assert f"already registered as case {first}" in reason
    assert await count_cases(service, creditor_id) == 11
