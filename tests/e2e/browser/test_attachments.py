"""Documents to and from the case handler: files on notes, scanned by ClamAV (clamd).

Kari attaches a clean PDF to a note and tries the EICAR test file (inside a PDF): the
first is virus-checked and listed with a download link, the second is refused with the
reason in bokmål and shown as stopped. The case handler downloads the clean PDF through
the portal and gets the same bytes. The stack's cases service scans with the clamd that
``deploy/local/install.sh --clamav`` starts (the EICAR signature only; see ADR 0054).
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from playwright.async_api import BrowserContext, expect

from .conftest import Shot, axe_violations, register_by_form

pytestmark = pytest.mark.e2e

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
CLEAN_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


async def test_a_clean_pdf_reaches_the_case_handler_and_eicar_is_refused(
    kari: BrowserContext, handler: BrowserContext, shot: Shot, tmp_path: Path
) -> None:
    creditor = await kari.new_page()
    case_path = await register_by_form(creditor, f"FIL-{uuid.uuid4().hex[:8]}")
    name = f"faktura-{uuid.uuid4().hex[:6]}.pdf"
    await creditor.get_by_label("Ny melding").fill("Kopi av fakturaen ligger ved.")
    await creditor.get_by_label("Vedlegg (valgfritt)").set_input_files(
        {"name": name, "mimeType": "application/pdf", "buffer": CLEAN_PDF}
    )
    await creditor.get_by_role("button", name="Send melding").click()
    await expect(creditor.get_by_role("status")).to_contain_text("Meldingen er sendt")
    clean = creditor.locator(".note-file", has_text=name)
    await expect(clean).to_contain_text("Virussjekket")
    await expect(clean.get_by_role("link", name=name)).to_be_visible()
    await shot(creditor, "creditor-attached")
    assert await axe_violations(creditor) == []

    await creditor.get_by_label("Ny melding").fill("Og denne, som virussjekken skal stoppe.")
    await creditor.get_by_label("Vedlegg (valgfritt)").set_input_files(
        {"name": "eicar.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n" + EICAR}
    )
    await creditor.get_by_role("button", name="Send melding").click()
    await expect(creditor.get_by_role("alert")).to_contain_text("skadelig innhold")
    await expect(creditor.locator("#f-vedlegg-error")).to_contain_text("eicar.pdf")
    stopped = creditor.locator(".note-file", has_text="eicar.pdf")
    await expect(stopped).to_contain_text("Stoppet")
    await expect(stopped.get_by_role("link")).to_have_count(0)
    await shot(creditor, "eicar-refused")
    assert await axe_violations(creditor) == []

    desk = await handler.new_page()
    await desk.goto(case_path)
    link = desk.locator(".note-file", has_text=name).get_by_role("link", name=name)
    async with desk.expect_download() as arrived:
        await link.click()
    download = await arrived.value
    saved = tmp_path / "download.pdf"
    await download.save_as(saved)
    assert download.suggested_filename == name
    assert saved.read_bytes() == CLEAN_PDF
    await shot(desk, "handler-sees-files")
    assert await axe_violations(desk) == []
