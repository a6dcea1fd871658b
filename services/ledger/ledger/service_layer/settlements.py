"""Settlement runs (avregning) with creditors, and the bank's answers on their payouts.

A run settles, per creditor, everything collected up to the end of the period that no
settlement took yet, and writes one payout file (pain.001) for the payouts. It is
idempotent: a creditor already settled for the period gets its existing settlement back,
and a payment allocation is settled at most once (a unique index on the active lines).
Settlements are two-phase: *pending* with the reserve entry booked, *posted* when the bank
confirms the payout (its pain.002 status, a camt.054 debit, or an administrator), or
*voided* (the reserve entry reversed) when the bank rejects it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from contracts.ledger import SettlementCompleted

from ledger.adapters.bankfiles.model import BankAnswer, Payout, PayoutBatch, PayoutBooking
from ledger.adapters.journal import entry_by_id
from ledger.domain.errors import InvalidInput, SettlementNotFound, SettlementStateConflict
from ledger.domain.ids import new_id
from ledger.domain.journal import reversal_of
from ledger.domain.settlement import draft_settlement, paid_entry
from ledger.service_layer.books import Books
from ledger.service_layer.policy import LedgerPolicy, PayoutWriter, business_date


@dataclass
class RunResult:
    period_end: date
    settlement_ids: list[uuid.UUID] = field(default_factory=list)
    skipped: list[tuple[uuid.UUID, str]] = field(default_factory=list)
    payout_message_id: str | None = None


def _message_id(run_at: datetime) -> str:
    return f"IC-AV-{run_at:%Y%m%d%H%M%S}-{uuid.uuid4().hex[:8]}"


async def run_settlements(
    books: Books,
    *,
    period_end: date,
    creditor_ids: Sequence[uuid.UUID] | None,
    by: uuid.UUID | None,
    policy: LedgerPolicy,
    write_payouts: PayoutWriter,
) -> RunResult:
    now = datetime.now(UTC)
    today = business_date(now)
    if period_end > today:
        raise InvalidInput("period_end", "a period cannot be settled before it has ended")
    result = RunResult(period_end)
    creditors = (
        sorted(set(creditor_ids))
        if creditor_ids is not None
        else await books.settlements.creditors_with_unsettled(period_end)
    )
    payouts: list[tuple[uuid.UUID, Payout]] = []
    for creditor_id in creditors:
        await books.settlements.lock_creditor(creditor_id)
        existing = await books.settlements.active_for_period(creditor_id, period_end)
        if existing is not None:
            result.settlement_ids.append(existing.settlement_id)
            continue
        collected, charges = await books.settlements.unsettled(creditor_id, period_end)
        agreement = await books.agreements.get(creditor_id)
        draft = draft_settlement(
            creditor_id, period_end, collected, charges, agreement.commission_percent
        )
        if draft is None:
            result.skipped.append((creditor_id, "nothing to settle"))
            continue
        if draft.payout_ore > 0 and not (agreement.payout_account and agreement.payout_name):
            result.skipped.append((creditor_id, "the agreement has no payout account"))
            continue
        settlement_id = new_id()
        number = await books.settlements.next_number()
        reserve = draft.reserve_entry(on=today, settlement_id=settlement_id)
        if reserve is not None:
            books.journal.add(reserve)
        paid_now = draft.payout_ore == 0
        await books.settlements.add(
            settlement_id=settlement_id,
            number=number,
            draft=draft,
            status="posted" if paid_now else "pending",
            reserve_entry_id=reserve.entry_id if reserve else None,
            created_at=now,
            created_by=by,
        )
        result.settlement_ids.append(settlement_id)
        if paid_now:
            await _post(books, settlement_id, on=today, client_account=policy.client_funds_account)
            continue
        assert agreement.payout_account
        assert agreement.payout_name
        payouts.append(
            (
                settlement_id,
                Payout(
                    end_to_end_id=number,
                    creditor_account=agreement.payout_account,
                    creditor_name=agreement.payout_name,
                    amount_ore=draft.payout_ore,
                    remittance=f"Avregning {number} per {period_end.isoformat()}",
                ),
            )
        )
    if payouts:
        message_id = _message_id(now)
        batch = PayoutBatch(
            message_id=message_id,
            debtor_account=policy.client_funds_account,
            requested_execution_date=today,
            payouts=tuple(p for _, p in payouts),
            debtor_name=policy.agency_name,
            debtor_organisation_number=policy.agency_organisation_number,
            created_at=now,
        )
        document = write_payouts(batch).decode("utf-8")
        await books.settlements.add_payout_file(
            message_id=message_id,
            period_end=period_end,
            count=len(payouts),
            total_ore=batch.control_sum_ore,
            document=document,
        )
        await books.settlements.attach_payout(
            [sid for sid, _ in payouts],
            message_id,
            {sid: p.end_to_end_id for sid, p in payouts},
        )
        result.payout_message_id = message_id
    return result


async def _post(
    books: Books, settlement_id: uuid.UUID, *, on: date, client_account: str | None
) -> None:
    """Book the payout and announce the settlement with its lines (the statement's data)."""
    row = await books.settlements.get(settlement_id)
    assert row is not None
    kept = row.commission_ore + row.credit_report_charges_ore + row.agency_fees_ore
    entry = paid_entry(
        creditor_id=row.creditor_id,
        settlement_id=settlement_id,
        payout_ore=row.payout_ore,
        kept_ore=kept,
        on=on,
    )
    if entry is not None:
        books.journal.add(entry)
    await books.settlements.mark_posted(settlement_id, entry.entry_id if entry else None)
    agreement = await books.agreements.get(row.creditor_id)
    lines = await books.settlements.settled_lines(settlement_id)
    books.emit(
        SettlementCompleted(
            settlement_id=settlement_id,
            settlement_number=row.number,
            creditor_id=row.creditor_id,
            period_end=row.period_end,
            line_count=row.line_count,
            collected_ore=row.collected_ore,
            commission_ore=row.commission_ore,
            credit_report_charges_ore=row.credit_report_charges_ore,
            agency_fees_ore=row.agency_fees_ore,
            payout_ore=row.payout_ore,
            completed_at=datetime.now(UTC),
            payout_date=on,
            client_account=client_account or None,
            payout_account=agreement.payout_account,
            vat_deductible=agreement.vat_deductible,
            lines=lines,
        )
    )


async def confirm_settlement(
    books: Books,
    settlement_id: uuid.UUID,
    *,
    on: date | None = None,
    client_account: str | None = None,
) -> str:
    """The bank paid the creditor: post the settlement (again: nothing happens)."""
    row = await books.settlements.get(settlement_id, lock=True)
    if row is None:
        raise SettlementNotFound("No such settlement.")
    if row.status == "posted":
        return "posted"
    if row.status == "voided":
        raise SettlementStateConflict("A voided settlement cannot be paid; run a new settlement.")
    await _post(
        books,
        settlement_id,
        on=on or business_date(datetime.now(UTC)),
        client_account=client_account,
    )
    return "posted"


async def void_settlement(books: Books, settlement_id: uuid.UUID, *, reason: str) -> str:
    """The bank refused the payout: reverse the reserve entry, free the lines."""
    row = await books.settlements.get(settlement_id, lock=True)
    if row is None:
        raise SettlementNotFound("No such settlement.")
    if row.status == "voided":
        return "voided"
    if row.status == "posted":
        raise SettlementStateConflict("The payout was made; a posted settlement stays.")
    if row.reserve_entry_id is not None:
        reserved = await entry_by_id(books.session, row.reserve_entry_id)
        assert reserved is not None
        books.journal.add(
            reversal_of(
                reserved,
                effective_date=business_date(datetime.now(UTC)),
                reason=reason,
                natural_key=f"settlement:{settlement_id}:voided",
            )
        )
    await books.settlements.mark_voided(settlement_id, reason)
    return "voided"


async def apply_bank_answer(
    books: Books, answer: BankAnswer, *, client_account: str | None = None
) -> dict[str, str]:
    """A pain.002 on a payout file: post what the bank accepted, void what it rejected."""
    outcome: dict[str, str] = {}
    payout_file = await books.settlements.payout_file(answer.original_message_id)
    if payout_file is None:
        raise SettlementNotFound(f"No payout file {answer.original_message_id!r}.")
    for settlement_id, end_to_end_id in await books.settlements.of_payout_file(
        answer.original_message_id
    ):
        state = answer.state_of(end_to_end_id)
        if state == "accepted":
            outcome[end_to_end_id] = await confirm_settlement(
                books, settlement_id, client_account=client_account
            )
        elif state == "rejected":
            status = next((s for s in answer.statuses if s.end_to_end_id == end_to_end_id), None)
            reason = "rejected by the bank" + (
                f" ({status.reason_code})" if status and status.reason_code else ""
            )
            outcome[end_to_end_id] = await void_settlement(books, settlement_id, reason=reason)
        else:
            outcome[end_to_end_id] = "pending"
    return outcome


async def apply_payout_bookings(
    books: Books, bookings: Sequence[PayoutBooking], *, client_account: str | None = None
) -> dict[str, str]:
    """A camt.054 debit of a payout: the bank paid it, post its settlement."""
    outcome: dict[str, str] = {}
    for booking in bookings:
        if not booking.end_to_end_id:
            continue
        row = await books.settlements.by_end_to_end(booking.end_to_end_id)
        if row is None or row.payout_ore != booking.amount_ore:
            outcome[booking.end_to_end_id] = "unknown"
            continue
        outcome[booking.end_to_end_id] = await confirm_settlement(
            books,
            row.settlement_id,
            on=booking.value_date or booking.booking_date,
            client_account=client_account,
        )
    return outcome
