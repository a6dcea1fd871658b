"""Retention of credit reports: the bureau's raw answer is kept sealed for a short period,
then removed; a person's (or ENK's) report is cut down to its summary (credit.md §7)."""

from __future__ import annotations

from datetime import datetime

from credit.domain.reports import summary_document
from credit.service_layer.unit_of_work import CreditUnitOfWork


async def redact_due(uow: CreditUnitOfWork, now: datetime, limit: int = 500) -> int:
    """Redact the reports whose retention ran out by ``now``; returns how many."""
    async with uow:
        due = await uow.orders.due_for_redaction(now, limit)
        for row in due:
            document = row["document"]
            if row["subject_kind"] == "person" or document.get("copy_letter_expected"):
                document = summary_document(document)
            await uow.orders.redact(row["order_id"], document)
        await uow.commit()
    return len(due)
