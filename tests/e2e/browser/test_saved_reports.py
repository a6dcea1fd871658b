"""«Lagrede rapporter» in the browser, as the demo creditor: the case list saved from the
report page with its filters («Lagre»), scheduled weekly, run at once by the
reports-worker (the run's progress bar fills), its file downloaded, and axe-core on the
new page with no serious or critical violations."""

from __future__ import annotations

import asyncio
import io
import uuid
from pathlib import Path

import openpyxl
import pytest
from playwright.async_api import BrowserContext, Download, expect
from servicekit.testing.wait import wait_for

from .conftest import Shot, axe_violations, register_by_form

pytestmark = pytest.mark.e2e


async def _bytes(download: Download) -> bytes:
    path = await download.path()
    assert path is not None
    return await asyncio.to_thread(Path(path).read_bytes)


async def test_a_creditor_saves_schedules_runs_and_downloads_a_report(
    kari: BrowserContext, shot: Shot
) -> None:
    found: dict[str, list[dict[str, object]]] = {}
    page = await kari.new_page()
    reference = f"LAG-{uuid.uuid4().hex[:8]}"
    await register_by_form(page, reference)
    name = f"Saksliste {reference}"

    await page.goto("/rapporter?rapport=saksliste")
    await page.get_by_label("Navn").fill(name)
    await page.get_by_label("Format").select_option("xlsx")
    await page.get_by_role("button", name="Lagre", exact=True).click()
    await expect(page.get_by_role("heading", name="Lagrede rapporter", level=1)).to_be_visible()
    await expect(page.get_by_role("status")).to_contain_text("Rapporten er lagret.")
    card = page.locator("article.saved-report", has_text=name)
    await expect(card).to_have_count(1)

    await card.get_by_label("Hvor ofte").select_option("weekly")
    await card.get_by_role("button", name="Planlegg").click()
    card = page.locator("article.saved-report", has_text=name)
    await expect(card.locator(".schedule-list")).to_contain_text("Ukentlig")

    await card.get_by_role("button", name="Kjør nå").click()
    await expect(page.get_by_role("status")).to_contain_text("Rapporten kjøres")
    rows = page.locator("#kjoringer-tabell tbody tr", has_text=name)

    async def done() -> bool:
        await page.goto("/rapporter/lagrede")
        return await rows.first.get_attribute("data-status") == "done"

    await wait_for(done, what="the run written by the reports-worker", seconds=60, every=1)
    run = rows.first
    bar = run.locator("progress")
    await expect(bar).to_have_attribute("value", "1")
    await expect(bar).to_have_attribute("max", "1")
    found["/rapporter/lagrede"] = await axe_violations(page)
    await shot(page, "saved-reports")

    async with page.expect_download() as file:
        await run.get_by_role("link", name="Last ned (XLSX)").click()
    downloaded = await file.value
    assert downloaded.suggested_filename.endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(await _bytes(downloaded))).active
    assert sheet is not None
    assert reference in {row[1] for row in sheet.iter_rows(values_only=True)}

    await page.set_viewport_size({"width": 390, "height": 844})
    await page.goto("/rapporter/lagrede")
    found["/rapporter/lagrede (phone)"] = await axe_violations(page)
    await page.close()
    assert {path: v for path, v in found.items() if v} == {}
