"""The inkassovarsel as a letter, between real processes: the cases scheduler sends it
(``CASES_SCHEDULER_PERIOD_SECONDS=1`` in the test stack), the ledger states the balance and
the forsinkelsesrente of its day, the reports service renders it with them, the creditor
finds it among the case's documents through the gateway, and the post simulator got it
once."""

from __future__ import annotations

import re
import subprocess
from typing import Any

import httpx
import pytest
from devstack.stack import Stack
from servicekit.testing.wait import wait_for

from .cases_support import a_case, register
from .identity import Login, SignedIn, sign_in

pytestmark = pytest.mark.e2e

CREDITOR_EMAIL = "kari@nordlys.example"


def pdf_text(pdf: bytes) -> str:
    """The PDF's words (pdftotext from poppler-utils), single-spaced."""
    out = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return " ".join(out.stdout.decode().split())


@pytest.fixture(scope="module")
async def kari(gateway: httpx.AsyncClient, demo: dict[str, Login]) -> SignedIn:
    return await sign_in(gateway, demo[CREDITOR_EMAIL])


async def test_the_scheduled_inkassovarsel_is_a_letter_on_the_case_and_at_the_post(
    gateway: httpx.AsyncClient, kari: SignedIn, stack: Stack
) -> None:
    case = await register(gateway, kari, a_case())

    async def letter() -> dict[str, Any] | None:
        response = await gateway.get(
            "/api/v1/reports/documents",
            params={"source_id": case["case_id"], "kind": "debtor_letter"},
            headers=await kari.headers(),
        )
        assert response.status_code == 200, response.text
        items = response.json()["items"]
        return items[0] if items else None

    document = await wait_for(letter, what="the inkassovarsel letter", seconds=90, every=0.5)
    assert document["case_id"] == case["case_id"]
    assert document["number"].startswith(f"{case['case_number']}-IV-")
    content = await gateway.get(document["content_url"], headers=await kari.headers())
    assert content.status_code == 200
    assert content.headers["content-type"].startswith("application/pdf")
    text = pdf_text(content.content)
    for expected in ("Inkassovarsel", "Per Hansen", "Storgata 2", "0155 Oslo", "2026-118"):
        assert expected in text
    assert "vil inkasso bli satt i verk" in text
    # inkassoloven § 10 d (stated on the varsel too): the rate of the day, as the ledger has it
    assert re.search(
        r"Forsinkelsesrente: \d{1,2},\d{2,4} % p\.a\. \(forsinkelsesrenteloven § 3\)", text
    )

    post = stack.service_url("post")

    async def posted() -> list[dict[str, Any]] | None:
        async with httpx.AsyncClient(timeout=5) as client:
            letters = (await client.get(f"{post}/v1/letters")).json()
        mine = [x for x in letters if x["letter_id"] == str(document["source_id"])]
        return mine or None

    (received,) = await wait_for(posted, what="the post to get the letter", seconds=60)
    assert received["kind"] == "inkassovarsel"
    assert received["deliveries"] == 1
    assert received["sha256"] == document["sha256"]
