"""Writing registered cases: many at a time, in the caller's transaction.

Registration must keep up with file imports of a million rows, so cases, their debtor and
claims are inserted with one ``INSERT … SELECT FROM unnest(…)`` per table and chunk
(asyncpg's binary array parameters, no per-row statement). A creditor reference that is
already registered loses the race cleanly: ``ON CONFLICT DO NOTHING`` on the unique
``(creditor_id, creditor_reference)`` leaves it out, and only the cases that were inserted
get parties, claims and events.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from cases.adapters.national_ids import NationalIdVault
from cases.domain.registration import CaseRegistration

_UNIT_SEPARATOR = "\x1f"  # joins address lines; validation refuses control characters in them


@dataclass(frozen=True)
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


_INSERT_CASES = """
INSERT INTO cases (id, sequence, case_number, kid, creditor_id, creditor_reference, batch_id,
                   channel, debtor_kind, debtor_name, status, status_since, rule_set,
                   next_step_on, principal_total_ore, claim_count, earliest_due_date,
                   limitation_date, registered_at, registered_by)
SELECT u.id, u.sequence, u.case_number, u.kid, $1, u.creditor_reference, $2, $3, u.debtor_kind,
       u.debtor_name, 'registered', $4, $5, $6, u.principal, u.claims, u.due, u.limitation, $4,
       $7
FROM unnest($8::uuid[], $9::bigint[], $10::text[], $11::text[], $12::text[], $13::text[],
            $14::bigint[], $15::smallint[], $16::date[], $17::date[], $18::text[])
     AS u(id, sequence, case_number, kid, creditor_reference, debtor_kind, principal, claims,
          due, limitation, debtor_name)
ON CONFLICT ON CONSTRAINT uq_cases_creditor_reference DO NOTHING
RETURNING id
"""

_INSERT_PARTIES = """
INSERT INTO parties (id, case_id, role, kind, name, national_id_sealed, national_id_index,
                     organisation_number, address_lines, postal_code, city, country, email, phone)
SELECT u.id, u.case_id, 'debtor', u.kind, u.name, u.sealed, u.idx, u.orgnr,
       string_to_array(u.lines, chr(31)), u.postal_code, u.city, u.country, u.email, u.phone
FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
            $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[])
     AS u(id, case_id, kind, name, sealed, idx, orgnr, lines, postal_code, city, country, email,
          phone)
"""

_INSERT_CLAIMS = """
INSERT INTO claims (id, case_id, position, invoice_number, invoice_date, due_date, principal_ore,
                    reminder_fee_ore, limitation_date)
SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::smallint[], $4::text[], $5::date[], $6::date[],
                     $7::bigint[], $8::bigint[], $9::date[])
"""

_INSERT_TIMELINE = """
INSERT INTO timeline (case_id, occurred_at, kind, to_status, effective_date, actor_kind,
                      actor_id, detail)
SELECT u.case_id, $1, 'registered', 'registered', $2, $3, $4,
       jsonb_build_object('batch_id', $5::text)
FROM unnest($6::uuid[]) AS u(case_id)
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
    """Of ``references``, those already registered for the creditor, with their case number."""
    driver = await _driver(session)
    rows = await driver.fetch(
        "SELECT creditor_reference, case_number FROM cases "
        "WHERE creditor_id = $1 AND creditor_reference = ANY($2::text[])",
        creditor_id,
        list(references),
    )
    return {r[0]: r[1] for r in rows}


async def insert_cases(
    session: AsyncSession,
    vault: NationalIdVault,
    new_cases: Sequence[NewCase],
    *,
    creditor_id: uuid.UUID,
    batch_id: uuid.UUID,
    channel: str,
    rule_set: str,
    next_step_on: date | None,
    registered_at: datetime,
    registered_on: date,
    registered_by: uuid.UUID | None,
) -> set[uuid.UUID]:
    """Insert the cases; returns the ids of those inserted (a known reference is left out)."""
    if not new_cases:
        return set()
    driver = await _driver(session)
    inserted = await driver.fetch(
        _INSERT_CASES,
        creditor_id,
        batch_id,
        channel,
        registered_at,
        rule_set,
        next_step_on,
        registered_by,
        [c.case_id for c in new_cases],
        [c.sequence for c in new_cases],
        [c.case_number for c in new_cases],
        [c.kid for c in new_cases],
        [c.registration.creditor_reference for c in new_cases],
        [c.registration.debtor.kind for c in new_cases],
        [c.registration.principal_total_ore for c in new_cases],
        [len(c.registration.claims) for c in new_cases],
        [min(claim.due_date for claim in c.registration.claims) for c in new_cases],
        [min(c.limitation_dates) for c in new_cases],
        [c.registration.debtor.name for c in new_cases],
    )
    ids = {r[0] for r in inserted}
    kept = [c for c in new_cases if c.case_id in ids]
    if not kept:
        return ids
    debtors = [c.registration.debtor for c in kept]
    await driver.execute(
        _INSERT_PARTIES,
        [c.party_id for c in kept],
        [c.case_id for c in kept],
        [d.kind for d in debtors],
        [d.name for d in debtors],
        [
            vault.seal(c.party_id, d.national_id) if d.national_id else None
            for c, d in zip(kept, debtors, strict=True)
        ],
        [vault.index(d.national_id) if d.national_id else None for d in debtors],
        [d.organisation_number for d in debtors],
        [_UNIT_SEPARATOR.join(d.address.lines) for d in debtors],
        [d.address.postal_code for d in debtors],
        [d.address.city for d in debtors],
        [d.address.country for d in debtors],
        [d.email for d in debtors],
        [d.phone for d in debtors],
    )
    claim_rows = [
        (claim_id, c.case_id, position, claim, limitation)
        for c in kept
        for position, (claim_id, claim, limitation) in enumerate(
            zip(c.claim_ids, c.registration.claims, c.limitation_dates, strict=True)
        )
    ]
    await driver.execute(
        _INSERT_CLAIMS,
        [r[0] for r in claim_rows],
        [r[1] for r in claim_rows],
        [r[2] for r in claim_rows],
        [r[3].invoice_number for r in claim_rows],
        [r[3].invoice_date for r in claim_rows],
        [r[3].due_date for r in claim_rows],
        [r[3].principal_ore for r in claim_rows],
        [r[3].reminder_fee_ore for r in claim_rows],
        [r[4] for r in claim_rows],
    )
    await driver.execute(
        _INSERT_TIMELINE,
        registered_at,
        registered_on,
        "user" if registered_by else "system",
        registered_by,
        str(batch_id),
        [c.case_id for c in kept],
    )
    return ids
