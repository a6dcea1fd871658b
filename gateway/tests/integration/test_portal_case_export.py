"""The case list's download (``/saker/eksport.csv|xlsx``): the page's search and the
page's language go to the cases API's export, whose file is relayed as it comes."""

from __future__ import annotations

import httpx
import pytest
from servicekit.roles import Roles
from servicekit.testing.tokens import TestSigner

from .test_portal_home import CREDITOR, Seen, _headers, portal, seen  # noqa: F401 (fixtures)

pytestmark = pytest.mark.integration


async def test_the_search_is_downloaded_in_the_pages_language(
    portal: httpx.AsyncClient,  # noqa: F811
    signer: TestSigner,
    seen: Seen,  # noqa: F811
) -> None:
    headers = await _headers(portal, signer, Roles.CREDITOR, CREDITOR)
    query = {"q": "Hagen", "status": "closed", "sort": "balance", "cursor": "abc"}
    got = await portal.get("/saker/eksport.csv", params=query, headers=headers)
    assert got.status_code == 200, got.text
    assert got.headers["content-disposition"] == 'attachment; filename="saker.csv"'
    assert got.headers["content-type"] == "text/csv; charset=utf-8"
    assert got.content.decode("utf-8-sig").startswith("Saksnummer;Saldo (kr)")
    sent = seen.last("/api/v1/cases/export")
    assert ("q", "Hagen") in sent
    assert ("status", "closed") in sent
    assert ("sort", "balance") in sent
    assert ("format", "csv") in sent
    assert ("language", "nb") in sent
    assert not any(name in ("limit", "cursor") for name, _ in sent)  # the whole search

    english = {**headers, "cookie": headers.get("cookie", "") + "; ic_lang=en"}
    await portal.get("/saker/eksport.xlsx", params={"q": "Hagen"}, headers=english)
    sent = seen.last("/api/v1/cases/export")
    assert ("format", "xlsx") in sent
    assert ("language", "en") in sent

    unknown = await portal.get("/saker/eksport.pdf", headers=headers)
    assert unknown.status_code == 404


async def test_the_list_says_how_many_cases_the_search_finds(
    portal: httpx.AsyncClient,  # noqa: F811
    signer: TestSigner,
) -> None:
    headers = await _headers(portal, signer, Roles.CREDITOR, CREDITOR)
    page = await portal.get("/saker", params={"q": "Hagen"}, headers=headers)
    assert page.status_code == 200, page.text
    assert "0 saker passer søket." in page.text
    assert '<option value="balance"' in page.text
