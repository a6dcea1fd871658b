"""One synchronisation of a creditor's ERP connection.

Reads the ERP's invoices of the look-back period, hands over each overdue invoice once
(``integrations.invoices.handed_over``: the cases service registers and validates them),
and reads newer versions of invoices already cases: a lower outstanding amount is a
direct payment or a credit note at the creditor (``integrations.direct_payment.noticed``,
reported once); a moved due date or a higher amount is recorded as a conflict for the
case handler, and the case keeps what was handed over (ADR 0044). An invoice the cases
service has not answered for yet is read again at the next sync. An ERP that fails
(credentials, rate limit beyond the wait we allow, unavailable) ends the sync with a
stable code and it is tried again later; bad data of one invoice never stops the others.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from contracts.integrations import (
    MAX_HANDED_OVER,
    DirectPaymentNoticed,
    HandedOverCase,
    InvoicesHandedOver,
)
from pydantic import ValidationError
from servicekit.uow import UnitOfWork

from integrations.adapters import connection_store, invoice_store
from integrations.adapters.connection_store import Connection
from integrations.adapters.invoice_store import Known
from integrations.adapters.vault import CredentialVault
from integrations.domain.invoices import (
    ErpCustomer,
    ErpInvoice,
    Seen,
    creditor_reference,
    is_overdue,
    read_change,
    registration,
    split_drop,
)
from integrations.service_layer.ports import Erp, ErpError, ErpFactory

log = logging.getLogger(__name__)
OSLO = ZoneInfo("Europe/Oslo")


@dataclass(frozen=True)
class SyncPolicy:
    every: timedelta = timedelta(minutes=15)
    retry_after_failure: timedelta = timedelta(minutes=5)
    lease: timedelta = timedelta(minutes=5)
    grace_days: int = 14
    lookback_days: int = 3 * 365


@dataclass(frozen=True)
class SyncContext:
    uow: Callable[[], UnitOfWork]
    vault: CredentialVault
    erp_for: ErpFactory
    policy: SyncPolicy
    now: Callable[[], datetime]


@dataclass
class SyncOutcome:
    outcome: str = "ok"
    invoices_read: int = 0
    handed_over: int = 0
    refused_here: int = 0
    changed: int = 0
    payments_noticed: int = 0
    handovers: list[uuid.UUID] = field(default_factory=list)


async def sync_due(ctx: SyncContext) -> SyncOutcome | None:
    """Lease the connection due longest and synchronise it; ``None`` when none is due."""
    async with ctx.uow() as uow:
        connection = await connection_store.lease_due(uow.session, ctx.now(), ctx.policy.lease)
        await uow.commit()
    if connection is None:
        return None
    return await sync_connection(ctx, connection)


async def sync_connection(ctx: SyncContext, connection: Connection) -> SyncOutcome:
    started = ctx.now()
    credentials = ctx.vault.open(connection.connection_id, connection.credentials)
    erp = ctx.erp_for(connection.base_url, connection.company_id, credentials)
    outcome = SyncOutcome()
    try:
        await _sync(ctx, connection, erp, outcome)
    except ErpError as exc:
        outcome.outcome = exc.code
        log.warning("sync of connection %s failed: %s", connection.connection_id, exc)
    finally:
        await erp.aclose()
    await _finish(ctx, connection, started, outcome)
    return outcome


async def _sync(ctx: SyncContext, connection: Connection, erp: Erp, outcome: SyncOutcome) -> None:
    today = ctx.now().astimezone(OSLO).date()
    invoices = await erp.invoices(
        today - timedelta(days=ctx.policy.lookback_days), today + timedelta(days=1)
    )
    outcome.invoices_read = len(invoices)
    credited: dict[int, int] = {}
    for note in (i for i in invoices if i.credit_note and i.credited_invoice is not None):
        assert note.credited_invoice is not None
        credited[note.credited_invoice] = credited.get(note.credited_invoice, 0) + abs(
            note.amount_ore
        )
    ordinary = [i for i in invoices if not i.credit_note]
    async with ctx.uow() as uow:
        known = await invoice_store.known(
            uow.session, connection.connection_id, [i.invoice_id for i in ordinary]
        )
    new = [
        i
        for i in ordinary
        if i.invoice_id not in known
        and is_overdue(i, today=today, grace_days=ctx.policy.grace_days)
    ]
    customers = await erp.customers({i.customer_id for i in new}) if new else {}
    async with ctx.uow() as uow:
        for start in range(0, len(new), MAX_HANDED_OVER):
            await _hand_over(
                uow, connection, new[start : start + MAX_HANDED_OVER], customers, outcome
            )
        await _read_changes(uow, connection, ordinary, known, credited, today, outcome)
        await uow.commit()


async def _hand_over(
    uow: UnitOfWork,
    connection: Connection,
    invoices: Sequence[ErpInvoice],
    customers: Mapping[int, ErpCustomer],
    outcome: SyncOutcome,
) -> None:
    handover_id = uuid.uuid4()
    rows: list[dict[str, object]] = []
    cases: dict[int, HandedOverCase] = {}
    for invoice in invoices:
        reference = creditor_reference(connection.erp, connection.company_id, invoice.invoice_id)
        customer = customers.get(invoice.customer_id)
        error: str | None = None
        if customer is None:
            error = "erp.customer_missing"
        else:
            try:
                cases[invoice.invoice_id] = HandedOverCase.model_validate(
                    registration(reference, invoice, customer)
                )
            except ValidationError:
                error = "erp.invoice_unreadable"
        rows.append(
            {
                "connection_id": connection.connection_id,
                "invoice_id": invoice.invoice_id,
                "creditor_id": connection.creditor_id,
                "invoice_number": invoice.invoice_number,
                "creditor_reference": reference,
                "erp_version": invoice.version,
                "due_date": invoice.due_date,
                "outstanding_ore": invoice.outstanding_ore,
                "handed_over_ore": invoice.outstanding_ore,
                "handover_id": handover_id,
                "state": "handed_over" if error is None else "refused",
                "error_fields": error,
            }
        )
    inserted = await invoice_store.hand_over(uow.session, rows)
    handed = [c for invoice_id, c in cases.items() if invoice_id in inserted]
    outcome.refused_here += sum(
        1 for r in rows if r["error_fields"] and r["invoice_id"] in inserted
    )
    if handed:
        uow.emit(
            InvoicesHandedOver(
                handover_id=handover_id,
                creditor_id=connection.creditor_id,
                erp="tripletex",
                cases=handed,
            )
        )
        outcome.handed_over += len(handed)
        outcome.handovers.append(handover_id)


async def _read_changes(
    uow: UnitOfWork,
    connection: Connection,
    invoices: Sequence[ErpInvoice],
    known: dict[int, Known],
    credited: dict[int, int],
    today: date,
    outcome: SyncOutcome,
) -> None:
    updates: list[dict[str, object]] = []
    for invoice in invoices:
        seen = known.get(invoice.invoice_id)
        if seen is None or seen.state != "registered" or seen.case_id is None:
            continue  # not a case (yet): read again next time
        reading = read_change(
            Seen(
                erp_version=seen.erp_version,
                due_date=seen.due_date,
                outstanding_ore=seen.outstanding_ore,
                reported_ore=seen.reported_ore,
                handed_over_ore=seen.handed_over_ore,
            ),
            invoice,
        )
        if reading is None:
            continue
        outcome.changed += 1
        unreported_credit = max(credited.get(invoice.invoice_id, 0) - seen.reported_credit_ore, 0)
        paid, credit = split_drop(reading.paid_directly_ore, unreported_credit)
        for kind, amount in (("payment", paid), ("credit_note", credit)):
            if amount > 0:
                uow.emit(
                    DirectPaymentNoticed(
                        creditor_id=connection.creditor_id,
                        case_id=seen.case_id,
                        erp="tripletex",
                        invoice_number=seen.invoice_number,
                        kind=kind,
                        amount_ore=amount,
                        noticed_on=today,
                    )
                )
                outcome.payments_noticed += 1
        updates.append(
            {
                "b_connection": connection.connection_id,
                "b_invoice": invoice.invoice_id,
                "b_version": invoice.version,
                "b_due": invoice.due_date,
                "b_outstanding": invoice.outstanding_ore,
                "b_reported": seen.reported_ore + reading.paid_directly_ore,
                "b_reported_credit": seen.reported_credit_ore + credit,
                "b_conflict": ",".join(reading.conflicts) or None,
            }
        )
    await invoice_store.seen_again(uow.session, updates)


async def _finish(
    ctx: SyncContext, connection: Connection, started: datetime, outcome: SyncOutcome
) -> None:
    finished = ctx.now()
    wait = ctx.policy.every if outcome.outcome == "ok" else ctx.policy.retry_after_failure
    async with ctx.uow() as uow:
        await connection_store.record_run(
            uow.session,
            {
                "run_id": uuid.uuid4(),
                "connection_id": connection.connection_id,
                "started_at": started,
                "finished_at": finished,
                "outcome": outcome.outcome,
                "invoices_read": outcome.invoices_read,
                "handed_over": outcome.handed_over,
                "changed": outcome.changed,
                "payments_noticed": outcome.payments_noticed,
            },
        )
        await connection_store.change(
            uow.session,
            connection.connection_id,
            last_sync_at=finished,
            last_sync_outcome=outcome.outcome,
            next_sync_at=finished + wait,
            leased_until=None,
        )
        await uow.commit()
