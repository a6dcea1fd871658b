"""Every confirmed figure the ledger ships cites a primary source (Lovdata,
regjeringen.no, Finanstilsynet, Domstoladministrasjonen), never an agency's, a
competitor's or a blog's page (issue 16 § 6)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from ledger.adapters.rate_files import read_seed_rates
from ledger.domain.rates import PRIMARY_SOURCE_HOSTS, is_primary_source


def test_every_confirmed_row_of_the_shipped_files_cites_a_primary_source() -> None:
    rows = read_seed_rates()
    confirmed = [r for r in rows if r.status == "confirmed"]
    assert len(confirmed) > 100  # the files are read (rates.csv and fee_rules.csv)
    others = sorted(
        {
            (r.kind, r.effective_from.isoformat(), urlsplit(r.source_url or "").hostname or "")
            for r in confirmed
            if not is_primary_source(r.source_url)
        }
    )
    assert others == []


@pytest.mark.parametrize(
    ("url", "primary"),
    [
        ("https://lovdata.no/dokument/SF/forskrift/1989-07-14-562", True),
        ("https://www.regjeringen.no/no/aktuelt/x/id3019071/", True),
        ("https://cms12.regjeringen.no/no/dokumenter/prop.-80-l-20232024/id3031788/", True),
        ("https://www.finanstilsynet.no/nyhetsarkiv/", True),
        ("https://www.domstol.no/sivil-sak/sakskostnader/rettsgebyr/", True),
        ("http://LOVDATA.NO/forskrift/2024-12-19-3279", True),
        ("https://sergel.no/faq/satser-inkassosalaer/", False),
        ("https://juridika.no/forskrift/1989-07-14-562", False),
        ("https://lovdata.no.example.com/forskrift", False),
        ("https://notlovdata.no/forskrift", False),
        ("ftp://lovdata.no/forskrift", False),
        ("lovdata.no/forskrift", False),
        ("", False),
        (None, False),
    ],
)
def test_a_primary_source_is_a_web_page_on_a_primary_host(url: str | None, primary: bool) -> None:
    assert is_primary_source(url) is primary


def test_the_primary_hosts_are_the_four_the_issue_names() -> None:
    assert sorted(PRIMARY_SOURCE_HOSTS) == [
        "domstol.no",
        "finanstilsynet.no",
        "lovdata.no",
        "regjeringen.no",
    ]
