"""The case list's money and size: each case's balance and paid amount as the ledger last
stated them (``ledger.case.balance_changed``, applied in batches, newest wins), sorting
and filtering by balance, the filtered list's total (exact up to a cap), and the list
exported as CSV and XLSX in the reader's language (ADR 0055)."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from cases import views
from cases.adapters.balances import StatedBalance
from cases.adapters.balances import apply as apply_balances
from cases.adapters.orm import cases as cases_table
from cases.adapters.orm import personal_data_access
from cases.bootstrap import CasesService
from cases.entrypoints.api import create_app
from contracts import Envelope
from contracts.ledger import CaseBalanceChanged
from openpyxl import load_workbook
from servicekit.testing.bus import running_consumers
from servicekit.testing.http import asgi_client
from sqlalchemy import func, select

from .test_cases_api import Caller, case_body, register, world  # noqa: F401 (fixture)

pytestmark = pytest.mark.integration

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def stated(case: dict[str, Any], balance: int, paid: int | None, *, at: datetime) -> Envelope:
    return Envelope.wrap(
        CaseBalanceChanged(
            case_id=uuid.UUID(case["case_id"]),
            creditor_id=uuid.uuid4(),  # the cases service goes by the case
            effective_date=date(2026, 12, 1),
            principal_ore=balance,
            interest_ore=0,
            costs_ore=0,
            balance_ore=balance,
            overpaid_ore=0,
            cause="payment",
            changed_at=at,
            paid_ore=paid,
        )
    )


async def listed(
    client: httpx.AsyncClient, who: Caller, **params: str
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    response = await client.get("/api/v1/cases", params=params, headers=who.headers)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page["items"], page


def principal(ore: int) -> dict[str, Any]:
    body = case_body()
    body["claims"][0]["principal_ore"] = ore
    return body


async def balances(service: CasesService, ids: list[str]) -> dict[str, tuple[int, int]]:
    async with service.session_factory() as session:
        rows = await session.execute(
            select(cases_table.c.id, cases_table.c.balance_ore, cases_table.c.paid_ore).where(
                cases_table.c.id.in_([uuid.UUID(i) for i in ids])
            )
        )
        return {str(r.id): (r.balance_ore, r.paid_ore) for r in rows}


async def test_the_newest_balance_the_ledger_states_is_listed_sorted_and_filtered(
    service: CasesService,
    world: dict[str, Caller],  # noqa: F811
) -> None:
    kari, other = world["kari"], world["other"]
    async with asgi_client(create_app(service)) as client:
        small = await register(client, kari, claims=principal(100_000)["claims"])
        large = await register(client, kari, claims=principal(900_000)["claims"])
        untouched = await register(client, kari, claims=principal(500_000)["claims"])
        theirs = await register(client, other)

        # before the ledger has said anything: what was registered, nothing paid
        items, _ = await listed(client, kari, sort="balance", order="desc")
        assert [(c["case_number"], c["balance_ore"], c["paid_ore"]) for c in items] == [
            (large["case_number"], 903_500, 0),
            (untouched["case_number"], 503_500, 0),
            (small["case_number"], 103_500, 0),
        ]
        assert all(c["balance_changed_at"] is None for c in items)

        newest = stated(large, 40_000, 863_500, at=T0 + timedelta(minutes=2))
        async with running_consumers(service) as run:
            await run.publish(stated(small, 90_000, 13_500, at=T0))
            await run.publish(newest, times=2)  # a redelivery changes nothing
            # an older statement delivered late does not overwrite the newer one
            await run.publish(stated(large, 700_000, 203_500, at=T0 + timedelta(minutes=1)))
            # another creditor's case, by a producer that does not state paid: kept as is
            await run.publish(stated(theirs, 1_000, None, at=T0))

            async def applied() -> bool:
                now = await balances(
                    service, [small["case_id"], large["case_id"], theirs["case_id"]]
                )
                return now == {
                    small["case_id"]: (90_000, 13_500),
                    large["case_id"]: (40_000, 863_500),
                    theirs["case_id"]: (1_000, 0),
                }

            await run.wait_for(applied, what="the ledger's balances on the cases")
            await run.settled(handled=4, duplicate=1)
        assert await balances(service, [large["case_id"]]) == {large["case_id"]: (40_000, 863_500)}

        items, page = await listed(client, kari, sort="balance", order="desc", limit="2")
        assert [(c["case_number"], c["balance_ore"], c["paid_ore"]) for c in items] == [
            (untouched["case_number"], 503_500, 0),
            (small["case_number"], 90_000, 13_500),
        ]
        assert (page["total"], page["total_exact"]) == (3, True)
        rest, last = await listed(
            client, kari, sort="balance", order="desc", limit="2", cursor=page["next_cursor"]
        )
        assert [c["case_number"] for c in rest] == [large["case_number"]]
        assert rest[0]["balance_changed_at"] is not None
        assert (last["total"], last["next_cursor"]) == (3, None)

        # the filters narrow the list and its total alike
        items, page = await listed(client, kari, balance_min_ore="50000", balance_max_ore="100000")
        assert [c["case_number"] for c in items] == [small["case_number"]]
        assert page["total"] == 1
        _, page = await listed(client, kari, q="no such debtor at all")
        assert (page["total"], page["total_exact"]) == (0, True)


async def test_the_total_is_exact_up_to_the_cap_then_a_lower_bound(
    service: CasesService,
    world: dict[str, Caller],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kari = world["kari"]
    monkeypatch.setattr(views, "COUNT_CAP", 2)
    async with asgi_client(create_app(service)) as client:
        for _ in range(2):
            await register(client, kari)
        _, page = await listed(client, kari, limit="1")
        assert (page["total"], page["total_exact"]) == (2, True)
        await register(client, kari)
        _, page = await listed(client, kari, limit="1")
    assert (page["total"], page["total_exact"]) == (2, False)


async def exported(client: httpx.AsyncClient, who: Caller, **params: str) -> httpx.Response:
    response = await client.get("/api/v1/cases/export", params=params, headers=who.headers)
    assert response.status_code == 200, response.text
    return response


async def test_the_filtered_list_exports_as_csv_in_the_readers_language(
    service: CasesService,
    world: dict[str, Caller],  # noqa: F811
) -> None:
    kari, other = world["kari"], world["other"]
    async with asgi_client(create_app(service)) as client:
        first = await register(client, kari, claims=principal(123_456_789)["claims"])
        formula = case_body(creditor_reference="-A1")
        second = await register(client, kari, **formula)
        await register(client, other)
        async with running_consumers(service) as run:
            await run.publish(stated(first, 100_000_050, 23_460_239, at=T0))
            await run.wait_for(
                lambda: _is(balances(service, [first["case_id"]]), (100_000_050, 23_460_239)),
                what="the balance",
            )

        nb = await exported(client, kari, format="csv", language="nb", sort="case_number")
        assert nb.headers["content-type"] == "text/csv; charset=utf-8"
        assert nb.headers["content-disposition"] == 'attachment; filename="saker.csv"'
        assert nb.content.startswith("\ufeff".encode())
        rows = list(csv.reader(io.StringIO(nb.content.decode("utf-8-sig")), delimiter=";"))
        assert rows[0] == [
            "Saksnummer",
            "Referanse",
            "Skyldner",
            "Status",
            "Hovedstol (kr)",
            "Innbetalt (kr)",
            "Saldo (kr)",
            "Forfall",
            "Registrert",
        ]
        assert rows[1][:7] == [
            second["case_number"],
            "'-A1",  # shown as text, never run as a formula
            "Kari Nordmann",
            "Registrert",
            "2500,00",
            "0,00",
            "2535,00",
        ]
        due = date.today() - timedelta(days=31)  # as case_body has it
        assert rows[1][7] == due.strftime("%d.%m.%Y")
        assert rows[2][:7] == [
            first["case_number"],
            first["creditor_reference"],
            "Kari Nordmann",
            "Registrert",
            "1234567,89",
            "234602,39",
            "1000000,50",
        ]
        assert len(rows) == 3  # another creditor's case is not there

        en = await exported(
            client, kari, format="csv", language="en", sort="case_number", order="asc"
        )
        assert en.headers["content-disposition"] == 'attachment; filename="cases.csv"'
        rows = list(csv.reader(io.StringIO(en.content.decode("utf-8-sig"))))
        assert rows[0][:7] == [
            "Case number",
            "Reference",
            "Debtor",
            "Status",
            "Principal (NOK)",
            "Paid (NOK)",
            "Balance (NOK)",
        ]
        assert rows[1][3:7] == ["Registered", "1234567.89", "234602.39", "1000000.50"]
        assert rows[1][7] == (date.today() - timedelta(days=31)).isoformat()

        narrowed = await exported(client, kari, language="en", balance_min_ore="1000000")
        lines = list(csv.reader(io.StringIO(narrowed.content.decode("utf-8-sig"))))
        assert [r[0] for r in lines[1:]] == [first["case_number"]]

        refused = await client.get(
            "/api/v1/cases/export", params={"format": "pdf"}, headers=kari.headers
        )
        assert refused.status_code == 422

    async with service.session_factory() as session:
        audited = await session.scalar(
            select(func.count())
            .select_from(personal_data_access)
            .where(
                personal_data_access.c.action == "export_cases",
                personal_data_access.c.actor_id == kari.user_id,
            )
        )
    assert audited == 2 + 2 + 1  # one row per case exported, per export


async def _is(value: Any, expected: tuple[int, int]) -> bool:
    return list((await value).values()) == [expected]


async def test_the_list_exports_as_xlsx_with_money_as_numbers(
    service: CasesService,
    world: dict[str, Caller],  # noqa: F811
) -> None:
    kari = world["kari"]
    async with asgi_client(create_app(service)) as client:
        case = await register(client, kari, claims=principal(123_456_789)["claims"])
        response = await exported(client, kari, format="xlsx", language="nb")
        english = await exported(client, kari, format="xlsx", language="en")
    assert response.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response.headers["content-disposition"] == 'attachment; filename="saker.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:7] == (
        "Saksnummer",
        "Referanse",
        "Skyldner",
        "Status",
        "Hovedstol (kr)",
        "Innbetalt (kr)",
        "Saldo (kr)",
    )
    assert rows[1][:7] == (
        case["case_number"],
        case["creditor_reference"],
        "Kari Nordmann",
        "Registrert",
        1234567.89,
        0,
        1234602.89,
    )
    assert sheet.cell(row=2, column=5).number_format == "#,##0.00"
    assert sheet.cell(row=2, column=8).number_format == "dd.mm.yyyy"
    assert len(rows) == 2
    english_sheet = load_workbook(io.BytesIO(english.content)).active
    assert english_sheet is not None
    assert english_sheet.cell(row=1, column=7).value == "Balance (NOK)"
    assert english_sheet.cell(row=2, column=4).value == "Registered"


async def test_a_repeated_balance_still_outdates_older_statements(
    service: CasesService,
    world: dict[str, Caller],  # noqa: F811
) -> None:
    """A step's event repeats the balance; an older, different statement delivered after
    it must not win (each applied in its own batch)."""
    async with asgi_client(create_app(service)) as client:
        case = await register(client, world["kari"])
    case_id = uuid.UUID(case["case_id"])
    for batch in (
        [StatedBalance(case_id, 50_000, 203_500, T0 + timedelta(minutes=2))],
        [StatedBalance(case_id, 50_000, 203_500, T0 + timedelta(minutes=4))],  # a step's
        [StatedBalance(case_id, 80_000, 173_500, T0 + timedelta(minutes=3))],  # late, older
    ):
        async with service.session_factory() as session:
            await apply_balances(session, batch)
            await session.commit()
    assert await balances(service, [case["case_id"]]) == {case["case_id"]: (50_000, 203_500)}
    async with service.session_factory() as session:
        at = await session.scalar(
            select(cases_table.c.balance_changed_at).where(cases_table.c.id == case_id)
        )
    assert at == T0 + timedelta(minutes=4)
