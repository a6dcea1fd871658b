"""«Dokumenter» and «Rapporter» in the browser, as the demo creditor: a case registered by
form gets its batch's order confirmation (once the reports service's consumer has caught
up), downloaded from the batch page and from the documents list, and all of the list's
page as one ZIP with «Inkluder alle»; a report shown on screen and downloaded as CSV; and
axe-core on the new pages with no serious or critical violations."""

from __future__ import annotations

import asyncio
import io
import re
import uuid
import zipfile
from pathlib import Path

import pytest
from devstack.stack import Stack
from playwright.async_api import BrowserContext, Download, Page, expect
from servicekit.testing.wait import wait_for

from .conftest import Shot, axe_violations, from_menu, register_by_form

pytestmark = pytest.mark.e2e


async def _bytes(download: Download) -> bytes:
    path = await download.path()
    assert path is not None
    return await asyncio.to_thread(Path(path).read_bytes)


async def _order_confirmation_link(page: Page, batch_path: str) -> bool:
    """Whether the batch page offers its order confirmation yet (reloads it)."""
    await page.goto(batch_path)
    return await page.locator("a.document-link[data-kind=order_confirmation]").count() > 0


async def test_a_creditor_downloads_order_confirmations_one_by_one_and_as_a_zip(
    stack: Stack, kari: BrowserContext, shot: Shot
) -> None:
    found: dict[str, list[dict[str, object]]] = {}
    page = await kari.new_page()
    reference = f"DOK-{uuid.uuid4().hex[:8]}"
    case_path = await register_by_form(page, reference)

    # the registration is the newest batch; its page offers the order confirmation once
    # the reports service's consumer has issued it
    await page.goto("/bunter")
    await page.locator("table tbody tr").first.get_by_role("link").click()
    await expect(page).to_have_url(re.compile(r"/bunter/[0-9a-f-]{36}$"))
    batch_path = page.url.removeprefix(stack.url)
    batch_number = (await page.locator("h1").inner_text()).split()[-1]

    async def issued() -> bool:
        return await _order_confirmation_link(page, batch_path)

    await wait_for(issued, what="the order confirmation on the batch page", seconds=60, every=1)
    found[batch_path] = await axe_violations(page)
    await shot(page, "batch-with-order-confirmation")
    async with page.expect_download() as from_batch:
        await page.locator("a.document-link[data-kind=order_confirmation]").click()
    single = await from_batch.value
    assert single.suggested_filename.endswith(".pdf")
    assert (await _bytes(single)).startswith(b"%PDF-")

    # the case's statement as of today, from the case's page
    await page.goto(case_path)
    async with page.expect_download() as statement:
        await page.get_by_role("button", name="Last ned saksoppstilling (PDF)").click()
    case_statement = await statement.value
    assert case_statement.suggested_filename.endswith(".pdf")
    assert (await _bytes(case_statement)).startswith(b"%PDF-")

    # «Dokumenter»: the order confirmations, newest first, this batch's among them
    await page.goto("/oversikt")
    await from_menu(page, "Rapporter", "Dokumenter")
    await expect(page.get_by_role("heading", name="Dokumenter", level=1)).to_be_visible()
    await page.get_by_label("Dokumenttype").select_option("order_confirmation")
    await page.get_by_role("button", name="Søk").click()
    rows = page.locator("#zipskjema table tbody tr")
    await expect(rows.filter(has_text=batch_number)).to_have_count(1)
    await expect(rows.first).to_contain_text("Ordrebekreftelse")
    found["/dokumenter"] = await axe_violations(page)
    await shot(page, "documents")

    async with page.expect_download() as one:
        await rows.filter(has_text=batch_number).get_by_role("link").click()
    document = await one.value
    assert document.suggested_filename.endswith(".pdf")
    assert (await _bytes(document)).startswith(b"%PDF-")

    await page.get_by_label("Inkluder alle").check()
    boxes = page.locator("#zipskjema tbody input[type=checkbox]")
    shown = await boxes.count()
    assert shown >= 1
    for index in range(shown):
        await expect(boxes.nth(index)).to_be_checked()
    await shot(page, "documents-include-all")
    async with page.expect_download() as zipped:
        await page.get_by_role("button", name="Last ned ZIP").click()
    archive = await zipped.value
    assert archive.suggested_filename == "dokumenter.zip"
    with zipfile.ZipFile(io.BytesIO(await _bytes(archive))) as opened:
        names = opened.namelist()
        assert len(names) == shown
        for name in names:
            assert name.endswith(".pdf")
            assert opened.read(name).startswith(b"%PDF-")

    # nothing ticked: the page says what to do, in Norwegian
    await page.goto("/dokumenter?slag=order_confirmation")
    await page.get_by_role("button", name="Last ned ZIP").click()
    await expect(page.get_by_role("alert")).to_contain_text("Velg minst ett dokument")
    found["/dokumenter (errors)"] = await axe_violations(page)
    await shot(page, "documents-nothing-chosen")

    # «Rapporter»: the case list on screen, and as CSV
    await page.goto("/rapporter")
    found["/rapporter"] = await axe_violations(page)
    await shot(page, "reports")
    await page.get_by_role("link", name="Saksliste").click()
    await page.get_by_role("button", name="Vis rapporten").click()
    await expect(page.get_by_role("table")).to_contain_text(reference)
    found["/rapporter?rapport=saksliste"] = await axe_violations(page)
    await shot(page, "report-saksliste")
    async with page.expect_download() as csv_file:
        await page.get_by_role("link", name="Last ned CSV").click()
    report = await csv_file.value
    assert report.suggested_filename.endswith(".csv")
    assert reference in (await _bytes(report)).decode("utf-8-sig")

    await page.set_viewport_size({"width": 390, "height": 844})
    await page.goto("/dokumenter?slag=order_confirmation")
    found["/dokumenter (phone)"] = await axe_violations(page)
    await shot(page, "documents-phone")
    await page.close()
    assert {path: v for path, v in found.items() if v} == {}


async def test_agency_staff_see_the_documents_per_creditor(
    kari: BrowserContext, handler: BrowserContext, shot: Shot
) -> None:
    registering = await kari.new_page()
    await register_by_form(registering, f"DOK-{uuid.uuid4().hex[:8]}")
    await registering.close()

    page = await handler.new_page()
    await page.goto("/dokumenter")
    await expect(page.get_by_role("heading", name="Dokumenter", level=1)).to_be_visible()
    creditor = page.get_by_label("Oppdragsgiver")
    nordlys = creditor.locator("option", has_text="Nordlys")
    await expect(nordlys).to_have_count(1)
    name = (await nordlys.inner_text()).strip()
    await creditor.select_option(label=name)
    await page.get_by_role("button", name="Søk").click()
    filtered = page.url

    async def listed() -> bool:
        await page.goto(filtered)
        return await page.locator("#zipskjema table tbody tr").count() > 0

    await wait_for(listed, what="Nordlys's documents for the case handler", seconds=60, every=1)
    rows = page.locator("#zipskjema table tbody tr")
    for index in range(await rows.count()):
        await expect(rows.nth(index)).to_contain_text(name)
    violations = await axe_violations(page)
    await shot(page, "documents-agency")
    await page.close()
    assert violations == []
