"""What the cases service answered to a handover: cases registered, rows refused."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from contracts.cases import BatchRegistered, CaseRegistered
from sqlalchemy.ext.asyncio import AsyncSession

from integrations.adapters import invoice_store
from integrations.domain.invoices import REFERENCE_PREFIXES


async def cases_registered(session: AsyncSession, events: Sequence[CaseRegistered]) -> None:
    """Link each ERP invoice to its case (events of other channels are passed over)."""
    ours = [
        (e.creditor_id, e.creditor_reference, e.case_id, e.case_number)
        for e in events
        if e.creditor_reference.startswith(REFERENCE_PREFIXES)
    ]
    await invoice_store.cases_registered(session, ours)


async def batch_registered(session: AsyncSession, event: BatchRegistered) -> None:
    """A handover's refused rows, with the fields cases named (the portal translates them)."""
    refusals = [
        (row.creditor_reference, ",".join(row.fields)[:2000] or "unknown")
        for row in event.rejected_rows
        if row.creditor_reference and row.creditor_reference.startswith(REFERENCE_PREFIXES)
    ]
    await invoice_store.refused(session, uuid.UUID(str(event.batch_id)), refusals)
