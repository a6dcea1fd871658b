"""The retention purge on its own database (it deletes by date, so it must not see the
other tests' documents): documents are kept 5 years from the end of their accounting year,
to the day, with a movable clock; deletion is refused to anyone but the purge, and audited."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from reports.adapters.document_store import DocumentStore
from reports.adapters.orm import (
    cases,
    document_counters,
    document_purges,
    documents,
    letter_dispatches,
    report_runs,
    settlement_lines,
    settlements,
)
from reports.adapters.projections import ProjectionStore
from reports.bootstrap import ReportsService, bootstrap
from reports.entrypoints import cli
from reports.service_layer import handlers
from reports.service_layer.issuing import Issuer, issue_settlement_statement
from reports.service_layer.purge import purge
from reports.settings import ReportsSettings
from servicekit.testing import infra
from sqlalchemy import delete, select, text
from sqlalchemy.exc import DBAPIError

from .conftest import ALEMBIC_INI
from .events import Batch, line, organisation, settlement

pytestmark = pytest.mark.integration

# The last minute of 2026 and the first of 2027 in Oslo (UTC+1 in winter).
LAST_OF_2026 = datetime(2026, 12, 31, 22, 59, tzinfo=UTC)
FIRST_OF_2027 = datetime(2026, 12, 31, 23, 1, tzinfo=UTC)


@pytest.fixture
async def service(infrastructure: None) -> AsyncIterator[ReportsService]:
    name = infra.run_database_name(f"reports_purge_{uuid.uuid4().hex[:6]}")
    url = await infra.create_migrated_database(name, ALEMBIC_INI)
    service = bootstrap(ReportsSettings(environment="test", database_url=url))
    try:
        yield service
    finally:
        await service.close()
        await infra.drop_database(name)


@dataclass
class Issued:
    statement_2026: uuid.UUID
    statement_2027: uuid.UUID
    original_2025: uuid.UUID
    correction_2027: uuid.UUID
    settlement_2026: uuid.UUID
    closed_case: uuid.UUID
    open_case: uuid.UUID


def _document(
    creditor: uuid.UUID, source: uuid.UUID, number: str, issued_at: datetime,
    replaces: uuid.UUID | None = None,
) -> dict[str, object]:  # fmt: skip
    content = f"%PDF-1.7 {number}".encode()
    return {
        "document_id": uuid.uuid4(),
        "organisation_id": creditor,
        "kind": "settlement_statement",
        "source_id": source,
        "number": number,
        "issued_at": issued_at,
        "media_type": "application/pdf",
        "file_name": f"{number}.pdf",
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        "content": content,
        "replaces_document_id": replaces,
    }


async def _issue(service: ReportsService) -> Issued:
    creditor = organisation().organisation_id
    batch = Batch(creditor)
    closed, still_open = batch.case(100_000, "Kari Nordmann"), batch.case(200_000, "Ola")
    paid = settlement(creditor, [line(closed, principal=100_000)])  # completed in March 2026
    docs = [
        _document(creditor, paid.settlement_id, "AVR-2026-000001", LAST_OF_2026),
        _document(creditor, uuid.uuid4(), "AVR-2027-000001", FIRST_OF_2027),
        _document(creditor, uuid.uuid4(), "AVR-2025-000001", datetime(2025, 5, 1, tzinfo=UTC)),
    ]
    docs.append(
        _document(creditor, docs[2]["source_id"], "AVR-2027-000002",  # type: ignore[arg-type]
                  datetime(2027, 2, 1, tzinfo=UTC), replaces=docs[2]["document_id"])  # type: ignore[arg-type]
    )  # fmt: skip
    async with service.session_factory() as session, session.begin():
        store = ProjectionStore(session)
        await store.add_cases([handlers.case_row(closed), handlers.case_row(still_open)])
        await store.close_cases([(closed.case_id, date(2026, 6, 1), "paid")])
        await store.add_settlement(*handlers.settlement_rows(paid))
        await session.execute(documents.insert(), docs)
    ids = [d["document_id"] for d in docs]
    return Issued(*ids, paid.settlement_id, closed.case_id, still_open.case_id)  # type: ignore[arg-type]


async def _left(service: ReportsService) -> set[uuid.UUID]:
    async with service.session_factory() as session:
        return set((await session.execute(select(documents.c.document_id))).scalars())


async def test_kept_through_the_fifth_year_after_the_accounting_year_purged_the_day_after(
    service: ReportsService,
) -> None:
    issued = await _issue(service)
    everything = await _left(service)

    # the day before 2026's limit and the limit day itself: nothing goes (2025's original is
    # past retention on both, but its correction, issued in 2027, keeps it)
    for day in (date(2031, 12, 30), date(2031, 12, 31)):
        assert (await purge(service.session_factory, day)).documents == 0
        assert await _left(service) == everything

    result = await purge(service.session_factory, date(2032, 1, 1))
    assert result.documents == 1
    assert await _left(service) == everything - {issued.statement_2026}
    async with service.session_factory() as session:
        audit = (await session.execute(select(document_purges))).one()
        assert audit.document_id == issued.statement_2026
        assert audit.number == "AVR-2026-000001"
        assert audit.retained_until == date(2031, 12, 31)
        assert audit.purged_on == date(2032, 1, 1)
        assert await session.scalar(
            select(settlements.c.settlement_id).where(
                settlements.c.settlement_id == issued.settlement_2026
            )
        ) is None  # fmt: skip
        assert not (
            await session.execute(
                select(settlement_lines).where(
                    settlement_lines.c.settlement_id == issued.settlement_2026
                )
            )
        ).all()
        left_cases = set((await session.execute(select(cases.c.case_id))).scalars())
        assert left_cases == {issued.open_case}

    # 2027's documents, the correction and the original it names, go together a year later
    assert (await purge(service.session_factory, date(2032, 12, 31))).documents == 0
    assert (await purge(service.session_factory, date(2033, 1, 1))).documents == 3
    assert await _left(service) == set()


async def test_only_the_purge_deletes_a_document_and_its_audit_is_append_only(
    service: ReportsService,
) -> None:
    issued = await _issue(service)
    with pytest.raises(DBAPIError, match="only by the retention purge"):
        async with service.session_factory() as session, session.begin():
            await session.execute(
                delete(documents).where(documents.c.document_id == issued.statement_2027)
            )
    with pytest.raises(DBAPIError, match="is immutable"):
        async with service.session_factory() as session, session.begin():
            await session.execute(text("TRUNCATE documents CASCADE"))
    await purge(service.session_factory, date(2032, 1, 1))
    with pytest.raises(DBAPIError, match="is immutable"):
        async with service.session_factory() as session, session.begin():
            await session.execute(delete(document_purges))
    # the purge's setting ends with its transaction
    with pytest.raises(DBAPIError, match="only by the retention purge"):
        async with service.session_factory() as session, session.begin():
            await session.execute(delete(documents))


async def test_the_cli_refuses_a_purge_day_in_the_future(
    service: ReportsService, capsys: pytest.CaptureFixture[str]
) -> None:
    await _issue(service)
    assert await cli.run(service, ["purge", "--today", "2999-01-01"]) == 2
    assert len(await _left(service)) == 4
    assert await cli.run(service, ["purge"]) == 0
    assert "0 document(s)" in capsys.readouterr().out


class MustNotRender:
    """A renderer and clock that fail the test if anything is issued."""

    def __getattr__(self, name: str) -> object:
        raise AssertionError(f"nothing may be issued ({name})")


async def test_a_replayed_settlement_whose_statement_was_purged_issues_nothing(
    service: ReportsService,
) -> None:
    issued = await _issue(service)
    await purge(service.session_factory, date(2032, 1, 1))
    creditor = organisation().organisation_id
    replayed = settlement(creditor, [])
    replayed = replayed.model_copy(update={"settlement_id": issued.settlement_2026})
    async with service.session_factory() as session, session.begin():
        await ProjectionStore(session).add_settlement(*handlers.settlement_rows(replayed))
        answer = await issue_settlement_statement(
            ProjectionStore(session),
            DocumentStore(session),
            Issuer(renderer=MustNotRender(), clock=MustNotRender()),  # type: ignore[arg-type]
            issued.settlement_2026,
        )
    assert answer == issued.statement_2026  # the purged statement, not a new one
    async with service.session_factory() as session:
        sources = (await session.execute(select(documents.c.source_id))).scalars().all()
        counters = (await session.execute(select(document_counters))).all()
    assert issued.settlement_2026 not in sources
    assert counters == []  # no number taken


async def test_a_letter_the_post_has_not_taken_is_kept_and_a_run_lets_go_of_its_file(
    service: ReportsService,
) -> None:
    creditor, case_id = uuid.uuid4(), uuid.uuid4()
    old = datetime(2025, 5, 1, tzinfo=UTC)
    sent = {**_document(creditor, uuid.uuid4(), "C-IV-20250501", old), "kind": "debtor_letter"}
    waiting = {**_document(creditor, uuid.uuid4(), "C-BO-20250520", old), "kind": "debtor_letter"}
    run_file = {**_document(creditor, uuid.uuid4(), "RUN-2025-1", old), "kind": "report_run"}
    run_id = uuid.uuid4()
    async with service.session_factory() as session, session.begin():
        await session.execute(documents.insert(), [sent, waiting, run_file])
        await session.execute(
            letter_dispatches.insert(),
            [
                {"letter_id": uuid.uuid4(), "document_id": sent["document_id"], "case_id": case_id,
                 "kind": "inkassovarsel", "sent_at": old, "recipient": None},
                {"letter_id": uuid.uuid4(), "document_id": waiting["document_id"],
                 "case_id": case_id, "kind": "betalingsoppfordring", "sent_at": None,
                 "recipient": {"name": "x"}},
            ],
        )  # fmt: skip
        await session.execute(
            report_runs.insert().values(
                run_id=run_id, organisation_id=creditor, report="saksliste", filters={},
                columns=[], format="csv", status="done", document_id=run_file["document_id"],
            )
        )  # fmt: skip

    result = await purge(service.session_factory, date(2031, 1, 1))

    assert result.documents == 2
    assert await _left(service) == {waiting["document_id"]}  # the post has not taken it
    async with service.session_factory() as session:
        dispatches = set((await session.execute(select(letter_dispatches.c.document_id))).scalars())
        run_document = await session.scalar(
            select(report_runs.c.document_id).where(report_runs.c.run_id == run_id)
        )
    assert dispatches == {waiting["document_id"]}
    assert run_document is None  # the run stays in the history, its file is gone
