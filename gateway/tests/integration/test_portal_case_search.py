"""The case list's one search box (``/saker?q=``) goes to the cases API as ``q``, which
finds a case by name words, case number in any form or reference."""

from __future__ import annotations

import httpx
import pytest
from servicekit.roles import Roles
from servicekit.testing.tokens import TestSigner

from .test_portal_home import CREDITOR, Seen, _headers, portal, seen  # noqa: F401 (fixtures)

pytestmark = pytest.mark.integration


async def test_the_search_box_is_sent_as_q_with_the_other_fields(
    portal: httpx.AsyncClient,  # noqa: F811
    signer: TestSigner,
    seen: Seen,  # noqa: F811
) -> None:
    headers = await _headers(portal, signer, Roles.CREDITOR, CREDITOR)
    page = await portal.get(
        "/saker",
        params={"q": " ic-0000007 ", "case_number": "7", "reference": "Faktura-1"},
        headers=headers,
    )
    assert page.status_code == 200, page.text
    sent = seen.last("/api/v1/cases")
    assert ("q", "ic-0000007") in sent
    assert ("case_number", "7") in sent
    assert ("creditor_reference", "Faktura-1") in sent
    assert not any(name == "debtor" for name, _ in sent)
    assert "Ord i skyldners navn, saksnummer" in page.text
