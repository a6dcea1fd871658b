"""An avdragsordning checked against the debt through the API (issue 16 §5): the debt
today, the interest of the plan's months and the avdragsgebyr, against the instalments."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import httpx
import pytest
from ledger.domain.fees import Step

from .books import Ledger

pytestmark = pytest.mark.integration


def _plan(count: int, amount_ore: int, first: date) -> dict[str, object]:
    days = [first + timedelta(days=30 * n) for n in range(count)]
    return {"instalments": [{"due_date": d.isoformat(), "amount_ore": amount_ore} for d in days]}


async def test_a_plan_of_just_the_balance_is_short_by_interest_and_the_avdragsgebyr(
    client: httpx.AsyncClient, ledger: Ledger
) -> None:
    case = await ledger.case((1_000_000, date.today() - timedelta(days=60), 0))
    path = f"/api/v1/ledger/cases/{case.case_id}/payment-plan-check"
    economy = await client.get(
        f"/api/v1/ledger/cases/{case.case_id}/economy", headers=ledger.creditor()
    )
    balance = economy.json()["balance_ore"]
    first = date.today() + timedelta(days=14)
    six = await client.post(path, json=_plan(6, -(-balance // 6), first), headers=ledger.handler)
    assert six.status_code == 200, six.text
    body = six.json()
    assert body["balance_ore"] == balance
    assert body["fees_ore"] > 0  # more than four instalments: the avdragsgebyr
    assert body["interest_ore"] > 0
    assert body["covers"] is False
    assert body["missing_ore"] == body["total_ore"] - body["instalments_ore"]
    enough = -(-(body["total_ore"] + body["interest_ore"]) // 6)
    paid = await client.post(path, json=_plan(6, enough, first), headers=ledger.handler)
    assert paid.json()["covers"] is True
    assert paid.json()["missing_ore"] == 0


async def test_a_charged_avdragsgebyr_is_not_counted_twice_and_others_cases_are_hidden(
    client: httpx.AsyncClient, ledger: Ledger
) -> None:
    case = await ledger.case((500_000, date.today() - timedelta(days=40), 0))
    await ledger.steps(case.case_id, Step("payment_plan_agreed", date.today(), 6))
    path = f"/api/v1/ledger/cases/{case.case_id}/payment-plan-check"
    first = date.today() + timedelta(days=10)
    again = await client.post(path, json=_plan(6, 100_000, first), headers=ledger.handler)
    assert again.json()["fees_ore"] == 0
    stranger = await client.post(
        path, json=_plan(1, 1, first), headers=ledger.creditor(uuid.uuid4())
    )
    assert stranger.status_code == 404
    zero = await client.post(
        path,
        json={"instalments": [{"due_date": first.isoformat(), "amount_ore": 0}]},
        headers=ledger.handler,
    )
    assert zero.status_code == 422
