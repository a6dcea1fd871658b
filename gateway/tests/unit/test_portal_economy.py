"""The case page's choice of date and basis for the economy (``?per=&grunnlag=``)."""

from __future__ import annotations

import pytest
from gateway.portal.i18n import Translator
from gateway.portal.pages.cases import economy_query
from gateway.portal.render import templates
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


def _economy(provisional: bool) -> dict[str, object]:
    return {
        "as_of": "2025-07-31",
        "basis": "as_known_now",
        "paid_ore": 0,
        "balance_ore": 1_010_616,
        "overpaid_ore": 0,
        "settled_on": None,
        "components": [],
        "interest": {"accrued_ore": 10_616, "periods": [{"carried_forward": provisional}]},
        "payments": [],
        "provisional": provisional,
    }


@pytest.mark.parametrize("provisional", [True, False])
def test_a_balance_on_an_unconfirmed_rate_is_marked_foreløpig(provisional: bool) -> None:
    html = templates.env.get_template("portal/_economy.html").render(
        economy=_economy(provisional), t=Translator("nb"), lang="nb"
    )
    assert ('id="okonomi-forelopig"' in html) is provisional
    assert ("Foreløpig" in html) is provisional
    assert ("ikke bekreftet ennå" in html) is provisional


def test_a_fee_on_an_unconfirmed_rate_says_so_and_not_that_the_interest_rate_is() -> None:
    fee = {"kind": "inkassovarsel_fee", "amount_ore": 3_000, "provisional": True}
    economy = {
        **_economy(True),
        "interest": {"accrued_ore": 0, "periods": [], "provisional": False},
        "fees": [fee],
    }

    def render(economy: dict[str, object], lang: str) -> str:
        return str(
            templates.env.get_template("portal/_economy.html").render(
                economy=economy, t=Translator(lang), lang=lang
            )
        )

    html = render(economy, "nb")
    assert 'id="okonomi-forelopig-gebyr"' in html
    assert "Et gebyr er regnet med en sats" in html
    assert "Rentesatsen for et halvår" not in html  # the interest rate is confirmed
    assert "A fee is computed" in render(economy, "en")
    confirmed = {**economy, "fees": [{**fee, "provisional": False}]}
    assert 'id="okonomi-forelopig-gebyr"' not in render(confirmed, "nb")
