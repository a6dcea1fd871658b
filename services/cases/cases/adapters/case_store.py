"""Writing registered cases: many at a time, in the caller's transaction.

Registration must keep up with file imports of a million rows. The rows of a chunk of
cases are built first (:func:`prepare`: ids, numbers, the sealed national ids), so that
an importer can make the next chunk's while the database writes the last one; then
:func:`insert_prepared` writes them with one binary ``COPY`` per table (asyncpg's
``copy_records_to_table``; a few cases with one ``INSERT … SELECT FROM unnest(…)``).

A creditor reference registered by another submission since it was looked up loses the
race cleanly: the cases' ``COPY`` runs under a savepoint, and if the unique
``(creditor_id, creditor_reference)`` refuses it, the chunk's cases are inserted again
with ``ON CONFLICT DO NOTHING``, which leaves that one out; only the cases that were
inserted get parties, claims, timeline rows and events.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession

from cases.adapters.national_ids import NationalIdVault
from cases.domain.registration import CaseRegistration


@dataclass(frozen=True, slots=True)
class NewCase:
    """A validated registration with the ids and numbers it is stored under."""

    case_id: uuid.UUID
    party_id: uuid.UUID
    claim_ids: tuple[uuid.UUID, ...]
    sequence: int
    case_number: str
    kid: str
    registration: CaseRegistration
    limitation_dates: tuple[date, ...]


@dataclass(frozen=True)
class Submission:
    """What the cases of one chunk share: who registers them, into which batch, when."""

    creditor_id: uuid.UUID
    batch_id: uuid.UUID
    channel: str
    rule_set: str
    next_step_on: date | None
    registered_at: datetime
    registered_on: date
    registered_by: uuid.UUID | None


@dataclass(frozen=True)
class PreparedCases:
    """The rows of new cases, ready to be written (:func:`prepare`)."""

    submission: Submission
    new_cases: Sequence[NewCase]
    cases: list[tuple[Any, ...]]
    parties: list[tuple[Any, ...]]
    claims: list[tuple[Any, ...]]
    timeline: list[tuple[Any, ...]]


_INSERT_CASES = """
INSERT INTO cases (id, sequence, case_number, kid, creditor_id, creditor_reference, batch_id,
                   channel, debtor_kind, debtor_name, status, status_since, rule_set,
                   next_step_on, principal_total_ore, claim_count, earliest_due_date,
                   limitation_date, registered_at, registered_by, balance_ore)
SELECT u.id, u.sequence, u.case_number, u.kid, $1, u.creditor_reference, $2, $3, u.debtor_kind,
       u.debtor_name, 'registered', $4, $5, $6, u.principal, u.claims, u.due, u.limitation, $4,
       $7, u.balance
FROM unnest($8::uuid[], $9::bigint[], $10::text[], $11::text[], $12::text[], $13::text[],
            $14::bigint[], $15::smallint[], $16::date[], $17::date[], $18::text[],
            $19::bigint[])
     AS u(id, sequence, case_number, kid, creditor_reference, debtor_kind, principal, claims,
          due, limitation, debtor_name, balance)
ON CONFLICT ON CONSTRAINT uq_cases_creditor_reference DO NOTHING
RETURNING id
"""

COPY_ROWS = 50
"""From this many cases on, they are written with ``COPY`` (under a savepoint: should a
reference have been registered meanwhile, the chunk's cases are inserted again with
``ON CONFLICT DO NOTHING``)."""

_CASE_COLUMNS = (
    "id",
    "sequence",
    "case_number",
    "kid",
    "creditor_id",
    "creditor_reference",
    "batch_id",
    "channel",
    "debtor_kind",
    "debtor_name",
    "status",
    "status_since",
    "rule_set",
    "next_step_on",
    "principal_total_ore",
    "claim_count",
    "earliest_due_date",
    "limitation_date",
    "registered_at",
    "registered_by",
    "balance_ore",
)
_PARTY_COLUMNS = (
    "id",
    "case_id",
    "role",
    "kind",
    "name",
    "national_id_sealed",
    "national_id_index",
    "organisation_number",
    "address_lines",
    "postal_code",
    "city",
    "country",
    "email",
    "phone",
)
_CLAIM_COLUMNS = (
    "id",
    "case_id",
    "position",
    "invoice_number",
    "invoice_date",
    "due_date",
    "principal_ore",
    "reminder_fee_ore",
    "limitation_date",
    "claim_type",
    "demand_sent_on",
)
_TIMELINE_COLUMNS = (
    "case_id",
    "occurred_at",
    "kind",
    "to_status",
    "effective_date",
    "actor_kind",
    "actor_id",
    "detail",
)

_EXISTING_REFERENCES = """
SELECT c.creditor_reference, c.case_number
FROM unnest($2::text[]) AS r(reference)
CROSS JOIN LATERAL (
    SELECT creditor_reference, case_number FROM cases
    WHERE creditor_id = $1 AND creditor_reference = r.reference
    LIMIT 1
) AS c
"""


async def _driver(session: AsyncSession) -> Any:
    """The asyncpg connection under the session, inside its transaction."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    return raw.driver_connection


async def next_case_sequences(session: AsyncSession, count: int) -> list[int]:
    """``count`` fresh numbers from ``case_sequence`` (gaps are allowed, order is not promised)."""
    driver = await _driver(session)
    rows = await driver.fetch("SELECT nextval('case_sequence') FROM generate_series(1, $1)", count)
    return [int(r[0]) for r in rows]


async def next_batch_sequence(session: AsyncSession) -> int:
    driver = await _driver(session)
    return int(await driver.fetchval("SELECT nextval('batch_sequence')"))


async def existing_references(
    session: AsyncSession, creditor_id: uuid.UUID, references: Sequence[str]
) -> dict[str, str]:
    """Of ``references``, those already registered for the creditor, with their case number.

    One probe of the unique ``(creditor_id, creditor_reference)`` index per reference (the
    ``LIMIT 1`` keeps the planner from joining: ``= ANY(…)`` let it read all the creditor's
    cases and test each against the array, a chunk's cost growing with the creditor's cases).
    """
    driver = await _driver(session)
    rows = await driver.fetch(_EXISTING_REFERENCES, creditor_id, list(references))
    return {r[0]: r[1] for r in rows}


def prepare(
    vault: NationalIdVault, new_cases: Sequence[NewCase], submission: Submission
) -> PreparedCases:
    """The rows of ``new_cases`` (national ids sealed to their party row)."""
    cases: list[tuple[Any, ...]] = []
    parties: list[tuple[Any, ...]] = []
    claims: list[tuple[Any, ...]] = []
    timeline: list[tuple[Any, ...]] = []
    at, on = submission.registered_at, submission.registered_on
    actor_kind = "user" if submission.registered_by else "system"
    actor_id = submission.registered_by
    detail = json.dumps({"batch_id": str(submission.batch_id)})
    seal, index = vault.seal, vault.index
    creditor_id, batch_id, channel = submission.creditor_id, submission.batch_id, submission.channel
    rule_set, next_step_on = submission.rule_set, submission.next_step_on
    for case in new_cases:
        registration = case.registration
        debtor = registration.debtor
        cases.append(
            (
                case.case_id,
                case.sequence,
                case.case_number,
                case.kid,
                creditor_id,
                registration.creditor_reference,
                batch_id,
                channel,
                debtor.kind,
                debtor.name,
                "registered",
                at,
                rule_set,
                next_step_on,
                registration.principal_total_ore,
                len(registration.claims),
                min(claim.due_date for claim in registration.claims),
                min(case.limitation_dates),
                at,
                actor_id,
                registered_balance_ore(registration),
            )
        )
        address = debtor.address
        national_id = debtor.national_id
        parties.append(
            (
                case.party_id,
                case.case_id,
                "debtor",
                debtor.kind,
                debtor.name,
                seal(case.party_id, national_id) if national_id else None,
                index(national_id) if national_id else None,
                debtor.organisation_number,
                address.lines,
                address.postal_code,
                address.city,
                address.country,
                debtor.email,
                debtor.phone,
            )
        )
        for position, (claim_id, claim, limitation) in enumerate(
            zip(case.claim_ids, case.registration.claims, case.limitation_dates, strict=True)
        ):
            claims.append(
                (
                    claim_id,
                    case.case_id,
                    position,
                    claim.invoice_number,
                    claim.invoice_date,
                    claim.due_date,
                    claim.principal_ore,
                    claim.reminder_fee_ore,
                    limitation,
                    claim.claim_type,
                    claim.demand_sent_on,
                )
            )
        timeline.append(
            (case.case_id, at, "registered", "registered", on, actor_kind, actor_id, detail)
        )
    return PreparedCases(submission, new_cases, cases, parties, claims, timeline)


def registered_balance_ore(registration: CaseRegistration) -> int:
    """What the ledger books on registration (principal and reminder fees): the case's
    balance until the ledger states one (ADR 0055)."""
    return registration.principal_total_ore + sum(c.reminder_fee_ore for c in registration.claims)


async def _insert_cases(driver: Any, prepared: PreparedCases) -> set[uuid.UUID]:
    new_cases = prepared.new_cases
    if len(new_cases) >= COPY_ROWS:
        try:
            async with driver.transaction():  # a savepoint in the session's transaction
                await driver.copy_records_to_table(
                    "cases", columns=_CASE_COLUMNS, records=prepared.cases
                )
            return {c.case_id for c in new_cases}
        except asyncpg.UniqueViolationError:
            pass  # a reference registered since it was looked up: leave it out, below
    facts = prepared.submission
    registrations = [c.registration for c in new_cases]
    inserted = await driver.fetch(
        _INSERT_CASES,
        facts.creditor_id,
        facts.batch_id,
        facts.channel,
        facts.registered_at,
        facts.rule_set,
        facts.next_step_on,
        facts.registered_by,
        [c.case_id for c in new_cases],
        [c.sequence for c in new_cases],
        [c.case_number for c in new_cases],
        [c.kid for c in new_cases],
        [r.creditor_reference for r in registrations],
        [r.debtor.kind for r in registrations],
        [r.principal_total_ore for r in registrations],
        [len(r.claims) for r in registrations],
        [min(claim.due_date for claim in r.claims) for r in registrations],
        [min(c.limitation_dates) for c in new_cases],
        [r.debtor.name for r in registrations],
        [registered_balance_ore(r) for r in registrations],
    )
    return {r[0] for r in inserted}


async def insert_prepared(session: AsyncSession, prepared: PreparedCases) -> set[uuid.UUID]:
    """Write the prepared cases; returns the ids of those inserted (a known reference is
    left out, with its debtor, claims and timeline)."""
    new_cases = prepared.new_cases
    if not new_cases:
        return set()
    driver = await _driver(session)
    ids = await _insert_cases(driver, prepared)
    parties, claims, timeline = prepared.parties, prepared.claims, prepared.timeline
    if len(ids) < len(new_cases):  # some lost the race: leave their rows out
        parties = [p for p in parties if p[1] in ids]
        claims = [c for c in claims if c[1] in ids]
        timeline = [t for t in timeline if t[0] in ids]
    if parties:
        await driver.copy_records_to_table("parties", columns=_PARTY_COLUMNS, records=parties)
        await driver.copy_records_to_table("claims", columns=_CLAIM_COLUMNS, records=claims)
        await driver.copy_records_to_table("timeline", columns=_TIMELINE_COLUMNS, records=timeline)
    return ids
