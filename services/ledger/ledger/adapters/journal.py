"""The journal in PostgreSQL: booking entries into the hash chain, and reading balances.

Entries are collected during a unit of work and booked by :meth:`Journal.flush` just
before the commit: it takes the chain lock (a transaction-scoped advisory lock), reads
the head of the chain, hashes the new entries in order and writes them and their postings
with one statement each. The lock is the last one a transaction takes (case rows are
locked before), so writers never wait on each other in a cycle; it is held from the flush
to the commit only.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import BigInteger, Date, DateTime, String, Uuid

from ledger.domain.journal import (
    GENESIS_HASH,
    Account,
    ChainedEntry,
    JournalEntry,
    Posting,
    chain_hash,
)

CHAIN_LOCK = 0x1ED6E7
"""The advisory lock key that serialises appends to the hash chain."""

_HEAD = text("SELECT seq, hash FROM journal_entries ORDER BY seq DESC LIMIT 1")

_INSERT_ENTRIES = text(
    """
    INSERT INTO journal_entries (entry_id, seq, kind, effective_date, recorded_at, case_id,
                                 creditor_id, natural_key, reverses, metadata, prev_hash, hash)
    SELECT e.entry_id, e.seq, e.kind, e.effective_date, :recorded_at, e.case_id,
           e.creditor_id, e.natural_key, e.reverses, e.metadata::jsonb,
           decode(e.prev_hash, 'hex'), decode(e.hash, 'hex')
      FROM unnest(:entry_id, :seq, :kind, :effective_date, :case_id, :creditor_id,
                  :natural_key, :reverses, :metadata, :prev_hash, :hash)
        AS e(entry_id, seq, kind, effective_date, case_id, creditor_id, natural_key,
             reverses, metadata, prev_hash, hash)
    """
).bindparams(
    bindparam("entry_id", type_=ARRAY(Uuid)),
    bindparam("seq", type_=ARRAY(BigInteger)),
    bindparam("kind", type_=ARRAY(String)),
    bindparam("effective_date", type_=ARRAY(Date)),
    bindparam("recorded_at", type_=DateTime(timezone=True)),
    bindparam("case_id", type_=ARRAY(Uuid)),
    bindparam("creditor_id", type_=ARRAY(Uuid)),
    bindparam("natural_key", type_=ARRAY(String)),
    bindparam("reverses", type_=ARRAY(Uuid)),
    bindparam("metadata", type_=ARRAY(String)),
    bindparam("prev_hash", type_=ARRAY(String)),
    bindparam("hash", type_=ARRAY(String)),
)

_INSERT_POSTINGS = text(
    """
    INSERT INTO postings (entry_id, account_kind, holder, amount_ore, currency)
    SELECT * FROM unnest(:entry_id, :account_kind, :holder, :amount_ore, :currency)
    """
).bindparams(
    bindparam("entry_id", type_=ARRAY(Uuid)),
    bindparam("account_kind", type_=ARRAY(String)),
    bindparam("holder", type_=ARRAY(Uuid)),
    bindparam("amount_ore", type_=ARRAY(BigInteger)),
    bindparam("currency", type_=ARRAY(String)),
)


_JSON = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=str)


def _json(value: Any) -> str:
    return _JSON.encode(value)


class Journal:
    """Entries of one transaction, booked into the chain at :meth:`flush`."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._pending: list[JournalEntry] = []
        self._pending_cases: set[uuid.UUID | None] = set()

    def add(self, entry: JournalEntry) -> JournalEntry:
        self._pending.append(entry)
        self._pending_cases.add(entry.case_id)
        return entry

    def extend(self, entries: Iterable[JournalEntry]) -> None:
        for entry in entries:
            self.add(entry)

    @property
    def pending(self) -> Sequence[JournalEntry]:
        return tuple(self._pending)

    def has_pending(self, case_id: uuid.UUID) -> bool:
        """Whether an entry of the case waits to be booked."""
        return case_id in self._pending_cases

    async def flush(self) -> int:
        """Book the collected entries (chain lock, hashes, two statements); their count."""
        entries, self._pending = self._pending, []
        self._pending_cases = set()
        if not entries:
            return 0
        session = self.session
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})
        head = (await session.execute(_HEAD)).first()
        seq, previous = (int(head[0]), bytes(head[1])) if head else (0, GENESIS_HASH)
        recorded_at = datetime.now(UTC)
        columns: dict[str, list[Any]] = {
            name: []
            for name in (
                "entry_id", "seq", "kind", "effective_date", "case_id", "creditor_id",
                "natural_key", "reverses", "metadata", "prev_hash", "hash",
            )
        }  # fmt: skip
        legs: dict[str, list[Any]] = {
            name: [] for name in ("entry_id", "account_kind", "holder", "amount_ore", "currency")
        }
        for entry in entries:
            seq += 1
            metadata = entry.metadata  # JSON-native values: stored and hashed alike
            chained = ChainedEntry(
                seq=seq,
                entry_id=entry.entry_id,
                kind=entry.kind,
                effective_date=entry.effective_date,
                recorded_at=recorded_at,
                case_id=entry.case_id,
                creditor_id=entry.creditor_id,
                natural_key=entry.natural_key,
                reverses=entry.reverses,
                metadata=metadata,
                postings=[(p.account.code, p.amount_ore, p.currency) for p in entry.postings],
            )
            digest = chain_hash(previous, chained)
            for name, value in (
                ("entry_id", entry.entry_id),
                ("seq", seq),
                ("kind", entry.kind),
                ("effective_date", entry.effective_date),
                ("case_id", entry.case_id),
                ("creditor_id", entry.creditor_id),
                ("natural_key", entry.natural_key),
                ("reverses", entry.reverses),
                ("metadata", _json(metadata)),
                ("prev_hash", previous.hex()),
                ("hash", digest.hex()),
            ):
                columns[name].append(value)
            for posting in entry.postings:
                legs["entry_id"].append(entry.entry_id)
                legs["account_kind"].append(posting.account.kind)
                legs["holder"].append(posting.account.holder)
                legs["amount_ore"].append(posting.amount_ore)
                legs["currency"].append(posting.currency)
            previous = digest
        await session.execute(_INSERT_ENTRIES, {**columns, "recorded_at": recorded_at})
        await session.execute(_INSERT_POSTINGS, legs)
        return len(entries)


async def existing_natural_keys(session: AsyncSession, keys: Sequence[str]) -> set[str]:
    """Which of ``keys`` are already booked."""
    if not keys:
        return set()
    result = await session.execute(
        text("SELECT natural_key FROM journal_entries WHERE natural_key = ANY(:keys)").bindparams(
            bindparam("keys", type_=ARRAY(String))
        ),
        {"keys": list(keys)},
    )
    return set(result.scalars())


_TO_UNDO = text(
    """
    SELECT e.entry_id, e.kind, e.effective_date, e.case_id, e.creditor_id, e.natural_key,
           e.reverses, e.metadata,
           array_agg(p.account_kind ORDER BY p.id) AS kinds,
           array_agg(p.holder ORDER BY p.id) AS holders,
           array_agg(p.amount_ore ORDER BY p.id) AS amounts,
           array_agg(p.currency ORDER BY p.id) AS currencies
      FROM journal_entries e JOIN postings p ON p.entry_id = e.entry_id
     WHERE e.case_id = :case_id AND e.effective_date >= :on AND e.kind = ANY(:kinds)
       AND NOT EXISTS (SELECT 1 FROM journal_entries r WHERE r.reverses = e.entry_id)
       AND (e.effective_date > :on
            OR (e.kind = ANY(:allocation_kinds)
                AND e.seq > coalesce((SELECT a.seq FROM journal_entries a
                                       WHERE a.entry_id = :after_entry),
                                     9223372036854775807)))
     GROUP BY e.entry_id
     ORDER BY e.seq
    """
).bindparams(
    bindparam("kinds", type_=ARRAY(String)),
    bindparam("allocation_kinds", type_=ARRAY(String)),
    bindparam("on", type_=Date),
    bindparam("after_entry", type_=Uuid),
)


async def entries_after(
    session: AsyncSession,
    case_id: uuid.UUID,
    on: date,
    *,
    after_entry: uuid.UUID | None,
    kinds: Iterable[str],
    allocation_kinds: Iterable[str],
) -> list[JournalEntry]:
    """The case's entries of ``kinds`` not reversed yet that are dated after ``on``, and
    (with ``after_entry``) the allocations of ``on`` booked after that entry; in the order
    they were booked, with their postings (one statement)."""
    rows = await session.execute(
        _TO_UNDO,
        {
            "case_id": case_id,
            "on": on,
            "after_entry": after_entry,
            "kinds": sorted(kinds),
            "allocation_kinds": sorted(allocation_kinds),
        },
    )
    return [
        JournalEntry(
            entry_id=row.entry_id,
            kind=row.kind,
            effective_date=row.effective_date,
            postings=tuple(
                Posting(Account(kind, holder), amount, currency)
                for kind, holder, amount, currency in zip(
                    row.kinds, row.holders, row.amounts, row.currencies, strict=True
                )
            ),
            case_id=row.case_id,
            creditor_id=row.creditor_id,
            natural_key=row.natural_key,
            reverses=row.reverses,
            metadata=row.metadata,
        )
        for row in rows
    ]


async def entry_by_id(session: AsyncSession, entry_id: uuid.UUID) -> JournalEntry | None:
    """A booked entry with its postings (for reversals)."""
    row = (
        await session.execute(
            text(
                "SELECT entry_id, kind, effective_date, case_id, creditor_id, natural_key,"
                " reverses, metadata FROM journal_entries WHERE entry_id = :id"
            ),
            {"id": entry_id},
        )
    ).first()
    if row is None:
        return None
    legs = await session.execute(
        text(
            "SELECT account_kind, holder, amount_ore, currency FROM postings"
            " WHERE entry_id = :id ORDER BY id"
        ),
        {"id": entry_id},
    )
    return JournalEntry(
        entry_id=row.entry_id,
        kind=row.kind,
        effective_date=row.effective_date,
        postings=tuple(
            Posting(Account(leg.account_kind, leg.holder), leg.amount_ore, leg.currency)
            for leg in legs
        ),
        case_id=row.case_id,
        creditor_id=row.creditor_id,
        natural_key=row.natural_key,
        reverses=row.reverses,
        metadata=row.metadata,
    )
