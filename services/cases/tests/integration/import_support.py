"""Building case files for the import tests, and running an importer to the end."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

import httpx
from cases.bootstrap import CasesService
from cases.domain.import_layout import COLUMN_NAMES
from cases.domain.registration import CaseRegistration
from cases.entrypoints.importer import importer_for
from cases.service_layer.imports import Importer
from openpyxl import Workbook
from servicekit.roles import Roles
from servicekit.testing.tokens import TestSigner


def kroner(ore: int) -> str:
    """``123450`` → ``1 234,50`` (as a Norwegian spreadsheet writes it)."""
    sign = "-" if ore < 0 else ""
    whole, fraction = divmod(abs(ore), 100)
    return f"{sign}{whole:,}".replace(",", " ") + f",{fraction:02d}"


def rows_of(registration: CaseRegistration, **changes: str) -> list[dict[str, str]]:
    """The file rows (one per claim) of a registration; ``changes`` apply to every row."""
    debtor = registration.debtor
    base = {
        "creditor_reference": registration.creditor_reference,
        "debtor_kind": debtor.kind,
        "debtor_name": debtor.name,
        "national_id": debtor.national_id or "",
        "organisation_number": debtor.organisation_number or "",
        "address_line_1": debtor.address.lines[0],
        "postal_code": debtor.address.postal_code,
        "city": debtor.address.city,
        "country": debtor.address.country,
        "email": debtor.email or "",
        "phone": debtor.phone or "",
    }
    return [
        {
            **base,
            "invoice_number": claim.invoice_number,
            "invoice_date": claim.invoice_date.strftime("%d.%m.%Y"),
            "due_date": claim.due_date.isoformat(),
            "principal": kroner(claim.principal_ore),
            "reminder_fee": kroner(claim.reminder_fee_ore),
            **changes,
        }
        for claim in registration.claims
    ]


def csv_bytes(
    rows: Iterable[Mapping[str, str]],
    *,
    columns: Iterable[str] = COLUMN_NAMES,
    delimiter: str = ";",
    encoding: str = "utf-8-sig",
) -> bytes:
    out = io.StringIO()
    names = list(columns)
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(names)
    for row in rows:
        writer.writerow([row.get(name, "") for name in names])
    return out.getvalue().encode(encoding)


def xlsx_bytes(
    rows: Iterable[Mapping[str, Any]], *, columns: Iterable[str] = COLUMN_NAMES
) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    names = list(columns)
    sheet.append(names)
    for row in rows:
        sheet.append([row.get(name) for name in names])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def json_case(registration: CaseRegistration) -> dict[str, Any]:
    debtor = registration.debtor
    return {
        "creditor_reference": registration.creditor_reference,
        "debtor": {
            "kind": debtor.kind,
            "name": debtor.name,
            "national_id": debtor.national_id,
            "organisation_number": debtor.organisation_number,
            "address": {
                "lines": list(debtor.address.lines),
                "postal_code": debtor.address.postal_code,
                "city": debtor.address.city,
                "country": debtor.address.country,
            },
            "email": debtor.email,
            "phone": debtor.phone,
        },
        "claims": [
            {
                "invoice_number": c.invoice_number,
                "invoice_date": c.invoice_date.isoformat(),
                "due_date": c.due_date.isoformat(),
                "principal_ore": c.principal_ore,
                "reminder_fee_ore": c.reminder_fee_ore,
            }
            for c in registration.claims
        ],
    }


def json_bytes(cases: Iterable[Any]) -> bytes:
    return json.dumps(list(cases)).encode()


def creditor_headers(signer: TestSigner, organisation_id: uuid.UUID) -> dict[str, str]:
    return signer.headers(organisation_id=organisation_id, roles=[Roles.CREDITOR])


def importer(service: CasesService, *, chunk_rows: int = 50) -> Importer:
    """An importer of the service with small chunks (many checkpoints in a small file)."""
    worker = importer_for(service)
    worker.config = replace(worker.config, chunk_rows=chunk_rows, poll_seconds=0.05)
    return worker


async def run_imports(service: CasesService, *, chunk_rows: int = 50) -> None:
    """Work every queued import job to its end, in this process."""
    worker = importer(service, chunk_rows=chunk_rows)
    while await worker.run_once():
        pass


async def upload(
    client: httpx.AsyncClient,
    content: bytes,
    headers: Mapping[str, str],
    *,
    content_type: str = "text/csv",
    **params: str,
) -> httpx.Response:
    return await client.post(
        "/api/v1/cases/imports",
        content=content,
        headers={**headers, "Content-Type": content_type},
        params=params,
    )


async def imported(
    service: CasesService,
    client: httpx.AsyncClient,
    content: bytes,
    headers: Mapping[str, str],
    **kwargs: str,
) -> dict[str, Any]:
    """Upload, run the importer, and return the finished job."""
    response = await upload(client, content, headers, **kwargs)
    assert response.status_code == 202, response.text
    job_id = response.json()["job_id"]
    await run_imports(service)
    job = await client.get(f"/api/v1/cases/imports/{job_id}", headers=headers)
    assert job.status_code == 200, job.text
    body: dict[str, Any] = job.json()
    return body


async def error_report(
    client: httpx.AsyncClient, job_id: str, headers: Mapping[str, str]
) -> list[tuple[int, str, str]]:
    """Every error of a job (all pages), as ``(line, column, reason)``."""
    found: list[tuple[int, str, str]] = []
    cursor: str | None = None
    while True:
        params = {"limit": "7", **({"cursor": cursor} if cursor else {})}
        page = await client.get(
            f"/api/v1/cases/imports/{job_id}/errors", headers=headers, params=params
        )
        assert page.status_code == 200, page.text
        body = page.json()
        found += [(e["line"], e["column"], e["reason"]) for e in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return found
