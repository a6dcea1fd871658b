"""The Tripletex simulator speaks the API's shapes: session, paging, errors, 429."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import httpx
import pytest
from simulators.tripletex import ACCOUNT_ID_BASE, TripletexSimulator, demo_company

pytestmark = pytest.mark.integration


@pytest.fixture
def erp() -> Iterator[TripletexSimulator]:
    with TripletexSimulator(0) as simulator:
        demo_company(simulator, today=date.today(), invoices=30)
        yield simulator


def session(erp: TripletexSimulator, http: httpx.Client) -> httpx.BasicAuth:
    created = http.put(
        "/token/session/:create",
        params={
            "consumerToken": erp.config.consumer_token,
            "employeeToken": erp.config.employee_token,
            "expirationDate": (date.today() + timedelta(days=1)).isoformat(),
        },
    )
    assert created.status_code == 200
    return httpx.BasicAuth("0", created.json()["value"]["token"])


def test_session_paging_and_the_error_shape(erp: TripletexSimulator) -> None:
    with httpx.Client(base_url=erp.url) as http:
        refused = http.put(
            "/token/session/:create",
            params={"consumerToken": "x", "employeeToken": "y", "expirationDate": "2030-01-01"},
        )
        assert refused.status_code == 403
        assert set(refused.json()) == {
            "status", "code", "message", "link", "developerMessage", "validationMessages",
            "requestId",
        }  # fmt: skip
        assert http.get("/invoice").status_code == 401
        auth = session(erp, http)
        missing = http.get("/invoice", auth=auth)
        assert missing.status_code == 422
        assert {m["field"] for m in missing.json()["validationMessages"]} == {
            "invoiceDateFrom",
            "invoiceDateTo",
        }
        window = {"invoiceDateFrom": "2000-01-01", "invoiceDateTo": "2100-01-01"}
        first = http.get("/invoice", params={**window, "count": 10}, auth=auth).json()
        rest = http.get("/invoice", params={**window, "from": 10}, auth=auth).json()
        assert first["count"] == 10
        assert first["fullResultSize"] == rest["fullResultSize"] == 10 + rest["count"]
        notes = [i for i in first["values"] + rest["values"] if i["isCreditNote"]]
        assert len(notes) == 1
        assert notes[0]["amount"] < 0
        assert notes[0]["creditedInvoice"] is not None
        who = http.get("/token/session/>whoAmI", auth=auth).json()["value"]
        assert who["companyId"] == erp.config.company_id


def test_429_with_rate_limit_headers_after_the_limit(erp: TripletexSimulator) -> None:
    erp.set_rate_limit(2, window_seconds=60)
    with httpx.Client(base_url=erp.url) as http:
        auth = session(erp, http)
        answers = [http.get("/customer", auth=auth) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[1].headers["X-Rate-Limit-Remaining"] == "0"
    assert int(answers[2].headers["Retry-After"]) >= 1
    assert answers[2].json()["status"] == 429
    assert erp.rate_limited == 1


def test_a_voucher_must_balance(erp: TripletexSimulator) -> None:
    with httpx.Client(base_url=erp.url) as http:
        auth = session(erp, http)
        postings = [
            {"row": 1, "account": {"id": ACCOUNT_ID_BASE + 1920}, "amountGross": 100.0},
            {"row": 2, "account": {"id": ACCOUNT_ID_BASE + 1500}, "amountGross": -90.0},
        ]
        body = {"date": date.today().isoformat(), "description": "x", "postings": postings}
        assert http.post("/ledger/voucher", json=body, auth=auth).status_code == 422
        postings[1]["amountGross"] = -100.0
        made = http.post("/ledger/voucher", json=body, auth=auth)
    assert made.status_code == 201
    assert erp.vouchers()[0]["id"] == made.json()["value"]["id"]
