"""Every confirmed figure cites a primary source (Lovdata, regjeringen.no, Finanstilsynet,
Domstoladministrasjonen, Norges Bank, Stortinget, Skatteetaten) over https, never an
agency's, a competitor's or a blog's page (issue 16 § 6): the shipped files, and what an
administrator adds or confirms."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from ledger.adapters.rate_files import read_seed_rates
from ledger.domain.errors import RateSourceRefused
from ledger.domain.rates import (
    PRIMARY_SOURCE_HOSTS,
    is_primary_source,
    require_primary_source,
    source_problem,
)


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
        ("https://LOVDATA.NO/forskrift/2024-12-19-3279", True),
        ("https://www.norges-bank.no/tema/pengepolitikk/", True),
        ("https://data.norges-bank.no/api/data/IR", True),
        ("https://www.stortinget.no/no/Saker-og-publikasjoner/", True),
        ("https://www.skatteetaten.no/satser/merverdiavgift/", True),
        ("http://lovdata.no/forskrift/2024-12-19-3279", False),
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


def test_the_primary_hosts_are_the_official_ones() -> None:
    assert sorted(PRIMARY_SOURCE_HOSTS) == [
        "domstol.no",
        "finanstilsynet.no",
        "lovdata.no",
        "norges-bank.no",
        "regjeringen.no",
        "skatteetaten.no",
        "stortinget.no",
    ]


@pytest.mark.parametrize(
    ("url", "code", "host"),
    [
        ("https://sergel.no/faq/satser-inkassosalaer/", "source-not-primary", "sergel.no"),
        ("https://www.inkassoguiden.no/x", "source-not-primary", "inkassoguiden.no"),
        ("http://lovdata.no/forskrift/1989-07-14-562", "source-not-https", "lovdata.no"),
        ("ftp://lovdata.no/forskrift", "source-not-https", "lovdata.no"),
    ],
)
def test_a_confirmed_rows_source_is_refused_with_a_field_code(
    url: str, code: str, host: str
) -> None:
    assert source_problem(url) == code
    with pytest.raises(RateSourceRefused) as refused:
        require_primary_source(url)
    assert refused.value.status == 422
    [error] = refused.value.errors
    assert (error["field"], error["code"], error["host"]) == ("source_url", code, host)
    assert "lovdata.no" in error["allowed"]
    require_primary_source("https://lovdata.no/forskrift/1989-07-14-562")  # no error
