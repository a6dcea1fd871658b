"""The case page's choice of date and basis for the economy (``?per=&grunnlag=``)."""

from __future__ import annotations

import pytest
from gateway.portal.pages.cases import economy_query
from starlette.requests import Request


def request(query: str) -> Request:
    return Request({"type": "http", "method": "GET", "path": "/", "query_string": query.encode()})


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {}),
        ("per=2025-06-30", {"as_of": "2025-06-30"}),
        ("per=2025-06-30&grunnlag=bokfort", {"as_of": "2025-06-30", "basis": "as_booked_then"}),
        ("grunnlag=kjent", {"basis": "as_known_now"}),
        ("per=30.06.2025&grunnlag=alt", {}),
        ("per=2025-02-30", {}),
        ("per=" + "2" * 5000, {}),
    ],
)
def test_the_economy_query_takes_a_date_and_a_basis_and_ignores_the_rest(
    query: str, expected: dict[str, str]
) -> None:
    assert economy_query(request(query)) == expected
