"""The case list as a creditor sees it: each case's paid amount and balance (as the
ledger stated them, carried to the cases service by its events: a case registered by
form, then paid in part through the ledger), the total of the search, and the search
downloaded as CSV and as an Excel workbook in the page's language; axe finds nothing
serious on the page."""

from __future__ import annotations

import asyncio
import csv
import io
import re
import uuid
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook
from playwright.async_api import BrowserContext, Page, expect
from servicekit.testing.wait import wait_for

from .conftest import Shot, axe_violations, register_by_form
from .test_money import pay

pytestmark = pytest.mark.e2e

HEADERS_NB = [
    "Saksnummer",
    "Referanse",
    "Skyldner",
    "Status",
    "Hovedstol (kr)",
    "Innbetalt (kr)",
    "Saldo (kr)",
    "Forfall",
    "Registrert",
]


async def _downloaded(page: Page, link: str) -> tuple[str, bytes]:
    async with page.expect_download() as download:
        await page.get_by_role("link", name=link).click()
    got = await download.value
    path = await got.path()
    return got.suggested_filename, await asyncio.to_thread(Path(path).read_bytes)


async def test_the_list_shows_paid_and_balance_counts_and_downloads_the_search(
    gateway: httpx.AsyncClient, admin: dict[str, str], kari: BrowserContext, shot: Shot
) -> None:
    page = await kari.new_page()
    reference = f"LIST-{uuid.uuid4().hex[:8]}"
    await register_by_form(page, reference)  # 4 990 kr
    kid = (await page.locator("dt:text-is('KID') + dd").inner_text()).strip()
    await pay(gateway, admin, amount_ore=500_00, kid=kid)

    async def paid_shown() -> bool:
        await page.goto(f"/saker?q={reference}")
        cell = page.locator("tbody tr td[data-label='Innbetalt']")
        return await cell.count() == 1 and "500,00" in await cell.inner_text()

    await wait_for(paid_shown, what="the ledger's payment on the case list", seconds=60)
    headers = page.locator("thead th")
    await expect(headers).to_contain_text(["Hovedstol", "Innbetalt", "Saldo"])
    await expect(page.locator("#cases-total")).to_have_text("1 sak passer søket.")
    row = page.locator("tbody tr")
    balance = await row.locator("td[data-label='Saldo']").inner_text()
    assert re.fullmatch(r"kr\s[\d\s]+,\d\d", balance), balance
    await shot(page, "case-list-paid-balance")
    assert await axe_violations(page) == []

    name, content = await _downloaded(page, "CSV (Excel)")
    assert name == "saker.csv"
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == HEADERS_NB
    assert [(r[1], r[5]) for r in rows[1:]] == [(reference, "500,00")]
    # the scheduler may book the inkassovarsel's fee while the file is made: the file's
    # balance is the page's before it or the page's after it
    await page.goto(f"/saker?q={reference}")
    after = await row.locator("td[data-label='Saldo']").inner_text()
    shown = {b.removeprefix("kr").replace("\u00a0", "").strip() for b in (balance, after)}
    assert rows[1][6] in shown, (rows[1][6], shown)

    name, content = await _downloaded(page, "Excel-arbeidsbok (XLSX)")
    assert name == "saker.xlsx"
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    assert [c.value for c in sheet[1]] == HEADERS_NB
    assert sheet.cell(row=2, column=6).value == 500
    assert sheet.cell(row=2, column=6).number_format == "#,##0.00"

    # the whole list: the total counts every page, the download holds every case
    await page.goto("/saker?sort=balance&order=desc")
    total = await page.locator("#cases-total").inner_text()
    found = re.fullmatch(r"(\d[\d\s]*) sak(?:er)? passer søket\.", total)
    assert found, total
    count = int(re.sub(r"\s", "", found.group(1)))
    name, content = await _downloaded(page, "CSV (Excel)")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) - 1 == count
    balances = [int(r[6].replace(",", "")) for r in rows[1:]]
    assert balances == sorted(balances, reverse=True)  # in the list's order

    await page.get_by_role("link", name="English").click()
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(page.locator("#cases-total")).to_have_text(
        re.compile(r"^(1 case matches|\d[\d,]* cases match) the search\.$")
    )
    name, content = await _downloaded(page, "CSV (Excel)")
    assert name == "cases.csv"
    english = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert english[0][:7] == [
        "Case number",
        "Reference",
        "Debtor",
        "Status",
        "Principal (NOK)",
        "Paid (NOK)",
        "Balance (NOK)",
    ]
    await shot(page, "case-list-english")
    assert await axe_violations(page) == []
    await page.get_by_role("link", name="Norsk").click()
    await page.close()
