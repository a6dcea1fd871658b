"""Read side of the cases service: lists, details, batches, unread notes.

Every query takes the caller's ``tenant`` (their organisation, or ``None`` for agency
staff) and filters by it; a case of another organisation is simply not found. Lists use
keyset pagination on an index per sort order, so page 10,000 costs what page 1 does.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, Literal

from servicekit.reads import Prepared, reading
from servicekit.types import BIGINT_MAX
from sqlalchemy import (
    ARRAY,
    Integer,
    Select,
    String,
    Uuid,
    and_,
    any_,
    bindparam,
    exists,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    true,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from cases.adapters import audit
from cases.adapters.orm import (
    batches,
    cases,
    claims,
    creditors,
    note_attachments,
    note_reads,
    notes,
    parties,
    timeline,
)

_ONE_DAY = timedelta(days=1)
SortKey = Literal["registered", "principal", "balance", "due", "case_number", "updated"]
Order = Literal["asc", "desc"]

_SORT_COLUMNS = {
    "registered": cases.c.registered_at,
    "principal": cases.c.principal_total_ore,
    "balance": cases.c.balance_ore,
    "due": cases.c.earliest_due_date,
    "case_number": cases.c.sequence,
    "updated": cases.c.updated_at,
}


class InvalidCursor(ValueError):
    """A cursor that this list did not hand out (or for another sort order)."""


def encode_cursor(sort: str, order: str, value: Any, last_id: uuid.UUID) -> str:
    if isinstance(value, datetime | date):
        value = value.isoformat()
    raw = json.dumps([sort, order, value, str(last_id)], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str, order: str) -> tuple[Any, uuid.UUID]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        got_sort, got_order, value, last_id = json.loads(base64.urlsafe_b64decode(padded))
        if (got_sort, got_order) != (sort, order):
            raise InvalidCursor("the cursor belongs to another sort order")
        if sort in ("registered", "updated"):
            value = datetime.fromisoformat(value)
            if value.tzinfo is None:
                raise ValueError("no time zone")
        elif sort == "due":
            value = date.fromisoformat(value)
        else:
            value = int(value)
            if not -BIGINT_MAX <= value <= BIGINT_MAX:
                raise ValueError("out of range")
        return value, uuid.UUID(str(last_id))
    except InvalidCursor:
        raise
    except (ValueError, TypeError, KeyError) as exc:
        raise InvalidCursor("the cursor is not valid") from exc


@dataclass(frozen=True)
class CaseFilter:
    """What a case list may be narrowed by (all optional)."""

    status: tuple[str, ...] = ()
    registered_from: date | None = None
    registered_to: date | None = None
    principal_min_ore: int | None = None
    principal_max_ore: int | None = None
    balance_min_ore: int | None = None
    balance_max_ore: int | None = None
    due_from: date | None = None
    due_to: date | None = None
    creditor_reference: str | None = None
    case_number: str | None = None
    debtor_words: tuple[str, ...] = ()
    """Words that must each occur somewhere in the debtor's name (see ``name_words``)."""
    text: SearchText | None = None
    """The one search box: a case number, a reference or the words of a name."""
    debtor_national_id_index: str | None = None
    """Blind index of a national id number (the caller computes it)."""
    debtor_organisation_number: str | None = None
    creditor_id: uuid.UUID | None = None
    """Agency staff only: one creditor's cases."""
    batch_id: uuid.UUID | None = None
    case_ids: tuple[uuid.UUID, ...] = ()
    """These cases only (a settlement's or a report's lines, named by their case numbers)."""
    updated_since: datetime | None = None
    """Changed at or after this instant (an integration's sync)."""


MAX_WORDS = 6
"""A name search takes at most this many words (each one more condition on the index)."""

_CASE_NUMBER = re.compile(r"(?:ic[-\s]?)?0*([1-9][0-9]{0,11})", re.IGNORECASE)
_WORD_EDGES = ",.;:()\"'"


class TooManyWords(ValueError):
    """A name search of more than ``MAX_WORDS`` words."""


def name_words(text: str) -> tuple[str, ...]:
    """The distinct lower-cased words of a name search, in order.

    Each word is then found anywhere in the name (``hagen`` finds «Bjørn Hagen» and
    «Hagensen»); Python's ``lower`` and PostgreSQL's agree on «ÆØÅ».
    """
    words: list[str] = []
    for raw in text.lower().split():
        word = raw.strip(_WORD_EDGES)
        if word and word not in words:
            words.append(word)
    if len(words) > MAX_WORDS:
        raise TooManyWords(f"at most {MAX_WORDS} words")
    return tuple(words)


def normal_case_number(text: str) -> str | None:
    """The stored form of a case number given as «IC-0000007», «ic-0000007», «7» or
    «0000007», or ``None`` if ``text`` is not one."""
    match = _CASE_NUMBER.fullmatch(text.strip())
    return f"IC-{int(match.group(1)):07d}" if match else None


@dataclass(frozen=True)
class SearchText:
    """What the one search box may mean: any of these finds the case."""

    case_number: str | None
    reference: str
    """Lower-cased; matched whole."""
    words: tuple[str, ...]


def search_text(text: str) -> SearchText:
    """Read a search box's text (raises ``TooManyWords``). A text that reads as a case
    number is not also looked for in names: no name holds «7», and a digit or two gives
    the trigram index nothing to narrow by."""
    cleaned = text.strip()
    number = normal_case_number(cleaned)
    return SearchText(number, cleaned.lower(), () if number else name_words(cleaned))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _containing(word: str) -> str:
    return f"%{_escape_like(word)}%"


def _bound(tenant: uuid.UUID | None, f: CaseFilter) -> tuple[tuple[str, ...], dict[str, Any]]:
    """The list's conditions by name (the statement's form, :func:`_conditions`) and the
    values they bind (parameters ``f_…``). Two lists with the same conditions share one
    statement, whatever their values."""
    keys: list[str] = []
    values: dict[str, Any] = {}

    def add(key: str, **bound: Any) -> None:
        keys.append(key)
        values.update(bound)

    if tenant is not None:
        add("creditor", f_creditor=tenant)
    elif f.creditor_id is not None:
        add("creditor", f_creditor=f.creditor_id)
    if f.status:
        add("status", f_status=list(f.status))
    if f.registered_from:
        add("registered_from", f_registered_from=f.registered_from)
    if f.registered_to:
        add("registered_to", f_registered_to=f.registered_to + _ONE_DAY)
    if f.principal_min_ore is not None:
        add("principal_min", f_principal_min=f.principal_min_ore)
    if f.principal_max_ore is not None:
        add("principal_max", f_principal_max=f.principal_max_ore)
    if f.balance_min_ore is not None:
        add("balance_min", f_balance_min=f.balance_min_ore)
    if f.balance_max_ore is not None:
        add("balance_max", f_balance_max=f.balance_max_ore)
    if f.due_from:
        add("due_from", f_due_from=f.due_from)
    if f.due_to:
        add("due_to", f_due_to=f.due_to)
    if f.creditor_reference:
        add("reference", f_reference=f.creditor_reference.strip().lower())
    if f.case_number:
        add("case_number", f_case_number=normal_case_number(f.case_number) or f.case_number.strip())
    if f.batch_id:
        add("batch", f_batch=f.batch_id)
    if f.case_ids:
        add("case_ids", f_case_ids=list(f.case_ids))
    if f.updated_since is not None:
        add("updated_since", f_updated_since=f.updated_since)
    if f.debtor_words:
        words = {f"f_word_{i}": _containing(w) for i, w in enumerate(f.debtor_words)}
        add(f"words:{len(words)}", **words)
    if f.text is not None:
        search = f.text
        if not search.reference:
            add("nothing")
        else:
            text_words = {f"f_text_word_{i}": _containing(w) for i, w in enumerate(search.words)}
            number = {"f_text_number": search.case_number} if search.case_number else {}
            add(
                f"text:{len(text_words)}:{int(bool(number))}",
                f_text_reference=search.reference,
                **number,
                **text_words,
            )
    if f.debtor_national_id_index:
        add("debtor_national_id", f_debtor_national_id=f.debtor_national_id_index)
    if f.debtor_organisation_number:
        add("debtor_organisation_number", f_debtor_organisation=f.debtor_organisation_number)
    return tuple(keys), values


def _param(name: str, column: Any) -> Any:
    return bindparam(name, type_=column.type)


def _name_has(prefix: str, count: int) -> Any:
    name = func.lower(cases.c.debtor_name)
    return and_(
        *(name.like(bindparam(f"{prefix}{i}", type_=String), escape="\\") for i in range(count))
    )


_CONDITIONS: dict[str, Any] = {
    "creditor": lambda: cases.c.creditor_id == _param("f_creditor", cases.c.creditor_id),
    "status": lambda: cases.c.status == any_(bindparam("f_status", type_=ARRAY(String))),
    "registered_from": lambda: cases.c.registered_at >= bindparam("f_registered_from"),
    "registered_to": lambda: cases.c.registered_at < bindparam("f_registered_to"),
    "principal_min": lambda: cases.c.principal_total_ore >= bindparam("f_principal_min"),
    "principal_max": lambda: cases.c.principal_total_ore <= bindparam("f_principal_max"),
    "balance_min": lambda: cases.c.balance_ore >= bindparam("f_balance_min"),
    "balance_max": lambda: cases.c.balance_ore <= bindparam("f_balance_max"),
    "due_from": lambda: cases.c.earliest_due_date >= bindparam("f_due_from"),
    "due_to": lambda: cases.c.earliest_due_date <= bindparam("f_due_to"),
    "reference": lambda: (
        func.lower(cases.c.creditor_reference) == bindparam("f_reference", type_=String)
    ),
    "case_number": lambda: cases.c.case_number == bindparam("f_case_number"),
    "batch": lambda: cases.c.batch_id == _param("f_batch", cases.c.batch_id),
    "case_ids": lambda: cases.c.id == any_(bindparam("f_case_ids", type_=ARRAY(Uuid))),
    "updated_since": lambda: cases.c.updated_at >= bindparam("f_updated_since"),
    "nothing": false,
}


def _text_matches(words: int, number: bool) -> Any:
    reference = func.lower(cases.c.creditor_reference) == bindparam(
        "f_text_reference", type_=String
    )
    either = [reference]
    if number:
        either.append(cases.c.case_number == bindparam("f_text_number", type_=String))
    if words:
        either.append(_name_has("f_text_word_", words))
    return or_(*either)


def _conditions(keys: tuple[str, ...]) -> list[Any]:
    """The conditions :func:`_bound` named, with their values as parameters."""
    conditions: list[Any] = []
    debtor: list[Any] = []
    for key in keys:
        kind, _, arguments = key.partition(":")
        if kind == "words":
            conditions.append(_name_has("f_word_", int(arguments)))
        elif kind == "text":
            words, number = arguments.split(":")
            conditions.append(_text_matches(int(words), number == "1"))
        elif kind == "debtor_national_id":
            debtor.append(parties.c.national_id_index == bindparam("f_debtor_national_id"))
        elif kind == "debtor_organisation_number":
            debtor.append(parties.c.organisation_number == bindparam("f_debtor_organisation"))
        else:
            conditions.append(_CONDITIONS[kind]())
    if debtor:
        conditions.append(
            exists().where(parties.c.case_id == cases.c.id, parties.c.role == "debtor", *debtor)
        )
    return conditions


def _filtered(query: Select[Any], tenant: uuid.UUID | None, f: CaseFilter) -> Select[Any]:
    keys, values = _bound(tenant, f)
    return query.where(*_conditions(keys)).params(values)


_SUMMARY_COLUMNS = (
    cases.c.id.label("case_id"),
    cases.c.case_number,
    cases.c.kid,
    cases.c.creditor_id,
    cases.c.creditor_reference,
    cases.c.status,
    cases.c.closed_reason,
    cases.c.debtor_kind,
    cases.c.principal_total_ore,
    cases.c.balance_ore,
    cases.c.paid_ore,
    cases.c.balance_changed_at,
    cases.c.claim_count,
    cases.c.earliest_due_date,
    cases.c.deadline,
    cases.c.registered_at,
    cases.c.status_since,
    cases.c.updated_at,
)


def _page_query(keys: tuple[str, ...], sort: SortKey, order: Order, after: bool) -> Select[Any]:
    """A page of the list in its order: ``page_rows``, one row more than the page (to know
    whether a next page exists), after the position ``after_value``/``after_id`` if
    ``after``; the sort key as ``_sort`` (for the next cursor)."""
    column = _SORT_COLUMNS[sort]
    query = select(*_SUMMARY_COLUMNS, cases.c.debtor_name, column.label("_sort")).where(
        *_conditions(keys)
    )
    if after:
        position = tuple_(column, cases.c.id)
        bound = tuple_(_param("after_value", column), _param("after_id", cases.c.id))
        query = query.where(position < bound if order == "desc" else position > bound)
    ordering = (column.desc(), cases.c.id.desc()) if order == "desc" else (column, cases.c.id)
    return query.order_by(*ordering).limit(bindparam("page_rows", type_=Integer))


def _page_values(sort: SortKey, order: Order, limit: int, cursor: str | None) -> dict[str, Any]:
    values: dict[str, Any] = {"page_limit": limit, "page_rows": limit + 1}
    if cursor:
        values["after_value"], values["after_id"] = decode_cursor(cursor, sort, order)
    return values


def _next_cursor(
    sort: SortKey, order: Order, limit: int, rows: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], str | None]:
    """The page without the row beyond it, and the cursor of the next page (if any)."""
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    return rows, encode_cursor(sort, order, last["_sort"], last["case_id"])


async def list_cases(
    session: AsyncSession,
    tenant: uuid.UUID | None,
    f: CaseFilter,
    *,
    sort: SortKey = "registered",
    order: Order = "desc",
    limit: int = 50,
    cursor: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of cases and the cursor of the next (``None`` on the last page).

    A name search is left to the planner: a common word is found by walking the sort
    index and testing each name, a rare one through the trigram index and a sort
    (bench/cases_queries.py measures both). The API reads a page with its total and its
    audit in one statement (:func:`case_page`).
    """
    keys, values = _bound(tenant, f)
    values.update(_page_values(sort, order, limit, cursor))
    query = _page_query(keys, sort, order, cursor is not None and cursor != "")
    rows = [dict(r) for r in (await session.execute(query, values)).mappings()]
    rows, next_cursor = _next_cursor(sort, order, limit, rows)
    for row in rows:
        row.pop("_sort")
    return rows, next_cursor


COUNT_CAP = 10_000
"""A list's total is counted exactly up to this many cases; beyond, it is «more than»
(ADR 0055): counting stops there, so a count costs at most this many index entries."""


@dataclass(frozen=True)
class Total:
    """How many cases a filtered list holds: exact, or at least ``count`` (capped)."""

    count: int
    exact: bool


def _capped_count(keys: tuple[str, ...]) -> Select[Any]:
    capped: Select[Any] = select(literal_column("1")).where(*_conditions(keys)).limit(COUNT_CAP + 1)
    return select(func.count().label("total")).select_from(capped.subquery("capped"))


async def count_cases(session: AsyncSession, tenant: uuid.UUID | None, f: CaseFilter) -> Total:
    """The number of cases the filters find, exact up to :data:`COUNT_CAP`."""
    keys, values = _bound(tenant, f)
    found = int((await session.execute(_capped_count(keys), values)).scalar_one())
    return Total(min(found, COUNT_CAP), found <= COUNT_CAP)


@dataclass(frozen=True)
class CasePageRows:
    """A page of the list as :func:`case_page` read it."""

    rows: list[dict[str, Any]]
    """The cases (``_sort`` and ``total`` columns included: a schema ignores them)."""
    next_cursor: str | None
    total: Total


@lru_cache(maxsize=512)
def _case_page_statement(
    keys: tuple[str, ...], sort: SortKey, order: Order, after: bool, dialect: Any
) -> Prepared:
    """The page, its capped total and its audit in one statement, compiled once per form
    of the list (which conditions, sort, order, whether after a cursor)."""
    page = _page_query(keys, sort, order, after).cte("page")
    in_order = (
        (page.c._sort.desc(), page.c.case_id.desc())
        if order == "desc"
        else (page.c._sort, page.c.case_id)
    )
    page_limit = bindparam("page_limit", type_=Integer)
    answered = select(page.c.case_id).order_by(*in_order).limit(page_limit)
    total = _capped_count(keys).subquery("total")
    statement = (
        select(total.c.total, *(c for c in page.c))
        .select_from(total.outerjoin(page, true()))
        .order_by(*in_order)
        .add_cte(audit.recorded(answered.subquery("answered")))
    )
    return Prepared(statement, dialect)


async def case_page(
    engine: AsyncEngine,
    tenant: uuid.UUID | None,
    f: CaseFilter,
    *,
    sort: SortKey,
    order: Order,
    limit: int,
    cursor: str | None,
    reader: dict[str, Any],
) -> CasePageRows:
    """One page of the list, its total (:func:`count_cases`) and the audit of the cases it
    shows (``reader``: :func:`cases.adapters.audit.reader`), in one statement: one round
    trip, its own transaction (servicekit ``reads``). ``InvalidCursor`` for a bad cursor."""
    keys, values = _bound(tenant, f)
    values.update(_page_values(sort, order, limit, cursor))
    values.update(reader)
    statement = _case_page_statement(keys, sort, order, bool(cursor), engine.dialect)
    async with reading(engine) as read:
        records = await read.fetch(statement, values)
    found = records[0]["total"]
    rows = [dict(r) for r in records if r["case_id"] is not None]
    rows, next_cursor = _next_cursor(sort, order, limit, rows)
    return CasePageRows(rows, next_cursor, Total(min(found, COUNT_CAP), found <= COUNT_CAP))


def export_query(
    tenant: uuid.UUID | None, f: CaseFilter, *, sort: SortKey, order: Order
) -> Select[Any]:
    """Every case the filters find, in the list's order (for a streamed export)."""
    column = _SORT_COLUMNS[sort]
    query = _filtered(select(*_SUMMARY_COLUMNS, cases.c.debtor_name), tenant, f)
    if order == "desc":
        return query.order_by(column.desc(), cases.c.id.desc())
    return query.order_by(column.asc(), cases.c.id.asc())


async def portfolio_summary(
    session: AsyncSession, tenant: uuid.UUID | None, *, since: datetime
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Cases and principal per status, and cases registered per month (Oslo) from ``since``."""
    by_status = select(
        cases.c.status,
        func.count().label("cases"),
        func.coalesce(func.sum(cases.c.principal_total_ore), 0).label("principal_total_ore"),
    ).group_by(cases.c.status)
    month = func.date_trunc("month", func.timezone("Europe/Oslo", cases.c.registered_at))
    per_month = (
        select(month.label("month"), func.count().label("cases"))
        .where(cases.c.registered_at >= since)
        .group_by(month)
        .order_by(month)
    )
    if tenant is not None:
        by_status = by_status.where(cases.c.creditor_id == tenant)
        per_month = per_month.where(cases.c.creditor_id == tenant)
    statuses = [dict(r) for r in (await session.execute(by_status)).mappings()]
    months = [
        {"month": r["month"].date(), "cases": r["cases"]}
        for r in (await session.execute(per_month)).mappings()
    ]
    return statuses, months


def mask_national_id(national_id: str) -> str:
    """``ddmmyy*****``: enough to recognise a person, not enough to impersonate them."""
    return national_id[:6] + "*****"


async def case_row(
    session: AsyncSession, tenant: uuid.UUID | None, case_id: uuid.UUID
) -> dict[str, Any] | None:
    """The case itself (no parties, claims or notes), if the caller may see it."""
    query = select(
        *_SUMMARY_COLUMNS,
        cases.c.debtor_name,
        cases.c.rule_set,
        cases.c.next_step_on,
        cases.c.needs_attention,
        cases.c.limitation_date,
        cases.c.batch_id,
    ).where(cases.c.id == case_id)
    if tenant is not None:
        query = query.where(cases.c.creditor_id == tenant)
    row = (await session.execute(query)).mappings().first()
    return dict(row) if row else None


async def debtor(session: AsyncSession, case_id: uuid.UUID) -> dict[str, Any]:
    row = (
        (
            await session.execute(
                select(parties).where(parties.c.case_id == case_id, parties.c.role == "debtor")
            )
        )
        .mappings()
        .one()
    )
    return dict(row)


async def case_claims(session: AsyncSession, case_id: uuid.UUID) -> list[dict[str, Any]]:
    query = (
        select(claims.c.id.label("claim_id"), claims)
        .where(claims.c.case_id == case_id)
        .order_by(claims.c.position)
    )
    return [dict(r) for r in (await session.execute(query)).mappings()]


async def case_timeline(session: AsyncSession, case_id: uuid.UUID) -> list[dict[str, Any]]:
    query = select(timeline).where(timeline.c.case_id == case_id).order_by(timeline.c.id)
    return [dict(r) for r in (await session.execute(query)).mappings()]


def _visible_notes(agency: bool) -> Any:
    return literal(True) if agency else notes.c.visibility == "shared"


def _from_the_other_side(agency: bool) -> Any:
    return notes.c.author_side == ("creditor" if agency else "agency")


async def case_notes(
    session: AsyncSession, case_id: uuid.UUID, *, user_id: uuid.UUID, agency: bool
) -> list[dict[str, Any]]:
    """The notes the caller may read, oldest first, each marked unread or not."""
    last_read = (
        select(note_reads.c.last_read_seq)
        .where(note_reads.c.user_id == user_id, note_reads.c.case_id == case_id)
        .scalar_subquery()
    )
    query = (
        select(
            notes.c.id.label("note_id"),
            notes.c.seq,
            notes.c.author_id,
            notes.c.author_side,
            notes.c.visibility,
            notes.c.body,
            notes.c.created_at,
            and_(_from_the_other_side(agency), notes.c.seq > func.coalesce(last_read, 0)).label(
                "unread"
            ),
        )
        .where(notes.c.case_id == case_id, _visible_notes(agency))
        .order_by(notes.c.seq)
    )
    rows = [dict(r) for r in (await session.execute(query)).mappings()]
    files = await _note_attachments(session, case_id)
    for row in rows:
        row["attachments"] = files.get(row["note_id"], [])
    return rows


async def _note_attachments(
    session: AsyncSession, case_id: uuid.UUID
) -> dict[uuid.UUID, list[dict[str, Any]]]:
    """The files on a case's notes (never their bytes), per note, oldest first."""
    query = (
        select(
            note_attachments.c.id.label("attachment_id"),
            note_attachments.c.note_id,
            note_attachments.c.filename,
            note_attachments.c.media_type,
            note_attachments.c.size_bytes,
            note_attachments.c.status,
            note_attachments.c.created_at,
        )
        .where(note_attachments.c.case_id == case_id)
        .order_by(note_attachments.c.created_at, note_attachments.c.id)
    )
    per_note: dict[uuid.UUID, list[dict[str, Any]]] = {}
    for r in (await session.execute(query)).mappings():
        per_note.setdefault(r["note_id"], []).append(dict(r))
    return per_note


async def notes_feed(
    session: AsyncSession,
    tenant: uuid.UUID | None,
    *,
    agency: bool,
    updated_since: datetime | None,
    after: int | None,
    limit: int,
) -> list[dict[str, Any]]:
    """The notes the caller may read across its cases, oldest first by ``seq`` (keyset:
    ``after`` a seq). Notes never change, so ``updated_since`` is their creation time."""
    query = select(
        notes.c.id.label("note_id"),
        notes.c.case_id,
        notes.c.seq,
        notes.c.author_id,
        notes.c.author_side,
        notes.c.visibility,
        notes.c.body,
        notes.c.created_at,
    ).where(_visible_notes(agency))
    if tenant is not None:
        query = query.where(notes.c.creditor_id == tenant)
    if updated_since is not None:
        query = query.where(notes.c.created_at >= updated_since)
    if after is not None:
        query = query.where(notes.c.seq > after)
    query = query.order_by(notes.c.seq).limit(limit)
    return [dict(r) for r in (await session.execute(query)).mappings()]


async def unread_notes(
    session: AsyncSession, tenant: uuid.UUID | None, user_id: uuid.UUID, *, limit: int = 50
) -> tuple[int, list[dict[str, Any]]]:
    """Notes written to the caller's side that the caller has not read, per case."""
    agency = tenant is None
    read = note_reads.alias("r")
    query = (
        select(notes.c.case_id, func.count().label("unread"))
        .select_from(
            notes.outerjoin(
                read, and_(read.c.user_id == user_id, read.c.case_id == notes.c.case_id)
            )
        )
        .where(
            _from_the_other_side(agency),
            notes.c.visibility == "shared",
            notes.c.seq > func.coalesce(read.c.last_read_seq, 0),
        )
        .group_by(notes.c.case_id)
    )
    if tenant is not None:
        query = query.where(notes.c.creditor_id == tenant)
    per_case = query.subquery()
    rows = (
        await session.execute(
            select(per_case.c.case_id, cases.c.case_number, per_case.c.unread)
            .join(cases, cases.c.id == per_case.c.case_id)
            .order_by(per_case.c.unread.desc(), cases.c.case_number)
        )
    ).mappings()
    found = [dict(r) for r in rows]
    return sum(r["unread"] for r in found), found[:limit]


# -- batches -------------------------------------------------------------------------------

_BATCH_COLUMNS = (
    batches.c.id.label("batch_id"),
    batches.c.batch_number,
    batches.c.creditor_id,
    batches.c.channel,
    batches.c.status,
    batches.c.case_count,
    batches.c.claim_count,
    batches.c.principal_total_ore,
    batches.c.rejected_count,
    batches.c.created_at,
    batches.c.registered_at,
)


async def list_batches(
    session: AsyncSession, tenant: uuid.UUID | None, *, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    query = select(*_BATCH_COLUMNS)
    if tenant is not None:
        query = query.where(batches.c.creditor_id == tenant)
    if cursor:
        value, last_id = decode_cursor(cursor, "registered", "desc")
        query = query.where(
            tuple_(batches.c.created_at, batches.c.id) < tuple_(literal(value), literal(last_id))
        )
    query = query.order_by(batches.c.created_at.desc(), batches.c.id.desc()).limit(limit + 1)
    rows = [dict(r) for r in (await session.execute(query)).mappings()]
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(
            "registered", "desc", rows[-1]["created_at"], rows[-1]["batch_id"]
        )
    return rows, next_cursor


async def batch(
    session: AsyncSession, tenant: uuid.UUID | None, batch_id: uuid.UUID
) -> dict[str, Any] | None:
    query = select(*_BATCH_COLUMNS).where(batches.c.id == batch_id)
    if tenant is not None:
        query = query.where(batches.c.creditor_id == tenant)
    row = (await session.execute(query)).mappings().first()
    return dict(row) if row else None


async def batch_cases(
    session: AsyncSession, batch_id: uuid.UUID, *, limit: int, after: int | None
) -> tuple[list[dict[str, Any]], int | None]:
    """The cases of a batch in registration order; ``after`` is the last sequence seen."""
    query = select(
        cases.c.id.label("case_id"),
        cases.c.sequence,
        cases.c.case_number,
        cases.c.kid,
        cases.c.creditor_reference,
        cases.c.principal_total_ore,
        cases.c.claim_count,
    ).where(cases.c.batch_id == batch_id)
    if after is not None:
        query = query.where(cases.c.sequence > after)
    rows = [
        dict(r)
        for r in (
            await session.execute(query.order_by(cases.c.sequence).limit(limit + 1))
        ).mappings()
    ]
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1]["sequence"] if more else None)


async def creditor(
    session_factory: async_sessionmaker[AsyncSession], organisation_id: uuid.UUID
) -> dict[str, Any] | None:
    async with session_factory() as session:
        row = (
            (
                await session.execute(
                    select(creditors).where(creditors.c.organisation_id == organisation_id)
                )
            )
            .mappings()
            .first()
        )
    return dict(row) if row else None
