"""The credit bureau simulator over real HTTP: tokens, reports, copy letters and faults."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from simulators import bureau_subjects as subjects
from simulators.bureau import SCENARIO_HEADER, BureauConfig, BureauSimulator
from stdnum.no import fodselsnummer, orgnr

# Real sockets on loopback, no PostgreSQL or RabbitMQ: not a unit test.
pytestmark = pytest.mark.integration

CLIENT = ("infocenter", "simulator-secret")


@pytest.fixture
def bureau() -> Iterator[BureauSimulator]:
    config = BureauConfig(slow_seconds=1.0, hang_seconds=1.0, token_ttl_seconds=60)
    with BureauSimulator(config=config) as sim:
        yield sim


@pytest.fixture
async def client(bureau: BureauSimulator) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=bureau.url, timeout=5) as http:
        token = await http.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, auth=CLIENT
        )
        assert token.status_code == 200, token.text
        http.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
        yield http


def company(number: str, **extra: Any) -> dict[str, Any]:
    return {
        "organisationNumber": number,
        "product": "COMPANY_STANDARD",
        "clientReference": str(uuid.uuid4()),
        "purpose": "CASE_ASSESSMENT",
        "endUser": {"organisationNumber": "999100007", "name": "Nordlys Energi AS"},
        **extra,
    }


def person(national_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "nationalId": national_id,
        "product": "PERSON_STANDARD",
        "clientReference": str(uuid.uuid4()),
        "purpose": "CASE_ASSESSMENT",
        "endUser": {"organisationNumber": "999100007", "name": "Nordlys Energi AS"},
        **extra,
    }


def test_every_synthetic_identifier_is_valid_by_mod11() -> None:
    numbers = [
        v for k, v in vars(subjects).items() if k.startswith(("AS_", "ENK_", "NUF_", "COMPANY_"))
    ]
    assert numbers
    assert all(orgnr.is_valid(n) for n in numbers if len(n) == 9)
    people = [v for k, v in vars(subjects).items() if k.startswith("PERSON_") or k == "ENK_OWNER"]
    old_rule = [p for p in people if p != subjects.PERSON_FNR_2032]
    assert all(fodselsnummer.is_valid(p) for p in old_rule)
    assert int(subjects.PERSON_DNUMMER[0]) >= 4  # a D-nummer: day + 40
    assert not fodselsnummer.is_valid(subjects.PERSON_FNR_2032)  # only the 2032 rule takes it


async def test_a_token_is_needed_and_a_wrong_secret_gets_none(bureau: BureauSimulator) -> None:
    async with httpx.AsyncClient(base_url=bureau.url, timeout=5) as http:
        wrong = await http.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, auth=("infocenter", "x")
        )
        assert wrong.status_code == 401
        anonymous = await http.post("/v1/reports/company", json=company(subjects.AS_HEALTHY))
        assert anonymous.status_code == 401
        assert anonymous.json()["error"]["code"] == "INVALID_TOKEN"
    assert bureau.state.calls == []


async def test_company_reports_and_reconciliation_by_reference(
    client: httpx.AsyncClient, bureau: BureauSimulator
) -> None:
    body = company(subjects.AS_RISKY)
    response = await client.post("/v1/reports/company", json=body)
    assert response.status_code == 200
    report = response.json()
    assert report["rating"]["class"] == "B"
    assert report["paymentRemarks"] == {
        "count": 3,
        "totalAmount": 48_000,
        "items": report["paymentRemarks"]["items"],
    }
    found = await client.get("/v1/reports", params={"clientReference": body["clientReference"]})
    assert [r["reportId"] for r in found.json()["reports"]] == [report["reportId"]]
    again = await client.get(f"/v1/reports/{report['reportId']}")
    assert again.json() == report
    assert len(bureau.state.calls) == 1  # reading again is no new order
    assert bureau.state.gjenparter == []  # no copy letter for a company (AS)


async def test_dissolved_and_unknown_companies_are_no_match(client: httpx.AsyncClient) -> None:
    for number in (subjects.AS_DISSOLVED, subjects.COMPANY_UNKNOWN):
        response = await client.post("/v1/reports/company", json=company(number))
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "NO_MATCH"


async def test_person_and_enk_reports_send_a_copy_letter_naming_the_orderer(
    client: httpx.AsyncClient, bureau: BureauSimulator
) -> None:
    body = person(subjects.PERSON_REMARKS)
    response = await client.post("/v1/reports/person", json=body)
    assert response.json()["score"]["value"] == 12
    enk = await client.post("/v1/reports/company", json=company(subjects.ENK_WITH_OWNER))
    assert enk.status_code == 200
    letters = (await client.get("/_sim/gjenparter")).json()
    assert [(g["subjectNationalId"], g["ordererName"]) for g in letters] == [
        (subjects.PERSON_REMARKS, "Nordlys Energi AS"),
        (subjects.ENK_OWNER, "Nordlys Energi AS"),
    ]
    mine = await client.get("/_sim/gjenparter", params={"clientReference": body["clientReference"]})
    assert len(mine.json()) == 1


async def test_a_credit_block_stops_a_creditors_own_check_but_not_inkasso(
    client: httpx.AsyncClient, bureau: BureauSimulator
) -> None:
    refused = await client.post(
        "/v1/reports/person",
        json=person(subjects.PERSON_BLOCKED, purpose="CREDITOR_CREDIT_DECISION"),
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "CREDIT_BLOCKED"
    assert "CASE_ASSESSMENT" in refused.json()["error"]["allowedPurposes"]
    allowed = await client.post("/v1/reports/person", json=person(subjects.PERSON_BLOCKED))
    assert allowed.status_code == 200
    assert allowed.json()["person"]["creditBlock"] is True
    assert len(bureau.state.gjenparter) == 1  # only the report made sends a letter


@pytest.mark.parametrize(
    ("scenario", "status", "code"),
    [
        ("401", 401, "INVALID_TOKEN"),
        ("403", 403, "PRODUCT_NOT_IN_CONTRACT"),
        ("404", 404, "NO_MATCH"),
        ("429", 429, "RATE_LIMITED"),
        ("500", 500, "INTERNAL_ERROR"),
        ("502", 502, "INTERNAL_ERROR"),
        ("503", 503, "SERVICE_UNAVAILABLE"),
    ],
)
async def test_error_scenarios_make_no_report(
    client: httpx.AsyncClient, bureau: BureauSimulator, scenario: str, status: int, code: str
) -> None:
    response = await client.post(
        "/v1/reports/person",
        json=person(subjects.PERSON_CLEAN),
        headers={SCENARIO_HEADER: scenario},
    )
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    if status in (429, 503):
        assert response.headers["Retry-After"] == "1"
    assert bureau.state.calls == []
    assert bureau.state.gjenparter == []


async def test_slow_reset_and_malformed_answers_come_after_the_report_was_made(
    client: httpx.AsyncClient, bureau: BureauSimulator
) -> None:
    with pytest.raises(httpx.ReadTimeout):
        await client.post(
            "/v1/reports/company",
            json=company(subjects.AS_HEALTHY),
            headers={SCENARIO_HEADER: "slow"},
            timeout=0.3,
        )
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        await client.post(
            "/v1/reports/company",
            json=company(subjects.AS_HEALTHY),
            headers={SCENARIO_HEADER: "reset"},
        )
    malformed = await client.post(
        "/v1/reports/company",
        json=company(subjects.AS_HEALTHY),
        headers={SCENARIO_HEADER: "malformed"},
    )
    assert malformed.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(malformed.content)
    assert len(bureau.state.calls) == 3


async def test_a_hang_makes_nothing(client: httpx.AsyncClient, bureau: BureauSimulator) -> None:
    with pytest.raises(httpx.ReadTimeout):
        await client.post(
            "/v1/reports/company",
            json=company(subjects.AS_HEALTHY),
            headers={SCENARIO_HEADER: "hang"},
            timeout=0.3,
        )
    assert bureau.state.calls == []


async def test_queued_faults_are_taken_in_order_then_none(
    client: httpx.AsyncClient, bureau: BureauSimulator
) -> None:
    queued = await client.post("/_sim/faults", json={"scenarios": ["503", "500"]})
    assert queued.json() == {"queued": 2}
    statuses = [
        (await client.post("/v1/reports/company", json=company(subjects.AS_HEALTHY))).status_code
        for _ in range(3)
    ]
    assert statuses == [503, 500, 200]


async def test_an_expired_token_is_refused(
    client: httpx.AsyncClient, bureau: BureauSimulator
) -> None:
    await client.post("/_sim/expire-tokens")
    response = await client.post("/v1/reports/company", json=company(subjects.AS_HEALTHY))
    assert response.status_code == 401


def test_latency_has_a_long_tail() -> None:
    sim = BureauSimulator(config=BureauConfig(latency_ms=100, seed=7))
    draws = sorted(sim.latency() for _ in range(4000))
    p50, p99 = draws[2000], draws[3960]
    assert 0.08 < p50 < 0.12
    assert p99 > 8 * p50
